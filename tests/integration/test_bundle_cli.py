"""``upkeep-server public-key`` creates the key once and prints what minisign accepts."""

from __future__ import annotations

import subprocess
from pathlib import Path

from common.signing import load_key
from tests.fixtures.servers import run_cli


def test_public_key_is_created_once_and_matches_the_key_file(tmp_path: Path) -> None:
    env = {"UPKEEP_DATA_DIR": str(tmp_path / "data")}
    first = run_cli(["public-key"], env)
    assert first.returncode == 0, first.stderr
    key_path = tmp_path / "data" / "keys" / "minisign.key"
    assert first.stdout.strip() == load_key(key_path).public_key
    assert run_cli(["public-key"], env).stdout == first.stdout
    pub = run_cli(["public-key", "--file"], env).stdout
    assert pub.splitlines()[0].startswith("untrusted comment: minisign public key ")
    assert pub.splitlines()[1] == first.stdout.strip()
    (tmp_path / "m").write_bytes(b"x")
    (tmp_path / "m.minisig").write_text(load_key(key_path).sign(b"x"))
    (tmp_path / "k.pub").write_text(pub)
    check = subprocess.run(["minisign", "-V", "-p", tmp_path / "k.pub", "-m", tmp_path / "m"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


async def test_bundle_upload_locally_and_over_grpc(db_url: str, session_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import json

    from server.app import UpkeepServer
    from server.services import tokens
    from server.services.roles import Role
    from tests.fixtures.bundles import BundleSpec, archive_dir, make_release, write_bundle
    from tests.fixtures.servers import make_settings, server_env

    v1 = await make_release(session_factory, "cli", "1.0.0")
    v2 = await make_release(session_factory, "cli", "1.1.0")
    env = server_env(db_url, tmp_path / "data")
    one = archive_dir(write_bundle(tmp_path / "one", BundleSpec(version="1.0.0")), tmp_path / "one.zip")
    local = await asyncio.to_thread(run_cli, ["bundle", "upload", "--release-id", str(v1), str(one), "--json"], env)
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout)["new_chunk_count"] == json.loads(local.stdout)["chunk_count"] > 0

    missing = await asyncio.to_thread(run_cli, ["bundle", "upload", "--release-id", str(v1), str(tmp_path / "nope.zip")], env)
    assert missing.returncode == 1 and "nope.zip" in missing.stderr

    server = UpkeepServer(make_settings(db_url, tmp_path / "data"), console=False)
    await server.start()
    try:
        assert server.runtime is not None
        async with server.runtime.session_factory() as s, s.begin():
            token = (await tokens.create_token(s, name="ci", role=Role.OPERATOR)).secret
        two = archive_dir(write_bundle(tmp_path / "two", BundleSpec(version="1.1.0")), tmp_path / "two.tar", "tar")
        args = ["bundle", "upload", "--release-id", str(v2), str(two), "--server", f"127.0.0.1:{server.grpc_port}", "--token", token]
        remote = await asyncio.to_thread(run_cli, args, env)
        assert remote.returncode == 0, remote.stderr
        assert f"release {v2}" in remote.stdout and "docker.zip" in remote.stdout
        again = await asyncio.to_thread(run_cli, args, {**env, "LANG": "zh_CN.UTF-8"})
        assert again.returncode == 1 and "已有更新包" in again.stderr
    finally:
        await server.stop()
