"""Console pages: importing this package registers them with NiceGUI."""

from webui.pages import agent_detail, agents, channels, dashboard, login, projects, releases, settings  # noqa: F401
