#!/usr/bin/env python3
"""Babel catalogs: ``update`` extracts every domain and updates en/zh_CN; ``compile`` builds .mo.

One domain per package (common, server, agent, webui). Run from anywhere:

    python scripts/i18n.py update     # after adding or changing user-facing strings
    python scripts/i18n.py compile    # what the install and test commands run
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parent.parent
LOCALES_DIR = ROOT / "locales"
DOMAINS = ("common", "server", "agent", "webui")
LOCALES = ("en", "zh_CN")
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
        for locale in LOCALES:
            po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                _babel("update", "--no-fuzzy-matching", "--ignore-obsolete", "--no-location", "--sort-output",
                       "-i", str(pot), "-d", str(LOCALES_DIR), "-D", domain, "-l", locale)
            else:
                _babel("init", "-i", str(pot), "-d", str(LOCALES_DIR), "-D", domain, "-l", locale)
        pot.unlink()


def compile_all() -> None:
    for domain in DOMAINS:
        for locale in LOCALES:
            po = LOCALES_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
            if po.exists():
                _babel("compile", "-d", str(LOCALES_DIR), "-D", domain, "-l", locale)


def main(argv: list[str] | None = None) -> int:
    os.chdir(ROOT)  # relative source paths keep catalogs identical across checkouts
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["update", "compile"])
    args = parser.parse_args(argv)
    update() if args.action == "update" else compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
