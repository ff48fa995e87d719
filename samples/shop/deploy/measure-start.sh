#!/usr/bin/env bash
# How long each shop service takes to start, and how much memory it holds then, under the CPU its Kubernetes manifest
# requests: what the startup probes and the resource requests in kubernetes/shop.yaml are set from (issue 22.5).
# Per service: its jar and target/lib staged into one directory as its Dockerfile does, the AOT cache trained there
# as the Dockerfile's RUN step does (AotTraining), then ROUNDS rounds alternating a plain `java` start and a
# `java-aot` start, each in a CPU cgroup limited to CPU_MILLIS (a pod's CPU limit: cgroup v1 cpu.cfs_quota_us, or v2
# cpu.max), timed from launch to the first 200 from /health/started (the startup probe's path), with the JVM's RSS
# and CPU time (user + system) at that moment. Without a writable CPU cgroup (not root, no cgroup file system) it
# stops and says so. Default settings only: the in-memory broker and database (what a start in the cluster does
# with Kafka and PostgreSQL is not measured here: their connections are made after /health/started answers).
# Usage: samples/shop/deploy/measure-start.sh   Knobs: CPU_MILLIS=250 ROUNDS=3 SERVICES="orders inventory notifications"
#        PORT=18890 JAVA_OPTS= MAVEN_ARGS=-o (passed to the build)
set -euo pipefail
CPU_MILLIS=${CPU_MILLIS:-250}; ROUNDS=${ROUNDS:-3}; SERVICES=${SERVICES:-orders inventory notifications}
PORT=${PORT:-18890}; JAVA_OPTS=${JAVA_OPTS:-}
for n in CPU_MILLIS ROUNDS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "measure-start: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
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

# the CPU cgroup every start runs in
if [ -w /sys/fs/cgroup/cpu ] && [ -f /sys/fs/cgroup/cpu/cpu.cfs_period_us ]; then
  CG=/sys/fs/cgroup/cpu/chassis-measure-start.$$; mkdir "$CG"
  echo 100000 > "$CG/cpu.cfs_period_us"; echo $((CPU_MILLIS * 100)) > "$CG/cpu.cfs_quota_us"
elif [ -w /sys/fs/cgroup ] && [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
  grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
  CG=/sys/fs/cgroup/chassis-measure-start.$$; mkdir "$CG"
  echo "$((CPU_MILLIS * 100)) 100000" > "$CG/cpu.max"
else
  echo "measure-start: no writable CPU cgroup (run as root on a machine with /sys/fs/cgroup/cpu or cgroup v2)" >&2; exit 1
fi
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-measure-start.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5; rmdir "$CG" 2>/dev/null || true
}
trap cleanup EXIT

echo "building (./mvnw ${MAVEN_ARGS:-} -q -B -DskipTests package -pl samples/shop/orders,samples/shop/inventory,samples/shop/notifications -am) ..."
# shellcheck disable=SC2086
./mvnw ${MAVEN_ARGS:-} -q -B -DskipTests package -pl samples/shop/orders,samples/shop/inventory,samples/shop/notifications -am \
  >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }

main_class() {
  case $1 in
    orders) echo dev.chassis.samples.shop.orders.OrdersService ;;
    inventory) echo dev.chassis.samples.shop.inventory.InventoryService ;;
    notifications) echo dev.chassis.samples.shop.notifications.NotificationsService ;;
  esac
}

# one start: launch in the cgroup, poll /health/started, then RSS and CPU time; prints "ms rss_mb cpu_ms"
start_once() { # service dir launcher(java|aot)
  local dir=$2 how=$3 main pid k code t0 t1 hz
  main=$(main_class "$1")
  t0=$(date +%s%N)
  (
    echo $BASHPID > "$CG/cgroup.procs"
    # shellcheck disable=SC2086
    if [ "$how" = aot ]; then
      exec "$dir/java-aot" $JAVA_OPTS --sun-misc-unsafe-memory-access=allow "-Dserver.port=$PORT" -cp "$dir/*:$dir/lib/*" "$main"
    else
      exec "$JAVA" $JAVA_OPTS --sun-misc-unsafe-memory-access=allow "-Dserver.port=$PORT" -cp "$dir/*:$dir/lib/*" "$main"
    fi
  ) >"$OUT/$1-$how.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  for ((k = 0; k < 12000; k++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/started" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { echo "measure-start: $1 ($how) exited; its log:" >&2; tail -n 30 "$OUT/$1-$how.log" >&2; exit 1; }
    sleep 0.01
  done
  [ "$code" = 200 ] || { echo "measure-start: $1 ($how) did not start within 120 s" >&2; exit 1; }
  t1=$(date +%s%N)
  hz=$(getconf CLK_TCK)
  echo "$(( (t1 - t0) / 1000000 )) $(awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$pid/status") $(awk -v hz="$hz" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$pid/stat")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "load average $(cut -d' ' -f1-3 /proc/loadavg); CPU limit ${CPU_MILLIS}m; $("$JAVA" -version 2>&1 | head -n 1)"
printf '%-14s %-8s %-22s %-14s %-10s %s\n' service start "to /health/started, ms" "(each)" "RSS, MB" "CPU, ms"
for s in $SERVICES; do
  dir="$OUT/$s"; mkdir -p "$dir/lib"
  cp "samples/shop/$s/target/shop-$s-"*-SNAPSHOT.jar "$dir/"
  cp samples/shop/"$s"/target/lib/*.jar "$dir/lib/"
  t0=$(date +%s%N)
  "$JAVA" -cp "$dir/lib/*" dev.chassis.launcher.AotTraining --dir "$dir" --ready /health/started \
    --requests 'GET /info,GET /health/live' -- --sun-misc-unsafe-memory-access=allow -cp "$dir/*:$dir/lib/*" \
    "$(main_class "$s")" >"$OUT/$s-training.log" 2>&1 || { echo "measure-start: training $s failed:" >&2; tail -n 30 "$OUT/$s-training.log" >&2; exit 1; }
  training_s=$(( ($(date +%s%N) - t0) / 1000000000 ))
  declare -A ms=() rss=() cpu=()
  for ((r = 1; r <= ROUNDS; r++)); do
    order="java aot"; (( r % 2 == 0 )) && order="aot java"
    for how in $order; do
      start_once "$s" "$dir" "$how" >"$OUT/start.txt"
      read -r m m_rss m_cpu <"$OUT/start.txt"
      ms[$how]+="$m "; rss[$how]+="$m_rss "; cpu[$how]+="$m_cpu "
    done
  done
  for how in java aot; do
    printf '%-14s %-8s %-22s %-14s %-10s %s\n' "$s" "$how" "$(echo ${ms[$how]} | median)" "(${ms[$how]% })" \
      "$(echo ${rss[$how]} | median)" "$(echo ${cpu[$how]} | median)"
  done
  echo "  (training ${training_s} s, cache $(( $(stat -c %s "$dir/app.aot") / 1048576 )) MB)"
  unset ms rss cpu
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
