"""Update rules of the current project: evaluation order, enable/disable, create and edit."""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

from common.errors import UpkeepError
from server.services import audit, channels, rules
from server.services.channels import ChannelInfo
from server.services.roles import Role
from server.services.rules import RuleInfo
from webui.dialogs import confirm
from webui.forms import FormErrors
from webui.i18n import N_, _
from webui.labels import channel_label
from webui.layout import PageContext, console_page
from webui.pages.agents import parse_labels
from webui.session import action
from webui.state import transaction

RULE_ACTIONS: dict[str, str] = {"allow": N_("Allow"), "block": N_("Block"), "pin": N_("Pin to a version")}


@console_page("/rules", N_("Update rules"))
async def rules_page(ctx: PageContext) -> None:
    if ctx.project is None:
        ui.label(_("No project exists yet. Create one on the projects page."))
        return
    project = ctx.project.slug
    can_change = ctx.can(Role.OPERATOR)
    ui.label(_("Rules are evaluated from top to bottom; the first that matches a client decides.")).classes(
        "text-grey-8")
    listing = ui.column().classes("w-full gap-2").props('data-testid="rules-list"')
    async with transaction() as session:
        project_channels = {c.name: c for c in await channels.list_channels(session, project)}

    async def load() -> None:
        async with transaction() as session:
            listed = await rules.list_rules(session, project)
        listing.clear()
        with listing:
            if not listed:
                ui.label(_("No rules yet: every client gets the newest release of its channel."))
            for position, rule in enumerate(listed):
                _rule_row(rule, position, len(listed))

    def _rule_row(rule: RuleInfo, position: int, count: int) -> None:
        with ui.card().classes("w-full p-2").props(f'flat bordered data-testid="rule-{rule.name}"'):
            with ui.row().classes("w-full items-center gap-3 no-wrap"):
                ui.label(str(position + 1)).classes("text-grey-8 w-6")
                enabled = ui.switch(value=rule.enabled).props(f'data-testid="rule-enabled-{rule.name}"')
                ui.label(rule.name).classes("font-bold")
                ui.badge(_(RULE_ACTIONS.get(rule.action, rule.action)) + (
                    f" {rule.pin_version}" if rule.pin_version else ""), color="primary")
                ui.label(_describe(rule, project_channels)).classes("text-sm text-grey-8 grow").props(
                    f'data-testid="rule-targets-{rule.name}"')
                if can_change:
                    up = ui.button(icon="arrow_upward", on_click=lambda r=rule: move(r.id, -1)).props(
                        f'flat dense round data-testid="rule-up-{rule.name}"')
                    down = ui.button(icon="arrow_downward", on_click=lambda r=rule: move(r.id, 1)).props(
                        f'flat dense round data-testid="rule-down-{rule.name}"')
                    up.set_enabled(position > 0)
                    down.set_enabled(position < count - 1)
                    ui.button(icon="edit", on_click=lambda r=rule: _rule_dialog(ctx, r, project_channels, load)).props(
                        f'flat dense round data-testid="rule-edit-{rule.name}"')
                    ui.button(icon="delete", on_click=lambda r=rule: remove(r)).props(
                        f'flat dense round color=negative data-testid="rule-delete-{rule.name}"')
                    enabled.on_value_change(lambda e, r=rule: toggle(r, bool(e.value)))
                else:
                    enabled.disable()

    @action(Role.OPERATOR)
    async def toggle(rule: RuleInfo, value: bool) -> None:
        async with transaction() as session:
            await rules.update_rule(session, rule.id, enabled=value)
            await audit.record_audit(session, ctx.principal, "rule.update", "rule", rule.id, {"enabled": value}, ctx.ip)
        ui.notify(_("Rule {name} saved.").format(name=rule.name), type="positive")

    @action(Role.OPERATOR)
    async def move(rule_id: int, offset: int) -> None:
        async with transaction() as session:
            order = [r.id for r in await rules.list_rules(session, project)]
            index = order.index(rule_id)
            order.insert(index + offset, order.pop(index))
            await rules.reorder_rules(session, project, order)
            await audit.record_audit(session, ctx.principal, "rule.reorder", "project", project, {"order": order},
                                     ctx.ip)
        await load()

    @action(Role.OPERATOR)
    async def remove(rule: RuleInfo) -> None:
        if not await confirm(_("Delete the rule {name}?").format(name=rule.name), ok=_("Delete")):
            return
        async with transaction() as session:
            await rules.delete_rule(session, rule.id)
            await audit.record_audit(session, ctx.principal, "rule.delete", "rule", rule.id, {"name": rule.name},
                                     ctx.ip)
        await load()

    if can_change:
        ui.button(_("New rule"), icon="add", on_click=lambda: _rule_dialog(ctx, None, project_channels, load)).props(
            'data-testid="new-rule"')
    await load()


