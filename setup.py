"""Build hook: wheels carry the Alembic migrations and the compiled translations.

In a checkout (and an editable install) both are read from the top-level migrations/
and locales/ folders. A wheel has no such folders, so the build copies them into the
packages: migrations/ -> server/_migrations, locales/*.po -> common/_locales/*.mo.
Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree
        build = Path(self.build_lib)
        shutil.copytree(ROOT / "migrations", build / "server" / "_migrations", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
        for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
            target = build / "common" / "_locales" / po.relative_to(ROOT / "locales").with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source)
            with target.open("wb") as out:
                write_mo(out, catalog)


setup(cmdclass={"build_py": BuildWithData})
