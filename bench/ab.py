#!/usr/bin/env python3
"""A/B of two redis-ops builds: one command, interleaved runs, medians of wall time, CPU and peak RSS.

  bench/ab.py --install DIR             copies this checkout's build (cli/target: the launcher, the jar,
                                        make-cds-archive) to DIR and makes its class-data-sharing archives there
  bench/ab.py [options] A_DIR B_DIR     runs the command through A_DIR/redis-ops and B_DIR/redis-ops in turn
                                        (A,B then B,A ...), against a redis-server it starts and fills itself

The usual way: `bench/ab.py --install /tmp/ab-old`, change the code, build (`./mvnw -q install -DskipTests
-DskipITs`), `bench/ab.py --install /tmp/ab-new`, then `bench/ab.py /tmp/ab-old /tmp/ab-new`. Each build needs its
own copy: an archive holds the jar's path, and the JVM ignores one made for another path (it would start without).
The command is `backup --method M --json` into a scratch repository (emptied before each run) unless --command
is given, with {redis} and {repo} replaced. Standard library and bench.py only; the redis-server is stopped by its
PID at the end, also on failure or Ctrl-C. Run it on an idle machine: the figures are wall times.
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the helpers: RedisServer, make_dataset, PROCS, log)

ROOT = os.path.dirname(bench.HERE)


def install(target):
    src = os.path.join(ROOT, "cli", "target")
    files = ["redis-ops", "redis-ops.jar", "make-cds-archive"]
    missing = [f for f in files if not os.path.exists(os.path.join(src, f))]
    if missing:
        sys.exit(f"ab: {', '.join(missing)} missing in {src}; build first: ./mvnw -q install -DskipTests -DskipITs")
    os.makedirs(target, exist_ok=True)
    for f in files:
        shutil.copy2(os.path.join(src, f), os.path.join(target, f))
    for f in ("redis-ops.jsa", "redis-ops-data.jsa"):
        if os.path.exists(os.path.join(target, f)):
            os.unlink(os.path.join(target, f))
    subprocess.run([os.path.join(target, "make-cds-archive")], check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    made = [f for f in ("redis-ops.jsa", "redis-ops-data.jsa") if os.path.exists(os.path.join(target, f))]
    print(f"ab: installed the build of {ROOT} in {target} (archives: {', '.join(made) or 'none'})")


def one_run(launcher, command, java_opts, work):
    env = dict(os.environ)
    if java_opts is not None:
        env["REDIS_OPS_JAVA_OPTS"] = java_opts
    tfile = os.path.join(work, "time.txt")
    start = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", tfile, launcher] + command, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    wall = time.monotonic() - start
    if p.returncode != 0:
        tail = " | ".join(p.stderr.decode(errors="replace").strip().splitlines()[-3:])
        raise RuntimeError(f"{launcher} {' '.join(command)} exited {p.returncode}: {tail}")
    with open(tfile) as f:
        user, system, rss_kb = f.read().split()[-3:]
    return wall, float(user) + float(system), int(rss_kb) / 1024


def summary(xs):
    return statistics.median(xs), min(xs), max(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--install", metavar="DIR", help="copy this checkout's build to DIR (with its own archives)")
    ap.add_argument("builds", nargs="*", metavar="DIR", help="A_DIR B_DIR: two installed builds")
    ap.add_argument("--reps", type=int, default=8, help="runs per build (default 8)")
    ap.add_argument("--size-mb", type=int, default=100, help="RDB size to fill (default 100)")
    ap.add_argument("--method", default="bgsave", help="backup method (default bgsave)")
    ap.add_argument("--command", help="the command instead of a backup, e.g. '--repo {repo} list' "
                                      "({redis}: the server's URI, {repo}: the scratch repository)")
    ap.add_argument("--java-opts", help="REDIS_OPS_JAVA_OPTS of both (default: unset, the launcher's own)")
    args = ap.parse_args()
    if args.install:
        install(args.install)
        return 0
    if len(args.builds) != 2:
        ap.error("give two installed builds (bench/ab.py --install DIR makes one)")
    launchers = [os.path.join(os.path.abspath(d), "redis-ops") for d in args.builds]
    for launcher in launchers:
        if not os.access(launcher, os.X_OK):
            ap.error(f"{launcher} is not there; make it with bench/ab.py --install {os.path.dirname(launcher)}")
    work = tempfile.mkdtemp(prefix="redis-ops-ab-")
    status = 0
    try:
        server = bench.RedisServer(work, "redis", extra=["repl-diskless-sync-delay 0"])
        dataset = bench.make_dataset(server, args.size_mb << 20)
        repo = os.path.join(work, "repo")
        uri = f"redis://127.0.0.1:{server.port}"
        if args.command:
            command = [a.replace("{redis}", uri).replace("{repo}", repo) for a in shlex.split(args.command)]
        else:
            command = ["--redis", uri, "--repo", repo, "--dataset", "ab", "--json", "backup", "--method",
                       args.method]
        bench.log(f"RDB {dataset['rdb_bytes'] / 2**20:.0f} MiB, {dataset['keys']} keys; "
                  f"{args.reps} runs per build of: redis-ops {' '.join(command)}")
        results = {0: [], 1: []}
        for rep in range(args.reps):
            for side in ((0, 1) if rep % 2 == 0 else (1, 0)):
                if not args.command:
                    shutil.rmtree(repo, ignore_errors=True)
                r = one_run(launchers[side], command, args.java_opts, work)
                results[side].append(r)
                bench.log(f"rep {rep + 1} {'AB'[side]}: {r[0]:.2f} s")
        print(f"{'build':40s} {'wall median (min-max)':>24s} {'CPU median':>11s} {'peak RSS median':>16s}")
        for side in (0, 1):
            w, c, m = (summary([r[k] for r in results[side]]) for k in range(3))
            print(f"{'AB'[side] + ' ' + args.builds[side]:40s} {w[0]:8.2f} s ({w[1]:.2f}-{w[2]:.2f}) "
                  f"{c[0]:9.2f} s {m[0]:12.0f} MiB")
        wa = statistics.median(r[0] for r in results[0])
        wb = statistics.median(r[0] for r in results[1])
        print(f"B/A wall median: {wb / wa:.3f}")
    except KeyboardInterrupt:
        status = 130
    except Exception as e:
        bench.log(f"failed: {e}")
        status = 1
    finally:
        bench.PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
