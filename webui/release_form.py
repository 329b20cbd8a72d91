"""The release dialog: every field of seed 1's form, Markdown preview, drag-and-drop upload.

    new:  fill in ──► [Save draft | Publish now] ──► create_release (+ artifacts, + bundle ingest)
    edit: change ──► [Save] ──► update_release (+ new artifacts)
Bad input leaves a message at the field and writes nothing (a failed bundle ingest removes
the release it was meant for).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import context, events, ui

from common.errors import UpkeepError
from common.platforms import canonical_platform
from server.services import audit, bundles, releases
from server.services.artifacts import ArtifactSpec, put_artifact
from server.services.channels import ChannelInfo
from server.services.releases import ReleaseInfo
from server.services.roles import Role
from server.storage.artifacts import StoredBlob, blob_key
from webui.forms import FormErrors
from webui.i18n import _, fmt_number
from webui.labels import KINDS, channel_label
from webui.layout import PageContext
from webui.markdown import render_markdown
from webui.session import action
from webui.state import runtime, transaction
from webui.uploads import Upload, discard, receive, store_artifact, stored_artifacts

__all__ = ["open_release_dialog"]

PLATFORMS = ["any", "linux-x86_64", "linux-aarch64", "linux-armv7", "windows-x86_64", "darwin-x86_64", "darwin-aarch64"]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Dropped:
    """A file dropped into the dialog: a service bundle, or a client artifact for ``platform``."""

    upload: Upload
    platform: str
    bundle: bool


def open_release_dialog(
    ctx: PageContext, channels: list[ChannelInfo], release: ReleaseInfo | None, saved: Callable[[], Awaitable[None]]
) -> None:
    assert ctx.project is not None
    project = ctx.project.slug
    uploads: list[Dropped] = []
    with ui.dialog(value=True).props("persistent") as dialog, ui.card().classes("w-[60rem] max-w-full").props(
        'data-testid="release-dialog"'
    ):
        ui.label(_("New release") if release is None else _("Edit release {version}").format(
            version=release.display_version)).classes("text-h6")
        with ui.row().classes("w-full gap-4 no-wrap"):
            version = ui.input(_("Version"), placeholder="v1.2.3", value=release.display_version if release else "")
            version.props('data-testid="release-version"').classes("w-40")
            if release is not None:
                version.disable()
            channel = ui.select(
                {c.name: channel_label(c.name, c.display_name) for c in channels},
                value=release.channel if release else ctx.project.default_channel, label=_("Channel"),
            ).props('data-testid="release-channel"').classes("w-40")
            kind = ui.select({k: _(v) for k, v in KINDS.items()}, value=release.kind if release else "service",
                             label=_("Kind")).props('data-testid="release-kind"').classes("w-44")
            if release is not None:
                kind.disable()
            title = ui.input(_("Title"), value=release.title if release else "").props(
                'data-testid="release-title"').classes("grow")
        description = ui.textarea(_("Description"), value=(release.description or "") if release else "").props(
            'rows=2 data-testid="release-description"').classes("w-full")
        ui.label(_("Release notes (Markdown)")).classes("text-caption text-grey-8")
        with ui.row().classes("w-full gap-4 no-wrap"):
            notes = ui.textarea(value=(release.release_notes or "") if release else "").props(
                'outlined rows=8 data-testid="release-notes"').classes("w-1/2")
            preview = ui.html(render_markdown(notes.value), sanitize=False).classes(
                "nicegui-markdown w-1/2 border rounded p-2 overflow-auto max-h-64").props('data-testid="release-preview"')
            notes.on_value_change(lambda e: preview.set_content(render_markdown(e.value)))
        breaking = ui.textarea(_("Breaking changes"), value=(release.breaking_changes or "") if release else "").props(
            'rows=2 data-testid="release-breaking"').classes("w-full")
        with ui.row().classes("w-full gap-4 items-center"):
            min_version = ui.input(_("Minimum upgrade version"), placeholder="v1.0.0",
                                   value=(release.min_upgrade_version or "") if release else "").props(
                'data-testid="release-min-version"').classes("w-48")
            rollout = ui.number(_("Rollout override (%)"), precision=0,
                                value=release.rollout_percentage if release else None).props(
                'data-testid="release-rollout"').classes("w-48")
            forced = ui.switch(_("Forced update"), value=release.is_forced if release else False).props(
                'data-testid="release-forced"')

        ui.label(_("Files")).classes("text-caption text-grey-8")
        with ui.row().classes("w-full gap-4 items-start no-wrap"):
            platform = ui.select(PLATFORMS, value="any", label=_("Platform")).classes("w-48")
            limit = runtime().settings.max_upload_bytes
            received = ui.column().classes("grow gap-1").props('data-testid="release-files"')

            async def on_upload(event: events.UploadEventArguments) -> None:
                upload_errors.clear()
                try:
                    upload = await receive(event.file.name, event.file.iterate())
                except UpkeepError as exc:
                    upload_errors.show(exc)
                    return
                uploads.append(Dropped(upload=upload, platform=canonical_platform(platform.value),
                                       bundle=kind.value == "service"))
                with received:
                    ui.label(_("{name} · {size} bytes · {checksum}").format(
                        name=upload.file_name, size=fmt_number(upload.size), checksum=upload.checksum,
                    )).classes("font-mono text-xs break-all").props('data-testid="uploaded-file"')

            def on_rejected() -> None:
                upload_errors.form(_("The file is larger than the limit of {limit} bytes.").format(
                    limit=fmt_number(limit)))

            uploader = ui.upload(label=_("Drop files here or click to choose"), auto_upload=True,
                                 max_file_size=limit, on_upload=on_upload, on_rejected=on_rejected)
            uploader.props('bordered flat color=primary data-testid="release-upload"').classes("w-80")
        upload_errors = FormErrors()
        if release is not None and release.artifacts:
            for artifact in release.artifacts:
                ui.label(f"{artifact.platform} · {artifact.file_name} · {artifact.checksum}").classes(
                    "font-mono text-xs text-grey-8 break-all")

        errors = FormErrors({
            "INVALID_VERSION": version, "VERSION_EXISTS": version, "MIN_VERSION_ABOVE_RELEASE": min_version,
            "INVALID_PERCENTAGE": rollout, "INVALID_TITLE": title,
        })

        def fields() -> dict[str, Any]:
            return {
                "channel": channel.value, "title": title.value.strip(),
                "description": description.value.strip() or None, "release_notes": notes.value or None,
                "breaking_changes": breaking.value.strip() or None,
                "min_upgrade_version": min_version.value.strip() or None, "is_forced": bool(forced.value),
                "rollout_percentage": None if rollout.value in (None, "") else int(rollout.value),
            }

        def check_required() -> bool:
            errors.clear()
            if release is None and not version.value.strip():
                errors.field(version, _("This field is required."))
            if not title.value.strip():
                errors.field(title, _("This field is required."))
            if rollout.value not in (None, "") and not 0 <= float(rollout.value) <= 100:
                errors.field(rollout, _("Enter a percentage from 0 to 100."))
            return not errors.any

        @action(Role.OPERATOR)
        async def save(publish: bool) -> None:
            if not check_required():
                return
            try:
                saved_release = await (_create(ctx, project, version.value, kind.value, fields(), uploads, publish)
                                       if release is None else _update(ctx, release, fields(), uploads))
            except UpkeepError as exc:
                errors.show(exc)
                return
            dialog.close()
            ui.notify(_("Release {version} saved.").format(version=saved_release.display_version), type="positive")
            await saved()

        def discard_uploads() -> None:
            discard(d.upload for d in uploads)
            uploads.clear()

        # Saved or cancelled, or the browser went away: the scratch files are not needed any more.
        dialog.on_value_change(lambda e: None if e.value else discard_uploads())
        context.client.on_delete(discard_uploads)

        with ui.row().classes("w-full justify-end"):
            ui.button(_("Cancel"), on_click=dialog.close).props('flat data-testid="release-cancel"')
            if release is None:
                ui.button(_("Save draft"), on_click=lambda: save(False)).props('outline data-testid="release-draft"')
                ui.button(_("Publish now"), on_click=lambda: save(True)).props(
                    'color=positive data-testid="release-publish"')
            else:
                ui.button(_("Save"), on_click=lambda: save(False)).props('data-testid="release-save"')


def _specs(uploads: list[Dropped]) -> list[ArtifactSpec]:
    return [
        ArtifactSpec(platform=d.platform, file_name=d.upload.file_name, size=d.upload.size,
                     checksum=d.upload.checksum, storage_key=blob_key(d.upload.checksum))
        for d in uploads if not d.bundle
    ]


async def _store_artifacts(uploads: list[Dropped], stored: list[StoredBlob]) -> None:
    """Client artifact files into the store, inside the transaction that records them."""
    for dropped in uploads:
        if not dropped.bundle:
            stored.append(await store_artifact(dropped.upload))


def _bundle(uploads: list[Dropped]) -> Upload | None:
    return next((d.upload for d in uploads if d.bundle), None)


async def _create(
    ctx: PageContext, project: str, version: str, kind: str, fields: dict[str, Any],
    uploads: list[Dropped], publish: bool,
) -> ReleaseInfo:
    bundle = _bundle(uploads)
    async with stored_artifacts() as stored, transaction() as session:
        created = await releases.create_release(
            session, project=project, version=version, kind=kind, artifacts=_specs(uploads),
            publish=publish and bundle is None, **fields,
        )
        await _store_artifacts(uploads, stored)
        await audit.record_audit(session, ctx.principal, "release.create", "release", created.id,
                                 {"version": created.display_version, "project": project}, ctx.ip)
    if bundle is None:
        return created
    await _ingest(ctx, created, bundle)
    if publish:
        async with transaction() as session:
            created = await releases.publish_release(session, created.id)
            await audit.record_audit(session, ctx.principal, "release.publish", "release", created.id, None, ctx.ip)
    return created


async def _ingest(ctx: PageContext, release: ReleaseInfo, bundle: Upload) -> None:
    """Chunk and sign the bundle; a bad archive removes the release it was meant for."""
    try:
        await _ingest_existing(ctx, release, bundle)
    except UpkeepError:
        async with transaction() as session:
            await releases.delete_release(session, release.id)
        raise


async def _update(
    ctx: PageContext, release: ReleaseInfo, fields: dict[str, Any], uploads: list[Dropped]
) -> ReleaseInfo:
    async with stored_artifacts() as stored, transaction() as session:
        updated = await releases.update_release(session, release.id, **fields)
        for spec in _specs(uploads):
            await put_artifact(session, release.id, spec)
        await _store_artifacts(uploads, stored)
        await audit.record_audit(session, ctx.principal, "release.update", "release", release.id, None, ctx.ip)
    bundle = _bundle(uploads)
    if bundle is not None:
        await _ingest_existing(ctx, updated, bundle)
    return updated


async def _ingest_existing(ctx: PageContext, release: ReleaseInfo, bundle: Upload) -> None:
    rt = runtime()
    await bundles.ingest_bundle(rt.session_factory, rt.settings, release_id=release.id, archive=bundle.path,
                                principal=ctx.principal, ip=ctx.ip, file_name=bundle.file_name)
