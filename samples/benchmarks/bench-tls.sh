#!/usr/bin/env bash
# What TLS costs (issue 16), with one EC P-256 certificate from a CA this script makes with openssl:
#   a. keep-alive throughput, the same Chassis endpoint (ChassisServer, GET /hello) over TLS and in plaintext
#      (two processes side by side): median ratio tls/plaintext of requests/s (target >= 0.85);
#   b. new TLS connections per second, Chassis (server.tls.bundle) vs raw Helidon SE (RawHelidonServer with Helidon's
#      own Tls from the same PEM files, same handler): wrk with "Connection: close", so every request opens a new TCP
#      connection and does a full TLS handshake; median ratio chassis/raw (target >= 0.95).
# The order alternates every round; each round also gives the server's CPU time per request (from /proc), less
# sensitive than requests/s to what else the machine runs.
# Usage: samples/benchmarks/bench-tls.sh   Knobs: WARMUP=10 ROUNDS=5 DURATION=8 THREADS=2 CONNECTIONS=64 (keep-alive)
#        NEW_CONNECTIONS=32 (Connection: close) PORT=18481 (plaintext PORT+1, raw Helidon PORT+2)
#        JAVA_OPTS="-Xms64m -Xmx256m". Targets 127.0.0.1 only. Needs wrk, curl and openssl.
# It builds the benchmarks and what they use in one reactor run (package, no install: the class path is the modules'
# target/ jars, so it measures this checkout); MAVEN_ARGS=-o keeps Maven offline.
set -euo pipefail
COMMAND=""
for n in WARMUP ROUNDS DURATION THREADS CONNECTIONS NEW_CONNECTIONS PORT JAVA_OPTS; do
  if [ -n "${!n-}" ]; then v=${!n}; [[ $v == *" "* ]] && v="\"$v\""; COMMAND+="$n=$v "; fi
done
COMMAND+="samples/benchmarks/bench-tls.sh"
WARMUP=${WARMUP:-10}; ROUNDS=${ROUNDS:-5}; DURATION=${DURATION:-8}; THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}; NEW_CONNECTIONS=${NEW_CONNECTIONS:-32}; PORT=${PORT:-18481}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}
for n in WARMUP ROUNDS DURATION THREADS CONNECTIONS NEW_CONNECTIONS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
for c in wrk curl openssl; do
  command -v $c >/dev/null 2>&1 || { echo "bench: $c not found; install it: apt-get install -y $c" >&2; exit 1; }
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-tls.XXXXXX")
echo "building (./mvnw -q -B -DskipTests package -pl samples/benchmarks -am) ..."
./mvnw -q -B -DskipTests package dependency:build-classpath -pl samples/benchmarks -am -Dmdep.includeScope=runtime \
  -Dmdep.outputFile="$OUT/cp.txt" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
CP="$JAR:$(cat "$OUT/cp.txt")"
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
JAVA_ARGS+=(-Dchassis.extensions.observability.enabled=false) # core alone, as bench.sh

# --- a CA and one server certificate (EC P-256, SAN localhost and 127.0.0.1), PEM ------------------------------
PKI="$OUT/pki"; mkdir -p "$PKI"
{
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.pem" \
    -days 2 -subj "/CN=bench CA"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/server.key" -out "$PKI/server.csr" \
    -subj "/CN=localhost"
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' \
    >"$PKI/ext.cnf"
  openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/ext.cnf" -out "$PKI/server.pem"
} >"$OUT/pki.log" 2>&1 || { cat "$OUT/pki.log" >&2; exit 1; }

# --- three servers side by side -----------------------------------------------------------------------------------
TLS=$PORT; PLAIN=$((PORT + 1)); RAW=$((PORT + 2))
for p in "$TLS" "$PLAIN" "$RAW"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
"$JAVA" "${JAVA_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.ChassisServer "$TLS" "$PKI/server.pem" \
  "$PKI/server.key" >"$OUT/chassis-tls.log" 2>&1 &
