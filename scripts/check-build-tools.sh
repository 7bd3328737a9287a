#!/usr/bin/env bash
# Fails with a clear message when Java 17+ or Maven is missing.
set -euo pipefail
command -v java >/dev/null 2>&1 || { echo "error: java not found; install JDK 17 (apt-get install -y openjdk-17-jdk-headless)" >&2; exit 1; }
command -v mvn >/dev/null 2>&1 || { echo "error: mvn not found; install Maven (apt-get install -y maven)" >&2; exit 1; }
v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ -z "$v" ] || [ "${v%%.*}" -lt 17 ] 2>/dev/null; then
  echo "error: Java 17 or newer is needed (found '${v:-unknown}')" >&2; exit 1
fi
