#!/usr/bin/env bash
# What observability costs (issue 5): the foundation benchmark's Chassis endpoint (ChassisServer, GET /hello) in two
# processes, one with chassis-observability on (100% sampling, in-memory trace store, /metrics recording) and one
# with it off (chassis.extensions.observability.enabled=false). Both run side by side; wrk loads them alternately,
# ROUNDS rounds, and the median ratio on/off of requests/s is printed, with the median ratio of the server's CPU
# time per request (from /proc, less sensitive than requests/s to what else the machine runs).
# Usage: samples/benchmarks/bench-observability.sh   Knobs: WARMUP=10 ROUNDS=9 DURATION=10 THREADS=2 CONNECTIONS=64
#        PORT=18381 (off: PORT+1) JAVA_OPTS="-Xms64m -Xmx256m" SKIP_BUILD=0. Targets 127.0.0.1 only.
set -euo pipefail
WARMUP=${WARMUP:-10}; ROUNDS=${ROUNDS:-9}; DURATION=${DURATION:-10}; THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}; PORT=${PORT:-18381}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; SKIP_BUILD=${SKIP_BUILD:-0}
for n in WARMUP ROUNDS DURATION THREADS CONNECTIONS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
command -v wrk >/dev/null 2>&1 || { echo "bench: wrk not found; install wrk: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "bench: curl not found; install curl: apt-get install -y curl" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-observability.XXXXXX")
[ "$SKIP_BUILD" = 1 ] || { echo "building (./mvnw -q -DskipTests install) ..."; ./mvnw -q -DskipTests install; }
./mvnw -q -pl samples/benchmarks dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
ON=$PORT; OFF=$((PORT + 1))
for p in "$ON" "$OFF"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
"$JAVA" "${JAVA_ARGS[@]}" -cp "$JAR:$(cat "$OUT/cp.txt")" dev.chassis.samples.benchmarks.ChassisServer "$ON" \
  >"$OUT/on.log" 2>&1 &
PID_ON=$!
"$JAVA" "${JAVA_ARGS[@]}" -Dchassis.extensions.observability.enabled=false -cp "$JAR:$(cat "$OUT/cp.txt")" \
  dev.chassis.samples.benchmarks.ChassisServer "$OFF" >"$OUT/off.log" 2>&1 &
PID_OFF=$!
trap 'kill -TERM $PID_ON $PID_OFF 2>/dev/null; wait $PID_ON $PID_OFF 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP
for p in "$ON" "$OFF"; do
  for ((i = 0; i < 6000; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/hello" || true)" = 200 ] && break
    kill -0 $PID_ON 2>/dev/null && kill -0 $PID_OFF 2>/dev/null || { echo "bench: a server exited; logs in $OUT" >&2; exit 1; }
    sleep 0.01
  done
done
# the switch must really be what differs: on serves /metrics, off does not
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ON/metrics")" = 200 ] || { echo "bench: observability is not on" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$OFF/metrics")" = 404 ] || { echo "bench: observability is not off" >&2; exit 1; }

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
HZ=$(getconf CLK_TCK)
rps() { # PORT PID SECONDS FILE -> "requests/s server-CPU-microseconds-per-request"
  local t0 t1
  t0=$(ticks "$2")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3s" "http://127.0.0.1:$1/hello" >"$4" 2>&1 || { cat "$4" >&2; exit 1; }
  t1=$(ticks "$2")
  if grep -qE 'Non-2xx|Socket errors' "$4"; then echo "warning: port $1: $(grep -E 'Non-2xx|Socket errors' "$4" | paste -sd ';' -)" >&2; fi
  awk -v t="$((t1 - t0))" -v hz="$HZ" '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 } END { printf "%s %.2f\n", r, t * 1e6 / hz / n }' "$4"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "java: $("$JAVA" -version 2>&1 | head -n 1), flags $JAVA_OPTS; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; logs $OUT"
rps "$ON" $PID_ON "$WARMUP" "$OUT/warm-on.txt" >/dev/null; rps "$OFF" $PID_OFF "$WARMUP" "$OUT/warm-off.txt" >/dev/null
ratios=(); cpu=()
for ((i = 1; i <= ROUNDS; i++)); do
  if (( i % 2 )); then on=$(rps "$ON" $PID_ON "$DURATION" "$OUT/r$i-on.txt"); off=$(rps "$OFF" $PID_OFF "$DURATION" "$OUT/r$i-off.txt")
  else off=$(rps "$OFF" $PID_OFF "$DURATION" "$OUT/r$i-off.txt"); on=$(rps "$ON" $PID_ON "$DURATION" "$OUT/r$i-on.txt"); fi
  read -r on_rps on_cpu <<< "$on"; read -r off_rps off_cpu <<< "$off"
  q=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN { printf "%.3f", a / b }')
  c=$(awk -v a="$on_cpu" -v b="$off_cpu" 'BEGIN { printf "%.3f", a / b }')
  ratios+=("$q"); cpu+=("$c")
  echo "round $i: on $on_rps vs off $off_rps req/s, ratio $q; server CPU per request on $on_cpu vs off $off_cpu us, ratio $c"
done
echo "the on server recorded spans; its newest trace: $(curl -s "http://127.0.0.1:$ON/observe/traces?limit=1" | head -c 400)"
echo "observability on/off: median throughput ratio $(median "${ratios[@]}"); median server-CPU-per-request ratio $(median "${cpu[@]}")"
