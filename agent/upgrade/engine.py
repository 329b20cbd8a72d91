"""The one upgrade flow, used by the CLI, by commands pushed from the server and by the scheduler.

    download ─ validate ─ backup ─┬─ stop ─ apply ─ load ─ start ─ health ─ cleanup ─ record ─▶ SUCCESS
      (nothing touched yet:       │   any failure from here:
       a failure just reports)    └─▶ rollback: down ─ restore backup ─ up ─ health ─▶ FAILED

The journal (``kv['upgrade.journal']`` in history.db) is written once the backup exists and
updated at every step, so an agent killed mid-upgrade rolls back (or, past the health check,
finishes) on its next start, before anything else. A file lock keeps one upgrade per node.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import logging
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from agent.backup import BackupRecord, create_backup, get_backup, prune_pre_upgrade, restore_backup
from agent.backup.service import PRE_UPGRADE
from agent.compose import ComposeCli, ComposeProject, DockerEngine, detect_compose, find_compose_file
from agent.config import AgentConfig
from agent.link import report_telemetry
from agent.settings import health_timeout_s
from agent.store import Store
from agent.upgrade.bundle import apply_files, bundle_files, check_images, image_tars
from agent.upgrade.health import wait_healthy
from agent.upgrade.sources import BundleSource
from agent.upgrade.versions_file import write_service_version
from common.errors import Conflict, NotFound, UpkeepError
from common.i18n import N_, _
from common.steps import step_name
from generated.upkeep.v1 import agent_pb2, common_pb2

__all__ = ["STEPS", "ProgressFn", "UpgradeEngine", "UpgradePlan", "UpgradeResult"]

logger = logging.getLogger(__name__)

ProgressFn = Callable[[str, float, str], Awaitable[None]]
#: Step name -> share of the whole progress bar.
STEPS: dict[str, float] = {
    "download": 25, "validate": 5, "backup": 20, "stop": 5, "apply": 5,
    "load": 15, "start": 5, "health": 15, "cleanup": 3, "record": 2,
}
JOURNAL_KEY = "upgrade.journal"
VERSION_KEY = "service.version"
FILES_KEY = "service.files"
BUSY = N_("Another upgrade or rollback is running on this node")
UNEXPECTED = N_("Unexpected error: {error}")
INTERRUPTED = N_("The agent stopped during step {step}; the previous version was restored")


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UpgradePlan:
    current_version: str
    target_version: str
    #: "full" or "incremental"
    kind: str
    bytes_to_fetch: int
    source: str
    notes: str = ""
    breaking: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class UpgradeResult:
    history_id: int
    from_version: str
    to_version: str
    #: "SUCCESS" | "FAILED" (previous state restored or untouched) | "ROLLBACK_FAILED"
    status: str
    failed_step: str = ""
    error_code: str = ""
    #: The error in the reader's language.
    error: str = ""
    rolled_back: bool = False
    backup_id: int | None = None
    step_timings: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"


async def _no_progress(step: str, percent: float, message: str) -> None:
    return None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class UpgradeEngine:
    """Upgrades, rolls back and recovers the node's compose service."""

    def __init__(self, config: AgentConfig, store: Store, *, docker: DockerEngine | None = None, compose: ComposeCli | None = None) -> None:
        self.config = config
        self.store = store
        self.docker = docker or DockerEngine()
        self._compose = compose

    # -- the compose project -------------------------------------------------------------

    @property
    def compose(self) -> ComposeCli:
        if self._compose is None:
            self._compose = detect_compose(self.config.docker.compose)
        return self._compose

    @property
    def project_name(self) -> str:
        return self.config.docker.project_name or self.config.compose_dir.name

    def project(self) -> ComposeProject:
        configured = self.config.docker.compose_file
        compose_file = configured if configured.is_file() else find_compose_file(self.config.compose_dir)
        return ComposeProject(compose_file=compose_file, name=self.project_name, cli=self.compose)

    def current_version(self) -> str:
        return self.store.get(VERSION_KEY) or self.config.versions.service

    async def wait_healthy(self) -> None:
        project = self.project()
        await wait_healthy(self.docker, project.name, project.spec().services,
                           timeout_s=health_timeout_s(self.config, self.store), probe_url=self.config.docker.http_probe_url)

    # -- locking and the journal ---------------------------------------------------------

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the node's upgrade lock (Conflict when another process holds it)."""
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        with (self.config.state_dir / "upgrade.lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise Conflict(BUSY, error_code="UPGRADE_IN_PROGRESS") from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _journal(self) -> dict | None:
        raw = self.store.get(JOURNAL_KEY)
        return json.loads(raw) if raw else None

    def _write_journal(self, journal: dict) -> None:
        self.store.put(JOURNAL_KEY, json.dumps(journal))

    def _clear_journal(self) -> None:
        with self.store.tx() as conn:
            conn.execute("DELETE FROM kv WHERE key = ?", (JOURNAL_KEY,))

    # -- the flow ------------------------------------------------------------------------

    def plan(self, source: BundleSource, *, notes: str = "", breaking: bool = False, kind: str = "full") -> UpgradePlan:
        return UpgradePlan(current_version=self.current_version(), target_version=source.version, kind=kind,
                           bytes_to_fetch=source.size_bytes, source=source.description, notes=notes, breaking=breaking)

    async def upgrade(self, source: BundleSource, *, trigger: str = "cli", command_id: str | None = None,
                      progress: ProgressFn | None = None) -> UpgradeResult:
        """Run the whole flow; always returns a result (errors are in it), raises only Conflict."""
        with self.exclusive():
            await self._recover_locked()
            return await _Run(self, source, trigger, command_id, progress or _no_progress).execute()

    async def recover(self) -> UpgradeResult | None:
        """Finish an upgrade a killed agent left behind; None when there was none (or one is running)."""
        try:
            with self.exclusive():
                return await self._recover_locked()
        except Conflict:
            return None

    async def _recover_locked(self) -> UpgradeResult | None:
        with self.store.tx() as conn:  # attempts that died before touching anything
            conn.execute("UPDATE upgrade_history SET status = 'FAILED', details = ?, finished_at = ? WHERE status = 'IN_PROGRESS'"
                         " AND id NOT IN (SELECT CAST(json_extract(value, '$.history_id') AS INTEGER) FROM kv WHERE key = ?)",
                         ("interrupted before the service was touched", _now(), JOURNAL_KEY))
        journal = self._journal()
        if journal is None:
            return None
        logger.warning("recovering interrupted upgrade history=%s step=%s", journal["history_id"], journal["step"])
        run = _Run.resume(self, journal)
        if journal["step"] in ("cleanup", "record"):
            return await run.finish()
        return await run.fail_and_roll_back(journal["step"], UpkeepError(INTERRUPTED, error_code="INTERRUPTED", step=journal["step"]))

    async def rollback_to(self, backup_id: int, *, progress: ProgressFn | None = None, trigger: str = "cli",
                          command_id: str | None = None) -> UpgradeResult:
        """Restore a backup (manual rollback): down, restore files and data, up, health."""
        report = progress or _no_progress
        record = get_backup(self.store, backup_id)
        with self.exclusive():
            await self._recover_locked()
            from_version = self.current_version()
            history_id = _start_history(self.store, from_version, record.service_version, trigger, command_id)
            timings: dict[str, float] = {}
            step = "stop"
            try:
                for step, percent, work in (
                    ("stop", 10.0, self._down_quietly),
                    ("restore", 40.0, lambda: self.restore(record)),
                    ("start", 70.0, lambda: self.project().up()),
                ):
                    await report(step, percent, "")  # the step id names it
                    started = time.monotonic()
                    await asyncio.to_thread(work)
                    timings[step] = round(time.monotonic() - started, 3)
                step = "health"
                await report(step, 85.0, "")
                started = time.monotonic()
                await self.wait_healthy()
                timings[step] = round(time.monotonic() - started, 3)
            except UpkeepError as exc:
                _finish_history(self.store, history_id, "FAILED", step, exc.message.format(**exc.params), timings)
                return UpgradeResult(history_id=history_id, from_version=from_version, to_version=record.service_version,
                                     status="FAILED", failed_step=step, error_code=exc.error_code, error=exc.translated(),
                                     backup_id=backup_id, step_timings=timings)
            self._set_version(record.service_version, None)
            _finish_history(self.store, history_id, "SUCCESS", "", f"restored backup {backup_id}", timings)
            await report("done", 100.0, _("Done"))
            return UpgradeResult(history_id=history_id, from_version=from_version, to_version=record.service_version,
                                 status="SUCCESS", backup_id=backup_id, step_timings=timings)

    def restore(self, record: BackupRecord) -> None:
        """Put a backup's files and data back, and reload its images if the engine lost them."""
        restore_backup(self.config, record)
        spec = self.project().spec()
        if all(self.docker.has_image(image) for image in spec.images.values() if image):
            return
        protected = [self.config.data_dir.resolve(), self.config.backup.storage_dir.resolve(), self.config.state_dir.resolve()]
        for tar in image_tars(self.config.compose_dir):
            if not any(p == tar.resolve() or p in tar.resolve().parents for p in protected):
                self.docker.load_image(tar)

    def _down_quietly(self) -> None:
        with contextlib.suppress(UpkeepError):
            self.project().down()

    def _set_version(self, version: str, files: list[str] | None) -> None:
        with self.store.tx() as conn:
            rows = [(VERSION_KEY, version)] + ([(FILES_KEY, json.dumps(files))] if files is not None else [])
            conn.executemany("INSERT INTO kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", rows)
        write_service_version(self.config.path, version)


def _start_history(store: Store, from_version: str, to_version: str, trigger: str, command_id: str | None) -> int:
    with store.tx() as conn:
        cursor = conn.execute(
            "INSERT INTO upgrade_history(from_version, to_version, status, trigger, command_id, started_at) VALUES (?, ?, 'IN_PROGRESS', ?, ?, ?)",
            (from_version, to_version, trigger, command_id, _now()))
        return int(cursor.lastrowid)


def _finish_history(store: Store, history_id: int, status: str, failed_step: str, details: str, timings: dict[str, float]) -> None:
    """Record the outcome, and queue it for the server's service_upgrade_history (shipped by the daemon)."""
    with store.tx() as conn:
        conn.execute("UPDATE upgrade_history SET status = ?, failed_step = ?, details = ?, step_timings = ?, finished_at = ? WHERE id = ?",
                     (status, failed_step or None, details, json.dumps(timings), _now(), history_id))
    row = store.query("SELECT * FROM upgrade_history WHERE id = ?", (history_id,))[0]
    record = agent_pb2.UpgradeRecord(
        from_version=row["from_version"], to_version=row["to_version"], command_id=row["command_id"] or "",
        outcome=common_pb2.UPGRADE_OUTCOME_SUCCESS if status == "SUCCESS" else common_pb2.UPGRADE_OUTCOME_FAILED,
        details=f"{failed_step}: {details}" if failed_step else details)
    record.upgraded_at.FromDatetime(dt.datetime.now(dt.UTC))
    report_telemetry(store, agent_pb2.TelemetryEvent(service_upgrade=record))


class _Run:
    """One upgrade attempt (or its resumption from the journal)."""

    def __init__(self, engine: UpgradeEngine, source: BundleSource | None, trigger: str, command_id: str | None, progress: ProgressFn) -> None:
        self.engine = engine
        self.source = source
        self.progress = progress
        self.trigger = trigger
        self.command_id = command_id
        self.timings: dict[str, float] = {}
        self.journal: dict = {}

    @classmethod
    def resume(cls, engine: UpgradeEngine, journal: dict) -> _Run:
        run = cls(engine, None, journal.get("trigger", "cli"), journal.get("command_id"), _no_progress)
        run.journal = journal
        run.timings = dict(journal.get("timings", {}))
        return run

    @property
    def staging(self) -> Path:
        return self.engine.config.state_dir / "staging" / str(self.journal["history_id"])

    async def _step(self, name: str, work: Callable[[], object], message: str = "") -> object:
        before = sum(weight for step, weight in STEPS.items() if list(STEPS).index(step) < list(STEPS).index(name))
        await self.progress(name, float(before), message)
        if self.journal.get("backup_id") is not None:
            self.journal["step"] = name
            self.journal["timings"] = self.timings
            self.engine._write_journal(self.journal)
        started = time.monotonic()
        try:
            result = work()
            if asyncio.iscoroutine(result):
                result = await result
        finally:
            self.timings[name] = round(time.monotonic() - started, 3)
        return result

    async def execute(self) -> UpgradeResult:
        engine, config, source = self.engine, self.engine.config, self.source
        assert source is not None
        from_version = engine.current_version()
        history_id = _start_history(engine.store, from_version, source.version, self.trigger, self.command_id)
        self.journal = {"history_id": history_id, "from_version": from_version, "to_version": source.version,
                        "trigger": self.trigger, "command_id": self.command_id, "backup_id": None, "step": "download"}
        bundle = self.staging / "bundle"
        shutil.rmtree(self.staging, ignore_errors=True)
        bundle.mkdir(parents=True)
        step = "download"
        try:
            async def fetch_progress(percent: float, message: str) -> None:
                await self.progress("download", STEPS["download"] * percent / 100, message)

            staged = await self._step("download", lambda: source.stage(bundle, fetch_progress))
            step = "validate"
            compose_file = await self._step("validate", lambda: asyncio.to_thread(self._validate, staged.folder))
            step = "backup"
            record = await self._step("backup", lambda: asyncio.to_thread(
                create_backup, config, engine.store, version=from_version, backup_type=PRE_UPGRADE))
        except UpkeepError as exc:
            return self._report_untouched(step, exc)
        except Exception as exc:  # noqa: BLE001 - any bug must still end in a report, not a half state
            logger.exception("upgrade failed before touching the service")
            return self._report_untouched(step, UpkeepError(UNEXPECTED, error=repr(exc)))
        self.journal.update(backup_id=record.id, staged=str(staged.folder), full=staged.full,
                            deleted=list(staged.deleted), compose_name=compose_file.name)
        try:
            step = "stop"
            await self._step("stop", lambda: asyncio.to_thread(engine._down_quietly if self._has_compose_file() else lambda: None))
            step = "apply"
            await self._step("apply", lambda: asyncio.to_thread(self._apply, staged))
            step = "load"
            await self._step("load", self._load_images)
            step = "start"
            await self._step("start", lambda: asyncio.to_thread(lambda: engine.project().up()))
            step = "health"
            await self._step("health", engine.wait_healthy)
        except UpkeepError as exc:
            return await self.fail_and_roll_back(step, exc)
        except Exception as exc:  # noqa: BLE001
            logger.exception("upgrade failed at %s", step)
            return await self.fail_and_roll_back(step, UpkeepError(UNEXPECTED, error=repr(exc)))
        return await self.finish()

    def _has_compose_file(self) -> bool:
        try:
            self.engine.project()
        except UpkeepError:
            return False
        return True

    def _validate(self, folder: Path) -> Path:
        compose_file = find_compose_file(folder)
        ComposeProject(compose_file=compose_file, name=self.engine.project_name, cli=self.engine.compose).validate()
        check_images(folder, compose_file, self.engine.docker.has_image)
        return compose_file

    def _apply(self, staged) -> None:  # type: ignore[no-untyped-def]
        config = self.engine.config
        new_files = set(bundle_files(staged.folder))
        previous = set(json.loads(self.engine.store.get(FILES_KEY) or "[]"))
        # A full bundle deletes what the previous release installed and this one lacks.
        deleted = set(staged.deleted) | (previous - new_files if staged.full else set())
        apply_files(staged.folder, config.compose_dir, deleted=sorted(deleted),
                    protected=[config.data_dir, config.backup.storage_dir, config.state_dir])
        self.journal["files"] = sorted(new_files if staged.full else (previous - deleted) | new_files)

    async def _load_images(self) -> None:
        tars = image_tars(Path(self.journal["staged"]))
        for index, tar in enumerate(tars):
            await self.progress("load", STEPS["download"] + 35 + 15 * index / max(len(tars), 1), tar.name)
            await asyncio.to_thread(self.engine.docker.load_image, tar)

    async def finish(self) -> UpgradeResult:
        engine = self.engine
        await self._step("cleanup", lambda: asyncio.to_thread(self._cleanup))
        await self._step("record", lambda: asyncio.to_thread(engine._set_version, self.journal["to_version"], self.journal.get("files")))
        _finish_history(engine.store, self.journal["history_id"], "SUCCESS", "", "", self.timings)
        engine._clear_journal()
        await self.progress("done", 100.0, _("Upgraded to {version}").format(version=self.journal["to_version"]))
        return self._result("SUCCESS")

    def _cleanup(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        prune_pre_upgrade(self.engine.config, self.engine.store)

    def _result(self, status: str, step: str = "", exc: UpkeepError | None = None, rolled_back: bool = False) -> UpgradeResult:
        return UpgradeResult(
            history_id=self.journal["history_id"], from_version=self.journal["from_version"], to_version=self.journal["to_version"],
            status=status, failed_step=step, error_code=exc.error_code if exc else "", error=exc.translated() if exc else "",
            rolled_back=rolled_back, backup_id=self.journal.get("backup_id"), step_timings=dict(self.timings))

    def _report_untouched(self, step: str, exc: UpkeepError) -> UpgradeResult:
        shutil.rmtree(self.staging, ignore_errors=True)
        _finish_history(self.engine.store, self.journal["history_id"], "FAILED", step, str(exc), self.timings)
        return self._result("FAILED", step, exc)

    async def fail_and_roll_back(self, step: str, exc: UpkeepError) -> UpgradeResult:
        """Restore the pre-upgrade backup and bring the previous version back up."""
        engine = self.engine
        logger.warning("upgrade step %s failed (%s); rolling back", step, exc)
        await self.progress("rollback", 0.0, _("Step {step} failed: {error}. Rolling back").format(step=step_name(step), error=exc.translated()))
        self.journal["failed_step"] = step
        engine._write_journal({**self.journal, "step": step})
        started = time.monotonic()
        status, details = "FAILED", str(exc)
        try:
            record = get_backup(engine.store, self.journal["backup_id"])
            await asyncio.to_thread(engine._down_quietly)
            await asyncio.to_thread(engine.restore, record)
            await asyncio.to_thread(lambda: engine.project().up())
            await engine.wait_healthy()
        except (UpkeepError, NotFound) as rollback_exc:
            status, details = "ROLLBACK_FAILED", f"{exc}; rollback: {rollback_exc}"
            logger.error("rollback failed: %s", rollback_exc)
        self.timings["rollback"] = round(time.monotonic() - started, 3)
        shutil.rmtree(self.staging, ignore_errors=True)
        _finish_history(engine.store, self.journal["history_id"], status, step, details, self.timings)
        engine._clear_journal()
        return self._result(status, step, exc, rolled_back=status == "FAILED")
