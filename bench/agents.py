"""Many agents against one server process on PostgreSQL: memory, heartbeat CPU, command
fan-out and reconnect after a restart. Prints figures; asserts nothing.

    python bench/agents.py --agents 5000,10000,19000 [--heartbeat 30] [--workers 4] [--driver node|node-h2]

Each simulated agent is a real Connect stream on its own channel (its own TCP connection),
spread over several client processes. Three drivers simulate them alike: ``python`` (grpc.aio,
``Fleet`` below), ``node`` (@grpc/grpc-js, bench/agents_node/fleet.mjs; ``npm ci`` runs there
on first use; each of its agents reconnects on one channel, the Python ones on a new channel
per attempt: docs/agent-link.md says why) and ``node-h2`` (the same script, each stream framed
by hand on Node's own HTTP/2 client). Warm, grpc-js agents take under half the CPU of the
Python ones per command and about two thirds per reconnect attempt (at a few thousand agents
its JIT warm-up eats that); node-h2 halves grpc-js again. Agents are inserted into a fresh
database directly (enrollment is not what is measured). Figures, per agent count N:

* RSS per agent = (server RSS with N connected − RSS with none) / N
* heartbeat CPU = server CPU time over two heartbeat intervals / wall time, with every
  agent's last_seen checked to have advanced in the database
* fan-out = from the SendCommand call until the last agent received its command (each a
  durable row)
* reconnect = from the restarted server being ready until every agent is connected again
* resume = the same with a command per agent queued while the server was down, and until
  the last agent had its command
* INTERNAL errors any agent saw (must be 0)

Each phase also prints the CPU time the host took from this virtual machine meanwhile
(steal, /proc/stat): repeated runs at 19,900 agents differed by up to twice in fan-out and
reconnect time, and steal is one cause to rule in or out.

Needs UPKEEP_TEST_PG_URL (or --pg-url), e.g. postgresql+psycopg://upkeep:upkeep@127.0.0.1:5432/postgres.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import random
import re
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from agent.link import Backoff  # noqa: E402
from agent.link.channel import CHANNEL_OPTIONS as AGENT_CHANNEL_OPTIONS, stream_status  # noqa: E402
from generated.upkeep.v1 import admin_pb2, admin_pb2_grpc, agent_pb2 as pb, agent_pb2_grpc, common_pb2  # noqa: E402

_ADDRESS = re.compile(r"0x[0-9a-f]+")
# The agent's own options; a local subchannel pool, else channels to one target share a TCP connection.
PHASES = frozenset({"heartbeat", "fanout", "restart", "resume"})
CHANNEL_OPTIONS = [*AGENT_CHANNEL_OPTIONS, ("grpc.use_local_subchannel_pool", 1)]
NODE_DRIVER = ROOT / "bench" / "agents_node"


# ---------------------------------------------------------------------------- worker side


class Fleet:
    """The agents of one client process."""

    def __init__(self, target: str, agents: list[tuple[int, str, str]], heartbeat: float) -> None:
        self.target = target
        self.agents = agents
        self.heartbeat = heartbeat
        self.connected: set[int] = set()
        self.received: dict[str, float] = {}
        self.errors: dict[str, int] = {}
        self.details: dict[str, int] = {}
        self.stop = asyncio.Event()

    async def run_agent(self, agent_id: int, client_uuid: str, secret: str) -> None:
        backoff = Backoff(0.5, 10.0)
        metadata = (("x-upkeep-client-id", client_uuid), ("authorization", f"Bearer {secret}"))
        executed: list[str] = []  # like a real agent, it says in Hello which commands it has run
        await asyncio.sleep(random.uniform(0, 2))
        while not self.stop.is_set():
            queue: asyncio.Queue[pb.ConnectRequest | None] = asyncio.Queue()
            queue.put_nowait(pb.ConnectRequest(hello=pb.Hello(agent_id=agent_id, client_uuid=client_uuid, client_version="0.1.0",
                                                              executed_command_ids=executed)))

            async def requests():  # type: ignore[no-untyped-def]
                while (item := await queue.get()) is not None:
                    yield item

            channel = grpc.aio.insecure_channel(self.target, options=CHANNEL_OPTIONS)
            beat: asyncio.Task[None] | None = None
            try:
                call = agent_pb2_grpc.AgentServiceStub(channel).Connect(requests(), metadata=metadata)
                while (message := await call.read()) is not grpc.aio.EOF:
                    kind = message.WhichOneof("body")
                    if kind == "welcome":
                        self.connected.add(agent_id)
                        backoff.reset()
                        beat = asyncio.create_task(self._beat(queue))
                    elif kind == "command":
                        self.received.setdefault(message.command.id, time.time())
                        executed.append(message.command.id)
                        queue.put_nowait(pb.ConnectRequest(command_ack=pb.CommandAck(command_id=message.command.id, accepted=True)))
            except grpc.aio.AioRpcError as exc:
                code, details = stream_status(exc)  # as the agent reads it
                self.errors[code.name] = self.errors.get(code.name, 0) + 1
                key = f"{code.name} {_ADDRESS.sub('0x…', details)[:160]}"
                self.details[key] = self.details.get(key, 0) + 1
            finally:
                self.connected.discard(agent_id)
                if beat is not None:
                    beat.cancel()
                queue.put_nowait(None)
                await channel.close()
            await asyncio.sleep(backoff.next())

    async def _beat(self, queue: asyncio.Queue[pb.ConnectRequest | None]) -> None:
        await asyncio.sleep(random.uniform(0, self.heartbeat))
        seq = 0
        while True:
            seq += 1
            queue.put_nowait(pb.ConnectRequest(heartbeat=pb.Heartbeat(seq=seq)))
            await asyncio.sleep(self.heartbeat)


def worker(target: str, agents: list[tuple[int, str, str]], heartbeat: float, conn: "mp.connection.Connection") -> None:
    _raise_nofile()
    fleet = Fleet(target, agents, heartbeat)

    async def main() -> None:
        tasks = [asyncio.create_task(fleet.run_agent(*a)) for a in agents]
        loop = asyncio.get_running_loop()
        while True:
            request = await loop.run_in_executor(None, conn.recv)
            if request == "stop":
                fleet.stop.set()
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                conn.send("stopped")
                return
            if request[0] == "status":
                command_ids = request[1]
                times = [fleet.received[c] for c in command_ids if c in fleet.received]
                conn.send({"connected": len(fleet.connected), "errors": dict(fleet.errors), "details": dict(fleet.details),
                           "received": len(times), "last": max(times, default=0.0), "cpu": time.process_time()})

    asyncio.run(main())


class PythonWorker:
    """A ``worker`` process, spoken to over a multiprocessing Pipe."""

    def __init__(self, target: str, agents: list[tuple[int, str, str]], heartbeat: float) -> None:
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=worker, args=(target, agents, heartbeat, child), daemon=True)
        self._proc.start()

    def send(self, request: object) -> None:
        self._conn.send(request)

    def recv(self) -> object:
        return self._conn.recv()

    def join(self, timeout: float) -> None:
        self._proc.join(timeout)


NODE_SEMI_SPACE_MIB = 32


class NodeWorker:
    """A bench/agents_node/fleet.mjs process, spoken to in JSON lines over stdin/stdout."""

    TRANSPORT = "grpc-js"

    def __init__(self, target: str, agents: list[tuple[int, str, str]], heartbeat: float) -> None:
        # Larger young-generation semispaces: with V8's default, scavenges were a fifth of a
        # worker's main thread in a fan-out, and the workers' CPU (on the server's two cores)
        # went from 1.6-2.1 s to 1.0-1.4 s at 19,900 agents.
        self._proc = subprocess.Popen(["node", f"--max-semi-space-size={NODE_SEMI_SPACE_MIB}", str(NODE_DRIVER / "fleet.mjs"),
                                       "--target", target, "--heartbeat", str(heartbeat),
                                       "--transport", self.TRANSPORT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, preexec_fn=_raise_nofile)
        self.send(agents)  # its first line: the agents

    @staticmethod
    def install() -> None:
        if not (NODE_DRIVER / "node_modules").is_dir():
            print(f"node driver: npm ci in {NODE_DRIVER}", flush=True)
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DRIVER, check=True)

    def send(self, request: object) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            self._exited()

    def recv(self) -> object:
        assert self._proc.stdout is not None
        if not (line := self._proc.stdout.readline()):
            self._exited()
        return json.loads(line)

    def _exited(self) -> NoReturn:
        raise SystemExit(f"node worker exited with status {self._proc.wait()}")

    def join(self, timeout: float) -> None:
        self._proc.wait(timeout)


class NodeH2Worker(NodeWorker):
    """The same agents framed by hand on Node's own HTTP/2 client."""

    TRANSPORT = "h2"


