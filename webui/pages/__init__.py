"""Console pages: importing this package registers them with NiceGUI."""

from webui.pages import (  # noqa: F401
    agent_detail,
    agents,
    announcements,
    channels,
    dashboard,
    diagnostics,
    login,
    projects,
    releases,
    rules,
    settings,
    statistics,
)
