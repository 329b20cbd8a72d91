"""A release's minimum upgrade version may not be above the release itself."""

from __future__ import annotations

import pytest

from common.errors import InvalidInput
from server.services import projects, releases


async def test_min_upgrade_version_above_the_release_is_refused(memory_session_factory) -> None:
    async with memory_session_factory() as s, s.begin():
        await projects.ensure_project(s, "default")
    async with memory_session_factory() as s:
        with pytest.raises(InvalidInput) as caught:
            async with s.begin():
                await releases.create_release(s, project="default", version="v1.2.0", min_upgrade_version="1.3.0")
    assert caught.value.error_code == "MIN_VERSION_ABOVE_RELEASE"
    async with memory_session_factory() as s, s.begin():
        assert (await releases.list_releases(s, project="default")).total == 0
        created = await releases.create_release(s, project="default", version="v1.2.0", min_upgrade_version="v1.2.0")
    assert created.min_upgrade_version == "v1.2.0"
    async with memory_session_factory() as s:
        with pytest.raises(InvalidInput):
            async with s.begin():
                await releases.update_release(s, created.id, min_upgrade_version="2.0.0")
    async with memory_session_factory() as s, s.begin():
        assert (await releases.get_release(s, created.id)).min_upgrade_version == "v1.2.0"
