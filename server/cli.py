"""``upkeep-server``: migrate the database, serve, and administer from scripts.

    upkeep-server migrate              apply Alembic migrations (creates the SQLite file)
    upkeep-server serve                run gRPC + HTTP + console until SIGTERM/SIGINT
    upkeep-server config               print the effective settings (secrets hidden)
    upkeep-server public-key           print the minisign public key that signs manifests
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
from collections.abc import Callable, Sequence

from common.errors import UpkeepError
from common.i18n import _, system_locale, use_locale
from server.config import ConfigError, Settings, load_settings

__all__ = ["main"]

Command = Callable[[argparse.Namespace, Settings], int]
_COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(fn: Command) -> Command:
        _COMMANDS[name] = fn
        return fn

    return register


@command("migrate")
def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from server.db.engine import migrate, schema_status

    settings.ensure_dirs()
    before, head = schema_status(settings.database_url)
    migrate(settings.database_url)
    if before == head:
        print(_("Database is up to date (revision {head}).").format(head=head))
    else:
        print(_("Database migrated from {before} to {head}.").format(before=before or "empty", head=head))
    return 0


@command("serve")
def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from server.app import serve

    asyncio.run(serve(settings, ready_file=args.ready_file))
    return 0


@command("config")
def _config(args: argparse.Namespace, settings: Settings) -> int:
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if "secret" in field.name and value:
            value = "********"
        if field.name == "database_url" and "@" in str(value):
            scheme, _sep, rest = str(value).partition("://")
            value = f"{scheme}://********@{rest.rpartition('@')[2]}"
        print(f"{field.name} = {value}")
    return 0


@command("public-key")
def _public_key(args: argparse.Namespace, settings: Settings) -> int:
    from server.services.signing import public_key

    info = public_key(settings)
    print(info.public_key_file if args.file else info.public_key, end="" if args.file else "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="upkeep-server", description=_("Upkeep update control server"))
    parser.add_argument("--config", help=_("TOML settings file (also UPKEEP_CONFIG)"))
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help=_("apply database migrations"))
    serve_parser = sub.add_parser("serve", help=_("run the gRPC and HTTP listeners and the console"))
    serve_parser.add_argument(
        "--ready-file", help=_("write the bound ports as JSON to this file once both listeners are up")
    )
    sub.add_parser("config", help=_("print the effective settings"))
    key_parser = sub.add_parser("public-key", help=_("print the minisign public key that signs manifests"))
    key_parser.add_argument("--file", action="store_true", help=_("print the whole .pub file (comment line included)"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with use_locale(system_locale(os.environ)):
        parser = build_parser()
        args = parser.parse_args(argv)
        try:
            settings = load_settings(config_file=args.config)
        except ConfigError as exc:
            print(_("Configuration error: {error}").format(error=exc), file=sys.stderr)
            return 2
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        try:
            return _COMMANDS[args.command](args, settings)
        except UpkeepError as exc:
            print(exc.translated(), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
