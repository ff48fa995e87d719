#!/usr/bin/env bash
# What the resilience policies cost (issue 3), pairwise in one server process (PolicyBenchServer):
#   handler:  GET /plain        vs GET /guarded       (rate limiter + bulkhead, never full)
#   client:   GET /call-plain   vs GET /call-guarded  (a client call; the second through retry + circuit breaker)
# Each pair is loaded alternately with wrk, ROUNDS rounds, and the median ratio guarded/plain is printed.
# Usage: samples/benchmarks/bench-resilience.sh   Knobs: WARMUP=10 ROUNDS=5 DURATION=10 THREADS=2 CONNECTIONS=64
#        PORT=18181 (the backend uses PORT+1) JAVA_OPTS="-Xms64m -Xmx256m" SKIP_BUILD=0. Targets 127.0.0.1 only.
set -euo pipefail
WARMUP=${WARMUP:-10}; ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-10}; THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}; PORT=${PORT:-18181}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; SKIP_BUILD=${SKIP_BUILD:-0}
for n in WARMUP ROUNDS DURATION THREADS CONNECTIONS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
command -v wrk >/dev/null 2>&1 || { echo "bench: wrk not found; install wrk: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "bench: curl not found; install curl: apt-get install -y curl" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-resilience.XXXXXX")
[ "$SKIP_BUILD" = 1 ] || { echo "building (./mvnw -q -DskipTests install) ..."; ./mvnw -q -DskipTests install; }
./mvnw -q -pl samples/benchmarks dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
JAVA_ARGS+=(-Dchassis.extensions.observability.enabled=false) # measured by bench-observability.sh

for p in "$PORT" $((PORT + 1)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
"$JAVA" "${JAVA_ARGS[@]}" -cp "$JAR:$(cat "$OUT/cp.txt")" dev.chassis.samples.benchmarks.PolicyBenchServer "$PORT" \
  >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP
for ((i = 0; i < 6000; i++)); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/call-guarded" || true)" = 200 ] && break
  kill -0 $PID 2>/dev/null || { echo "bench: the server exited; log:" >&2; tail -n 20 "$OUT/server.log" >&2; exit 1; }
  sleep 0.01
done

rps() { # PATH SECONDS FILE -> requests/s
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2s" "http://127.0.0.1:$PORT$1" >"$3" 2>&1 || { cat "$3" >&2; exit 1; }
  if grep -qE 'Non-2xx|Socket errors' "$3"; then echo "warning: $1: $(grep -E 'Non-2xx|Socket errors' "$3" | paste -sd ';' -)" >&2; fi
  awk '/^Requests\/sec:/ { print $2 }' "$3"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "java: $("$JAVA" -version 2>&1 | head -n 1), flags $JAVA_OPTS; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; logs $OUT"
for pair in "/plain /guarded" "/call-plain /call-guarded"; do
  read -r plain guarded <<< "$pair"
  rps "$plain" "$WARMUP" "$OUT/warm-plain.txt" >/dev/null; rps "$guarded" "$WARMUP" "$OUT/warm-guarded.txt" >/dev/null
  ratios=()
  for ((i = 1; i <= ROUNDS; i++)); do
    if (( i % 2 )); then p=$(rps "$plain" "$DURATION" "$OUT/r$i-p.txt"); g=$(rps "$guarded" "$DURATION" "$OUT/r$i-g.txt")
    else g=$(rps "$guarded" "$DURATION" "$OUT/r$i-g.txt"); p=$(rps "$plain" "$DURATION" "$OUT/r$i-p.txt"); fi
    q=$(awk -v a="$g" -v b="$p" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$q")
    echo "$guarded vs $plain, round $i: $g vs $p req/s, ratio $q"
  done
  echo "$guarded vs $plain: median ratio $(median "${ratios[@]}")"
done
