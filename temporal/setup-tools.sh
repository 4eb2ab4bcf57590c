#!/usr/bin/env bash
# Installs the tools the service and its tests need outside npm, into the git-ignored .tools/,
# reusing a per-user cache so a fresh clone on the same machine does not rebuild them.
#   temporal/setup-tools.sh            Temporal CLI (dev server), for `npm start`
#   temporal/setup-tools.sh --tests    also the Java time-skipping test server, for `npm test`
# Each step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS="$PWD/.tools"
CACHE="${AGENCY_OS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agency-os}"
CLI_VERSION="v1.5.1"          # later tags carry a replace directive that `go install` refuses
TEST_SERVER_VERSION="1.38.0"  # keep in step with temporal/test-server/pom.xml
mkdir -p "$TOOLS/bin" "$CACHE/bin"

log() { echo "[setup-tools] $*" >&2; }

temporal_cli() {
  if [ -n "${TEMPORAL_CLI_PATH:-}" ] && [ -x "$TEMPORAL_CLI_PATH" ]; then return; fi
  if [ -x "$TOOLS/bin/temporal" ]; then return; fi
  local cached="$CACHE/bin/temporal-$CLI_VERSION"
  if [ ! -x "$cached" ]; then
    if command -v temporal >/dev/null 2>&1; then
      ln -sf "$(command -v temporal)" "$TOOLS/bin/temporal"; return
    fi
    if ! command -v go >/dev/null 2>&1; then
      log "no Temporal CLI and no Go: the launcher will fall back to @temporalio/testing's download"
      return
    fi
    log "building the Temporal CLI $CLI_VERSION from its Go module (a few minutes, once)"
    local gobin; gobin="$(mktemp -d)"
    GOBIN="$gobin" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$CLI_VERSION"
    mv "$gobin/temporal" "$cached"; rmdir "$gobin"
  fi
  ln -sf "$cached" "$TOOLS/bin/temporal"
}

test_server() {
  # The cache key includes the launcher's source, so an edit to it rebuilds.
  local src_hash; src_hash="$(sha256sum temporal/test-server/src/LoopbackTestServer.java | cut -c1-12)"
  local dir="$TOOLS/test-server" cached="$CACHE/test-server-$TEST_SERVER_VERSION-$src_hash"
  # The launcher is rewritten every time (cheap), so a change to its JVM flags reaches existing clones.
  if [ ! -f "$cached/.complete" ]; then
    command -v mvn >/dev/null 2>&1 || { log "Maven is required for the time-skipping test server"; exit 1; }
    command -v javac >/dev/null 2>&1 || { log "a JDK (javac) is required for the time-skipping test server"; exit 1; }
    log "fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION from Maven Central"
    rm -rf "$cached"; mkdir -p "$cached"
    (cd temporal/test-server && mvn -q -B dependency:copy-dependencies \
      -DoutputDirectory="$cached/lib" -DincludeScope=runtime)
    javac -d "$cached/classes" -cp "$cached/lib/*" temporal/test-server/src/LoopbackTestServer.java
    touch "$cached/.complete"
  fi
  rm -rf "$dir"; ln -sfn "$cached" "$dir"
  cat > "$TOOLS/bin/temporal-test-server" <<SH
#!/bin/sh
# Launcher handed to TestWorkflowEnvironment.createTimeSkipping as an existing executable. The SDK
# gives it 5 s to answer: C1-only JIT and class-data sharing start the JVM faster on a busy machine.
exec java -Xss1m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "$dir/classes:$dir/lib/*" agencyos.LoopbackTestServer "\$@"
SH
  chmod +x "$TOOLS/bin/temporal-test-server"
}

temporal_cli
if [ "${1:-}" = "--tests" ]; then test_server; fi
