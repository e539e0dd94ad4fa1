#!/usr/bin/env bash
# A private PostgreSQL 15 cluster on loopback: start | stop | status
source "$(dirname "$0")/lib.sh"
DATA="$STATE_DIR/postgres/data"
SOCK="$STATE_DIR/postgres/sock"
PIDFILE="$DATA/postmaster.pid"

find_bin() {
  for d in "${HERALD_PG_BIN:-}" /usr/lib/postgresql/15/bin /usr/lib/postgresql/16/bin /usr/lib/postgresql/17/bin; do
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  die "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/{15,16,17}/bin; set HERALD_PG_BIN)"
}
PGBIN="$(find_bin)"

# PostgreSQL refuses to run as root, so root runs it as the postgres user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

case "${1:-}" in
  start)
    if ready && [ -f "$PIDFILE" ]; then log "postgres already running on $PG_PORT"; exit 0; fi
    port_open "$PG_PORT" && die "port $PG_PORT is taken by another process (set HERALD_PG_PORT)"
    mkdir -p "$DATA" "$SOCK"
    [ "$(id -u)" = 0 ] && { as_owner true; chown -R postgres "$STATE_DIR/postgres"; chmod 700 "$DATA"; }
    # A crash leaves postmaster.pid (and the socket's lock file) behind. PostgreSQL refuses to start
    # while the pid they name is alive, and by then it may belong to another process: pids wrap fast.
    if [ -f "$PIDFILE" ]; then
      old_pid="$(head -1 "$PIDFILE")"
      if ! tr '\0' ' ' <"/proc/$old_pid/cmdline" 2>/dev/null | grep -qF -- "-D $DATA "; then
        log "removing the lock files of a server that crashed (pid $old_pid is not it)"
        rm -f "$PIDFILE" "$SOCK"/.s.PGSQL.*.lock
      fi
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      log "initialising a new cluster in $DATA"
      as_owner "$PGBIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --no-locale >"$LOG_DIR/postgres-initdb.log" 2>&1 \
        || die "initdb failed, see $LOG_DIR/postgres-initdb.log"
    fi
    touch "$LOG_DIR/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres "$LOG_DIR/postgres.log"
    as_owner "$PGBIN/pg_ctl" -D "$DATA" -l "$LOG_DIR/postgres.log" -w -t 30 \
      -o "-p $PG_PORT -k $SOCK -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${HERALD_PG_FSYNC:-on}" start >/dev/null \
      || die "postgres did not start, see $LOG_DIR/postgres.log"
    wait_until 30 "postgres on 127.0.0.1:$PG_PORT" ready || die "postgres not ready in 30 s, see $LOG_DIR/postgres.log"
    ;;
  stop)
    if [ -f "$PIDFILE" ]; then
      as_owner "$PGBIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null || log "pg_ctl stop failed; falling back to the pid"
    fi
    echo "$(head -1 "$PIDFILE" 2>/dev/null)" >"$RUN_DIR/postgres.pid"
    stop_pid postgres "$RUN_DIR/postgres.pid" "$PG_PORT"
    ;;
  status) ready && echo "postgres up   postgresql://postgres@127.0.0.1:$PG_PORT/herald" || { echo "postgres down"; exit 1; } ;;
  *) die "usage: $0 start|stop|status" ;;
esac
