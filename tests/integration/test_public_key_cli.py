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