PID_TLS=$!
"$JAVA" "${JAVA_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.ChassisServer "$PLAIN" >"$OUT/chassis-plain.log" 2>&1 &
PID_PLAIN=$!
"$JAVA" "${JAVA_ARGS[@]}" -cp "$CP" dev.chassis.samples.benchmarks.RawHelidonServer "$RAW" "$PKI/server.pem" \
  "$PKI/server.key" >"$OUT/raw-tls.log" 2>&1 &
PID_RAW=$!
trap 'kill -TERM $PID_TLS $PID_PLAIN $PID_RAW 2>/dev/null; wait $PID_TLS $PID_PLAIN $PID_RAW 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP
url() { [ "$1" = "$PLAIN" ] && echo "http://127.0.0.1:$1/hello" || echo "https://localhost:$1/hello"; }
for p in "$TLS" "$PLAIN" "$RAW"; do
  for ((i = 0; i < 6000; i++)); do
    [ "$(curl -s -o /dev/null --cacert "$PKI/ca.pem" -w '%{http_code}' "$(url "$p")" || true)" = 200 ] && break
    for pid in $PID_TLS $PID_PLAIN $PID_RAW; do
      kill -0 "$pid" 2>/dev/null || { echo "bench: a server exited; logs in $OUT" >&2; exit 1; }
    done
    sleep 0.01
  done
done

