"""Which components, gRPC servicers, HTTP fast lanes and routers one server process is made of."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import grpc
from fastapi import APIRouter

from server.runtime import Runtime

if TYPE_CHECKING:
    from server.http.fastlane import Lane

__all__ = ["build_components", "grpc_servicers", "http_lanes", "http_routers"]


def build_components(runtime: Runtime) -> None:
    """Create the process's components into ``runtime.components`` (started in this order)."""
    from server.hub import AgentHub
    from server.services.announcements import AnnouncementBus
    from server.services.events import EventRecorder
    from server.services.housekeeping import Housekeeping
    from server.services.resolve import ReleaseCatalog

    settings = runtime.settings
    runtime.components["housekeeping"] = Housekeeping(settings, runtime.session_factory)
    runtime.components["announcements"] = AnnouncementBus()
    runtime.components["releases"] = ReleaseCatalog(
        runtime.session_factory, default_project=settings.default_project, public_url=settings.public_url
    )
    runtime.components["agent_hub"] = AgentHub(runtime)
    runtime.components["events"] = EventRecorder(runtime.session_factory)


def grpc_servicers(runtime: Runtime) -> list[tuple[Callable[[Any, grpc.aio.Server], None], Any]]:
    """(add_XServicer_to_server, servicer) pairs for the three upkeep services."""
    from generated.upkeep.v1 import admin_pb2_grpc, agent_pb2_grpc, update_pb2_grpc
    from server.rpc.admin import AdminServicer
    from server.rpc.agent import AgentServicer
    from server.rpc.update import UpdateServicer

    return [
        (agent_pb2_grpc.add_AgentServiceServicer_to_server, AgentServicer(runtime)),
        (admin_pb2_grpc.add_AdminServiceServicer_to_server, AdminServicer(runtime)),
        (update_pb2_grpc.add_UpdateServiceServicer_to_server, UpdateServicer(runtime)),
    ]


def http_lanes(runtime: Runtime) -> dict[tuple[str, str], Lane]:
    """Fast lanes (server/http/fastlane.py) in front of the routers: the hottest client calls."""
    from server.http import legacy

    return legacy.lanes(runtime)


def http_routers(runtime: Runtime) -> list[APIRouter]:
    """FastAPI routers of the HTTP bridge, downloads and admin REST API."""
    from server.http import (
        accounts, admin_stats, admin_v1, clients, diagnostics, downloads, health, legacy, packages, updates,
    )

    return [
        health.router, accounts.router, clients.router, updates.router, diagnostics.router,
        legacy.router, admin_v1.router, admin_stats.router, downloads.router, packages.router,
    ]
