#!/usr/bin/env bash
# Regenerates the RDB fixtures of RdbAnalyzerTest with the real redis-server (7.0.15 when committed).
# For each fixture: start a throw-away server on a free port (never 6379) in a temp dir with saving disabled,
# fill it with redis-cli, record INFO keyspace into expected-counts.txt, SAVE, copy dump.rdb here, check it
# with redis-check-rdb, and stop the server by its PID.
# Usage: ./make-fixtures.sh   (from any directory; writes next to this script)
set -euo pipefail

OUT="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
PID=""
cleanup() {
    if [[ -n "$PID" ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

COUNTS="$OUT/expected-counts.txt"
{
    echo "# fixture db keys expires   (from INFO keyspace of the server that wrote the fixture)"
    echo "# written by make-fixtures.sh with $(redis-server --version | cut -d' ' -f1-3)"
} > "$COUNTS"

# start_server NAME [extra redis-server args...]
start_server() {
    local name="$1"; shift
    DIR="$WORK/$name"; mkdir -p "$DIR"
    PORT="$(free_port)"
    [[ "$PORT" != 6379 ]] || PORT="$(free_port)"
    redis-server --port "$PORT" --bind 127.0.0.1 --dir "$DIR" --save '' --appendonly no \
        --logfile "$DIR/redis.log" "$@" &
    PID=$!
    for _ in $(seq 50); do
        if redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; then return 0; fi
        sleep 0.1
    done
    echo "redis-server for $name did not start" >&2; cat "$DIR/redis.log" >&2; exit 1
}

cli() { redis-cli -p "$PORT" "$@"; }

# finish NAME: record counts, SAVE, copy, check, stop.
finish() {
    local name="$1"
    cli info keyspace | tr -d '\r' | sed -n 's/^db\([0-9]*\):keys=\([0-9]*\),expires=\([0-9]*\).*/\1 \2 \3/p' \
        | while read -r db keys expires; do echo "$name.rdb $db $keys $expires"; done >> "$COUNTS"
    [[ "$(cli save)" == OK ]] || { echo "SAVE failed for $name" >&2; exit 1; }
    cp "$DIR/dump.rdb" "$OUT/$name.rdb"
    redis-check-rdb "$OUT/$name.rdb" | tail -3
    kill "$PID"; wait "$PID" || true; PID=""
}

# --- empty: no keys at all
start_server empty
finish empty

# --- strings: int-encoded, LZF-compressible, raw, large
start_server strings
{
    echo 'SET int8 12'
    echo 'SET int16 -1234'
    echo 'SET int32 123456789'
    echo 'SET notanint 12345678901234567890'
    echo 'SET raw "hello, redis-ops"'
    echo 'SET rawlong "Sphinx of black quartz, judge my vow: 0123456789 abcdefghijklmnop"'
    echo "SET lzf $(printf 'abcdefgh%.0s' $(seq 200))"
    echo "SET big $(head -c 60000 /dev/urandom | base64 -w0)"
    echo 'SET empty ""'
} | cli > /dev/null
finish strings

# --- collections with the default encodings thresholds (small ones listpack/intset, large ones hashtable/skiplist)
start_server collections
{
    echo 'RPUSH list:small a b c 1 2 3'
    echo "RPUSH list:large $(seq -f 'element-%g' 1 2000 | tr '\n' ' ')"
    echo 'SADD set:intset 1 2 3 100 -5 70000'
    echo 'SADD set:strings apple banana cherry'
    echo "SADD set:large $(seq -f 'member-%g' 1 1000 | tr '\n' ' ')"
    echo 'ZADD zset:small 1 a 2.5 b -3 c'
    echo "ZADD zset:large $(seq 1 300 | awk '{printf "%s.5 m%s ", $1, $1}')"
    echo 'ZADD zset:inf +inf top -inf bottom 0 zero'
    echo 'HSET hash:small f1 v1 f2 2 f3 v3'
    echo "HSET hash:large $(seq 1 1000 | awk '{printf "field%s value%s ", $1, $1}')"
    echo "HSET hash:bigvalue f $(printf 'x%.0s' $(seq 100))"
} | cli > /dev/null
finish collections

# --- lists with 4 entries per quicklist node: many nodes
start_server lists-small-nodes --list-max-listpack-size 4
{
    echo 'RPUSH short a b'
    echo "RPUSH long $(seq 1 103 | tr '\n' ' ')"
    echo "LPUSH mixed $(seq -f 'text-%g' 1 50 | tr '\n' ' ') 1 2 3"
} | cli > /dev/null
finish lists-small-nodes

# --- streams: entries, deletions, consumer groups, pending entries, consumers
start_server streams
{
    for i in $(seq 1 250); do echo "XADD orders $i-0 item $i qty $((i % 7))"; done
    echo 'XDEL orders 5-0 6-0 100-0'
    echo 'XGROUP CREATE orders billing 0'
    echo 'XGROUP CREATE orders shipping $'
    echo 'XREADGROUP GROUP billing alice COUNT 4 STREAMS orders >'
    echo 'XREADGROUP GROUP billing bob COUNT 3 STREAMS orders >'
    echo 'XACK orders billing 2-0'
    echo 'XGROUP CREATECONSUMER orders shipping carol'
    echo 'XADD events * kind login'
    echo 'XADD trimmed MAXLEN 2 * a 1'
    echo 'XADD trimmed MAXLEN 2 * a 2'
    echo 'XADD trimmed MAXLEN 2 * a 3'
} | cli > /dev/null
finish streams

# --- expires in db 0, 3 and 15 (EXPIRE and PEXPIRE), mixed with persistent keys
start_server expires
{
    echo 'SELECT 0'
    echo 'SET a 1'; echo 'SET b 2'; echo 'EXPIRE b 86400'; echo 'SET c 3'; echo 'PEXPIRE c 90000000'
    echo 'RPUSH l x y'; echo 'EXPIRE l 3600'
    echo 'SELECT 3'
    for i in $(seq 1 20); do echo "SET k$i v$i"; done
    for i in $(seq 1 7); do echo "EXPIRE k$i 100000"; done
    echo 'HSET h f v'; echo 'PEXPIRE h 5000000'
    echo 'SELECT 15'
    echo 'SADD s 1 2 3'; echo 'SET ttl value EX 7200'; echo 'SET keep value'
} | cli > /dev/null
finish expires

# --- a loaded function library plus a key
start_server function
cli function load "$(printf '#!lua name=lib\nredis.register_function('"'"'f'"'"', function() return 1 end)')" > /dev/null
cli set after-function 1 > /dev/null
finish function

# --- rdbchecksum no: the trailer holds 0
start_server nochecksum --rdbchecksum no
{
    echo 'SET x 1'; echo 'SET y hello'; echo 'RPUSH z 1 2 3'
} | cli > /dev/null
finish nochecksum

echo "fixtures written to $OUT"
