"""The e2e tier's ground truth: a real engine runs a compose project with
both compose flavours (v1 = /usr/bin/docker-compose, v2 = `docker compose`)."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.e2e

COMPOSE_FILE = """\
version: "3.8"
services:
  web:
    image: {image}
    command: ["sh", "-c", "echo \\"$$PAGE_TOKEN\\" > /www/index.html && exec httpd -f -p 80 -h /www"]
    environment:
      PAGE_TOKEN: "{token}"
    ports:
      - "127.0.0.1:{port}:80"
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch_until(url: str, expected: str, deadline_s: float = 60.0) -> str:
    """Poll `url` until its body contains `expected` or the deadline passes."""
    deadline = time.monotonic() + deadline_s
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                body = resp.read().decode()
            if expected in body:
                return body
            last = f"unexpected body {body!r}"
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            last = exc
        time.sleep(0.2)  # poll interval, not synchronisation: no event to await here
    raise AssertionError(f"{url} did not serve {expected!r} within {deadline_s}s: {last}")


def project_resources(client, project: str) -> tuple[list, list]:
    label = f"com.docker.compose.project={project}"
    containers = client.containers.list(all=True, filters={"label": label})
    networks = client.networks.list(filters={"label": label})
    return containers, networks


@pytest.mark.parametrize("flavour", ["v1", "v2"])
def test_compose_up_serves_and_down_removes(flavour, request, tmp_path, docker_client, busybox_image):
    compose = request.getfixturevalue(f"compose_{flavour}")
    project = f"upkeep-e2e-{flavour}-{uuid.uuid4().hex[:10]}"
    token = uuid.uuid4().hex
    port = free_port()
    compose_file = tmp_path / "docker-compose.yml"
    compose_file.write_text(COMPOSE_FILE.format(image=busybox_image, token=token, port=port))

    try:
        compose.run("up", "--detach", project=project, files=[compose_file], cwd=tmp_path)
        containers, networks = project_resources(docker_client, project)
        assert len(containers) == 1, containers
        assert containers[0].labels["com.docker.compose.service"] == "web"

        body = fetch_until(f"http://127.0.0.1:{port}/", token)
        assert body.strip() == token

        compose.run("down", "--remove-orphans", "--timeout", "5",
                    project=project, files=[compose_file], cwd=tmp_path)
        containers, networks = project_resources(docker_client, project)
        assert containers == [], f"{compose.flavour} down left containers: {containers}"
        assert networks == [], f"{compose.flavour} down left networks: {networks}"
        with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
    finally:
        # Whatever happened above, leave nothing behind.
        compose.run("down", "--remove-orphans", "--volumes", "--timeout", "1",
                    project=project, files=[compose_file], cwd=tmp_path, check=False)
        for c in project_resources(docker_client, project)[0]:
            c.remove(force=True)
        for n in project_resources(docker_client, project)[1]:
            n.remove()
