"""Service commands of ``upkeep-agent`` (seed §3.2): check-update, upgrade, backup, list-backups,
rollback, start/stop/restart/logs, schedule list|cancel, status.

Every command first finishes an upgrade a killed agent left behind, offers to move backups
when ``backup.storage_dir`` changed (seed §7.6.3), and shows results of scheduled upgrades
that nobody has seen yet (seed §7.4.4).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.prompt import Confirm, Prompt
from rich.table import Table

from agent.backup import create_backup, detect_storage_move, get_backup, list_backups, migrate_storage, remember_storage_dir
from agent.config import AgentConfig
from agent.link import LinkState
from agent.schedule import cancel_task, earliest_window, list_tasks, maintenance_windows, next_window, parse_time, pending_upgrade, schedule_upgrade
from agent.store import Store
from agent.upgrade import FileSource, UpgradeEngine, UpgradeResult, UrlSource
from agent.upgrade.check import UPDATE_KEY, check_for_updates
from agent.upgrade.sources import BundleSource, source_spec
from common.errors import InvalidInput
from common.i18n import N_, _
from common.steps import step_name
from common.versions import Version

__all__ = ["register"]

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

NEED_VERSION = N_("--version is required with --bundle or --url")
NEED_SHA256 = N_("--sha256 is required with --url")
NEED_YES = N_("Not a terminal: add --yes to confirm")
NOTHING_TO_INSTALL = N_("The service is up to date ({version})")


def _engine(config: AgentConfig) -> tuple[Store, UpgradeEngine]:
    store = Store(config.history_db)
    return store, UpgradeEngine(config, store)


def _prologue(config: AgentConfig, store: Store, engine: UpgradeEngine) -> None:
    if store.get("upgrade.journal"):
        console.print(_("An interrupted upgrade was found; restoring the previous state..."))
        result = asyncio.run(engine.recover())
        if result is not None:
            _print_result(result)
    _storage_move(config, store)
    rows = store.query("SELECT * FROM upgrade_history WHERE seen_by_user = 0 AND trigger != 'cli' AND status != 'IN_PROGRESS' ORDER BY id")
    for row in rows:
        style = "green" if row["status"] == "SUCCESS" else "red"
        console.print(Panel(_("{trigger} upgrade {from_version} → {to_version}: {status} {details}").format(
            trigger=row["trigger"], from_version=row["from_version"], to_version=row["to_version"], status=row["status"],
            details=step_name(row["failed_step"] or "") + (" " + row["details"] if row["details"] else "")), border_style=style))
    if rows:
        with store.tx() as conn:
            conn.execute("UPDATE upgrade_history SET seen_by_user = 1 WHERE id <= ? AND seen_by_user = 0 AND trigger != 'cli'", (rows[-1]["id"],))


def _storage_move(config: AgentConfig, store: Store) -> None:
    move = detect_storage_move(config, store)
    if move is None:
        if store.get("backup.storage_dir") is None:
            remember_storage_dir(config, store)
        return
    question = _("Your backup storage directory changed from {old} to {new}. Move all {count} earlier backups to the new directory?\n"
                 "Warning: this may take a long time and a lot of disk I/O; make sure you have the time and the disk space.").format(
        old=move.old, new=move.new, count=move.backups)
    if not sys.stdin.isatty():
        errors.print(question)
        errors.print(_("Not a terminal: backups not moved; run any command in a terminal to answer."))
        return
    if Confirm.ask(question, default=False, console=console):
        moved = migrate_storage(config, store, move)
        console.print(_("Moved {count} backups to {path}").format(count=moved, path=move.new))
    else:
        remember_storage_dir(config, store)


def _consent(question: str, assume_yes: bool) -> bool:
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise InvalidInput(NEED_YES, error_code="CONFIRMATION_REQUIRED")
    return Confirm.ask(question, default=False, console=console)


def _run_with_progress(title: str, work: Callable) -> object:  # type: ignore[type-arg]
    """Run ``work(progress_fn)`` (a coroutine function) under a rich progress bar."""
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TextColumn("{task.fields[message]}"), TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(title, total=100, message="")

        async def report(step: str, percent: float, message: str) -> None:
            bar.update(task, description=f"{title}: {step_name(step)}", completed=percent, message=message[:60])

        return asyncio.run(work(report))


def _print_result(result: UpgradeResult) -> None:
    timings = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in result.step_timings.items())
    if result.ok:
        console.print(_("Service is now at {version}").format(version=result.to_version), style="green")
        console.print(timings)
        return
    console.print(_("Failed at step {step}: {error}").format(step=step_name(result.failed_step), error=result.error), style="red", markup=False)
    if result.status == "ROLLBACK_FAILED":
        console.print(_("Automatic rollback FAILED; restore a backup with: upkeep-agent rollback {id}").format(id=result.backup_id), style="bold red")
    elif result.rolled_back:
        console.print(_("Rolled back to {version} (backup {id}).").format(version=result.from_version, id=result.backup_id))
    else:
        console.print(_("Nothing was changed."))
    console.print(timings)


# -- commands ----------------------------------------------------------------------------


def cmd_check_update(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    info = check_for_updates(config, store, engine.current_version())
    table = Table(show_header=True)
    for column in (_("Component"), _("Installed"), _("Available")):
        table.add_column(column)
    table.add_row(_("Service"), info.service_current, info.service_available or _("up to date"))
    table.add_row(_("Agent"), info.client_current, info.client_available or _("up to date"))
    console.print(table)
    for title, notes in ((_("Service release notes"), info.service_notes if info.service_available else ""),
                         (_("Agent release notes"), info.client_notes if info.client_available else "")):
        if notes:
            console.print(Panel(notes, title=title))
    return 0


def _source_from_args(args: argparse.Namespace, config: AgentConfig, store: Store, engine: UpgradeEngine) -> tuple[BundleSource | None, str]:
    if args.bundle or args.url:
        if not args.version:
            raise InvalidInput(NEED_VERSION, error_code="VERSION_REQUIRED")
        version = Version.parse(args.version).display
        if args.bundle:
            return FileSource(path=args.bundle.resolve(), version=version), ""
        if not args.sha256:
            raise InvalidInput(NEED_SHA256, error_code="CHECKSUM_REQUIRED")
        return UrlSource(url=args.url, sha256=args.sha256, version=version), ""
    info = check_for_updates(config, store, engine.current_version())
    if not info.service_available:
        console.print(_(NOTHING_TO_INSTALL).format(version=info.service_current))
        return None, ""
    package = info.service_package
    return UrlSource(url=package.get("url", ""), sha256=str(package.get("hash", "")), version=info.service_available,
                     size_bytes=int(package.get("size") or 0)), info.service_notes


def cmd_upgrade(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    source, notes = _source_from_args(args, config, store, engine)
    if source is None:
        return 0
    plan = engine.plan(source, notes=notes)
    table = Table(show_header=False, title=_("Upgrade plan"))
    table.add_row(_("Current version"), plan.current_version)
    table.add_row(_("Target version"), plan.target_version)
    table.add_row(_("Package"), f"{plan.kind}, {plan.bytes_to_fetch / 1e6:.1f} MB, {plan.source}")
    console.print(table)
    if plan.notes:
        console.print(Panel(plan.notes, title=_("Release notes")))
    if args.at or args.window is not None:
        if args.at:
            when = parse_time(args.at)
        elif args.window:
            when = next_window(args.window)
        else:
            when = earliest_window(maintenance_windows(config, store))
        if not _consent(_("Schedule this upgrade for {time}?").format(time=when.astimezone().isoformat(timespec="minutes")), args.yes):
            return 1
        task = schedule_upgrade(store, source=source_spec(source), at=when)
        console.print(_("Scheduled task {id}: upgrade to {version} at {time}").format(
            id=task.id, version=task.target_version, time=task.scheduled_at.astimezone().isoformat(timespec="minutes")))
        return 0
    if not _consent(_("Upgrade the service from {current} to {target} now?").format(current=plan.current_version, target=plan.target_version), args.yes):
        return 1
    result = _run_with_progress(_("Upgrade"), lambda report: engine.upgrade(source, trigger="cli", progress=report))
    _print_result(result)  # type: ignore[arg-type]
    return 0 if result.ok else 1  # type: ignore[attr-defined]


def cmd_backup(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    with engine.exclusive(), console.status(_("Backing up {path} ...").format(path=config.compose_dir)):
        record = create_backup(config, store, version=engine.current_version())
    console.print(_("Backup {id} created: {size:.1f} MB in {path}").format(id=record.id, size=record.size_bytes / 1e6, path=record.file_path.parent))
    return 0


def cmd_list_backups(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    table = Table(title=_("Backups"))
    for column in ("ID", _("Created"), _("Version"), _("Type"), _("Status"), _("Size (MB)"), _("File")):
        table.add_column(column)
    for record in list_backups(store):
        table.add_row(str(record.id), record.created_at[:19], record.service_version, record.backup_type, record.status,
                      f"{record.size_bytes / 1e6:.1f}", str(record.file_path) + ("" if record.file_path.exists() else " " + _("(missing)")))
    console.print(table)
    return 0


def cmd_rollback(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    record = get_backup(store, args.backup_id)
    console.print(Panel(_("This will overwrite ALL current service files and data with backup {id} (version {version}, {created}). "
                          "It cannot be undone!").format(id=record.id, version=record.service_version, created=record.created_at[:19]),
                        title=_("Warning"), border_style="bold red", style="red"))
    if not args.yes:
        if not sys.stdin.isatty():
            raise InvalidInput(NEED_YES, error_code="CONFIRMATION_REQUIRED")
        if Prompt.ask(_("Type confirm to roll back"), console=console) != "confirm":
            console.print(_("Cancelled; nothing was changed."))
            return 1
    result = _run_with_progress(_("Rollback"), lambda report: engine.rollback_to(record.id, progress=report))
    _print_result(result)  # type: ignore[arg-type]
    return 0 if result.ok else 1  # type: ignore[attr-defined]


def _lifecycle(action: str) -> Callable[[argparse.Namespace, AgentConfig], int]:
    def run(args: argparse.Namespace, config: AgentConfig) -> int:
        store, engine = _engine(config)
        _prologue(config, store, engine)
        with engine.exclusive():
            getattr(engine.project(), {"start": "up"}.get(action, action))()
        console.print(_("{action}: done").format(action=action))
        return 0
    return run


def cmd_logs(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    for name, text in engine.docker.logs(engine.project_name, tail=args.tail):
        console.rule(name)
        console.print(text, markup=False, end="")
    return 0


def cmd_schedule_list(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    table = Table(title=_("Scheduled tasks"))
    for column in ("ID", _("Type"), _("Version"), _("Time"), _("Status"), _("Details")):
        table.add_column(column)
    for task in list_tasks(store):
        detail = task.details.get("error") or task.details.get("reason") or ""
        table.add_row(str(task.id), task.task_type, task.target_version, task.scheduled_at.astimezone().isoformat(timespec="minutes"),
                      task.status, str(detail))
    console.print(table)
    windows = maintenance_windows(config, store)
    if windows:
        console.print(_("Maintenance windows: {windows}").format(windows=", ".join(windows)))
    return 0


def cmd_schedule_cancel(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    task = cancel_task(store, args.task_id)
    console.print(_("Scheduled task {id} cancelled").format(id=task.id))
    return 0


def cmd_status(args: argparse.Namespace, config: AgentConfig) -> int:
    store, engine = _engine(config)
    _prologue(config, store, engine)
    table = Table(show_header=False, title=_("Upkeep agent status"))
    table.add_column(style="bold")
    table.add_column()
    link = store.get("link.state") or _("not connected")
    table.add_row(_("Server"), f"{link} {store.get('link.server') or config.server.address} {store.get('link.last_seen') or ''}".strip())
    link_state = LinkState(store)
    results, events = link_state.pending_counts()
    table.add_row(_("Pending"), _("{running} running, {results} results, {events} telemetry events to send").format(
        running=len(link_state.unfinished()), results=results, events=events))
    table.add_row(_("Agent version"), config.versions.client)
    table.add_row(_("Service version"), engine.current_version())
    try:
        table.add_row(_("Compose"), f"{engine.compose.flavour} {engine.compose.version} · {engine.project_name}")
        containers = engine.docker.containers(engine.project_name)
        lines = [f"{c.service or c.name}: {c.status}{' / ' + c.health if c.health else ''}" for c in containers]
        table.add_row(_("Containers"), "\n".join(lines) or _("none"))
    except Exception as exc:  # noqa: BLE001 - status shows what it can
        table.add_row(_("Containers"), f"[red]{getattr(exc, 'translated', lambda: str(exc))()}[/red]")
    task = pending_upgrade(store)
    table.add_row(_("Scheduled"), _("upgrade to {version} at {time} (task {id})").format(
        version=task.target_version, time=task.scheduled_at.astimezone().isoformat(timespec="minutes"), id=task.id) if task else _("none"))
    last = store.query("SELECT * FROM upgrade_history WHERE status != 'IN_PROGRESS' ORDER BY id DESC LIMIT 1")
    if last:
        row = last[0]
        table.add_row(_("Last upgrade"), f"{row['from_version']} → {row['to_version']}: {row['status']} "
                      f"{step_name(row['failed_step'] or '')} ({row['trigger']}, {str(row['finished_at'])[:19]})")
    available = json.loads(store.get(UPDATE_KEY) or "{}")
    if available.get("service_available"):
        table.add_row(_("Available"), available["service_available"])
    console.print(table)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    sub = subparsers.add_parser("check-update", help=_("show installed and available versions of the service and the agent"))
    sub.set_defaults(handler=cmd_check_update)

    sub = subparsers.add_parser("upgrade", help=_("upgrade the service (now, at a time, or in a maintenance window)"))
    origin = sub.add_mutually_exclusive_group()
    origin.add_argument("--bundle", type=Path, help=_("release bundle file (zip or tar)"))
    origin.add_argument("--url", help=_("URL of the release's full package"))
    sub.add_argument("--sha256", help=_("expected sha256 of the package at --url"))
    sub.add_argument("--version", help=_("version of the release in --bundle or --url"))
    when = sub.add_mutually_exclusive_group()
    when.add_argument("--at", help=_("schedule for this time (ISO 8601) instead of now"))
    when.add_argument("--window", nargs="?", const="", help=_("schedule for the next maintenance window (cron; default: the configured ones)"))
    sub.add_argument("--yes", "-y", action="store_true", help=_("do not ask for confirmation"))
    sub.set_defaults(handler=cmd_upgrade)

    sub = subparsers.add_parser("backup", help=_("back up the compose folder and the data folder now"))
    sub.set_defaults(handler=cmd_backup)
    sub = subparsers.add_parser("list-backups", help=_("list local backups"))
    sub.set_defaults(handler=cmd_list_backups)
    sub = subparsers.add_parser("rollback", help=_("restore a backup (overwrites files and data)"))
    sub.add_argument("backup_id", type=int, metavar="ID")
    sub.add_argument("--yes", "-y", action="store_true", help=_("do not ask for confirmation"))
    sub.set_defaults(handler=cmd_rollback)

    for action, text in (("start", N_("start the service")), ("stop", N_("stop the service")), ("restart", N_("restart the service"))):
        sub = subparsers.add_parser(action, help=_(text))
        sub.set_defaults(handler=_lifecycle(action))
    sub = subparsers.add_parser("logs", help=_("show the service's container logs"))
    sub.add_argument("--tail", type=int, default=100)
    sub.set_defaults(handler=cmd_logs)
    sub = subparsers.add_parser("status", help=_("server link, versions, containers, schedule and last upgrade"))
    sub.set_defaults(handler=cmd_status)

    schedule = subparsers.add_parser("schedule", help=_("scheduled upgrades"))
    actions = schedule.add_subparsers(dest="schedule_command", required=True)
    sub = actions.add_parser("list", help=_("list scheduled tasks"))
    sub.set_defaults(handler=cmd_schedule_list)
    sub = actions.add_parser("cancel", help=_("cancel a pending task"))
    sub.add_argument("task_id", type=int, metavar="ID")
    sub.set_defaults(handler=cmd_schedule_cancel)
