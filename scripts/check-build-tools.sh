#!/usr/bin/env bash
# Fails with a clear message when Java 17+ is missing. Maven comes through ./mvnw, which downloads the version
# .mvn/wrapper/maven-wrapper.properties names once into ~/.m2/wrapper: it needs curl (or wget) and unzip (the
# checksum there is the zip's), installed here when missing.
set -euo pipefail
command -v java >/dev/null 2>&1 || { echo "error: java not found; install JDK 17 (apt-get install -y openjdk-17-jdk-headless)" >&2; exit 1; }
v=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ -z "$v" ] || [ "${v%%.*}" -lt 17 ] 2>/dev/null; then
  echo "error: Java 17 or newer is needed (found '${v:-unknown}')" >&2; exit 1
fi
"$(dirname "$0")/ensure-packages.sh" unzip:unzip curl:curl
