"""``upkeep-agent run``: the daemon.

    start ─► recover (an interrupted upgrade, commands a killed agent left) ─► link + scheduler + update check
      pushed upgrades (now or deferred to a window) fetch their release as chunks (agent/download/pushed.py)
      SIGTERM/SIGINT ─► stop event ─► link closes its stream, loops finish ─► exit 0
      the server refuses the agent (revoked, replaced, bad secret) ─► exit 3
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from agent.compose.docker import ContainerState
from agent.config import AgentConfig
from agent.download.pushed import pushed_sources
from agent.handlers import HandlerRegistry
from agent.link import AgentLink, LinkStopped
from agent.schedule import run_scheduler
from agent.service_handlers import register_handlers
from agent.store import Store
from agent.upgrade import UpgradeEngine
from agent.upgrade.check import check_loop
from common.errors import UpkeepError
from generated.upkeep.v1 import common_pb2

__all__ = ["EXIT_REFUSED", "run_daemon", "service_state"]

logger = logging.getLogger(__name__)

EXIT_REFUSED = 3
_STATES = {name.removeprefix("CONTAINER_STATE_").lower(): value for name, value in common_pb2.ContainerState.items()}
_HEALTH = {"": common_pb2.CONTAINER_HEALTH_NONE, "starting": common_pb2.CONTAINER_HEALTH_STARTING,
           "healthy": common_pb2.CONTAINER_HEALTH_HEALTHY, "unhealthy": common_pb2.CONTAINER_HEALTH_UNHEALTHY}


def service_state(project: str, containers: list[ContainerState]) -> common_pb2.ServiceState:
    """The compose service's state from its containers: running, degraded or stopped."""
    state = common_pb2.ServiceState(compose_project=project)
    state.observed_at.FromDatetime(datetime.now(UTC))
    for c in containers:
        state.containers.add(name=c.name, service=c.service, image=c.image, status_text=c.status,
                             state=_STATES.get(c.status, common_pb2.CONTAINER_STATE_UNSPECIFIED),
                             health=_HEALTH.get(c.health, common_pb2.CONTAINER_HEALTH_UNSPECIFIED))
    good = [c.status == "running" and c.health in ("", "healthy") for c in containers]
    if not containers or not any(c.status == "running" for c in containers):
        state.status = common_pb2.SERVICE_STATUS_STOPPED
    else:
        state.status = common_pb2.SERVICE_STATUS_RUNNING if all(good) else common_pb2.SERVICE_STATUS_DEGRADED
    return state


def _state_provider(engine: UpgradeEngine) -> Callable[[], Awaitable[common_pb2.ServiceState]]:
    async def provide() -> common_pb2.ServiceState:
        try:
            containers = await asyncio.to_thread(engine.docker.containers, engine.project_name)
        except UpkeepError:
            return common_pb2.ServiceState(status=common_pb2.SERVICE_STATUS_UNKNOWN, compose_project=engine.project_name)
        return service_state(engine.project_name, containers)

    return provide


async def run_daemon(config: AgentConfig) -> int:
    """Run until SIGTERM/SIGINT (0) or until the server refuses this agent (EXIT_REFUSED)."""
    store = Store(config.history_db)
    engine = UpgradeEngine(config, store)
    sources = pushed_sources(config, store, engine.current_version)
    registry = HandlerRegistry()
    register_handlers(registry, config, store, sources, engine=engine)
    link = AgentLink(config, store, registry, state_provider=_state_provider(engine))
    link.recover()
    if store.get("upgrade.journal"):
        with contextlib.suppress(UpkeepError):
            await engine.recover()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loops = [
        asyncio.create_task(run_scheduler(config, store, engine, stop, bundle_sources=sources), name="scheduler"),
        asyncio.create_task(check_loop(config, store, engine.current_version, stop), name="update-check"),
    ]
    code = 0
    try:
        await link.run(stop)
    except LinkStopped as exc:
        logger.error("the server refused this agent (%s); enroll it again to reconnect", exc.reason)
        code = EXIT_REFUSED
    finally:
        stop.set()
        results = await asyncio.gather(*loops, return_exceptions=True)
        for task, result in zip(loops, results):
            if isinstance(result, Exception):
                logger.error("%s stopped with an error: %r", task.get_name(), result)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        store.close()
    return code
