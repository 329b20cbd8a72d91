"""Console pages: importing this package registers them with NiceGUI."""

from webui.pages import home  # noqa: F401
