#!/usr/bin/env bash
# The whole suite (the README's test command, CI=true) from fresh clones, with the CPU loaded.
# usage: tools/fresh-clone-runs.sh [COMMIT]   (default: HEAD of this repository)
# Five runs of the README's test command from fresh clones, each with its own Maven repository (run 1 an empty one):
# runs 1+2 side by side, then 3+4, then 5 beside two busy loops. Results in /tmp/fiveruns/summary.txt.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COMMIT=${1:-$(git -C "$ROOT" rev-parse HEAD)}
OUT=/tmp/fiveruns; mkdir -p $OUT
run() { # n repo-mode
  local n=$1 mode=$2
  local dir=/tmp/fiveruns/clone$n repo=/tmp/fiveruns/m2-$n
  rm -rf $dir; git clone -q "$ROOT" $dir && git -C $dir checkout -q $COMMIT
  if [ "$mode" = empty ]; then rm -rf $repo; mkdir -p $repo; else rm -rf $repo; cp -r ~/.m2/repository $repo; fi
  local t0=$(date +%s)
  (cd $dir && CI=true MAVEN_ARGS="-Dmaven.repo.local=$repo" ./mvnw -B install > $OUT/run$n.log 2>&1); local rc=$?
  local t1=$(date +%s)
  local counts=$(grep -E "Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$" $OUT/run$n.log | awk -F'[:,]' '{t+=$2; f+=$4; e+=$6; s+=$8} END {print t" tests, "f" failures, "e" errors, "s" skipped"}')
  echo "run $n ($mode ~/.m2): rc=$rc, $((t1-t0)) s, $counts, load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/summary.txt
}
echo "commit $COMMIT, started $(date -u +%FT%TZ)" >> $OUT/summary.txt
run 1 empty & run 2 warm & wait
run 3 warm & run 4 warm & wait
# run 5 alone, with two busy loops keeping both cores loaded
yes > /dev/null & Y1=$!; yes > /dev/null & Y2=$!
run 5 warm
kill $Y1 $Y2
echo "finished $(date -u +%FT%TZ)" >> $OUT/summary.txt
