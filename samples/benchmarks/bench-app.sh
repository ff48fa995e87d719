#!/usr/bin/env bash
# The app a user writes (issue 22.1): GET /hello (a 27-byte record) and GET /items (ten records built per request)
# in AppBenchServer, served three ways side by side:
#   chassis      an annotated handler class on the service starter's class path (chassis-starter-service: core,
#                observability, resilience, discovery, security, openapi, validation), every default as shipped;
#   chassis-off  the same with observability off (-Dchassis.extensions.observability.enabled=false);
#   raw          the same routes hand-written on Helidon SE 4.5.0 routing, Helidon's defaults, the same Jackson;
# and with PEERS=1 two more, each its own Maven project under peers/ (not in the reactor), run as their users run them:
#   micronaut    Micronaut 4.10.8 as `mn create-app` makes it (Netty, micronaut-serde-jackson): java -jar, the shaded jar;
#   quarkus      Quarkus 3.33.2 with quarkus-rest and quarkus-rest-jackson: java -jar target/quarkus-app/quarkus-run.jar.
# Each server is pinned to SERVER_CPU and wrk (-t1 -cCONNECTIONS) to LOAD_CPU (taskset). Per server: ms from launch
# to the first 200 from /hello and VmRSS then; after WARMUP s of load per endpoint, ROUNDS rounds, the servers'
# order rotated every round, of DURATION s per endpoint and server: requests/s, p50/p99 (wrk --latency) and the
# server's CPU time per request (utime+stime from /proc ÷ requests), and from its GC log (-Xlog:gc) the bytes it
# allocated per request and its young collections' pauses; VmRSS after the load. Medians, min-max spread, and ratios
# against raw from the same run. Allocation is the steadiest of these figures on a shared machine: it does not depend
# on how much CPU the server got.
# Usage: samples/benchmarks/bench-app.sh   Knobs: ROUNDS=6 DURATION=10 WARMUP=10 CONNECTIONS=32 SERVER_CPU=0
#        LOAD_CPU=1 PORT=18801 (PORT, +1, ...) JAVA_OPTS="-Xms64m -Xmx256m" MAVEN_ARGS=-o PEERS=0. About 8 minutes
#        (14 with PEERS=1, whose first build needs Maven Central: run it once without MAVEN_ARGS=-o). SERVER_CPU and
#        LOAD_CPU take taskset lists too: SERVER_CPU=0,1 LOAD_CPU=0,1 lets servers and wrk share both CPUs (unpinned).
# Targets 127.0.0.1 only; needs wrk, curl and taskset. One reactor run packages what it needs (no install).
set -euo pipefail
COMMAND=""
for n in ROUNDS DURATION WARMUP CONNECTIONS SERVER_CPU LOAD_CPU PORT JAVA_OPTS PEERS; do
  if [ -n "${!n-}" ]; then v=${!n}; [[ $v == *" "* ]] && v="\"$v\""; COMMAND+="$n=$v "; fi
done
COMMAND+="samples/benchmarks/bench-app.sh"
ROUNDS=${ROUNDS:-6}; DURATION=${DURATION:-10}; WARMUP=${WARMUP:-10}; CONNECTIONS=${CONNECTIONS:-32}
SERVER_CPU=${SERVER_CPU:-0}; LOAD_CPU=${LOAD_CPU:-1}; PORT=${PORT:-18801}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}
PEERS=${PEERS:-0}
# the knobs stay in this script: a Chassis server refuses environment variables named like its keys (SERVER_CPU)
export -n ROUNDS DURATION WARMUP CONNECTIONS SERVER_CPU LOAD_CPU PORT JAVA_OPTS PEERS
[[ $PEERS == 0 || $PEERS == 1 ]] || { echo "bench: PEERS must be 0 or 1, was '$PEERS'" >&2; exit 2; }
for n in ROUNDS DURATION WARMUP CONNECTIONS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
for n in SERVER_CPU LOAD_CPU; do
  [[ ${!n} =~ ^[0-9]+([-,][0-9]+)*$ ]] || { echo "bench: $n must be a CPU number or list (0, 0,1, 0-1), was '${!n}'" >&2; exit 2; }
done
for c in wrk curl taskset; do
  command -v $c >/dev/null 2>&1 || { echo "bench: $c not found; install it (apt-get install -y $c)" >&2; exit 1; }
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-app.XXXXXX")
echo "building (./mvnw -q -B -DskipTests package -pl samples/benchmarks,starters/service -am) ..."
./mvnw -q -B -DskipTests package dependency:build-classpath -pl samples/benchmarks,starters/service -am \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/bench-app-cp.txt >"$OUT/build.log" 2>&1 \
  || { cat "$OUT/build.log" >&2; exit 1; }
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
# the Chassis app runs on what a user's service gets: the service starter's class path, plus the benchmark's class
CHASSIS_CP="$JAR:$(cat starters/service/target/bench-app-cp.txt)"
RAW_CP="$JAR:$(cat samples/benchmarks/target/bench-app-cp.txt)"
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
NAMES=(chassis chassis-off raw)
PEER_DIR=samples/benchmarks/peers
if [ "$PEERS" = 1 ]; then
  NAMES+=(micronaut quarkus)
  for p in micronaut quarkus; do
    echo "building $PEER_DIR/$p (./mvnw -q -B -DskipTests package -f $PEER_DIR/$p/pom.xml) ..."
    ./mvnw -q -B -DskipTests package -f "$PEER_DIR/$p/pom.xml" >"$OUT/build-$p.log" 2>&1 || { cat "$OUT/build-$p.log" >&2; exit 1; }
  done
