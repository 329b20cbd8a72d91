"""Every user-facing string has a real Chinese translation; locale negotiation works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from common.i18n import DOMAINS, LOCALES_DIR, gettext, negotiate_locale, normalize_locale, use_locale

ROOT = Path(__file__).resolve().parents[2]
# Names that read the same in Chinese. Keep this short.
ALLOWLIST = {"Upkeep", "gRPC", "grpcurl", "API", "URL", "ID", "CSV", "JSON", "SHA-256", "OK", "Tauri", "Docker", "Docker Compose", "minisign"}


def _catalog(locale: str, domain: str):  # type: ignore[no-untyped-def]
    path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return None
    with path.open("rb") as fp:
        return read_po(fp, locale=locale, domain=domain)


def _needs_translation(msgid: str) -> bool:
    letters = re.sub(r"\{[^}]*\}|%\(\w+\)s|%s|%d", "", msgid)
    return bool(re.search(r"[A-Za-z]", letters)) and msgid not in ALLOWLIST


@pytest.mark.parametrize("domain", DOMAINS)
def test_zh_cn_entries_are_translated(domain: str) -> None:
    catalog = _catalog("zh_CN", domain)
    if catalog is None:
        pytest.skip(f"domain {domain} has no strings yet")
    bad = [
        m.id for m in catalog
        if m.id and (not m.string or m.fuzzy or (m.string == m.id and _needs_translation(m.id)))
    ]
    assert not bad, f"untranslated zh_CN entries in {domain}.po: {bad}"


def test_every_source_string_is_in_the_catalogs(tmp_path: Path) -> None:
    """Extract from the source now and compare with the committed catalogs."""
    for domain in DOMAINS:
        pot = tmp_path / f"{domain}.pot"
        CommandLineInterface().run(
            ["pybabel", "-q", "extract", "--no-default-keywords",
             "-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "lazy_gettext", "-k", "N_",
             "-F", str(ROOT / "babel.cfg"), "-o", str(pot), str(ROOT / domain)]
        )
        with pot.open("rb") as fp:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fp) if m.id}
        for locale in ("en", "zh_CN"):
            catalog = _catalog(locale, domain)
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog} if catalog else set()
            missing = sorted(wanted - have)
            assert not missing, f"{locale}/{domain}.po lacks {missing}; run: python scripts/i18n.py update"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("fr-FR, zh-Hans;q=0.5", "zh_CN"),
        ("de", "en"),
        ("en;q=0.1, zh;q=0.9", "zh_CN"),
        ("zh;q=0", "en"),
    ],
)
def test_negotiate_locale(header: str | None, expected: str) -> None:
    assert negotiate_locale(header) == expected


def test_normalize_and_translate() -> None:
    assert normalize_locale("zh_TW") == "zh_CN"
    assert normalize_locale("ja") is None
    message = "Invalid version range {range!r}"
    with use_locale("zh-CN"):
        assert gettext(message) != message
    assert gettext(message) == message
