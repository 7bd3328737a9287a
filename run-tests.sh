#!/usr/bin/env bash
# Runs every test of redis-ops (unit and integration, against real redis-server, redis-sentinel,
# redis-check-aof and an embedded S3 server). Installs Debian's packages the tests need when missing.
set -euo pipefail
cd "$(dirname "$0")"
scripts/check-build-tools.sh
scripts/ensure-packages.sh redis-server:redis-server redis-sentinel:redis-sentinel redis-cli:redis-tools \
  redis-check-aof:redis-tools redis-check-rdb:redis-tools zstd:zstd openssl:openssl
exec mvn -B verify "$@"
