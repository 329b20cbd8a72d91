#!/usr/bin/env python3
"""Delta distribution benchmark: prints figures, asserts nothing.

    python bench/delta.py [--scale 1.0] [--skip-zstd] [--repeat 3]

Builds a bundle pair like a real service release (``docker save`` image tar with identical
base layers and one rebuilt application layer, a changed config file), runs a real
``upkeep-server serve`` on loopback, and reports in one run:

* bytes on the wire v1 → v2, counted on the socket by a loopback TCP proxy (manifest,
  requests and gRPC/HTTP framing included): chunk delta with packs, plain chunks,
  incremental zip, full zip; and ``zstd -19 --long=31 --patch-from`` as the reference;
* ingest time of the ~160 MB bundle (and the background pair preparation, apart);
* FetchChunks throughput at the agent from a cold plan, every verification on (best of
  ``--repeat`` runs, with the CPU seconds server and agent spent: a figure the machine's load
  disturbs less than wall time);
* HTTP download throughput of the cached full zip: uvicorn, nginx serving the file, and
  the X-Accel-Redirect path (uvicorn checks, nginx sends).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from agent.download import ChunkDownloader, InstalledBundle, open_download_channel  # noqa: E402
from generated.upkeep.v1 import agent_pb2_grpc  # noqa: E402
from server.config import load_settings  # noqa: E402
from server.db.engine import make_async_engine, make_session_factory, migrate  # noqa: E402
from server.services import bundles  # noqa: E402
from server.services.signing import public_key  # noqa: E402
from tests.fixtures.bundles import BundleSpec, enroll_agent, make_release, write_bundle  # noqa: E402

MB = 1_000_000


class CountingProxy:
    """Loopback TCP proxy counting the bytes that cross it in each direction."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.down = 0
        self.up = 0
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, downstream: bool) -> None:
            try:
                while data := await src.read(1 << 20):
                    if downstream:
                        self.down += len(data)
                    else:
                        self.up += len(data)
                    dst.write(data)
                    await dst.drain()
            except ConnectionError:
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, False), pipe(up_reader, writer, True))


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _tar(folder: Path, out: Path) -> Path:
    with tarfile.open(out, "w") as tf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            tf.add(path, path.relative_to(folder).as_posix())
    return out


def _serve(env: dict[str, str], workdir: Path, name: str) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    ready = workdir / f"{name}.ready"
    log = (workdir / f"{name}.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--ready-file", str(ready)],
        env={**os.environ, **env, "LANG": "C.UTF-8"}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server {name} did not start: {(workdir / f'{name}.log').read_text()[-2000:]}")
        time.sleep(0.05)
    return proc, json.loads(ready.read_text())


