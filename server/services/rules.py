"""Update rules (seed 1 `update_rules`): who gets what, evaluated by priority.

The first enabled rule (highest priority first, then lowest id) whose targets all match
the client decides: ``allow`` lets the normal resolution go on, ``block`` offers nothing,
``pin`` holds the client at ``pin_version`` (offers nothing newer). Unset targets match
any client; labels must all be present with equal values. A rule limited to a channel
is evaluated only for clients asking in that channel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.errors import InvalidInput, NotFound
from common.i18n import N_
from common.platforms import canonical_arch, canonical_os
from common.versions import Version, VersionRange
from server.db.models import Channel, UpdateRule
from server.services.changes import mark_changed
from server.services.channels import channel_row
from server.services.projects import project_row
from server.services.releases import UNSET

__all__ = [
    "RuleInfo",
    "create_rule",
    "delete_rule",
    "list_rules",
    "reorder_rules",
    "rule_matches",
    "update_rule",
]

RULE_NOT_FOUND = N_("Update rule {rule_id} not found")
BAD_ACTION = N_("Invalid rule action {action!r}: expected allow, block or pin")
PIN_NEEDS_VERSION = N_("A pin rule needs pin_version")
BAD_NAME = N_("A rule needs a name of 1 to 100 characters")
BAD_ROLLOUT_CONFIG = N_("rollout_config must be a JSON object")
BAD_ORDER = N_("The new order must list every rule of the project exactly once")
ACTIONS = ("allow", "block", "pin")


@dataclass(frozen=True, kw_only=True, slots=True)
class RuleInfo:
    id: int
    project_id: int
    name: str
    target_region: str | None
    target_version_range: str | None
    #: Canonical os / arch names, or None for any.
    os: str | None
    arch: str | None
    labels: dict[str, str]
    enabled: bool
    #: Higher first.
    priority: int
    rollout_config: dict[str, Any] | None
    #: ``allow``, ``block`` or ``pin``.
    action: str
    pin_version: str | None
    #: The one channel the rule applies in (id and name); None = every channel.
    channel_id: int | None
    channel: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_orm(cls, row: UpdateRule, channel_names: Mapping[int, str]) -> RuleInfo:
        """``channel_names``: the project's channels by id (for the rule's channel name)."""
        return cls(
            id=row.id, project_id=row.project_id, name=row.name, target_region=row.target_region,
            target_version_range=row.target_version_range, os=row.os, arch=row.arch, labels=dict(row.labels or {}),
            enabled=row.enabled, priority=row.priority, rollout_config=row.rollout_config, action=row.action,
            pin_version=row.pin_version, channel_id=row.channel_id,
            channel=channel_names[row.channel_id] if row.channel_id is not None else None,
            created_at=row.created_at, updated_at=row.updated_at,
        )


async def _channel_names(session: AsyncSession, project_id: int) -> dict[int, str]:
    rows = await session.execute(select(Channel.id, Channel.name).where(Channel.project_id == project_id))
    return {channel_id: name for channel_id, name in rows}


async def _channel_id(session: AsyncSession, project_id: int, channel: str | None) -> int | None:
    """The id of ``channel`` in the project (NotFound when unknown); None for empty = every channel."""
    if not channel or not channel.strip():
        return None
    return (await channel_row(session, project_id, channel)).id


async def _info(session: AsyncSession, row: UpdateRule) -> RuleInfo:
    return RuleInfo.from_orm(row, await _channel_names(session, row.project_id))


def rule_matches(
    rule: RuleInfo, *, channel_id: int, region: str | None, version: Version, os: str | None, arch: str | None,
    labels: dict[str, str], version_range: VersionRange | None = None,
) -> bool:
    """Whether every target of ``rule`` matches the client (``os``/``arch`` canonical) in ``channel_id``."""
    if rule.channel_id is not None and rule.channel_id != channel_id:
        return False
    if rule.target_region and (region or "").strip().lower() != rule.target_region:
        return False
    if rule.os and rule.os != os:
        return False
    if rule.arch and rule.arch != arch:
        return False
    if any(labels.get(k) != v for k, v in rule.labels.items()):
        return False
    if rule.target_version_range:
        rng = version_range or VersionRange.parse(rule.target_version_range)
        if not rng.contains(version):
            return False
    return True


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise rule fields (only those present)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key == "name":
            if not value or len(value) > 100:
                raise InvalidInput(BAD_NAME, error_code="INVALID_RULE")
        elif key == "target_region":
            value = (value or "").strip().lower() or None
        elif key == "target_version_range":
            value = VersionRange.parse(value).text if value and value.strip() not in ("", "*") else None
        elif key == "os":
            value = canonical_os(value) if value else None
        elif key == "arch":
            value = canonical_arch(value) if value else None
        elif key == "labels":
            value = {str(k): str(v) for k, v in (value or {}).items()}
        elif key == "action":
            if value not in ACTIONS:
                raise InvalidInput(BAD_ACTION, error_code="INVALID_RULE_ACTION", action=value)
        elif key == "pin_version":
            value = Version.parse(value).display if value else None
        elif key == "rollout_config":
            if isinstance(value, str):
                try:
                    value = json.loads(value) if value.strip() else None
                except ValueError:
                    raise InvalidInput(BAD_ROLLOUT_CONFIG, error_code="INVALID_RULE") from None
            if value is not None and not isinstance(value, dict):
                raise InvalidInput(BAD_ROLLOUT_CONFIG, error_code="INVALID_RULE")
        out[key] = value
    return out


def _check_pin(action: str, pin_version: str | None) -> None:
    if action == "pin" and not pin_version:
        raise InvalidInput(PIN_NEEDS_VERSION, error_code="INVALID_RULE")


async def create_rule(
    session: AsyncSession,
    *,
    project: str,
    name: str,
    target_region: str | None = None,
    target_version_range: str | None = None,
    os: str | None = None,
    arch: str | None = None,
    labels: dict[str, str] | None = None,
    enabled: bool = True,
    priority: int = 0,
    rollout_config: dict[str, Any] | str | None = None,
    action: str = "allow",
    pin_version: str | None = None,
    channel: str | None = None,
) -> RuleInfo:
    """A new rule; ``channel`` limits it to that channel of the project (None = every channel)."""
    fields = _clean(dict(
        name=name, target_region=target_region, target_version_range=target_version_range, os=os, arch=arch,
        labels=labels, action=action, pin_version=pin_version, rollout_config=rollout_config,
    ))
    _check_pin(fields["action"], fields["pin_version"])
    proj = await project_row(session, project)
    channel_id = await _channel_id(session, proj.id, channel)
    row = UpdateRule(project_id=proj.id, enabled=enabled, priority=priority, channel_id=channel_id, **fields)
    session.add(row)
    await session.flush()
    mark_changed(session, proj.id)
    return await _info(session, row)


async def _row(session: AsyncSession, rule_id: int) -> UpdateRule:
    row = await session.get(UpdateRule, rule_id)
    if row is None:
        raise NotFound(RULE_NOT_FOUND, error_code="RULE_NOT_FOUND", rule_id=rule_id)
    return row


async def list_rules(session: AsyncSession, project: str, *, enabled_only: bool = False) -> list[RuleInfo]:
    """Rules in evaluation order: priority descending, then id."""
    proj = await project_row(session, project)
    query = select(UpdateRule).where(UpdateRule.project_id == proj.id)
    if enabled_only:
        query = query.where(UpdateRule.enabled.is_(True))
    rows = await session.scalars(query.order_by(UpdateRule.priority.desc(), UpdateRule.id))
    names = await _channel_names(session, proj.id)
    return [RuleInfo.from_orm(r, names) for r in rows]


async def update_rule(session: AsyncSession, rule_id: int, **changes: Any) -> RuleInfo:
    """Change the given fields (UNSET or missing leaves a field as it is; ``channel=""``: every channel)."""
    row = await _row(session, rule_id)
    present = {k: v for k, v in changes.items() if v is not UNSET}
    simple = {k: present.pop(k) for k in ("enabled", "priority") if k in present}
    if "channel" in present:
        simple["channel_id"] = await _channel_id(session, row.project_id, present.pop("channel"))
    fields = _clean(present)
    _check_pin(fields.get("action", row.action), fields.get("pin_version", row.pin_version))
    for key, value in {**fields, **simple}.items():
        setattr(row, key, value)
    await session.flush()
    mark_changed(session, row.project_id)
    return await _info(session, row)


async def delete_rule(session: AsyncSession, rule_id: int) -> None:
    row = await _row(session, rule_id)
    await session.delete(row)
    await session.flush()
    mark_changed(session, row.project_id)


async def reorder_rules(session: AsyncSession, project: str, rule_ids: list[int]) -> list[RuleInfo]:
    """Rewrite priorities so ``rule_ids`` (highest first) is the evaluation order."""
    proj = await project_row(session, project)
    rows = {r.id: r for r in await session.scalars(select(UpdateRule).where(UpdateRule.project_id == proj.id))}
    if sorted(rule_ids) != sorted(rows) or len(set(rule_ids)) != len(rule_ids):
        raise InvalidInput(BAD_ORDER, error_code="INVALID_RULE_ORDER")
    for position, rule_id in enumerate(rule_ids):
        rows[rule_id].priority = len(rule_ids) - position
    await session.flush()
    mark_changed(session, proj.id)
    return await list_rules(session, project)
