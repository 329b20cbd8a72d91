"""Translations for every Upkeep process (server, agent, console).

English source strings are the message ids. Catalogs live in ``locales/<locale>/
LC_MESSAGES/<domain>.po`` with one Babel domain per package; ``scripts/i18n.py compile``
builds the ``.mo`` files. All domains of a locale are merged into one catalog, so any
package can translate any id.

The locale of the current task is a context variable: adapters set it once per request
(``with use_locale(negotiate_locale(header)):``) and everything below calls ``_()``.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

__all__ = [
    "DEFAULT_LOCALE",
    "DOMAINS",
    "LOCALES",
    "LOCALES_DIR",
    "N_",
    "_",
    "babel_locale",
    "current_locale",
    "gettext",
    "lazy_gettext",
    "negotiate_locale",
    "ngettext",
    "normalize_locale",
    "system_locale",
    "use_locale",
]

logger = logging.getLogger(__name__)

LOCALES: tuple[str, ...] = ("en", "zh_CN")
DEFAULT_LOCALE = "en"
DOMAINS: tuple[str, ...] = ("common", "server", "agent", "webui")
# A wheel carries the compiled catalogs inside the package (setup.py); a checkout has
# locales/ at the top (compiled by scripts/i18n.py).
LOCALES_DIR = next(
    (p for p in (Path(__file__).resolve().parent / "_locales", Path(__file__).resolve().parents[1] / "locales")
     if p.is_dir()),
    Path(__file__).resolve().parents[1] / "locales",
)

_current: contextvars.ContextVar[str] = contextvars.ContextVar("upkeep_locale", default=DEFAULT_LOCALE)


def normalize_locale(value: str | None) -> str | None:
    """Map a language tag (``zh``, ``zh-CN``, ``zh_Hans``, ``en-US`` ...) to a supported locale."""
    if not value:
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


def negotiate_locale(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Pick the best supported locale from an ``Accept-Language`` header."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            with contextlib.suppress(ValueError):
                quality = float(match.group(1))
        locale = normalize_locale(tag)
        if locale and quality > 0:
            ranked.append((-quality, index, locale))
    return min(ranked)[2] if ranked else default


def system_locale(environ: Mapping[str, str]) -> str:
    """The locale a command-line user asked for through LC_ALL / LC_MESSAGES / LANG."""
    for key in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(key)
        if value:
            return normalize_locale(value.split(".")[0].split(":")[0]) or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def current_locale() -> str:
    return _current.get()


@contextlib.contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Translate into ``locale`` inside the block (unsupported values fall back to English)."""
    chosen = normalize_locale(locale) or DEFAULT_LOCALE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def _load_domain(locale_dir: Path, locale: str, domain: str) -> NullTranslations | None:
    mo = locale_dir / locale / "LC_MESSAGES" / f"{domain}.mo"
    po = mo.with_suffix(".po")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=domain)
    if po.exists():
        # No (fresh) compiled catalog: compile in memory so a source checkout still works.
        logger.debug("compiling %s in memory; run scripts/i18n.py compile", po)
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=locale, domain=domain)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=domain)
    return None


@functools.cache
def translations(locale: str, locale_dir: Path = LOCALES_DIR) -> NullTranslations:
    """All domains of ``locale`` merged into one catalog (cached)."""
    merged: Translations | None = None
    for domain in DOMAINS:
        loaded = _load_domain(locale_dir, locale, domain)
        if loaded is None:
            continue
        if merged is None:
            merged = loaded  # type: ignore[assignment]
        else:
            merged.merge(loaded)  # type: ignore[arg-type]
    return merged or NullTranslations()


def gettext(message: str, locale: str | None = None) -> str:
    """Translate ``message`` into ``locale`` or the current locale."""
    return translations(normalize_locale(locale) or _current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, locale: str | None = None) -> str:
    return translations(normalize_locale(locale) or _current.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it (translated later by its user)."""
    return message


def lazy_gettext(message: str) -> LazyProxy:
    """A string translated when it is used, for labels defined at import time."""
    return LazyProxy(gettext, message, enable_cache=False)


def babel_locale(locale: str | None = None) -> Locale:
    """The Babel ``Locale`` for formatting dates and numbers."""
    return Locale.parse(normalize_locale(locale) or _current.get())
