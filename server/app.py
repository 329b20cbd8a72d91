"""One server process: a grpc.aio server and the NiceGUI/uvicorn app on one event loop.

    UpkeepServer(settings)
      start():  database check ─► components ─► gRPC listener ─► HTTP listener
      stop():   both listeners drain within shutdown_grace_s ─► components stop ─► engine closed

``serve()`` adds SIGTERM/SIGINT handling around that for the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import logging
import os
import resource
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import uvicorn
from fastapi import FastAPI
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from common.errors import FailedPrecondition
from common.i18n import _
from server import wiring
from server.config import Settings, default_public_url
from server.http.errors import install_error_handlers
from server.http.fastlane import FastLane
from server.db.engine import make_async_engine, make_session_factory, schema_status
from server.rpc.errors import ErrorInterceptor
from server.runtime import Runtime

__all__ = ["UpkeepServer", "event_loop_factory", "package_version", "serve"]

logger = logging.getLogger(__name__)

SERVICE_NAMES = ("upkeep.v1.AgentService", "upkeep.v1.AdminService", "upkeep.v1.UpdateService")

# Long-lived agent streams: keepalive both ways, generous limits, never share a port.
GRPC_OPTIONS = [
    ("grpc.so_reuseport", 0),
    # Agents prove liveness with heartbeats (the hub closes silent sessions), so the server
    # pings only to clear dead connections: rarely, as 20,000 pings a minute cost CPU.
    ("grpc.keepalive_time_ms", 300_000),
    ("grpc.keepalive_timeout_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    ("grpc.max_send_message_length", 4 * 1024 * 1024),
    # No bandwidth-delay probing: it answers nearly every small heartbeat with a PING round
    # trip (a quarter of the heartbeat CPU at 20,000 agents, mostly in the kernel). Streams
    # towards the server get a fixed 8 MiB window instead: uploads need no probing to be
    # fast, and a client whose upload is refused early gets the refusal (up to the window;
    # grpc's Python client reports a write that finds the stream reset as INTERNAL).
    ("grpc.http2.bdp_probe", 0),
    ("grpc.http2.lookahead_bytes", 8 * 1024 * 1024),
    # A reconnect storm queues thousands of new calls before the event loop picks them up;
    # core's defaults (1,000 soft / 3,000 hard) would refuse the excess.
    ("grpc.server.max_pending_requests", 100_000),
    ("grpc.server.max_pending_requests_hard_limit", 100_000),
]


class _Uvicorn(uvicorn.Server):
    """uvicorn without its own signal handlers: the process owns them."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class UpkeepServer:
    """Both listeners of one process, with an explicit lifecycle."""

    def __init__(self, settings: Settings, *, console: bool = True) -> None:
        self.settings = settings
        self.console = console
        self.runtime: Runtime | None = None
        self.grpc_port: int | None = None
        self.http_port: int | None = None
        self._grpc: grpc.aio.Server | None = None
        self._health: health.aio.HealthServicer | None = None
        self._http: _Uvicorn | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._stopped = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        settings = self.settings
        settings.ensure_dirs()  # first start: the SQLite file's folder must exist to be checked
        current, head = await asyncio.to_thread(schema_status, settings.database_url)
        if current != head:
            raise FailedPrecondition(
                _("The database is not migrated (at {current}, needs {head}). Run: upkeep-server migrate"),
                error_code="DATABASE_NOT_MIGRATED",
                current=current or "empty",
                head=head,
            )
        sock = self._bind_http()
        try:
            host, port = settings.http_address
            if port == 0 and settings.public_url == default_public_url(host, 0):
                # Listening on a free port: the derived address names the port actually bound.
                self.settings = settings = dataclasses.replace(settings, public_url=default_public_url(host, self.http_port))
            engine = make_async_engine(settings.database_url)
            self.runtime = runtime = Runtime(
                settings=settings, engine=engine, session_factory=make_session_factory(engine)
            )
            wiring.build_components(runtime)
            await runtime.start_components()
            await self._start_grpc(runtime)
        except BaseException:
            sock.close()
            raise
        await self._start_http(runtime, sock)
        logger.info(
            "upkeep server ready: grpc=%s:%s http=%s:%s",
            settings.grpc_address[0], self.grpc_port, settings.http_address[0], self.http_port,
        )

    async def _start_grpc(self, runtime: Runtime) -> None:
        server = grpc.aio.server(options=GRPC_OPTIONS, interceptors=[ErrorInterceptor()])
        for add_to_server, servicer in wiring.grpc_servicers(runtime):
            add_to_server(servicer, server)
        self._health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (*SERVICE_NAMES, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME),
            server,
        )
        host, port = self.settings.grpc_address
        bound = server.add_insecure_port(f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
        if bound == 0:
            raise OSError(f"cannot listen for gRPC on {self.settings.grpc_listen}")
        await server.start()
        for name in ("", *SERVICE_NAMES):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._grpc, self.grpc_port = server, bound

    def _bind_http(self) -> socket.socket:
        host, port = self.settings.http_address
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
        self.http_port = sock.getsockname()[1]
        return sock

    async def _start_http(self, runtime: Runtime, sock: socket.socket) -> None:
        app = FastAPI(title="Upkeep", version=package_version(), docs_url="/docs", redoc_url=None)
        app.state.runtime = runtime
        install_error_handlers(app)
        for router in wiring.http_routers(runtime):
            app.include_router(router)
        if self.console:
            from webui import mount_console

            mount_console(app, runtime)
        config = uvicorn.Config(
            FastLane(app, wiring.http_lanes(runtime)),
            log_level=self.settings.log_level.lower(),
            access_log=False,
            timeout_graceful_shutdown=max(1, int(self.settings.shutdown_grace_s)),
            lifespan="on",
            proxy_headers=True,
            ws_ping_interval=20,
        )
        self._http = _Uvicorn(config)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[sock]), name="uvicorn")
        while not self._http.started:
            if self._http_task.done():
                self._http_task.result()  # raises the startup error
                raise RuntimeError("HTTP server stopped during start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Drain both listeners within the grace period, then stop components (idempotent)."""
        if self._stopping:
            await self._stopped.wait()
            return
        self._stopping = True
        grace = self.settings.shutdown_grace_s
        try:
            if self._health is not None:
                await self._health.enter_graceful_shutdown()
            if self._http is not None:
                self._http.should_exit = True
            waits = []
            if self._grpc is not None:
                waits.append(self._grpc.stop(grace))
            if self._http_task is not None:
                waits.append(asyncio.wait_for(self._http_task, grace + 1))
            results = await asyncio.gather(*waits, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                    logger.warning("listener did not stop cleanly: %r", result)
            if self.runtime is not None:
                await self.runtime.stop_components()
                await self.runtime.engine.dispose()
        finally:
            self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (not on Windows): a faster loop for the HTTP bridge."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    with contextlib.suppress(PackageNotFoundError):
        return version("upkeep")
    return "0.0.0"


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


#: Allocations between young-generation collections (CPython's default is 700). A young
#: collection costs what is still alive when it runs: a fan-out to 20,000 agents keeps a
#: few hundred thousand objects alive for a moment, and collecting every 50,000 cost it
#: 0.2 s (docs/agent-link.md).
GC_THRESHOLDS = (200_000, 20, 100)


def _tune_process() -> None:
    """One open file per agent connection: the soft limit up to the hard one; calmer GC."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    gc.set_threshold(*GC_THRESHOLDS)


async def serve(settings: Settings, *, ready_file: str | None = None) -> None:
    """Run until SIGTERM or SIGINT, then shut down gracefully."""
    _tune_process()
    server = UpkeepServer(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await server.start()
        # What start-up built lives as long as the process: out of collections (until a large
        # fan-out moves every object to the oldest generation: hub.promote_young_objects).
        gc.collect()
        gc.freeze()
        http_host, grpc_host = settings.http_address[0], settings.grpc_address[0]
        print(
            _("Upkeep is running. Console: {url}  gRPC: {grpc}").format(
                url=f"http://{_display_host(http_host)}:{server.http_port}/",
                grpc=f"{_display_host(grpc_host)}:{server.grpc_port}",
            ),
            flush=True,
        )
        if ready_file:
            Path(ready_file).write_text(
                json.dumps({"pid": os.getpid(), "grpc_port": server.grpc_port, "http_port": server.http_port})
            )
        await stop.wait()
        logger.info("shutting down")
    finally:
        await server.stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
