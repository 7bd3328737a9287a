#!/usr/bin/env python3
"""The zstd level of new backups (repository.compression-level), measured: bench/levels.py [--size-mb N] [--reps N] [--levels 1,2,3].

Fills one redis-server as bench/run.sh does (bench/bench.py's data mix), then runs `redis-ops backup` with
--method bgsave and --method replication at each level, the levels interleaved (each takes each place in turn), and
prints per level and method the medians of wall time, the backup's own duration, CPU (user + system of the whole
process, from /usr/bin/time) and the stored size with its ratio to the RDB. Every sample goes to
bench/results/levels-latest.json. Build the CLI first (bench/run.sh does; or ./mvnw -q package -DskipTests).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def timed_cpu(cmd, env, tmp):
    tfile = os.path.join(tmp, "time.txt")
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", tfile] + cmd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - start
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])} ... exited {p.returncode}: {p.stderr.decode()[-400:]}")
    with open(tfile) as f:
        t = f.read()
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", t).group(1)) for k in ("User", "System"))
    return wall, cpu, json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--levels", default="1,2,3")
    ap.add_argument("--methods", default="bgsave,replication")
    ap.add_argument("--out", default=os.path.join(bench.HERE, "results", "levels-latest.json"))
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    methods = args.methods.split(",")
    work = tempfile.mkdtemp(prefix="redis-ops-levels-")
    samples = {m: {lv: [] for lv in levels} for m in methods}
    result = {"machine": bench.machine_info(), "params": vars(args)}
    try:
        server = bench.RedisServer(work, "redis", extra=("repl-diskless-sync-delay 0",))
        bench.log(f"redis-server on port {server.port}; filling about {args.size_mb} MB of RDB")
        result["dataset"] = bench.make_dataset(server, args.size_mb << 20)
        bench.log(f"dataset: {result['dataset']}")
        for rep in range(args.reps):
            order = levels[rep % len(levels):] + levels[:rep % len(levels)]
            for method in methods:
                for lv in order:
                    repo = os.path.join(work, f"repo-{lv}")
                    shutil.rmtree(repo, ignore_errors=True)
                    conf = os.path.join(work, f"level-{lv}.yaml")
                    with open(conf, "w") as f:
                        f.write(f"repository:\n  path: {repo}\n  compression: zstd\n  compression-level: {lv}\n")
                    wall, cpu, j = timed_cpu([bench.CLI, "-c", conf, "--redis", f"redis://127.0.0.1:{server.port}",
                                              "--dataset", bench.DATASET, "--json", "backup", "--method", method],
                                             bench.tool_env(), work)
                    m = j["backup"]
                    samples[method][lv].append({"seconds": wall, "cpu_seconds": cpu, "tool_ms": m["duration_ms"],
                                                "raw": m["raw_size"], "stored": m["stored_size"]})
                    bench.log(f"rep {rep + 1} {method} level {lv}: {wall:.2f}s wall, {cpu:.2f}s CPU, "
                              f"stored {m['stored_size'] / 2**20:.1f} MiB")
    finally:
        bench.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    result["machine"]["load_average_end"] = list(os.getloadavg())
    result["samples"] = samples
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, default=str)
    med = bench.med
    m0 = result["machine"]
    print(f"Machine: {m0['nproc']} cores, load average at start "
          f"{' / '.join(f'{x:.2f}' for x in m0['load_average_start'])}, at end "
          f"{' / '.join(f'{x:.2f}' for x in m0['load_average_end'])}; redis-ops {m0['redis_ops_commit']}.")
    d = result["dataset"]
    print(f"Dataset: RDB {d['rdb_bytes'] / 2**20:.0f} MiB, {d['keys']:,} keys; {args.reps} repetitions, levels "
          f"interleaved; medians.\n")
    print("| method | level | wall | backup duration | CPU | stored | stored / RDB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for method in methods:
        for lv in levels:
            s = samples[method][lv]
            print(f"| {method} | {lv} | {med([x['seconds'] for x in s]):.2f} s | "
                  f"{med([x['tool_ms'] for x in s]) / 1000:.2f} s | {med([x['cpu_seconds'] for x in s]):.2f} s | "
                  f"{med([x['stored'] for x in s]) / 2**20:.1f} MiB | "
                  f"{med([x['stored'] / x['raw'] for x in s]):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
