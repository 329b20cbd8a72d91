// Simulated agents for bench/agents.py --driver node|node-h2: a lighter twin of the Python Fleet/worker.
//
//   node fleet.mjs --target 127.0.0.1:PORT --heartbeat 30 [--transport grpc-js|h2] [--agents agents.json]
//
// grpc-js speaks through the gRPC library; h2 writes the same gRPC frames straight onto Node's
// own HTTP/2 client (a new connection per attempt, messages encoded by hand below) for a
// fraction of the CPU, so the harness leaves more of the shared cores to the server.
//
// The agents are a JSON list of [agent_id, client_uuid, secret], read from --agents or else
// from the first line of stdin. Then stdin carries JSON-line requests, stdout the replies:
//   ["status", [command ids]] -> {connected, errors, details, received, last, cpu}
//   "stop"                    -> "stopped"
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "proto");

// agent/link/channel.py CHANNEL_OPTIONS, plus a local subchannel pool: channels to one target
// would otherwise share a TCP connection. Channelz only keeps traces nobody reads here.
const CHANNEL_OPTIONS = {
  "grpc.keepalive_time_ms": 300_000,
  "grpc.keepalive_timeout_ms": 20_000,
  "grpc.keepalive_permit_without_calls": 1,
  "grpc.max_receive_message_length": 4 * 1024 * 1024,
  "grpc.enable_retries": 0,
  "grpc.use_local_subchannel_pool": 1,
  "grpc.enable_channelz": 0,
  // Each agent keeps its channel (below): its own reconnect backoff stays short, so the
  // agent's jittered backoff decides when it comes back, as with a new channel per attempt.
  "grpc.initial_reconnect_backoff_ms": 250,
  "grpc.max_reconnect_backoff_ms": 1000,
};

// grpc-js records a stack for every call and formats it for every failed one: at thousands of
// reconnects a tenth of the harness's CPU, for traces nobody reads.
Error.stackTraceLimit = 0;

const HEX_ADDRESS = /0x[0-9a-f]+/g;
const STATUS_NAMES = Object.fromEntries(Object.entries(grpc.status).filter(([, v]) => typeof v === "number").map(([k, v]) => [v, k]));

const uniform = (low, high) => low + Math.random() * (high - low);
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

// agent/link/_backoff.py: initial·2ⁿ capped at maximum, scaled by a random factor in [0.5, 1].
class Backoff {
  constructor(initial, maximum) {
    this.initial = Math.max(initial, 0.01);
    this.maximum = Math.max(maximum, this.initial);
    this.attempt = 0;
  }

