"""The docker engine through the SDK: containers and health of a project, image loading, logs."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from common.errors import InvalidInput, Unavailable
from common.i18n import N_

__all__ = ["ContainerState", "DockerEngine"]

NO_ENGINE = N_("No Docker engine is reachable ({error}); is dockerd running and may this user use it?")
LOAD_FAILED = N_("docker load of {path} failed: {error}")
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class ContainerState:
    name: str
    service: str
    image: str
    #: docker's state: created, running, restarting, exited, dead ...
    status: str
    #: "healthy" | "unhealthy" | "starting", or "" when no healthcheck is defined.
    health: str
    exit_code: int


class DockerEngine:
    """A lazily connected docker SDK client; every call raises Unavailable without an engine."""

    def __init__(self, base_url: str | None = None) -> None:
        self._base_url = base_url

    @functools.cached_property
    def client(self):  # type: ignore[no-untyped-def]
        import docker
        from docker.errors import DockerException

        try:
            client = docker.DockerClient(base_url=self._base_url, timeout=120) if self._base_url else docker.from_env(timeout=120)
            client.ping()
        except (DockerException, OSError) as exc:
            raise Unavailable(NO_ENGINE, error_code="DOCKER_UNAVAILABLE", error=str(exc)) from exc
        return client

    def containers(self, project: str) -> list[ContainerState]:
        found = self.client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
        states = []
        for container in found:
            state = container.attrs.get("State", {})
            states.append(ContainerState(
                name=container.name,
                service=container.labels.get(SERVICE_LABEL, ""),
                image=(container.attrs.get("Config") or {}).get("Image", ""),
                status=state.get("Status", ""),
                health=(state.get("Health") or {}).get("Status", ""),
                exit_code=int(state.get("ExitCode") or 0),
            ))
        return sorted(states, key=lambda s: (s.service, s.name))

    def load_image(self, tar_path: Path) -> list[str]:
        """``docker load`` one image tar; the tags it loaded."""
        from docker.errors import APIError, DockerException

        try:
            with tar_path.open("rb") as stream:
                images = self.client.images.load(stream)
        except (APIError, DockerException, OSError) as exc:
            raise InvalidInput(LOAD_FAILED, error_code="IMAGE_LOAD_FAILED", path=tar_path.name, error=str(exc)) from exc
        return [tag for image in images for tag in image.tags]

    def has_image(self, reference: str) -> bool:
        from docker.errors import ImageNotFound

        try:
            self.client.images.get(reference)
        except ImageNotFound:
            return False
        return True

    def logs(self, project: str, tail: int = 100) -> list[tuple[str, str]]:
        """The last ``tail`` log lines of each container of ``project``: (container, text)."""
        result = []
        for container in self.client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"}):
            text = container.logs(tail=tail, timestamps=True).decode("utf-8", errors="replace")
            result.append((container.name, text))
        return sorted(result)
