#!/usr/bin/env bash
# Where each microsecond goes (issue 22.2): the app of bench-app.sh (AppBenchServer) as the service starter runs it
# ("chassis", observability on) and hand-written on raw Helidon ("raw"), one after the other, each under the same
# wrk load (-t1 -cCONNECTIONS on LOAD_CPU, server on SERVER_CPU) with a JFR recording (execution samples every
# millisecond, allocation samples) of the last DURATION seconds; then JfrBreakdown charges every sample to the layer
# of its innermost non-JDK frame (Helidon connection/parsing/writing, Helidon routing, Chassis, the request deadline,
# observability, Jackson, JDK) and prints the server's CPU time per request, so a layer's share × that = its µs.
# Usage: samples/benchmarks/bench-profile.sh [hello|items]   Knobs: WARMUP=15 DURATION=20 CONNECTIONS=32
#        SERVER_CPU=0 LOAD_CPU=1 PORT=18811 JAVA_OPTS="-Xms64m -Xmx256m" LAYER= (list that layer's top methods too)
# Run bench-app.sh (or its build line) first: this script uses the jars and class paths it packaged.
set -euo pipefail
ENDPOINT=${1:-hello}
WARMUP=${WARMUP:-15}; DURATION=${DURATION:-20}; CONNECTIONS=${CONNECTIONS:-32}; SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}; PORT=${PORT:-18811}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; LAYER=${LAYER:-}
[[ $ENDPOINT == hello || $ENDPOINT == items ]] || { echo "bench: the endpoint is hello or items, was '$ENDPOINT'" >&2; exit 2; }
for n in WARMUP DURATION CONNECTIONS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
[ -f starters/service/target/bench-app-cp.txt ] || { echo "bench: run samples/benchmarks/bench-app.sh first (it packages)" >&2; exit 1; }
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-profile.XXXXXX")
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
HZ=$(getconf CLK_TCK)
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); GET /$ENDPOINT, wrk -t1 -c$CONNECTIONS; recordings in $OUT"
for mode in chassis raw; do
  if [ $mode = chassis ]; then CP="$JAR:$(cat starters/service/target/bench-app-cp.txt)"; else CP="$JAR:$(cat samples/benchmarks/target/bench-app-cp.txt)"; fi
  taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" \
    "-XX:StartFlightRecording=filename=$OUT/$mode.jfr,settings=profile,jdk.ExecutionSample#period=1ms,delay=${WARMUP}s,duration=${DURATION}s" \
    -cp "$CP" dev.chassis.samples.benchmarks.AppBenchServer $mode "$PORT" >"$OUT/$mode.log" 2>&1 &
  PID=$!
  for ((k = 0; k < 3000; k++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$ENDPOINT" || true)" = 200 ] && break
    sleep 0.01
  done
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/$ENDPOINT" >/dev/null
  t0=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/$ENDPOINT" >"$OUT/$mode-wrk.txt"
  t1=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
  for ((k = 0; k < 100; k++)); do grep -q "Dump on exit\|written\|Stopped recording" "$OUT/$mode.log" 2>/dev/null && break; [ -s "$OUT/$mode.jfr" ] && break; sleep 0.2; done
  sleep 1
  kill $PID; wait $PID 2>/dev/null || true
  echo
  awk -v t="$((t1 - t0))" -v hz="$HZ" -v m="$mode" '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 }
    END { printf "== %s: %s req/s, server CPU %.1f us/request\n", m, r, t * 1e6 / hz / n }' "$OUT/$mode-wrk.txt"
  "$JAVA" -cp "$JAR" dev.chassis.samples.benchmarks.JfrBreakdown "$OUT/$mode.jfr" ${LAYER:+"$LAYER"}
done
