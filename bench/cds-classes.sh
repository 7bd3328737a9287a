#!/usr/bin/env bash
# Records the class list of the data commands' class-data-sharing archive: bench/cds-classes.sh [--keep]
#
# Writes cli/src/main/resources/io/redisops/cli/cds-classes.txt: every class (ours, the libraries', the JDK's) that the
# commands which move data (and check, sentinel, archive status) load in real runs, one binary name a line, sorted.
# make-cds-archive's second training run (CdsTraining --data) loads these classes without initialising them before
# its usual commands, and the JVM dumps them into redis-ops-data.jsa, the archive the launcher gives push, fetch, the
# daemon, sentinel and --where/--from offsite (the commands that load the AWS SDK or Lettuce); this file is how that
# archive gets them without a Redis or S3 server at archive-making time (the package phase, the Debian postinst).
# Regenerate it (and commit the result) after a change that makes those commands load other classes: a dependency
# upgrade, a new command or code path of backup/restore/push/fetch/verify/import/drill/aof/daemon. Names that no
# longer exist are skipped by the training run, so an outdated list only costs start-up time, never a failure.
#
# Each command runs in its own JVM (java -XX:DumpLoadedClassList, the launcher's default -XX:+UseSerialGC) against
# a throwaway redis-server on a free loopback port (AOF on, a few thousand keys of every type) in a temporary folder,
# with an S3Proxy on loopback for the off-site commands (bench/java, built here when missing): check, backup by BGSAVE
# and by replication, verify (local and off-site), push, fetch, import, drill, aof check, sentinel status (a
# redis-sentinel monitoring the server, stopped right after), the daemon (with the point-in-time archive on, until
# its archiver sealed a segment and /health and /metrics answered; then SIGTERM), archive status, restore --to-dir,
# restore --latest and restore --at now. Any command failing stops the script and
# leaves the list as it was. Lambda and proxy classes (generated at run time) are left out: the archive gets those
# of the training run only. Every process started here is stopped by its PID at the end, also on failure or Ctrl-C;
# the folder is removed unless --keep. Needs the built jar (./mvnw -B -o -q -DskipTests package -pl cli -am),
# redis-server, redis-sentinel, redis-cli, python3, java.
set -euo pipefail
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
keep=0
[[ ${1:-} == --keep ]] && keep=1
out=cli/src/main/resources/io/redisops/cli/cds-classes.txt
jar=$root/cli/target/redis-ops.jar
for tool in redis-server redis-sentinel redis-cli java python3; do
  command -v "$tool" >/dev/null || { echo "cds-classes: $tool is missing" >&2; exit 2; }
done
[[ -f $jar ]] || { echo "cds-classes: build first: ./mvnw -B -o -q -DskipTests package -pl cli -am" >&2; exit 2; }
helper=bench/java/target
if [[ ! -f $helper/classpath.txt || -n $(find bench/java/src bench/java/pom.xml -newer $helper/classpath.txt 2>/dev/null) ]]; then
  echo "cds-classes: building the S3 helper (bench/java)" >&2
  ./mvnw -B -q -o --no-transfer-progress -f bench/java/pom.xml package dependency:build-classpath \
    -Dmdep.outputFile=target/classpath.txt >&2
fi