fi
declare -A PORTS PIDS START_MS RSS_START
for i in "${!NAMES[@]}"; do
  p=$((PORT + i)); PORTS[${NAMES[$i]}]=$p
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
cleanup() { for n in "${NAMES[@]}"; do [ -z "${PIDS[$n]-}" ] || kill "${PIDS[$n]}" 2>/dev/null || true; done; }
trap cleanup EXIT

rss() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
launch() { # NAME
  local n=$1 p=${PORTS[$1]} t0 pid code
  local -a JAVA_ARGS=("${JAVA_ARGS[@]}" "-Xlog:gc:file=$OUT/gc-$n.log")
  t0=$(date +%s%N)
  case $n in
    chassis) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" -cp "$CHASSIS_CP" dev.chassis.samples.benchmarks.AppBenchServer chassis "$p" >"$OUT/$n.log" 2>&1 & ;;
    chassis-off) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" -Dchassis.extensions.observability.enabled=false -cp "$CHASSIS_CP" \
      dev.chassis.samples.benchmarks.AppBenchServer chassis "$p" >"$OUT/$n.log" 2>&1 & ;;
    raw) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" -cp "$RAW_CP" dev.chassis.samples.benchmarks.AppBenchServer raw "$p" >"$OUT/$n.log" 2>&1 & ;;
    micronaut) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" -Dmicronaut.server.port="$p" \
      -jar "$PEER_DIR/micronaut/target/bench-micronaut-0.1.jar" >"$OUT/$n.log" 2>&1 & ;;
    quarkus) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" -Dquarkus.http.port="$p" \
      -jar "$PEER_DIR/quarkus/target/quarkus-app/quarkus-run.jar" >"$OUT/$n.log" 2>&1 & ;;
  esac
  pid=$!; PIDS[$n]=$pid
  for ((k = 0; k < 6000; k++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/hello" || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { echo "bench: $n exited; see $OUT/$n.log" >&2; cat "$OUT/$n.log" >&2; exit 1; }
    sleep 0.005
  done
  [ "$code" = 200 ] || { echo "bench: $n never answered" >&2; exit 1; }
  START_MS[$n]=$(( ($(date +%s%N) - t0) / 1000000 )); RSS_START[$n]=$(rss "$pid")
}
for n in "${NAMES[@]}"; do launch "$n"; done
# the switches must really be what differs
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORTS[chassis]}/metrics")" = 200 ] || { echo "bench: observability is not on" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORTS[chassis-off]}/metrics")" = 404 ] || { echo "bench: observability is not off" >&2; exit 1; }
for e in hello items; do
  for n in "${NAMES[@]}"; do curl -s "http://127.0.0.1:${PORTS[$n]}/$e" >"$OUT/body-$n-$e.json"; done
  for n in "${NAMES[@]}"; do
    cmp -s "$OUT/body-$n-$e.json" "$OUT/body-raw-$e.json" || { echo "bench: /$e differs between $n and raw" >&2; exit 1; }
  done
done

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.3f", v / 1000; else if (v ~ /ms$/) printf "%.3f", v + 0; else if (v ~ /s$/) printf "%.3f", v * 1000; else printf "%s", v }'; }
# the GC log's pauses between two of its line counts -> "bytes-allocated young-pauses young-pause-ms-p50 -max": what was
# allocated is the sum over the collections of (heap before it - heap after the one before), in MiB as the log gives it
gc_window() { # GC-LOG FROM-LINE TO-LINE
  grep -n 'Pause' "$1" | sed -E 's/^([0-9]+):.* (Pause [A-Za-z]+).* ([0-9]+)M->([0-9]+)M\([0-9]+M\) ([0-9.]+)ms$/\1 \2 \3 \4 \5/' \
    | awk -v a="$2" -v b="$3" 'NF == 6 { if ($1 <= a) { prev = $5; seen = 1 } else if ($1 <= b) {
        if (seen) bytes += ($4 - prev) * 1048576; prev = $5; seen = 1; if ($3 == "Young") y[++ny] = $6 } }
      END { for (i = 1; i <= ny; i++) for (j = i + 1; j <= ny; j++) if (y[j] < y[i]) { t = y[i]; y[i] = y[j]; y[j] = t }
        printf "%.0f %d %s %s\n", bytes, ny, ny ? y[int((ny + 1) / 2)] : 0, ny ? y[ny] : 0 }'
}
run() { # NAME ENDPOINT SECONDS FILE -> "requests/s p50-ms p99-ms cpu-us-per-request bytes-per-request pause-p50-ms pause-max-ms"
  local pid=${PIDS[$1]} t0 t1 p50 p99 g0 g1 bytes ny pp50 pmax
  g0=$(wc -l < "$OUT/gc-$1.log")
  t0=$(ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$3s" --latency "http://127.0.0.1:${PORTS[$1]}/$2" >"$4" 2>&1 || { cat "$4" >&2; exit 1; }
  t1=$(ticks "$pid")
  g1=$(wc -l < "$OUT/gc-$1.log")
  read -r bytes ny pp50 pmax <<< "$(gc_window "$OUT/gc-$1.log" "$g0" "$g1")"
  if grep -qE 'Non-2xx|Socket errors' "$4"; then echo "warning: $1 /$2: $(grep -E 'Non-2xx|Socket errors' "$4" | paste -sd ';' -)" >&2; fi
  p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$4")"); p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$4")")
  awk -v t="$((t1 - t0))" -v hz="$HZ" -v p50="$p50" -v p99="$p99" -v bytes="$bytes" -v pp50="$pp50" -v pmax="$pmax" \
    '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 }
     END { printf "%s %s %s %.1f %.0f %s %s\n", r, p50, p99, t * 1e6 / hz / n, bytes / n, pp50, pmax }' "$4"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }

