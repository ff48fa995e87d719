#!/usr/bin/env bash
# Start-up with and without a JDK 25 AOT cache (JEP 483/514/515): GET /hello served by
#   chassis      ChassisServer with chassis-observability on (the service starter's default: traces and metrics),
#   chassis-off  the same with observability off (-Dchassis.extensions.observability.enabled=false),
#   raw          RawHelidonServer, the route hand-written on Helidon SE,
# each started plain and with its own AOT cache (trained once: start with -XX:AOTCacheOutput, wait for ready,
# TRAIN_REQUESTS requests to /hello, SIGTERM). Per start: ms from launch to the first 200 from GET /hello and to
# GET /health/ready 200 (raw has no readiness: its first 200), both polled by one curl every 5 ms (two requests on
# one connection, each timed by curl, so that the readiness poll does not wait for another curl to start), VmRSS
# then, and the p50/p99
# of the first REQUESTS
# requests after ready (one curl, one keep-alive connection, time_total of each). ROUNDS rounds, the order of the six
# rotated every round; medians, min-max spread, and ratios against raw without a cache from the same run.
# Usage: samples/benchmarks/bench-startup.sh   Knobs: ROUNDS=5 REQUESTS=1000 TRAIN_REQUESTS=200 PORT=18701
#        JAVA_OPTS="-Xms64m -Xmx256m" CPUS= (e.g. CPUS=0: taskset the servers to CPU 0) MAVEN_ARGS=-o
# Needs a JDK 25+ (the one ./mvnw finds) and curl. Like bench-tls.sh it packages in one reactor run, no install.
set -euo pipefail
COMMAND=""
for n in ROUNDS REQUESTS TRAIN_REQUESTS PORT JAVA_OPTS CPUS; do
  if [ -n "${!n-}" ]; then v=${!n}; [[ $v == *" "* ]] && v="\"$v\""; COMMAND+="$n=$v "; fi
done
COMMAND+="samples/benchmarks/bench-startup.sh"
ROUNDS=${ROUNDS:-5}; REQUESTS=${REQUESTS:-1000}; TRAIN_REQUESTS=${TRAIN_REQUESTS:-200}; PORT=${PORT:-18701}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; CPUS=${CPUS:-}
for n in ROUNDS REQUESTS TRAIN_REQUESTS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
command -v curl >/dev/null 2>&1 || { echo "bench: curl not found; apt-get install -y curl" >&2; exit 1; }
PIN=(); [ -z "$CPUS" ] || PIN=(taskset -c "$CPUS")

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')
(( FEATURE >= 25 )) || { echo "bench: $JAVA is Java $FEATURE; the AOT cache needs 25+ (set JAVA_HOME)" >&2; exit 1; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-startup.XXXXXX")
echo "building (./mvnw -q -B -DskipTests package -pl samples/benchmarks -am) ..."
./mvnw -q -B -DskipTests package dependency:build-classpath -pl samples/benchmarks -am -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$OUT/cp.txt" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
CP="$JAR:$(cat "$OUT/cp.txt")"
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"

PIDS=()
stop_pid() { local pid=$1 i; kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
cleanup() { local pid; for pid in "${PIDS[@]}"; do stop_pid "$pid"; done; PIDS=(); }
trap cleanup EXIT; trap 'exit 130' INT TERM HUP
now_ns() { date +%s%N; }
code() { curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$PORT$1" || true; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# app NAME -> MAIN and extra flags
app_args() { case $1 in
  chassis) APP=(dev.chassis.samples.benchmarks.ChassisServer) ;;
  chassis-off) APP=(-Dchassis.extensions.observability.enabled=false dev.chassis.samples.benchmarks.ChassisServer) ;;
  raw) APP=(dev.chassis.samples.benchmarks.RawHelidonServer) ;;
esac; }

# launch NAME CACHEFLAG... : starts the server; sets PID, T0
launch() { local name=$1; shift
  app_args "$name"
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && { echo "bench: port $PORT is in use" >&2; exit 1; }
  T0=$(now_ns)
  "${PIN[@]}" "$JAVA" "${JAVA_ARGS[@]}" "$@" -cp "$CP" "${APP[@]}" "$PORT" >>"$OUT/$name.log" 2>&1 &
  PID=$!; PIDS+=("$PID"); }
await() { local path=$1 deadline=$(( $(now_ns) + 60000000000 ))
  while [ "$(code "$path")" != 200 ]; do
    kill -0 "$PID" 2>/dev/null || { echo "bench: server exited; log in $OUT" >&2; exit 1; }
    (( $(now_ns) < deadline )) || { echo "bench: no 200 from $path in 60 s; log in $OUT" >&2; exit 1; }
    sleep 0.005
  done; now_ns; }
