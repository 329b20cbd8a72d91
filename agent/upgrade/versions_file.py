"""Keep ``[versions] service`` of config.toml in step with the installed version (seed §6),
editing the one line so the person's comments and layout stay."""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["write_service_version"]

_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(#.*)?$")
_SERVICE = re.compile(r"^(\s*service\s*=\s*)(\"[^\"]*\"|'[^']*')(.*)$")


def write_service_version(config_path: Path, version: str) -> None:
    if not config_path.is_file():
        return
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    section, insert_at = "", None
    for index, line in enumerate(lines):
        header = _SECTION.match(line)
        if header:
            section = header.group(1).strip()
            if section == "versions":
                insert_at = index + 1
            continue
        match = _SERVICE.match(line) if section == "versions" else None
        if match:
            ending = "\n" if line.endswith("\n") else ""
            lines[index] = f"{match.group(1)}{json.dumps(version)}{match.group(3).rstrip(chr(10))}{ending}"
            break
    else:
        if insert_at is None:
            lines.append(("\n" if lines and not lines[-1].endswith("\n") else "") + "\n[versions]\n")
            insert_at = len(lines)
        lines.insert(insert_at, f"service = {json.dumps(version)}\n")
    tmp = config_path.with_name(config_path.name + ".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(config_path)
