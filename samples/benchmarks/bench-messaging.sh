#!/usr/bin/env bash
# Chassis messaging vs raw KafkaProducer/KafkaConsumer (issue 6), against one local Kafka broker started here in its
# own JVM (kafka.Kafka, KRaft, from the Maven artifact): per round, throughput (N events published asynchronously
# until the last acknowledgement) and end-to-end latency (RATE events/s for SECONDS, p50/p99), Chassis and raw
# alternately; medians of the ratios; then the in-memory broker's figures. Latency is measured at RATE events/s for
# DURATION seconds.
# Usage: samples/benchmarks/bench-messaging.sh   Knobs: ROUNDS=5 N=50000 RATE=2000 DURATION=5 PORT=19092 SKIP_BUILD=0
set -euo pipefail
ROUNDS=${ROUNDS:-5}; N=${N:-50000}; RATE=${RATE:-2000}; DURATION=${DURATION:-5}; PORT=${PORT:-19092}; SKIP_BUILD=${SKIP_BUILD:-0}
for n in ROUNDS N RATE DURATION PORT; do
  [[ ${!n} =~ ^[0-9]+$ ]] && (( 10#${!n} > 0 )) || { echo "bench: $n must be a positive integer, was '${!n}'" >&2; exit 2; }
done
ROOT=$(cd "$(dirname "$0")/../.." && pwd); cd "$ROOT"
set +eu; . "$ROOT/.mvn/find-jdk.sh"; set -eu; set +f
[ -n "${JAVA_HOME-}" ] || JAVA_HOME=$(chassis_current_home)
JAVA="$JAVA_HOME/bin/java"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/chassis-bench-messaging.XXXXXX")
[ "$SKIP_BUILD" = 1 ] || { echo "building (./mvnw -q -DskipTests install) ..."; ./mvnw -q -DskipTests install; }
./mvnw -q -pl samples/benchmarks dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
JAR=$(ls samples/benchmarks/target/chassis-samples-benchmarks-*.jar | grep -v -e sources -e javadoc | head -n 1)
CP="$JAR:$(cat "$OUT/cp.txt")"
CONTROLLER=$((PORT + 1))
for p in "$PORT" "$CONTROLLER"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "bench: port $p is in use; set PORT" >&2; exit 1; fi
done
cat > "$OUT/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$OUT/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
# a fixed cluster id (22 characters of base64, as kafka-storage random-uuid prints): the data dir is new each run
"$JAVA" -cp "$CP" kafka.tools.StorageTool format -t MkU3OEVBNTcwNTJENDM2Qk \
  -c "$OUT/server.properties" >"$OUT/format.log" 2>&1 || { cat "$OUT/format.log" >&2; exit 1; }
"$JAVA" -Xmx1g -cp "$CP" kafka.Kafka "$OUT/server.properties" >"$OUT/broker.log" 2>&1 &
BROKER=$!
trap 'kill -TERM $BROKER 2>/dev/null; wait $BROKER 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM HUP
for ((i = 0; i < 600; i++)); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 $BROKER 2>/dev/null || { echo "bench: the broker exited; log:" >&2; tail -n 20 "$OUT/broker.log" >&2; exit 1; }
  sleep 0.1
done
echo "java: $("$JAVA" -version 2>&1 | head -n 1); broker: kafka 4.4.0 (KRaft, one node); logs $OUT"
echo "command: ROUNDS=$ROUNDS N=$N RATE=$RATE DURATION=$DURATION samples/benchmarks/bench-messaging.sh"
"$JAVA" -Xms256m -Xmx1g -cp "$CP" dev.chassis.samples.benchmarks.MessagingBench "127.0.0.1:$PORT" "$ROUNDS" "$N" "$RATE" \
  "$DURATION" 2> "$OUT/bench.log"
