#!/usr/bin/env python3
"""redis-ops benchmarks: each figure next to the baseline users know, measured in the same run.

Run through bench/run.sh (it builds what is missing). Standard library only. Every process started here
(redis-server, the S3 server, the daemon) is stopped by its PID at the end, also on failure or Ctrl-C.
Repetitions are interleaved (A,B then B,A ...) so that drift on a shared machine hits both sides alike.
"""

import argparse
import datetime
import glob
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# BENCH_CLI: another build's launcher (with its jar beside it), to compare two builds on the same machine
CLI = os.environ.get("BENCH_CLI") or os.path.join(ROOT, "cli", "target", "redis-ops")
# BENCH_CLI_OLD: a previous build's launcher; the restore figure then also runs it, interleaved with the others
CLI_OLD = os.environ.get("BENCH_CLI_OLD")
BASELINE_BACKUP = os.path.join(HERE, "baseline-backup.sh")
HELPER_CP_FILE = os.path.join(HERE, "java", "target", "classpath.txt")
HELPER_CLASSES = os.path.join(HERE, "java", "target", "classes")
DATASET = "bench"
S3_BUCKET = "bench"
S3_ACCESS = "benchaccesskey"
S3_SECRET = "bench-secret-key-not-a-real-one"
DEFAULT_JAVA_OPTS = "-XX:+UseSerialGC"  # the launcher's default (cli/src/main/dist/redis-ops)
SMALL_HEAP_OPTS = "-XX:+UseSerialGC -Xmx128m"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------------------
# processes


class Processes:
    """Every process this run started, stopped by PID in reverse order at the end."""

    def __init__(self):
        self.entries = []  # (name, pid getter, stop function)

    def add(self, name, pid_fn, stop_fn):
        self.entries.append((name, pid_fn, stop_fn))

    def remove(self, name):
        self.entries = [e for e in self.entries if e[0] != name]

    def stop_all(self):
        for name, pid_fn, stop_fn in reversed(self.entries):
            try:
                stop_fn()
            except Exception as e:  # keep stopping the others
                log(f"stopping {name}: {e}")
                pid = pid_fn()
                if pid:
                    kill_pid(pid)
        self.entries = []


PROCS = Processes()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child of ours counts as gone
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.05)
    return not pid_alive(pid)


def kill_pid(pid, grace=10):
    """SIGTERM, then SIGKILL after the grace: only the given PID, never by name."""
    if not pid or not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not wait_gone(pid, grace):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait_gone(pid, 5)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env=None, check=True, capture=True, timeout=3600, stdin=None):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE if capture else None,
                       stderr=subprocess.PIPE if capture else None, timeout=timeout, stdin=stdin)
    if check and p.returncode != 0:
        err = (p.stderr or b"").decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(map(str, cmd[:4]))} ... exited {p.returncode}: {' | '.join(err)}")
    return p


class Timed:
    """One timed process run under /usr/bin/time -v (for the peak RSS); wall time measured here."""

    def __init__(self, wall, rss_kb, rc, stdout, stderr):
        self.wall, self.rss_kb, self.rc, self.stdout, self.stderr = wall, rss_kb, rc, stdout, stderr

    def json(self):
        return json.loads(self.stdout)


