#!/usr/bin/env bash
# Figures under overload (issue 18.4): GET /work, a known amount of CPU (SHA-256 over WORK blocks of 4 KiB, ~1.5 ms),
# served by Chassis with its defaults (the adaptive concurrency limit on) and by the same route on raw Helidon SE
# (OverloadBenchServer chassis|raw), both -Xmx256m, side by side:
#   1. capacity: closed-loop wrk against each (CAP_ROUNDS alternating rounds); Chassis' median is "capacity";
#   2. open loop (OpenLoad: requests due at a fixed rate whatever the answers, latency from when each was due, a
#      TIMEOUT_MS timeout, at most MAX_CONNECTIONS keep-alive connections) at LEVELS × capacity against both
#      servers, the order alternating per level: goodput, p50/p99 of the served, share refused (503) and
#      failed/timed out, server CPU, heap right after the run (jcmd GC.heap_info) and the largest heap after a GC
#      during it (GC log), and whether the server ran out of memory;
#   3. slowloris: SLOW_CONNECTIONS connections each sending a header byte every SLOW_INTERVAL_MS ms, while wrk
#      (PROBE_CONNECTIONS connections, closed loop) measures /work's p50/p99; compared with the same probe just
#      before, without slowloris.
# Both servers run throughout, but only the one measured gets the CPU: the other is paused (SIGSTOP) for each
# capacity round, open-loop run and slowloris run.
# Usage: samples/benchmarks/bench-overload.sh   Knobs: WORK=600 CAP_ROUNDS=3 CAP_SECONDS=8 CAP_CONNECTIONS=16
#        LEVELS="0.5 1 2 4" WARMUP=3 DURATION=10 MAX_CONNECTIONS=2000 TIMEOUT_MS=10000 SLOW_CONNECTIONS=2000
#        SLOW_INTERVAL_MS=2000 PROBE_CONNECTIONS=2 PROBE_SECONDS=10 PORT=18591 (raw Helidon PORT+1)
#        JAVA_OPTS="-Xms64m -Xmx256m" (both servers) LOAD_OPTS="-Xmx1g" (the load generator). About 8 minutes.
#        GENERATOR=h2load: the open loop by h2load (nghttp2) instead of OpenLoad — one new connection per request,
#        H2LOAD_PERIOD_MS (20) apart in bursts of RATE × period, no cap on connections, each closed TIMEOUT_MS after
#        it opened; from its request log: goodput and p50/p99 of the 2xx answered in the measured seconds (from the
#        request written, the connect not counted), refused and failed (no answer) as shares of the whole run; no
#        lag figure (-); sent_over_s in the line: from the first to the last send of the requests that were answered
# Targets 127.0.0.1 only; needs wrk, curl and jcmd. One reactor run builds the benchmarks and what they use (package,
# no install: the class path is the modules' target/ jars); MAVEN_ARGS=-o keeps Maven offline.
set -euo pipefail
COMMAND=""
for n in WORK CAP_ROUNDS CAP_SECONDS CAP_CONNECTIONS LEVELS WARMUP DURATION MAX_CONNECTIONS TIMEOUT_MS SLOW_CONNECTIONS \
  SLOW_INTERVAL_MS PROBE_CONNECTIONS PROBE_SECONDS PORT JAVA_OPTS LOAD_OPTS PIN_SERVERS PIN_LOAD GENERATOR H2LOAD_PERIOD_MS; do
  if [ -n "${!n-}" ]; then v=${!n}; [[ $v == *" "* ]] && v="\"$v\""; COMMAND+="$n=$v "; fi
