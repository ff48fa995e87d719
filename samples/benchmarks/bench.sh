#!/usr/bin/env bash
# What Chassis costs over hand-written Helidon SE routing, for the same GET /hello:
#   1. start-up: process launch -> first answered request (ms), and resident memory (VmRSS) at that moment;
#   2. throughput: wrk against both servers, alternating the order each round, median ratio chassis/raw.
# Usage (from anywhere):  samples/benchmarks/bench.sh
# Knobs (environment):    STARTUPS=5 WARMUP=10 ROUNDS=5 DURATION=15 THREADS=2 CONNECTIONS=64
#                         CHASSIS_PORT=18081 RAW_PORT=18082 JAVA_OPTS="-Xms64m -Xmx256m" SKIP_BUILD=0
#                         OBSERVABILITY=off (on: the Chassis server runs with chassis-observability, as bench-observability.sh)
# Needs wrk and curl. Every load target is 127.0.0.1. See samples/benchmarks/README.md.
set -euo pipefail

# The exact command, for the summary: the knobs that were set, in a stable order.
COMMAND=""
for n in STARTUPS WARMUP ROUNDS DURATION THREADS CONNECTIONS CHASSIS_PORT RAW_PORT JAVA_OPTS SKIP_BUILD OBSERVABILITY; do
  if [ -n "${!n-}" ]; then
    v=${!n}; [[ $v == *" "* ]] && v="\"$v\""
    COMMAND+="$n=$v "
  fi
done
COMMAND+="samples/benchmarks/bench.sh"

STARTUPS=${STARTUPS:-5}
WARMUP=${WARMUP:-10}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-15}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
CHASSIS_PORT=${CHASSIS_PORT:-18081}
RAW_PORT=${RAW_PORT:-18082}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}
SKIP_BUILD=${SKIP_BUILD:-0}
OBSERVABILITY=${OBSERVABILITY:-off}
[[ $OBSERVABILITY == on || $OBSERVABILITY == off ]] || { echo "bench: OBSERVABILITY must be on or off" >&2; exit 2; }
START_TIMEOUT_S=60

for n in STARTUPS WARMUP ROUNDS DURATION THREADS CONNECTIONS CHASSIS_PORT RAW_PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
(( CHASSIS_PORT != RAW_PORT )) || { echo "bench: CHASSIS_PORT and RAW_PORT must differ" >&2; exit 2; }

command -v wrk >/dev/null 2>&1 || { echo "bench: wrk not found; install wrk: apt-get install -y wrk" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "bench: curl not found; install curl: apt-get install -y curl" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

# --- JDK 21+ (the same search ./mvnw does) -------------------------------------------------------------
set +eu
. "$ROOT/.mvn/find-jdk.sh"   # exits with one clear line when there is no JDK 21+
set -eu
set +f                        # find-jdk.sh leaves globbing off
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)   # the java on PATH was already 21+
JAVA="$JAVA_HOME/bin/java"
[ -x "$JAVA" ] || { echo "bench: no java at $JAVA" >&2; exit 1; }

# --- build once, then the runtime class path -----------------------------------------------------------
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench.XXXXXX")
if [ "$SKIP_BUILD" != 1 ]; then
  echo "building (./mvnw -q -DskipTests install) ..."
  ./mvnw -q -DskipTests install
fi
./mvnw -q -pl samples/benchmarks dependency:build-classpath -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
JAR=$(ls "$ROOT"/samples/benchmarks/target/chassis-samples-benchmarks-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)
[ -n "$JAR" ] || { echo "bench: no benchmarks jar in samples/benchmarks/target (build first, or drop SKIP_BUILD)" >&2; exit 1; }
CP="$JAR:$(cat "$OUT/classpath.txt")"
CHASSIS_MAIN=dev.chassis.samples.benchmarks.ChassisServer
RAW_MAIN=dev.chassis.samples.benchmarks.RawHelidonServer
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
if [ "$OBSERVABILITY" = off ]; then
  JAVA_ARGS+=(-Dchassis.extensions.observability.enabled=false) # core alone; its cost is bench-observability.sh's
fi

