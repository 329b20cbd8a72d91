"""The console's language, dates and numbers: chosen per browser, remembered per user.

Page code calls ``_()`` from here: it translates into the locale of the browser session
that is being served, in page builders and event handlers alike (NiceGUI runs handlers
outside the page's context, so the context-variable locale of ``common.i18n`` is not enough).
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent
from nicegui import app

from common.i18n import DEFAULT_LOCALE, N_, gettext, normalize_locale

__all__ = ["LANGUAGES", "N_", "_", "fmt_datetime", "fmt_number", "fmt_percent", "locale", "set_locale"]

#: Locale → the language's own name, as the switch shows it.
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "中文"}

#: Quasar/NiceGUI language tags of our locales.
QUASAR_LANGUAGE: dict[str, str] = {"en": "en-US", "zh_CN": "zh-CN"}


def locale() -> str:
    """The locale of the browser session being served."""
    return normalize_locale(app.storage.user.get("locale")) or DEFAULT_LOCALE


def set_locale(value: str) -> str:
    chosen = normalize_locale(value) or DEFAULT_LOCALE
    app.storage.user["locale"] = chosen
    return chosen


def _(message: str) -> str:
    return gettext(message, locale())


def fmt_datetime(value: datetime | None) -> str:
    """A timestamp in the session's language (UTC), or a dash."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, "short", tzinfo=UTC, locale=locale())


def fmt_number(value: float | int) -> str:
    return format_decimal(value, locale=locale())


def fmt_percent(value: float | None) -> str:
    """``value`` is a ratio (0.5 → 50%)."""
    if value is None:
        return "—"
    return format_percent(value, format="#,##0.#%", locale=locale())
