"""UpdateService: CheckUpdate over gRPC, the same answer as the HTTP bridge."""

from __future__ import annotations

from generated.upkeep.v1 import update_pb2_grpc
from server.runtime import Runtime

__all__ = ["UpdateServicer"]


class UpdateServicer(update_pb2_grpc.UpdateServiceServicer):
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
