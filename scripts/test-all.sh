#!/usr/bin/env bash
# Runs every test of the project: formatting, lints, the hexagon rule, and
# the Rust test suites of every crate. This is the README's test command;
# .ci/run calls it after installing what a fresh machine lacks.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== hexagon: lms-core depends on no database, HTTP, SMTP or provider crate"
forbidden='^(sqlx|sqlx-core|axum|hyper|reqwest|lettre|teloxide|tokio|tokio-postgres|rusqlite|libsqlite3-sys|object_store|tower|tower-http)( |$)'
if cargo tree -p lms-core -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u | grep -E "$forbidden"; then
    echo "lms-core must not depend on the crates listed above" >&2
    exit 1
fi

echo "== sqlx offline data is current"
# Needs a PostgreSQL server to build the adapter against a migrated scratch
# database; .ci/run always has one.
if [ -n "${DATABASE_URL:-}" ] || pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    bash scripts/sqlx-prepare.sh --check
else
    echo "skipped: no PostgreSQL server reachable (set DATABASE_URL to check)"
fi

bash scripts/sqlx-prepare-sqlite.sh --check

echo "== cargo deny: licences, banned crates (one TLS stack), sources"
# The RustSec advisory database cannot be fetched here, so advisories are
# left out (run `cargo deny check advisories` where the network allows).
if ! command -v cargo-deny >/dev/null 2>&1; then
    echo "cargo-deny is needed (cargo install cargo-deny@0.20.2 --locked; .ci/run installs it)" >&2
    exit 1
fi
cargo deny check --hide-inclusion-graph licenses bans sources

echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "== cargo test (rustdoc examples included)"
# PostgreSQL adapter tests use DATABASE_URL, or start a throwaway server from
# the local PostgreSQL binaries when it is unset.
# Afterwards (pass or fail) drop the per-test databases on that server.
drop_test_databases() {
    if [ -n "${DATABASE_URL:-}" ] && command -v psql >/dev/null 2>&1; then
        psql "$DATABASE_URL" -qAt -c "SELECT datname FROM pg_database WHERE datname ~ '^lms_(t|tmpl)_'" 2>/dev/null |
            while read -r db; do psql "$DATABASE_URL" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done
    fi
}
trap drop_test_databases EXIT
cargo test --workspace --all-features

echo "== web UI: packages, lint (no \`any\`), unit tests (Vitest; the API types are current), type check, build"
(cd web && npm ci --no-audit --no-fund && npm run lint && npm test && npm run typecheck && npm run build)

echo "== browser journeys: headless Chromium against lms-server --demo (the UI built into it) on a fresh database"
if [ ! -x /usr/bin/chromium ]; then
    echo "Debian's chromium is needed (apt-get install -y chromium; .ci/run installs it)" >&2
    exit 1
fi
cargo build -p lms-server
e2e_data=$(mktemp -d)
# {smtp_port}: e2e/run.mjs starts an SMTP sink there first; the journeys
# follow the invitation and password-reset links of the e-mails it receives.
LMS_SERVER_CMD="env LMS_DATA_DIR=$e2e_data LMS_DEMO=true LMS_PUBLIC_URL=http://{addr} LMS_LOG=warn LMS_SMTP_HOST=127.0.0.1 LMS_SMTP_PORT={smtp_port} LMS_SMTP_SECURITY=plain LMS_SMTP_FROM=school@demo.school LMS_SELF_REGISTRATION=true ${CARGO_TARGET_DIR:-target}/debug/lms-server" \
LMS_E2E_ADMIN=admin@demo.school LMS_E2E_TEACHER=teacher@demo.school LMS_E2E_STUDENT=student1@demo.school \
    bash -c 'cd web && npm run e2e'
rm -rf "$e2e_data"

echo "== API fuzzing: schemathesis against the OpenAPI document (bounded)"
# A fixed seed keeps the test command repeatable; run scripts/fuzz-api.sh by
# hand (random seed) to explore further.
LMS_FUZZ_SEED="${LMS_FUZZ_SEED:-20261206}" bash scripts/fuzz-api.sh
echo "== load benchmark correctness: lms-bench --check (small school, both storages; timings not judged)"
# The quick school of scripts/bench.sh against the debug server built above:
# every scenario runs and its results are checked in the database.
cargo build -p lms-bench
bench_out=$(mktemp -d)
"${CARGO_TARGET_DIR:-target}/debug/lms-bench" --check --server "${CARGO_TARGET_DIR:-target}/debug/lms-server" --out "$bench_out" > /dev/null
rm -rf "$bench_out"
echo "== all tests passed"
