#!/usr/bin/env bash
# What a start loads, counted: the classes loaded by the time GET /hello first answers 200, grouped by where they come
# from, and the process's CPU time (user + system, all threads) at that moment, for
#   chassis      ChassisServer with chassis-observability on (the service starter's default),
#   chassis-off  the same with observability off (-Dchassis.extensions.observability.enabled=false),
#   raw          RawHelidonServer, the route hand-written on Helidon SE,
# STARTS starts of each, alternating; medians. Class counts barely move from start to start and CPU time much less
# than wall-clock time on a shared machine: the deterministic side of bench-startup.sh (issue 22, item 3).
# Usage: samples/benchmarks/startup-classes.sh   Knobs: STARTS=3 PORT=18702 JAVA_OPTS="-Xms64m -Xmx256m" SKIP_BUILD=
#        MAVEN_ARGS=-o. Logs (one -Xlog:class+load file per start) stay in the directory it prints.
# Needs a JDK 21+ (the one ./mvnw finds) and curl. Like bench-startup.sh it packages in one reactor run, no install.
set -euo pipefail
STARTS=${STARTS:-3}; PORT=${PORT:-18702}; JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx256m}; SKIP_BUILD=${SKIP_BUILD:-}
for n in STARTS PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "classes: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
command -v curl >/dev/null 2>&1 || { echo "classes: curl not found; apt-get install -y curl" >&2; exit 1; }

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-startup-classes.XXXXXX")
CPFILE=samples/benchmarks/target/startup-classes.cp
if [ -z "$SKIP_BUILD" ] || [ ! -f "$CPFILE" ]; then
  echo "building (./mvnw -q -B -DskipTests package -pl samples/benchmarks -am) ..."
  ./mvnw -q -B -DskipTests package dependency:build-classpath -pl samples/benchmarks -am -Dmdep.includeScope=runtime \
    -Dmdep.outputFile="$ROOT/$CPFILE" >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log" >&2; exit 1; }
fi
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
CP="$JAR:$(cat "$CPFILE")"
read -r -a JAVA_ARGS <<< "$JAVA_OPTS"
TICK=$(getconf CLK_TCK)

PID=
cleanup() { if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi; }
trap cleanup EXIT; trap 'exit 130' INT TERM HUP
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# groups LOG: "group count" lines of the classes in a -Xlog:class+load file
groups() { awk '/\[class,load\]/ { c = $0; sub(/.*\[class,load\] /, "", c); split(c, a, " "); n = a[1]; g = "other";
    if (n ~ /^io\.opentelemetry\./) g = "opentelemetry"; else if (n ~ /^dev\.chassis\./) g = "chassis";
    else if (n ~ /^com\.fasterxml\./) g = "jackson"; else if (n ~ /^io\.helidon\./) g = "helidon";
    else if (n ~ /^io\.grpc\./) g = "grpc"; else if (n ~ /^(java|javax|jdk|sun|com\.sun)[.\/]/) g = "jdk";
    cnt[g]++; tot++ } END { for (g in cnt) print g, cnt[g]; print "total", tot }' "$1"; }

GROUPS_=(total jdk helidon jackson opentelemetry chassis grpc other)
declare -A COUNT CPU
APPS=(chassis chassis-off raw)
for ((s = 0; s < STARTS; s++)); do
  for ((k = 0; k < ${#APPS[@]}; k++)); do
    app=${APPS[$(( (k + s) % ${#APPS[@]} ))]}
    case $app in
      chassis) MAIN=(dev.chassis.samples.benchmarks.ChassisServer) ;;
      chassis-off) MAIN=(-Dchassis.extensions.observability.enabled=false dev.chassis.samples.benchmarks.ChassisServer) ;;
      raw) MAIN=(dev.chassis.samples.benchmarks.RawHelidonServer) ;;
    esac
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && { echo "classes: port $PORT is in use" >&2; exit 1; }
    log="$OUT/$app-$s.classes"
    "$JAVA" "${JAVA_ARGS[@]}" -Xlog:class+load=info:file="$log.all" -cp "$CP" "${MAIN[@]}" "$PORT" >"$OUT/$app-$s.out" 2>&1 &
    PID=$!
    deadline=$(( $(date +%s) + 120 ))
    until [ "$(curl -s -o /dev/null --max-time 2 -w '%{http_code}' "http://127.0.0.1:$PORT/hello" || true)" = 200 ]; do
      kill -0 "$PID" 2>/dev/null || { echo "classes: $app exited; log in $OUT" >&2; exit 1; }
      (( $(date +%s) < deadline )) || { echo "classes: no 200 from $app in 120 s; log in $OUT" >&2; exit 1; }
      sleep 0.005
    done
    cp "$log.all" "$log" # the classes loaded by the first answer
    cpu=$(awk -v t="$TICK" '{ printf "%.0f", ($14 + $15) * 1000 / t }' "/proc/$PID/stat")
    kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=
    CPU[$app]+="$cpu "
    while read -r g n; do COUNT[$app.$g]+="$n "; done < <(groups "$log")
    printf '%-12s start %d: %5s classes, %5s ms CPU\n' "$app" $((s + 1)) "$(groups "$log" | awk '$1 == "total" { print $2 }')" "$cpu"
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo
echo "==== summary (markdown, for docs/benchmarks.md) ===="
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); java: \`$("$JAVA" -version 2>&1 | head -n 1)\`, flags \`$JAVA_OPTS\`"
echo "- machine: $(nproc) CPUs; load average before $LOAD_BEFORE, after $LOAD_AFTER; medians of $STARTS starts"
echo
printf '| classes loaded at the first 200 |'; for app in "${APPS[@]}"; do printf ' %s |' "$app"; done; echo
printf '|---|'; for app in "${APPS[@]}"; do printf -- '---:|'; done; echo
for g in "${GROUPS_[@]}"; do
  printf '| %s |' "$g"
  for app in "${APPS[@]}"; do v=${COUNT[$app.$g]-0}; printf ' %s |' "$(median $v)"; done; echo
done
printf '| **CPU ms at the first 200** (÷ raw) |'
RAW_CPU=$(median ${CPU[raw]})
for app in "${APPS[@]}"; do c=$(median ${CPU[$app]}); printf ' %s (%s) |' "$c" "$(ratio "$c" "$RAW_CPU")"; done; echo
echo
echo "Logs: $OUT"