done
COMMAND+="samples/benchmarks/bench-overload.sh"
WORK=${WORK:-600}; CAP_ROUNDS=${CAP_ROUNDS:-3}; CAP_SECONDS=${CAP_SECONDS:-8}; CAP_CONNECTIONS=${CAP_CONNECTIONS:-16}
LEVELS=${LEVELS:-0.5 1 2 4}; WARMUP=${WARMUP:-3}; DURATION=${DURATION:-10}; MAX_CONNECTIONS=${MAX_CONNECTIONS:-2000}
TIMEOUT_MS=${TIMEOUT_MS:-10000}; SLOW_CONNECTIONS=${SLOW_CONNECTIONS:-2000}; SLOW_INTERVAL_MS=${SLOW_INTERVAL_MS:-2000}
PROBE_CONNECTIONS=${PROBE_CONNECTIONS:-2}; PROBE_SECONDS=${PROBE_SECONDS:-10}; PORT=${PORT:-18591}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; LOAD_OPTS=${LOAD_OPTS:--Xmx1g}
GENERATOR=${GENERATOR:-openload}; H2LOAD_PERIOD_MS=${H2LOAD_PERIOD_MS:-20}
[[ $GENERATOR == openload || $GENERATOR == h2load ]] || { echo "bench: GENERATOR must be openload or h2load, was '$GENERATOR'" >&2; exit 2; }
# PIN_SERVERS=0 PIN_LOAD=1: the servers on CPU 0, the load generator and wrk on CPU 1 (taskset), so that at 4x the
# generator is not starved by the server it measures (unpinned, it shares the CPUs and its own reads come late)
PIN_SERVERS=${PIN_SERVERS:-}; PIN_LOAD=${PIN_LOAD:-}
SERVER_PIN=(); LOAD_PIN=()
[ -z "$PIN_SERVERS" ] || SERVER_PIN=(taskset -c "$PIN_SERVERS")
[ -z "$PIN_LOAD" ] || LOAD_PIN=(taskset -c "$PIN_LOAD")
for n in WORK CAP_ROUNDS CAP_SECONDS CAP_CONNECTIONS WARMUP DURATION MAX_CONNECTIONS TIMEOUT_MS SLOW_CONNECTIONS \
  SLOW_INTERVAL_MS PROBE_CONNECTIONS PROBE_SECONDS PORT H2LOAD_PERIOD_MS; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
