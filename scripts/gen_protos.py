#!/usr/bin/env python3
"""Regenerate ``generated/`` from ``proto/`` (the one way to do it).

    python scripts/gen_protos.py          # rewrite generated/
    python scripts/gen_protos.py --check  # exit 1 if generated/ is stale

Runs ``grpc_tools.protoc`` (``--python_out``, ``--pyi_out``, ``--grpc_python_out``) into a
scratch directory, rewrites ``from upkeep.v1 import`` to ``from generated.upkeep.v1
import`` so the code imports as a package of this repository, adds ``__init__.py`` files
and a README, then either replaces ``generated/`` or compares against it. The output
depends only on the .proto files and the pinned grpcio-tools version.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.resources
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "generated"
PACKAGE_DIR = Path("upkeep") / "v1"

_IMPORT_RE = re.compile(r"^(\s*)from upkeep\.v1 import ", re.MULTILINE)

_README = """\
# generated — generated, do not edit

grpcio-tools output for `proto/upkeep/v1/*.proto`. Regenerate with
`python scripts/gen_protos.py`; `python scripts/gen_protos.py --check` fails when this
folder is stale. Import as `from generated.upkeep.v1 import agent_pb2 as pb`.
"""

_INIT_FILES = {
    Path("__init__.py"): '"""Generated protobuf/gRPC code. Generated, do not edit."""\n',
    Path("upkeep") / "__init__.py": "",
    PACKAGE_DIR / "__init__.py": "",
}


def _proto_files() -> list[str]:
    """Every .proto under proto/, relative and sorted (stable protoc input order)."""
    return sorted(p.relative_to(PROTO_DIR).as_posix() for p in PROTO_DIR.rglob("*.proto"))


def _well_known_include() -> str:
    """Include dir of google/protobuf/*.proto shipped inside grpcio-tools."""
    return str(importlib.resources.files("grpc_tools") / "_proto")


def generate(dest: Path) -> None:
    """Write the complete generated tree into ``dest`` (which must be empty)."""
    protos = _proto_files()
    if not protos:
        raise SystemExit(f"no .proto files under {PROTO_DIR}")
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--proto_path={PROTO_DIR}",
        f"--proto_path={_well_known_include()}",
        f"--python_out={dest}",
        f"--pyi_out={dest}",
        f"--grpc_python_out={dest}",
        *protos,
    ]
    result = subprocess.run(cmd, cwd=PROTO_DIR, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"protoc failed with exit code {result.returncode}")

    for path in sorted(dest.rglob("*")):
        if path.suffix in {".py", ".pyi"} and path.is_file():
            text = path.read_text(encoding="utf-8")
            path.write_text(_IMPORT_RE.sub(r"\1from generated.upkeep.v1 import ", text), encoding="utf-8")
    for rel, content in _INIT_FILES.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(content, encoding="utf-8")
    (dest / "README.md").write_text(_README, encoding="utf-8")


def _tree(root: Path) -> dict[str, bytes]:
    """Relative path → content of every file under ``root``, caches excluded."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def diff_summary(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """Human-readable differences between the fresh tree and the committed one."""
    lines: list[str] = []
    for name in sorted(expected.keys() - actual.keys()):
        lines.append(f"missing: generated/{name}")
    for name in sorted(actual.keys() - expected.keys()):
        lines.append(f"extra:   generated/{name}")
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] != actual[name]:
            old = actual[name].decode("utf-8", "replace").splitlines()
            new = expected[name].decode("utf-8", "replace").splitlines()
            changed = sum(
                1 for line in difflib.unified_diff(old, new, lineterm="", n=0)
                if line[:1] in "+-" and not line.startswith(("+++", "---"))
            )
            lines.append(f"stale:   generated/{name} ({changed} lines differ)")
    return lines


def write(fresh: Path) -> None:
    """Replace generated/ with ``fresh``, leaving nothing stale behind."""
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    shutil.copytree(fresh, OUT_DIR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if generated/ is stale; write nothing")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="upkeep-gen-") as tmp:
        fresh = Path(tmp) / "generated"
        fresh.mkdir()
        generate(fresh)
        if args.check:
            problems = diff_summary(_tree(fresh), _tree(OUT_DIR))
            if problems:
                print("generated/ is stale; run: python scripts/gen_protos.py", file=sys.stderr)
                for line in problems:
                    print("  " + line, file=sys.stderr)
                return 1
            print("generated/ is up to date")
            return 0
        write(fresh)
    print(f"generated {len(_proto_files())} proto files into {OUT_DIR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