echo "java: $("$JAVA" -version 2>&1 | head -n 1), flags $JAVA_OPTS; servers on CPU $SERVER_CPU, wrk -t1 -c$CONNECTIONS on CPU $LOAD_CPU"
echo "load average before: $LOAD_BEFORE; logs in $OUT"
for e in hello items; do for n in "${NAMES[@]}"; do run "$n" "$e" "$WARMUP" "$OUT/warm-$n-$e.txt" >/dev/null; done; done
declare -A RPS P50 P99 CPU ALLOC PAUSE PAUSEMAX
for ((r = 1; r <= ROUNDS; r++)); do
  for e in hello items; do
    for ((k = 0; k < ${#NAMES[@]}; k++)); do
      n=${NAMES[$(( (k + r) % ${#NAMES[@]} ))]}
      read -r q a b c d f g <<< "$(run "$n" "$e" "$DURATION" "$OUT/r$r-$n-$e.txt")"
      RPS[$n,$e]+="$q "; P50[$n,$e]+="$a "; P99[$n,$e]+="$b "; CPU[$n,$e]+="$c "
      ALLOC[$n,$e]+="$d "; PAUSE[$n,$e]+="$f "; PAUSEMAX[$n,$e]+="$g "
    done
  done
  echo "round $r done (load average $(cut -d' ' -f1 /proc/loadavg))"
done
echo
echo "## $COMMAND"
echo "load average before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds of ${DURATION}s; medians (min-max)"
echo
echo "| app | first 200 after launch | RSS then / after load | endpoint | req/s (÷ raw) | p50 ms | p99 ms (÷ raw) | server CPU µs/req (÷ raw) | allocated bytes/req (÷ raw) | young pause ms: median, longest |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in "${NAMES[@]}"; do
  rss_after=$(rss "${PIDS[$n]}")
  for e in hello items; do
    read -r -a q <<< "${RPS[$n,$e]}"; read -r -a a <<< "${P50[$n,$e]}"; read -r -a b <<< "${P99[$n,$e]}"; read -r -a c <<< "${CPU[$n,$e]}"
    read -r -a d <<< "${ALLOC[$n,$e]}"; read -r -a f <<< "${PAUSE[$n,$e]}"; read -r -a g <<< "${PAUSEMAX[$n,$e]}"
    read -r -a rq <<< "${RPS[raw,$e]}"; read -r -a rb <<< "${P99[raw,$e]}"; read -r -a rc <<< "${CPU[raw,$e]}"
    read -r -a rd <<< "${ALLOC[raw,$e]}"
    mq=$(median "${q[@]}"); mb=$(median "${b[@]}"); mc=$(median "${c[@]}")
    xq=$(awk -v a="$mq" -v b="$(median "${rq[@]}")" 'BEGIN { printf "%.3f", a / b }')
    xb=$(awk -v a="$mb" -v b="$(median "${rb[@]}")" 'BEGIN { printf "%.2f", a / b }')
    xc=$(awk -v a="$mc" -v b="$(median "${rc[@]}")" 'BEGIN { printf "%.3f", a / b }')
    md=$(median "${d[@]}")
    xd=$(awk -v a="$md" -v b="$(median "${rd[@]}")" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    echo "| $n | ${START_MS[$n]} ms | ${RSS_START[$n]} / $rss_after MB | /$e | $mq ($(spread "${q[@]}")) ($xq) | $(median "${a[@]}") | $mb ($(spread "${b[@]}")) ($xb) | $mc ($(spread "${c[@]}")) ($xc) | $md ($(spread "${d[@]}")) ($xd) | $(median "${f[@]}"), $(printf '%s\n' "${g[@]}" | sort -g | tail -n 1) |"
  done
done
