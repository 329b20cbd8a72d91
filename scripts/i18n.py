#!/usr/bin/env python3
"""Babel catalogs: ``update`` extracts every domain and updates en/zh_CN; ``compile`` builds .mo.

One domain per package (common, server, agent, webui). Run from anywhere:

    python scripts/i18n.py update     # after adding or changing user-facing strings
    python scripts/i18n.py compile    # what the install and test commands run
    python scripts/i18n.py missing > todo.json   # zh_CN ids without a translation
    python scripts/i18n.py fill todo.json        # after writing the Chinese into it
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"
DOMAINS = ("common", "server", "agent", "webui")
LOCALES = ("en", "zh_CN")
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
KEYWORDS = ["_", "gettext", "ngettext:1,2", "lazy_gettext", "N_"]


def _babel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(domain: str, output: Path) -> None:
    keyword_args = [arg for kw in KEYWORDS for arg in ("-k", kw)]
    _babel(
        "extract", "--no-default-keywords", *keyword_args,
        "--mapping-file", str(ROOT / "babel.cfg"),
        "--project", "Upkeep", "--no-location", "--sort-output", "--omit-header",
        "-o", str(output), domain,
    )


def update() -> None:
    LOCALES_DIR.mkdir(exist_ok=True)
    for domain in DOMAINS:
        pot = LOCALES_DIR / f"{domain}.pot"
        extract(domain, pot)
        with pot.open("rb") as fp:
            template = read_po(fp)
        pot.unlink()
        for locale in LOCALES:
            po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                with po.open("rb") as fp:
                    catalog = read_po(fp, locale=locale, domain=domain)
            else:
                po.parent.mkdir(parents=True, exist_ok=True)
                catalog = Catalog(locale=locale, domain=domain, project="Upkeep", fuzzy=False)
            catalog.update(template, no_fuzzy_matching=True)
            _write(po, catalog)


def _write(po: Path, catalog: Catalog) -> None:
    # Fixed header dates keep catalogs byte-identical across checkouts (fewer merge conflicts).
    catalog.creation_date = catalog.revision_date = FIXED_DATE
    with po.open("wb") as fp:
        write_po(fp, catalog, width=76, no_location=True, sort_output=True, ignore_obsolete=True)


def _zh_catalogs() -> list[tuple[Path, Catalog]]:
    result = []
    for domain in DOMAINS:
        po = LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            with po.open("rb") as fp:
                result.append((po, read_po(fp, locale="zh_CN", domain=domain)))
    return result


def missing() -> None:
    """Print zh_CN ids still without a translation, as JSON ready to fill in."""
    ids = {m.id: "" for _po, catalog in _zh_catalogs() for m in catalog if m.id and (not m.string or m.fuzzy)}
    print(json.dumps(ids, ensure_ascii=False, indent=1))


def fill(table_path: Path) -> None:
    """Set zh_CN translations from a JSON object {english id: chinese text}."""
    table = json.loads(table_path.read_text())
    for po, catalog in _zh_catalogs():
        for message in catalog:
            if message.id in table and table[message.id]:
                message.string = table[message.id]
                message.flags.discard("fuzzy")
        _write(po, catalog)


def compile_all() -> None:
    for domain in DOMAINS:
        for locale in LOCALES:
            po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                _babel("compile", "-d", str(LOCALES_DIR), "-D", domain, "-l", locale)


def main(argv: list[str] | None = None) -> int:
    os.chdir(ROOT)  # relative source paths keep catalogs identical across checkouts
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["update", "compile", "missing", "fill"])
    parser.add_argument("json_file", nargs="?", type=Path, help="for fill: {english id: chinese text}")
    args = parser.parse_args(argv)
    if args.action == "fill":
        if not args.json_file:
            parser.error("fill needs a JSON file")
        fill(args.json_file)
    else:
        {"update": update, "compile": compile_all, "missing": missing}[args.action]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
