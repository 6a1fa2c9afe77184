#!/usr/bin/env bash
# Local services for newsmon: a single-node Apache Kafka broker (KRaft, combined
# broker + controller) and Redis, both on 127.0.0.1, without Docker or systemd.
#
#   scripts/services.sh provision [kafka|redis]   download / install only
#   scripts/services.sh up        [kafka|redis]   provision, start, wait until ready
#   scripts/services.sh status    [kafka|redis]   state of each; exit 1 if one is down
#   scripts/services.sh down      [kafka|redis]   SIGTERM, wait, SIGKILL after a timeout
#   scripts/services.sh clean     [kafka|redis]   down + delete data and logs (keeps jars)
#
# With no service named, the command applies to both.
#
# Kafka is not downloaded as a tarball: scripts/kafka/pom.xml makes Maven copy
# kafka_2.13, kafka-tools, a log4j2 backend and their runtime dependencies from
# Maven Central into $NEWSMON_CACHE_DIR/kafka/libs (Maven's local repository is
# $NEWSMON_CACHE_DIR/m2, so nothing depends on ~/.m2). The broker runs as
# `java kafka.Kafka server.properties`, rendered from scripts/kafka/server.properties.in.
# Redis is Debian's redis-server, installed with apt-get when missing.
#
# Environment (defaults in brackets):
#   NEWSMON_CACHE_DIR              [<repo>/.cache]
#   NEWSMON_KAFKA_PORT             [9092]  PLAINTEXT listener on 127.0.0.1
#   NEWSMON_KAFKA_CONTROLLER_PORT  [9093]  KRaft CONTROLLER listener on 127.0.0.1
#   NEWSMON_KAFKA_DATA_DIR         [$NEWSMON_CACHE_DIR/kafka/data]  log.dirs. The
#                                  broker's server.properties and pid file live in
#                                  its parent directory, its log files in
#                                  <parent>/logs, so a second broker (e.g. for
#                                  tests) only needs its own ports and, say,
#                                  NEWSMON_KAFKA_DATA_DIR=/tmp/broker2/data
#   NEWSMON_KAFKA_LOG_DIR          [<parent of data dir>/logs]
#   NEWSMON_KAFKA_SASL_PORT        [unset]  if set: a second listener,
#                                  SASL_PLAINTEXT on 127.0.0.1 with the PLAIN
#                                  mechanism (the PLAINTEXT one stays, for the
#                                  broker itself and the readiness probe)
#   NEWSMON_KAFKA_SASL_USERS       [unset]  its users, "name:password[,name:password]"
#                                  (required with the port; names [A-Za-z0-9._-],
#                                  passwords without , " \ or spaces). They are
#                                  written to server.properties (mode 600) as a
#                                  JAAS config; never logged
#   NEWSMON_KAFKA_RETENTION_HOURS  [168]   log.retention.hours (the app's dedup
#                                  TTL must outlive it)
#   NEWSMON_KAFKA_READY_TIMEOUT    [90]    seconds to wait for the broker
#   NEWSMON_KAFKA_STOP_TIMEOUT     [60]    seconds between SIGTERM and SIGKILL
#   JAVA_HOME                      [unset: java from PATH]  Java 17+ for Kafka
#   KAFKA_HEAP_OPTS                [-Xms256m -Xmx1g]
#   KAFKA_JVM_PERFORMANCE_OPTS     [G1 settings as in Kafka's kafka-run-class.sh]
#   NEWSMON_REDIS_PORT             [6379]
#   NEWSMON_REDIS_PASSWORD         [unset]  if set: requirepass
#   NEWSMON_REDIS_DIR              [$NEWSMON_CACHE_DIR/redis]  data, config, pid, log
#   NEWSMON_REDIS_READY_TIMEOUT    [30]
#   NEWSMON_REDIS_STOP_TIMEOUT     [30]
set -euo pipefail

readonly KAFKA_VERSION=4.1.1

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT
readonly KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
readonly KAFKA_LOG4J=$SCRIPT_DIR/kafka/log4j2.xml
readonly KAFKA_PROPS_TEMPLATE=$SCRIPT_DIR/kafka/server.properties.in

# Absolute form of a path given relative to the current directory.
abspath() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

CACHE_DIR=$(abspath "${NEWSMON_CACHE_DIR:-$REPO_ROOT/.cache}")
readonly CACHE_DIR
readonly M2_REPO=$CACHE_DIR/m2
readonly KAFKA_LIBS_DIR=$CACHE_DIR/kafka/libs

