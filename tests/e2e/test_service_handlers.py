"""The pushed commands (upgrade, backup, rollback, restart) run the same flow as the CLI and
report progress through the command context (the agent link calls them the same way)."""

from __future__ import annotations

import asyncio

import pytest

from agent.handlers import CommandContext, HandlerRegistry
from agent.service_handlers import register_handlers
from agent.upgrade import FileSource
from common.errors import InvalidInput, NotFound
from tests.e2e.upgrade_kit import app_images, bundle, install, node  # noqa: F401
from tests.fixtures.service_bundles import fetch, fill_data, snapshot

pytestmark = pytest.mark.e2e


async def test_pushed_commands_upgrade_back_up_roll_back_and_restart(node, app_images, docker_client):  # noqa: F811
    engine = await install(node, app_images)
    fill_data(node.data_dir)
    data_before = snapshot(node.data_dir)
    bundles = {"2.0.0": bundle(node, app_images, "2.0.0")}
    registry = HandlerRegistry()
    register_handlers(registry, engine.config, engine.store, lambda p: FileSource(path=bundles[p["version"]], version=p["version"]), engine=engine)
    assert registry.types() == ["backup", "restart", "rollback", "upgrade"]
    reports: list[tuple[str, float, str]] = []

    async def progress(step: str, percent: float, message: str) -> None:
        reports.append((step, percent, message))

    def ctx(kind: str, payload: dict) -> CommandContext:
        return CommandContext(command_id=f"cmd-{kind}-{len(reports)}", command_type=kind, payload=payload, progress=progress, cancelled=asyncio.Event())

    backup = await registry.get("backup")(ctx("backup", {"backupType": "manual"}))
    assert backup["success"] and backup["backup_id"]

    result = await registry.get("upgrade")(ctx("upgrade", {"release_id": 7, "version": "2.0.0"}))
    assert result["success"] and (result["from_version"], result["to_version"]) == ("1.0.0", "2.0.0"), result
    assert {s["step"] for s in result["steps"]} >= {"backup", "stop", "apply", "load", "start", "health"}
    steps = [step for step, _p, _m in reports]
    assert steps.index("backup") < steps.index("apply") < steps.index("health") < steps.index("done")
    assert [p for _s, p, _m in reports if _s != "backup"] == sorted(p for _s, p, _m in reports if _s != "backup")
    assert fetch(node.url + "/version") == "2.0.0"
    history = engine.store.query("SELECT trigger, command_id FROM upgrade_history ORDER BY id DESC LIMIT 1")[0]
    assert (history["trigger"], history["command_id"]) == ("command", "cmd-upgrade-2")

    with pytest.raises(InvalidInput) as refused:
        await registry.get("upgrade")(ctx("upgrade", {"version": "1.0.0"}))
    assert refused.value.error_code == "DOWNGRADE_REFUSED"
    with pytest.raises(NotFound):
        await registry.get("rollback")(ctx("rollback", {"backup_id": "4242"}))

    restarted = await registry.get("restart")(ctx("restart", {}))
    assert restarted["success"] and fetch(node.url + "/version") == "2.0.0"

    rolled = await registry.get("rollback")(ctx("rollback", {"backupId": backup["backup_id"]}))
    assert rolled["success"] and rolled["to_version"] == "1.0.0", rolled
    assert fetch(node.url + "/version") == "1.0.0"
    assert snapshot(node.data_dir) == data_before