for l in $LEVELS; do [[ $l =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "bench: LEVELS must be numbers, was '$LEVELS'" >&2; exit 2; }; done
for c in wrk curl $([ "$GENERATOR" = h2load ] && echo h2load); do
  command -v $c >/dev/null 2>&1 || { echo "bench: $c not found; install it: apt-get install -y ${c/h2load/nghttp2-client}" >&2; exit 1; }
done
(( SLOW_CONNECTIONS + MAX_CONNECTIONS + 200 < $(ulimit -n) )) || { echo "bench: ulimit -n is $(ulimit -n); raise it" >&2; exit 1; }

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"; JCMD="$JAVA_HOME/bin/jcmd"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-overload.XXXXXX")
echo "building (./mvnw -q -B -DskipTests package -pl samples/benchmarks -am) ..."
./mvnw -q -B -DskipTests package dependency:build-classpath -pl samples/benchmarks -am -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$OUT/cp.txt" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
JAR=$(ls "$ROOT"/samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
CP="$JAR:$(cat "$OUT/cp.txt")"
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
read -r -a LOAD_ARGS <<< "$LOAD_OPTS"
# core alone, as bench.sh: chassis-observability is on the class path for bench-observability.sh only
JAVA_ARGS+=(-Dchassis.extensions.observability.enabled=false)

CHASSIS=$PORT; RAW=$((PORT + 1))
for p in "$CHASSIS" "$RAW"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
"${SERVER_PIN[@]}" "$JAVA" "${JAVA_ARGS[@]}" -Xlog:gc:file="$OUT/gc-chassis.log" -XX:+ExitOnOutOfMemoryError -cp "$CP" \
  dev.chassis.samples.benchmarks.OverloadBenchServer chassis "$CHASSIS" "$WORK" >"$OUT/chassis.log" 2>&1 &
PID_CHASSIS=$!
"${SERVER_PIN[@]}" "$JAVA" "${JAVA_ARGS[@]}" -Xlog:gc:file="$OUT/gc-raw.log" -XX:+ExitOnOutOfMemoryError -cp "$CP" \
  dev.chassis.samples.benchmarks.OverloadBenchServer raw "$RAW" "$WORK" >"$OUT/raw.log" 2>&1 &
PID_RAW=$!
PID_SLOW=""
trap 'kill -CONT $PID_CHASSIS $PID_RAW 2>/dev/null; kill -TERM $PID_CHASSIS $PID_RAW $PID_SLOW 2>/dev/null; wait $PID_CHASSIS $PID_RAW $PID_SLOW 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP
for p in "$CHASSIS" "$RAW"; do
  for ((i = 0; i < 6000; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/work" || true)" = 200 ] && break
    for pid in $PID_CHASSIS $PID_RAW; do
      kill -0 "$pid" 2>/dev/null || { echo "bench: a server exited; logs in $OUT" >&2; exit 1; }
    done
    sleep 0.01
  done
done
port_of() { [ "$1" = chassis ] && echo "$CHASSIS" || echo "$RAW"; }
pid_of() { [ "$1" = chassis ] && echo "$PID_CHASSIS" || echo "$PID_RAW"; }
other_of() { [ "$1" = chassis ] && echo raw || echo chassis; }
# Both servers share the pinned CPU: while one is measured the other is paused (SIGSTOP), so that a backlog the
# other is still working through (raw Helidon's, after a 4x run: connections whose callers have gone) takes none of
# the measured one's CPU. Without this, a run that followed the other server's 4x run got half of the CPU or less.
pause_other() { kill -STOP "$(pid_of "$(other_of "$1")")"; }
resume_other() { kill -CONT "$(pid_of "$(other_of "$1")")"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
HZ=$(getconf CLK_TCK)
alive() { kill -0 "$(pid_of "$1")" 2>/dev/null && ! grep -q OutOfMemoryError "$OUT/$1.log" "$OUT/gc-$1.log"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
calm() { # NAME: waits (at most 30 s) until the server uses under 5% of a CPU, so a run does not inherit the last one's backlog
  local pid t0 t1 i; pid=$(pid_of "$1")
  for ((i = 0; i < 60; i++)); do
    t0=$(ticks "$pid"); sleep 0.5; t1=$(ticks "$pid")
    (( (t1 - t0) * 1000 / HZ < 25 )) && return 0
  done
  echo "warning: $1 was still busy 30 s after the last run (a backlog of requests whose callers had gone)" >&2
}
heap_now() { # PID -> heap in use right now, MiB (jcmd GC.heap_info; G1, Parallel, Serial in K, ZGC in M)
  "$JCMD" "$1" GC.heap_info 2>/dev/null | awk '
    /garbage-first heap|PSYoungGen|ParOldGen|def new generation|tenured generation|^DefNew |^Tenured |ZHeap|Shenandoah/ {
      for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/,$/, "", v)
        if (v ~ /M$/) { sub(/M$/, "", v); v *= 1024 } else sub(/K$/, "", v); s += v } }
    END { printf "%.0f", s / 1024 }'
}
gc_peak() { # GCLOG FROM_LINE -> the largest heap after a GC logged after that line, MiB ("-" if no GC ran); ZGC logs
  # "26M(10%)->22M(9%)", the others "26M->22M"
  tail -n +"$(( $2 + 1 ))" "$1" | grep -oE '[0-9]+M(\([0-9]+%\))?->[0-9]+M' | sed 's/.*->//; s/M//' | sort -n | tail -n 1 \
    | grep . || echo "-"
}

# --- 1. capacity, closed loop -------------------------------------------------------------------------------------
cap_run() { # NAME SECONDS FILE -> "requests/s server-CPU-microseconds-per-request"
  local pid t0 t1; pid=$(pid_of "$1"); pause_other "$1"; t0=$(ticks "$pid")
  "${LOAD_PIN[@]}" wrk -t1 -c"$CAP_CONNECTIONS" -d"${2}s" --timeout 10s --latency "http://127.0.0.1:$(port_of "$1")/work" >"$3" 2>&1 \
    || { cat "$3" >&2; exit 1; }
  t1=$(ticks "$pid"); resume_other "$1"
  if grep -qE 'Non-2xx|Socket errors' "$3"; then echo "warning: $1: $(grep -E 'Non-2xx|Socket errors' "$3" | paste -sd ';' -)" >&2; fi
  # capacity counts the answers served (2xx), not the refused: a closed loop that crosses a shedding bound gets 503s
  awk -v t="$((t1 - t0))" -v hz="$HZ" '/requests in/ { n = $1; d = $4; sub(/s,?$/, "", d) } /Non-2xx or 3xx responses:/ { bad = $NF }
       END { ok = n - bad; printf "%.0f %.0f\n", ok / d, (ok > 0 ? t * 1e6 / hz / ok : 0) }' "$3"
}
echo "java: $("$JAVA" -version 2>&1 | head -n 1), server flags $JAVA_OPTS; logs $OUT"
echo "== 1. capacity: wrk -t1 -c$CAP_CONNECTIONS -d${CAP_SECONDS}s, $CAP_ROUNDS rounds alternating =="
cap_run chassis "$CAP_SECONDS" "$OUT/cap-warm-chassis.txt" >/dev/null; cap_run raw "$CAP_SECONDS" "$OUT/cap-warm-raw.txt" >/dev/null
CAP_C=(); CAP_R=(); CPU_C=(); CPU_R=(); CAP_ROWS=""
for ((i = 1; i <= CAP_ROUNDS; i++)); do
  if (( i % 2 )); then a=$(cap_run chassis "$CAP_SECONDS" "$OUT/cap$i-chassis.txt"); b=$(cap_run raw "$CAP_SECONDS" "$OUT/cap$i-raw.txt")
  else b=$(cap_run raw "$CAP_SECONDS" "$OUT/cap$i-raw.txt"); a=$(cap_run chassis "$CAP_SECONDS" "$OUT/cap$i-chassis.txt"); fi
  read -r ra ca <<< "$a"; read -r rb cb <<< "$b"
  CAP_C+=("$ra"); CAP_R+=("$rb"); CPU_C+=("$ca"); CPU_R+=("$cb")
  echo "round $i: chassis $ra req/s ($ca µs CPU/req), raw $rb req/s ($cb µs CPU/req)"
  CAP_ROWS+="| $i | $ra | $rb | $ca | $cb |"$'\n'
done
CAPACITY=$(median "${CAP_C[@]}"); CAPACITY=${CAPACITY%.*}
echo "capacity (Chassis, median): $CAPACITY req/s; raw Helidon $(median "${CAP_R[@]}") req/s"

# --- 2. open loop at LEVELS × capacity ------------------------------------------------------------------------------
h2load_open() { # PORT RATE FILE -> OpenLoad's key=value line, from h2load's request log (connection per request)
  local per eff n t0
  per=$(( ($2 * H2LOAD_PERIOD_MS + 500) / 1000 )); (( per > 0 )) || per=1
  eff=$(( per * 1000 / H2LOAD_PERIOD_MS )); n=$(( eff * (WARMUP + DURATION) ))
  (( eff * TIMEOUT_MS / 1000 + 200 < $(ulimit -n) )) || { echo "bench: h2load at $eff/s may hold $((eff * TIMEOUT_MS / 1000)) connections; ulimit -n is $(ulimit -n)" >&2; exit 1; }
  t0=$(date +%s%6N)
  "${LOAD_PIN[@]}" h2load --h1 -t1 -r "$per" --rate-period "${H2LOAD_PERIOD_MS}ms" -c "$n" -n "$n" -T "${TIMEOUT_MS}ms" \
    --log-file="$3.log" "http://127.0.0.1:$1/work" >"$3.h2load" 2>&1 || { cat "$3.h2load" >&2; exit 1; }
  awk -F'\t' -v t0="$t0" -v w="$WARMUP" -v d="$DURATION" '$2 ~ /^2/ && $1 + $3 >= t0 + w * 1e6 && $1 + $3 < t0 + (w + d) * 1e6 {
      printf "%.3f\n", $3 / 1000 }' "$3.log" | sort -g >"$3.served"
  awk -F'\t' -v d="$DURATION" -v n="$n" -v eff="$eff" -v served="$3.served" \
    -v errored="$(awk '/^requests:/ { print $(NF - 3) }' "$3.h2load")" \
    -v conn="$(grep -E '^time for connect' "$3.h2load" | tr -s ' ' | cut -d' ' -f4-6)" '
    $2 == 503 { r++ } $2 !~ /^2/ && $2 != 503 { o++ } NR == 1 || $1 < s0 { s0 = $1 } $1 > s1 { s1 = $1 }
    function pct(p,  i) { if (k == 0) return "NaN"; i = int(p * k); if (i < p * k) i++; if (i < 1) i = 1; return sprintf("%.2f", a[i]) }
    END { while ((getline v < served) > 0) a[++k] = v + 0
      printf "due=%d ok=%d refused=%d other=%d errors=0 timeouts=%d unfinished=0 goodput=%.1f p50=%s p99=%s max=%s lag99=- opened=%d rate=%d sent_over_s=%.1f connect(min,max,mean)=%s\n",
        n, NR - r - o, r, o, errored, k / d, pct(0.5), pct(0.99), pct(1), n, eff, (s1 - s0) / 1e6, conn }' "$3.log"
}
open_run() { # NAME LEVEL RATE -> a markdown row; the generator's line in $OUT/open-NAME-LEVEL.txt
  local name=$1 level=$2 rate=$3 pid log from t0 t1 s0 ms line heap peak oom
  pid=$(pid_of "$name"); log="$OUT/gc-$name.log"
  calm "$name"; pause_other "$name"; from=$(wc -l < "$log"); t0=$(ticks "$pid"); s0=$(date +%s%N)
  if [ "$GENERATOR" = h2load ]; then
    h2load_open "$(port_of "$name")" "$rate" "$OUT/h2load-$name-$level" >"$OUT/open-$name-$level.txt"
  else
    "${LOAD_PIN[@]}" "$JAVA" "${LOAD_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.OpenLoad open 127.0.0.1 "$(port_of "$name")" /work \
      "$rate" "$WARMUP" "$DURATION" "$MAX_CONNECTIONS" "$TIMEOUT_MS" >"$OUT/open-$name-$level.txt" 2>&1 \
      || { cat "$OUT/open-$name-$level.txt" >&2; exit 1; }
  fi
  t1=$(ticks "$pid"); ms=$(( ($(date +%s%N) - s0) / 1000000 )); resume_other "$name"
  line=$(tail -n 1 "$OUT/open-$name-$level.txt")
  if alive "$name"; then heap=$(heap_now "$pid"); oom=no; else heap="-"; oom="**yes**"; fi
  peak=$(gc_peak "$log" "$from")
  echo "$name ${level}× ($rate/s): $line; server CPU $(( (t1 - t0) / HZ )) s; heap after ${heap} MiB, peak after GC ${peak} MiB; OOM $oom" >&2
  awk -v n="$name" -v l="$level" -v r="$rate" -v h="$heap" -v pk="$peak" -v oom="$oom" -v cpu="$(( (t1 - t0) * 100000 / HZ / ms ))" '{
      for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
      d = f["due"]; fail = f["errors"] + f["timeouts"] + f["other"] + f["unfinished"]
      if (f["rate"] != "") r = f["rate"]; lag = f["lag99"] == "-" ? "-" : sprintf("%.1f", f["lag99"])
      printf "| %s× (%s/s) | %s | %.0f | %.2f | %.2f | %.1f%% | %.1f%% | %s%% | %s | %s | %s | %s |\n", l, r, n, f["goodput"], f["p50"],
        f["p99"], 100 * f["refused"] / d, 100 * fail / d, cpu, h, pk, oom, lag }' <<< "$line"
}
if [ "$GENERATOR" = h2load ]; then GEN_TEXT="h2load --h1, a new connection per request in bursts every ${H2LOAD_PERIOD_MS} ms, each closed ${TIMEOUT_MS} ms after it opened; goodput, p50 and p99: the 2xx answered in the measured seconds, latency from the request written (not from when it was due); refused and failed: shares of the whole run"
else GEN_TEXT="OpenLoad, at most $MAX_CONNECTIONS connections, timeout ${TIMEOUT_MS} ms"; fi
LAT_TEXT=""; [ "$GENERATOR" = h2load ] || LAT_TEXT=" Latency from when each request was due;"
echo "== 2. open loop ($GEN_TEXT): ${WARMUP}s warm-up + ${DURATION}s measured per run =="
OPEN_ROWS=""; k=0
declare -A GOOD P99
for level in $LEVELS; do
  rate=$(awk -v l="$level" -v c="$CAPACITY" 'BEGIN { printf "%.0f", l * c }')
  if (( k % 2 == 0 )); then order="chassis raw"; else order="raw chassis"; fi
  for name in $order; do
    row=$(open_run "$name" "$level" "$rate"); OPEN_ROWS+="$row"$'\n'
    GOOD[$name-$level]=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^goodput=/) print substr($i, 9) }' "$OUT/open-$name-$level.txt")
    P99[$name-$level]=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^p99=/) print substr($i, 5) }' "$OUT/open-$name-$level.txt")
  done
  k=$((k + 1))