# What each TLS server negotiates with an OpenSSL client (wrk's library), and whether it resumes a session.
handshake() { # PORT -> "TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 ECDSA resumed:no"
  local req='GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' first second
  first=$(printf "$req" | timeout 10 openssl s_client -connect "127.0.0.1:$1" -CAfile "$PKI/ca.pem" -ign_eof \
    -sess_out "$OUT/session-$1.pem" 2>/dev/null || true)
  second=$(printf "$req" | timeout 10 openssl s_client -connect "127.0.0.1:$1" -CAfile "$PKI/ca.pem" -ign_eof \
    -sess_in "$OUT/session-$1.pem" 2>/dev/null || true)
  awk '/^New, |^Reused, / && !v { v = $2; c = $5 } /^Server Temp Key:/ { k = $4 } /^Peer signature type:/ { s = $4 }
       END { printf "%s %s %s %s", v, c, k, s }' <<< "$first" | tr -d ','
  grep -q '^Reused, ' <<< "$second" && echo " resumed:yes" || echo " resumed:no"
}
HS_CHASSIS=$(handshake "$TLS"); HS_RAW=$(handshake "$RAW")

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process, in clock ticks
HZ=$(getconf CLK_TCK)
run() { # PORT PID CONNECTIONS SECONDS FILE [wrk args...] -> "requests/s server-CPU-microseconds-per-request"
  local port=$1 pid=$2 conns=$3 secs=$4 file=$5 t0 t1; shift 5
  t0=$(ticks "$pid")
  wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout 10s "$@" "$(url "$port")" >"$file" 2>&1 || { cat "$file" >&2; exit 1; }
  t1=$(ticks "$pid")
  if grep -qE 'Non-2xx|Socket errors' "$file"; then echo "warning: port $port: $(grep -E 'Non-2xx|Socket errors' "$file" | paste -sd ';' -)" >&2; fi
  awk -v t="$((t1 - t0))" -v hz="$HZ" '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 }
       END { printf "%s %.1f\n", r, t * 1e6 / hz / n }' "$file"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# compare NAME_A PORT_A PID_A NAME_B PORT_B PID_B CONNECTIONS [wrk args...]: warm-up, ROUNDS alternating rounds;
# sets ROWS (markdown rows), MEDIAN_RPS and MEDIAN_CPU (ratios a/b).
compare() {
  local na=$1 pa=$2 ida=$3 nb=$4 pb=$5 idb=$6 conns=$7 i a b ra ca rb cb q c; shift 7
  local -a qs=() cs=()
  run "$pa" "$ida" "$conns" "$WARMUP" "$OUT/warm-$na.txt" "$@" >/dev/null
  run "$pb" "$idb" "$conns" "$WARMUP" "$OUT/warm-$nb.txt" "$@" >/dev/null
  ROWS=""
  for ((i = 1; i <= ROUNDS; i++)); do
    if (( i % 2 )); then a=$(run "$pa" "$ida" "$conns" "$DURATION" "$OUT/r$i-$na.txt" "$@"); b=$(run "$pb" "$idb" "$conns" "$DURATION" "$OUT/r$i-$nb.txt" "$@")
    else b=$(run "$pb" "$idb" "$conns" "$DURATION" "$OUT/r$i-$nb.txt" "$@"); a=$(run "$pa" "$ida" "$conns" "$DURATION" "$OUT/r$i-$na.txt" "$@"); fi
    read -r ra ca <<< "$a"; read -r rb cb <<< "$b"
    q=$(ratio "$ra" "$rb"); c=$(ratio "$ca" "$cb"); qs+=("$q"); cs+=("$c")
    echo "round $i: $na $ra req/s, $nb $rb req/s, ratio $q; server CPU per request $na $ca us, $nb $cb us, ratio $c"
    ROWS+="| $i | $ra | $rb | **$q** | $ca | $cb | $c |"$'\n'
  done
  MEDIAN_RPS=$(median "${qs[@]}"); MEDIAN_CPU=$(median "${cs[@]}")
  echo "median: requests/s ratio $MEDIAN_RPS, server-CPU-per-request ratio $MEDIAN_CPU"
}

echo "java: $("$JAVA" -version 2>&1 | head -n 1), flags $JAVA_OPTS; logs $OUT"
echo "handshake (openssl s_client): chassis $HS_CHASSIS; raw helidon $HS_RAW"
echo "== a. keep-alive: chassis over TLS vs chassis plaintext, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout 10s =="
compare tls "$TLS" $PID_TLS plaintext "$PLAIN" $PID_PLAIN "$CONNECTIONS"
ROWS_A=$ROWS; RPS_A=$MEDIAN_RPS; CPU_A=$MEDIAN_CPU
kill -TERM $PID_PLAIN 2>/dev/null; wait $PID_PLAIN 2>/dev/null || true # idle from here on; part b needs only two
echo "== b. new TLS connections: chassis vs raw helidon, wrk -t$THREADS -c$NEW_CONNECTIONS -d${DURATION}s --timeout 10s -H 'Connection: close' =="
compare chassis "$TLS" $PID_TLS raw "$RAW" $PID_RAW "$NEW_CONNECTIONS" -H "Connection: close"
ROWS_B=$ROWS; RPS_B=$MEDIAN_RPS; CPU_B=$MEDIAN_CPU

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
cat <<EOF

==== summary (markdown, for docs/benchmarks.md) ====

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average at the start: $LOAD
- java: \`$("$JAVA" -version 2>&1 | head -n 1)\`, flags \`$JAVA_OPTS\`
- machine: $(nproc) CPUs${CPU:+ ($CPU)}; wrk $(wrk -v 2>&1 | awk 'NR == 1 { print $2 }') ($(openssl version | cut -d' ' -f1-2)) on the same machine, target 127.0.0.1
- command: \`$COMMAND\`
- certificate: EC P-256, from a CA made by openssl; handshake seen by openssl s_client: Chassis \`$HS_CHASSIS\`, raw Helidon \`$HS_RAW\`

a. keep-alive, \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout 10s\`, ${WARMUP}s warm-up each, order alternating:

| round | TLS req/s | plaintext req/s | TLS / plaintext | CPU µs/req TLS | CPU µs/req plaintext | CPU ratio |
|---:|---:|---:|---:|---:|---:|---:|
${ROWS_A}
Median ratio TLS / plaintext: **$RPS_A** (server CPU per request: $CPU_A).

b. a new TLS connection per request, \`wrk -t$THREADS -c$NEW_CONNECTIONS -d${DURATION}s --timeout 10s -H "Connection: close"\`, ${WARMUP}s warm-up each, order alternating:

| round | Chassis conn/s | raw Helidon conn/s | Chassis / raw | CPU µs/conn Chassis | CPU µs/conn raw | CPU ratio |
|---:|---:|---:|---:|---:|---:|---:|
${ROWS_B}
Median ratio Chassis / raw Helidon: **$RPS_B** (server CPU per connection: $CPU_B).
EOF
