"""Release-area dataclasses to protobuf and proto enums to service values."""

from __future__ import annotations

import json

from common.errors import InvalidInput
from common.i18n import N_
from generated.upkeep.v1 import admin_pb2 as pb
from generated.upkeep.v1 import common_pb2 as cpb
from server.rpc.convert import timestamp
from server.services.artifacts import ArtifactInfo, ArtifactSpec, stored_path, spec_from_url
from server.services.channels import ChannelInfo
from server.services.projects import ProjectInfo
from server.services.releases import ReleaseInfo
from server.services.rules import RuleInfo

__all__ = [
    "action_from_proto",
    "artifact",
    "artifact_spec",
    "channel",
    "kind_from_proto",
    "project",
    "release",
    "rule",
    "status_from_proto",
]

ACTION_REQUIRED = N_("A rule action is required: allow, block or pin")

_KINDS = {cpb.RELEASE_KIND_SERVICE: "service", cpb.RELEASE_KIND_CLIENT: "client"}
_KINDS_OUT = {v: k for k, v in _KINDS.items()}
_STATUSES = {
    cpb.RELEASE_STATUS_DRAFT: "draft", cpb.RELEASE_STATUS_PUBLISHED: "published",
    cpb.RELEASE_STATUS_PAUSED: "paused", cpb.RELEASE_STATUS_REVOKED: "revoked",
}
_STATUSES_OUT = {v: k for k, v in _STATUSES.items()}
_ACTIONS = {cpb.RULE_ACTION_ALLOW: "allow", cpb.RULE_ACTION_BLOCK: "block", cpb.RULE_ACTION_PIN: "pin"}
_ACTIONS_OUT = {v: k for k, v in _ACTIONS.items()}


_EVENT_ACTIONS = {
    pb.UPDATE_ACTION_CHECK: "check", pb.UPDATE_ACTION_DOWNLOAD: "download", pb.UPDATE_ACTION_INSTALL: "install",
    pb.UPDATE_ACTION_SUCCESS: "success", pb.UPDATE_ACTION_FAILED: "failed",
}
_EVENT_ACTIONS_OUT = {v: k for k, v in _EVENT_ACTIONS.items()}


def event_action_from_proto(value: int) -> str:
    """``all`` for UNSPECIFIED."""
    return _EVENT_ACTIONS.get(value, "all")


def action_count(action: str, count: int) -> pb.ActionCount:
    return pb.ActionCount(action=_EVENT_ACTIONS_OUT[action], count=count)


def kind_from_proto(value: int, *, default: str | None) -> str | None:
    return _KINDS.get(value, default)


def status_from_proto(value: int) -> str:
    return _STATUSES.get(value, "")


def action_from_proto(value: int) -> str:
    if value not in _ACTIONS:
        raise InvalidInput(ACTION_REQUIRED, error_code="INVALID_RULE_ACTION")
    return _ACTIONS[value]


def project(info: ProjectInfo) -> cpb.Project:
    message = cpb.Project(
        id=info.id, slug=info.slug, name=info.name, description=info.description or "",
        default_channel=info.default_channel, created_at=timestamp(info.created_at),
        download_mirrors=info.download_mirrors, agent_backup_retention=info.agent_backup_retention or 0,
    )
    if info.agent_health_timeout_s:
        message.agent_health_check_timeout.FromSeconds(info.agent_health_timeout_s)
    return message


def channel(info: ChannelInfo, project_slug: str) -> cpb.Channel:
    return cpb.Channel(
        id=info.id, project=project_slug, name=info.name, display_name=info.display_name,
        description=info.description or "", is_active=info.is_active, auto_publish=info.auto_publish,
        rollout_percentage=info.rollout_percentage, created_at=timestamp(info.created_at),
    )


def artifact(info: ArtifactInfo, public_url: str) -> cpb.Artifact:
    return cpb.Artifact(
        id=info.id, release_id=info.release_id, platform=info.platform, file_name=info.file_name,
        size=info.size, checksum=info.checksum, signature=info.signature or "",
        url=info.external_url or public_url + stored_path(info), manifest_id=info.manifest_id or 0,
        created_at=timestamp(info.created_at),
    )


def release(info: ReleaseInfo, public_url: str) -> cpb.Release:
    message = cpb.Release(
        id=info.id, project=info.project, kind=_KINDS_OUT[info.kind], version=info.version,
        display_version=info.display_version, channel=info.channel, title=info.title,
        description=info.description or "", release_notes=info.release_notes or "",
        release_notes_i18n=info.release_notes_i18n, breaking_changes=info.breaking_changes or "",
        min_upgrade_version=info.min_upgrade_version or "", is_forced=info.is_forced,
        status=_STATUSES_OUT[info.status], publish_time=timestamp(info.publish_time),
        artifacts=[artifact(a, public_url) for a in info.artifacts],
        created_at=timestamp(info.created_at), updated_at=timestamp(info.updated_at),
    )
    if info.rollout_percentage is not None:
        message.rollout_percentage = info.rollout_percentage
    return message


def rule(info: RuleInfo, project_slug: str) -> cpb.UpdateRule:
    return cpb.UpdateRule(
        id=info.id, project=project_slug, name=info.name, target_region=info.target_region or "",
        target_version_range=info.target_version_range or "", os=info.os or "", arch=info.arch or "",
        labels=info.labels, enabled=info.enabled, priority=info.priority,
        rollout_config=json.dumps(info.rollout_config) if info.rollout_config is not None else "",
        action=_ACTIONS_OUT[info.action], pin_version=info.pin_version or "", channel=info.channel or "",
        created_at=timestamp(info.created_at), updated_at=timestamp(info.updated_at),
    )


def artifact_spec(spec: pb.ArtifactSpec) -> ArtifactSpec:
    return spec_from_url(
        url=spec.url, size=spec.size, checksum=spec.checksum, platform=spec.platform or "any",
        file_name=spec.file_name, signature=spec.signature or None,
    )
