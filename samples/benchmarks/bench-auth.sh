#!/usr/bin/env bash
# What bearer authentication costs (issue 17), pairwise in one server process (AuthBenchServer):
#   GET /open     (@PermitAll, no token)                      on PORT
#   GET /secured  (@Authenticated, a valid RS256 bearer token) on PORT   — verified-token cache on (default)
#   GET /secured  the same, on PORT+1                                     — security.token-cache.size: 0
# Each pair (open vs cached, open vs uncached) is loaded alternately with wrk, ROUNDS rounds; printed: the median
# ratio secured/open of requests/s, and of the server's CPU time per request (open/secured, from /proc: on a shared
# machine the steadier figure). Target: cached >= 0.90.
# Usage: samples/benchmarks/bench-auth.sh   Knobs: WARMUP=10 ROUNDS=5 DURATION=10 THREADS=2 CONNECTIONS=64
#        PORT=18281 (uses PORT..PORT+2) JAVA_OPTS="-Xms64m -Xmx256m"; MAVEN_ARGS=-o keeps Maven offline. Targets 127.0.0.1 only.
set -euo pipefail
WARMUP=${WARMUP:-10}; ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-10}; THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}; PORT=${PORT:-18281}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}
for n in WARMUP ROUNDS DURATION THREADS CONNECTIONS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
command -v wrk >/dev/null 2>&1 || { echo "bench: wrk not found; install wrk: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "bench: curl not found; install curl: apt-get install -y curl" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-auth.XXXXXX")
# one reactor run packages this checkout and names its jars (nothing is installed into ~/.m2)
echo "building (./mvnw -q -B -DskipTests package -pl samples/benchmarks -am) ..."
./mvnw -q -B -DskipTests package dependency:build-classpath -pl samples/benchmarks -am -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$OUT/cp.txt" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
JAVA_ARGS+=(-Dchassis.extensions.observability.enabled=false) # measured by bench-observability.sh

for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
"$JAVA" "${JAVA_ARGS[@]}" -cp "$JAR:$(cat "$OUT/cp.txt")" dev.chassis.samples.benchmarks.AuthBenchServer "$PORT" "$OUT/token" \
  >"$OUT/server.log" 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP
for ((i = 0; i < 6000; i++)); do
  grep -q '^READY' "$OUT/server.log" 2>/dev/null && break
  kill -0 $PID 2>/dev/null || { echo "bench: the server exited; log:" >&2; tail -n 20 "$OUT/server.log" >&2; exit 1; }
  sleep 0.01
done
TOKEN=$(cat "$OUT/token")
# the checks that make the figures mean something: the secured endpoint refuses no token, and serves this one
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/secured")" = 401 ] \
  || { echo "bench: /secured without a token was not refused" >&2; exit 1; }
for p in "$PORT" $((PORT + 1)); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$p/secured")" = 200 ] \
    || { echo "bench: /secured on $p refused the token" >&2; exit 1; }
done

TICK=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; } # the server's user + system CPU, in clock ticks
rps() { # URL SECONDS FILE [HEADER] -> "requests/s server-CPU-microseconds-per-request"
  local url=$1 secs=$2 file=$3 before after; shift 3
  before=$(cpu)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" "$@" "$url" >"$file" 2>&1 || { cat "$file" >&2; exit 1; }
  after=$(cpu)
  if grep -qE 'Non-2xx|Socket errors' "$file"; then echo "warning: $url: $(grep -E 'Non-2xx|Socket errors' "$file" | paste -sd ';' -)" >&2; fi
  awk -v b="$before" -v a="$after" -v t="$TICK" '/^Requests\/sec:/ { r = $2 } / requests in / { n = $1 }
    END { printf "%s %.2f\n", r, (a - b) / t * 1e6 / n }' "$file"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

OPEN="http://127.0.0.1:$PORT/open"
echo "java: $("$JAVA" -version 2>&1 | head -n 1), flags $JAVA_OPTS; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; logs $OUT"
for variant in "cached $PORT" "uncached $((PORT + 1))"; do
  read -r name port <<< "$variant"
  SECURED="http://127.0.0.1:$port/secured"
  rps "$OPEN" "$WARMUP" "$OUT/warm-open.txt" >/dev/null
  rps "$SECURED" "$WARMUP" "$OUT/warm-$name.txt" -H "Authorization: Bearer $TOKEN" >/dev/null
  ratios=(); cpus=()
  for ((i = 1; i <= ROUNDS; i++)); do
    if (( i % 2 )); then read -r o oc <<< "$(rps "$OPEN" "$DURATION" "$OUT/r$i-$name-o.txt")"
      read -r s sc <<< "$(rps "$SECURED" "$DURATION" "$OUT/r$i-$name-s.txt" -H "Authorization: Bearer $TOKEN")"
    else read -r s sc <<< "$(rps "$SECURED" "$DURATION" "$OUT/r$i-$name-s.txt" -H "Authorization: Bearer $TOKEN")"
      read -r o oc <<< "$(rps "$OPEN" "$DURATION" "$OUT/r$i-$name-o.txt")"; fi
    q=$(awk -v a="$s" -v b="$o" 'BEGIN { printf "%.3f", a / b }')
    c=$(awk -v a="$oc" -v b="$sc" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$q"); cpus+=("$c")
    echo "secured ($name token cache) vs open, round $i: $s vs $o req/s (ratio $q); server CPU $sc vs $oc us/request (ratio $c)"
  done
  echo "secured ($name token cache) vs open: median ratio $(median "${ratios[@]}") of requests/s, $(median "${cpus[@]}") of server CPU per request (open/secured)"
done
