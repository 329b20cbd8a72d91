"""The daemon's source of pushed upgrades: the link's terms, the pinned key, downgrade only for a rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_config
from agent.download.pushed import pushed_sources
from agent.link import LinkState
from agent.store import Store
from common.errors import InvalidInput


def _node(tmp_path: Path, key: str = "") -> tuple:  # type: ignore[type-arg]
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.toml").write_text(f'[server]\npublic_key = "{key}"\n[agent]\nstate_dir = "state"\n')
    config = load_config(tmp_path / "config.toml")
    return config, Store(config.history_db)


def test_source_uses_the_link_identity_and_enrollment_key(tmp_path: Path) -> None:
    config, store = _node(tmp_path)
    build = pushed_sources(config, store, lambda: "2.0.0")
    with pytest.raises(InvalidInput) as not_enrolled:
        build({"release_id": 3, "version": "1.0.0"})
    assert not_enrolled.value.error_code == "NOT_ENROLLED"
    LinkState(store).save_enrollment(agent_id=4, secret="s3cret", server_address="127.0.0.1:1234", project="shop", signing_key="KEY")
    uuid = LinkState(store).client_uuid()

    source = build({"release_id": 3, "version": "v1.0.0"})
    assert (source.target, source.public_key, source.release_id, source.version) == ("127.0.0.1:1234", "KEY", 3, "1.0.0")
    assert dict(source.metadata) == {"x-upkeep-client-id": uuid, "authorization": "Bearer s3cret"}
    assert source.installed_version == "2.0.0" and not source.allow_downgrade
    assert source.staging_root == config.state_dir / "downloads" and source.channel_credentials is None
    assert build({"releaseId": 3, "version": "1.0.0", "isRollback": True}).allow_downgrade  # a stored (camelCase) payload
    with pytest.raises(InvalidInput) as no_release:
        build({"version": "1.0.0"})
    assert no_release.value.error_code == "INVALID_COMMAND_PAYLOAD"
    store.close()


def test_configured_key_wins_and_no_key_is_refused(tmp_path: Path) -> None:
    config, store = _node(tmp_path / "a", key="CONFIGURED")
    LinkState(store).save_enrollment(agent_id=1, secret="x", server_address="h:1", project="p", signing_key="FROM-ENROLL")
    assert pushed_sources(config, store, lambda: "1.0.0")({"release_id": 1, "version": "1.0.0"}).public_key == "CONFIGURED"
    store.close()
    config, store = _node(tmp_path / "b")
    LinkState(store).save_enrollment(agent_id=1, secret="x", server_address="h:1", project="p")
    with pytest.raises(InvalidInput) as no_key:
        pushed_sources(config, store, lambda: "1.0.0")({"release_id": 1, "version": "1.0.0"})
    assert no_key.value.error_code == "NO_PUBLIC_KEY"
    store.close()
