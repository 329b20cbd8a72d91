"""What the agent link keeps in ``history.db``: identity, executed commands, results not yet
acknowledged, telemetry batches not yet acknowledged, and the ``link.*`` status keys.

    received ──► running ──► done ──(server acknowledged the result)──► reported
        └──────────────────► done (refused, cancelled, or interrupted by an agent restart)

A command id is inserted once (``executed_commands`` primary key) before anything runs, so
a command is executed at most once whatever the server resends.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

from agent.store import Store
from generated.upkeep.v1 import agent_pb2 as pb, common_pb2

__all__ = ["Identity", "LinkState", "report_telemetry"]

#: Telemetry events per sealed batch.
BATCH_EVENTS = 100
#: Executed command ids sent in Hello (the newest ones).
HELLO_EXECUTED_LIMIT = 1000
SIGNING_KEY = "link.signing_public_key"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def report_telemetry(store: Store, event: pb.TelemetryEvent) -> None:
    """Queue one telemetry event; the running daemon ships it (any process may call this)."""
    if not event.HasField("occurred_at"):
        event.occurred_at.FromDatetime(datetime.now(UTC))
    with store.tx() as conn:
        conn.execute("INSERT INTO outbox(kind, payload, created_at) VALUES ('telemetry', ?, ?)", (event.SerializeToString(), _now()))


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Identity:
    client_uuid: str
    agent_id: int
    secret: str
    server_address: str
    project: str

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        """gRPC call credentials: the client id and the agent secret."""
        return (("x-upkeep-client-id", self.client_uuid), ("authorization", f"Bearer {self.secret}"))


class LinkState:
    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------------ identity

    def client_uuid(self) -> str:
        """The node's uuid, created once."""
        rows = self.store.query("SELECT client_uuid FROM client_identity WHERE id = 1")
        if rows:
            return str(rows[0]["client_uuid"])
        with self.store.tx() as conn:
            conn.execute("INSERT OR IGNORE INTO client_identity(id, client_uuid, created_at) VALUES (1, ?, ?)", (str(uuid.uuid4()), _now()))
        return str(self.store.query("SELECT client_uuid FROM client_identity WHERE id = 1")[0]["client_uuid"])

    def identity(self) -> Identity | None:
        rows = self.store.query("SELECT * FROM client_identity WHERE id = 1 AND secret IS NOT NULL")
        if not rows:
            return None
        row = rows[0]
        return Identity(client_uuid=row["client_uuid"], agent_id=int(row["agent_id"]), secret=row["secret"],
                        server_address=row["server_address"] or "", project=row["project"] or "")

    def save_enrollment(self, *, agent_id: int, secret: str, server_address: str, project: str, signing_key: str = "") -> None:
        self.client_uuid()
        with self.store.tx() as conn:
            conn.execute(
                "UPDATE client_identity SET agent_id = ?, secret = ?, server_address = ?, project = ?, enrolled_at = ? WHERE id = 1",
                (str(agent_id), secret, server_address, project, _now()),
            )
            conn.execute("INSERT INTO kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (SIGNING_KEY, signing_key))

    def signing_key(self) -> str:
        """The manifest signing key the server gave at enrollment (pinned from then on)."""
        return self.store.get(SIGNING_KEY) or ""

    # ------------------------------------------------------------------ status keys

    def set_link(self, state: str, **extra: str) -> None:
        with self.store.tx() as conn:
            for key, value in {"link.state": state, **{f"link.{k}": v for k, v in extra.items()}}.items():
                conn.execute("INSERT INTO kv(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # ------------------------------------------------------------------ commands

    def begin_command(self, command_id: str, command_type: str) -> bool:
        """Record a received command; False if this id was seen before (never run it again)."""
        with self.store.tx() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO executed_commands(command_id, command_type, status, received_at) VALUES (?, ?, 'received', ?)",
                (command_id, command_type, _now()),
            )
            return cursor.rowcount == 1

    def mark_running(self, command_id: str) -> None:
        with self.store.tx() as conn:
            conn.execute("UPDATE executed_commands SET status = 'running' WHERE command_id = ? AND status = 'received'", (command_id,))

    def finish_command(self, result: common_pb2.CommandResult) -> None:
        """Store the final result; it is resent until the server acknowledges it."""
        with self.store.tx() as conn:
            conn.execute(
                "UPDATE executed_commands SET status = 'done', result_proto = ?, result = ?, finished_at = ? WHERE command_id = ?",
                (result.SerializeToString(), "success" if result.success else (result.error_code or "failed"), _now(), result.command_id),
            )

    def status_of(self, command_id: str) -> str | None:
        rows = self.store.query("SELECT status FROM executed_commands WHERE command_id = ?", (command_id,))
        return rows[0]["status"] if rows else None

    def result_reported(self, command_id: str) -> None:
        with self.store.tx() as conn:
            conn.execute("UPDATE executed_commands SET reported = 1 WHERE command_id = ? AND status = 'done'", (command_id,))

    def unreported_results(self) -> list[common_pb2.CommandResult]:
        rows = self.store.query("SELECT result_proto FROM executed_commands WHERE status = 'done' AND reported = 0 ORDER BY finished_at")
        return [common_pb2.CommandResult.FromString(row["result_proto"]) for row in rows if row["result_proto"]]

    def unfinished(self) -> list[tuple[str, str]]:
        """(id, status) of commands received or running (e.g. when the agent process died)."""
        rows = self.store.query("SELECT command_id, status FROM executed_commands WHERE status IN ('received', 'running')")
        return [(row["command_id"], row["status"]) for row in rows]

    def hello_ids(self) -> tuple[list[str], list[str], str]:
        """(executed ids, running ids, newest id) for Hello."""
        rows = self.store.query(
            "SELECT command_id, status FROM executed_commands ORDER BY received_at DESC LIMIT ?", (HELLO_EXECUTED_LIMIT,)
        )
        executed = [row["command_id"] for row in rows]
        running = [row["command_id"] for row in rows if row["status"] in ("received", "running")]
        return executed, running, executed[0] if executed else ""

    # ------------------------------------------------------------------ telemetry

    def seal_batches(self) -> None:
        """Number the telemetry rows not yet in a batch, BATCH_EVENTS per batch."""
        with self.store.tx() as conn:
            rows = conn.execute("SELECT seq FROM outbox WHERE kind = 'telemetry' AND batch_seq IS NULL ORDER BY seq").fetchall()
            if not rows:
                return
            current = conn.execute("SELECT value FROM kv WHERE key = 'link.telemetry_seq'").fetchone()
            batch = int(current[0]) if current else 0
            for start in range(0, len(rows), BATCH_EVENTS):
                batch += 1
                ids = [r[0] for r in rows[start:start + BATCH_EVENTS]]
                conn.execute(f"UPDATE outbox SET batch_seq = ? WHERE seq IN ({','.join('?' * len(ids))})", (batch, *ids))
            conn.execute("INSERT INTO kv(key, value) VALUES ('link.telemetry_seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", (str(batch),))

    def batches(self, after: int = 0) -> list[pb.TelemetryBatch]:
        """Sealed batches not yet acknowledged, numbered above ``after``, in order."""
        rows = self.store.query(
            "SELECT batch_seq, payload FROM outbox WHERE kind = 'telemetry' AND batch_seq > ? ORDER BY batch_seq, seq", (after,)
        )
        batches: dict[int, pb.TelemetryBatch] = {}
        for row in rows:
            batch = batches.setdefault(row["batch_seq"], pb.TelemetryBatch(seq=row["batch_seq"]))
            batch.events.append(pb.TelemetryEvent.FromString(row["payload"]))
        return list(batches.values())

    def telemetry_acked(self, seq: int) -> None:
        with self.store.tx() as conn:
            conn.execute("DELETE FROM outbox WHERE kind = 'telemetry' AND batch_seq <= ?", (seq,))
            conn.execute("INSERT INTO kv(key, value) VALUES ('link.telemetry_acked', ?) ON CONFLICT(key) DO UPDATE SET value = "
                         "CAST(MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)", (str(seq),))

    def last_telemetry_ack(self) -> int:
        return int(self.store.get("link.telemetry_acked") or 0)

    def pending_counts(self) -> tuple[int, int]:
        """(results not acknowledged, telemetry events not acknowledged)."""
        results = self.store.query("SELECT COUNT(*) AS n FROM executed_commands WHERE status = 'done' AND reported = 0")[0]["n"]
        events = self.store.query("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'telemetry'")[0]["n"]
        return int(results), int(events)