DRIVERS = {"python": PythonWorker, "node": NodeWorker, "node-h2": NodeH2Worker}


# ---------------------------------------------------------------------------- coordinator


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _connections(port: int) -> int:
    """Established TCP connections to the server's port (server side of each)."""
    wanted = f":{port:04X}"
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            next(fh)
            count += sum(1 for line in fh if line.split()[1].endswith(wanted) and line.split()[3] == "01")
    return count


def _profile(pid: int, seconds: float, out: Path | None) -> subprocess.Popen[bytes] | None:
    """py-spy over the server for ``seconds`` (collapsed stacks in ``out``), if asked for."""
    if out is None:
        return None
    native = ["--native"] if os.environ.get("BENCH_PROFILE_NATIVE") else []
    gil = ["--gil"] if os.environ.get("BENCH_PROFILE_GIL") else []  # only samples holding the GIL: Python's own CPU
    rate = os.environ.get("BENCH_PROFILE_RATE", "50")
    return subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "-p", str(pid), "-d", str(int(seconds)), "-r", rate,
                             "--format", "raw", *native, *gil, "-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cpu_s(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / os.sysconf("SC_CLK_TCK"), int(fields[12]) / os.sysconf("SC_CLK_TCK")


def _steal_s() -> float:
    """CPU seconds this (virtual) machine's host has taken from it so far, over all its CPUs."""
    with open("/proc/stat") as fh:
        return int(fh.readline().split()[8]) / os.sysconf("SC_CLK_TCK")


