#!/usr/bin/env bash
# A single-node KRaft Apache Kafka (broker + controller in one JVM) on loopback: install | start | stop | status
source "$(dirname "$0")/lib.sh"
HERE="$(cd "$(dirname "$0")" && pwd)"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/kafka/pom.xml")"
LIBS="$ROOT/.herald/kafka-$KAFKA_VERSION/libs"   # shared by every state dir: fetched once
DATA="$STATE_DIR/kafka/data"
CONF="$STATE_DIR/kafka/server.properties"
PIDFILE="$RUN_DIR/kafka.pid"
HEAP="${HERALD_KAFKA_HEAP:-512m}"
# "admin:secret,alice:pw,...": the SCRAM variant (server-scram.properties.in). Each user gets a
# SCRAM-SHA-512 credential when the storage is formatted; the first is the broker's own and the
# administrator (super user). Unset: the plaintext broker of dev and tests.
SCRAM_USERS="${HERALD_KAFKA_SCRAM_USERS:-}"

install_jars() {
  [ -f "$LIBS/.complete" ] && return
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka's jars from Maven Central"
  command -v java >/dev/null || die "a Java 17+ runtime is needed to run Kafka"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  rm -rf "$LIBS"; mkdir -p "$LIBS"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIBS" >"$LOG_DIR/kafka-install.log" 2>&1 \
    || die "mvn could not fetch Kafka, see $LOG_DIR/kafka-install.log"
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DATA"
  local template="$HERE/kafka/server.properties.in" admin="${SCRAM_USERS%%,*}"
  [ -n "$SCRAM_USERS" ] && template="$HERE/kafka/server-scram.properties.in"
  sed -e "s|@PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" -e "s|@DATA@|$DATA|g" \
    -e "s|@ADMIN_USER@|${admin%%:*}|g" -e "s|@ADMIN_PASSWORD@|${admin#*:}|g" "$template" >"$CONF"
  chmod 600 "$CONF"
}

# --add-scram arguments of the storage format, one per HERALD_KAFKA_SCRAM_USERS entry.
scram_args() {
  local entry
  [ -n "$SCRAM_USERS" ] || return 0
  for entry in ${SCRAM_USERS//,/ }; do
    printf '%s\n' --add-scram "SCRAM-SHA-512=[name=${entry%%:*},password=${entry#*:}]"
  done
}

# The JVM flags of Kafka's own bin/kafka-run-class.sh, with a small fixed heap.
JAVA_OPTS=(-Xms"$HEAP" -Xmx"$HEAP" -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties" -cp "$LIBS/*")

# The broker is ready when its listener accepts connections and it logged its start.
started() { port_open "$KAFKA_PORT" && grep -q "Kafka Server started" "$LOG_DIR/kafka.log"; }

case "${1:-}" in
  install) install_jars ;;
  start)
    if pid_alive "$(cat "$PIDFILE" 2>/dev/null)" && port_open "$KAFKA_PORT"; then log "kafka already running on $KAFKA_PORT"; exit 0; fi
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
      port_open "$p" && die "port $p is taken by another process (set HERALD_KAFKA_PORT / HERALD_KAFKA_CONTROLLER_PORT)"
    done
    install_jars
    write_config
    if [ ! -f "$DATA/meta.properties" ]; then
      cluster_id="$(java "${JAVA_OPTS[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
      mapfile -t scram < <(scram_args)
      java "${JAVA_OPTS[@]}" kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$CONF" "${scram[@]}" \
        >"$LOG_DIR/kafka-format.log" 2>&1 \
        || die "formatting the KRaft storage failed, see $LOG_DIR/kafka-format.log"
    fi
    # setsid: the broker outlives the shell that started it and ignores its Ctrl-C.
    setsid nohup java "${JAVA_OPTS[@]}" kafka.Kafka "$CONF" >"$LOG_DIR/kafka.log" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    wait_until 90 "kafka on 127.0.0.1:$KAFKA_PORT" started \
      || { tail -20 "$LOG_DIR/kafka.log" >&2; die "kafka did not start in 90 s, see $LOG_DIR/kafka.log"; }
    ;;
  stop)
    stop_pid kafka "$PIDFILE" "$KAFKA_PORT"
    port_open "$KAFKA_CONTROLLER_PORT" && die "kafka controller port $KAFKA_CONTROLLER_PORT still in use"
    true
    ;;
  status) started && echo "kafka   up   127.0.0.1:$KAFKA_PORT" || { echo "kafka   down"; exit 1; } ;;
  *) die "usage: $0 install|start|stop|status" ;;
esac