KAFKA_PORT=${NEWSMON_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${NEWSMON_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_DATA_DIR=$(abspath "${NEWSMON_KAFKA_DATA_DIR:-$CACHE_DIR/kafka/data}")
KAFKA_DATA_DIR=${KAFKA_DATA_DIR%/}
KAFKA_RUN_DIR=$(dirname -- "$KAFKA_DATA_DIR")
KAFKA_LOG_DIR=$(abspath "${NEWSMON_KAFKA_LOG_DIR:-$KAFKA_RUN_DIR/logs}")
KAFKA_PROPS=$KAFKA_RUN_DIR/server.properties
KAFKA_TOOLS_PROPS=$KAFKA_RUN_DIR/tools.properties
KAFKA_PIDFILE=$KAFKA_RUN_DIR/kafka.pid
KAFKA_RETENTION_HOURS=${NEWSMON_KAFKA_RETENTION_HOURS:-168}
KAFKA_SASL_PORT=${NEWSMON_KAFKA_SASL_PORT:-}
KAFKA_SASL_USERS=${NEWSMON_KAFKA_SASL_USERS:-}
KAFKA_READY_TIMEOUT=${NEWSMON_KAFKA_READY_TIMEOUT:-90}
KAFKA_STOP_TIMEOUT=${NEWSMON_KAFKA_STOP_TIMEOUT:-60}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}
JAVA=java
if [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME:-}/bin/java ]]; then
  JAVA=$JAVA_HOME/bin/java
fi
KAFKA_JVM_PERFORMANCE_OPTS=${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}

REDIS_PORT=${NEWSMON_REDIS_PORT:-6379}
REDIS_PASSWORD=${NEWSMON_REDIS_PASSWORD:-}
REDIS_DIR=$(abspath "${NEWSMON_REDIS_DIR:-$CACHE_DIR/redis}")
REDIS_DIR=${REDIS_DIR%/}
REDIS_CONF=$REDIS_DIR/redis.conf
REDIS_PIDFILE=$REDIS_DIR/redis.pid
REDIS_LOGFILE=$REDIS_DIR/redis.log
REDIS_READY_TIMEOUT=${NEWSMON_REDIS_READY_TIMEOUT:-30}
REDIS_STOP_TIMEOUT=${NEWSMON_REDIS_STOP_TIMEOUT:-30}

# ---------------------------------------------------------------- helpers

log() { printf '[services] %s\n' "$*"; }
warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

now_ms() { date +%s%3N; }

# Milliseconds since $1 (a now_ms value), as "12.3s".
since() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

check_settings() {
  local name value
  for name in KAFKA_PORT KAFKA_CONTROLLER_PORT REDIS_PORT KAFKA_RETENTION_HOURS \
    KAFKA_READY_TIMEOUT KAFKA_STOP_TIMEOUT REDIS_READY_TIMEOUT REDIS_STOP_TIMEOUT; do
    value=${!name}
    is_uint "$value" || die "$name must be a non-negative integer, got '$value'"
  done
  [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] ||
    die "NEWSMON_KAFKA_PORT and NEWSMON_KAFKA_CONTROLLER_PORT must differ"
  check_sasl_settings
}

