#!/usr/bin/env bash
# A private Redis on loopback: start | stop | status
source "$(dirname "$0")/lib.sh"
PIDFILE="$RUN_DIR/redis.pid"

ensure_installed() {
  command -v redis-server >/dev/null && return
  log "redis-server is missing; installing Debian's package"
  command -v apt-get >/dev/null || die "redis-server not found and apt-get unavailable: install Redis 7+ and retry"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >"$LOG_DIR/redis-install.log" 2>&1 \
    || die "apt-get install redis-server failed, see $LOG_DIR/redis-install.log"
}

ping() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping | grep -q PONG; }

case "${1:-}" in
  install) ensure_installed ;;
  start)
    ensure_installed
    if pid_alive "$(cat "$PIDFILE" 2>/dev/null)" && ping; then log "redis already running on $REDIS_PORT"; exit 0; fi
    port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process (set HERALD_REDIS_PORT)"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --pidfile "$PIDFILE" --logfile "$LOG_DIR/redis.log" --dir "$RUN_DIR"
    wait_until 20 "redis on 127.0.0.1:$REDIS_PORT" ping || die "redis did not answer in 20 s, see $LOG_DIR/redis.log"
    ;;
  stop) stop_pid redis "$PIDFILE" "$REDIS_PORT" ;;
  status) ping && echo "redis   up   redis://127.0.0.1:$REDIS_PORT" || { echo "redis   down"; exit 1; } ;;
  *) die "usage: $0 install|start|stop|status" ;;
esac