done
FIRST=$(awk '{ print $1 }' <<< "$LEVELS"); LAST=$(awk '{ print $NF }' <<< "$LEVELS")
verdict() { # NAME -> goodput at the last level / capacity and / best goodput; p99 at the last level / at the first
  local best; best=$(for l in $LEVELS; do echo "${GOOD[$1-$l]}"; done | sort -g | tail -n 1)
  awk -v g="${GOOD[$1-$LAST]}" -v c="$CAPACITY" -v b="$best" -v p="${P99[$1-$LAST]}" -v p0="${P99[$1-$FIRST]}" -v n="$1" \
    -v l="$LAST" -v f="$FIRST" 'BEGIN { printf "%s at %s×: goodput %.0f/s = %.2f of capacity (%.2f of its best level); p99 %s ms = %.1f× its p99 at %s× (%s ms)\n",
      n, l, g, g / c, g / b, p, p / p0, f, p0 }'
}
VERDICT_C=$(verdict chassis); VERDICT_R=$(verdict raw); echo "$VERDICT_C"; echo "$VERDICT_R"

# --- 3. slowloris ----------------------------------------------------------------------------------------------------
probe() { # NAME FILE -> "p50 p99" in ms (wrk --latency, closed loop)
  "${LOAD_PIN[@]}" wrk -t1 -c"$PROBE_CONNECTIONS" -d"${PROBE_SECONDS}s" --timeout 10s --latency "http://127.0.0.1:$(port_of "$1")/work" >"$2" 2>&1 \
    || { cat "$2" >&2; exit 1; }
  awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
       $1 == "50%" { a = ms($2) } $1 == "99%" { b = ms($2) } END { printf "%.2f %.2f\n", a, b }' "$2"
}
echo "== 3. slowloris: $SLOW_CONNECTIONS connections, a header byte every $SLOW_INTERVAL_MS ms; probe wrk -t1 -c$PROBE_CONNECTIONS -d${PROBE_SECONDS}s =="
SLOW_ROWS=""
for name in chassis raw; do
  calm "$name"; pause_other "$name"
  probe "$name" "$OUT/probe-warm-$name.txt" >/dev/null
  read -r b50 b99 <<< "$(probe "$name" "$OUT/probe-base-$name.txt")"
  "${LOAD_PIN[@]}" "$JAVA" "${LOAD_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.OpenLoad slowloris 127.0.0.1 "$(port_of "$name")" \
    "$SLOW_CONNECTIONS" "$SLOW_INTERVAL_MS" "$((PROBE_SECONDS + 8))" >"$OUT/slowloris-$name.txt" 2>&1 &
  PID_SLOW=$!
  sleep 6
  read -r s50 s99 <<< "$(probe "$name" "$OUT/probe-slow-$name.txt")"
  wait $PID_SLOW || true; PID_SLOW=""; resume_other "$name"
  slow=$(tail -n 1 "$OUT/slowloris-$name.txt")
  echo "$name: normal p50 $b50 ms p99 $b99 ms; under slowloris p50 $s50 ms p99 $s99 ms; slowloris: $slow"
  SLOW_ROWS+=$(awk -v n="$name" -v a="$b50" -v b="$b99" -v c="$s50" -v d="$s99" -v s="$slow" \
    'BEGIN { printf "| %s | %s | %s | %s | %s | **%.2f** | %s |", n, a, b, c, d, d / b, s }')$'\n'
  alive "$name" || echo "warning: $name did not survive slowloris" >&2