def _nginx(workdir: Path, blobs: Path, upstream_port: int) -> tuple[subprocess.Popen[bytes], int]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = workdir / "nginx.conf"
    conf.write_text(f"""
daemon off; master_process off; user root; worker_processes 1; pid {workdir}/nginx.pid; error_log {workdir}/nginx.err warn;
events {{ worker_connections 64; }}
http {{
  access_log off; sendfile on; tcp_nopush on; client_body_temp_path {workdir}/ngx-body; proxy_temp_path {workdir}/ngx-proxy;
  fastcgi_temp_path {workdir}/ngx-fcgi; uwsgi_temp_path {workdir}/ngx-uwsgi; scgi_temp_path {workdir}/ngx-scgi;
  types {{ application/zip zip; }}
  server {{
    listen 127.0.0.1:{port};
    location /files/ {{ alias {blobs}/; }}
    location /_stored/ {{ internal; alias {blobs}/; }}
    location / {{ proxy_pass http://127.0.0.1:{upstream_port}; proxy_buffering off; }}
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.05)
    raise SystemExit("nginx did not start: " + (workdir / "nginx.err").read_text())


def _curl(url: str, repeat: int = 3) -> tuple[float, int]:
    """Best of ``repeat``: (MB/s, bytes)."""
    best, size = 0.0, 0
    for _ in range(repeat):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{speed_download} %{size_download} %{http_code}", url],
                             capture_output=True, text=True, check=True).stdout.split()
        if out[2] != "200":
            raise SystemExit(f"{url}: HTTP {out[2]}")
        best, size = max(best, float(out[0]) / MB), int(out[1])
    return best, size


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="upkeep-bench-"))
    data = work / "data"
    env = {"UPKEEP_DATA_DIR": str(data), "UPKEEP_GRPC_LISTEN": "127.0.0.1:0", "UPKEEP_HTTP_LISTEN": "127.0.0.1:0", "UPKEEP_LOG_LEVEL": "WARNING"}
    settings = load_settings(environ=env)
    settings.ensure_dirs()
    migrate(settings.database_url)
    engine = make_async_engine(settings.database_url)
    factory = make_session_factory(engine)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        s = args.scale
        spec = dict(base_layer_sizes=(int(90 * MB * s), int(40 * MB * s)), app_files=int(400 * s) or 1, app_file_size=60_000, changed_share=0.1)
        src1 = write_bundle(work / "v1", BundleSpec(version="1.0.0", **spec))  # type: ignore[arg-type]
        src2 = write_bundle(work / "v2", BundleSpec(version="1.1.0", **spec))  # type: ignore[arg-type]
        tar1, tar2 = _tar(src1, work / "v1.tar"), _tar(src2, work / "v2.tar")
        print(f"bundle v1 {tar1.stat().st_size / MB:.1f} MB, v2 {tar2.stat().st_size / MB:.1f} MB (tar)")

        r1, r2 = await make_release(factory, "bench", "1.0.0"), await make_release(factory, "bench", "1.1.0")
        t = time.perf_counter()
        first = await bundles.ingest_bundle(factory, settings, release_id=r1, archive=tar1)
        ingest1 = time.perf_counter() - t
        t = time.perf_counter()
        second = await bundles.ingest_bundle(factory, settings, release_id=r2, archive=tar2)
        ingest2 = time.perf_counter() - t
        t = time.perf_counter()
        await bundles.prepare_pair(factory, settings, r2)
        pair = time.perf_counter() - t
        creds, _ = await enroll_agent(factory, "bench")
        key = public_key(settings).public_key

        proc, ports = _serve(env, work, "server")
        procs.append(proc)
        grpc_port, http_port = ports["grpc_port"], ports["http_port"]

        async def fetch(release_id: int, installed: InstalledBundle | None, delta: bool, staging: str) -> tuple[int, int, float, object]:
            proxy = CountingProxy(grpc_port)
            await proxy.start()
            async with open_download_channel(f"127.0.0.1:{proxy.port}") as channel:
                downloader = ChunkDownloader(agent_pb2_grpc.AgentServiceStub(channel), metadata=creds, public_key=key, staging_root=work / staging)
                t0 = time.perf_counter()
                result = await downloader.download(release_id, installed=installed, accept_delta=delta)
                took = time.perf_counter() - t0
            await proxy.stop()
            shutil.rmtree(work / staging)
            return proxy.down, proxy.up, took, result.stats

        installed = InstalledBundle(root=src1, release_id=r1, manifest=first.signed.manifest, signed_bytes=first.signed.signed_bytes)
        delta_down, delta_up, _, delta_stats = await fetch(r2, installed, True, "s-delta")
        plain_down, plain_up, _, plain_stats = await fetch(r2, installed, False, "s-plain")
        cold_down, _, cold_s, cold_stats = await fetch(r2, None, False, "s-cold")
        # loopback throughput without the counting proxy in the way; best of a few cold runs
        direct, direct_s, direct_cpu = None, 0.0, (0.0, 0.0)
        for attempt in range(args.repeat):
            async with open_download_channel(f"127.0.0.1:{grpc_port}") as channel:
                staging = work / f"s-direct-{attempt}"
                downloader = ChunkDownloader(agent_pb2_grpc.AgentServiceStub(channel), metadata=creds, public_key=key, staging_root=staging)
                cpu0 = (_process_cpu(proc.pid), _own_cpu())
                t0 = time.perf_counter()
                run = await downloader.download(r2)
                took = time.perf_counter() - t0
                cpu = (_process_cpu(proc.pid) - cpu0[0], _own_cpu() - cpu0[1])
            shutil.rmtree(staging)
            if direct is None or run.stats.fetch_seconds < direct.stats.fetch_seconds:
                direct, direct_s, direct_cpu = run, took, cpu
        assert direct is not None

        async with factory() as session:
            packages = await bundles.package_info(session, settings, release_id=r2, client_version="1.0.0")
        full_zip, incr_zip = packages.full.size, packages.incremental.size

        patch_size = patch_s = 0.0
        if not args.skip_zstd:
            t = time.perf_counter()
            subprocess.run(["zstd", "-19", "--long=31", "-f", "-q", f"--patch-from={tar1}", str(tar2), "-o", str(work / "patch.zst")], check=True)
            patch_s = time.perf_counter() - t
            patch_size = (work / "patch.zst").stat().st_size

        base = f"http://127.0.0.1:{http_port}"
        uvicorn_mbs, got = _curl(f"{base}/api/v1/packages/bench/1.1.0/docker.zip")
        accel_env = {**env, "UPKEEP_ACCEL_REDIRECT_PREFIX": "/_stored"}
        accel_proc, accel_ports = _serve(accel_env, work, "accel")
        procs.append(accel_proc)
        nginx, nginx_port = _nginx(work, settings.storage_dir / "blobs", accel_ports["http_port"])
        procs.append(nginx)
        nginx_mbs, _ = _curl(f"http://127.0.0.1:{nginx_port}/files/packages/{r2}/docker.zip")
        accel_mbs, accel_got = _curl(f"http://127.0.0.1:{nginx_port}/api/v1/packages/bench/1.1.0/docker.zip")
        assert got == accel_got == full_zip

        total = second.total_size
        print()
        print(f"ingest v1 (cold store)        {ingest1:6.2f} s   {total / MB / ingest1:7.1f} MB/s   target <= 10 s")
        print(f"ingest v2 (shares base)       {ingest2:6.2f} s   new chunks {second.new_chunk_count}/{second.chunk_count}")
        print(f"pair v1->v2 in background     {pair:6.2f} s   (incremental zip + delta packs, cached)")
        print()
        print("bytes on the wire v1 -> v2 (socket bytes, server->agent + agent->server)")
        ref = patch_size or None
        rows = [
            ("chunk delta + packs", delta_down + delta_up),
            ("plain missing chunks", plain_down + plain_up),
            ("incremental zip (file)", incr_zip),
            ("full zip", full_zip),
        ]
        if ref:
            rows.append(("zstd -19 --long=31 --patch-from", patch_size))
        for name, size in rows:
            ratio = f"{size / ref:8.2f}x zstd" if ref else ""
            print(f"  {name:32s} {size:14,d} B {ratio}")
        if ref:
            print(f"  zstd patch took {patch_s:.1f} s; target: chunk delta <= 1.3x zstd")
        print(f"  delta stats: packs={delta_stats.packs} chunks={delta_stats.chunks_fetched} local={delta_stats.local_bytes / MB:.1f} MB")  # type: ignore[attr-defined]
        print(f"  plain stats: chunks={plain_stats.chunks_fetched} fetched={plain_stats.fetched_bytes / MB:.1f} MB")  # type: ignore[attr-defined]
        print()
        print("FetchChunks, cold plan, every chunk and file verified, to disk")
        fetch_s = direct.stats.fetch_seconds
        print(f"  FetchChunks phase             {direct.stats.fetched_bytes / MB / fetch_s:7.1f} MB/s   ({direct.stats.fetched_bytes / MB:.0f} MB in {fetch_s:.2f} s, best of {args.repeat})   target >= 400")
        print(f"  whole download (+ manifest, file sha256 re-read) {direct.stats.total_bytes / MB / direct_s:7.1f} MB/s   ({direct_s:.2f} s)")
        print(f"  CPU seconds of that download: server {direct_cpu[0]:.2f}, agent {direct_cpu[1]:.2f} (whole download; load {_load()})")
        print(f"  through counting proxy        {cold_stats.total_bytes / MB / cold_s:7.1f} MB/s   ({cold_down:,d} B on the wire)")  # type: ignore[attr-defined]
        print()
        print(f"HTTP download of the cached full zip ({full_zip / MB:.0f} MB), curl, best of 3")
        print(f"  uvicorn FileResponse          {uvicorn_mbs:7.1f} MB/s   target >= 1000")
        print(f"  nginx serving the file        {nginx_mbs:7.1f} MB/s")
        print(f"  uvicorn -> X-Accel -> nginx   {accel_mbs:7.1f} MB/s   (load {_load()})")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        await engine.dispose()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="bundle size factor (1.0 = ~160 MB)")
    parser.add_argument("--skip-zstd", action="store_true", help="skip the slow zstd --patch-from reference")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--repeat", type=int, default=3, help="cold FetchChunks runs on loopback (the best is reported)")
    asyncio.run(main(parser.parse_args()))