  next() {
    const ceiling = Math.min(this.maximum, this.initial * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return ceiling * uniform(0.5, 1.0);
  }

  reset() {
    this.attempt = 0;
  }
}

class Fleet {
  constructor(target, heartbeat, transport) {
    if (transport === "h2") {
      this.target = target;
      this.session = this.h2Session;
      this.openChannel = () => null; // h2 opens a connection per attempt
    } else {
      const definition = protoLoader.loadSync("upkeep/v1/agent.proto", { includeDirs: [PROTO_ROOT], keepCase: true, oneofs: true });
      this.AgentService = grpc.loadPackageDefinition(definition).upkeep.v1.AgentService;
      // An IP literal through grpc-js's ipv4: resolver: its DNS resolver opens a c-ares channel per
      // channel even for a literal (another tenth of the CPU).
      this.target = /^\d+\.\d+\.\d+\.\d+:\d+$/.test(target) ? `ipv4:${target}` : target;
      this.session = this.grpcJsSession;
      this.openChannel = () => {
        const client = new this.AgentService(this.target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
        this.clients.add(client);
        return client;
      };
    }
    this.heartbeat = heartbeat;
    this.connected = new Set();
    this.received = new Map();
    this.errors = {};
    this.details = {};
    this.stopping = false;
    this.live = new Set(); // {call, beat, ack, heartbeat} of every open session, for stop
    this.clients = new Set(); // every agent's channel
  }

  async runAgent(agentId, clientUuid, secret) {
    const backoff = new Backoff(0.5, 10.0);
    const executed = []; // like a real agent, it says in Hello which commands it has run
    // grpc-js: one channel for the agent's life. It does not let go of a channel's connection
    // attempts when it is closed, and at 20,000 agents a new channel per attempt leaves the
    // harness out of local ports and the server out of open files (see docs/agent-link.md).
    // h2 closes its connection with each attempt and needs none.
    const client = this.openChannel();
    await sleep(uniform(0, 2));
    while (!this.stopping) {
      await this.session(client, agentId, clientUuid, secret, executed, backoff);
      await sleep(backoff.next());
    }
  }

  // One Connect stream on the agent's grpc-js channel; resolves when the stream has ended.
  grpcJsSession(client, agentId, clientUuid, secret, executed, backoff) {
    return new Promise((resolve) => {
      const metadata = new grpc.Metadata();
      metadata.set("x-upkeep-client-id", clientUuid);
      metadata.set("authorization", `Bearer ${secret}`);
      const call = client.Connect(metadata);
      const session = {
        call, beat: null,
        ack: (id) => call.write({ command_ack: { command_id: id, accepted: true } }),
        heartbeat: (seq) => call.write({ heartbeat: { seq } }),
      };
      this.live.add(session);
      call.write({ hello: { agent_id: agentId, client_uuid: clientUuid, client_version: "0.1.0", executed_command_ids: [...executed] } });
      call.on("data", (message) => {
        if (message.body === "welcome") this.welcomed(session, agentId, backoff);
        else if (message.body === "command") this.commanded(session, message.command.id, executed);
      });
      call.on("error", () => {}); // counted from the status below
      call.on("status", (status) => {
        if (status.code !== grpc.status.OK && !this.stopping) this.countError(status);
        this.connected.delete(agentId);
        clearTimeout(session.beat);
        this.live.delete(session);
        call.end();
        resolve();
      });
    });
  }

  // The same stream over a new HTTP/2 connection, gRPC framing and protobuf done here.
  h2Session(_client, agentId, clientUuid, secret, executed, backoff) {
    return new Promise((resolve) => {
      const connection = http2.connect(`http://${this.target}`);
      const call = connection.request({
        ":method": "POST", ":path": "/upkeep.v1.AgentService/Connect", "content-type": "application/grpc", te: "trailers",
        "x-upkeep-client-id": clientUuid, authorization: `Bearer ${secret}`,
      });
      const write = (message) => { if (!call.closed && !call.destroyed) call.write(grpcFrame(encodeRequest(message))); };
      const session = {
        call: { cancel: () => call.close(http2.constants.NGHTTP2_CANCEL) }, beat: null,
        ack: (id) => { if (!call.closed && !call.destroyed) call.write(ackFrame(id)); },
        heartbeat: (seq) => write([REQUEST_HEARTBEAT, encodeVarintField(1, seq)]),
      };
      this.live.add(session);
      let status = null; // [code, details] from the response headers or trailers
      const grpcStatus = (headers) => {
        if (headers["grpc-status"] !== undefined) status = [Number(headers["grpc-status"]), percentDecoded(headers["grpc-message"] ?? "")];
      };
      let streamError = null;
      connection.on("error", () => {}); // its streams have the error as their cause
      call.on("error", (error) => { streamError = error; });
      call.on("response", grpcStatus);
      call.on("trailers", grpcStatus);
      const frames = new FrameReader((payload) => {
        const [field, body] = oneofField(payload);
        if (field === RESPONSE_WELCOME) this.welcomed(session, agentId, backoff);
        else if (field === RESPONSE_COMMAND) this.commanded(session, stringField(body, 1), executed);
      });
      call.on("data", (chunk) => frames.push(chunk));
      call.on("close", () => {
        status ??= missingStatus(call, connection, streamError);
        if (status[0] !== grpc.status.OK && !this.stopping) this.countError({ code: status[0], details: status[1] });
        this.connected.delete(agentId);
        clearTimeout(session.beat);
        this.live.delete(session);
        connection.close();
        resolve();
      });
      write([REQUEST_HELLO, encodeHello(agentId, clientUuid, executed)]);
    });
  }

  welcomed(session, agentId, backoff) {
    this.connected.add(agentId);
    backoff.reset();
    this.beat(session);
  }

  commanded(session, id, executed) {
    if (!this.received.has(id)) this.received.set(id, Date.now() / 1000);
    executed.push(id);
    session.ack(id);
  }

  // Heartbeats at a random phase, then every `heartbeat` seconds.
  beat(session) {
    clearTimeout(session.beat);
    let seq = 0;
    const send = () => {
      seq += 1;
      session.heartbeat(seq);
      session.beat = setTimeout(send, this.heartbeat * 1000);
    };
    session.beat = setTimeout(send, uniform(0, this.heartbeat) * 1000);
  }

  countError(status) {
    const name = STATUS_NAMES[status.code] ?? String(status.code);
    this.errors[name] = (this.errors[name] ?? 0) + 1;
    const detail = [...(status.details ?? "").replace(HEX_ADDRESS, "0x…")].slice(0, 160).join("");
    const key = `${name} ${detail}`;
    this.details[key] = (this.details[key] ?? 0) + 1;
  }

  status(commandIds) {
    const times = commandIds.filter((id) => this.received.has(id)).map((id) => this.received.get(id));
    const { user, system } = process.cpuUsage();
    return {
      connected: this.connected.size, errors: this.errors, details: this.details,
      received: times.length, last: times.reduce((a, b) => Math.max(a, b), 0.0), cpu: (user + system) / 1e6,
    };
  }

  // Ends every open stream; agents waiting to (re)connect end with the process.
  stop() {
    this.stopping = true;
    for (const { call } of this.live) call.cancel();
    for (const client of this.clients) client.close();
  }
}

// grpc-js's status for a stream that ended without grpc-status: a failed or dropped connection,
// or the server's RST_STREAM.
function missingStatus(call, connection, streamError) {
  const { constants } = http2;
  if (streamError?.cause) return [grpc.status.UNAVAILABLE, streamError.cause.message];
  if (connection.destroyed) return [grpc.status.UNAVAILABLE, "Connection dropped"];
  if (call.rstCode === constants.NGHTTP2_REFUSED_STREAM) return [grpc.status.UNAVAILABLE, "Stream refused by server"];
  if (call.rstCode === constants.NGHTTP2_CANCEL) return [grpc.status.CANCELLED, "Call cancelled"];
  if (call.rstCode === constants.NGHTTP2_ENHANCE_YOUR_CALM) return [grpc.status.RESOURCE_EXHAUSTED, "Bandwidth exhausted"];
  return [grpc.status.INTERNAL, `Received RST_STREAM with code ${call.rstCode}`];
}

function percentDecoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Protobuf field numbers (proto/upkeep/v1/agent.proto) and the little wire format the h2
// transport needs: varints, length-delimited fields, a oneof's one field.
const REQUEST_HELLO = 1, REQUEST_HEARTBEAT = 2, REQUEST_ACK = 3;
const RESPONSE_WELCOME = 1, RESPONSE_COMMAND = 2;

function varint(value) {
  const bytes = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

const encodeVarintField = (field, value) => Buffer.concat([varint(field << 3), varint(value)]);
const encodeBytesField = (field, bytes) => Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
const encodeStringField = (field, text) => encodeBytesField(field, Buffer.from(text, "utf8"));

const encodeHello = (agentId, clientUuid, executed) => Buffer.concat([
  encodeVarintField(1, agentId), encodeStringField(2, clientUuid), encodeStringField(3, "0.1.0"),
  ...executed.map((id) => encodeStringField(12, id)),
]);
const encodeAck = (id) => Buffer.concat([encodeStringField(1, id), encodeVarintField(2, 1)]);
const encodeRequest = ([field, body]) => encodeBytesField(field, body);

// A CommandAck request, framed, in one buffer (every command's ack is the hot path of a
// fan-out here); the general encoders for an id too long for one-byte lengths.
function ackFrame(id) {
  const idLength = Buffer.byteLength(id, "utf8");
  if (idLength > 120) return grpcFrame(encodeRequest([REQUEST_ACK, encodeAck(id)]));
  const ackLength = 2 + idLength + 2; // command_id, accepted = true
  const frame = Buffer.allocUnsafe(5 + 2 + ackLength);
  frame[0] = 0;
  frame.writeUInt32BE(2 + ackLength, 1);
  frame[5] = (REQUEST_ACK << 3) | 2;
  frame[6] = ackLength;
  frame[7] = (1 << 3) | 2;
  frame[8] = idLength;
  frame.write(id, 9, "utf8");
  frame[9 + idLength] = 2 << 3;
  frame[10 + idLength] = 1;
  return frame;
}

function grpcFrame(message) {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

// [field number, wire type, value] for each field of a message, in order.
function* fields(buffer) {
  let offset = 0;
  const readVarint = () => {
    let value = 0, scale = 1, byte;
    do {
      byte = buffer[offset++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte & 0x80);
    return value;
  };
  while (offset < buffer.length) {
    const key = readVarint();
    const wire = key & 7;
    if (wire === 0) yield [key >>> 3, wire, readVarint()];
    else if (wire === 2) {
      const length = readVarint();
      yield [key >>> 3, wire, buffer.subarray(offset, offset + length)];
      offset += length;
    } else if (wire === 1) offset += 8;
    else if (wire === 5) offset += 4;
    else throw new Error(`protobuf wire type ${wire} not expected`);
  }
}

function oneofField(buffer) {
  for (const [field, wire, value] of fields(buffer)) if (wire === 2) return [field, value];
  return [0, null];
}

function stringField(buffer, number) {
  for (const [field, wire, value] of fields(buffer)) if (field === number && wire === 2) return value.toString("utf8");
  return "";
}

// Splits a stream's DATA into gRPC messages (1 byte compressed flag, 4 bytes length).
class FrameReader {
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.pending = Buffer.alloc(0);
  }

  push(chunk) {
    let buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buffer.length >= 5) {
      const length = buffer.readUInt32BE(1);
      if (buffer.length < 5 + length) break;
      this.onMessage(buffer.subarray(5, 5 + length));
      buffer = buffer.subarray(5 + length);
    }
    this.pending = buffer;
  }
}

const reply = (value) => new Promise((resolve) => process.stdout.write(JSON.stringify(value) + "\n", resolve));

async function main() {
  const { values } = parseArgs({ options: {
    target: { type: "string" }, heartbeat: { type: "string", default: "30" }, agents: { type: "string" },
    transport: { type: "string", default: "grpc-js" },
  } });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const agents = JSON.parse(values.agents ? readFileSync(values.agents, "utf8") : (await lines.next()).value);
  const fleet = new Fleet(values.target, Number(values.heartbeat), values.transport);
  for (const [agentId, clientUuid, secret] of agents) fleet.runAgent(agentId, clientUuid, secret);
  for await (const line of { [Symbol.asyncIterator]: () => lines }) {
    const request = JSON.parse(line);
    if (request === "stop") {
      fleet.stop();
      await reply("stopped");
      process.exit(0);
    }
    if (request[0] === "status") await reply(fleet.status(request[1]));
  }
  process.exit(0); // the coordinator went away
}

await main();
