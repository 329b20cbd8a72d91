"""Projects: create, edit, and choose the one every other page works on."""

from __future__ import annotations

from nicegui import app, ui

from common.errors import UpkeepError
from server.services import audit, projects
from server.services.projects import ProjectInfo
from server.services.roles import Role
from webui.forms import FormErrors, slot
from webui.i18n import N_, _, fmt_datetime
from webui.labels import channel_label
from webui.layout import PageContext, console_page
from webui.mirrors import open_mirrors_dialog
from webui.session import action
from webui.state import transaction


@console_page("/projects", N_("Projects"))
async def projects_page(ctx: PageContext) -> None:
    if ctx.can(Role.OPERATOR):
        ui.button(_("New project"), icon="add", on_click=lambda: _edit_dialog(ctx, None)).props(
            'data-testid="new-project"'
        )
    columns = [
        {"name": "slug", "label": _("Identifier"), "field": "slug", "align": "left"},
        {"name": "name", "label": _("Name"), "field": "name", "align": "left"},
        {"name": "description", "label": _("Description"), "field": "description", "align": "left"},
        {"name": "default_channel", "label": _("Default channel"), "field": "default_channel", "align": "left"},
        {"name": "mirrors", "label": _("Mirrors"), "field": "mirrors", "align": "left"},
        {"name": "created", "label": _("Created"), "field": "created", "align": "left"},
        {"name": "actions", "label": "", "field": "slug", "align": "right"},
    ]
    rows = [
        {
            "slug": p.slug, "name": p.name, "description": p.description or "",
            "default_channel": channel_label(p.default_channel), "created": fmt_datetime(p.created_at),
            "mirrors": ", ".join(sorted(p.download_mirrors)),
            "current": ctx.project is not None and p.slug == ctx.project.slug,
        }
        for p in ctx.projects
    ]
    empty = _("No projects yet.")
    table = ui.table(columns=columns, rows=rows, row_key="slug").classes("w-full").props(
        f'flat bordered hide-bottom no-data-label="{empty}" data-testid="projects-table"'
    )
    table.add_slot(
        "body-cell-actions",
        slot(
            """<q-td :props="props">
            <q-badge v-if="props.row.current" color="positive" label="%(current)s" class="q-mr-sm" />
            <q-btn v-else flat dense no-caps color="primary" label="%(use)s"
                   @click="$parent.$emit('use', props.row.slug)" :data-testid="'use-' + props.row.slug" />
            <q-btn v-if="%(can_edit)s" flat dense no-caps label="%(edit)s"
                   @click="$parent.$emit('edit', props.row.slug)" :data-testid="'edit-' + props.row.slug" />
            </q-td>""",
            current=_("Current"), use=_("Use"), edit=_("Edit"), can_edit=str(ctx.can(Role.OPERATOR)).lower(),
        ),
    )
    table.add_slot(
        "body-cell-mirrors",
        slot(
            """<q-td :props="props">{{ props.value }}
            <q-btn v-if="%(can_edit)s" flat dense round size="sm" icon="edit" color="primary"
                   @click="$parent.$emit('mirrors', props.row.slug)" :data-testid="'mirrors-of-' + props.row.slug">
              <q-tooltip>%(edit)s</q-tooltip></q-btn>
            </q-td>""",
            edit=_("Edit the download mirrors"), can_edit=str(ctx.can(Role.OPERATOR)).lower(),
        ),
    )
    by_slug = {p.slug: p for p in ctx.projects}
    table.on("use", lambda e: _use(e.args))
    table.on("edit", lambda e: _edit_dialog(ctx, by_slug[e.args]))
    table.on("mirrors", lambda e: open_mirrors_dialog(ctx, by_slug[e.args]))


def _use(slug: str) -> None:
    app.storage.user["project"] = slug
    ui.navigate.reload()


def _edit_dialog(ctx: PageContext, project: ProjectInfo | None) -> None:
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[32rem]").props('data-testid="project-dialog"'):
        ui.label(_("New project") if project is None else _("Edit project")).classes("text-h6")
        slug = ui.input(_("Identifier"), value=project.slug if project else "").props(
            'data-testid="project-slug"'
        ).classes("w-full")
        if project is not None:
            slug.disable()
        name = ui.input(_("Name"), value=project.name if project else "").props(
            'data-testid="project-name"'
        ).classes("w-full")
        description = ui.textarea(_("Description"), value=(project.description or "") if project else "").props(
            'data-testid="project-description" autogrow'
        ).classes("w-full")
        health_timeout = retention = None
        if project is not None:
            ui.label(_("Agents of this project (0: each node's config.toml)")).classes("text-subtitle2 mt-2")
            with ui.row().classes("w-full no-wrap gap-3"):
                health_timeout = ui.number(_("Health check timeout (s)"), value=project.agent_health_timeout_s or 0,
                                           min=0, precision=0).props('data-testid="project-health-timeout"').classes("w-1/2")
                retention = ui.number(_("Pre-upgrade backups kept"), value=project.agent_backup_retention or 0,
                                      min=0, precision=0).props('data-testid="project-backup-retention"').classes("w-1/2")
        fields = {"INVALID_PROJECT": slug, "PROJECT_EXISTS": slug,
                  "INVALID_HEALTH_TIMEOUT": health_timeout, "INVALID_BACKUP_RETENTION": retention}
        errors = FormErrors({code: field for code, field in fields.items() if field is not None})

        @action(Role.OPERATOR)
        async def save() -> None:
            errors.clear()
            if not slug.value.strip():
                errors.field(slug, _("This field is required."))
            if not name.value.strip():
                errors.field(name, _("This field is required."))
            if errors.any:
                return
            try:
                async with transaction() as session:
                    if project is None:
                        created = await projects.create_project(
                            session, slug=slug.value.strip(), name=name.value.strip(),
                            description=description.value.strip() or None,
                        )
                        app.storage.user["project"] = created.slug
                        await audit.record_audit(session, ctx.principal, "project.create", "project", created.slug,
                                                 None, ctx.ip)
                    else:
                        assert health_timeout is not None and retention is not None
                        await projects.update_project(
                            session, project.slug, name=name.value.strip(), description=description.value.strip(),
                            agent_health_timeout_s=int(health_timeout.value or 0), agent_backup_retention=int(retention.value or 0),
                        )
                        await audit.record_audit(session, ctx.principal, "project.update", "project", project.slug,
                                                 None, ctx.ip)
            except UpkeepError as exc:
                errors.show(exc)
                return
            dialog.close()
            ui.navigate.reload()

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=dialog.close).props("flat")
            ui.button(_("Save"), on_click=save).props('data-testid="project-save"')
