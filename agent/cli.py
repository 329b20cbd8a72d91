"""``upkeep-agent``: the node agent's command line.

Subcommands come from the modules in ``COMMAND_MODULES``; each has
``register(subparsers)`` adding parsers whose ``handler(args, config) -> int`` runs them.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from common.errors import UpkeepError
from common.i18n import _, system_locale, use_locale
from agent.config import load_config

__all__ = ["main"]

COMMAND_MODULES: tuple[str, ...] = ("agent.service_cli", "agent.link_cli", "agent.download_cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="upkeep-agent", description=_("Upkeep node agent"))
    parser.add_argument("-c", "--config", default=None, help=_("path to config.toml (default: ./config.toml)"))
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with use_locale(system_locale(os.environ)):
        parser = build_parser()
        args = parser.parse_args(argv)
        try:
            config = load_config(args.config)
            with use_locale(config.locale or system_locale(os.environ)):
                logging.basicConfig(level=config.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
                return int(args.handler(args, config))
        except UpkeepError as exc:
            print(_("Error: {message}").format(message=exc.translated()), file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130


if __name__ == "__main__":
    sys.exit(main())
