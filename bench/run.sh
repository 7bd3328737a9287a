#!/usr/bin/env bash
# One command for the benchmarks: bench/run.sh [--quick] [--size-mb N] [--reps N] [--only a,b] [--keep] [--offline|--online] ...
# Builds what is missing (the redis-ops jar, the S3 helper outside the reactor), then runs bench/bench.py, which
# prints a Markdown table on stdout and writes bench/results/latest.json. Progress goes to stderr.
set -euo pipefail
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

for tool in redis-server redis-cli redis-benchmark zstd java python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install redis-server redis-tools zstd time)" >&2; exit 2; }
done

# Maven: offline when ~/.m2 already holds everything (a second run, a developer's machine), else online (a fresh
# machine has an empty ~/.m2: offline it fails with "Cannot access central ... in offline mode"). --offline or
# BENCH_MVN_OFFLINE=1 forces offline, --online or BENCH_MVN_OFFLINE=0 forces online.
mvn_mode=${BENCH_MVN_OFFLINE:-auto}
args=()
for a in "$@"; do
  case $a in
    --offline) mvn_mode=1 ;;
    --online) mvn_mode=0 ;;
    *) args+=("$a") ;;
  esac
done
mvn_quiet="--no-transfer-progress -Dstyle.color=never"

mvn() {
  case $mvn_mode in
    1) ./mvnw -B -q $mvn_quiet -o "$@" >&2 ;;
    0) ./mvnw -B -q $mvn_quiet "$@" >&2 ;;
    *)
      local log
      log=$(mktemp)
      if ./mvnw -B -q $mvn_quiet -o "$@" >"$log" 2>&1; then
        cat "$log" >&2
      elif grep -q "in offline mode" "$log"; then
        echo "bench: the local Maven repository lacks artifacts; building online" >&2
        ./mvnw -B -q $mvn_quiet "$@" >&2 || { rm -f "$log"; return 1; }
      else
        cat "$log" >&2
        rm -f "$log"
        return 1
      fi
      rm -f "$log"
      ;;
  esac
}

if [[ ! -x cli/target/redis-ops || ! -f cli/target/redis-ops.jar || ${BENCH_REBUILD:-0} == 1 ]]; then
  echo "bench: building redis-ops (./mvnw -DskipTests package)" >&2
  mvn -DskipTests package
fi

helper=bench/java/target
if [[ ! -f $helper/classpath.txt || -n $(find bench/java/src bench/java/pom.xml -newer $helper/classpath.txt 2>/dev/null) ]]; then
  echo "bench: building the S3 helper (bench/java, not part of ./mvnw verify)" >&2
  mvn -f bench/java/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
fi

exec python3 "$here/bench.py" ${args[@]+"${args[@]}"}
