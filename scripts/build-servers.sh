#!/usr/bin/env bash
# Builds the Redis and Valkey servers of the compatibility matrix from Debian's source packages and caches
# them outside the clone, so that a warm run does not rebuild.
#
#   scripts/build-servers.sh [NAME ...]     (default: every server below)
#
# Result: $REDIS_OPS_SERVERS (default ~/.cache/redis-ops/servers)/<name>/bin/ holding redis-server,
# redis-sentinel, redis-check-rdb and redis-check-aof (the server binary acts as each, by argv[0]), and a
# file `ok` once the build is complete. Debian 12 carries no Redis newer than 7.0, and trixie's binary
# packages need glibc 2.38, so the servers are built from the `.orig` tarballs, fetched with a private apt
# configuration (its own state and cache, `deb-src` entries for trixie, sid and experimental); the system's
# apt sources are never touched. A server that cannot be fetched or built is reported and skipped; the tests
# of that server then report themselves skipped (the log says which servers ran).
set -uo pipefail

# name | source package=version | tarball glob
SERVERS=(
  "redis-8.0|redis=5:8.0.6-3|redis_8.0.6*.orig.tar.*"
  "redis-8.6|redis=5:8.6.3-1|redis_8.6.3*.orig.tar.*"
  "valkey-8.1|valkey/trixie|valkey_8.1.1*.orig.tar.*"
  "valkey-9.1|valkey=9.1.2-1|valkey_9.1.2*.orig.tar.*"
)

CACHE=${REDIS_OPS_CACHE:-$HOME/.cache/redis-ops}
OUT=${REDIS_OPS_SERVERS:-$CACHE/servers}
APT=$CACHE/apt
SRC=$CACHE/src
mkdir -p "$OUT" "$SRC"

want=("$@")
selected() {
  [ ${#want[@]} -eq 0 ] && return 0
  local w; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1
}

apt_opts=(-o "Dir::State=$APT/state" -o "Dir::Cache=$APT/cache" -o "Dir::Etc::SourceList=/dev/null"
  -o "Dir::Etc::SourceParts=$APT/sources.list.d" -o "Dir::Etc::Preferences=/dev/null"
  -o "Dir::Etc::PreferencesParts=$APT/preferences.d" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")

apt_ready=0
prepare_apt() {
  [ $apt_ready -eq 1 ] && return 0
  mkdir -p "$APT/state/lists/partial" "$APT/cache/archives/partial" "$APT/sources.list.d" "$APT/preferences.d"
  # the same archive the system's own sources use
  local uri
  uri=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -oE 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -1 | tr -d ' ')
  uri=${uri:-http://deb.debian.org/debian}
  cat >"$APT/sources.list.d/redis-ops-src.sources" <<EOF
Types: deb-src
URIs: ${uri%/}
Suites: trixie sid experimental
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  if ! apt-get "${apt_opts[@]}" update -qq >"$CACHE/apt-update.log" 2>&1; then
    echo "build-servers: apt-get update of Debian's source index failed (see $CACHE/apt-update.log)" >&2
    return 1
  fi
  apt_ready=1
}

build_one() {
  local name=$1 spec=$2 glob=$3 dest=$OUT/$1
  if [ -f "$dest/ok" ]; then echo "build-servers: $name cached in $dest"; return 0; fi
  local tarball
  tarball=$(ls "$SRC"/$glob 2>/dev/null | head -1)
  if [ -z "$tarball" ]; then
    prepare_apt || return 1
    # a .dsc may answer 404 (valkey/trixie) while its .orig tarball downloads: the tarball is all we need
    (cd "$SRC" && apt-get "${apt_opts[@]}" source --download-only "$spec" >"$SRC/$name-download.log" 2>&1)
    tarball=$(ls "$SRC"/$glob 2>/dev/null | head -1)
    if [ -z "$tarball" ]; then
      echo "build-servers: could not download $spec (see $SRC/$name-download.log); $name skipped" >&2
      return 1
    fi
  fi
  local work=$SRC/$name-build
  rm -rf "$work"; mkdir -p "$work"
  tar -xf "$tarball" -C "$work" --strip-components=1 || { echo "build-servers: cannot unpack $tarball" >&2; return 1; }
  echo "build-servers: building $name from $(basename "$tarball") (1-3 minutes)"
  local start=$SECONDS
  if ! make -C "$work" -j"$(nproc)" MALLOC=libc BUILD_TLS=no >"$SRC/$name-build.log" 2>&1; then
    echo "build-servers: build of $name failed (see $SRC/$name-build.log); $name skipped" >&2
    return 1
  fi
  rm -rf "$dest"; mkdir -p "$dest/bin"
  local server
  if [ -x "$work/src/valkey-server" ]; then server=valkey-server; else server=redis-server; fi
  cp "$work/src/$server" "$dest/bin/$server"
  # the server binary acts as sentinel and as the checkers when called by those names
  for alias in redis-server redis-sentinel redis-check-rdb redis-check-aof valkey-server valkey-sentinel \
      valkey-check-rdb valkey-check-aof; do
    [ "$alias" = "$server" ] || ln -sf "$server" "$dest/bin/$alias"
  done
  "$dest/bin/$server" --version >"$dest/version" 2>&1
  touch "$dest/ok"
  rm -rf "$work"
  echo "build-servers: $name built in $((SECONDS - start)) s: $(cat "$dest/version")"
}

failed=0
for entry in "${SERVERS[@]}"; do
  IFS='|' read -r name spec glob <<<"$entry"
  selected "$name" || continue
  build_one "$name" "$spec" "$glob" || failed=1
done
exit $failed
