#!/usr/bin/env bash
# How long each shop service takes to start, and how much memory it holds then, under the CPU its Kubernetes manifest
# requests: what the startup probes and the resource requests in kubernetes/shop.yaml are set from (issue 22.5).
# Per service: its jar and target/lib staged into one directory as its Dockerfile does, the AOT cache trained there
# as the Dockerfile's RUN step does (AotTraining), then ROUNDS rounds alternating a plain `java` start and a
# `java-aot` start, each in a CPU cgroup limited to CPU_MILLIS (a pod's CPU limit: cgroup v1 cpu.cfs_quota_us, or v2
# cpu.max), timed from launch to the first 200 from /health/started (the startup probe's path), with the JVM's RSS
# and CPU time (user + system) at that moment, and then to the first 200 from /health/ready (the readiness probe's
# path: it needs the token issuer's keys, so an OpenID Connect provider -- mock-oauth2-server, the demo's -- runs
# beside the services, outside the cgroup; the training runs without it, as a Dockerfile's RUN step does). Without a
# writable CPU cgroup (not root, no cgroup file system) it stops and says so. Default settings otherwise: the
# in-memory broker and database (what a start in the cluster does with Kafka and PostgreSQL is not measured here).
# Usage: samples/shop/deploy/measure-start.sh   Knobs: CPU_MILLIS=250 ROUNDS=3 SERVICES="orders inventory notifications"
#        MEMORY_MIB=512 (the pod's memory limit; 0: none) PORT=18890 ISSUER_PORT=18891
#        JAVA_OPTS=-XX:MaxRAMPercentage=75 (the Dockerfiles' JAVA_TOOL_OPTIONS) MAVEN_ARGS=-o (passed to the build)
set -euo pipefail
CPU_MILLIS=${CPU_MILLIS:-250}; ROUNDS=${ROUNDS:-3}; SERVICES=${SERVICES:-orders inventory notifications}
PORT=${PORT:-18890}; ISSUER_PORT=${ISSUER_PORT:-18891}; MEMORY_MIB=${MEMORY_MIB:-512}
JAVA_OPTS=${JAVA_OPTS:--XX:MaxRAMPercentage=75}
for n in CPU_MILLIS ROUNDS PORT ISSUER_PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "measure-start: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
[[ $MEMORY_MIB =~ ^[0-9]+$ ]] || { echo "measure-start: MEMORY_MIB must be a whole number, was '$MEMORY_MIB'" >&2; exit 2; }
for s in $SERVICES; do
  case $s in orders | inventory | notifications) ;; *) echo "measure-start: unknown service '$s'" >&2; exit 2 ;; esac
