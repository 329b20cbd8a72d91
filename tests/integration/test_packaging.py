"""A wheel of the project works without the source tree: migrations and translations travel inside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration

PROBE = """
import sys
from common.i18n import LOCALES_DIR, gettext
from server.db.engine import _MIGRATIONS, migrate, schema_status
print(gettext("Configuration error: {error}", "zh_CN"))
print(LOCALES_DIR)
print(_MIGRATIONS)
url = "sqlite:///" + sys.argv[1]
migrate(url)
print(*schema_status(url))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    # A copy, so the build's build/ and egg-info never land in the checkout under test.
    shutil.copytree(ROOT, source, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "test-artifacts", "data", "build", "*.egg-info", "__pycache__", "*.mo"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        check=True, capture_output=True, timeout=240,
    )
    (built,) = out.glob("upkeep-*.whl")
    return built


def test_wheel_carries_migrations_and_compiled_catalogs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {p.relative_to(ROOT / "migrations").as_posix() for p in (ROOT / "migrations").rglob("*.py")}
    assert {f"server/_migrations/{name}" for name in migrations} <= names
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/*.po"):
        assert f"common/_locales/{po.relative_to(ROOT / 'locales').with_suffix('.mo').as_posix()}" in names


def test_installed_wheel_migrates_and_speaks_chinese(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=120)
    # The wheel's packages come first on the path, before the test venv (which has the deps).
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "db.sqlite")], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    translated, locales_dir, migrations_dir, status = result.stdout.splitlines()[-4:]
    assert translated == "配置错误：{error}"
    assert Path(locales_dir) == target / "common" / "_locales"
    assert Path(migrations_dir) == target / "server" / "_migrations"
    current, head = status.split()
    assert current == head != "None"