# --- process bookkeeping: never leave a server behind ---------------------------------------------------
PIDS=()
stop_pid() { # $1: pid. TERM, up to 10 s for a graceful stop, then KILL.
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  PIDS=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

forget_pid() { local pid=$1 p keep=(); for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

now_ns() { date +%s%N; }

# launch NAME MAIN PORT: starts the server in the background; sets LAUNCH_PID and LAUNCH_T0 (ns, just before).
launch() {
  local name=$1 main=$2 port=$3
  if port_busy "$port"; then
    echo "bench: port $port is already in use; stop what listens there or set ${name^^}_PORT" >&2; exit 1
  fi
  LAUNCH_T0=$(now_ns)
  "$JAVA" "${JAVA_ARGS[@]}" -cp "$CP" "$main" "$port" >>"$OUT/$name.log" 2>&1 &
  LAUNCH_PID=$!
  PIDS+=("$LAUNCH_PID")
}

# await_first_answer NAME PID PORT: polls GET /hello every ~10 ms until it answers 200; prints the time (ns).
await_first_answer() {
  local name=$1 pid=$2 port=$3 code deadline
  deadline=$(( $(now_ns) + START_TIMEOUT_S * 1000000000 ))
  while :; do
    code=$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$port/hello" || true)
    if [ "$code" = 200 ]; then now_ns; return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench: $name exited before answering; its log ($OUT/$name.log):" >&2; tail -n 20 "$OUT/$name.log" >&2; exit 1
    fi
    if (( $(now_ns) > deadline )); then
      echo "bench: $name did not answer GET /hello with 200 within ${START_TIMEOUT_S} s (last status $code); log: $OUT/$name.log" >&2
      exit 1
    fi
    sleep 0.01
  done
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "nan"; else printf "%.3f\n", a / b }'; }

JAVA_VERSION=$("$JAVA" -version 2>&1 | head -n 1)
echo "java:    $JAVA ($JAVA_VERSION)"
echo "flags:   $JAVA_OPTS"
echo "logs:    $OUT"
echo

# --- 1. start-up -----------------------------------------------------------------------------------------
echo "== start-up: launch -> first 200 from GET /hello, and VmRSS then ($STARTUPS runs each, alternating) =="
declare -a C_MS=() R_MS=() C_RSS=() R_RSS=()
startup_once() { # NAME MAIN PORT -> sets RUN_MS, RUN_RSS_MB
  local name=$1 main=$2 port=$3 t1 pid
  launch "$name" "$main" "$port"
  pid=$LAUNCH_PID
  t1=$(await_first_answer "$name" "$pid" "$port")
  RUN_RSS_MB=$(awk -v k="$(rss_kb "$pid")" 'BEGIN { printf "%.1f", k / 1024 }')
  RUN_MS=$(( (t1 - LAUNCH_T0) / 1000000 ))
  stop_pid "$pid"; forget_pid "$pid"
}
for ((i = 1; i <= STARTUPS; i++)); do
  startup_once chassis "$CHASSIS_MAIN" "$CHASSIS_PORT"; C_MS+=("$RUN_MS"); C_RSS+=("$RUN_RSS_MB")
  printf 'run %d: chassis %5d ms %7s MB\n' "$i" "$RUN_MS" "$RUN_RSS_MB"
  startup_once raw "$RAW_MAIN" "$RAW_PORT"; R_MS+=("$RUN_MS"); R_RSS+=("$RUN_RSS_MB")
  printf 'run %d: raw     %5d ms %7s MB\n' "$i" "$RUN_MS" "$RUN_RSS_MB"
done
C_MS_MED=$(median "${C_MS[@]}"); R_MS_MED=$(median "${R_MS[@]}")
C_RSS_MED=$(median "${C_RSS[@]}"); R_RSS_MED=$(median "${R_RSS[@]}")
MS_RATIO=$(ratio "$C_MS_MED" "$R_MS_MED"); RSS_RATIO=$(ratio "$C_RSS_MED" "$R_RSS_MED")
echo "median: chassis $C_MS_MED ms, raw $R_MS_MED ms, ratio $MS_RATIO"
echo "median: chassis $C_RSS_MED MB, raw $R_RSS_MED MB, ratio $RSS_RATIO"
echo

# --- 2. throughput ---------------------------------------------------------------------------------------
echo "== throughput: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS rounds after ${WARMUP}s warm-up each =="
launch chassis "$CHASSIS_MAIN" "$CHASSIS_PORT"; C_PID=$LAUNCH_PID
await_first_answer chassis "$C_PID" "$CHASSIS_PORT" >/dev/null
launch raw "$RAW_MAIN" "$RAW_PORT"; R_PID=$LAUNCH_PID
await_first_answer raw "$R_PID" "$RAW_PORT" >/dev/null

# run_wrk NAME PORT SECONDS FILE: one wrk run; prints requests/s; warns on errors.
run_wrk() {
  local name=$1 port=$2 secs=$3 file=$4 rps
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "http://127.0.0.1:$port/hello" >"$file" 2>&1 \
    || { echo "bench: wrk failed against $name:" >&2; cat "$file" >&2; exit 1; }
  if grep -qE 'Non-2xx|Socket errors' "$file"; then
    echo "warning: $name: $(grep -E 'Non-2xx|Socket errors' "$file" | tr -s ' ' | paste -sd ';' -) (see $file)" >&2
  fi
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$file")
  [ -n "$rps" ] || { echo "bench: no Requests/sec in wrk output for $name:" >&2; cat "$file" >&2; exit 1; }
  printf '%s\n' "$rps"
}
# p99 latency in ms from a wrk --latency output
p99_ms() {
  awk '$1 == "99%" { v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v)
         f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1
         printf "%.2f\n", v * f }' "$1"
}

echo "warm-up: chassis ${WARMUP}s, raw ${WARMUP}s"
run_wrk chassis "$CHASSIS_PORT" "$WARMUP" "$OUT/warmup-chassis.txt" >/dev/null
run_wrk raw "$RAW_PORT" "$WARMUP" "$OUT/warmup-raw.txt" >/dev/null

declare -a RATIOS=() C_RPS_ALL=() R_RPS_ALL=() C_P99_ALL=() R_P99_ALL=()
for ((i = 1; i <= ROUNDS; i++)); do
  if (( i % 2 )); then
    c=$(run_wrk chassis "$CHASSIS_PORT" "$DURATION" "$OUT/round$i-chassis.txt")
    r=$(run_wrk raw "$RAW_PORT" "$DURATION" "$OUT/round$i-raw.txt")
  else
    r=$(run_wrk raw "$RAW_PORT" "$DURATION" "$OUT/round$i-raw.txt")
    c=$(run_wrk chassis "$CHASSIS_PORT" "$DURATION" "$OUT/round$i-chassis.txt")
  fi
  q=$(ratio "$c" "$r")
  cp99=$(p99_ms "$OUT/round$i-chassis.txt"); rp99=$(p99_ms "$OUT/round$i-raw.txt")
  RATIOS+=("$q"); C_RPS_ALL+=("$c"); R_RPS_ALL+=("$r"); C_P99_ALL+=("$cp99"); R_P99_ALL+=("$rp99")
  echo "round $i: chassis $c req/s, raw $r req/s, ratio $q (p99 chassis $cp99 ms, raw $rp99 ms)"
done
RPS_RATIO_MED=$(median "${RATIOS[@]}")
C_RPS_MED=$(median "${C_RPS_ALL[@]}"); R_RPS_MED=$(median "${R_RPS_ALL[@]}")
C_P99_MED=$(median "${C_P99_ALL[@]}"); R_P99_MED=$(median "${R_P99_ALL[@]}")
echo "median ratio chassis/raw: $RPS_RATIO_MED"
C_RSS_LOAD=$(awk -v k="$(rss_kb "$C_PID")" 'BEGIN { printf "%.1f", k / 1024 }')
R_RSS_LOAD=$(awk -v k="$(rss_kb "$R_PID")" 'BEGIN { printf "%.1f", k / 1024 }')
echo "VmRSS after load: chassis $C_RSS_LOAD MB, raw $R_RSS_LOAD MB"
cleanup
echo

# --- summary ---------------------------------------------------------------------------------------------
CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
cat <<EOF
==== summary (markdown, for docs/benchmarks.md) ====

Chassis vs. hand-written Helidon SE routing, same \`GET /hello\` (\`{"message":"Hello, World!","id":1}\`), same JVM flags.

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- java: \`$JAVA_VERSION\`, flags \`$JAVA_OPTS\`
- machine: $(nproc) CPUs${CPU:+ ($CPU)}; wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }') on the same machine, target 127.0.0.1
- command: \`$COMMAND\`

| metric | Chassis | raw Helidon | Chassis / raw |
|---|---:|---:|---:|
| start-up to first answer, median of $STARTUPS (ms) | $C_MS_MED | $R_MS_MED | $MS_RATIO |
| VmRSS at first answer, median of $STARTUPS (MB) | $C_RSS_MED | $R_RSS_MED | $RSS_RATIO |
| throughput, median of $ROUNDS × ${DURATION}s (req/s) | $C_RPS_MED | $R_RPS_MED | $RPS_RATIO_MED (median of per-round ratios) |
| p99 latency, median of $ROUNDS (ms) | $C_P99_MED | $R_P99_MED | $(ratio "$C_P99_MED" "$R_P99_MED") |
| VmRSS after load (MB) | $C_RSS_LOAD | $R_RSS_LOAD | $(ratio "$C_RSS_LOAD" "$R_RSS_LOAD") |

wrk: \`-t$THREADS -c$CONNECTIONS -d${DURATION}s --latency\`, ${WARMUP}s warm-up per server, order alternated each round.
EOF