def _tcp_counters() -> dict[str, int]:
    """This machine's TCP counters (/proc/net/snmp): PassiveOpens counts connections accepted."""
    with open("/proc/net/snmp") as fh:
        names, values = [line.split()[1:] for line in fh if line.startswith("Tcp:")]
    return dict(zip(names, map(int, values), strict=True))


def _context_switches(pid: int) -> int:
    """Context switches (voluntary and not) of the process's live threads so far."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        with contextlib.suppress(OSError):  # a thread ended meanwhile
            total += sum(int(line.split()[1]) for line in status.read_text().splitlines() if "ctxt_switches:" in line)
    return total


def _postgres_cpu_s() -> float | None:
    """CPU seconds used so far by this machine's PostgreSQL processes (None if none are visible)."""
    total, seen = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, _, rest = stat.read_text().rpartition(")")
        except OSError:  # gone meanwhile
            continue
        if head.endswith("(postgres"):
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
            seen = True
    return total if seen else None


class Bench:
    def __init__(self, pg_url: str, heartbeat: int, workers: int, profile_dir: Path | None = None,
                 phases: frozenset[str] = PHASES, driver: str = "python", quiet_s: float = 0) -> None:
        self.heartbeat = heartbeat
        self.quiet_s = quiet_s
        self.workers = workers
        self.driver = DRIVERS[driver]
        self.profile_dir = profile_dir
        self.phases = phases
        admin_url = make_url(pg_url).set(drivername="postgresql+psycopg")
        self.db_name = f"upkeep_bench_{secrets.token_hex(4)}"
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.db_name}"'))
        engine.dispose()
        self.admin_url = admin_url
        self.url = admin_url.set(database=self.db_name).render_as_string(hide_password=False)
        self.tmp = Path(tempfile.mkdtemp(prefix="upkeep-bench-"))
        self.env = {**os.environ, "UPKEEP_DATABASE_URL": self.url, "UPKEEP_DATA_DIR": str(self.tmp / "data"),
                    "UPKEEP_GRPC_LISTEN": "127.0.0.1:0", "UPKEEP_HTTP_LISTEN": "127.0.0.1:0",
                    "UPKEEP_HEARTBEAT_INTERVAL_S": str(heartbeat), "UPKEEP_LOG_LEVEL": os.environ.get("BENCH_SERVER_LOG", "WARNING"), "LANG": "C.UTF-8"}
        subprocess.run([sys.executable, "-m", "server.cli", "migrate"], env=self.env, cwd=ROOT, check=True, capture_output=True)
        self.server: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start_server(self) -> float:
        ready = self.tmp / f"ready-{time.monotonic_ns()}"
        log = (self.tmp / "server.log").open("ab")
        self.server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--ready-file", str(ready)],
                                       env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                       preexec_fn=_raise_nofile)
        while not ready.exists():
            if self.server.poll() is not None:
                raise SystemExit(f"server exited; see {self.tmp / 'server.log'}")
            time.sleep(0.05)
        self.port = json.loads(ready.read_text())["grpc_port"]
        self.env["UPKEEP_GRPC_LISTEN"] = f"127.0.0.1:{self.port}"
        return time.time()

    def seed(self, count: int) -> tuple[list[tuple[int, str, str]], str]:
        """``count`` enrolled agents and an admin token, written straight into the database."""
        from server.services.agents import hash_secret
        from server.services.tokens import hash_token

        engine = create_engine(make_url(self.url))
        token = "upk_bench_" + secrets.token_hex(16)
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE clients, commands, api_tokens RESTART IDENTITY CASCADE"))
            project = conn.execute(text("SELECT id FROM projects WHERE slug = 'bench'")).scalar()
            if project is None:
                project = conn.execute(text(
                    "INSERT INTO projects (slug, name, default_channel, download_mirrors) VALUES ('bench', 'Bench', 'stable', '{}') RETURNING id"
                )).scalar()
            conn.execute(text("INSERT INTO api_tokens (name, token_hash, prefix, role) VALUES ('bench', :h, 'upk_ben', 'admin')"),
                         {"h": hash_token(token)})
            rows = [{"u": str(uuid.uuid4()), "p": project, "h": hash_secret(f"secret-{i}")} for i in range(count)]
            conn.execute(text("INSERT INTO clients (client_uuid, kind, project_id, credential_hash, labels) "
                              "VALUES (:u, 'agent', :p, :h, '{}')"), rows)
            ids = conn.execute(text("SELECT id, client_uuid FROM clients ORDER BY id")).all()
        engine.dispose()
        return [(row.id, row.client_uuid, f"secret-{i}") for i, row in enumerate(ids)], token

    def queue_commands(self) -> list[str]:
        """One QUEUED command per agent, written straight into the database (server down)."""
        engine = create_engine(make_url(self.url))
        with engine.begin() as conn:
            ids = conn.execute(text(
                "INSERT INTO commands (uuid, client_id, type, status, payload, created_at, expires_at) "
                "SELECT gen_random_uuid()::text, id, 'restart', 'queued', '{}', now(), now() + interval '1 hour' FROM clients RETURNING uuid"
            )).scalars().all()
        engine.dispose()
        return list(ids)

    def last_seen_advanced(self, since: float) -> int:
        engine = create_engine(make_url(self.url))
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM clients WHERE last_seen_at > to_timestamp(:t)"), {"t": since}).scalar()
        engine.dispose()
        return int(count or 0)

    def close(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(30)
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'))
        engine.dispose()


def _status(workers: list, command_ids: list[str]) -> dict:
    for w in workers:
        w.send(("status", command_ids))
    replies = [w.recv() for w in workers]
    errors: dict[str, int] = {}
    for reply in replies:
        for code, n in reply["errors"].items():
            errors[code] = errors.get(code, 0) + n
    return {"connected": sum(r["connected"] for r in replies), "received": sum(r["received"] for r in replies),
            "last": max(r["last"] for r in replies), "errors": errors, "cpu": sum(r["cpu"] for r in replies),
            "details": [d for r in replies for d in r["details"].items()]}


def _wait(workers: list, predicate, timeout: float, command_ids: list[str] | None = None) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.time() + timeout
    while True:
        status = _status(workers, command_ids or [])
        if predicate(status) or time.time() > deadline:
            return status
        time.sleep(0.1)


def _print_details(status: dict) -> None:
    merged: dict[str, int] = {}
    for detail, n in status["details"]:
        merged[detail] = merged.get(detail, 0) + n
    for detail, n in sorted(merged.items(), key=lambda item: -item[1])[:8]:
        print(f"    x{n}: {detail}")


def _restart(bench: Bench, workers: list, count: int, *, queue: bool) -> None:
    """kill -9, then time every agent's return; with ``queue``, a command per agent is queued
    while the server is down and the time until the last one had it is printed too."""
    bench.server.send_signal(signal.SIGKILL)
    bench.server.wait()
    ids = bench.queue_commands() if queue else []
    clients_cpu0 = _status(workers, [])["cpu"]
    ready_at, steal0 = bench.start_server(), _steal_s()
    tcp0, switches0 = _tcp_counters(), _context_switches(bench.server.pid)
    name = "resume" if queue else "reconnect"
    profiler = _profile(bench.server.pid, 30, bench.profile_dir and bench.profile_dir / f"{name}-{count}.txt")
    status = _wait(workers, lambda s: s["connected"] >= count, 300)
    back_at = time.time()
    if ids:
        status = _wait(workers, lambda s: s["received"] >= len(ids), 300, ids)
    tcp, switches = _tcp_counters(), _context_switches(bench.server.pid)
    label = f"restart with {len(ids)} commands queued (kill -9)" if queue else "restart (kill -9)"
    delivered = f", the last queued command had arrived {status['last'] - ready_at:.1f}s after ({status['received']} received)" if ids else ""
    print(f"  {label}: {status['connected']}/{count} back {back_at - ready_at:.1f}s after the server was ready{delivered}; "
          f"CPU until then: server {sum(_cpu_s(bench.server.pid)):.1f}s (with its start), agent processes {status['cpu'] - clients_cpu0:.1f}s; "
          f"taken by the host (steal) {_steal_s() - steal0:.1f}s")
    print(f"    meanwhile: {tcp['PassiveOpens'] - tcp0['PassiveOpens']} TCP connections accepted on this machine, "
          f"{tcp['AttemptFails'] - tcp0['AttemptFails']} attempts failed, {tcp['EstabResets'] - tcp0['EstabResets']} reset; "
          f"server context switches {switches - switches0}")
    if profiler is not None:
        profiler.wait()


def run(bench: Bench, count: int) -> None:
    agents, token = bench.seed(count)
    bench.start_server()
    time.sleep(2)
    assert bench.server is not None
    rss0 = _rss_kib(bench.server.pid)
    workers = [bench.driver(f"127.0.0.1:{bench.port}", agents[k::bench.workers], float(bench.heartbeat)) for k in range(bench.workers)]
    started = time.time()
    status = _wait(workers, lambda s: s["connected"] >= count, 600)
    print(f"N={count}: {status['connected']} connected in {time.time() - started:.1f}s; errors so far: {status['errors'] or 'none'}")
    _print_details(status)
    time.sleep(3)
    print(f"  {_connections(bench.port)} TCP connections to the server")
    rss = _rss_kib(bench.server.pid)
    print(f"  server RSS {rss0 / 1024:.0f} MiB at 0, {rss / 1024:.0f} MiB at N → {(rss - rss0) / count:.1f} KiB per agent")

    if "heartbeat" in bench.phases:
        window = 2 * bench.heartbeat + 2
        profiler = _profile(bench.server.pid, window, bench.profile_dir and bench.profile_dir / f"heartbeat-{count}.txt")
        t0, (user0, sys0), steal0 = time.time(), _cpu_s(bench.server.pid), _steal_s()
        time.sleep(window)
        user, sys_ = _cpu_s(bench.server.pid)
        steal = _steal_s() - steal0
        elapsed = time.time() - t0
        cpu = (user - user0 + sys_ - sys0) / elapsed
        if profiler is not None:
            profiler.wait()
        advanced = bench.last_seen_advanced(t0)
        print(f"  heartbeats every {bench.heartbeat}s: server CPU {cpu * 100:.1f}% of one core over {window}s "
              f"(user {(user - user0) / elapsed * 100:.1f}%, system {(sys_ - sys0) / elapsed * 100:.1f}%); "
              f"last_seen advanced for {advanced}/{count} agents; taken by the host (steal) {steal:.1f}s")

    if "fanout" in bench.phases:
        if bench.quiet_s:
            time.sleep(bench.quiet_s)
        channel = grpc.insecure_channel(f"127.0.0.1:{bench.port}")
        stub = admin_pb2_grpc.AdminServiceStub(channel)
        profiler = _profile(bench.server.pid, 10, bench.profile_dir and bench.profile_dir / f"fanout-{count}.txt")
        clients_cpu0, server_cpu0, pg_cpu0, steal0 = _status(workers, [])["cpu"], sum(_cpu_s(bench.server.pid)), _postgres_cpu_s(), _steal_s()
        t_call = time.time()
        reply = stub.SendCommand(admin_pb2.SendCommandRequest(
            selector=common_pb2.AgentSelector(project="bench"), type=common_pb2.COMMAND_TYPE_RESTART,
        ), metadata=(("authorization", f"Bearer {token}"),), timeout=120)
        t_reply = time.time()
        ids = [c.id for c in reply.commands]
        status = _wait(workers, lambda s: s["received"] >= len(ids), 120, ids)
        server_cpu, pg_cpu = sum(_cpu_s(bench.server.pid)) - server_cpu0, _postgres_cpu_s()
        pg = f", PostgreSQL {pg_cpu - pg_cpu0:.1f}s" if pg_cpu is not None and pg_cpu0 is not None else ""
        quiet = f" after {bench.quiet_s:.0f}s of heartbeats alone" if bench.quiet_s else ""
        print(f"  fan-out{quiet}: {len(ids)} durable commands, call answered in {t_reply - t_call:.2f}s, "
              f"last agent had it {status['last'] - t_call:.2f}s after the call ({status['received']} received); "
              f"CPU until then: server {server_cpu:.1f}s, agent processes {status['cpu'] - clients_cpu0:.1f}s{pg}; "
              f"taken by the host (steal) {_steal_s() - steal0:.1f}s")
        channel.close()
        if profiler is not None:
            profiler.wait()

    for phase in ("restart", "resume"):
        if phase in bench.phases:
            _restart(bench, workers, count, queue=phase == "resume")
    if bench.phases & {"restart", "resume"}:
        status = _status(workers, [])
        print(f"  errors agents saw: {status['errors'] or 'none'}; INTERNAL: {status['errors'].get('INTERNAL', 0)}")
        _print_details(status)
    for w in workers:
        w.send("stop")
    for w in workers:
        w.recv()
        w.join(60)
    bench.server.send_signal(signal.SIGTERM)
    t_stop = time.time()
    try:
        bench.server.wait(60)
        print(f"  SIGTERM with no agents left: server stopped in {time.time() - t_stop:.1f}s")
    except subprocess.TimeoutExpired:
        print("  SIGTERM: server still running after 60s; killed")
        bench.server.kill()
        bench.server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", default="5000,10000,19000")
    parser.add_argument("--heartbeat", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--driver", choices=sorted(DRIVERS), default="python", help="what simulates the agents: python (grpc.aio), node (grpc-js) or node-h2 (Node's HTTP/2 client)")
    parser.add_argument("--pg-url", default=os.environ.get("UPKEEP_TEST_PG_URL", ""))
    parser.add_argument("--profile", type=Path, help="folder for py-spy stacks of the heartbeat and reconnect phases "
                        "(BENCH_PROFILE_NATIVE=1 adds native frames, BENCH_PROFILE_GIL=1 samples only "
                        "the GIL holder, BENCH_PROFILE_RATE sets samples per second)")
    parser.add_argument("--quiet", type=float, default=0, help="seconds of heartbeats alone before the fan-out: "
                        "what a server that has run a while collects first")
    parser.add_argument("--phases", default=",".join(sorted(PHASES)), help="which of heartbeat,fanout,restart,resume to run")
    args = parser.parse_args()
    if not args.pg_url:
        raise SystemExit("set UPKEEP_TEST_PG_URL or --pg-url")
    _raise_nofile()
    print(f"open-file limit per process: {resource.getrlimit(resource.RLIMIT_NOFILE)[1]} (one TCP connection each)")
    if issubclass(DRIVERS[args.driver], NodeWorker):
        NodeWorker.install()
    bench = Bench(args.pg_url, args.heartbeat, args.workers, args.profile, frozenset(args.phases.split(",")) & PHASES, args.driver,
                  args.quiet)
    try:
        for count in (int(n) for n in args.agents.split(",")):
            run(bench, count)
    finally:
        bench.close()


if __name__ == "__main__":
    main()
