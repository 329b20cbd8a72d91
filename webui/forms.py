"""Inline form errors in the user's language: a field's own message, or one under the form."""

from __future__ import annotations

import html
from collections.abc import Mapping

from nicegui import ui

from common.errors import UpkeepError
from webui.i18n import locale

__all__ = ["FormErrors", "slot"]


class FormErrors:
    """Shows a service error next to the field it is about (by error code), else under the form."""

    def __init__(self, fields_by_code: Mapping[str, ui.element] | None = None) -> None:
        self._by_code = dict(fields_by_code or {})
        self._marked: list[ui.element] = []
        self.label = ui.label().classes("text-negative text-sm").props('data-testid="form-error" role="alert"')
        self.label.set_visibility(False)

    def clear(self) -> None:
        for element in self._marked:
            element.props(remove="error error-message")
        self._marked.clear()
        self.label.set_visibility(False)

    def field(self, element: ui.element, message: str) -> None:
        """Mark ``element`` invalid with ``message`` (already translated)."""
        element._props["error"] = True
        element._props["error-message"] = message
        element.update()
        self._marked.append(element)

    def form(self, message: str) -> None:
        self.label.set_text(message)
        self.label.set_visibility(True)

    def show(self, exc: UpkeepError) -> None:
        message = exc.translated(locale())
        element = self._by_code.get(exc.error_code)
        if element is not None:
            self.field(element, message)
        else:
            self.form(message)

    @property
    def any(self) -> bool:
        return bool(self._marked) or self.label.visible


def slot(template: str, **labels: str) -> str:
    """A Vue slot template with ``%(name)s`` placeholders filled by HTML-escaped labels."""
    return template % {name: html.escape(value, quote=True) for name, value in labels.items()}