# NEWSMON_KAFKA_SASL_PORT / NEWSMON_KAFKA_SASL_USERS: both or neither, well-formed.
check_sasl_settings() {
  if [[ -z $KAFKA_SASL_PORT ]]; then
    [[ -z $KAFKA_SASL_USERS ]] || die "NEWSMON_KAFKA_SASL_USERS is set but NEWSMON_KAFKA_SASL_PORT is not"
    return 0
  fi
  is_uint "$KAFKA_SASL_PORT" || die "NEWSMON_KAFKA_SASL_PORT must be a non-negative integer, got '$KAFKA_SASL_PORT'"
  [[ $KAFKA_SASL_PORT != "$KAFKA_PORT" && $KAFKA_SASL_PORT != "$KAFKA_CONTROLLER_PORT" ]] ||
    die "NEWSMON_KAFKA_SASL_PORT must differ from NEWSMON_KAFKA_PORT and NEWSMON_KAFKA_CONTROLLER_PORT"
  [[ -n $KAFKA_SASL_USERS ]] || die "NEWSMON_KAFKA_SASL_PORT needs NEWSMON_KAFKA_SASL_USERS (name:password,...)"
  local entry
  local -a entries
  IFS=, read -r -a entries <<<"$KAFKA_SASL_USERS"
  for entry in "${entries[@]}"; do
    # The message names the user only: the password must not reach a log.
    [[ $entry =~ ^[A-Za-z0-9._-]+:[^\"[:space:]]+$ ]] ||
      die "NEWSMON_KAFKA_SASL_USERS: entry for '${entry%%:*}' is not name:password (password without spaces, quotes or backslashes)"
  done
}

# The JAAS line of the SASL_PLAINTEXT listener: one user_<name>="<password>" per user.
kafka_sasl_jaas() {
  local entry
  local -a entries
  IFS=, read -r -a entries <<<"$KAFKA_SASL_USERS"
  printf 'org.apache.kafka.common.security.plain.PlainLoginModule required'
  for entry in "${entries[@]}"; do
    printf ' user_%s="%s"' "${entry%%:*}" "${entry#*:}"
  done
  printf ';\n'
}

# retry ATTEMPTS FIRST_DELAY_SECONDS COMMAND...: exponential backoff.
retry() {
  local attempts=$1 delay=$2 n=1
  shift 2
  until "$@"; do
    if ((n >= attempts)); then
      return 1
    fi
    warn "attempt $n/$attempts failed; retrying in ${delay}s"
    sleep "$delay"
    n=$((n + 1))
    delay=$((delay * 2))
  done
}

# Exit status 0 when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Running (and not a zombie)?
pid_running() {
  local pid=$1 stat
  [[ -n $pid && -r /proc/$pid/stat ]] || return 1
  stat=$(<"/proc/$pid/stat") || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# pid_matches PID WORD...: PID runs and its command line contains every WORD.
pid_matches() {
  local pid=$1 cmdline word
  shift
  pid_running "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  for word in "$@"; do
    [[ $cmdline == *"$word"* ]] || return 1
  done
}

read_pidfile() {
  local pid=""
  if [[ -f $1 ]]; then
    read -r pid <"$1" || true
  fi
  if is_uint "$pid"; then
    printf '%s\n' "$pid"
  fi
}

# stop_pid PID NAME TIMEOUT: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
  local pid=$1 name=$2 timeout=$3 t0 deadline
  t0=$(now_ms)
  deadline=$((t0 + timeout * 1000))
  log "stopping $name (pid $pid, SIGTERM)..."
  kill -TERM "$pid" 2>/dev/null || true
  while pid_running "$pid"; do
    if (($(now_ms) >= deadline)); then
      warn "$name did not exit within ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      local n=0
      while pid_running "$pid" && ((n < 50)); do
        sleep 0.1
        n=$((n + 1))
      done
      pid_running "$pid" && die "could not kill $name (pid $pid)"
      break
    fi
    sleep 0.2
  done
  log "$name stopped ($(since "$t0"))"
}

# Refuse to delete anything that is not a plausible service directory.
safe_rm_rf() {
  local path
  for path in "$@"; do
    [[ -e $path ]] || continue
    case $path in
      "" | / | /bin | /boot | /dev | /etc | /home | /lib | /lib64 | /opt | /proc | /root | /sbin | /srv | /sys | /tmp | /usr | /var | "$HOME" | "$REPO_ROOT" | "$CACHE_DIR")
        die "refusing to delete '$path'"
        ;;
    esac
    rm -rf -- "$path"
  done
}

# Lock FD (opened on a per-service lock file) so that concurrent invocations
# do not race; the fd is closed for the daemons themselves (see start_*).
take_lock() {
  local fd=$1 name=$2
  mkdir -p "$CACHE_DIR"
  command -v flock >/dev/null 2>&1 || return 0
  eval "exec $fd>\"\$CACHE_DIR/.lock-\$name\""
  if ! flock -n "$fd"; then
    log "waiting for another scripts/services.sh on $name..."
    flock -w 900 "$fd" || die "timed out waiting for the lock on $name"
  fi
}

# ---------------------------------------------------------------- installers

SUDO=()
need_root() {
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || die "installing packages needs root (or sudo)"
    SUDO=(sudo)
  fi
}

POLICY_RC_D=/usr/sbin/policy-rc.d
POLICY_RC_D_OURS=0
restore_policy_rc_d() {
  if ((POLICY_RC_D_OURS)); then
    "${SUDO[@]}" rm -f "$POLICY_RC_D"
    POLICY_RC_D_OURS=0
  fi
}

apt_try() {
  local log=$1
  shift
  {
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Retries=3 update &&
      "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Acquire::Retries=3 \
        install --no-install-recommends "$@"
  } >>"$log" 2>&1
}

# apt_install PACKAGE...: apt-get update + install, 4 attempts with backoff.
# The packages' init scripts are kept from starting services (redis-server
# would otherwise try to start a system instance on port 6379).
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; install $* yourself"
  need_root
  mkdir -p "$CACHE_DIR"
  local log=$CACHE_DIR/apt.log t0
  t0=$(now_ms)
  : >"$log"
  log "installing $* with apt-get..."
  if [[ ! -e $POLICY_RC_D ]]; then
    printf '#!/bin/sh\n# temporary, from newsmon scripts/services.sh\nexit 101\n' |
      "${SUDO[@]}" tee "$POLICY_RC_D" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY_RC_D"
    POLICY_RC_D_OURS=1
  fi
  if ! retry 4 5 apt_try "$log" "$@"; then
    restore_policy_rc_d
    tail -n 30 "$log" >&2
    die "apt-get install $* failed (full log: $log)"
  fi
  restore_policy_rc_d
  log "installed $* ($(since "$t0"))"
}

java_major() {
  local v
  v=$("$JAVA" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  v=${v#1.}
  printf '%s\n' "${v%%[!0-9]*}"
}

ensure_java() {
  if ! command -v "$JAVA" >/dev/null 2>&1; then
    apt_install default-jre-headless
    JAVA=java
  fi
  local major
  major=$(java_major)
  if [[ -z $major ]] || ((major < 17)); then
    die "Kafka $KAFKA_VERSION needs Java 17+, found '$("$JAVA" -version 2>&1 | head -n 1)' ($JAVA)"
  fi
}

ensure_maven() {
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# ---------------------------------------------------------------- kafka

kafka_jar_summary() {
  local n mb
  n=$(find "$KAFKA_LIBS_DIR" -maxdepth 1 -name '*.jar' | wc -l)
  mb=$(du -sm "$KAFKA_LIBS_DIR" | cut -f1)
  printf '%s jars, %s MB' "$n" "$mb"
}

kafka_stamp() {
  printf 'kafka=%s pom=%s\n' "$KAFKA_VERSION" "$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)"
}

MVN_ATTEMPT=0
mvn_copy_dependencies() {
  local out=$1 log=$2
  local -a force=()
  MVN_ATTEMPT=$((MVN_ATTEMPT + 1))
  # Maven caches a failed download in the local repository and would not try
  # again before the update interval; -U makes a retry really retry.
  if ((MVN_ATTEMPT > 1)); then
    force=(-U)
  fi
  rm -rf -- "$out"
  mvn -B -ntp "${force[@]}" -f "$KAFKA_POM" \
    -Dmaven.repo.local="$M2_REPO" \
    -Dmaven.wagon.http.retryHandler.count=3 \
    -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DoutputDirectory="$out" >"$log" 2>&1
}

provision_kafka() {
  local stamp_file=$KAFKA_LIBS_DIR/.provisioned stamp
  ensure_java
  stamp=$(kafka_stamp)
  if [[ -f $stamp_file && $(<"$stamp_file") == "$stamp" ]]; then
    log "Kafka $KAFKA_VERSION jars cached in ${KAFKA_LIBS_DIR#"$REPO_ROOT"/} ($(kafka_jar_summary))"
    return 0
  fi
  ensure_maven
  mkdir -p "$CACHE_DIR/kafka"
  local t0 log=$CACHE_DIR/kafka/mvn.log tmp=$CACHE_DIR/kafka/libs.tmp
  t0=$(now_ms)
  log "resolving Kafka $KAFKA_VERSION from Maven Central..."
  if ! retry 4 5 mvn_copy_dependencies "$tmp" "$log"; then
    printf -- '--- Maven output (last attempt) ---\n' >&2
    grep -E '^\[(ERROR|WARNING)\] .' "$log" | grep -vE '^\[ERROR\] \[Help|-e switch|-X switch|read the following articles' |
      tail -n 20 >&2 || tail -n 30 "$log" >&2
    die "resolving Kafka failed (full log: $log)"
  fi
  [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] ||
    die "Maven did not produce kafka_2.13-$KAFKA_VERSION.jar (log: $log)"
  printf '%s\n' "$stamp" >"$tmp/.provisioned"
  safe_rm_rf "$KAFKA_LIBS_DIR"
  mv -- "$tmp" "$KAFKA_LIBS_DIR"
  log "Kafka $KAFKA_VERSION resolved into ${KAFKA_LIBS_DIR#"$REPO_ROOT"/} ($(kafka_jar_summary), $(since "$t0"))"
}

# Java command line of a Kafka CLI tool (class name + arguments follow); it
# logs warnings to stderr and creates no log file.
kafka_tool_java() {
  KAFKA_TOOL_JAVA=("$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    -Dlog4j2.configurationFile="$KAFKA_LOG4J"
    -Dnewsmon.log.appender=Stderr -Dnewsmon.log.level="${1:-WARN}"
    -cp "$KAFKA_LIBS_DIR/*")
}

kafka_tool() {
  kafka_tool_java WARN
  "${KAFKA_TOOL_JAVA[@]}" "$@"
}

sed_escape() {
  printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

render_kafka_props() {
  local sasl_listener="" sasl_map=""
  if [[ -n $KAFKA_SASL_PORT ]]; then
    sasl_listener=",SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT"
    sasl_map=",SASL_PLAINTEXT:SASL_PLAINTEXT"
  fi
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@DATA_DIR@|$(sed_escape "$KAFKA_DATA_DIR")|g" \
    -e "s|@RETENTION_HOURS@|$KAFKA_RETENTION_HOURS|g" \
    -e "s|@SASL_LISTENER@|$sasl_listener|g" \
    -e "s|@SASL_PROTOCOL_MAP@|$sasl_map|g" \
    "$KAFKA_PROPS_TEMPLATE"
  if [[ -n $KAFKA_SASL_PORT ]]; then
    printf '\n############################# SASL listener (NEWSMON_KAFKA_SASL_PORT) ######\n'
    printf 'sasl.enabled.mechanisms=PLAIN\n'
    printf 'listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN\n'
    printf 'listener.name.sasl_plaintext.plain.sasl.jaas.config=%s' "$(kafka_sasl_jaas)"
  fi
}

write_kafka_config() {
  local rendered
  mkdir -p "$KAFKA_RUN_DIR" "$KAFKA_LOG_DIR"
  rendered=$(render_kafka_props)
  # umask 077: with a SASL listener the file holds passwords.
  (
    umask 077
    printf '%s\n' "$rendered" >"$KAFKA_PROPS.tmp"
  )
  mv -- "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
  # Client settings of the readiness probe: fail fast, the caller retries.
  printf '%s\n' 'request.timeout.ms=5000' 'default.api.timeout.ms=8000' \
    'socket.connection.setup.timeout.ms=2000' >"$KAFKA_TOOLS_PROPS"
}

format_kafka_storage() {
  if [[ -f $KAFKA_DATA_DIR/meta.properties ]]; then
    local id
    id=$(sed -n 's/^cluster\.id=//p' "$KAFKA_DATA_DIR/meta.properties")
    log "Kafka storage already formatted (cluster id $id)"
    return 0
  fi
  local t0 cluster_id out
  t0=$(now_ms)
  cluster_id=$(kafka_tool kafka.tools.StorageTool random-uuid)
  mkdir -p "$KAFKA_DATA_DIR"
  # Static quorum (controller.quorum.voters in server.properties), so neither
  # --standalone nor --initial-controllers is wanted here.
  if ! out=$(kafka_tool kafka.tools.StorageTool format \
    --config "$KAFKA_PROPS" --cluster-id "$cluster_id" 2>&1); then
    printf '%s\n' "$out" >&2
    die "formatting Kafka storage in $KAFKA_DATA_DIR failed"
  fi
  log "Kafka storage formatted in ${KAFKA_DATA_DIR#"$REPO_ROOT"/} (cluster id $cluster_id, $(since "$t0"))"
}

kafka_pid() {
  local pid
  pid=$(read_pidfile "$KAFKA_PIDFILE")
  if [[ -n $pid ]] && pid_matches "$pid" kafka.Kafka "$KAFKA_PROPS"; then
    printf '%s\n' "$pid"
  fi
}

# Does the broker answer a metadata request (list topics)?
kafka_answers() {
  kafka_tool_java ERROR
  timeout 20 "${KAFKA_TOOL_JAVA[@]}" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --command-config "$KAFKA_TOOLS_PROPS" \
    --list >/dev/null 2>&1
}

kafka_log_tail() {
  local f
  for f in "$KAFKA_LOG_DIR/server.log" "$KAFKA_LOG_DIR/kafkaServer.out"; do
    if [[ -s $f ]]; then
      printf -- '--- last lines of %s ---\n' "$f" >&2
      tail -n 40 "$f" >&2
    fi
  done
}

KAFKA_STARTED_AT=""
# Starts the broker if needed; does not wait (see wait_kafka_ready).
start_kafka() {
  local pid
  pid=$(kafka_pid)
  if [[ -n $pid ]]; then
    log "Kafka already running (pid $pid)"
    if [[ $(render_kafka_props) != "$(<"$KAFKA_PROPS")" ]]; then
      warn "server.properties would change (ports or settings differ from the running broker); run 'scripts/services.sh down kafka' and 'up kafka' to apply"
    fi
    return 0
  fi
  if [[ -f $KAFKA_PIDFILE ]]; then
    log "removing stale Kafka pid file (pid $(read_pidfile "$KAFKA_PIDFILE") is gone)"
    rm -f -- "$KAFKA_PIDFILE"
  fi
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" ${KAFKA_SASL_PORT:+"$KAFKA_SASL_PORT"}; do
    if port_open "$port"; then
      die "port 127.0.0.1:$port is already in use by a process this script did not start (set NEWSMON_KAFKA_PORT / NEWSMON_KAFKA_CONTROLLER_PORT)"
    fi
  done
  write_kafka_config
  format_kafka_storage
  log "Kafka log retention: ${KAFKA_RETENTION_HOURS}h ($((KAFKA_RETENTION_HOURS / 24)) days); newsmon's dedup TTL must be longer"
  local -a heap perf
  read -r -a heap <<<"$KAFKA_HEAP_OPTS"
  read -r -a perf <<<"$KAFKA_JVM_PERFORMANCE_OPTS"
  KAFKA_STARTED_AT=$(now_ms)
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT${KAFKA_SASL_PORT:+, SASL_PLAINTEXT :$KAFKA_SASL_PORT})..."
  {
    printf '\n=== %s: starting Kafka %s ===\n' "$(date -Is)" "$KAFKA_VERSION"
  } >>"$KAFKA_LOG_DIR/kafkaServer.out"
  # setsid: its own session, so it outlives this shell and its terminal.
  # 6>&- 7>&- 8>&-: do not inherit the lock fds.
  setsid "$JAVA" "${heap[@]}" "${perf[@]}" \
    -Dkafka.logs.dir="$KAFKA_LOG_DIR" \
    -Dlog4j2.configurationFile="$KAFKA_LOG4J" \
    -cp "$KAFKA_LIBS_DIR/*" \
    kafka.Kafka "$KAFKA_PROPS" \
    </dev/null >>"$KAFKA_LOG_DIR/kafkaServer.out" 2>&1 6>&- 7>&- 8>&- &
  pid=$!
  printf '%s\n' "$pid" >"$KAFKA_PIDFILE"
}

wait_kafka_ready() {
  local pid t0 deadline
  pid=$(read_pidfile "$KAFKA_PIDFILE")
  t0=${KAFKA_STARTED_AT:-$(now_ms)}
  deadline=$(($(now_ms) + KAFKA_READY_TIMEOUT * 1000))
  while :; do
    if ! pid_running "$pid"; then
      rm -f -- "$KAFKA_PIDFILE"
      kafka_log_tail
      die "Kafka exited during startup (logs: $KAFKA_LOG_DIR)"
    fi
    if port_open "$KAFKA_PORT" && kafka_answers; then
      log "Kafka ready on 127.0.0.1:$KAFKA_PORT (pid $pid, $(since "$t0"))"
      return 0
    fi
    if (($(now_ms) >= deadline)); then
      kafka_log_tail
      die "Kafka (pid $pid) did not answer metadata requests on 127.0.0.1:$KAFKA_PORT within ${KAFKA_READY_TIMEOUT}s; it is left running ('scripts/services.sh down kafka' stops it)"
    fi
    sleep 0.5
  done
}

status_kafka() {
  local pid
  pid=$(kafka_pid)
  if [[ -z $pid ]]; then
    printf 'kafka  DOWN     port %s (controller %s), data %s\n' \
      "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_DATA_DIR"
    return 1
  fi
  if port_open "$KAFKA_PORT" && kafka_answers; then
    printf 'kafka  READY    pid %s, 127.0.0.1:%s (controller %s), retention %sh, data %s\n' \
      "$pid" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_RETENTION_HOURS" "$KAFKA_DATA_DIR"
    return 0
  fi
  printf 'kafka  STARTED  pid %s, 127.0.0.1:%s not answering metadata requests (yet)\n' \
    "$pid" "$KAFKA_PORT"
  return 1
}

stop_kafka() {
  local pid
  pid=$(kafka_pid)
  if [[ -z $pid ]]; then
    log "Kafka not running"
  else
    stop_pid "$pid" Kafka "$KAFKA_STOP_TIMEOUT"
  fi
  rm -f -- "$KAFKA_PIDFILE"
}

clean_kafka() {
  stop_kafka
  log "deleting Kafka data and logs (${KAFKA_DATA_DIR}, ${KAFKA_LOG_DIR})"
  safe_rm_rf "$KAFKA_DATA_DIR" "$KAFKA_LOG_DIR"
  rm -f -- "$KAFKA_PROPS" "$KAFKA_TOOLS_PROPS"
}

# ---------------------------------------------------------------- redis

provision_redis() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    log "Redis: $(redis-server --version | awk '{print $3}' | sed 's/^v=//') at $(command -v redis-server)"
    return 0
  fi
  apt_install redis-server redis-tools
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after apt-get install"
}

# A value for redis.conf, double-quoted.
redis_quote() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

write_redis_config() {
  mkdir -p "$REDIS_DIR"
  (
    umask 077
    {
      echo "# generated by scripts/services.sh; edit the script, not this file"
      echo "bind 127.0.0.1"
      echo "protected-mode yes"
      echo "port $REDIS_PORT"
      echo "daemonize yes"
      echo "supervised no"
      echo "pidfile $(redis_quote "$REDIS_PIDFILE")"
      echo "logfile $(redis_quote "$REDIS_LOGFILE")"
      echo "loglevel notice"
      echo "dir $(redis_quote "$REDIS_DIR")"
      echo "appendonly yes"
      echo "appendfsync everysec"
      echo "appendfilename \"appendonly.aof\""
      echo "appenddirname \"appendonlydir\""
      echo "save \"\""
      # A story slice is one large hash; when its TTL (not the worker's UNLINK)
      # removes it, free it in the background instead of blocking Redis.
      echo "lazyfree-lazy-expire yes"
      echo "lazyfree-lazy-eviction yes"
      if [[ -n $REDIS_PASSWORD ]]; then
        echo "requirepass $(redis_quote "$REDIS_PASSWORD")"
      fi
    } >"$REDIS_CONF.tmp"
  )
  mv -- "$REDIS_CONF.tmp" "$REDIS_CONF"
}

redis_cli() {
  if [[ -n $REDIS_PASSWORD ]]; then
    REDISCLI_AUTH=$REDIS_PASSWORD timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
  else
    timeout 3 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"
  fi
}

redis_answers() {
  [[ $(redis_cli ping 2>/dev/null) == PONG ]]
}

redis_pid() {
  local pid
  pid=$(read_pidfile "$REDIS_PIDFILE")
  if [[ -n $pid ]] && pid_matches "$pid" redis-server; then
    printf '%s\n' "$pid"
  fi
}

up_redis() {
  local pid t0 deadline
  t0=$(now_ms)
  pid=$(redis_pid)
  if [[ -n $pid ]]; then
    log "Redis already running (pid $pid)"
  else
    if [[ -f $REDIS_PIDFILE ]]; then
      log "removing stale Redis pid file"
      rm -f -- "$REDIS_PIDFILE"
    fi
    if port_open "$REDIS_PORT"; then
      die "port 127.0.0.1:$REDIS_PORT is already in use by a process this script did not start (set NEWSMON_REDIS_PORT)"
    fi
    write_redis_config
    log "starting Redis on 127.0.0.1:$REDIS_PORT (AOF everysec, dir ${REDIS_DIR#"$REPO_ROOT"/})..."
    redis-server "$REDIS_CONF" </dev/null >>"$REDIS_LOGFILE" 2>&1 6>&- 7>&- 8>&- ||
      {
        tail -n 20 "$REDIS_LOGFILE" >&2
        die "redis-server failed to start"
      }
  fi
  deadline=$(($(now_ms) + REDIS_READY_TIMEOUT * 1000))
  until redis_answers; do
    if (($(now_ms) >= deadline)); then
      printf -- '--- last lines of %s ---\n' "$REDIS_LOGFILE" >&2
      tail -n 30 "$REDIS_LOGFILE" >&2 || true
      die "Redis did not answer PING on 127.0.0.1:$REDIS_PORT within ${REDIS_READY_TIMEOUT}s"
    fi
    sleep 0.2
  done
  # With daemonize, the pid file may appear just after the socket.
  local n=0
  pid=$(redis_pid)
  while [[ -z $pid ]] && ((n < 25)); do
    sleep 0.2
    pid=$(redis_pid)
    n=$((n + 1))
  done
  [[ -n $pid ]] || warn "Redis answers but its pid file $REDIS_PIDFILE is missing"
  log "Redis ready on 127.0.0.1:$REDIS_PORT (pid ${pid:-?}, $(since "$t0"))"
}

status_redis() {
  local pid
  pid=$(redis_pid)
  if [[ -z $pid ]]; then
    printf 'redis  DOWN     port %s, data %s\n' "$REDIS_PORT" "$REDIS_DIR"
    return 1
  fi
  if redis_answers; then
    printf 'redis  READY    pid %s, 127.0.0.1:%s, AOF everysec, %s, data %s\n' \
      "$pid" "$REDIS_PORT" "$([[ -n $REDIS_PASSWORD ]] && echo password || echo 'no password')" "$REDIS_DIR"
    return 0
  fi
  printf 'redis  STARTED  pid %s, 127.0.0.1:%s not answering PING\n' "$pid" "$REDIS_PORT"
  return 1
}

stop_redis() {
  local pid
  pid=$(redis_pid)
  if [[ -z $pid ]]; then
    log "Redis not running"
  else
    stop_pid "$pid" Redis "$REDIS_STOP_TIMEOUT"
  fi
  rm -f -- "$REDIS_PIDFILE"
}

clean_redis() {
  stop_redis
  log "deleting Redis data (${REDIS_DIR})"
  safe_rm_rf "$REDIS_DIR"
}

# ---------------------------------------------------------------- main

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || {
    usage >&2
    exit 2
  }
  shift
  case $cmd in
    -h | --help | help)
      usage
      return 0
      ;;
    up | down | status | clean | provision) ;;
    *) die "unknown command '$cmd' (see: scripts/services.sh --help)" ;;
  esac

  local kafka=0 redis=0 arg
  [[ $# -gt 0 ]] || set -- all
  for arg in "$@"; do
    case $arg in
      kafka) kafka=1 ;;
      redis) redis=1 ;;
      all | both)
        kafka=1
        redis=1
        ;;
      *) die "unknown service '$arg' (kafka, redis)" ;;
    esac
  done
  check_settings
  trap restore_policy_rc_d EXIT

  # Lock fds: 6 provisioning, 7 Redis, 8 Kafka (closed for the daemons).
  if [[ $cmd != status ]]; then
    take_lock 6 provision
    if ((redis)); then take_lock 7 "redis-$REDIS_PORT"; fi
    if ((kafka)); then take_lock 8 "kafka-$KAFKA_PORT"; fi
  fi

  local t0 rc=0
  t0=$(now_ms)
  case $cmd in
    provision)
      if ((kafka)); then provision_kafka; fi
      if ((redis)); then provision_redis; fi
      log "provisioned ($(since "$t0"))"
      ;;
    up)
      if ((kafka)); then provision_kafka; fi
      if ((redis)); then provision_redis; fi
      # Other invocations may provision now; only this instance's locks stay.
      exec 6>&-
      # Start Kafka first and bring Redis up while the JVM boots.
      if ((kafka)); then start_kafka; fi
      if ((redis)); then up_redis; fi
      if ((kafka)); then wait_kafka_ready; fi
      log "up ($(since "$t0"))"
      ;;
    status)
      if ((kafka)); then status_kafka || rc=1; fi
      if ((redis)); then status_redis || rc=1; fi
      ;;
    down)
      if ((kafka)); then stop_kafka; fi
      if ((redis)); then stop_redis; fi
      ;;
    clean)
      if ((kafka)); then clean_kafka; fi
      if ((redis)); then clean_redis; fi
      log "clean (downloaded jars kept in ${KAFKA_LIBS_DIR#"$REPO_ROOT"/})"
      ;;
  esac
  return "$rc"
}

main "$@"
