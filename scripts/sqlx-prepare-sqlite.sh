#!/usr/bin/env bash
# Regenerates (or with --check, verifies) the sqlx offline query data of the
# SQLite adapter: builds it against a freshly migrated scratch database file
# and collects what the query macros describe.
#   bash scripts/sqlx-prepare-sqlite.sh          # rewrite lms-storage-sqlite/.sqlx
#   bash scripts/sqlx-prepare-sqlite.sh --check  # fail if .sqlx is not current
# Applies the migrations with Python's sqlite3 module (SQLite 3.37 or newer,
# for STRICT tables; no extra package needed); the queries are then described
# by the SQLite that sqlx bundles.
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
db="$scratch/lms.db"
python3 - "$db" lms-storage-sqlite/migrations/*.up.sql <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        con.executescript(f.read())
con.close()
PY

out="$scratch/sqlx"
mkdir -p "$out"
# Touch the sources so the query macros run again in this online build.
touch lms-storage-sqlite/src/*.rs
SQLX_OFFLINE=false DATABASE_URL="sqlite://$db" SQLX_OFFLINE_DIR="$out" \
    cargo check -q -p lms-storage-sqlite --all-targets
touch lms-storage-sqlite/src/*.rs

if $check; then
    if ! diff -r -q "$out" lms-storage-sqlite/.sqlx; then
        echo "lms-storage-sqlite/.sqlx is stale: run bash scripts/sqlx-prepare-sqlite.sh and commit it" >&2
        exit 1
    fi
    echo "sqlx offline data is current ($(ls "$out" | wc -l) queries)"
else
    rm -rf lms-storage-sqlite/.sqlx
    mkdir -p lms-storage-sqlite/.sqlx
    cp "$out"/*.json lms-storage-sqlite/.sqlx/
    echo "wrote $(ls lms-storage-sqlite/.sqlx | wc -l) queries to lms-storage-sqlite/.sqlx"
fi
