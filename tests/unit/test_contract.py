"""The gRPC contract: generated code is fresh, buf lint passes, services have their shape."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    f"generated.upkeep.v1.{name}{suffix}"
    for name in ("common", "agent", "admin", "update")
    for suffix in ("_pb2", "_pb2_grpc")
]

# method name → (client_streaming, server_streaming)
UNARY = (False, False)
EXPECTED_METHODS: dict[str, dict[str, tuple[bool, bool]]] = {
    "AgentService": {
        "Enroll": UNARY,
        "Connect": (True, True),
        "GetManifest": UNARY,
        "FetchChunks": (False, True),
        "UploadDiagnostics": (True, False),
    },
    "UpdateService": {"CheckUpdate": UNARY},
    "AdminService": {
        **{
            name: UNARY
            for name in (
                "CreateProject ListProjects GetProject UpdateProject SetDownloadMirrors "
                "ListChannels UpdateChannel "
                "CreateRelease ListReleases GetRelease UpdateRelease PublishRelease "
                "PauseRelease RevokeRelease DeleteRelease "
                "CreateUpdateRule ListUpdateRules UpdateUpdateRule DeleteUpdateRule "
                "ReorderUpdateRules "
                "CreateAnnouncement ListAnnouncements DeleteAnnouncement "
                "ListAgents GetAgent RevokeAgent "
                "SendCommand CancelCommand ListCommands GetCommand "
                "SetMaintenanceWindows ListMaintenanceWindows "
                "CreateEnrollmentToken ListEnrollmentTokens RevokeEnrollmentToken "
                "CreateApiToken ListApiTokens RevokeApiToken "
                "GetStats GetVersionDistribution GetRegionDistribution GetAdoption "
                "GetServerInfo ListDiagnostics "
                "CreateRollout ListRollouts PauseRollout ResumeRollout AbortRollout"
            ).split()
        },
        "UploadArtifact": (True, False),
        "UploadBundle": (True, False),
        "WatchAgents": (False, True),
    },
}


def _buf() -> str | None:
    found = shutil.which("buf")
    if found:
        return found
    beside = Path(sys.executable).parent / "buf"
    return str(beside) if beside.exists() else None


def test_generated_code_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_protos.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_buf_lint_passes() -> None:
    buf = _buf()
    if buf is None:
        pytest.skip("buf is not installed (CI installs buf-bin)")
    result = subprocess.run([buf, "lint"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module", MODULES)
def test_generated_module_imports(module: str) -> None:
    importlib.import_module(module)


@pytest.mark.parametrize("service", sorted(EXPECTED_METHODS))
def test_service_methods(service: str) -> None:
    file_module = {"AgentService": "agent", "AdminService": "admin", "UpdateService": "update"}[service]
    pb2 = importlib.import_module(f"generated.upkeep.v1.{file_module}_pb2")
    grpc_mod = importlib.import_module(f"generated.upkeep.v1.{file_module}_pb2_grpc")
    descriptor = pb2.DESCRIPTOR.services_by_name[service]
    assert descriptor.full_name == f"upkeep.v1.{service}"

    actual = {m.name: (m.client_streaming, m.server_streaming) for m in descriptor.methods}
    assert actual == EXPECTED_METHODS[service]
    for method in descriptor.methods:
        assert method.input_type.name == f"{method.name}Request"
        assert method.output_type.name == f"{method.name}Response"

    # Stub, servicer and registration helper exist for the servers and clients to use.
    assert hasattr(grpc_mod, f"{service}Stub")
    assert hasattr(grpc_mod, f"{service}Servicer")
    assert hasattr(grpc_mod, f"add_{service}Servicer_to_server")


def test_connect_envelopes_cover_the_protocol() -> None:
    from generated.upkeep.v1 import agent_pb2 as pb

    up = {f.name for f in pb.ConnectRequest.DESCRIPTOR.oneofs_by_name["body"].fields}
    down = {f.name for f in pb.ConnectResponse.DESCRIPTOR.oneofs_by_name["body"].fields}
    assert {"hello", "heartbeat", "command_ack", "command_progress", "command_result", "telemetry_batch"} <= up
    assert {"welcome", "command", "cancel", "announcement", "telemetry_ack", "goodbye"} <= down
    chunks = {f.name for f in pb.FetchChunksResponse.DESCRIPTOR.oneofs_by_name["payload"].fields}
    assert chunks == {"chunks", "delta_pack"}


def test_check_update_keeps_seed_field_names() -> None:
    from generated.upkeep.v1 import update_pb2 as pb

    request = {f.name for f in pb.CheckUpdateRequest.DESCRIPTOR.fields}
    response = {f.name for f in pb.CheckUpdateResponse.DESCRIPTOR.fields}
    assert {"current_version", "channel", "client_id", "region", "arch", "os"} <= request
    assert {
        "has_update", "latest_version", "download_url", "file_size", "file_checksum",
        "is_forced", "title", "release_notes", "min_upgrade_version",
    } <= response