done
ROOT=$(cd "$(dirname "$0")/../../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
"$JAVA" -version 2>&1 | head -n 1 | grep -Eq '"(2[5-9]|[3-9][0-9])' \
  || { echo "measure-start: the AOT cache needs JDK 25 or later; JAVA_HOME is $JAVA_HOME" >&2; exit 1; }

# what is left to clean up at exit, whatever stops the script: the cgroups, the issuer, the start being measured
CGS=(); ISSUER_PID=; START_PID=
stop_pid() { # pid: SIGTERM, up to 10 s for the JVM to end, then SIGKILL
  local p=$1 k
  [ -n "$p" ] || return 0
  kill "$p" 2>/dev/null || return 0
  for ((k = 0; k < 100; k++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  stop_pid "$START_PID"; stop_pid "$ISSUER_PID"
  for c in "${CGS[@]}"; do rmdir "$c" 2>/dev/null || true; done
}
trap cleanup EXIT

# the cgroups every start runs in: the CPU limit, and the pod's memory limit, which the JVM sizes itself by (below
# 1792 MiB it picks the Serial collector, as in the pod; with MaxRAMPercentage=75, as the Dockerfiles set, the heap)
if [ -w /sys/fs/cgroup/cpu ] && [ -f /sys/fs/cgroup/cpu/cpu.cfs_period_us ]; then
  if (( MEMORY_MIB > 0 )) && ! [ -w /sys/fs/cgroup/memory ]; then
    echo "measure-start: no writable memory cgroup (MEMORY_MIB=0 runs without the memory limit)" >&2; exit 1
  fi
  CG=/sys/fs/cgroup/cpu/chassis-measure-start.$$; mkdir "$CG"; CGS+=("$CG")
  echo 100000 > "$CG/cpu.cfs_period_us"; echo $((CPU_MILLIS * 100)) > "$CG/cpu.cfs_quota_us"
  if (( MEMORY_MIB > 0 )); then
    CG=/sys/fs/cgroup/memory/chassis-measure-start.$$; mkdir "$CG"; CGS+=("$CG")
    echo $((MEMORY_MIB * 1048576)) > "$CG/memory.limit_in_bytes"
  fi
elif [ -w /sys/fs/cgroup ] && [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
  if (( MEMORY_MIB > 0 )) && ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
    echo "measure-start: the cgroup file system has no memory controller (MEMORY_MIB=0 runs without the memory limit)" >&2
    exit 1
  fi
  grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
  if (( MEMORY_MIB > 0 )); then
    grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory > /sys/fs/cgroup/cgroup.subtree_control
  fi
  CG=/sys/fs/cgroup/chassis-measure-start.$$; mkdir "$CG"; CGS+=("$CG")
  echo "$((CPU_MILLIS * 100)) 100000" > "$CG/cpu.max"
  if (( MEMORY_MIB > 0 )); then
    echo $((MEMORY_MIB * 1048576)) > "$CG/memory.max"
  fi
else
  echo "measure-start: no writable CPU cgroup (run as root on a machine with /sys/fs/cgroup/cpu or cgroup v2)" >&2; exit 1
fi
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-measure-start.XXXXXX")

echo "building (./mvnw ${MAVEN_ARGS:-} -q -B -DskipTests package -pl samples/shop/demo -am) ..."
# shellcheck disable=SC2086
./mvnw ${MAVEN_ARGS:-} -q -B -DskipTests package dependency:build-classpath -pl samples/shop/demo -am \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/measure-start-cp.txt \
  >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }

# the token issuer every service trusts (security.issuers.shop): readiness waits for its keys
SERVER_PORT=$ISSUER_PORT "$JAVA" -cp "$(cat samples/shop/demo/target/measure-start-cp.txt)" \
  no.nav.security.mock.oauth2.StandaloneMockOAuth2ServerKt >"$OUT/issuer.log" 2>&1 &
ISSUER_PID=$!
ISSUER="http://localhost:$ISSUER_PORT/shop"
for ((k = 0; k < 6000; k++)); do
  curl -sf -o /dev/null "$ISSUER/jwks" && break
  kill -0 "$ISSUER_PID" 2>/dev/null || { echo "measure-start: the token issuer exited; its log:" >&2; tail -n 30 "$OUT/issuer.log" >&2; exit 1; }
  sleep 0.01
done
curl -sf -o /dev/null "$ISSUER/jwks" || { echo "measure-start: the token issuer did not answer within 60 s" >&2; exit 1; }

main_class() {
  case $1 in
    orders) echo dev.chassis.samples.shop.orders.OrdersService ;;
    inventory) echo dev.chassis.samples.shop.inventory.InventoryService ;;
    notifications) echo dev.chassis.samples.shop.notifications.NotificationsService ;;
  esac
}

# one start: launch in the cgroup; poll /health/started and /health/ready with one curl (two requests on one
# connection); when each first answered 200 is taken from curl's own times (the end of the run, less the second
# request's time_total for the first), so that neither waits for another process; RSS and CPU time read with shell
# built-ins after the poll that saw /health/started first; prints "started_ms rss_mib cpu_ms ready_ms"
start_once() { # service dir launcher(java|aot)
  local dir=$2 how=$3 main pid out c1 c2 tt2 t0 t1= t2= now deadline hz rss cpu key value rest
  local -a stat
  main=$(main_class "$1")
  hz=$(getconf CLK_TCK)
  t0=${EPOCHREALTIME/[.,]/} # microseconds, without a fork
  deadline=$(( t0 + 120000000 ))
  (
    for c in "${CGS[@]}"; do echo $BASHPID > "$c/cgroup.procs"; done
    # shellcheck disable=SC2086
    if [ "$how" = aot ]; then
      exec "$dir/java-aot" $JAVA_OPTS --sun-misc-unsafe-memory-access=allow "-Dserver.port=$PORT" \
        "-Dsecurity.issuers.shop.issuer=$ISSUER" -cp "$dir/*:$dir/lib/*" "$main"
    else
      exec "$JAVA" $JAVA_OPTS --sun-misc-unsafe-memory-access=allow "-Dserver.port=$PORT" \
        "-Dsecurity.issuers.shop.issuer=$ISSUER" -cp "$dir/*:$dir/lib/*" "$main"
    fi
  ) >"$OUT/$1-$how.log" 2>&1 &
  pid=$!; START_PID=$pid
  while :; do
    out=$(curl -s --max-time 2 -o /dev/null -o /dev/null -w '%{http_code} %{time_total} ' \
      "http://127.0.0.1:$PORT/health/started" "http://127.0.0.1:$PORT/health/ready" || true)
    now=${EPOCHREALTIME/[.,]/}
    read -r c1 _ c2 tt2 <<<"$out"
    if [ -z "$t1" ] && { [ "$c1" = 200 ] || [ "$c2" = 200 ]; }; then
      t1=$now
      [ "$c1" = 200 ] && t1=$(( now - $(awk -v t="${tt2:-0}" 'BEGIN { printf "%d", t * 1000000 }') ))
      read -r -a stat < "/proc/$pid/stat"
      cpu=$(( (stat[13] + stat[14]) * 1000 / hz ))
      while read -r key value rest; do [ "$key" = VmRSS: ] && rss=$(( value / 1024 )); done < "/proc/$pid/status"
    fi
    [ "$c2" = 200 ] && { t2=$now; break; }
    kill -0 "$pid" 2>/dev/null || { echo "measure-start: $1 ($how) exited; its log:" >&2; tail -n 30 "$OUT/$1-$how.log" >&2; exit 1; }
    (( now < deadline )) || { echo "measure-start: $1 ($how) was not ready within 120 s; /health/ready says:" >&2
      curl -s --max-time 2 "http://127.0.0.1:$PORT/health/ready" >&2; exit 1; }
    sleep 0.01
  done
  echo "$(( (t1 - t0) / 1000 )) $rss $cpu $(( (t2 - t0) / 1000 ))"
  stop_pid "$pid"; START_PID=
}

