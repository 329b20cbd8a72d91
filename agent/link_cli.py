"""``upkeep-agent enroll`` and ``upkeep-agent run``."""

from __future__ import annotations

import argparse
import asyncio

from rich.console import Console

from agent.config import AgentConfig
from agent.daemon import run_daemon
from agent.link import enroll, parse_labels
from agent.store import Store
from common.errors import InvalidInput
from common.i18n import N_, _

__all__ = ["register"]

console = Console(highlight=False)
NO_SERVER = N_("Give --server (or [server] address in config.toml).")


def cmd_enroll(args: argparse.Namespace, config: AgentConfig) -> int:
    address = args.server or config.server.address
    if not address:
        raise InvalidInput(NO_SERVER, error_code="NO_SERVER")
    store = Store(config.history_db)
    try:
        reply = asyncio.run(enroll(config, store, server=address, token=args.token, labels=parse_labels(args.labels)))
    finally:
        store.close()
    console.print(_("Enrolled as agent {agent} in project {project} ({server}).").format(
        agent=reply.agent_id, project=reply.project, server=address))
    return 0


def cmd_run(args: argparse.Namespace, config: AgentConfig) -> int:
    return asyncio.run(run_daemon(config))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("enroll", help=_("enroll this node with the control server"))
    parser.add_argument("--server", default="", help=_("gRPC address of the server, e.g. updates.example.com:50051"))
    parser.add_argument("--token", required=True, help=_("enrollment token created by an admin"))
    parser.add_argument("--labels", default="", help=_("labels, e.g. site=sh,role=web"))
    parser.set_defaults(handler=cmd_enroll)
    parser = sub.add_parser("run", help=_("run the agent daemon (connects to the server)"))
    parser.set_defaults(handler=cmd_run)
