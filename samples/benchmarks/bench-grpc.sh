#!/usr/bin/env bash
# Unary gRPC calls with a 1 KB payload (Bench/Unary, an echo), the same service served three ways in one
# server process (GrpcBenchServers):
#   chassis  PORT     a Chassis service:  Chassis.service(...).grpc(new BenchService())
#   helidon  PORT+1   registered by hand on Helidon SE's gRPC routing (the baseline; target chassis/helidon >= 0.95)
#   netty    PORT+2   grpc-java's own Netty server (for information)
# Each target is loaded alone, by the same client (GrpcLoad, a separate JVM: one grpc-java channel, CONCURRENCY
# unary calls in flight), WARMUP s once, then ROUNDS rounds of DURATION s, the order reversed every other round.
# Prints calls/s per round, the ratios chassis/helidon and chassis/netty, and their medians.
# Usage: samples/benchmarks/bench-grpc.sh   Knobs: WARMUP=10 ROUNDS=5 DURATION=10 CONCURRENCY=64
#        PORT=18281 (also PORT+1, PORT+2) JAVA_OPTS="-Xms64m -Xmx256m" (server and client) SKIP_BUILD=0.
# Targets 127.0.0.1 only.
set -euo pipefail
WARMUP=${WARMUP:-10}; ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-10}; CONCURRENCY=${CONCURRENCY:-64}
PORT=${PORT:-18281}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; SKIP_BUILD=${SKIP_BUILD:-0}
START_TIMEOUT_S=60
for n in WARMUP ROUNDS DURATION CONCURRENCY PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
(( PORT <= 65533 )) || { echo "bench: PORT must be at most 65533 (PORT+2 is used too)" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
[ -x "$JAVA" ] || { echo "bench: no java at $JAVA" >&2; exit 1; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-grpc.XXXXXX")
[ "$SKIP_BUILD" = 1 ] || { echo "building (./mvnw -q -DskipTests install) ..."; ./mvnw -q -DskipTests install; }
./mvnw -q -pl samples/benchmarks dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)
[ -n "$JAR" ] || { echo "bench: no benchmarks jar in samples/benchmarks/target (build first, or drop SKIP_BUILD)" >&2; exit 1; }
CP="$JAR:$(cat "$OUT/cp.txt")"
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
JAVA_ARGS+=(-Dchassis.extensions.observability.enabled=false) # measured by bench-observability.sh

# --- process bookkeeping: never leave a JVM behind -------------------------------------------------------
SERVER_PID=""; CLIENT_PID=""
stop_pid() { # $1: pid. TERM, up to 10 s for a graceful stop, then KILL.
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() { stop_pid "$CLIENT_PID"; CLIENT_PID=""; stop_pid "$SERVER_PID"; SERVER_PID=""; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
"$JAVA" "${JAVA_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.GrpcBenchServers "$PORT" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for ((i = 0; ; i++)); do
  grep -q '^READY ' "$OUT/server.log" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: the server exited; log:" >&2; tail -n 20 "$OUT/server.log" >&2; exit 1; }
  (( i < START_TIMEOUT_S * 10 )) || { echo "bench: no READY from the server within ${START_TIMEOUT_S} s; log: $OUT/server.log" >&2; exit 1; }
  sleep 0.1
done

declare -A TARGET_PORT=([chassis]=$PORT [helidon]=$((PORT + 1)) [netty]=$((PORT + 2)))
# cps NAME SECONDS FILE: one GrpcLoad run against target NAME (its whole output in FILE); sets CPS_VALUE
# (calls/s). Runs in this shell, not in $(...), so that the EXIT trap can stop the client too.
cps() {
  local name=$1 secs=$2 file=$3 rc=0
  "$JAVA" "${JAVA_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.GrpcLoad \
    127.0.0.1 "${TARGET_PORT[$name]}" "$secs" "$CONCURRENCY" >"$file" 2>&1 &
  CLIENT_PID=$!
  wait "$CLIENT_PID" || rc=$?
  CLIENT_PID=""
  (( rc == 0 )) || { echo "bench: GrpcLoad against $name failed (exit $rc):" >&2; tail -n 30 "$file" >&2; exit 1; }
  CPS_VALUE=$(awk '$1 == "CALLS_PER_SEC" { print $2 }' "$file")
  errs=$(awk '$1 == "ERRORS" { print $2 }' "$file")
  if [ -n "$errs" ] && [ "$errs" != 0 ]; then
    echo "warning: $name: $errs failed calls ($(grep -m1 'calls failed' "$file" | cut -c1-160))" >&2
  fi
  [ -n "$CPS_VALUE" ] || { echo "bench: no CALLS_PER_SEC from GrpcLoad against $name:" >&2; cat "$file" >&2; exit 1; }
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.3f\n", a / b }'; }

echo "java: $("$JAVA" -version 2>&1 | head -n 1), flags $JAVA_OPTS; $(nproc) CPUs"
echo "GrpcLoad: 1 channel, $CONCURRENCY unary calls in flight, 1024-byte payload, ${DURATION}s per run; logs $OUT"
echo "targets: chassis :$PORT, helidon :$((PORT + 1)), netty (grpc-java) :$((PORT + 2)); warm-up ${WARMUP}s each"
for t in chassis helidon netty; do cps "$t" "$WARMUP" "$OUT/warmup-$t.txt"; done

declare -A CPS=()
H_RATIOS=(); N_RATIOS=(); C_ALL=(); H_ALL=(); N_ALL=()
for ((i = 1; i <= ROUNDS; i++)); do
  if (( i % 2 )); then order="chassis helidon netty"; else order="netty helidon chassis"; fi
  for t in $order; do cps "$t" "$DURATION" "$OUT/round$i-$t.txt"; CPS[$t]=$CPS_VALUE; done
  qh=$(ratio "${CPS[chassis]}" "${CPS[helidon]}"); qn=$(ratio "${CPS[chassis]}" "${CPS[netty]}")
  H_RATIOS+=("$qh"); N_RATIOS+=("$qn"); C_ALL+=("${CPS[chassis]}"); H_ALL+=("${CPS[helidon]}"); N_ALL+=("${CPS[netty]}")
  echo "round $i ($order): chassis ${CPS[chassis]}, helidon ${CPS[helidon]}, netty ${CPS[netty]} calls/s;" \
    "chassis/helidon $qh, chassis/netty $qn"
done
MH=$(median "${H_RATIOS[@]}"); MN=$(median "${N_RATIOS[@]}")
echo "median calls/s: chassis $(median "${C_ALL[@]}"), helidon $(median "${H_ALL[@]}"), netty $(median "${N_ALL[@]}")"
echo "median ratio chassis/helidon: $MH ($(awk -v q="$MH" 'BEGIN { print (q >= 0.95) ? "meets" : "BELOW" }') the 0.95 target)"
echo "median ratio chassis/netty:   $MN (information)"
