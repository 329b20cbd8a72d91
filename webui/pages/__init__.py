"""Console pages: importing this package registers them with NiceGUI."""

from webui.pages import dashboard, login, projects, releases, settings  # noqa: F401