work=$(mktemp -d)
s3_pid= daemon_pid=
cleanup() {
  [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
  exec 3>&- 2>/dev/null || true
  [[ -n $s3_pid ]] && kill "$s3_pid" 2>/dev/null && wait "$s3_pid" 2>/dev/null
  stop_sentinel
  if [[ -f $work/redis/redis.pid ]]; then
    local pid
    pid=$(cat "$work/redis/redis.pid")
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  if [[ $keep == 1 ]]; then echo "cds-classes: kept $work" >&2; else rm -rf "$work"; fi
}
stop_sentinel() {
  if [[ -f $work/sentinel/sentinel.pid ]]; then
    local pid
    pid=$(cat "$work/sentinel/sentinel.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$work/sentinel/sentinel.pid"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_for SECONDS WHAT COMMAND...: until COMMAND succeeds
wait_for() {
  local seconds=$1 what=$2
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "cds-classes: $what did not happen within $seconds s" >&2
  exit 1
}

# the throwaway server: AOF on (aof check, restore's AOF steps), started with a config file (restore starts it again)
port=$(free_port)
mkdir -p "$work/redis" "$work/cl" "$work/repo"
cat > "$work/redis/redis.conf" <<EOF
port $port
bind 127.0.0.1
dir $work/redis
dbfilename dump.rdb
appendonly yes
save ""
pidfile $work/redis/redis.pid
logfile $work/redis/redis.log
EOF
redis-server "$work/redis/redis.conf" --daemonize yes
wait_for 30 "redis-server's start on port $port" sh -c "redis-cli -p $port ping | grep -q PONG"
python3 - <<'PY' | redis-cli -p "$port" --pipe >/dev/null
import sys
def cmd(*args):
    parts = [f"*{len(args)}\r\n"] + [f"${len(a.encode())}\r\n{a}\r\n" for a in map(str, args)]
    sys.stdout.write("".join(parts))
for i in range(5000):
    cmd("SET", f"string:{i}", "v" * (i % 200))
for i in range(200):
    cmd("HSET", "hash:%d" % (i % 20), f"f{i}", i)
    cmd("RPUSH", "list:%d" % (i % 20), i)
    cmd("SADD", "set:%d" % (i % 20), i)
    cmd("SADD", "intset:%d" % (i % 20), f"member-{i}")
    cmd("ZADD", "zset:%d" % (i % 20), i, f"m{i}")
    cmd("XADD", "stream:%d" % (i % 5), "*", "f", i)
cmd("SET", "expiring", "x", "EX", 86400)
cmd("SELECT", 1)
cmd("SET", "other-db", "x")
PY

# S3Proxy on loopback; its stdin is a pipe held by this script (fd 3): it exits when this script is gone
mkfifo "$work/s3.in"
env BENCH_S3_ACCESS_KEY=cdsaccesskey BENCH_S3_SECRET_KEY=cds-secret-key-not-a-real-one \
  java -Xmx256m -cp "$helper/classes:$(cat $helper/classpath.txt)" io.redisops.bench.S3Server "$work/s3" cds \
  "$work/s3-endpoint" <"$work/s3.in" >"$work/s3.log" 2>&1 &
s3_pid=$!
exec 3>"$work/s3.in"
wait_for 120 "the S3 server's start (see $work/s3.log)" test -s "$work/s3-endpoint"
export REDIS_OPS_S3_ACCESS_KEY_ID=cdsaccesskey REDIS_OPS_S3_SECRET_ACCESS_KEY=cds-secret-key-not-a-real-one

http_port=$(free_port)
cat > "$work/redis-ops.yaml" <<EOF
datasets:
  - name: cds
    redis:
      uri: redis://127.0.0.1:$port
      config-file: $work/redis/redis.conf
repository:
  path: $work/repo
offsite:
  uri: s3://cds/training
  endpoint: $(cat "$work/s3-endpoint")
  region: us-east-1
  path-style: true
  credentials: env
http:
  listen: 127.0.0.1:$http_port
archive:
  enabled: true
EOF

opts=(-XX:+UseSerialGC)
n=0
# run ARGS...: one command in its own JVM, the classes it loaded into $work/cl/<n>.lst, its stdout into $work/<n>.out
run() {
  n=$((n + 1))
  echo "cds-classes: redis-ops $*" >&2
  local rc=0
  java "${opts[@]}" -XX:DumpLoadedClassList="$work/cl/$n.lst" -jar "$jar" -c "$work/redis-ops.yaml" "$@" \
    >"$work/$n.out" 2>"$work/$n.err" || rc=$?
  if [[ $rc != 0 ]]; then
    echo "cds-classes: redis-ops $* failed (exit $rc): $(tail -1 "$work/$n.err"); the list is unchanged" >&2
    exit 1
  fi
}

run check
run backup --method bgsave --json
id=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["backup"]["id"])' "$work/$n.out")
run backup --method replication --tier hourly
run verify --all
run push
run fetch "$id" -o "$work/fetched.rdb"
run verify --where offsite
run import --tier manual "$work/fetched.rdb"
run drill --latest
run aof check

# a sentinel monitoring the server, for sentinel status (stopped right after: restore stops the server below)
sentinel_port=$(free_port)
mkdir -p "$work/sentinel"
printf '%s\n' "port $sentinel_port" "bind 127.0.0.1" "dir $work/sentinel" "pidfile $work/sentinel/sentinel.pid" \
  "logfile $work/sentinel/sentinel.log" "sentinel monitor cds 127.0.0.1 $port 1" >"$work/sentinel/sentinel.conf"
redis-sentinel "$work/sentinel/sentinel.conf" --daemonize yes
wait_for 30 "the sentinel's start" sh -c "redis-cli -p $sentinel_port sentinel get-master-addr-by-name cds | grep -q $port"
run sentinel --sentinel "127.0.0.1:$sentinel_port" --master cds status
stop_sentinel

# the daemon: its catch-up backup, the archiver (a segment sealed while keys are written), /health and /metrics
echo "cds-classes: redis-ops daemon (until its archiver sealed a segment)" >&2
n=$((n + 1))
java "${opts[@]}" -XX:DumpLoadedClassList="$work/cl/$n.lst" -jar "$jar" -c "$work/redis-ops.yaml" daemon \
  >"$work/$n.out" 2>"$work/$n.err" &
daemon_pid=$!
sealed() {
  redis-cli -p "$port" set "written:$RANDOM" x >/dev/null
  find "$work/repo/_archive" -name '0*.json' 2>/dev/null | grep -q .
}
wait_for 180 "a sealed archive segment (see $work/$n.err)" sealed
python3 - "$http_port" <<'PY'
import sys, urllib.request, urllib.error
for path in ("/health", "/metrics"):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{path}", timeout=30).read()
    except urllib.error.HTTPError:
        pass  # 503 is an answer too
PY
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
if [[ $rc != 0 ]]; then
  echo "cds-classes: the daemon exited $rc on SIGTERM: $(tail -1 "$work/$n.err"); the list is unchanged" >&2
  exit 1
fi

run archive status
run restore --latest --to-dir "$work/to-dir"
run restore --latest --yes
run restore --at now --yes

# the list: classes of the built-in loaders, without the ones generated at run time (lambda forms and proxies,
# hidden classes, reflection accessors, JFR's event handlers), which no Class.forName finds
{
  echo "# The classes the data commands load (bench/cds-classes.sh: $n commands against a throwaway redis-server"
  echo "# $(redis-server --version | cut -d' ' -f1-3) and S3Proxy; $(java -version 2>&1 | head -1);"
  echo "# redis-ops $(git rev-parse --short HEAD 2>/dev/null || echo unknown)). Generated: regenerate, do not edit."
  cat "$work"/cl/*.lst | grep -v '^@' | grep -v '^#' | awk '{print $1}' |
    grep -v -e '/0x' -e '\$\$Lambda' -e '\$Proxy[0-9]' -e '^jdk/internal/reflect/Generated' -e '^com/sun/proxy/' \
      -e '^jdk/jfr/internal/handlers/' |
    tr / . | LC_ALL=C sort -u
} >"$out.tmp"
mv -f "$out.tmp" "$out"
echo "cds-classes: wrote $out ($(grep -vc '^#' "$out") classes from $n commands)" >&2
