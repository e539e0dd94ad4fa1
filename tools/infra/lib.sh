# Shared helpers for the infrastructure scripts. Sourced, never run.
# Everything lives under one git-ignored state folder so a stop or a `rm -rf` cleans it all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${HERALD_STATE_DIR:-$ROOT/.herald/dev}"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
mkdir -p "$LOG_DIR" "$RUN_DIR"

KAFKA_PORT="${HERALD_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${HERALD_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${HERALD_PG_PORT:-15432}"
REDIS_PORT="${HERALD_REDIS_PORT:-16379}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# port_open PORT -> 0 when something accepts TCP connections on 127.0.0.1:PORT
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until SECONDS DESCRIPTION COMMAND... -> polls COMMAND every 0.2 s
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
  log "$what is ready"
}

# stop_pid NAME PIDFILE PORT -> TERM, wait, KILL if needed, then check the port is free
stop_pid() {
  local name=$1 pidfile=$2 port=$3 pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do pid_alive "$pid" || break; sleep 0.2; done
    if pid_alive "$pid"; then log "$name did not stop in 20 s, killing"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  fi
  rm -f "$pidfile"
  port_open "$port" && die "$name stopped but port $port is still in use by another process"
  log "$name stopped"
}
