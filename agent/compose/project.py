"""A compose project: its file, its name, what it declares, and its lifecycle commands."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from agent.compose.cli import ComposeCli, ComposeError
from common.errors import InvalidInput
from common.i18n import N_

__all__ = ["COMPOSE_FILE_NAMES", "ComposeProject", "ComposeSpec", "find_compose_file", "parse_compose_file"]

COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
NO_COMPOSE_FILE = N_("No compose file (compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml) in {path}")
BAD_COMPOSE_FILE = N_("The compose file {path} cannot be read: {error}")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ComposeSpec:
    #: service name -> image reference ("" when the service is built, not pulled).
    images: dict[str, str]

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(sorted(self.images))


def find_compose_file(folder: Path) -> Path:
    """The compose file at the root of ``folder``; InvalidInput when there is none."""
    for name in reversed(COMPOSE_FILE_NAMES):
        if (folder / name).is_file():
            return folder / name
    raise InvalidInput(NO_COMPOSE_FILE, error_code="NO_COMPOSE_FILE", path=str(folder))


def parse_compose_file(path: Path) -> ComposeSpec:
    """Parse the compose file enough to know its services and images (InvalidInput if it does not parse)."""
    try:
        document: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(BAD_COMPOSE_FILE, error_code="INVALID_COMPOSE_FILE", path=str(path), error=str(exc).splitlines()[0]) from exc
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        raise InvalidInput(BAD_COMPOSE_FILE, error_code="INVALID_COMPOSE_FILE", path=str(path), error="no 'services' mapping")
    images: dict[str, str] = {}
    for name, service in services.items():
        if not isinstance(service, dict):
            raise InvalidInput(BAD_COMPOSE_FILE, error_code="INVALID_COMPOSE_FILE", path=str(path), error=f"service {name!r} is not a mapping")
        if service.get("profiles"):
            continue  # not started by a plain `up -d`
        images[str(name)] = str(service.get("image") or "")
    return ComposeSpec(images=images)


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ComposeProject:
    """The node's compose project, driven through ``cli``."""

    compose_file: Path
    name: str
    cli: ComposeCli

    def spec(self) -> ComposeSpec:
        return parse_compose_file(self.compose_file)

    def _run(self, *args: str, timeout: float = 300) -> str:
        return self.cli.run(args, project=self.name, compose_file=self.compose_file, timeout=timeout)

    def validate(self, compose_file: Path | None = None) -> None:
        """Let compose itself check a compose file (``config -q``)."""
        target = compose_file or self.compose_file
        parse_compose_file(target)
        try:
            self.cli.run(("config", "-q"), project=self.name, compose_file=target, timeout=60)
        except ComposeError as exc:
            raise InvalidInput(BAD_COMPOSE_FILE, error_code="INVALID_COMPOSE_FILE", path=str(target), error=str(exc)) from exc

    def up(self) -> None:
        self._run("up", "-d", "--remove-orphans")

    def down(self) -> None:
        self._run("down", "--remove-orphans", "--timeout", "10")

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        self._run("stop", "--timeout", "10")

    def restart(self, services: tuple[str, ...] = ()) -> None:
        self._run("restart", "--timeout", "10", *services)