# await_both FIRST_PATH READY_PATH: polls both with one curl (two requests on one connection) and sets T_FIRST and
# T_READY (ns) to when each first answered 200, from curl's own times: the end of the run for the second, less the
# second request's time_total for the first, so that neither waits for another process. With one path (raw Helidon,
# whose first 200 is its readiness) it polls that path alone.
await_both() { local out c1 c2 tt2 now deadline=$(( ${EPOCHREALTIME/[.,]/} + 60000000 )); T_FIRST=; T_READY=
  while :; do
    if [ "$1" = "$2" ]; then
      out=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$1" || true)
      now=${EPOCHREALTIME/[.,]/}
      [ "$out" = 200 ] && { T_FIRST=$(( now * 1000 )); T_READY=$T_FIRST; return; }
    else
      out=$(curl -s --max-time 2 -o /dev/null -o /dev/null -w '%{http_code} %{time_total} ' "http://127.0.0.1:$PORT$1" \
        "http://127.0.0.1:$PORT$2" || true)
      now=${EPOCHREALTIME/[.,]/}
      read -r c1 _ c2 tt2 <<<"$out"
      [ -z "$T_FIRST" ] && [ "$c1" = 200 ] \
        && T_FIRST=$(( (now - $(awk -v t="${tt2:-0}" 'BEGIN { printf "%d", t * 1000000 }')) * 1000 ))
      [ "$c2" = 200 ] && { T_READY=$(( now * 1000 )); [ -n "$T_FIRST" ] || T_FIRST=$T_READY; return; }
    fi
    kill -0 "$PID" 2>/dev/null || { echo "bench: server exited; log in $OUT" >&2; exit 1; }
    (( now < deadline )) || { echo "bench: no 200 from $2 in 60 s; log in $OUT" >&2; exit 1; }
    sleep 0.005
  done; }

# urls N: a curl config of N GET /hello, each answer dropped (one curl: one keep-alive connection)
urls() { local i; for ((i = 0; i < $1; i++)); do printf 'url = "http://127.0.0.1:%s/hello"\noutput = "/dev/null"\n' "$PORT"; done; }

# --- training: one cache per app -------------------------------------------------------------------------------
for name in chassis chassis-off raw; do
  t=$(now_ns)
  launch "$name" -XX:AOTCacheOutput="$OUT/$name.aot"
  await /hello >/dev/null
  urls "$TRAIN_REQUESTS" > "$OUT/train.cfg"
  curl -s -K "$OUT/train.cfg" >/dev/null
  stop_pid "$PID"; PIDS=()
  [ -f "$OUT/$name.aot" ] || { echo "bench: no cache for $name; log $OUT/$name.log" >&2; exit 1; }
  echo "trained $name: $(( ($(now_ns) - t) / 1000000 )) ms, cache $(( $(stat -c %s "$OUT/$name.aot") >> 20 )) MB"
done
urls "$REQUESTS" > "$OUT/first.cfg"

# --- rounds --------------------------------------------------------------------------------------------------------
CONFIGS=(chassis chassis-off raw chassis+aot chassis-off+aot raw+aot)
declare -A FIRST READY RSS P50 P99
printf '%-16s %5s %8s %8s %8s %8s %8s\n' config round first_ms ready_ms rss_mb p50_ms p99_ms
for ((r = 0; r < ROUNDS; r++)); do
  for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
    c=${CONFIGS[$(( (k + r) % ${#CONFIGS[@]} ))]}; name=${c%+aot}; flags=()
    [ "$c" = "$name" ] || flags=(-XX:AOTCache="$OUT/$name.aot")
    launch "$name" "${flags[@]}"
    if [ "$name" = raw ]; then await_both /hello /hello; else await_both /hello /health/ready; fi
    t1=$T_FIRST; t2=$T_READY
    rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$PID/status")
    curl -s -K "$OUT/first.cfg" -w '%{time_total}\n' > "$OUT/lat.txt"
    read -r p50 p99 < <(sort -g "$OUT/lat.txt" | awk '{ a[NR] = $1 * 1000 } END { printf "%.2f %.2f\n", a[int(NR * 0.5)], a[int(NR * 0.99)] }')
    stop_pid "$PID"; PIDS=()
    FIRST[$c]+="$(( (t1 - T0) / 1000000 )) "; READY[$c]+="$(( (t2 - T0) / 1000000 )) "; RSS[$c]+="$rss "
    P50[$c]+="$p50 "; P99[$c]+="$p99 "
    printf '%-16s %5d %8d %8d %8d %8s %8s\n' "$c" $((r + 1)) $(( (t1 - T0) / 1000000 )) $(( (t2 - T0) / 1000000 )) "$rss" "$p50" "$p99"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# --- summary -------------------------------------------------------------------------------------------------------
RAW_READY=$(median ${READY[raw]}); RAW_RSS=$(median ${RSS[raw]})
RAW_P50=$(median ${P50[raw]}); RAW_P99=$(median ${P99[raw]})
cat <<EOT

==== summary (markdown, for docs/benchmarks.md) ====

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); java: \`$("$JAVA" -version 2>&1 | head -n 1)\`, flags \`$JAVA_OPTS\`${CPUS:+, servers pinned to CPUs $CPUS}
- machine: $(nproc) CPUs; load average before $LOAD_BEFORE, after $LOAD_AFTER
- command: \`$COMMAND\`

| app | to first 200, ms | to ready, ms | ready ÷ raw | RSS at ready, MB | RSS ÷ raw | first $REQUESTS: p50 / p99, ms | p99 ÷ raw |
|---|---|---|---|---|---|---|---|
EOT
for c in "${CONFIGS[@]}"; do
  f=$(median ${FIRST[$c]}); d=$(median ${READY[$c]}); m=$(median ${RSS[$c]}); a=$(median ${P50[$c]}); b=$(median ${P99[$c]})
  printf '| %s | %s (%s) | %s (%s) | %s | %s (%s) | %s | %s / %s | %s |\n' "$c" "$f" "$(spread ${FIRST[$c]})" "$d" \
    "$(spread ${READY[$c]})" "$(ratio "$d" "$RAW_READY")" "$m" "$(spread ${RSS[$c]})" "$(ratio "$m" "$RAW_RSS")" "$a" "$b" \
    "$(ratio "$b" "$RAW_P99")"
done
echo
echo "Medians of $ROUNDS rounds, (min-max); ratios against raw without a cache. Logs: $OUT"
