"""Is the service up? Every service container running (or finished with exit 0), healthy where a
healthcheck is defined, and the optional HTTP probe answering 2xx."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

from agent.compose import ContainerState, DockerEngine
from common.errors import FailedPrecondition
from common.i18n import N_

__all__ = ["HealthVerdict", "evaluate_containers", "probe_http", "wait_healthy"]

UNHEALTHY = N_("The service is not healthy: {reason}")
POLL_INTERVAL_S = 0.5


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class HealthVerdict:
    healthy: bool
    #: No point waiting longer (a container exited with an error or was marked unhealthy).
    final: bool
    reason: str = ""


def evaluate_containers(states: Sequence[ContainerState], services: Sequence[str]) -> HealthVerdict:
    """Judge the containers of a project against the services it should run."""
    by_service = {s.service: s for s in states}
    for service in services:
        state = by_service.get(service)
        if state is None:
            return HealthVerdict(healthy=False, final=False, reason=f"{service}: no container")
        if state.status in ("exited", "dead"):
            if state.exit_code == 0 and state.status == "exited":
                continue  # a one-shot service that finished
            return HealthVerdict(healthy=False, final=True, reason=f"{service}: {state.status} (exit {state.exit_code})")
        if state.status != "running":
            return HealthVerdict(healthy=False, final=False, reason=f"{service}: {state.status}")
        if state.health == "unhealthy":
            return HealthVerdict(healthy=False, final=True, reason=f"{service}: unhealthy")
        if state.health == "starting":
            return HealthVerdict(healthy=False, final=False, reason=f"{service}: health starting")
    return HealthVerdict(healthy=True, final=True)


def probe_http(url: str, timeout: float = 5.0) -> str:
    """"" when ``url`` answers 2xx, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", exc))


async def wait_healthy(docker: DockerEngine, project: str, services: Sequence[str], *, timeout_s: float, probe_url: str = "") -> None:
    """Return once healthy; raise FailedPrecondition when it fails or the timeout passes.

    Docker offers no event for "all healthy and the probe answers", so this polls with a deadline.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        verdict = evaluate_containers(await asyncio.to_thread(docker.containers, project), services)
        reason = verdict.reason
        if verdict.healthy and probe_url:
            reason = await asyncio.to_thread(probe_http, probe_url)
            if reason:
                reason = f"{probe_url}: {reason}"
                verdict = HealthVerdict(healthy=False, final=False, reason=reason)
        if verdict.healthy:
            return
        if verdict.final or time.monotonic() > deadline:
            if not verdict.final:
                reason = f"{reason} after {timeout_s:g}s"
            raise FailedPrecondition(UNHEALTHY, error_code="HEALTH_CHECK_FAILED", reason=reason)
        await asyncio.sleep(POLL_INTERVAL_S)
