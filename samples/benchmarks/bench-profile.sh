#!/usr/bin/env bash
# Where each microsecond goes (issue 22.2): the app of bench-app.sh (AppBenchServer) as the service starter runs it
# ("chassis", observability on) and hand-written on raw Helidon ("raw"), one after the other, each under the same
# wrk load (-t1 -cCONNECTIONS on LOAD_CPU, server on SERVER_CPU) with a JFR recording (execution samples every
# millisecond, allocation samples) of the last DURATION seconds; then JfrBreakdown charges every sample to the layer
# of its innermost non-JDK frame (Helidon connection/parsing/writing, Helidon routing, Chassis, the request deadline,
# observability, Jackson, JDK) and prints the server's CPU time per request (user + system), so a layer's share ×
# that = its µs; and which JDK mechanism the samples' innermost JDK frames are (virtual-thread scheduling, epoll,
# socket I/O). Then DURATION more seconds of the same load without JFR, counted: the server's CPU per request by
# thread (names with their numbers folded: carriers, pollers, event loops, GC, JIT) and, with perf, its system calls
# and context switches per request (perf stat on the server's process; skipped when perf is missing or refused).
# With KERNEL=1 a third window of DURATION seconds samples the server's process with perf record (cpu-clock, call
# graphs, 999 Hz) and prints the share and µs per request under the kernel's system-call and network entry points
# (read, write, writev, epoll_ctl, epoll_wait, futex, tcp_recvmsg, tcp_sendmsg, the loopback's softirq, schedule).
# SERVERS picks the servers: chassis, chassis-off, raw, and micronaut and quarkus once bench-app.sh has built them
# (PEERS=1).
# Usage: samples/benchmarks/bench-profile.sh [hello|items]   Knobs: WARMUP=15 DURATION=20 CONNECTIONS=32
#        SERVER_CPU=0 LOAD_CPU=1 PORT=18811 JAVA_OPTS="-Xms64m -Xmx256m" LAYER= (list that layer's top methods too)
#        SERVERS="chassis raw" KERNEL=0
# Run bench-app.sh (or its build line) first: this script uses the jars and class paths it packaged.
set -euo pipefail
ENDPOINT=${1:-hello}
WARMUP=${WARMUP:-15}; DURATION=${DURATION:-20}; CONNECTIONS=${CONNECTIONS:-32}; SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}; PORT=${PORT:-18811}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; LAYER=${LAYER:-}
SERVERS=${SERVERS:-chassis raw}; KERNEL=${KERNEL:-0}
# the knobs stay in this script: a Chassis server refuses environment variables named like its keys (SERVER_CPU)
export -n WARMUP DURATION CONNECTIONS SERVER_CPU LOAD_CPU PORT JAVA_OPTS LAYER SERVERS KERNEL
[[ $KERNEL == 0 || $KERNEL == 1 ]] || { echo "bench: KERNEL must be 0 or 1, was '$KERNEL'" >&2; exit 2; }
for m in $SERVERS; do
  [[ $m =~ ^(chassis|chassis-off|raw|micronaut|quarkus)$ ]] || { echo "bench: SERVERS takes chassis, chassis-off, raw, micronaut, quarkus; was '$m'" >&2; exit 2; }
done
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
PEER_DIR=samples/benchmarks/peers
MICRONAUT_JAR=$PEER_DIR/micronaut/target/bench-micronaut-0.1.jar; QUARKUS_JAR=$PEER_DIR/quarkus/target/quarkus-app/quarkus-run.jar
for m in $SERVERS; do
  if [[ $m == micronaut && ! -f $MICRONAUT_JAR || $m == quarkus && ! -f $QUARKUS_JAR ]]; then
    echo "bench: $m is not built; run PEERS=1 samples/benchmarks/bench-app.sh first" >&2; exit 1
  fi