done

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
# how each server's JDK waits for its sockets (jcmd Thread.vthread_pollers, JDK 24+): platform poller threads, or
# virtual ones under a master poller; a scheduler check in JAVA_OPTS gives Chassis platform pollers unless
# server.platform-pollers says otherwise
pollers_of() { local out; out=$(timeout 20 "$JCMD" "$1" Thread.vthread_pollers 2>/dev/null || true)
  if grep -q 'Master I/O poller' <<<"$out"; then echo "virtual threads"
  elif grep -q 'owner = Thread\[#[0-9]*,Read-Poller' <<<"$out"; then echo "platform threads"; else echo "unknown"; fi; }
POLLERS="Chassis $(pollers_of "$PID_CHASSIS"), raw Helidon $(pollers_of "$PID_RAW")"
cat <<EOF2

==== summary (markdown, for docs/benchmarks.md) ====

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average at the start: $LOAD, at the end: $(cut -d' ' -f1-3 /proc/loadavg)
- java: \`$("$JAVA" -version 2>&1 | head -n 1)\`, servers \`$JAVA_OPTS\`, load generator \`$LOAD_OPTS\`
- machine: $(nproc) CPUs${CPU:+ ($CPU)}, shared; load generator and wrk on the same machine, target 127.0.0.1; servers on CPUs ${PIN_SERVERS:-any}, load on CPUs ${PIN_LOAD:-any}
- command: \`$COMMAND\`
- socket pollers: $POLLERS
- endpoint: \`GET /work\`, SHA-256 over $WORK blocks of 4 KiB per request

1. capacity, closed loop, \`wrk -t1 -c$CAP_CONNECTIONS -d${CAP_SECONDS}s\` (after a warm-up of the same length), alternating:

| round | Chassis req/s | raw Helidon req/s | Chassis CPU µs/req | raw CPU µs/req |
|---:|---:|---:|---:|---:|
${CAP_ROWS}
Capacity (Chassis' median): **$CAPACITY req/s**; raw Helidon's median $(median "${CAP_R[@]}") req/s.

2. open loop ($GEN_TEXT), ${WARMUP}s warm-up + ${DURATION}s measured; order alternating per level.${LAT_TEXT} *failed* = timeouts, connection errors and other statuses; *server CPU* = share of one CPU while the generator ran (warm-up, measured seconds and the wait for the last answers); *heap* = used right after the run (\`jcmd GC.heap_info\`) and the largest heap after a GC during it (GC log), MiB; *lag p99* = how late the generator started requests (ms):

| load | server | goodput/s | p50 ms | p99 ms | refused 503 | failed | server CPU | heap after | heap peak after GC | OOM | lag p99 |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|
${OPEN_ROWS}
- $VERDICT_C
- $VERDICT_R

3. slowloris (OpenLoad slowloris, $SLOW_CONNECTIONS connections, a byte every $SLOW_INTERVAL_MS ms) while \`wrk -t1 -c$PROBE_CONNECTIONS -d${PROBE_SECONDS}s --latency\` measures \`/work\`; *normal* = the same probe just before:

| server | normal p50 ms | normal p99 ms | slowloris p50 ms | slowloris p99 ms | p99 ratio | slowloris at the end |
|---|---:|---:|---:|---:|---:|---|
${SLOW_ROWS}
EOF2
