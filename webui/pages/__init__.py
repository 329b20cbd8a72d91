"""Console pages: importing this package registers them with NiceGUI."""

from webui.pages import dashboard, login, projects, settings  # noqa: F401
