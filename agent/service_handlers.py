"""Commands pushed by the server (upgrade, backup, rollback, restart) as handlers of the agent
link's registry; each runs the same code as the CLI and reports progress through the context.

    register_handlers(registry, config, store, bundle_sources)

``bundle_sources(payload) -> BundleSource`` builds the source of an upgrade from its payload
(``{"release_id", "version", "is_rollback", ...}``); the daemon's is agent/download/pushed.py.
An older version is installed only by a rollback (``is_rollback``). Results are dicts
named like ``CommandResult`` fields (``success``, ``error_code``, ``failed_step``, ``steps`` ...).
Payload keys may be snake_case or protobuf JSON camelCase.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from agent.backup import create_backup
from agent.config import AgentConfig
from agent.handlers import CommandContext, HandlerRegistry, payload_field
from agent.schedule import earliest_window, maintenance_windows, schedule_upgrade
from agent.store import Store
from agent.upgrade import BundleSource, UpgradeEngine, UpgradeResult
from common.errors import InvalidInput
from common.i18n import N_
from common.versions import Version

__all__ = ["register_handlers"]

DOWNGRADE_REFUSED = N_("Version {target} is older than the installed {current}; only a rollback command may install an older release")
BAD_BACKUP_ID = N_("{value!r} is not a backup id")


def result_dict(result: UpgradeResult) -> dict[str, Any]:
    return {
        "success": result.ok, "from_version": result.from_version, "to_version": result.to_version,
        "failed_step": result.failed_step, "error_code": result.error_code, "error": result.error,
        "rolled_back": result.rolled_back, "backup_id": str(result.backup_id or ""),
        "steps": [{"step": step, "duration_ms": int(seconds * 1000), "success": step != result.failed_step}
                  for step, seconds in result.step_timings.items()],
    }


def register_handlers(registry: HandlerRegistry, config: AgentConfig, store: Store,
                      bundle_sources: Callable[[dict[str, Any]], BundleSource], *, engine: UpgradeEngine | None = None) -> UpgradeEngine:
    """Register upgrade, backup, rollback and restart; returns the engine they share."""
    engine = engine or UpgradeEngine(config, store)

    async def upgrade(ctx: CommandContext) -> dict[str, Any]:
        payload = ctx.payload
        target, current = str(payload_field(payload, "version", "")), engine.current_version()
        if not payload_field(payload, "is_rollback", False) and Version.parse(target) < Version.parse(current):
            raise InvalidInput(DOWNGRADE_REFUSED, error_code="DOWNGRADE_REFUSED", target=target, current=current)
        not_before = payload_field(payload, "not_before")
        when = None
        if payload_field(payload, "in_maintenance_window", False):
            when = earliest_window(maintenance_windows(config, store))
        elif not_before:
            when = dt.datetime.fromisoformat(str(not_before).replace("Z", "+00:00"))
            when = when if when > dt.datetime.now(dt.UTC) else None
        if when is not None:
            task = schedule_upgrade(store, source={"kind": "payload", "version": target, "payload": payload, "command_id": ctx.command_id}, at=when)
            await ctx.progress("scheduled", 0.0, when.isoformat())
            return {"success": True, "scheduled_task": task.id, "scheduled_at": when.isoformat(), "from_version": current, "to_version": target}
        result = await engine.upgrade(bundle_sources(payload), trigger="command", command_id=ctx.command_id, progress=ctx.progress)
        return result_dict(result)

    async def backup(ctx: CommandContext) -> dict[str, Any]:
        await ctx.progress("backup", 0.0, str(config.compose_dir))
        with engine.exclusive():
            record = await asyncio.to_thread(create_backup, config, store, version=engine.current_version(),
                                             backup_type=str(payload_field(ctx.payload, "backup_type") or "manual"))
        await ctx.progress("backup", 100.0, str(record.file_path.name))
        return {"success": True, "backup_id": str(record.id), "size_bytes": record.size_bytes, "to_version": record.service_version}

    async def rollback(ctx: CommandContext) -> dict[str, Any]:
        raw = str(payload_field(ctx.payload, "backup_id", ""))
        if not raw.isdigit():
            raise InvalidInput(BAD_BACKUP_ID, error_code="INVALID_BACKUP_ID", value=raw)
        result = await engine.rollback_to(int(raw), progress=ctx.progress, trigger="command", command_id=ctx.command_id)
        return result_dict(result)

    async def restart(ctx: CommandContext) -> dict[str, Any]:
        services = tuple(payload_field(ctx.payload, "services", ()) or ())
        await ctx.progress("restart", 0.0, ", ".join(services))
        with engine.exclusive():
            await asyncio.to_thread(engine.project().restart, services)
        await ctx.progress("health", 50.0, "")
        await engine.wait_healthy()
        return {"success": True}

    for name, handler in (("upgrade", upgrade), ("backup", backup), ("rollback", rollback), ("restart", restart)):
        registry.register(name, handler)
    return engine
