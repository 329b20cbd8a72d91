"""Dependencies point one way (DESIGN "Layout"): checked on the source, not by convention.

* agent/ and common/ import only the standard library, the base and agent dependencies,
  generated/ and common/ — a node installs `.[agent]` without the server's packages;
* server/ never imports agent/, and agent/ never imports server/ or webui/;
* adapters (server/rpc, server/http, webui) never touch ORM models.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Import names of pyproject's base dependencies and the `agent` extra.
AGENT_SIDE_THIRD_PARTY = {
    "grpc", "google", "babel", "blake3", "zstandard", "pyfastcdc", "nacl", "minisign", "rich", "semver",
    "docker", "croniter", "yaml",
}
OWN = {"agent", "common", "generated"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(*packages: str) -> list[Path]:
    return [p for package in packages for p in sorted((ROOT / package).rglob("*.py"))]


@pytest.mark.parametrize("path", _files("agent", "common"), ids=lambda p: str(p.relative_to(ROOT)))
def test_agent_side_needs_no_server_packages(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | AGENT_SIDE_THIRD_PARTY | OWN
    if path.is_relative_to(ROOT / "common"):
        allowed -= {"agent", "docker", "croniter", "yaml"}
    bad = sorted(name for name in _imports(path) if name.split(".")[0] not in allowed)
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize("path", _files("server", "webui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_server_never_imports_agent(path: Path) -> None:
    bad = sorted(name for name in _imports(path) if name.split(".")[0] == "agent")
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


@pytest.mark.parametrize(
    "path", _files("server/rpc", "server/http", "webui"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_adapters_never_touch_orm_models(path: Path) -> None:
    bad = sorted(name for name in _imports(path) if name.startswith("server.db"))
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}: go through server/services"
