#!/usr/bin/env bash
# The shell pipeline that redis-ops replaces (the reference notes' `cp dump.rdb`, plus compression):
#   redis-cli BGSAVE, wait until it has finished, cp dump.rdb, zstd -3.
# usage: baseline-backup.sh PORT DATA_DIR OUT_DIR [zstd|none]
# It waits the way a careful script does (docs/redis-facts.md, "Snapshots"): rdb_bgsave_in_progress:0 AND rdb_saves
# above its value before the request AND rdb_last_bgsave_status:ok, polling every 0.1 s (a strong baseline: most
# scripts sleep 1 s).
set -euo pipefail
port=$1 dir=$2 out=$3 compress=${4:-zstd}

cli() { redis-cli -h 127.0.0.1 -p "$port" "$@"; }
field() { printf '%s\n' "$1" | tr -d '\r' | sed -n "s/^$2://p"; }

info=$(cli INFO persistence)
before=$(field "$info" rdb_saves)
reply=$(cli BGSAVE)
if [[ $reply != "Background saving started" ]]; then
  echo "BGSAVE refused: $reply" >&2
  exit 1
fi
while :; do
  info=$(cli INFO persistence)
  if [[ $(field "$info" rdb_bgsave_in_progress) == 0 && $(field "$info" rdb_saves) -gt $before ]]; then
    if [[ $(field "$info" rdb_last_bgsave_status) != ok ]]; then
      echo "BGSAVE failed" >&2
      exit 1
    fi
    break
  fi
  sleep 0.1
done
cp "$dir/dump.rdb" "$out/dump.rdb"
if [[ $compress == zstd ]]; then
  zstd -q -3 --rm "$out/dump.rdb" -o "$out/dump.rdb.zst"
fi