median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "load average $(cut -d' ' -f1-3 /proc/loadavg); CPU limit ${CPU_MILLIS}m; memory limit ${MEMORY_MIB}Mi (0: none); $("$JAVA" -version 2>&1 | head -n 1)"
# what the JVM makes of the limits: its processors, collector and heap there
# shellcheck disable=SC2086
echo "in the cgroup: $( (for c in "${CGS[@]}"; do echo $BASHPID > "$c/cgroup.procs"; done
  exec "$JAVA" $JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null) | awk '$2 == "ActiveProcessorCount" { next }
  $2 ~ /^Use(Serial|G1|Parallel|Z)GC$/ && $4 == "true" { gc = $2 } $2 == "MaxHeapSize" { heap = int($4 / 1048576) }
  END { printf "%s, max heap %d MiB", gc, heap }'), $(nproc) CPUs on the machine"
printf '%-14s %-8s %-22s %-14s %-10s %-9s %-20s %s\n' service start "to /health/started, ms" "(each)" "RSS, MiB" \
  "CPU, ms" "to /health/ready, ms" "(each)"
for s in $SERVICES; do
  dir="$OUT/$s"; mkdir -p "$dir/lib"
  cp "samples/shop/$s/target/shop-$s-"*-SNAPSHOT.jar "$dir/"
  cp samples/shop/"$s"/target/lib/*.jar "$dir/lib/"
  t0=$(date +%s%N)
  "$JAVA" -cp "$dir/lib/*" dev.chassis.launcher.AotTraining --dir "$dir" --ready /health/started \
    --requests 'GET /info,GET /health/live' -- --sun-misc-unsafe-memory-access=allow -cp "$dir/*:$dir/lib/*" \
    "$(main_class "$s")" >"$OUT/$s-training.log" 2>&1 || { echo "measure-start: training $s failed:" >&2; tail -n 30 "$OUT/$s-training.log" >&2; exit 1; }
  training_s=$(( ($(date +%s%N) - t0) / 1000000000 ))
  declare -A ms=() rss=() cpu=() rdy=()
  for ((r = 1; r <= ROUNDS; r++)); do
    order="java aot"; (( r % 2 == 0 )) && order="aot java"
    for how in $order; do
      start_once "$s" "$dir" "$how" >"$OUT/start.txt"
      read -r m m_rss m_cpu m_rdy <"$OUT/start.txt"
      ms[$how]+="$m "; rss[$how]+="$m_rss "; cpu[$how]+="$m_cpu "; rdy[$how]+="$m_rdy "
    done
  done
  for how in java aot; do
    printf '%-14s %-8s %-22s %-14s %-10s %-9s %-20s %s\n' "$s" "$how" "$(echo ${ms[$how]} | median)" "(${ms[$how]% })" \
      "$(echo ${rss[$how]} | median)" "$(echo ${cpu[$how]} | median)" "$(echo ${rdy[$how]} | median)" "(${rdy[$how]% })"
  done
  echo "  (training ${training_s} s, cache $(( $(stat -c %s "$dir/app.aot") / 1048576 )) MB)"
  unset ms rss cpu rdy
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
