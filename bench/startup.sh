#!/usr/bin/env bash
# Start-up of the commands a person types: bench/startup.sh [RUNS]  (default 10 runs per figure)
# Times `redis-ops --version`, `list` (a repository with one dataset and three backups) and `info` when the
# build has it, through the launcher cli/target/redis-ops, as the launcher starts them (the class-data-sharing archive
# cli/target/redis-ops.jsa made by the package phase with cli/target/make-cds-archive, and C1 alone for these short
# commands) and as the launcher before them did (the baseline, same run, same machine: REDIS_OPS_CDS=0 and
# REDIS_OPS_JAVA_OPTS=-XX:+UseSerialGC, both compilers). Prints the median and minimum wall-clock seconds, the median CPU seconds (user+sys) and the
# ratio archive/baseline, and the load average at start and end (figures from a loaded machine are not comparable).
set -euo pipefail
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname "$here")
runs=${1:-10}
cli="$root/cli/target/redis-ops"
if [[ ! -x $cli || ! -f $root/cli/target/redis-ops.jar ]]; then
  echo "startup: build first: ./mvnw -B -DskipTests package" >&2
  exit 2
fi
[[ -f $root/cli/target/redis-ops.jsa ]] || sh "$root/cli/target/make-cds-archive"
command -v python3 >/dev/null || { echo "startup: python3 is missing" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# a repository with one dataset: three manifests as the layout of DESIGN.md names them (list reads manifests only)
for i in 1 2 3; do
  id="2026112${i}T010000Z"
  mkdir -p "$work/repo/bench-1/$id"
  printf 'x' > "$work/repo/bench-1/$id/dump.rdb.zst"
  cat > "$work/repo/bench-1/$id/manifest.json" <<JSON
{"format_version": 1, "id": "$id", "dataset": "bench-1", "snapshot_time": "2026-11-2${i}T01:00:00Z",
 "completed_at": "2026-11-2${i}T01:00:01Z", "tiers": ["hourly"], "method": "bgsave",
 "source": {"host": "127.0.0.1", "port": 1, "role": "master"}, "rdb_version": 10, "object": "dump.rdb.zst",
 "raw_size": 1000, "stored_size": 1, "compression": "zstd", "encryption": "none", "raw_sha256": "00",
 "stored_sha256": "00", "verification": "full", "key_counts_available": true, "keys": {"0": 10}, "total_keys": 10,
 "tool_version": "0.1.0"}
JSON
done
commands=("--version" "--repo $work/repo list --dataset bench-1")
if "$cli" --help 2>/dev/null | grep -qE "^ +info( |$)"; then commands+=("--repo $work/repo info"); fi

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(java -version 2>&1 | head -1)"
printf '| command | launcher (archive, C1): median (min) wall, median CPU | baseline (no archive, C1+C2): median (min) wall, median CPU | ratio (wall, median) |\n'
printf '| --- | --- | --- | --- |\n'
for c in "${commands[@]}"; do
  for mode in 1 0; do
    : > "$work/t.$mode"
    for ((i = 0; i < runs; i++)); do
      # shellcheck disable=SC2086
      if [[ $mode == 1 ]]; then opts=; else opts="-XX:+UseSerialGC"; fi
      REDIS_OPS_CDS=$mode REDIS_OPS_JAVA_OPTS=$opts /usr/bin/time -f '%e %U %S' -a -o "$work/t.$mode" "$cli" $c >/dev/null 2>"$work/err" || { echo "startup: redis-ops $c failed: $(tail -1 "$work/err")" >&2; exit 1; }
    done
  done
  python3 - "$c" "$work/t.1" "$work/t.0" <<'PY'
import statistics, sys
def load(p):
    rows = [l.split() for l in open(p) if l.strip() and l.split()[0][0].isdigit()]
    wall = [float(r[0]) for r in rows]; cpu = [float(r[1]) + float(r[2]) for r in rows]
    return statistics.median(wall), min(wall), statistics.median(cpu)
a, b = load(sys.argv[2]), load(sys.argv[3])
name = sys.argv[1].split(" list")[0] if "--version" in sys.argv[1] else ("list" if " list" in sys.argv[1] else "info")
print(f"| `{name}` | {a[0]:.2f} s ({a[1]:.2f}), CPU {a[2]:.2f} s | {b[0]:.2f} s ({b[1]:.2f}), CPU {b[2]:.2f} s | {a[0] / b[0]:.2f} |")
PY
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
