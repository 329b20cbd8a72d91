// Simulated agents for bench/agents.py --driver node: a lighter twin of the Python Fleet/worker.
//
//   node fleet.mjs --target 127.0.0.1:PORT --heartbeat 30 [--agents agents.json]
//
// The agents are a JSON list of [agent_id, client_uuid, secret], read from --agents or else
// from the first line of stdin. Then stdin carries JSON-line requests, stdout the replies:
//   ["status", [command ids]] -> {connected, errors, details, received, last, cpu}
//   "stop"                    -> "stopped"
import { readFileSync } from "node:fs";
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
  constructor(target, heartbeat) {
    const definition = protoLoader.loadSync("upkeep/v1/agent.proto", { includeDirs: [PROTO_ROOT], keepCase: true, oneofs: true });
    this.AgentService = grpc.loadPackageDefinition(definition).upkeep.v1.AgentService;
    // An IP literal through grpc-js's ipv4: resolver: its DNS resolver opens a c-ares channel per
    // channel even for a literal (another tenth of the CPU).
    this.target = /^\d+\.\d+\.\d+\.\d+:\d+$/.test(target) ? `ipv4:${target}` : target;
    this.heartbeat = heartbeat;
    this.connected = new Set();
    this.received = new Map();
    this.errors = {};
    this.details = {};
    this.stopping = false;
    this.live = new Set(); // {call, beat} of every open session, for stop
    this.clients = new Set(); // every agent's channel
  }

  async runAgent(agentId, clientUuid, secret) {
    const backoff = new Backoff(0.5, 10.0);
    const executed = []; // like a real agent, it says in Hello which commands it has run
    // One channel for the agent's life: grpc-js does not let go of a channel's connection
    // attempts when it is closed, and at 20,000 agents a new channel per attempt leaves the
    // harness out of local ports and the server out of open files (see docs/agent-link.md).
    const client = new this.AgentService(this.target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
    this.clients.add(client);
    await sleep(uniform(0, 2));
    while (!this.stopping) {
      await this.session(client, agentId, clientUuid, secret, executed, backoff);
      await sleep(backoff.next());
    }
  }

  // One Connect stream on the agent's channel; resolves when the stream has ended.
  session(client, agentId, clientUuid, secret, executed, backoff) {
    return new Promise((resolve) => {
      const metadata = new grpc.Metadata();
      metadata.set("x-upkeep-client-id", clientUuid);
      metadata.set("authorization", `Bearer ${secret}`);
      const call = client.Connect(metadata);
      const session = { call, beat: null };
      this.live.add(session);
      call.write({ hello: { agent_id: agentId, client_uuid: clientUuid, client_version: "0.1.0", executed_command_ids: [...executed] } });
      call.on("data", (message) => {
        if (message.body === "welcome") {
          this.connected.add(agentId);
          backoff.reset();
          this.beat(session);
        } else if (message.body === "command") {
          const id = message.command.id;
          if (!this.received.has(id)) this.received.set(id, Date.now() / 1000);
          executed.push(id);
          call.write({ command_ack: { command_id: id, accepted: true } });
        }
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

  // Heartbeats at a random phase, then every `heartbeat` seconds.
  beat(session) {
    clearTimeout(session.beat);
    let seq = 0;
    const send = () => {
      seq += 1;
      session.call.write({ heartbeat: { seq } });
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

const reply = (value) => new Promise((resolve) => process.stdout.write(JSON.stringify(value) + "\n", resolve));

async function main() {
  const { values } = parseArgs({ options: { target: { type: "string" }, heartbeat: { type: "string", default: "30" }, agents: { type: "string" } } });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const agents = JSON.parse(values.agents ? readFileSync(values.agents, "utf8") : (await lines.next()).value);
  const fleet = new Fleet(values.target, Number(values.heartbeat));
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
