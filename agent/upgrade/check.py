"""Is there a newer service or agent? Reads the server's HTTP manifests (seed §8.3.1, §8.3.2);
checking is automatic, upgrading never is (seed §7.3): results only land in ``kv['update.available']``.

The daemon runs :func:`check_loop`: once at start-up, then every ``[schedule] check_frequency``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import platform
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable

from agent.config import AgentConfig
from agent.link import LinkState
from agent.store import Store
from common.errors import FailedPrecondition, InvalidInput, Unavailable
from common.i18n import N_
from common.platforms import canonical_platform
from common.versions import Version

__all__ = ["UPDATE_KEY", "UpdateInfo", "check_for_updates", "check_loop"]

logger = logging.getLogger(__name__)

UPDATE_KEY = "update.available"
NO_SERVER = N_("No update server is configured ([endpoints] base_url)")
CHECK_FAILED = N_("Checking {url} failed: {error}")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UpdateInfo:
    service_current: str
    #: Newer service version, or "" when up to date.
    service_available: str = ""
    service_notes: str = ""
    #: The full package of the newer service: {"url", "hash", "size"}.
    service_package: dict = dataclasses.field(default_factory=dict)
    client_current: str = ""
    client_available: str = ""
    client_notes: str = ""

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))


def _get_json(url: str, client_uuid: str) -> dict | None:
    """GET ``url`` as this client (seed §8.1 ``X-Client-ID``); None when there is nothing newer."""
    headers = {"Accept": "application/json", "X-Client-ID": client_uuid}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            if response.status == 204:
                return None
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in (304, 404):
            return None
        raise Unavailable(CHECK_FAILED, error_code="CHECK_FAILED", url=url, error=f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise Unavailable(CHECK_FAILED, error_code="CHECK_FAILED", url=url, error=str(exc)) from exc


def _newer(candidate: str, current: str) -> bool:
    try:
        return Version.parse(candidate) > Version.parse(current)
    except InvalidInput:
        return False


def check_for_updates(config: AgentConfig, store: Store, service_current: str) -> UpdateInfo:
    """Ask the server for the service and agent manifests; remember the answer."""
    base = config.endpoints.base_url.rstrip("/")
    if not base:
        raise FailedPrecondition(NO_SERVER, error_code="NO_UPDATE_SERVER")
    client_uuid = LinkState(store).client_uuid()
    query = urllib.parse.urlencode({"current_version": service_current})
    service = _get_json(f"{base}{config.endpoints.service_manifest_uri}?{query}", client_uuid) or {}
    client_query = urllib.parse.urlencode({
        "current_version": config.versions.client,
        "platform": canonical_platform(platform.system(), platform.machine()),
    })
    client = _get_json(f"{base}{config.endpoints.client_manifest_uri}?{client_query}", client_uuid) or {}
    service_version = str(service.get("version", ""))
    client_version = str(client.get("version", ""))
    info = UpdateInfo(
        service_current=service_current,
        service_available=service_version if _newer(service_version, service_current) else "",
        service_notes=str(service.get("notes", "")),
        service_package=dict((service.get("packages") or {}).get("full") or {}),
        client_current=config.versions.client,
        client_available=client_version if _newer(client_version, config.versions.client) else "",
        client_notes=str(client.get("notes", "")),
    )
    store.put(UPDATE_KEY, info.to_json())
    return info


async def check_loop(config: AgentConfig, store: Store, current_version: Callable[[], str], stop_event: asyncio.Event,
                     on_update: Callable[[UpdateInfo], Awaitable[None]] | None = None) -> None:
    """Check at start-up, then every ``check_frequency`` ("never": not at all); never upgrades."""
    interval = config.schedule.check_interval_s
    if interval is None:
        return
    while not stop_event.is_set():
        try:
            info = await asyncio.to_thread(check_for_updates, config, store, current_version())
        except (Unavailable, FailedPrecondition) as exc:
            logger.info("update check failed: %s", exc)
        else:
            if on_update is not None and (info.service_available or info.client_available):
                await on_update(info)
        if interval == 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval)
