#!/usr/bin/env python3
"""The point-in-time recovery figures (issue 16 item 6): run through bench/pitr.sh, which documents them.

Standard library only; reuses bench.py's helpers (servers, processes stopped by PID, the machine description).
Every process started here is stopped by its PID at the end, also on failure, Ctrl-C or SIGTERM.
"""

import argparse
import csv
import datetime
import glob
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench as B  # noqa: E402  (bench.py runs nothing on import)

DATASET = "pitr"
DAEMON_JAVA_OPTS = "-XX:+UseSerialGC -Xms16m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30"  # the unit's
log = B.log


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------------------------
# the daemon with the archive on


def s3_env(java_opts=B.DEFAULT_JAVA_OPTS):
    """The tools' environment, with the S3 helper's credentials for `offsite.credentials: env`."""
    return B.tool_env(java_opts, {"REDIS_OPS_S3_ACCESS_KEY_ID": B.S3_ACCESS,
                                  "REDIS_OPS_S3_SECRET_ACCESS_KEY": B.S3_SECRET})


class Daemon:
    """`redis-ops -c FILE daemon` with archive.enabled: true for one dataset, a local repository, http on a free port."""

    def __init__(self, work, name, redis_port, repo, offsite=""):
        self.name = name
        self.repo = repo
        self.conf = os.path.join(work, f"{name}.yaml")
        with open(self.conf, "w") as f:
            f.write(f"datasets:\n  - name: {DATASET}\n    redis:\n      uri: redis://127.0.0.1:{redis_port}\n"
                    f"repository:\n  path: {repo}\n"
                    f"archive:\n  enabled: true\n"
                    f"http:\n  listen: 127.0.0.1:{B.free_port()}\n{offsite}")
        self.log_path = os.path.join(work, f"{name}.log")
        self.logf = open(self.log_path, "ab")
        # the launcher execs java: this PID is the JVM's
        self.proc = subprocess.Popen([B.CLI, "-c", self.conf, "daemon"], env=s3_env(DAEMON_JAVA_OPTS),
                                     stdout=self.logf, stderr=self.logf, stdin=subprocess.DEVNULL)
        B.PROCS.add(name, lambda: self.proc.pid, self.stop)

    @property
    def pid(self):
        return self.proc.pid

    def segments(self):
        return [p for p in glob.glob(os.path.join(self.repo, "_archive", DATASET, "*", "*.json"))
                if not p.endswith("timeline.json")]

    def wait_archiving(self, seconds=300):
        """Until the archiver has sealed a segment after its base: it is attached and streaming."""
        deadline = time.monotonic() + seconds
        while not self.segments():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the daemon exited {self.proc.returncode} (see {self.log_path})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the archiver sealed no segment within {seconds} s (see {self.log_path})")
            time.sleep(0.2)

    def stop(self):
        B.kill_pid(self.proc.pid, 60)
        self.proc.wait(10)
        self.logf.close()
        B.PROCS.remove(self.name)

    def kill9(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.logf.close()
        B.PROCS.remove(self.name)


def archiver_lag(port):
    """The master's offset minus the archiver's acknowledged one (it announces port -1), or None."""
    info = B.redis_info(port, "replication")
    master = int(info["master_repl_offset"])
    for k, v in info.items():
        if k.startswith("slave") and "port=-1" in v:
            m = re.search(r"offset=(\d+)", v)
            if m:
                return master - int(m.group(1))
    return None


# ---------------------------------------------------------------------------------------------------------------
# writers


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def rate_writer(port, rate, seconds, keys=100_000):
    """SETs at `rate` per second in 10 ms pipelined batches on one connection; returns acknowledged writes/s."""
    per_tick = max(1, rate // 100)
    value = b"v" * 32
    batches = []
    for b in range(max(1, keys // per_tick)):
        batches.append(b"".join(resp(b"SET", b"r:%d" % ((b * per_tick + i) % keys), value) for i in range(per_tick)))
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    acked = [0]
    sent = [0]
    done = threading.Event()

    def reader():
        pending = b""
        while not done.is_set() or acked[0] < sent[0]:
            try:
                data = sock.recv(1 << 16)
            except socket.timeout:
                break
            if not data:
                break
            pending += data
            n = pending.count(b"\r\n")
            acked[0] += n
            pending = pending[pending.rfind(b"\r\n") + 2:] if n else pending

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    start = time.monotonic()
    tick = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = start + tick * 0.01
        if due > now:
            time.sleep(due - now)
        sock.sendall(batches[tick % len(batches)])
        sent[0] += per_tick
        tick += 1
    done.set()
    t.join(60)
    elapsed = time.monotonic() - start
    sock.close()
    return acked[0] / elapsed, elapsed


class AckWriter(threading.Thread):
    """SET w:<n> <epoch-ms> on one connection, pipelined 20 at a time, every acknowledgement's time recorded."""

    def __init__(self, port, batch=20):
        super().__init__(daemon=True)
        self.port = port
        self.batch = batch
        self.acks = []  # acks[n] = epoch seconds (float) at which SET w:n was acknowledged
        self.error = None
        self.stop_flag = threading.Event()

    def run(self):
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            f = sock.makefile("rb")
            n = 0
            while not self.stop_flag.is_set():
                ms = int(time.time() * 1000)
                sock.sendall(b"".join(resp(b"SET", b"w:%d" % (n + i), str(ms)) for i in range(self.batch)))
                for _ in range(self.batch):
                    line = f.readline()
                    if not line:
                        raise ConnectionError("connection closed")
                    if line != b"+OK\r\n":
                        raise RuntimeError(f"unexpected reply {line!r}")
                    self.acks.append(time.time())
                    n += 1
                time.sleep(0.001)
        except (OSError, ConnectionError) as e:
            self.error = e  # the master was killed: expected


# ---------------------------------------------------------------------------------------------------------------
# figures


class Pitr:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.result = {}

    # 1 -----------------------------------------------------------------------------------------------------------
    def fig_impact(self):
        server = B.RedisServer(self.work, "master-impact")
        samples = {"A": [], "B": []}  # A without, B with the archiver
        try:
            for rep in range(self.args.reps):
                for side in B.order(rep):
                    daemon = None
                    repo = os.path.join(self.work, f"repo-impact-{rep}")
                    if side == "B":
                        daemon = Daemon(self.work, "daemon-impact", server.port, repo)
                        daemon.wait_archiving()
                    try:
                        out = B.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-t", "set,incr",
                                     "-n", str(self.args.n), "-c", "50", "--csv"], timeout=1800).stdout.decode()
                        lag = archiver_lag(server.port) if daemon else None
                    finally:
                        if daemon:
                            daemon.stop()
                            shutil.rmtree(repo, ignore_errors=True)
                    rows = {r["test"]: r for r in csv.DictReader(io.StringIO(out))}
                    sample = {t: {"rps": float(r["rps"]), "p99_ms": float(r["p99_latency_ms"])} for t, r in rows.items()}
                    if daemon:
                        sample["archiver_lag_bytes_after"] = lag
                        if lag is None:
                            raise RuntimeError("the archiver was not attached after the run")
                    samples[side].append(sample)
                    log(f"impact rep {rep} {'with' if side == 'B' else 'without'}: "
                        + ", ".join(f"{t} {s['rps']:.0f}/s p99 {s['p99_ms']} ms" for t, s in sample.items()
                                    if isinstance(s, dict)))
        finally:
            server.stop()
        fig = {"samples_without": samples["A"], "samples_with": samples["B"], "tests": {}}
        for t in ("SET", "INCR"):
            w = {k: B.med([s[t][k] for s in samples["A"]]) for k in ("rps", "p99_ms")}
            a = {k: B.med([s[t][k] for s in samples["B"]]) for k in ("rps", "p99_ms")}
            fig["tests"][t] = {"without": w, "with": a, "rps_ratio": a["rps"] / w["rps"],
                               "p99_ratio": a["p99_ms"] / w["p99_ms"] if w["p99_ms"] else None}
        self.result["impact"] = fig

    # 2 -----------------------------------------------------------------------------------------------------------
    def fig_footprint(self):
        server = B.RedisServer(self.work, "master-footprint")
        repo = os.path.join(self.work, "repo-footprint")
        daemon = Daemon(self.work, "daemon-footprint", server.port, repo)
        tck = os.sysconf("SC_CLK_TCK")

        def cpu_ticks():
            with open(f"/proc/{daemon.pid}/stat") as f:
                fields = f.read().rsplit(") ", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime

        def mem_kb(field):
            with open(f"/proc/{daemon.pid}/status") as f:
                return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))

        windows = []
        try:
            daemon.wait_archiving()
            time.sleep(3)  # past the catch-up backup and the base
            idle_c0, idle_t0 = cpu_ticks(), time.monotonic()
            time.sleep(5)
            idle = {"cpu_percent": 100 * (cpu_ticks() - idle_c0) / tck / (time.monotonic() - idle_t0),
                    "rss_mib": mem_kb("VmRSS") / 1024}
            for rate in self.args.rates:
                box = {}
                rss, lags = [], []
                c0, t0 = cpu_ticks(), time.monotonic()
                writer = threading.Thread(target=lambda: box.update(
                    zip(("rate", "seconds"), rate_writer(server.port, rate, self.args.rate_seconds))), daemon=True)
                writer.start()
                while writer.is_alive():
                    rss.append(mem_kb("VmRSS"))
                    lag = archiver_lag(server.port)
                    if lag is not None:
                        lags.append(lag)
                    writer.join(1)
                c1, t1 = cpu_ticks(), time.monotonic()
                if daemon.proc.poll() is not None:
                    raise RuntimeError(f"the daemon exited during the {rate}/s window (see {daemon.log_path})")
                w = {"target_rate": rate, "achieved_rate": box.get("rate"), "seconds": t1 - t0,
                     "cpu_percent": 100 * (c1 - c0) / tck / (t1 - t0), "rss_mib_max": max(rss) / 1024,
                     "rss_mib_end": rss[-1] / 1024, "hwm_mib": mem_kb("VmHWM") / 1024,
                     "lag_bytes_max": max(lags) if lags else None, "lag_bytes_end": archiver_lag(server.port)}
                windows.append(w)
                log(f"footprint {rate}/s: achieved {w['achieved_rate']:.0f}/s, daemon CPU {w['cpu_percent']:.1f} % "
                    f"of a core, RSS max {w['rss_mib_max']:.0f} MiB, HWM {w['hwm_mib']:.0f} MiB")
                time.sleep(2)
        finally:
            daemon.stop()
            server.stop()
        self.result["footprint"] = {"java_opts": DAEMON_JAVA_OPTS, "idle": idle, "windows": windows}

    # 3 -----------------------------------------------------------------------------------------------------------
    def fig_rpo(self):
        server = B.RedisServer(self.work, "master-rpo")
        repo = os.path.join(self.work, "repo-rpo")
        source = self.args.rpo_from
        offsite = ""
        if source == "offsite":
            s3 = B.S3Server(self.work)
            offsite = (f"offsite:\n  uri: s3://{B.S3_BUCKET}/pitr\n  endpoint: {s3.endpoint}\n  region: us-east-1\n"
                       f"  path-style: true\n  credentials: env\n")
        daemon = Daemon(self.work, "daemon-rpo", server.port, repo, offsite)
        writer = None
        try:
            daemon.wait_archiving()
            if source == "offsite":
                # the base the archive continues must be off-site too: the daemon pushes a new base at once; this
                # push (idempotent) is kept so that the figure stays comparable with earlier runs
                B.run([B.CLI, "-c", daemon.conf, "push"], env=s3_env(), timeout=600)
            writer = AckWriter(server.port)
            writer.start()
            time.sleep(self.args.rpo_seconds)
            # the host is lost: the archiver and the master die at once, the master's disk is gone
            os.kill(daemon.pid, signal.SIGKILL)
            os.kill(server.proc.pid, signal.SIGKILL)
            lost_at = time.time()
            daemon.kill9()  # reaps it
            server.proc.wait(10)
            B.PROCS.remove(server.name)
            writer.join(30)
            shutil.rmtree(server.dir)
            if source == "offsite":
                shutil.rmtree(repo)  # the host's disk is gone: the restore runs on a new host, with an empty repository
                os.makedirs(repo)
        finally:
            if writer:
                writer.stop_flag.set()
        acks = writer.acks
        if not acks:
            raise RuntimeError(f"the writer got no acknowledgement ({writer.error})")
        log(f"rpo: {len(acks)} writes acknowledged, the last {lost_at - acks[-1]:.3f} s before the kill; writer "
            f"stopped by: {writer.error}")

        # a fresh, empty server on another port, restored to the newest instant the archive covers
        target = B.DaemonizedRedis(self.work, "restored")
        target.start()
        conf = os.path.join(self.work, "restore.yaml")
        with open(conf, "w") as f:
            f.write(f"datasets:\n  - name: {DATASET}\n    redis:\n      uri: redis://127.0.0.1:{target.port}\n"
                    f"      config-file: {target.conf}\n"
                    f"repository:\n  path: {repo}\narchive:\n  enabled: true\n{offsite}")
        if source == "offsite":
            # what the off-site archive holds: the newest record's sealed_at (the local archive is gone)
            records = [p for p in glob.glob(os.path.join(s3.blobs, B.S3_BUCKET, "**", "_archive", DATASET, "*", "*.json"),
                                            recursive=True) if not p.endswith("timeline.json")]
            if not records:
                raise RuntimeError("no archive segment was pushed off-site (does this build push segments?)")
            sealed = [json.load(open(p))["sealed_at"] for p in records]
            covered_iso = max(sealed, key=lambda x: datetime.datetime.fromisoformat(x.replace("Z", "+00:00")))
        else:
            status = json.loads(B.run([B.CLI, "-c", conf, "archive", "status", "--no-master", "--json"],
                                      env=B.tool_env()).stdout)
            covered_iso = status["datasets"][0]["ranges"][-1]["to"]
        covered_to = datetime.datetime.fromisoformat(covered_iso.replace("Z", "+00:00"))
        # "now" first: what an operator would type (dry run: does the archive cover it?)
        now_iso = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        dry = B.run([B.CLI, "-c", conf, "restore", "--at", now_iso, "--from", source, "--dry-run", "--json"],
                    env=s3_env(), check=False)
        now_fallback = None
        try:
            now_fallback = json.loads(dry.stdout).get("archive_fallback")
        except ValueError:
            now_fallback = f"dry run exited {dry.returncode}: {dry.stderr.decode(errors='replace').strip()[-300:]}"
        # a time to the second covers its whole second: the newest whole second the archive has sealed is the one
        # before the second of its last seal
        at = (covered_to.replace(microsecond=0) - datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        t0 = time.monotonic()
        p = B.run([B.CLI, "-c", conf, "restore", "--at", at, "--from", source, "--yes", "--json"], env=s3_env(),
                  check=False, timeout=1800)
        restore_seconds = time.monotonic() - t0
        if p.returncode != 0:
            raise RuntimeError(f"restore --at {at} exited {p.returncode}: "
                               f"{p.stderr.decode(errors='replace').strip()[-500:]}")
        report = json.loads(p.stdout)
        pit = report.get("point_in_time")
        if not pit:
            raise RuntimeError(f"restore --at {at} did not use the archive: {report.get('archive_fallback')}")

        # which acknowledged writes are there
        r = B.Redis(target.port)
        try:
            present = set()
            cursor = "0"
            while True:
                cursor, keys = r.call("SCAN", cursor, "MATCH", "w:*", "COUNT", 10000)
                present.update(int(k[2:]) for k in keys)
                if cursor == "0":
                    break
        finally:
            r.close()
        target.stop()
        B.PROCS.remove(target.name)
        acked = len(acks)
        newest = max(present) if present else -1
        missing = [n for n in range(acked) if n not in present]
        holes = [n for n in missing if n < newest]
        fig = {
            "from": source, "written_seconds": self.args.rpo_seconds, "acknowledged": acked,
            "last_ack_before_kill_s": lost_at - acks[-1], "archive_covered_to": covered_iso,
            "restore_at": at, "restore_now_dry_run_fallback": now_fallback, "restore_seconds": restore_seconds,
            "restored_writes": len(present), "newest_present": newest, "missing": len(missing),
            "missing_below_newest": len(holes),
            "missing_span_s": (acks[-1] - acks[newest]) if newest >= 0 else None,
            "lost_at_minus_newest_present_s": (lost_at - acks[newest]) if newest >= 0 else None,
            "acked_after_covered_to": sum(1 for t in acks if t > covered_to.timestamp()),
            "point_in_time": {k: pit.get(k) for k in ("commands", "segments", "last_command_time", "archive")},
        }
        log(f"rpo: {fig['missing']} acknowledged writes missing, {fig['missing_span_s']:.3f} s of writing "
            f"(restore --at {at} --from {source}, archive sealed to {covered_iso})")
        self.result["rpo"] = fig


# ---------------------------------------------------------------------------------------------------------------
# output


def markdown(result):
    m = result["machine"]
    la0 = " / ".join(f"{x:.2f}" for x in m["load_average_start"])
    la1 = " / ".join(f"{x:.2f}" for x in m.get("load_average_end", []))
    out = [f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, load average at start {la0}, at end "
           f"{la1}; {m['redis']}; redis-ops {m['redis_ops_commit']}; {m['started_at']}."]
    if result.get("error"):
        out.append(f"\n**The run failed**: {result['error']} (the figures below are those measured before).")
    imp = result.get("impact")
    if imp:
        out += ["", "| figure | without the archiver | with the archiver | ratio |", "| --- | --- | --- | --- |"]
        n = len(imp["samples_with"])
        for t, f in imp["tests"].items():
            out.append(f"| 1. master {t} throughput (`redis-benchmark -c 50 -n {result['args']['n']}`, median of {n}) "
                       f"| {f['without']['rps']:,.0f}/s | {f['with']['rps']:,.0f}/s | {f['rps_ratio']:.2f} |")
            out.append(f"| 1. master {t} p99 latency | {f['without']['p99_ms']:.3f} ms | {f['with']['p99_ms']:.3f} ms "
                       f"| {f['p99_ratio']:.2f} |")
    fp = result.get("footprint")
    if fp:
        out += ["", "| figure | writes/s asked | writes/s achieved | archiver CPU (% of one core) | archiver RSS max / VmHWM |",
                "| --- | --- | --- | --- | --- |"]
        out.append(f"| 2. daemon idle with the archive on, 5 s | 0 | 0 | {fp['idle']['cpu_percent']:.1f} % "
                   f"| {fp['idle']['rss_mib']:.0f} MiB |")
        for w in fp["windows"]:
            out.append(f"| 2. archiver under a writer, {w['seconds']:.0f} s | {w['target_rate']:,} "
                       f"| {w['achieved_rate']:,.0f} | {w['cpu_percent']:.1f} % | {w['rss_mib_max']:.0f} MiB / "
                       f"{w['hwm_mib']:.0f} MiB |")
        out.append(f"\nDaemon JVM options: `{fp['java_opts']}`.")
    rpo = result.get("rpo")
    if rpo:
        out += ["", "| figure | value |", "| --- | --- |",
                f"| 3. RPO after losing the host ({rpo['from']} archive): acknowledged writes missing | "
                f"{rpo['missing']:,} of {rpo['acknowledged']:,} ({rpo['missing_below_newest']} below the newest present) |",
                f"| 3. the span of writing they represent (last acknowledged minus newest present) | "
                f"{rpo['missing_span_s']:.2f} s |",
                f"| 3. of which acknowledged after the archive's last seal (lost by the archive itself) | "
                f"{rpo['acked_after_covered_to']:,} |",
                f"| 3. restore `--at {rpo['restore_at']}` (archive sealed to {rpo['archive_covered_to']}), "
                f"whole command | {rpo['restore_seconds']:.1f} s |",
                f"| 3. `restore --at <now>` after the loss (dry run) | "
                f"{'falls back: ' + str(rpo['restore_now_dry_run_fallback']) if rpo['restore_now_dry_run_fallback'] else 'uses the archive'} |"]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description="the point-in-time recovery figures; see bench/pitr.sh")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("-n", type=int, default=200_000, help="redis-benchmark requests per test")
    ap.add_argument("--rates", default="10000,50000")
    ap.add_argument("--rate-seconds", type=float, default=20)
    ap.add_argument("--rpo-seconds", type=float, default=15)
    ap.add_argument("--only", default="impact,footprint,rpo")
    ap.add_argument("--rpo-from", choices=("local", "offsite"), default="local",
                    help="offsite: the daemon pushes segments to S3Proxy (bench/java), the local repository is deleted "
                         "with the host, restore --from offsite")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--work-dir", default=None)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "pitr-latest.json"))
    args = ap.parse_args()
    args.rates = [int(x) for x in args.rates.split(",") if x]

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    machine = B.machine_info()
    work = tempfile.mkdtemp(prefix="redis-ops-pitr-", dir=args.work_dir)
    log(f"work folder {work}; load average {os.getloadavg()}")
    result = {"machine": machine, "args": vars(args)}
    status = 0
    try:
        p = Pitr(args, work)
        for name in args.only.split(","):
            log(f"figure {name}")
            getattr(p, f"fig_{name}")()
        result.update(p.result)
    except BaseException as e:  # noqa: BLE001  report, stop everything, exit non-zero
        log(f"failed: {type(e).__name__}: {e}")
        result.update(p.result if "p" in locals() else {})
        result["error"] = f"{type(e).__name__}: {e}"
        status = 1
    finally:
        B.PROCS.stop_all()
        machine["load_average_end"] = list(os.getloadavg())
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, default=str)
    print(markdown(result))
    return status


if __name__ == "__main__":
    sys.exit(main())