def _channel_name(name: str, project_channels: dict[str, ChannelInfo]) -> str:
    found = project_channels.get(name)
    return channel_label(name, found.display_name if found else None)


def _describe(rule: RuleInfo, project_channels: dict[str, ChannelInfo]) -> str:
    parts = []
    if rule.channel:
        parts.append(_("channel {value}").format(value=_channel_name(rule.channel, project_channels)))
    if rule.target_region:
        parts.append(_("region {value}").format(value=rule.target_region))
    if rule.target_version_range:
        parts.append(_("versions {value}").format(value=rule.target_version_range))
    if rule.os or rule.arch:
        parts.append("-".join(p for p in (rule.os, rule.arch) if p))
    if rule.labels:
        parts.append(", ".join(f"{k}={v}" for k, v in sorted(rule.labels.items())))
    return " · ".join(parts) or _("every client")


def _rule_dialog(  # type: ignore[no-untyped-def]
    ctx: PageContext, rule: RuleInfo | None, project_channels: dict[str, ChannelInfo], reload,
) -> None:
    assert ctx.project is not None
    project = ctx.project.slug
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[36rem]").props('data-testid="rule-dialog"'):
        ui.label(_("New rule") if rule is None else _("Edit rule")).classes("text-h6")
        name = ui.input(_("Name"), value=rule.name if rule else "").props('data-testid="rule-name"').classes("w-full")
        with ui.row().classes("w-full gap-3 no-wrap"):
            verb = ui.select({k: _(v) for k, v in RULE_ACTIONS.items()}, value=rule.action if rule else "allow",
                             label=_("Action")).classes("w-48").props('data-testid="rule-action"')
            pin = ui.input(_("Pinned version"), value=(rule.pin_version or "") if rule else "").props(
                'data-testid="rule-pin"').classes("grow")
        channel_options = {"": _("All channels")} | {
            name: _channel_name(name, project_channels) for name in project_channels}
        channel = ui.select(channel_options, value=(rule.channel or "") if rule else "", label=_("Channel")).classes(
            "w-full").props('data-testid="rule-channel"')
        with ui.row().classes("w-full gap-3 no-wrap"):
            region = ui.input(_("Region"), value=(rule.target_region or "") if rule else "").classes("w-1/3")
            versions = ui.input(_("Client versions"), placeholder=">=1.0.0,<2.0.0",
                                value=(rule.target_version_range or "") if rule else "").props(
                'data-testid="rule-versions"').classes("grow")
        with ui.row().classes("w-full gap-3 no-wrap"):
            os_name = ui.input(_("Operating system"), value=(rule.os or "") if rule else "").classes("w-1/2")
            arch = ui.input(_("Architecture"), value=(rule.arch or "") if rule else "").classes("w-1/2")
        labels = ui.input(_("Labels (key=value, ...)"), value=", ".join(
            f"{k}={v}" for k, v in sorted((rule.labels if rule else {}).items()))).classes("w-full")
        rollout = ui.textarea(_("Rollout settings (JSON)"), value=json.dumps(rule.rollout_config) if rule and
                              rule.rollout_config else "").props("rows=2").classes("w-full font-mono")
        errors = FormErrors({"INVALID_VERSION": pin, "INVALID_VERSION_RANGE": versions, "CHANNEL_NOT_FOUND": channel})

        @action(Role.OPERATOR)
        async def save() -> None:
            errors.clear()
            if not name.value.strip():
                errors.field(name, _("This field is required."))
                return
            fields: dict[str, Any] = {
                "name": name.value.strip(), "action": verb.value, "pin_version": pin.value.strip() or None,
                "target_region": region.value, "target_version_range": versions.value,
                "os": os_name.value.strip() or None, "arch": arch.value.strip() or None,
                "labels": parse_labels(labels.value or ""), "rollout_config": rollout.value,
                "channel": channel.value or "",
            }
            try:
                async with transaction() as session:
                    if rule is None:
                        saved = await rules.create_rule(session, project=project, **fields)
                    else:
                        saved = await rules.update_rule(session, rule.id, **fields)
                    await audit.record_audit(session, ctx.principal, "rule.create" if rule is None else "rule.update",
                                             "rule", saved.id, {"name": saved.name, "channel": saved.channel}, ctx.ip)
            except UpkeepError as exc:
                errors.show(exc)
                return
            dialog.close()
            await reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=dialog.close).props("flat")
            ui.button(_("Save"), on_click=save).props('data-testid="rule-save"')
