#!/usr/bin/env bash
# Runs every test of redis-ops (unit and integration, against real redis-server, redis-sentinel,
# redis-check-aof and an embedded S3 server). Installs Debian's packages the tests need when missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/check-build-tools.sh
scripts/ensure-packages.sh redis-server:redis-server redis-sentinel:redis-sentinel redis-cli:redis-tools \
  redis-check-aof:redis-tools redis-check-rdb:redis-tools zstd:zstd openssl:openssl
# The compatibility matrix: newer Redis and Valkey built from Debian's source packages, cached in
# ~/.cache/redis-ops/servers (a warm run does not rebuild). A server that cannot be built is reported, and its tests
# report themselves skipped; set REDIS_OPS_SKIP_SERVER_BUILDS=1 to test on Debian's Redis 7.0 only.
if [ "${REDIS_OPS_SKIP_SERVER_BUILDS:-0}" != 1 ]; then
  scripts/ensure-packages.sh make:make gcc:gcc xz:xz-utils || true
  scripts/build-servers.sh || echo "warning: some servers of the compatibility matrix could not be built (see above)" >&2
fi
echo "compatibility matrix: $(for d in "${REDIS_OPS_SERVERS:-$HOME/.cache/redis-ops/servers}"/*/; do
  [ -f "$d/ok" ] && printf '%s ' "$(basename "$d")"; done)+ redis-7.0 (Debian)" >&2
status=0
./mvnw -B verify "$@" || status=$?
# JaCoCo: one line per module (target/site/jacoco-all/jacoco.csv: unit tests and ITs)
scripts/coverage-summary.sh || true
exit $status
