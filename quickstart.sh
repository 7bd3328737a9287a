#!/usr/bin/env bash
# Quick start: builds redis-ops if needed and runs the daemon on embedded defaults (hourly and daily backups with
# retention) for the Redis at 127.0.0.1:6379, into ./var/backups. The daemon catches up at start, so the first backup
# is taken at once. Stop it with Ctrl-C (SIGINT) or SIGTERM; the backups found are then listed.
# If no Redis answers there, it starts a throwaway redis-server (in a temporary folder, on a free port, with a few
# demo keys) so that you see the whole job work, and stops it afterwards.
#   REDIS_OPS_QUICKSTART_REDIS  the Redis to back up (default redis://127.0.0.1:6379)
#   REDIS_OPS_QUICKSTART_REPO   the repository folder (default ./var/backups)
#   REDIS_OPS_QUICKSTART_DEMO=1 a fast demo schedule: an "hourly" backup every 20 s and a "daily" one every minute
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
redis_uri=${REDIS_OPS_QUICKSTART_REDIS:-redis://127.0.0.1:6379}
repo=${REDIS_OPS_QUICKSTART_REPO:-$here/var/backups}

scripts/check-build-tools.sh
scripts/ensure-packages.sh redis-server:redis-server redis-cli:redis-tools

jar=cli/target/redis-ops.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  echo "quickstart: building redis-ops (./mvnw package, tests skipped; ./run-tests.sh runs them)..."
  # batch mode, no download progress, no colours: plain lines, no stray escape codes in a log or a pipe
  ./mvnw -B -q --no-transfer-progress -Dstyle.color=never -DskipTests package
fi

throwaway_pid=""
cleanup() {
  if [ -n "$throwaway_pid" ] && kill -0 "$throwaway_pid" 2>/dev/null; then
    kill "$throwaway_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$throwaway_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$throwaway_pid" 2>/dev/null || true
  fi
  [ -n "${throwaway_dir:-}" ] && rm -rf "$throwaway_dir"
}
trap cleanup EXIT

if ! redis-cli -u "$redis_uri" --no-auth-warning ping 2>/dev/null | grep -q PONG; then
  throwaway_dir=$(mktemp -d)
  port=""
  for p in $(shuf -i 20000-29999 -n 50); do
    # never Sentinel's well-known port, even when it is free now: a Sentinel may be started there at any time
    [ "$p" = 26379 ] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
  [ -n "$port" ] || { echo "quickstart: no free port found for a throwaway redis-server" >&2; exit 1; }
  echo "quickstart: no Redis answers at $redis_uri; starting a THROWAWAY redis-server on 127.0.0.1:$port in $throwaway_dir"
  echo "quickstart: (it holds a few demo keys and is stopped when this script ends)"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$throwaway_dir" --save "" --daemonize no \
    --logfile "$throwaway_dir/redis.log" &
  throwaway_pid=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
    kill -0 "$throwaway_pid" 2>/dev/null || { echo "quickstart: the throwaway redis-server did not start:" >&2; tail -5 "$throwaway_dir/redis.log" >&2; exit 1; }
    sleep 0.1
  done
  for i in $(seq 1 100); do echo "SET demo:key:$i value-$i"; done | redis-cli -p "$port" >/dev/null
  redis-cli -p "$port" HSET demo:user name ada lang redis >/dev/null
  redis-cli -p "$port" RPUSH demo:queue a b c >/dev/null
  redis_uri="redis://127.0.0.1:$port"
  dataset_opt=(--dataset quickstart-demo)
else
  echo "quickstart: backing up the Redis at $redis_uri"
  dataset_opt=()
fi

config_opt=()
if [ "${REDIS_OPS_QUICKSTART_DEMO:-}" = "1" ]; then
  mkdir -p var
  cat > var/quickstart-demo.yaml <<'YAML'
# redis-ops quick start demo: fast schedules (Quartz cron, seconds first)
schedule:
  hourly: "*/20 * * * * ?"
  daily: "0 * * * * ?"
YAML
  config_opt=(-c var/quickstart-demo.yaml)
  echo "quickstart: demo schedule: an hourly-tier backup every 20 s, a daily-tier one every minute"
fi

echo "quickstart: running the daemon (Ctrl-C to stop); backups go to $repo"
echo "quickstart: in another terminal: cli/target/redis-ops --repo $repo ${dataset_opt[*]} list"
cli/target/redis-ops "${config_opt[@]}" --redis "$redis_uri" --repo "$repo" "${dataset_opt[@]}" daemon &
daemon_pid=$!
stop_daemon() { kill -TERM "$daemon_pid" 2>/dev/null || true; }
trap stop_daemon INT TERM
status=0
wait "$daemon_pid" || status=$?
if [ "$status" -gt 128 ]; then
  # the wait was cut short by our signal trap: collect the daemon's own exit status after its orderly stop
  status=0
  wait "$daemon_pid" || status=$?
fi
trap - INT TERM
echo
cli/target/redis-ops --repo "$repo" "${dataset_opt[@]}" list || true
echo
echo "quickstart: daemon stopped (exit $status). Backups are in $repo"
echo "quickstart: try: cli/target/redis-ops --repo $repo ${dataset_opt[*]} verify --all"
exit "$status"
