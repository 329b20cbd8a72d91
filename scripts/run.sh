#!/usr/bin/env bash
# Upkeep's run command (the README's `bash scripts/run.sh`): venv, server install,
# translations, database migrations, then the server in the foreground.
#
#   bash scripts/run.sh [serve options...]
#
# Env: UPKEEP_VENV (default <repo>/.venv); the server's own settings are read by
# server/config.py.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV=${UPKEEP_VENV:-$ROOT/.venv}

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "==> creating venv $VENV"
    python3 -m venv "$VENV"
fi
stamp="$VENV/.upkeep-server-installed"
want="$ROOT $(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(<"$stamp")" != "$want" ]]; then
    echo "==> pip install -e '.[server]'"
    # (drops the warnings this machine's pip.conf prints for its extra local indexes)
    "$VENV/bin/python" -m pip install -q -e '.[server]' \
        2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
    echo "$want" >"$stamp"
fi
export PATH="$VENV/bin:$PATH"

if [[ -f scripts/i18n.py ]]; then
    echo "==> compiling translations"
    "$VENV/bin/python" scripts/i18n.py compile
fi

echo "==> upkeep-server migrate"
"$VENV/bin/upkeep-server" migrate
echo "==> upkeep-server serve $*"
exec "$VENV/bin/upkeep-server" serve "$@"
