#!/usr/bin/env bash
# One command for the benchmarks: bench/run.sh [--quick] [--size-mb N] [--reps N] [--only a,b] [--keep] ...
# Builds what is missing (the redis-ops jar, the S3 helper outside the reactor), then runs bench/bench.py, which
# prints a Markdown table on stdout and writes bench/results/latest.json. Progress goes to stderr.
set -euo pipefail
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

for tool in redis-server redis-cli redis-benchmark zstd java python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install redis-server redis-tools zstd time)" >&2; exit 2; }
done

# Online by default: a fresh machine has an empty ~/.m2. BENCH_MVN_OFFLINE=1 builds from ~/.m2 only.
mvn_offline=
[[ ${BENCH_MVN_OFFLINE:-0} == 1 ]] && mvn_offline=-o
mvn_quiet="--no-transfer-progress -Dstyle.color=never"

if [[ ! -x cli/target/redis-ops || ! -f cli/target/redis-ops.jar || ${BENCH_REBUILD:-0} == 1 ]]; then
  echo "bench: building redis-ops (./mvnw -DskipTests package)" >&2
  ./mvnw -B -q $mvn_quiet $mvn_offline -DskipTests package >&2
fi

helper=bench/java/target
if [[ ! -f $helper/classpath.txt || -n $(find bench/java/src bench/java/pom.xml -newer $helper/classpath.txt 2>/dev/null) ]]; then
  echo "bench: building the S3 helper (bench/java, not part of ./mvnw verify)" >&2
  ./mvnw -B -q $mvn_quiet $mvn_offline -f bench/java/pom.xml package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt >&2
fi

exec python3 "$here/bench.py" "$@"