def timed(cmd, env=None, check=True, timeout=3600, tmp=None):
    tfile = tempfile.mktemp(prefix="time-", dir=tmp)
    full = ["/usr/bin/time", "-v", "-o", tfile] + list(cmd)
    start = time.monotonic()
    p = subprocess.run(full, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    wall = time.monotonic() - start
    rss = None
    try:
        with open(tfile) as f:
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read())
            rss = int(m.group(1)) if m else None
        os.unlink(tfile)
    except OSError:
        pass
    t = Timed(wall, rss, p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))
    if check and p.returncode != 0:
        tail = " | ".join(t.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{os.path.basename(cmd[0])} {' '.join(map(str, cmd[1:]))[:200]} exited {p.returncode}: {tail}")
    return t


# ---------------------------------------------------------------------------------------------------------------
# a minimal RESP client (stdlib only)


class Redis:
    def __init__(self, port, timeout=120):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = self.sock.makefile("rb")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.buf.readline()
        if not line:
            raise ConnectionError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.buf.read(n + 2)[:-2]
            return data.decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def info(self, section="all"):
        out = {}
        for line in self.call("INFO", section).splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                out[k] = v
        return out


def redis_call(port, *args):
    r = Redis(port)
    try:
        return r.call(*args)
    finally:
        r.close()


def redis_info(port, section="all"):
    r = Redis(port)
    try:
        return r.info(section)
    finally:
        r.close()


def wait_ping(port, seconds=300, pid=None):
    """Until PING answers PONG (not LOADING); fails early when the process died."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        if pid is not None and not pid_alive(pid):
            raise RuntimeError(f"redis-server on port {port} (pid {pid}) died")
        try:
            if redis_call(port, "PING") == "PONG":
                return
        except (OSError, RuntimeError, ConnectionError) as e:
            last = e
        time.sleep(0.01)
    raise RuntimeError(f"redis on port {port} did not answer PING within {seconds}s: {last}")


def wait_bgsave(port, saves_before, seconds=1800):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        i = redis_info(port, "persistence")
        if i["rdb_bgsave_in_progress"] == "0" and int(i["rdb_saves"]) > saves_before:
            if i["rdb_last_bgsave_status"] != "ok":
                raise RuntimeError("BGSAVE failed")
            return
        time.sleep(0.05)
    raise RuntimeError("BGSAVE did not finish in time")


def bgsave(port):
    before = int(redis_info(port, "persistence")["rdb_saves"])
    redis_call(port, "BGSAVE")
    wait_bgsave(port, before)


class RedisServer:
    """A redis-server in the foreground of a Popen (its PID is ours to stop)."""

    def __init__(self, workdir, name, extra=()):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.name = name
        self.conf = os.path.join(self.dir, "redis.conf")
        with open(self.conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\ndbfilename dump.rdb\nsave \"\"\n"
                    f"appendonly no\nlogfile {self.dir}/redis.log\nprotected-mode yes\n")
            for line in extra:
                f.write(line + "\n")
        self.proc = subprocess.Popen(["redis-server", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        PROCS.add(name, lambda: self.proc.pid, self.stop)
        wait_ping(self.port, 60, self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            try:
                redis_call(self.port, "SHUTDOWN", "NOSAVE")
            except Exception:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                kill_pid(self.proc.pid)
                self.proc.wait(10)
        PROCS.remove(self.name)


class DaemonizedRedis:
    """A redis-server started with `daemonize yes` and a pidfile, as restore expects (it restarts it itself)."""

    def __init__(self, workdir, name):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.name = name
        self.conf = os.path.join(self.dir, "redis.conf")
        self.pidfile = os.path.join(self.dir, "redis.pid")
        with open(self.conf, "w") as f:
            f.write(f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\ndbfilename dump.rdb\nsave \"\"\n"
                    f"appendonly yes\nappenddirname appendonlydir\nappendfilename appendonly.aof\n"
                    f"daemonize yes\npidfile {self.pidfile}\nlogfile {self.dir}/redis.log\n")
        PROCS.add(name, self.pid, self.stop)

    def pid(self):
        try:
            with open(self.pidfile) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def start(self, *extra_args):
        run(["redis-server", self.conf] + list(extra_args))
        # --daemonize yes exits 0 even when the server then fails: judge by the pidfile and PING
        deadline = time.monotonic() + 30
        while self.pid() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        wait_ping(self.port, 600, self.pid())

    def stop(self):
        pid = self.pid()
        if pid and pid_alive(pid):
            try:
                redis_call(self.port, "SHUTDOWN", "NOSAVE")
            except Exception:
                pass
            if not wait_gone(pid, 60):
                kill_pid(pid)


class S3Server:
    def __init__(self, workdir):
        self.blobs = os.path.join(workdir, "s3-blobs")
        endpoint_file = os.path.join(workdir, "s3-endpoint")
        with open(HELPER_CP_FILE) as f:
            cp = HELPER_CLASSES + ":" + f.read().strip()
        env = dict(os.environ, BENCH_S3_ACCESS_KEY=S3_ACCESS, BENCH_S3_SECRET_KEY=S3_SECRET)
        self.log = open(os.path.join(workdir, "s3.log"), "wb")
        self.cp = cp
        self.env = env
        self.proc = subprocess.Popen(["java", "-Xmx512m", "-cp", cp, "io.redisops.bench.S3Server", self.blobs,
                                      S3_BUCKET, endpoint_file], stdin=subprocess.PIPE, stdout=self.log,
                                     stderr=self.log, env=env)
        PROCS.add("s3", lambda: self.proc.pid, self.stop)
        deadline = time.monotonic() + 120
        while not os.path.exists(endpoint_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the S3 server did not start (see s3.log)")
            time.sleep(0.1)
        with open(endpoint_file) as f:
            self.endpoint = f.read().strip()

    def remove_prefix(self, prefix):
        shutil.rmtree(os.path.join(self.blobs, S3_BUCKET, prefix), ignore_errors=True)

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                kill_pid(self.proc.pid)
        self.log.close()
        PROCS.remove("s3")


# ---------------------------------------------------------------------------------------------------------------
# realistic data, written for real through redis-cli --pipe


class DataGen:
    """Mixed types and sizes, roughly like an application cache + session store + feeds (deterministic seed).

    Values are slices of a large pool of word text (compresses like JSON/HTML) and, for a share of the big
    blobs, of random bytes (compressed images/protobufs: incompressible). 30 % of the keys get a TTL of 1-30 days.
    """

    def __init__(self, seed=42):
        self.rng = random.Random(seed)
        rng = self.rng
        letters = "abcdefghijklmnopqrstuvwxyz"
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(5000)]
        parts = []
        size = 0
        while size < 16 << 20:
            kind = rng.random()
            if kind < 0.6:
                w = " ".join(rng.choices(words, k=rng.randint(3, 15)))
            elif kind < 0.85:
                w = '{"id":%d,"name":"%s","score":%.3f,"active":%s},' % (
                    rng.randint(1, 10**9), rng.choice(words), rng.random() * 1000, rng.choice(["true", "false"]))
            else:
                w = "%08x-%04x-%012x " % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(48))
            parts.append(w)
            size += len(w) + 1
        self.text = ("\n".join(parts)).encode()
        self.binary = os.urandom(16 << 20)
        self.words = [w.encode() for w in words]
        self.n = 0

    def slice(self, n, binary=False):
        pool = self.binary if binary else self.text
        o = self.rng.randrange(0, len(pool) - n)
        return pool[o:o + n]

    @staticmethod
    def cmd(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def next_key(self):
        """One key's commands (bytes) and its payload size."""
        rng = self.rng
        self.n += 1
        i = self.n
        r = rng.random()
        cmds = []
        if r < 0.45:
            k = b"session:%d" % i
            v = self.slice(rng.randint(100, 600))
            cmds.append(self.cmd(b"SET", k, v))
        elif r < 0.57:
            k = b"cache:page:%d" % i
            v = self.slice(rng.randint(1024, 8192))
            cmds.append(self.cmd(b"SET", k, v))
        elif r < 0.574:
            k = b"blob:%d" % i
            v = self.slice(rng.randint(32 << 10, 256 << 10), binary=rng.random() < 0.5)
            cmds.append(self.cmd(b"SET", k, v))
        elif r < 0.72:
            k = b"counter:%d" % i
            v = b"%d" % rng.randint(0, 10**7)
            cmds.append(self.cmd(b"SET", k, v))
        elif r < 0.84:
            k = b"user:%d" % i
            args = [b"HSET", k]
            for f in range(rng.randint(5, 30)):
                args += [self.words[rng.randrange(len(self.words))] + b"%d" % f, self.slice(rng.randint(5, 80))]
            cmds.append(self.cmd(*args))
            v = b"".join(args[2:])
        elif r < 0.89:
            k = b"feed:%d" % i
            items = [self.slice(rng.randint(20, 200)) for _ in range(rng.randint(10, 100))]
            cmds.append(self.cmd(b"RPUSH", k, *items))
            v = b"".join(items)
        elif r < 0.94:
            k = b"tags:%d" % i
            items = [self.words[rng.randrange(len(self.words))] + b":%d" % rng.randint(0, 999)
                     for _ in range(rng.randint(5, 50))]
            cmds.append(self.cmd(b"SADD", k, *items))
            v = b"".join(items)
        elif r < 0.99:
            k = b"rank:%d" % i
            args = [b"ZADD", k]
            for _ in range(rng.randint(10, 100)):
                args += [b"%.2f" % (rng.random() * 10000), b"member:%d" % rng.randint(0, 10**6)]
            cmds.append(self.cmd(*args))
            v = b"".join(args[2:])
        else:
            k = b"events:%d" % i
            v = b""
            for e in range(rng.randint(5, 20)):
                payload = self.slice(rng.randint(30, 200))
                cmds.append(self.cmd(b"XADD", k, b"*", b"type", self.words[e % len(self.words)], b"data", payload))
                v += payload
        if rng.random() < 0.3:
            cmds.append(self.cmd(b"EXPIRE", k, b"%d" % rng.randint(86400, 30 * 86400)))
        return b"".join(cmds), len(k) + len(v)


def fill(port, gen, payload_bytes):
    """Writes keys until their payload reaches payload_bytes, pipelined through redis-cli --pipe."""
    p = subprocess.Popen(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "--pipe"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    written = 0
    chunk = []
    chunk_len = 0
    try:
        while written < payload_bytes:
            c, n = gen.next_key()
            chunk.append(c)
            chunk_len += len(c)
            written += n
            if chunk_len > 4 << 20:
                p.stdin.write(b"".join(chunk))
                chunk, chunk_len = [], 0
        p.stdin.write(b"".join(chunk))
        p.stdin.close()
    except BrokenPipeError:
        pass
    out = p.stdout.read().decode(errors="replace")
    p.wait()
    m = re.search(r"errors: (\d+), replies: (\d+)", out)
    if p.returncode != 0 or not m or m.group(1) != "0":
        raise RuntimeError(f"redis-cli --pipe failed: {out.strip()[-300:]}")
    return written


def make_dataset(server, target_rdb_bytes):
    gen = DataGen()
    rdb = os.path.join(server.dir, "dump.rdb")
    start = time.monotonic()
    payload = fill(server.port, gen, max(5 << 20, target_rdb_bytes // 12))
    bgsave(server.port)
    for _ in range(4):
        size = os.path.getsize(rdb)
        if size >= 0.95 * target_rdb_bytes:
            break
        factor = size / payload
        more = int((target_rdb_bytes - size) / factor * 1.02)
        log(f"filling: RDB {size / 2**20:.0f} MiB so far, writing about {more / 2**20:.0f} MiB more payload")
        payload += fill(server.port, gen, more)
        bgsave(server.port)
    info = redis_info(server.port)
    keys = sum(int(re.search(r"keys=(\d+)", v).group(1)) for k, v in info.items() if re.match(r"db\d+$", k))
    return {"rdb_bytes": os.path.getsize(rdb), "keys": keys, "payload_bytes": payload,
            "used_memory_bytes": int(info["used_memory"]), "fill_seconds": round(time.monotonic() - start, 1),
            "mix": "45% session strings 100-600 B, 12% cached pages 1-8 KiB, 0.4% blobs 32-256 KiB (half random), "
                   "15% counters, 12% hashes (5-30 fields), 5% lists (10-100), 5% sets, 5% sorted sets, 1% streams; "
                   "30% with TTL"}


# ---------------------------------------------------------------------------------------------------------------
# helpers for figures


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def size_label(server):
    size = getattr(server, "rdb_bytes", None)
    return f"{size / 2**20:.0f} MiB" if size else ""


class DowntimeWatch:
    """PINGs a server every 10 ms on a thread; stop() returns the longest span without a +PONG (None if none)."""

    def __init__(self, port):
        self.port = port
        self.done = threading.Event()
        self.longest = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _ping(self):
        try:
            r = Redis(self.port, timeout=1)
            try:
                return r.call("PING") == "PONG"
            finally:
                r.close()
        except (OSError, RuntimeError, ConnectionError):
            return False

    def _run(self):
        down_since = None
        while not self.done.is_set():
            now = time.monotonic()
            if self._ping():
                if down_since is not None:
                    span = time.monotonic() - down_since
                    self.longest = max(self.longest or 0, span)
                    down_since = None
            elif down_since is None:
                down_since = now
            time.sleep(0.01)

    def stop(self):
        self.done.set()
        self.thread.join(5)
        return self.longest


def order(rep):
    """A,B on even repetitions, B,A on odd ones."""
    return ("A", "B") if rep % 2 == 0 else ("B", "A")


def tool_env(java_opts=DEFAULT_JAVA_OPTS, extra=None):
    env = dict(os.environ, REDIS_OPS_JAVA_OPTS=java_opts)
    env.update(extra or {})
    return env


def daemon_command(conf, nice):
    """The daemon as dist/redis-ops.service runs it: at `Nice=` (default 10) and in the lowest best-effort disk
    class, as the one-off commands the launcher lowers; `nice` 0 runs it at the caller's priority."""
    lower = []
    if nice:
        lower = ["nice", "-n", str(nice)]
        if shutil.which("ionice") and subprocess.run(["ionice", "-c2", "-n7", "true"]).returncode == 0:
            lower += ["ionice", "-c2", "-n7"]
    return lower + [CLI, "-c", conf, "daemon"]


def cli_has(command):
    """Whether this build has the subcommand (listed under "Commands:" in --help)."""
    out = subprocess.run([CLI, "--help"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    return re.search(rf"^\s+{command}\s", out.split("Commands:", 1)[-1], re.M) is not None


def clear_dataset(repo):
    shutil.rmtree(os.path.join(repo, DATASET), ignore_errors=True)


def backup_cmd(port, repo, method):
    return [CLI, "--redis", f"redis://127.0.0.1:{port}", "--repo", repo, "--dataset", DATASET, "--json",
            "backup", "--method", method]


def newest_object(repo):
    objs = sorted(glob.glob(os.path.join(repo, DATASET, "*", "dump.rdb.zst")))
    if not objs:
        raise RuntimeError(f"no backup object in {repo}")
    return objs[-1]


# ---------------------------------------------------------------------------------------------------------------
# figures


class Bench:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.figures = {}
        self.server = None

    def tmpdir(self, name):
        d = os.path.join(self.work, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    # 1 ---------------------------------------------------------------------------------------------------------
    def fig_backup(self, server=None, key="backup"):
        server = server or self.server
        port, data = server.port, server.dir
        repo = os.path.join(self.work, "repo-" + key)
        out = self.tmpdir("baseline-backup")
        a, b = [], []
        for rep in range(self.args.reps):
            for side in order(rep):
                if side == "A":
                    clear_dataset(repo)
                    t = timed(backup_cmd(port, repo, "bgsave"), env=tool_env(), tmp=self.work)
                    m = t.json()["backup"]
                    a.append({"seconds": t.wall, "rss_kb": t.rss_kb, "tool_ms": m["duration_ms"],
                              "raw": m["raw_size"], "stored": m["stored_size"]})
                else:
                    shutil.rmtree(out)
                    os.makedirs(out)
                    t = timed(["bash", BASELINE_BACKUP, str(port), data, out, "zstd"], tmp=self.work)
                    b.append({"seconds": t.wall, "rss_kb": t.rss_kb,
                              "stored": os.path.getsize(os.path.join(out, "dump.rdb.zst"))})
                log(f"backup rep {rep + 1} {side}: {t.wall:.2f}s")
        clear_dataset(repo)
        shutil.rmtree(out, ignore_errors=True)
        ma, mb = med([x["seconds"] for x in a]), med([x["seconds"] for x in b])
        self.figures[key] = {
            "title": f"1. backup {size_label(server)}, bgsave + zstd + verify, local repo",
            "tool": "redis-ops backup --method bgsave", "baseline": "BGSAVE, wait, cp dump.rdb, zstd -3",
            "unit": "s", "tool_median": ma, "baseline_median": mb, "ratio": ma / mb, "target": "<= 0.8",
            "met": ma / mb <= 0.8, "tool_samples": a, "baseline_samples": b}

    def fig_daemon_backup(self, server=None, key="daemon_backup", method="bgsave"):
        """The same capture taken by the running daemon on its schedule: no JVM start, a warm JIT.

        The daemon fires an hourly-tier backup every 20 s (every 2 minutes above 300 MiB of RDB). After each one
        (its own measure, from the job's start to the end of retention: the /metrics gauge
        redis_ops_backup_last_duration_seconds) the baseline runs once in the quiet gap before the next, so the
        two alternate as in the other figures. The catch-up backup the daemon takes at its start (a cold JIT)
        is reported apart. The dataset's `method` in the daemon's configuration is the figure's method, and
        every manifest must then say it."""
        server = server or self.server
        port, data = server.port, server.dir
        repo = os.path.join(self.work, "repo-" + key)
        clear_dataset(repo)
        out = self.tmpdir("baseline-" + key)
        http = free_port()
        every = "0/20 * * * * ?" if server.rdb_bytes < 300 << 20 else "0 0/2 * * * ?"
        conf = os.path.join(self.work, key + ".yaml")
        old_delay = None
        if method == "replication":
            old_delay = redis_call(port, "CONFIG", "GET", "repl-diskless-sync-delay")[1]
            redis_call(port, "CONFIG", "SET", "repl-diskless-sync-delay", "0")
        with open(conf, "w") as f:
            f.write(f"datasets:\n  - name: {DATASET}\n    method: {method}\n"
                    f"    redis:\n      uri: redis://127.0.0.1:{port}\n")
            f.write(f"repository:\n  path: {repo}\n"
                    f"schedule:\n  hourly: \"{every}\"\n  drill: \"off\"\n"
                    f"http:\n  listen: 127.0.0.1:{http}\n")
        log_path = os.path.join(self.work, key + ".log")
        logf = open(log_path, "wb")
        proc = subprocess.Popen(daemon_command(conf, self.args.daemon_nice), env=tool_env(self.args.daemon_java_opts),
                                stdout=logf, stderr=logf, stdin=subprocess.DEVNULL)
        PROCS.add(key, lambda: proc.pid, lambda: kill_pid(proc.pid, 60))

        def hourly():
            """(completion timestamp, duration) of the newest hourly backup as /metrics shows it, or None."""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=5) as r:
                    text = r.read().decode()
            except OSError:
                return None
            got = {}
            for name in ("success_timestamp", "duration"):
                m = re.search(rf'^redis_ops_backup_last_{name}_seconds\{{[^}}]*tier="hourly"[^}}]*\}} (\S+)$',
                              text, re.M)
                if not m or m.group(1) in ("NaN", "0.0"):
                    return None
                got[name] = float(m.group(1))
            return got["success_timestamp"], got["duration"]

        def next_backup(after, seconds=300):
            deadline = time.monotonic() + seconds
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"daemon exited {proc.returncode} (see {log_path})")
                h = hourly()
                if h is not None and (after is None or h[0] > after[0]):
                    return h
                if time.monotonic() > deadline:
                    raise RuntimeError(f"no scheduled backup within {seconds} s (see {log_path})")
                time.sleep(0.05)

        def baseline():
            shutil.rmtree(out)
            os.makedirs(out)
            if method == "replication":
                return timed(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "--rdb", os.path.join(out, "dump.rdb")],
                             tmp=self.work)
            return timed(["bash", BASELINE_BACKUP, str(port), data, out, "zstd"], tmp=self.work)

        a, b = [], []
        try:
            first = next_backup(None)
            log(f"{key}: the daemon's catch-up backup at its start: {first[1]:.2f}s")
            last = first
            for rep in range(self.args.reps):
                last = next_backup(last)
                a.append({"seconds": last[1]})
                t = baseline()
                b.append({"seconds": t.wall, "rss_kb": t.rss_kb})
                log(f"{key} rep {rep + 1}: daemon {last[1]:.2f}s, baseline {t.wall:.2f}s")
            methods = set()
            for mf in glob.glob(os.path.join(repo, DATASET, "*", "manifest.json")):
                with open(mf) as f:
                    methods.add(json.load(f).get("method"))
            if methods != {method}:
                raise RuntimeError(f"the daemon's backups were taken by {sorted(map(str, methods))}, not {method}")
        finally:
            kill_pid(proc.pid, 60)
            PROCS.remove(key)
            logf.close()
            if old_delay is not None:
                redis_call(port, "CONFIG", "SET", "repl-diskless-sync-delay", old_delay)
            clear_dataset(repo)
            shutil.rmtree(out, ignore_errors=True)
        ma, mb = med([x["seconds"] for x in a]), med([x["seconds"] for x in b])
        if method == "replication":
            title = f"2. replication capture {size_label(server)} by the running daemon (scheduled: no JVM start)"
            base, target = "redis-cli --rdb FILE (raw, unverified), between two of the daemon's backups", 1.0
        else:
            title = (f"1. backup {size_label(server)} by the running daemon (scheduled: no JVM start), bgsave + zstd "
                     f"+ verify")
            base, target = "BGSAVE, wait, cp dump.rdb, zstd -3, between two of the daemon's backups", 0.8
        self.figures[key] = {
            "title": title, "tool": f"redis-ops daemon ({method}, nice {self.args.daemon_nice}), hourly tier on \"{every}\" (the job's own duration)",
            "baseline": base, "unit": "s", "tool_median": ma, "baseline_median": mb, "ratio": ma / mb,
            "target": f"<= {target}", "met": ma / mb <= target, "catch_up_seconds": first[1], "tool_samples": a,
            "baseline_samples": b}

    # 2 ---------------------------------------------------------------------------------------------------------
    def fig_replication(self, server=None, key="replication"):
        server = server or self.server
        port = server.port
        old_delay = redis_call(port, "CONFIG", "GET", "repl-diskless-sync-delay")[1]
        redis_call(port, "CONFIG", "SET", "repl-diskless-sync-delay", "0")
        repo = os.path.join(self.work, "repo-" + key)
        out = self.tmpdir("baseline-" + key)
        a, b, b2 = [], [], []
        try:
            for rep in range(self.args.reps):
                for side in order(rep):
                    if side == "A":
                        clear_dataset(repo)
                        t = timed(backup_cmd(port, repo, "replication"), env=tool_env(), tmp=self.work)
                        m = t.json()["backup"]
                        a.append({"seconds": t.wall, "rss_kb": t.rss_kb, "tool_ms": m["duration_ms"],
                                  "raw": m["raw_size"], "stored": m["stored_size"]})
                        log(f"replication rep {rep + 1} A: {t.wall:.2f}s")
                    else:
                        f = os.path.join(out, "dump.rdb")
                        t = timed(["redis-cli", "-h", "127.0.0.1", "-p", str(port), "--rdb", f], tmp=self.work)
                        t2 = timed(["zstd", "-q", "-3", "--rm", f, "-o", f + ".zst"], tmp=self.work)
                        b.append({"seconds": t.wall, "rss_kb": t.rss_kb})
                        b2.append({"seconds": t.wall + t2.wall})
                        os.unlink(f + ".zst")
                        log(f"replication rep {rep + 1} B: {t.wall:.2f}s (+ zstd {t2.wall:.2f}s)")
        finally:
            redis_call(port, "CONFIG", "SET", "repl-diskless-sync-delay", old_delay)
            clear_dataset(repo)
        ma, mb, mb2 = med([x["seconds"] for x in a]), med([x["seconds"] for x in b]), med([x["seconds"] for x in b2])
        self.figures[key] = {
            "title": f"2. replication capture {size_label(server)} (repl-diskless-sync-delay 0)",
            "tool": "redis-ops backup --method replication (zstd, verified, stored)",
            "baseline": "redis-cli --rdb FILE (raw, unverified)", "unit": "s", "tool_median": ma,
            "baseline_median": mb, "ratio": ma / mb, "target": "<= 1.0", "met": ma / mb <= 1.0,
            "tool_samples": a, "baseline_samples": b,
            "extra": {"baseline_with_zstd_median": mb2, "ratio_vs_rdb_plus_zstd": ma / mb2}}

    # 6 ---------------------------------------------------------------------------------------------------------
    def _bench_batches(self, running):
        """redis-benchmark GET/SET batches for as long as running() is true; p99 per batch and test."""
        res = {"SET": [], "GET": []}
        while True:
            p = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(self.server.port), "-t", "set,get",
                                "-n", str(self.args.bench_requests), "-c", "20", "-r", "100000", "-d", "100",
                                "--dbnum", "1", "--csv"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            still = running()
            for line in p.stdout.decode().splitlines()[1:]:
                cols = [c.strip('"') for c in line.split(",")]
                if len(cols) >= 7 and cols[0] in res:
                    res[cols[0]].append(float(cols[6]))
            if not still:
                return res

    def _impact_run(self, cmd, env=None):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        res = self._bench_batches(lambda: proc.poll() is None)
        err = proc.stderr.read().decode(errors="replace")
        if proc.wait() != 0:
            raise RuntimeError(f"{cmd[0]} failed during the impact run: {err.strip()[-300:]}")
        return res

    def fig_impact(self):
        port, data = self.server.port, self.server.dir
        repo = os.path.join(self.work, "repo-impact")
        out = self.tmpdir("baseline-impact")
        idle = self._bench_batches(lambda: False)
        idle2 = self._bench_batches(lambda: False)
        a = {"SET": [], "GET": []}
        b = {"SET": [], "GET": []}
        for rep in range(self.args.reps):
            for side in order(rep):
                if side == "A":
                    clear_dataset(repo)
                    r = self._impact_run(backup_cmd(port, repo, "bgsave"), env=tool_env())
                    dest = a
                else:
                    shutil.rmtree(out)
                    os.makedirs(out)
                    r = self._impact_run(["bash", BASELINE_BACKUP, str(port), data, out, "none"])
                    dest = b
                for k in r:
                    dest[k] += r[k]
                log(f"impact rep {rep + 1} {side}: p99 SET {r['SET']} GET {r['GET']}")
        clear_dataset(repo)
        shutil.rmtree(out, ignore_errors=True)
        entry = {"title": "6. p99 latency of GET/SET while a backup runs",
                 "tool": "during redis-ops backup --method bgsave", "baseline": "during BGSAVE + cp",
                 "unit": "ms", "target": "<= 1.1",
                 "idle_p99_ms": {"SET": med(idle["SET"] + idle2["SET"]), "GET": med(idle["GET"] + idle2["GET"])},
                 "tool_batches_p99_ms": a, "baseline_batches_p99_ms": b,
                 "how": f"redis-benchmark -t set,get -n {self.args.bench_requests} -c 20 -r 100000 -d 100 --csv in "
                        "back-to-back batches while the job runs; figure = median of the batches' p99"}
        per = {}
        for k in ("SET", "GET"):
            ma, mb = med(a[k]), med(b[k])
            per[k] = {"tool_median": ma, "baseline_median": mb, "ratio": ma / mb if ma and mb else None}
        entry["per_test"] = per
        entry["tool_median"] = max(per["SET"]["tool_median"], per["GET"]["tool_median"])
        entry["baseline_median"] = max(per["SET"]["baseline_median"], per["GET"]["baseline_median"])
        entry["ratio"] = max(per["SET"]["ratio"], per["GET"]["ratio"])
        entry["met"] = entry["ratio"] <= 1.1
        self.figures["impact"] = entry

    # 3 + 4 -----------------------------------------------------------------------------------------------------
    def prepare_single_backup(self):
        """A repository holding exactly one backup of the dataset, for push and restore."""
        repo = os.path.join(self.work, "repo-single")
        clear_dataset(repo)
        t = timed(backup_cmd(self.server.port, repo, "bgsave"), env=tool_env(), tmp=self.work)
        self.single_repo = repo
        self.single_manifest = t.json()["backup"]
        self.single_object = newest_object(repo)
        return repo

    def offsite_config(self, s3):
        conf = os.path.join(self.work, "offsite.yaml")
        with open(conf, "w") as f:
            f.write(f"repository:\n  path: {self.single_repo}\n  compression: zstd\n"
                    f"offsite:\n  uri: s3://{S3_BUCKET}/unused\n  endpoint: {s3.endpoint}\n  region: us-east-1\n"
                    f"  path-style: true\n  credentials: env\n")
        return conf

    def push_cmd(self, conf, prefix):
        return [CLI, "-c", conf, "--redis", f"redis://127.0.0.1:{self.server.port}", "--dataset", DATASET,
                "--offsite", f"s3://{S3_BUCKET}/{prefix}", "--json", "push"]

    def fig_push(self, s3):
        conf = self.offsite_config(s3)
        # Both clients at the same CPU priority: the launcher runs push at nice 10 (it yields to a serving Redis),
        # which here would also yield to the S3 server sharing the two cores (a real S3 is elsewhere), while the
        # baseline's PutObject runs at 0 (docs/benchmarks.md, figure 3)
        env = tool_env(extra={"REDIS_OPS_S3_ACCESS_KEY_ID": S3_ACCESS, "REDIS_OPS_S3_SECRET_ACCESS_KEY": S3_SECRET,
                              "REDIS_OPS_NICE": "0"})
        size = os.path.getsize(self.single_object)
        # one unmeasured PUT first: the S3 server's JVM compiles its request path on the first upload, which would
        # otherwise slow whichever side goes first
        t = timed(["java", "-cp", s3.cp, "io.redisops.bench.PlainPut", s3.endpoint, S3_BUCKET, "warmup/dump.rdb.zst",
                   self.single_object], env=s3.env, tmp=self.work)
        s3.remove_prefix("warmup")
        log(f"push warm-up PUT: {t.wall:.2f}s")
        a, b = [], []
        for rep in range(self.args.reps):
            for side in order(rep):
                if side == "A":
                    prefix = f"push{rep}"
                    t = timed(self.push_cmd(conf, prefix), env=env, tmp=self.work)
                    a.append({"seconds": t.wall, "rss_kb": t.rss_kb, "mib_s": size / t.wall / 2**20})
                else:
                    prefix = f"plain{rep}"
                    t = timed(["java", "-cp", s3.cp, "io.redisops.bench.PlainPut", s3.endpoint, S3_BUCKET,
                               f"{prefix}/dump.rdb.zst", self.single_object], env=s3.env, tmp=self.work)
                    j = json.loads(t.stdout.strip().splitlines()[-1])
                    b.append({"seconds": t.wall, "rss_kb": t.rss_kb, "put_seconds": j["put_seconds"],
                              "mib_s": size / t.wall / 2**20})
                s3.remove_prefix(prefix)
                log(f"push rep {rep + 1} {side}: {t.wall:.2f}s")
        ta, tb = med([x["mib_s"] for x in a]), med([x["mib_s"] for x in b])
        self.figures["push"] = {
            "title": "3. off-site push to S3 (S3Proxy on loopback), throughput",
            "tool": "redis-ops push (1 backup)", "baseline": "one SDK PutObject of the same file (own JVM)",
            "unit": "MiB/s", "object_bytes": size, "tool_median": ta, "baseline_median": tb, "ratio": ta / tb,
            "target": ">= 0.95", "met": ta / tb >= 0.95, "tool_samples": a, "baseline_samples": b,
            "extra": {"baseline_put_call_only_mib_s": size / med([x["put_seconds"] for x in b]) / 2**20}}

    def fig_memory(self, s3):
        entry = {"title": "4. memory with -Xmx128m (peak RSS)", "java_opts": SMALL_HEAP_OPTS, "unit": "MiB"}
        repo = os.path.join(self.work, "repo-memory")
        clear_dataset(repo)
        t = timed(backup_cmd(self.server.port, repo, "bgsave"), env=tool_env(SMALL_HEAP_OPTS), tmp=self.work)
        entry["backup"] = {"ok": t.rc == 0, "seconds": t.wall, "peak_rss_mib": t.rss_kb / 1024,
                           "rdb_bytes": t.json()["backup"]["raw_size"]}
        clear_dataset(repo)
        if s3 is not None:
            conf = self.offsite_config(s3)
            env = tool_env(SMALL_HEAP_OPTS, {"REDIS_OPS_S3_ACCESS_KEY_ID": S3_ACCESS,
                                             "REDIS_OPS_S3_SECRET_ACCESS_KEY": S3_SECRET})
            t = timed(self.push_cmd(conf, "memory"), env=env, tmp=self.work)
            s3.remove_prefix("memory")
            entry["push"] = {"ok": t.rc == 0, "seconds": t.wall, "peak_rss_mib": t.rss_kb / 1024,
                             "object_bytes": os.path.getsize(self.single_object)}
        for name in ("backup", "push"):
            f = self.figures.get(name)
            if f and f.get("tool_samples"):
                entry[f"{name}_default_heap_peak_rss_mib"] = max(x["rss_kb"] for x in f["tool_samples"]) / 1024
        self.figures["memory"] = entry

    # 5 ---------------------------------------------------------------------------------------------------------
    def fig_restore(self):
        target = DaemonizedRedis(self.work, "restore-target")
        target.start()
        staged = os.path.join(target.dir, "staged.rdb")
        a, b, old = [], [], []
        keys = self.single_manifest["total_keys"]
        try:
            for rep in range(self.args.reps):
                sides = list(order(rep))
                if CLI_OLD:
                    # three sides: each takes each place in turn
                    sides = ["A", "O", "B"][rep % 3:] + ["A", "O", "B"][:rep % 3]
                for side in sides:
                    if side in ("A", "O"):
                        at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                        watch = DowntimeWatch(target.port)
                        t = timed([CLI if side == "A" else CLI_OLD, "--redis", f"redis://127.0.0.1:{target.port}",
                                   "--repo", self.single_repo, "--dataset", DATASET, "--json", "restore", "--at", at,
                                   "--yes"], env=tool_env(), tmp=self.work)
                        try:
                            steps = t.json()
                        except ValueError:
                            steps = None
                        down = watch.stop()
                        (a if side == "A" else old).append(
                            {"seconds": t.wall, "rss_kb": t.rss_kb, "downtime_seconds": down, "report": steps})
                        for q in glob.glob(os.path.join(target.dir, "redis-ops-quarantine*")):
                            shutil.rmtree(q, ignore_errors=True)
                    else:
                        # untimed preparation: stop without saving, the decompressed RDB ready beside
                        run(["zstd", "-q", "-d", "-f", self.single_object, "-o", staged])
                        target.stop()
                        shutil.rmtree(os.path.join(target.dir, "appendonlydir"), ignore_errors=True)
                        os.replace(staged, os.path.join(target.dir, "dump.rdb"))
                        start = time.monotonic()
                        target.start("--appendonly", "no")
                        loaded = time.monotonic() - start
                        before = int(redis_info(target.port, "persistence")["aof_rewrites"])
                        redis_call(target.port, "CONFIG", "SET", "appendonly", "yes")
                        while True:
                            i = redis_info(target.port, "persistence")
                            if (i["aof_rewrite_in_progress"] == "0" and i["aof_rewrite_scheduled"] == "0"
                                    and int(i["aof_rewrites"]) > before):
                                if i["aof_last_bgrewrite_status"] != "ok":
                                    raise RuntimeError("AOF rewrite failed")
                                break
                            time.sleep(0.01)
                        total = time.monotonic() - start
                        b.append({"seconds": total, "load_seconds": loaded, "rewrite_seconds": total - loaded})
                    got = sum(int(re.search(r"keys=(\d+)", v).group(1))
                              for k, v in redis_info(target.port, "keyspace").items())
                    if got != keys:
                        raise RuntimeError(f"restore target holds {got} keys, the backup {keys}")
                    last = {"A": a, "B": b, "O": old}[side][-1]
                    log(f"restore rep {rep + 1} {side}: {last['seconds']:.2f}s"
                        + (f", downtime {last['downtime_seconds']:.2f}s" if last.get("downtime_seconds") else ""))
        finally:
            target.stop()
            PROCS.remove(target.name)
        ma, mb = med([x["seconds"] for x in a]), med([x["seconds"] for x in b])
        self.figures["restore"] = {
            "title": "5. restore --at end to end (AOF on)", "tool": "redis-ops restore --at NOW --yes",
            "baseline": "redis-server load of the same RDB + AOF rewrite", "unit": "s", "tool_median": ma,
            "baseline_median": mb, "ratio": ma / mb, "overhead_seconds": ma - mb,
            "target": "<= 1.15", "met": ma / mb <= 1.15, "tool_samples": a, "baseline_samples": b}
        # Downtime: from the first PING the target fails to answer (stopped, or -LOADING) to the first +PONG after.
        da, load = med([x["downtime_seconds"] for x in a]), med([x["load_seconds"] for x in b])
        if da is not None:
            allowed = 1.05 * load + 0.5
            self.figures["downtime"] = {
                "title": "5. restore downtime (first unanswered PING to first PONG)",
                "tool": "redis-ops restore --at NOW --yes", "baseline": "redis-server load of the same RDB",
                "unit": "s", "tool_median": da, "baseline_median": load, "ratio": da / load,
                "target": "<= load x 1.05 + 0.5 s", "allowed_seconds": allowed, "met": da <= allowed,
                "tool_samples": [x["downtime_seconds"] for x in a],
                "baseline_samples": [x["load_seconds"] for x in b]}
        if old:
            self.figures["restore"]["old_build"] = {
                "cli": CLI_OLD, "median": med([x["seconds"] for x in old]), "samples": old}
            if "downtime" in self.figures:
                self.figures["downtime"]["old_build"] = {
                    "cli": CLI_OLD, "median": med([x["downtime_seconds"] for x in old]),
                    "samples": [x["downtime_seconds"] for x in old]}

    # 7 ---------------------------------------------------------------------------------------------------------
    def fig_footprint(self):
        entry = {"title": "7. footprint"}
        repo = os.path.join(self.work, "repo-daemon")
        clear_dataset(repo)
        conf = os.path.join(self.work, "daemon.yaml")
        with open(conf, "w") as f:
            f.write(f"datasets:\n  - name: {DATASET}\n    redis:\n      uri: redis://127.0.0.1:{self.server.port}\n"
                    f"repository:\n  path: {repo}\n")
            if self.daemon_http:
                f.write(f"http:\n  listen: 127.0.0.1:{free_port()}\n")
        opts = self.args.daemon_java_opts
        log_path = os.path.join(self.work, "daemon.log")
        logf = open(log_path, "wb")
        proc = subprocess.Popen(daemon_command(conf, self.args.daemon_nice), env=tool_env(opts), stdout=logf, stderr=logf,
                                stdin=subprocess.DEVNULL)
        PROCS.add("daemon", lambda: proc.pid, lambda: kill_pid(proc.pid, 60))
        try:
            # the launcher execs java, so this PID is the JVM; at start the daemon catches up (one backup)
            deadline = time.monotonic() + 1800
            while not glob.glob(os.path.join(repo, DATASET, "*", "manifest.json")):
                if proc.poll() is not None:
                    raise RuntimeError(f"daemon exited {proc.returncode} (see {log_path})")
                if time.monotonic() > deadline:
                    raise RuntimeError("the daemon's catch-up backup did not complete")
                time.sleep(0.2)
            time.sleep(2)  # let the run finish its retention pass and settle
            before_backups = len(glob.glob(os.path.join(repo, DATASET, "*", "manifest.json")))
            tck = os.sysconf("SC_CLK_TCK")

            def cpu_ticks():
                with open(f"/proc/{proc.pid}/stat") as f:
                    fields = f.read().rsplit(") ", 1)[1].split()
                return int(fields[11]) + int(fields[12])  # utime + stime

            def rss_kb():
                with open(f"/proc/{proc.pid}/status") as f:
                    return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

            c0, t0 = cpu_ticks(), time.monotonic()
            samples = []
            while time.monotonic() - t0 < self.args.idle_seconds:
                samples.append(rss_kb())
                time.sleep(1)
            c1, t1 = cpu_ticks(), time.monotonic()
            cpu_s = (c1 - c0) / tck
            entry["daemon"] = {
                "java_opts": opts, "idle_seconds": round(t1 - t0, 1), "cpu_seconds": cpu_s,
                "cpu_percent_of_one_core": 100 * cpu_s / (t1 - t0), "rss_mib_start": samples[0] / 1024,
                "rss_mib_max": max(samples) / 1024, "rss_mib_end": samples[-1] / 1024,
                "backups_during_idle": len(glob.glob(os.path.join(repo, DATASET, "*", "manifest.json")))
                - before_backups,
                "note": "measured after the catch-up backup of the benchmark dataset that the daemon takes at start"}
        finally:
            kill_pid(proc.pid, 60)
            PROCS.remove("daemon")
            logf.close()
        # start-up times, as a person gets them: the launcher's own JVM options (C1 alone for these short
        # commands, the class-data-sharing archive), not the benchmark's REDIS_OPS_JAVA_OPTS, which override them
        env = {k: v for k, v in os.environ.items() if k != "REDIS_OPS_JAVA_OPTS"}
        for name, cmd in (("version", [CLI, "--version"]),
                          ("list", [CLI, "--repo", repo, "--dataset", DATASET, "list"])):
            xs = [timed(cmd, env=env, tmp=self.work).wall for _ in range(self.args.startup_runs)]
            entry[f"startup_{name}"] = {"median_s": med(xs), "min_s": min(xs), "samples": xs}
        clear_dataset(repo)
        self.figures["footprint"] = entry


# ---------------------------------------------------------------------------------------------------------------
# report


def machine_info():
    def first(path, pattern):
        try:
            with open(path) as f:
                m = re.search(pattern, f.read(), re.M)
                return m.group(1).strip() if m else None
        except OSError:
            return None

    def version(cmd):
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            return p.stdout.decode(errors="replace").strip().splitlines()[0]
        except (OSError, IndexError):
            return None

    commit = version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           stdout=subprocess.PIPE).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(int(first("/proc/meminfo", r"MemTotal:\s+(\d+)")) / 2**20, 1),
        "cpu": first("/proc/cpuinfo", r"model name\s*:\s*(.*)$"),
        "kernel": os.uname().release,
        "load_average_start": list(os.getloadavg()),
        "redis": version(["redis-server", "--version"]),
        "java": version(["java", "-version"]),
        "zstd": version(["zstd", "--version"]),
        "redis_ops_commit": ((commit or "?") + ("-dirty" if dirty else "")
                             + (f" (BENCH_CLI={CLI})" if os.environ.get("BENCH_CLI") else "")),
        "started_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def fmt(x, unit):
    if x is None:
        return "-"
    if unit == "MiB/s":
        return f"{x:.0f} MiB/s"
    if unit == "ms":
        return f"{x:.2f} ms"
    return f"{x:.2f} s"


def markdown(result):
    m = result["machine"]
    d = result.get("dataset") or {}
    lines = []
    lines.append(f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, load average at start "
                 f"{' / '.join(f'{x:.2f}' for x in m['load_average_start'])}, at end "
                 f"{' / '.join(f'{x:.2f}' for x in m.get('load_average_end', []))}; {m['redis']}; "
                 f"redis-ops {m['redis_ops_commit']}; {m['started_at']}.")
    if d:
        lines.append(f"Dataset: RDB {d['rdb_bytes'] / 2**20:.0f} MiB, {d['keys']:,} keys, "
                     f"used_memory {d['used_memory_bytes'] / 2**20:.0f} MiB; "
                     f"{result['params']['reps']} repetitions per figure, interleaved; medians.")
    ds = result.get("dataset_small")
    if ds:
        lines.append(f"Second dataset (the backup and replication rows marked with its size): RDB "
                     f"{ds['rdb_bytes'] / 2**20:.0f} MiB, {ds['keys']:,} keys.")
    lines.append("")
    lines.append("| figure | redis-ops | baseline | ratio | target | met |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    f = result["figures"]
    rows = {}
    for key in ("backup", "backup_small", "daemon_backup", "replication", "replication_small", "daemon_replication",
                "push", "restore", "downtime", "impact"):
        e = f.get(key)
        if e is None:
            continue
        if "error" in e or "skipped" in e:
            rows[key] = [f"| {e.get('title', key)} | {e.get('error') or e.get('skipped')} | | | | not measured |"]
            continue
        u = e["unit"]
        tool = fmt(e["tool_median"], u)
        base = fmt(e["baseline_median"], u)
        extra = ""
        if key == "impact":
            tool = " / ".join(f"{k} {fmt(e['per_test'][k]['tool_median'], u)}" for k in ("SET", "GET"))
            base = " / ".join(f"{k} {fmt(e['per_test'][k]['baseline_median'], u)}" for k in ("SET", "GET"))
            extra = " (worse of SET/GET)"
        if key == "restore":
            extra = f" (overhead {e['overhead_seconds']:+.2f} s)"
        if key == "downtime":
            extra = f" (allowed {e['allowed_seconds']:.2f} s)"
        if key in ("daemon_backup", "daemon_replication"):
            extra = f" (the catch-up at its start: {e['catch_up_seconds']:.2f} s)"
        rows[key] = [f"| {e['title']} | {tool} | {base} | {e['ratio']:.2f}{extra} | {e['target']} | "
                     f"{'yes' if e['met'] else '**no**'} |"]
        ob = e.get("old_build")
        if ob and ob.get("median") is not None:
            rows[key].append(f"| {e['title']}, previous build (`BENCH_CLI_OLD`) | {fmt(ob['median'], u)} | {base} | "
                             f"{ob['median'] / e['baseline_median']:.2f} | | |")
    mem = f.get("memory")
    if mem and "error" not in mem:
        parts = []
        for k in ("backup", "push"):
            if k in mem:
                parts.append(f"{k} {mem[k]['peak_rss_mib']:.0f} MiB in {mem[k]['seconds']:.1f} s"
                             f"{'' if mem[k]['ok'] else ' (FAILED)'}")
        dflt = [f"{k} {mem[k + '_default_heap_peak_rss_mib']:.0f} MiB" for k in ("backup", "push")
                if k + "_default_heap_peak_rss_mib" in mem]
        met = all(mem[k]["ok"] and mem[k]["peak_rss_mib"] <= 160 for k in ("backup", "push") if k in mem)
        rows["memory"] = [f"| {mem['title']} | {'; '.join(parts)} | launcher default heap: {', '.join(dflt) or '-'} "
                     f"| | completes, <= 160 MiB | {'yes' if met else '**no**'} |"]
    elif mem:
        rows["memory"] = [f"| 4. memory | {mem['error']} | | | | not measured |"]
    fp = f.get("footprint")
    if fp and "error" not in fp:
        rows["footprint"] = []
        dm = fp.get("daemon")
        if dm:
            rows["footprint"].append(f"| 7. daemon idle {dm['idle_seconds']:.0f} s ({dm['java_opts']}) | RSS {dm['rss_mib_end']:.0f} "
                         f"MiB (max {dm['rss_mib_max']:.0f}), CPU {dm['cpu_seconds']:.2f} s = "
                         f"{dm['cpu_percent_of_one_core']:.2f} % of a core | | | RSS <= 120 MiB | "
                         f"{'yes' if dm['rss_mib_max'] <= 120 else '**no**'} |")
        rows["footprint"].append(f"| 7. start-up `redis-ops --version` / `list` | {fp['startup_version']['median_s']:.2f} s / "
                     f"{fp['startup_list']['median_s']:.2f} s (min {fp['startup_version']['min_s']:.2f} / "
                     f"{fp['startup_list']['min_s']:.2f}) | | | report | |")
    elif fp:
        rows["footprint"] = [f"| 7. footprint | {fp['error']} | | | | not measured |"]
    for key in ("backup", "backup_small", "daemon_backup", "replication", "replication_small", "daemon_replication",
                "push", "memory", "restore", "downtime", "impact", "footprint"):
        lines += rows.get(key, [])
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="about 100 MB of RDB, 15 s idle, fewer start-up runs")
    ap.add_argument("--size-mb", type=int, help="RDB size to fill (default 1024, quick 100)")
    ap.add_argument("--reps", type=int, help="repetitions per figure (default 3)")
    ap.add_argument("--small-mb", type=int,
                    help="also measure backup and replication on a second server of this RDB size "
                         "(default 100; quick: 0 = not measured)")
    ap.add_argument("--only", help="comma list of figures: backup,daemon,replication,impact,push,memory,restore,"
                                   "footprint")
    ap.add_argument("--idle-seconds", type=int, help="daemon idle window (default 60, quick 15)")
    ap.add_argument("--startup-runs", type=int, help="runs per start-up figure (default 10, quick 5)")
    ap.add_argument("--bench-requests", type=int, default=20000, help="redis-benchmark -n per batch")
    ap.add_argument("--daemon-java-opts", default="-XX:+UseSerialGC -Xms16m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30",
                    help="REDIS_OPS_JAVA_OPTS of the daemon (default: the systemd unit's)")
    ap.add_argument("--daemon-nice", type=int, default=10,
                    help="the daemon's nice level (default 10: the systemd unit's Nice=; 0: not lowered)")
    ap.add_argument("--work-dir", help="parent of the temporary folder (default $TMPDIR)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    args.size_mb = args.size_mb or (100 if args.quick else 1024)
    args.reps = args.reps or 3
    if args.small_mb is None:
        args.small_mb = 0 if args.quick else 100
    args.idle_seconds = args.idle_seconds or (15 if args.quick else 60)
    args.startup_runs = args.startup_runs or (5 if args.quick else 10)
    only = set((args.only or "backup,daemon,replication,impact,push,memory,restore,footprint").split(","))

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)

    result = {"machine": machine_info(), "params": {"size_mb": args.size_mb, "reps": args.reps, "quick": args.quick,
                                                     "figures": sorted(only)}, "figures": {}}
    log(f"machine: {result['machine']}")
    work = tempfile.mkdtemp(prefix="redis-ops-bench-", dir=args.work_dir)
    bench = Bench(args, work)
    bench.daemon_http = True
    status = 0
    try:
        bench.server = RedisServer(work, "redis")
        log(f"redis-server on port {bench.server.port} in {work}; filling about {args.size_mb} MB of RDB")
        result["dataset"] = make_dataset(bench.server, args.size_mb << 20)
        bench.server.rdb_bytes = result["dataset"]["rdb_bytes"]
        log(f"dataset: {result['dataset']}")
        small = None
        if args.small_mb > 0 and only & {"backup", "daemon", "replication"}:
            small = RedisServer(work, "redis-small")
            log(f"second redis-server on port {small.port}: about {args.small_mb} MB of RDB")
            result["dataset_small"] = make_dataset(small, args.small_mb << 20)
            small.rdb_bytes = result["dataset_small"]["rdb_bytes"]
        has_push, has_restore = cli_has("push"), cli_has("restore")

        def figure(name, fn, *a, key=None):
            if name not in only:
                return
            key = key or name
            log(f"--- {key}")
            try:
                fn(*a)
            except KeyboardInterrupt:
                raise
            except Exception as e:
                log(f"{key} failed: {e}")
                bench.figures[key] = {"title": key, "error": f"failed: {e}"[:300]}

        figure("backup", bench.fig_backup)
        figure("replication", bench.fig_replication)
        if small is not None:
            figure("backup", bench.fig_backup, small, "backup_small", key="backup_small")
            figure("replication", bench.fig_replication, small, "replication_small", key="replication_small")
            figure("daemon", bench.fig_daemon_backup, small, key="daemon_backup")
            figure("daemon", bench.fig_daemon_backup, small, "daemon_replication", "replication",
                   key="daemon_replication")
            small.stop()
        else:
            figure("daemon", bench.fig_daemon_backup, key="daemon_backup")
            figure("daemon", bench.fig_daemon_backup, None, "daemon_replication", "replication",
                   key="daemon_replication")
        figure("impact", bench.fig_impact)
        s3 = None
        if only & {"push", "memory", "restore"}:
            bench.prepare_single_backup()
        if only & {"push", "memory"} and has_push:
            s3 = S3Server(work)
        if has_push:
            figure("push", bench.fig_push, s3)
        elif "push" in only:
            bench.figures["push"] = {"title": "3. off-site push", "skipped": "not measured: this build has no push"}
        figure("memory", bench.fig_memory, s3)
        if s3:
            s3.stop()
        if has_restore:
            figure("restore", bench.fig_restore)
        elif "restore" in only:
            bench.figures["restore"] = {"title": "5. restore --at", "skipped": "not measured: this build has no restore"}
        figure("footprint", bench.fig_footprint)
    except KeyboardInterrupt as e:
        log(f"interrupted ({e}); stopping what was started")
        status = 130
    except Exception as e:
        log(f"failed: {e}")
        status = 1
    finally:
        PROCS.stop_all()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result["machine"]["load_average_end"] = list(os.getloadavg())
    result["figures"] = bench.figures
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, default=str)
    if "dataset" in result:
        print(markdown(result))
    log(f"JSON written to {args.out}")
    return status


if __name__ == "__main__":
    sys.exit(main())
