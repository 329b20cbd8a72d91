"""``upkeep-server``: migrate the database, serve, and administer from scripts.

    upkeep-server migrate              apply Alembic migrations (creates the SQLite file)
    upkeep-server serve                run gRPC + HTTP + console until SIGTERM/SIGINT
    upkeep-server config               print the effective settings (secrets hidden)
    upkeep-server create-admin --username U [--password-stdin]
    upkeep-server token create --role viewer|operator|admin --name N [--ttl-days D]
    upkeep-server token list [--all]
    upkeep-server token revoke ID
    upkeep-server public-key           print the minisign public key that signs manifests
    upkeep-server bundle upload        upload a service bundle (here, or to --server over gRPC)
    upkeep-server gc [--json]          remove chunks and packages that no release uses any more
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from common.errors import FailedPrecondition, InvalidInput, UpkeepError
from common.i18n import _, system_locale, use_locale
from server.config import ConfigError, Settings, load_settings

__all__ = ["main"]

T = TypeVar("T")
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
    from server.app import event_loop_factory, serve

    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runner.run(serve(settings, ready_file=args.ready_file))
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


def _with_factory(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session_factory)`` on a migrated database."""
    from server.db.engine import is_migrated, make_async_engine, make_session_factory

    if not is_migrated(settings.database_url):
        raise FailedPrecondition(
            _("The database is not migrated. Run: upkeep-server migrate"), error_code="DATABASE_NOT_MIGRATED"
        )

    async def run() -> T:
        engine = make_async_engine(settings.database_url)
        try:
            return await work(make_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _with_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one transaction on a migrated database."""

    async def in_transaction(factory: Any) -> T:
        async with factory() as session, session.begin():
            return await work(session)

    return _with_factory(settings, in_transaction)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise InvalidInput(_("No terminal to ask for the password: use --password-stdin."))
    import getpass

    first = getpass.getpass(_("Password: "))
    if first != getpass.getpass(_("Repeat the password: ")):
        raise InvalidInput(_("The passwords do not match."))
    return first


@command("create-admin")
def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from server.services.audit import record_audit
    from server.services.auth import create_admin

    password = _read_password(args.password_stdin)

    async def work(session: Any) -> Any:
        user = await create_admin(session, username=args.username, password=password)
        await record_audit(session, None, "user.create", "user", user.id, {"username": user.username, "role": "admin"})
        return user

    user = _with_session(settings, work)
    print(_("Admin {username} created.").format(username=user.username))
    return 0


def _token_state(info: Any) -> str:
    if info.revoked_at:
        return _("revoked")
    if info.expires_at:
        return _("expires {at}").format(at=info.expires_at.isoformat(timespec="seconds"))
    return _("active")


@command("token")
def _token(args: argparse.Namespace, settings: Settings) -> int:
    from server.services import tokens
    from server.services.audit import record_audit
    from server.services.paging import PageSpec
    from server.services.roles import Role

    if args.token_command == "create":
        role = Role.parse(args.role)
        ttl = timedelta(days=args.ttl_days) if args.ttl_days else None

        async def create(session: Any) -> Any:
            created = await tokens.create_token(session, name=args.name, role=role, created_by="system", ttl=ttl)
            await record_audit(
                session, None, "api_token.create", "api_token", created.info.id,
                {"name": created.info.name, "role": role.label},
            )
            return created

        created = _with_session(settings, create)
        print(_("Token {name} ({role}) created. It is shown only once:").format(name=created.info.name, role=role.label), file=sys.stderr)
        print(created.secret)
        return 0
    if args.token_command == "list":
        page = _with_session(
            settings, lambda s: tokens.list_tokens(s, PageSpec(page=1, size=10_000), include_revoked=args.all)
        )
        for info in page.items:
            print(f"{info.id}\t{info.prefix}…\t{info.role.label}\t{info.name}\t{_token_state(info)}")
        return 0

    async def revoke(session: Any) -> Any:
        info = await tokens.revoke_token(session, args.id)
        await record_audit(session, None, "api_token.revoke", "api_token", info.id, {"name": info.name})
        return info

    info = _with_session(settings, revoke)
    print(_("Token {id} ({name}) revoked.").format(id=info.id, name=info.name))
    return 0


@command("public-key")
def _public_key(args: argparse.Namespace, settings: Settings) -> int:
    from server.services.signing import public_key

    info = public_key(settings)
    print(info.public_key_file if args.file else info.public_key, end="" if args.file else "\n")
    return 0


@command("bundle")
def _bundle(args: argparse.Namespace, settings: Settings) -> int:
    from server.bundle_cli import upload

    return upload(args, settings)


@command("gc")
def _gc(args: argparse.Namespace, settings: Settings) -> int:
    from server.services.chunk_gc import ORPHAN_AGE, collect_garbage

    if args.orphan_age_hours is not None and args.orphan_age_hours < 0:
        raise InvalidInput(_("--orphan-age-hours cannot be negative."), error_code="BAD_ORPHAN_AGE")
    age = ORPHAN_AGE if args.orphan_age_hours is None else timedelta(hours=args.orphan_age_hours)
    report = _with_factory(settings, lambda factory: collect_garbage(factory, settings, orphan_age=age))
    if args.json:
        print(json.dumps(dataclasses.asdict(report)))
    else:
        print(
            _("Removed {chunks} unreferenced chunks ({chunk_mb:.1f} MB), {orphans} orphan chunk files "
              "and {blobs} files of deleted releases ({blob_mb:.1f} MB).").format(
                chunks=report.chunks, chunk_mb=report.chunk_bytes / 1e6, orphans=report.orphan_chunks,
                blobs=report.blobs, blob_mb=report.blob_bytes / 1e6,
            )
        )
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
    admin = sub.add_parser("create-admin", help=_("create a console user with the admin role"))
    admin.add_argument("--username", required=True)
    admin.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from the first line of standard input")
    )
    token = sub.add_parser("token", help=_("manage API tokens for scripts"))
    token_sub = token.add_subparsers(dest="token_command", required=True)
    create = token_sub.add_parser("create", help=_("create a token and print it once"))
    create.add_argument("--role", required=True, choices=["viewer", "operator", "admin"])
    create.add_argument("--name", required=True)
    create.add_argument("--ttl-days", type=int, help=_("expire after this many days (default: never)"))
    listing = token_sub.add_parser("list", help=_("list tokens (never their secrets)"))
    listing.add_argument("--all", action="store_true", help=_("include revoked tokens"))
    revoke = token_sub.add_parser("revoke", help=_("revoke a token for good"))
    revoke.add_argument("id", type=int)
    key_parser = sub.add_parser("public-key", help=_("print the minisign public key that signs manifests"))
    key_parser.add_argument("--file", action="store_true", help=_("print the whole .pub file (comment line included)"))
    bundle_parser = sub.add_parser("bundle", help=_("service bundles"))
    bundle_sub = bundle_parser.add_subparsers(dest="bundle_command", required=True)
    upload_parser = bundle_sub.add_parser("upload", help=_("upload the zip or tar of a compose folder to a service release"))
    upload_parser.add_argument("archive", help=_("zip, tar, tar.gz or tar.zst file"))
    upload_parser.add_argument("--release-id", type=int, required=True, help=_("service release that receives the bundle"))
    upload_parser.add_argument("--server", help=_("gRPC address of a remote server (default: this server's database)"))
    upload_parser.add_argument("--token", help=_("API token (operator) for --server"))
    upload_parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    gc_parser = sub.add_parser("gc", help=_("remove stored chunks and packages that no release uses any more"))
    gc_parser.add_argument(
        "--orphan-age-hours", type=float,
        help=_("keep chunk files that no release has recorded for this many hours (default 1: an upload may be recording them)"),
    )
    gc_parser.add_argument("--json", action="store_true", help=_("print the result as JSON"))
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
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # a line per plugin
        try:
            return _COMMANDS[args.command](args, settings)
        except UpkeepError as exc:
            print(exc.translated(), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
