"""e2e tier: real Docker engine. Fixtures come from tests/fixtures (imported here
rather than via pytest_plugins, which pytest only honours in the rootdir conftest)."""

from tests.fixtures.docker import compose_v1, compose_v2, docker_client  # noqa: F401
from tests.fixtures.images import busybox_image  # noqa: F401
