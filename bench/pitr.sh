#!/usr/bin/env bash
# The point-in-time recovery figures (issue 16 item 6), in one run:
#
#   bench/pitr.sh [--reps N] [-n N] [--rates 10000,50000] [--rate-seconds 20] [--rpo-seconds 15]
#                 [--only impact,footprint,rpo] [--rpo-from local|offsite] [--keep] [--offline|--online]
#
#   1. impact:    the master's throughput and p99 latency (`redis-benchmark -t set,incr -n N -c 50 --csv`) without and
#                 with the archiver attached (the daemon with `archive.enabled: true`), --reps interleaved repetitions
#                 each (A,B then B,A ...), medians, ratio with/without.
#   2. footprint: the archiver's CPU (utime+stime of the daemon's JVM per second of wall) and memory (VmRSS sampled
#                 every second, VmHWM) while a rate-limited pipelined writer (python3, raw socket) runs at each of
#                 --rates writes/s for --rate-seconds; the rate actually acknowledged is reported beside the target.
#   3. rpo:       a writer records the acknowledgement time of every write (`SET w:<n> <epoch-ms>`, one connection,
#                 in order) while the daemon archives; after --rpo-seconds the daemon and the master are killed with
#                 SIGKILL (the host is lost: nothing gets to flush) and the master's data directory is deleted; then
#                 `restore --at` from the archive onto a fresh empty redis-server (--at the newest whole second the
#                 archive covers: the second before that of its last seal, as `restore --at` wants a segment sealed
#                 after the end of the second asked; a dry run of `restore --at <now>` is reported too), and the
#                 acknowledged writes missing
#                 there are counted, with the span of writing they represent (last acknowledged write's time minus
#                 the newest write present). --rpo-from local (default) restores from the local archive (the
#                 repository survives: a figure of the archive alone); --rpo-from offsite has the daemon push
#                 segments to an S3Proxy on loopback (bench/java, built here when missing), deletes the local
#                 repository with the host and restores `--from offsite` into an empty one; the base backup is
#                 pushed with `redis-ops push` once the archiver streams (no longer needed: the daemon pushes a new
#                 base as soon as it is stored; kept, it is idempotent, so that figures stay comparable).
#
# Builds the CLI when cli/target/redis-ops is missing (as bench/run.sh does), then runs bench/pitr.py, which prints a
# Markdown table on stdout (with a machine line: cores, load average at start and end: the machine is shared) and
# writes bench/results/pitr-latest.json. Progress goes to stderr. Every server and daemon runs on free loopback
# ports in a temporary folder (removed at the end unless --keep) and is stopped by its PID at the end, also on
# failure or Ctrl-C. Needs redis-server, redis-tools (redis-benchmark 7+ for p99 in --csv), python3, java.
set -euo pipefail
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

for tool in redis-server redis-cli redis-benchmark java python3; do
  command -v "$tool" >/dev/null || { echo "pitr: $tool is missing (apt-get install redis-server redis-tools)" >&2; exit 2; }
done

mvn_mode=${BENCH_MVN_OFFLINE:-auto}
args=()
for a in "$@"; do
  case $a in
    --offline) mvn_mode=1 ;;
    --online) mvn_mode=0 ;;
    *) args+=("$a") ;;
  esac
done

build() {
  local q="-B -q --no-transfer-progress -Dstyle.color=never"
  case $mvn_mode in
    1) ./mvnw $q -o "$@" >&2 ;;
    0) ./mvnw $q "$@" >&2 ;;
    *) ./mvnw $q -o "$@" >&2 || { echo "pitr: offline build failed; trying online" >&2; ./mvnw $q "$@" >&2; } ;;
  esac
}

if [[ -z ${BENCH_CLI:-} && ( ! -x cli/target/redis-ops || ! -f cli/target/redis-ops.jar || ${BENCH_REBUILD:-0} == 1 ) ]]; then
  echo "pitr: building redis-ops (./mvnw -DskipTests package -pl cli -am)" >&2
  build -DskipTests package -pl cli -am
fi

# the S3 helper (bench/java, outside the reactor) only for --rpo-from offsite
if [[ " ${args[*]-} " == *" --rpo-from offsite "* || " ${args[*]-} " == *" --rpo-from=offsite "* ]]; then
  helper=bench/java/target
  if [[ ! -f $helper/classpath.txt || -n $(find bench/java/src bench/java/pom.xml -newer $helper/classpath.txt 2>/dev/null) ]]; then
    echo "pitr: building the S3 helper (bench/java)" >&2
    build -f bench/java/pom.xml package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
  fi
fi

exec python3 "$here/pitr.py" ${args[@]+"${args[@]}"}
