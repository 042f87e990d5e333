#!/usr/bin/env bash
# Regenerates (or with --check, verifies) the sqlx offline query data of the
# PostgreSQL adapter: builds it against a freshly migrated scratch database
# and collects what the query macros describe.
#   bash scripts/sqlx-prepare.sh          # rewrite lms-storage-postgres/.sqlx
#   bash scripts/sqlx-prepare.sh --check  # fail if .sqlx is not current
# Needs a PostgreSQL server: ADMIN_DATABASE_URL (default: DATABASE_URL, else
# postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true

admin_url="${ADMIN_DATABASE_URL:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
db="lms_sqlx_$$"
base="${admin_url%/*}"
scratch_url="$base/$db"
psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
trap 'psql "$admin_url" -q -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
for f in lms-storage-postgres/migrations/*.up.sql; do
    psql "$scratch_url" -q -v ON_ERROR_STOP=1 -f "$f" >/dev/null
done

out="$(mktemp -d)"
# Touch the sources so the query macros run again in this online build.
touch lms-storage-postgres/src/*.rs
SQLX_OFFLINE=false DATABASE_URL="$scratch_url" SQLX_OFFLINE_DIR="$out" \
    cargo check -q -p lms-storage-postgres --all-targets
touch lms-storage-postgres/src/*.rs

if $check; then
    if ! diff -r -q "$out" lms-storage-postgres/.sqlx; then
        echo "lms-storage-postgres/.sqlx is stale: run bash scripts/sqlx-prepare.sh and commit it" >&2
        exit 1
    fi
    echo "sqlx offline data is current ($(ls "$out" | wc -l) queries)"
else
    rm -rf lms-storage-postgres/.sqlx
    mkdir -p lms-storage-postgres/.sqlx
    cp "$out"/*.json lms-storage-postgres/.sqlx/
    echo "wrote $(ls lms-storage-postgres/.sqlx | wc -l) queries to lms-storage-postgres/.sqlx"
fi
rm -rf "$out"
