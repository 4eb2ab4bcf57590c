#!/usr/bin/env bash
# Property-based API testing: starts the whole service (`npm start`: embedded PostgreSQL, Temporal dev
# server, API and worker) on free loopback ports with a throwaway DATA_DIR, takes the demo API key it
# prints on first start, and runs schemathesis against /api/v1/openapi.json with two checks: no server
# errors and every response matching its documented schema. Exits non-zero on any failure.
#   SCHEMATHESIS_EXAMPLES  test cases per operation (default 20)
#   SCHEMATHESIS_TIMEOUT   hard limit for the schemathesis run, seconds (default 900)
#   SCHEMATHESIS_SEED      data generation seed (default fixed, so runs are comparable)
#   SCHEMATHESIS_INCLUDE_PATH  only the operations whose path matches this regex (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.tools/venv
EXAMPLES="${SCHEMATHESIS_EXAMPLES:-20}"
RUN_TIMEOUT="${SCHEMATHESIS_TIMEOUT:-900}"
START_TIMEOUT=240

if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "[schemathesis] installing into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5'
fi
"$VENV/bin/schemathesis" --version

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

work="$(mktemp -d)"
chmod 755 "$work" # embedded PostgreSQL runs as `postgres` when we are root
log="$work/service.log"
report="$work/report"
port="$(free_port)"
pid=""

stop_service() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # The service runs in its own process group (setsid): stop exactly that group.
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  # The service's log and the JUnit report stay under .tools/ for a look after a failure.
  mkdir -p .tools/schemathesis
  cp "$log" .tools/schemathesis/service.log 2>/dev/null || true
  cp "$report/junit.xml" .tools/schemathesis/junit.xml 2>/dev/null || true
  rm -rf "$work"
}
trap stop_service EXIT

echo "[schemathesis] starting the service on 127.0.0.1:$port (DATA_DIR $work/data)"
# Limits off: this run checks behaviour and schemas, not the rate limiter (test/api/rate-limit.test.ts does).
env DATA_DIR="$work/data" HOST=127.0.0.1 PORT="$port" PG_PORT="$(free_port)" \
  TEMPORAL_PORT="$(free_port)" TEMPORAL_UI_PORT="$(free_port)" \
  LOG_LEVEL=warn RATE_LIMIT_PER_KEY=0 RATE_LIMIT_PER_USER=0 RATE_LIMIT_PER_IP=0 WEBHOOK_AUTH_FAILURES_PER_IP=0 SKILL_RUNS_PER_HOUR=0 \
  setsid npm start >"$log" 2>&1 </dev/null &
pid=$!

key=""
for _ in $(seq 1 "$START_TIMEOUT"); do
  key="$(grep -o 'Demo API key aos_[A-Za-z0-9_-]*' "$log" 2>/dev/null | awk '{print $4}' | head -n1 || true)"
  [ -n "$key" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "[schemathesis] the service exited during start-up:"; tail -n 40 "$log"; exit 1
  fi
  sleep 1
done
if [ -z "$key" ]; then
  echo "[schemathesis] no demo API key after ${START_TIMEOUT}s:"; tail -n 40 "$log"; exit 1
fi
client="$(grep -o 'Demo client  *[0-9a-f-]*' "$log" | awk '{print $3}' | head -n1)"

# Client routes run against the seeded demo client (real rows, real response bodies) rather than
# random ids that only ever 404; deleting a client gets a random id, so the demo client stays.
config="$work/schemathesis.toml"
cat >"$config" <<TOML
[parameters]
"path.clientId" = "$client"

[[operations]]
include-name = "DELETE /api/v1/clients/{clientId}"
parameters = { "path.clientId" = "00000000-0000-4000-8000-000000000000" }
TOML

# Schemathesis closes with pytest-style "=== 3 warnings in 47s ===" banners, which CI reads as a pytest
# run that executed no test; the banners lose their "=" rules so jest's count stays the one CI reads.
debanner() { sed -u -E 's/^=+ (.*) =+$/-- \1 --/'; }

status=0
timeout --signal=INT "$RUN_TIMEOUT" "$VENV/bin/schemathesis" --config-file "$config" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$EXAMPLES" \
  --seed "${SCHEMATHESIS_SEED:-20261122}" \
  --workers 2 \
  --request-timeout 30 \
  --suppress-health-check all \
  ${SCHEMATHESIS_INCLUDE_PATH:+--include-path-regex "$SCHEMATHESIS_INCLUDE_PATH"} \
  --report junit --report-junit-path "$report/junit.xml" 2>&1 | debanner || status=$?

if [ -f "$report/junit.xml" ]; then
  # The JUnit report decides: a check failure or an error fails the run, except schemathesis's own
  # "Inconsistent results" (its data generator turning flaky under CPU load), which is reported only.
  junit_status=0
  python3 - "$report/junit.xml" <<'PY' || junit_status=1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
tests = sum(int(s.get('tests', 0)) for s in suites)
skipped = sum(int(s.get('skipped', 0)) for s in suites)
real, flaky = [], []
for case in root.iter('testcase'):
    for child in case:
        if child.tag not in ('failure', 'error'):
            continue
        text = f"{child.get('message') or ''} {child.text or ''}"
        (flaky if child.tag == 'error' and 'Inconsistent results' in text else real).append(case.get('name'))
for name in flaky:
    print(f"[schemathesis] warning: schemathesis's generator was flaky on {name} (not an API failure)")
# Not in "N passed, N failed" form: CI reads that line as the test count, and it is jest's.
print(f"[schemathesis] operations tested {tests - skipped}, with failures {len(real)}, skipped {skipped}")
sys.exit(1 if real else 0)
PY
  # A run cut short by the timeout fails whatever its partial report says.
  if [ "$status" -ne 124 ]; then status=$junit_status; fi
fi
if grep -qiE '"level":(50|60)' "$log"; then
  echo "[schemathesis] the service logged errors:"; grep -iE '"level":(50|60)' "$log" | tail -n 20
fi
exit "$status"
