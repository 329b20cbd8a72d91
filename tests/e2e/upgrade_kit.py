"""Fixtures of the upgrade e2e tests: the test service's images, a node folder, bundles."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import load_config
from agent.store import Store
from agent.upgrade import FileSource, UpgradeEngine
from tests.fixtures.service_bundles import AppImages, Node, build_app_images, make_bundle, make_node, remove_project, remove_repository

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def app_images(docker_client, busybox_image, tmp_path_factory) -> Iterator[AppImages]:  # type: ignore[no-untyped-def]
    images = build_app_images(docker_client, busybox_image, ["1.0.0", "2.0.0"], tmp_path_factory.mktemp("app-images"))
    yield images
    remove_repository(docker_client, images.repository)


def new_node(tmp_path: Path, docker_client, compose: str = "v2", health_timeout: float = 30) -> Iterator[Node]:  # type: ignore[no-untyped-def]
    node = make_node(tmp_path / "node", compose=compose, health_timeout=health_timeout)
    try:
        yield node
    finally:
        remove_project(docker_client, node.project)


@pytest.fixture
def node(tmp_path, docker_client, compose_v2) -> Iterator[Node]:  # type: ignore[no-untyped-def]
    yield from new_node(tmp_path, docker_client, "v2")


def bundle(node: Node, images: AppImages, version: str, name: str | None = None, **options) -> Path:  # type: ignore[no-untyped-def]
    """A bundle of the test service at ``version`` published on the node's port."""
    folder = node.root.parent / "bundles"
    folder.mkdir(exist_ok=True)
    files = {"config/app.conf": f"version={version}\n".encode(), **options.pop("files", {})}
    image_tar = options.pop("image_tar", images.tars.get(version))
    return make_bundle(folder / (name or f"app-{version}.zip"), image=options.pop("image", images.ref(version)), image_tar=image_tar,
                       port=options.pop("port", node.port), files=files, **options)


def engine_for(node: Node) -> UpgradeEngine:
    config = load_config(node.config_path)
    return UpgradeEngine(config, Store(config.history_db))


async def install(node: Node, images: AppImages, version: str = "1.0.0", **options) -> UpgradeEngine:  # type: ignore[no-untyped-def]
    engine = engine_for(node)
    result = await engine.upgrade(FileSource(path=bundle(node, images, version, **options), version=version))
    assert result.ok, result
    return engine


def agent_cli(node: Node, *args: str, timeout: float = 180, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "200"}
    env.pop("LC_ALL", None)
    return subprocess.run([sys.executable, "-m", "agent.cli", "-c", str(node.config_path), *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, input=input)
