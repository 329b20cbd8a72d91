"""The compose project on this node: the `docker compose` / `docker-compose` command line
for lifecycle (up, down, config) and the docker SDK for images, containers, health, logs."""

from agent.compose.cli import ComposeCli, detect_compose
from agent.compose.docker import ContainerState, DockerEngine
from agent.compose.project import ComposeProject, find_compose_file, parse_compose_file

__all__ = [
    "ComposeCli",
    "ComposeProject",
    "ContainerState",
    "DockerEngine",
    "detect_compose",
    "find_compose_file",
    "parse_compose_file",
]
