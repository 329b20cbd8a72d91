"""Update resolution over a real (in-memory SQLite) database through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.errors import InvalidInput, NotFound
from server.services import channels, projects, releases, rules
from server.services.artifacts import spec_from_url
from server.services.resolve import ReleaseCatalog, UpdateQuery, resolve_update, rollout_bucket

SHA = "sha256:" + "ab" * 32


def url_spec(version: str, platform: str = "any", base: str = "https://dl.example.com") -> list:
    return [spec_from_url(url=f"{base}/{version}/app-{platform}", size=1000, checksum=SHA, platform=platform)]


@pytest.fixture
async def catalog(memory_session_factory):
    cat = ReleaseCatalog(memory_session_factory, default_project="default", public_url="http://127.0.0.1:8080")
    await cat.start()
    yield cat
    await cat.stop()


@pytest.fixture
def sf(memory_session_factory):
    return memory_session_factory


async def release(sf, version: str, *, project: str = "default", publish: bool = True, **kw):
    kw.setdefault("artifacts", url_spec(version))
    async with sf() as s, s.begin():
        await projects.ensure_project(s, "default")
        return await releases.create_release(s, project=project, version=version, title=f"T {version}",
                                             publish=publish, **kw)


def q(current: str = "1.0.0", client: str = "c1", **kw) -> UpdateQuery:
    return UpdateQuery(client_id=client, current_version=current, **kw)


async def test_default_project_created_on_first_use_and_no_update(catalog, sf):
    answer = await resolve_update(catalog, q("v1.0.0"))
    assert answer.has_update is False
    assert answer.latest_version == "v1.0.0"
    async with sf() as s:
        names = [c.name for c in await channels.list_channels(s, "default")]
    assert names == ["stable", "beta", "alpha"]


async def test_newest_published_release_offered_with_display_version(catalog, sf):
    await release(sf, "v1.1.0")
    await release(sf, "v1.2.3", release_notes="notes")
    await release(sf, "v1.3.0", publish=False)  # draft: never offered
    answer = await resolve_update(catalog, q("v1.2.0"))
    assert answer.has_update and answer.latest_version == "v1.2.3"
    assert answer.file_size == 1000 and answer.file_checksum == SHA
    assert answer.download_url == "https://dl.example.com/v1.2.3/app-any"
    assert answer.release_notes == "notes"
    assert (await resolve_update(catalog, q("1.2.3"))).has_update is False


async def test_publish_pause_revoke_are_seen_after_commit(catalog, sf):
    draft = await release(sf, "2.0.0", publish=False)
    assert not (await resolve_update(catalog, q())).has_update
    async with sf() as s, s.begin():
        await releases.publish_release(s, draft.id)
    assert (await resolve_update(catalog, q())).latest_version == "2.0.0"
    async with sf() as s, s.begin():
        await releases.pause_release(s, draft.id)
    assert not (await resolve_update(catalog, q())).has_update
    async with sf() as s, s.begin():
        await releases.publish_release(s, draft.id)
        await releases.revoke_release(s, draft.id)
    assert not (await resolve_update(catalog, q())).has_update


async def test_rolled_back_change_is_not_seen(catalog, sf):
    draft = await release(sf, "2.0.0", publish=False)
    await resolve_update(catalog, q())
    with pytest.raises(RuntimeError):
        async with sf() as s, s.begin():
            await releases.publish_release(s, draft.id)
            raise RuntimeError("abort")
    assert not (await resolve_update(catalog, q())).has_update


async def test_semver_order_prerelease_and_build_metadata(catalog, sf):
    await release(sf, "1.1.0-rc.2")
    await release(sf, "1.1.0-rc.10")
    assert (await resolve_update(catalog, q("1.0.0"))).latest_version == "1.1.0-rc.10"
    await release(sf, "v1.1.0+build.7")
    assert (await resolve_update(catalog, q("1.0.0"))).latest_version == "v1.1.0+build.7"
    # build metadata does not make a version newer
    assert not (await resolve_update(catalog, q("1.1.0+other"))).has_update
    assert (await resolve_update(catalog, q("1.1.0-rc.2"))).latest_version == "v1.1.0+build.7"


async def test_bad_version_unknown_channel_and_project(catalog, sf):
    with pytest.raises(InvalidInput):
        await resolve_update(catalog, q("1.2"))
    with pytest.raises(NotFound):
        await resolve_update(catalog, q(channel="nightly"))
    with pytest.raises(NotFound):
        await resolve_update(catalog, q(project="nope"))
    with pytest.raises(InvalidInput):
        await resolve_update(catalog, q(os="plan9", arch="amd64"))


async def test_channels_and_inactive_channel(catalog, sf):
    await release(sf, "1.5.0", channel="beta")
    assert not (await resolve_update(catalog, q())).has_update
    assert (await resolve_update(catalog, q(channel="beta"))).latest_version == "1.5.0"
    async with sf() as s, s.begin():
        await channels.update_channel(s, "default", "beta", is_active=False)
    assert not (await resolve_update(catalog, q(channel="beta"))).has_update


async def test_auto_publish_channel(catalog, sf):
    async with sf() as s, s.begin():
        await projects.ensure_project(s, "default")
        await channels.update_channel(s, "default", "alpha", auto_publish=True)
    created = await release(sf, "3.0.0", channel="alpha", publish=False)
    assert created.status == "published"
    assert (await resolve_update(catalog, q(channel="alpha"))).latest_version == "3.0.0"


async def test_rollout_gate_is_close_to_percentage_and_monotonic(catalog, sf):
    rel = await release(sf, "2.0.0", rollout_percentage=0)
    clients = [f"client-{i}" for i in range(10_000)]
    previous: set[str] = set()
    for percentage in (0, 10, 25, 50, 90, 100):
        async with sf() as s, s.begin():
            await releases.update_release(s, rel.id, rollout_percentage=percentage)
        offered = set()
        for client in clients:
            if (await resolve_update(catalog, q(client=client))).has_update:
                offered.add(client)
        assert abs(len(offered) - percentage * 100) <= 200, (percentage, len(offered))
        assert previous <= offered  # raising the percentage only adds clients
        previous = offered
    assert len(previous) == 10_000


async def test_channel_percentage_applies_without_release_override(catalog, sf):
    rel = await release(sf, "2.0.0")
    async with sf() as s, s.begin():
        await channels.update_channel(s, "default", "stable", rollout_percentage=30)
    inside = [c for c in (f"k{i}" for i in range(400)) if rollout_bucket(c, rel.id) < 30]
    outside = [c for c in (f"k{i}" for i in range(400)) if rollout_bucket(c, rel.id) >= 30]
    assert all([(await resolve_update(catalog, q(client=c))).has_update for c in inside[:20]])
    assert not any([(await resolve_update(catalog, q(client=c))).has_update for c in outside[:20]])


async def test_client_outside_newest_rollout_gets_previous_release(catalog, sf):
    await release(sf, "1.1.0")
    newest = await release(sf, "1.2.0", rollout_percentage=50)
    out = next(c for c in (f"x{i}" for i in range(100)) if rollout_bucket(c, newest.id) >= 50)
    assert (await resolve_update(catalog, q(client=out))).latest_version == "1.1.0"


async def test_rules_block_pin_allow_by_priority(catalog, sf):
    await release(sf, "1.1.0")
    await release(sf, "1.2.0")
    await release(sf, "2.0.0")
    async with sf() as s, s.begin():
        await rules.create_rule(s, project="default", name="block cn", target_region="CN", action="block", priority=5)
        await rules.create_rule(s, project="default", name="pin old", target_version_range=">=1.0.0,<1.1.0",
                                action="pin", pin_version="v1.2.0", priority=3)
        await rules.create_rule(s, project="default", name="allow canary", labels={"ring": "canary"},
                                action="allow", priority=10, target_region="cn")
    assert not (await resolve_update(catalog, q(region="cn"))).has_update
    assert (await resolve_update(catalog, q(region="cn", labels={"ring": "canary"}))).latest_version == "2.0.0"
    assert (await resolve_update(catalog, q("1.0.5", region="global"))).latest_version == "1.2.0"
    assert (await resolve_update(catalog, q("1.1.0", region="global"))).latest_version == "2.0.0"


async def test_rule_by_os_arch_and_disabled_rule(catalog, sf):
    await release(sf, "1.1.0")
    async with sf() as s, s.begin():
        rule = await rules.create_rule(s, project="default", name="no arm", os="linux", arch="arm64", action="block")
    assert not (await resolve_update(catalog, q(os="linux", arch="aarch64"))).has_update
    assert (await resolve_update(catalog, q(os="linux", arch="amd64"))).has_update
    async with sf() as s, s.begin():
        await rules.update_rule(s, rule.id, enabled=False)
    assert (await resolve_update(catalog, q(os="linux", arch="arm64"))).has_update


async def test_min_upgrade_version_offers_intermediate(catalog, sf):
    await release(sf, "1.5.0")
    await release(sf, "1.9.0", min_upgrade_version="1.2.0")
    await release(sf, "2.0.0", min_upgrade_version="v1.8.0")
    answer = await resolve_update(catalog, q("1.0.0"))
    assert answer.has_update and answer.latest_version == "1.5.0"
    assert answer.required_intermediate and answer.target_version == "2.0.0"
    answer = await resolve_update(catalog, q("1.5.0"))
    assert answer.latest_version == "1.9.0" and answer.required_intermediate
    answer = await resolve_update(catalog, q("1.9.0"))
    assert answer.latest_version == "2.0.0" and not answer.required_intermediate
    assert answer.min_upgrade_version == "v1.8.0"


async def test_min_upgrade_version_unreachable_tells_the_minimum(catalog, sf):
    await release(sf, "2.0.0", min_upgrade_version="1.8.0")
    answer = await resolve_update(catalog, q("1.0.0"))
    assert not answer.has_update
    assert answer.min_upgrade_version == "1.8.0" and answer.target_version == "2.0.0"


async def test_forced_when_a_skipped_release_is_forced(catalog, sf):
    await release(sf, "1.1.0", is_forced=True)
    await release(sf, "1.2.0")
    assert (await resolve_update(catalog, q("1.0.0"))).is_forced
    assert not (await resolve_update(catalog, q("1.1.0"))).is_forced


async def test_platform_artifact_with_aliases_and_any_fallback(catalog, sf):
    specs = url_spec("1.1.0", "linux-x86_64") + url_spec("1.1.0", "windows-x86_64")
    await release(sf, "1.1.0", artifacts=specs)
    assert (await resolve_update(catalog, q(os="linux", arch="amd64"))).download_url.endswith("app-linux-x86_64")
    assert (await resolve_update(catalog, q(platform="windows-x64"))).download_url.endswith("app-windows-x86_64")
    assert not (await resolve_update(catalog, q(os="darwin", arch="arm64"))).has_update
    await release(sf, "1.0.5")  # platform any
    assert (await resolve_update(catalog, q(os="darwin", arch="arm64"))).latest_version == "1.0.5"


async def test_region_mirror_url_keeps_checksum(catalog, sf):
    async with sf() as s, s.begin():
        await projects.create_project(s, slug="runpanel", download_mirrors={
            "default": "https://releases.runpanel.dev", "cn": "https://releases.runpanel.cn"})
    await release(sf, "v1.2.3", project="runpanel",
                  artifacts=url_spec("v1.2.3", "linux-x86_64", base="https://releases.runpanel.dev"))
    cn = await resolve_update(catalog, q(project="runpanel", region="cn", os="linux", arch="amd64"))
    glob = await resolve_update(catalog, q(project="runpanel", region="global", os="linux", arch="amd64"))
    assert cn.download_url == "https://releases.runpanel.cn/v1.2.3/app-linux-x86_64"
    assert glob.download_url == "https://releases.runpanel.dev/v1.2.3/app-linux-x86_64"
    assert cn.file_checksum == glob.file_checksum == SHA


async def test_release_notes_follow_locale(catalog, sf):
    await release(sf, "1.1.0", release_notes="default notes",
                  release_notes_i18n={"zh_CN": "中文说明", "en": "English notes"})
    assert (await resolve_update(catalog, q(locale="zh-CN"))).release_notes == "中文说明"
    assert (await resolve_update(catalog, q(locale="en_US"))).release_notes == "English notes"
    assert (await resolve_update(catalog, q(locale="fr"))).release_notes == "default notes"


async def test_scheduled_publish_time_in_future_is_not_offered(catalog, sf):
    rel = await release(sf, "1.1.0", publish=False)
    async with sf() as s, s.begin():
        await releases.publish_release(s, rel.id, publish_time=datetime.now(UTC) + timedelta(hours=1))
    assert not (await resolve_update(catalog, q())).has_update
