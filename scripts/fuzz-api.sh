#!/usr/bin/env bash
# Schema-driven fuzzing of the REST API with schemathesis: starts the
# reference server (`lms-server --demo`) on a free port with a fresh data
# directory, logs in as the demo teacher and lets schemathesis generate
# requests from /api/openapi.json, checking that no response is a 5xx and
# that every status, content type and body is the one the document states.
# Exits non-zero on any failure.
#
# Builds nothing: build the server first (`cargo build -p lms-server`).
#
# Environment:
#   LMS_SERVER_BIN         the server binary
#                          (default ${CARGO_TARGET_DIR:-target}/debug/lms-server)
#   LMS_SCHEMATHESIS_VENV  the virtualenv holding schemathesis, created when
#                          missing (default ${XDG_CACHE_HOME:-$HOME/.cache}/lms-schemathesis)
#   SCHEMATHESIS_VERSION   the version installed into a new venv (default below)
#   LMS_FUZZ_MAX_EXAMPLES  test cases per operation and phase (default 25)
#   LMS_FUZZ_TIMEOUT       wall-clock limit of the schemathesis run, seconds (default 300)
#   LMS_FUZZ_WORKERS       concurrent schemathesis workers (default 1: schemathesis
#                          4.32 on Python 3.11 sometimes fails internally with more)
#   LMS_FUZZ_SEED          fixed seed to reproduce a run (default random; the run prints it)
#   LMS_FUZZ_PHASES        schemathesis phases (default examples,coverage,fuzzing,stateful)
# Extra arguments go to `st run` (e.g. --include-path-regex '/courses').
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
venv="${LMS_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/lms-schemathesis}"
server_bin="${LMS_SERVER_BIN:-${CARGO_TARGET_DIR:-target}/debug/lms-server}"
max_examples="${LMS_FUZZ_MAX_EXAMPLES:-25}"
run_timeout="${LMS_FUZZ_TIMEOUT:-300}"
workers="${LMS_FUZZ_WORKERS:-1}"
phases="${LMS_FUZZ_PHASES:-examples,coverage,fuzzing,stateful}"

if [ ! -x "$server_bin" ]; then
    echo "fuzz-api: no server binary at $server_bin (run \`cargo build -p lms-server\` or set LMS_SERVER_BIN)" >&2
    exit 2
fi
server_bin="$(cd "$(dirname "$server_bin")" && pwd)/$(basename "$server_bin")"

# The virtualenv with the pinned schemathesis.
if [ ! -x "$venv/bin/st" ] \
    || [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null)" != "$SCHEMATHESIS_VERSION" ]; then
    echo "== installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/lms-fuzz.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
mkdir -p "$work/data"

echo "== starting $server_bin --demo on $base"
env LMS_DATA_DIR="$work/data" LMS_DEMO=true LMS_ADDR="127.0.0.1:$port" \
    LMS_PUBLIC_URL="$base" LMS_LOG=warn LMS_WORKER=off \
    "$server_bin" --demo >"$work/server.log" 2>&1 &
server_pid=$!

server_log() {
    echo "-- server log (last 50 lines):" >&2
    tail -n 50 "$work/server.log" >&2 || true
}

ready=""
for _ in $(seq 1 300); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "fuzz-api: the server exited before it was ready" >&2
        server_log
        exit 1
    fi
    if curl -fsS "$base/readyz" >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 0.2
done
if [ -z "$ready" ]; then
    echo "fuzz-api: the server was not ready within 60 s" >&2
    server_log
    exit 1
fi

token="$(curl -fsS -X POST "$base/api/v1/auth/login" \
    -H 'Content-Type: application/json' \
    -d '{"email":"teacher@demo.school","password":"demo12345"}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
if [ -z "$token" ]; then
    echo "fuzz-api: could not log in as the demo teacher" >&2
    server_log
    exit 1
fi

seed_args=()
if [ -n "${LMS_FUZZ_SEED:-}" ]; then
    seed_args=(--seed "$LMS_FUZZ_SEED")
fi

echo "== schemathesis $SCHEMATHESIS_VERSION against $base/api/openapi.json"
status=0
# Logout is left out: it would end the session every other request uses.
(cd "$work" && timeout "$run_timeout" "$venv/bin/st" run "$base/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases "$phases" \
    --max-examples "$max_examples" \
    --workers "$workers" \
    --exclude-path /api/v1/auth/logout \
    --generation-database none \
    --request-timeout 30 \
    --no-color \
    "${seed_args[@]}" \
    "$@") || status=$?

if [ "$status" -eq 124 ]; then
    echo "fuzz-api: schemathesis did not finish within $run_timeout s" >&2
fi
if [ "$status" -ne 0 ]; then
    server_log
    echo "fuzz-api: FAILED (exit $status)" >&2
    exit "$status"
fi
echo "fuzz-api: ok"
