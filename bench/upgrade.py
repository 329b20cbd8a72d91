#!/usr/bin/env python3
"""Upgrade benchmark on the real Docker engine; prints figures, asserts nothing.

1. Service downtime during an upgrade 1.0.0 → 2.0.0 (time the HTTP probe fails, polled every
   25 ms) next to a bare ``compose down && compose up -d`` of the same bundle.
2. Backup and restore throughput (MB/s) of a data folder of --data-mib MiB (half random,
   half compressible text, as service data usually is).

    python bench/upgrade.py [--compose v2|v1] [--data-mib 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docker  # noqa: E402

from agent.backup.archive import extract_tar_zst, write_tar_zst  # noqa: E402
from agent.upgrade import FileSource  # noqa: E402
from tests.e2e.upgrade_kit import bundle, engine_for  # noqa: E402
from tests.fixtures.images import ensure_busybox_image  # noqa: E402
from tests.fixtures.service_bundles import build_app_images, make_node, remove_project, remove_repository  # noqa: E402

POLL_S = 0.025


class Prober(threading.Thread):
    """Polls a URL; records the spans during which it does not answer."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.down_since, self.outages = url, threading.Event(), None, []

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=0.5) as response:
                    ok = response.status == 200
            except OSError:
                ok = False
            if not ok and self.down_since is None:
                self.down_since = now
            elif ok and self.down_since is not None:
                self.outages.append(now - self.down_since)
                self.down_since = None
            self.stop.wait(POLL_S)

    def total(self) -> float:
        return sum(self.outages)


def measure(url: str, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    prober = Prober(url)
    prober.start()
    started = time.monotonic()
    work()
    deadline = time.monotonic() + 60
    while (prober.down_since is not None or not prober.outages) and time.monotonic() < deadline:
        time.sleep(POLL_S)
    prober.stop.set()
    prober.join()
    return prober.total(), time.monotonic() - started


def make_data(folder: Path, mib: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = b"".join(b"row %08d: the quick brown fox jumps over the lazy dog\n" % i for i in range(20000))
    for index in range(mib // 16):
        with (folder / f"part-{index:04d}.bin").open("wb") as out:
            out.write(os.urandom(16 << 20) if index % 2 == 0 else (text * (16 * 1024 * 1024 // len(text) + 1))[: 16 << 20])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compose", default="v2", choices=["v1", "v2"])
    parser.add_argument("--data-mib", type=int, default=1024)
    args = parser.parse_args()
    client = docker.from_env()
    work = Path(tempfile.mkdtemp(prefix="upkeep-bench-"))
    images = build_app_images(client, ensure_busybox_image(), ["1.0.0", "2.0.0"], work / "images")
    node = make_node(work / "node", compose=args.compose)
    try:
        engine = engine_for(node)
        assert asyncio.run(engine.upgrade(FileSource(path=bundle(node, images, "1.0.0"), version="1.0.0"))).ok
        v2 = bundle(node, images, "2.0.0")
        results = {}
        downtime, wall = measure(node.url + "/version", lambda: results.setdefault("r", asyncio.run(engine.upgrade(FileSource(path=v2, version="2.0.0")))))
        result = results["r"]
        print(f"compose {engine.compose.flavour} {engine.compose.version}")
        print(f"upgrade 1.0.0 -> 2.0.0: {result.status}, wall {wall:.2f} s, service downtime {downtime:.2f} s")
        print("  steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.step_timings.items()))
        project = engine.project()
        downtime, wall = measure(node.url + "/version", lambda: (project.down(), project.up()))
        print(f"bare compose down && up -d: wall {wall:.2f} s, service downtime {downtime:.2f} s")

        data = work / "data"
        make_data(data, args.data_mib)
        size = sum(p.stat().st_size for p in data.iterdir())
        started = time.monotonic()
        archive_size = write_tar_zst(data, work / "data.tar.zst")
        backup_s = time.monotonic() - started
        shutil.rmtree(data)
        started = time.monotonic()
        extract_tar_zst(work / "data.tar.zst", data)
        restore_s = time.monotonic() - started
        print(f"backup of {size / 2**20:.0f} MiB: {backup_s:.2f} s = {size / 2**20 / backup_s:.0f} MiB/s (archive {archive_size / 2**20:.0f} MiB)")
        print(f"restore of {size / 2**20:.0f} MiB: {restore_s:.2f} s = {size / 2**20 / restore_s:.0f} MiB/s")
    finally:
        remove_project(client, node.project)
        remove_repository(client, images.repository)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