done
PERF=1
command -v perf >/dev/null 2>&1 && perf stat -e raw_syscalls:sys_enter -- true >/dev/null 2>&1 || PERF=0
[ $PERF = 1 ] || echo "note: perf (or its syscall tracepoints) is not available here: no system-call counts" >&2
SYSCALLS="read write readv writev recvfrom sendto epoll_wait epoll_pwait epoll_ctl futex sched_yield"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-profile.XXXXXX")
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
# exact lines for samples in compiled code: without it JFR charges a sample to the nearest place the JIT recorded
# debug information, often a method inlined nearby (TraceStore.admit showed 6.8 % without it, 1.6 % with it)
JAVA_ARGS+=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
HZ=$(getconf CLK_TCK)
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); GET /$ENDPOINT, wrk -t1 -c$CONNECTIONS; recordings in $OUT"
# per-thread CPU ticks (utime + stime), one line per thread: NAME-WITH-NUMBERS-FOLDED TICKS
threads() { for t in /proc/"$1"/task/*; do
  sed -E 's/^[0-9]+ \((.*)\) [A-Za-z] (.*)$/\1\t\2/' "$t/stat" 2>/dev/null | awk -F'\t' '{ split($2, f, " "); n = $1
    gsub(/[0-9]+/, "N", n); gsub(/ /, "_", n); print n, f[11] + f[12] }'; done; }
for mode in $SERVERS; do
  JFR="-XX:StartFlightRecording=filename=$OUT/$mode.jfr,settings=profile,jdk.ExecutionSample#period=1ms,delay=${WARMUP}s,duration=${DURATION}s"
  case $mode in
    chassis|chassis-off|raw)
      if [ $mode = raw ]; then CP="$JAR:$(cat samples/benchmarks/target/bench-app-cp.txt)"; else CP="$JAR:$(cat starters/service/target/bench-app-cp.txt)"; fi
      EXTRA=(); [ $mode = chassis-off ] && EXTRA=(-Dchassis.extensions.observability.enabled=false)
      taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" "$JFR" "${EXTRA[@]}" -cp "$CP" \
        dev.chassis.samples.benchmarks.AppBenchServer "${mode%-off}" "$PORT" >"$OUT/$mode.log" 2>&1 & ;;
    micronaut) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" "$JFR" -Dmicronaut.server.port="$PORT" -jar "$MICRONAUT_JAR" >"$OUT/$mode.log" 2>&1 & ;;
    quarkus) taskset -c "$SERVER_CPU" "$JAVA" "${JAVA_ARGS[@]}" "$JFR" -Dquarkus.http.port="$PORT" -jar "$QUARKUS_JAR" >"$OUT/$mode.log" 2>&1 & ;;
  esac
  PID=$!
  for ((k = 0; k < 3000; k++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$ENDPOINT" || true)" = 200 ] && break
    sleep 0.01
  done
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PORT/$ENDPOINT" >/dev/null
  read -r u0 s0 <<< "$(awk '{ print $14, $15 }' "/proc/$PID/stat")"
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/$ENDPOINT" >"$OUT/$mode-wrk.txt"
  read -r u1 s1 <<< "$(awk '{ print $14, $15 }' "/proc/$PID/stat")"
  for ((k = 0; k < 100; k++)); do grep -q "Dump on exit\|written\|Stopped recording" "$OUT/$mode.log" 2>/dev/null && break; [ -s "$OUT/$mode.jfr" ] && break; sleep 0.2; done
  sleep 1
  # the counted window: the same load, the recording over
  threads "$PID" >"$OUT/$mode-threads0.txt"
  if [ $PERF = 1 ]; then
    EVENTS="raw_syscalls:sys_enter,context-switches,cpu-migrations"
    for c in $SYSCALLS; do EVENTS+=",syscalls:sys_enter_$c"; done
    perf stat -x, -e "$EVENTS" -p "$PID" -o "$OUT/$mode-perf.txt" -- sleep "$DURATION" &
    PERF_PID=$!
  fi
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/$ENDPOINT" >"$OUT/$mode-wrk2.txt"
  threads "$PID" >"$OUT/$mode-threads1.txt"
  [ $PERF = 1 ] && wait $PERF_PID
  if [ $PERF = 1 ] && [ $KERNEL = 1 ]; then
    k0=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
    perf record -q -F 999 -e cpu-clock -g -p "$PID" -o "$OUT/$mode-kernel.data" -- sleep "$DURATION" 2>/dev/null &
    REC_PID=$!
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/$ENDPOINT" >"$OUT/$mode-wrk3.txt"
    wait $REC_PID || true
    k1=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
  fi
  kill $PID; wait $PID 2>/dev/null || true
  echo
  awk -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v hz="$HZ" -v m="$mode" '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 }
    END { printf "== %s: %s req/s, server CPU %.1f us/request (user %.1f, system %.1f)\n", m, r, (u + s) * 1e6 / hz / n,
      u * 1e6 / hz / n, s * 1e6 / hz / n }' "$OUT/$mode-wrk.txt"
  "$JAVA" -cp "$JAR" dev.chassis.samples.benchmarks.JfrBreakdown "$OUT/$mode.jfr" ${LAYER:+"$LAYER"}
  n2=$(awk '/requests in/ { print $1 }' "$OUT/$mode-wrk2.txt")
  echo "-- counted, without JFR: $(awk '/^Requests\/sec:/ { print $2 }' "$OUT/$mode-wrk2.txt") req/s; server CPU by thread, us/request:"
  awk -v hz="$HZ" -v n="$n2" 'FNR == NR { t0[$1] += $2; next } { t1[$1] += $2 }
    END { for (k in t1) { d = (t1[k] - t0[k]) * 1e6 / hz / n; total += d; if (d >= 0.05) printf "   %8.2f  %s\n", d, k }
      printf "   %8.2f  (all threads)\n", total }' "$OUT/$mode-threads0.txt" "$OUT/$mode-threads1.txt" | sort -k1,1gr
  if [ $PERF = 1 ]; then
    echo "-- per request (perf stat on the server's process, same window):"
    awk -F, -v n="$n2" '$3 ~ /:|context|migrations/ { e = $3; sub(/^syscalls:sys_enter_/, "", e); sub(/^raw_syscalls:sys_enter/, "all system calls", e)
      if ($1 + 0 > 0) printf "   %8.3f  %s\n", $1 / n, e }' "$OUT/$mode-perf.txt"
  fi
  if [ $PERF = 1 ] && [ $KERNEL = 1 ] && [ -s "$OUT/$mode-kernel.data" ]; then
    n3=$(awk '/requests in/ { print $1 }' "$OUT/$mode-wrk3.txt")
    us=$(awk -v t="$((k1 - k0))" -v hz="$HZ" -v n="$n3" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
    echo "-- kernel, perf record (call graphs; inclusive share of the process's samples, and that of $us us/request):"
    perf report -i "$OUT/$mode-kernel.data" --children --sort sym --stdio -g none 2>/dev/null >"$OUT/$mode-kernel.txt" || true
    awk -v us="$us" 'BEGIN { split("entry_SYSCALL_64_after_hwframe ksys_read ksys_write do_writev do_epoll_ctl do_epoll_wait do_futex " \
        "tcp_recvmsg tcp_sendmsg net_rx_action schedule", want, " "); for (i in want) ok[want[i]] = i }
      $3 == "[k]" && ($4 in ok) && !seen[$4]++ { v = $1; sub(/%/, "", v); line[ok[$4]] = sprintf("   %6.1f%%  %6.2f us  %s", v, v * us / 100, $4) }
      END { for (i = 1; i <= 11; i++) if (i in line) print line[i] }' "$OUT/$mode-kernel.txt"
  fi
done
