#!/usr/bin/env bash
# The load benchmark of issue #15: builds the release server and the load
# tool, then runs every scenario on SQLite and PostgreSQL with ceilings
# measured in the same run (see BENCHMARKS.md for how to read the results).
#
#   bash scripts/bench.sh            # the full school: about 10 minutes here
#   bash scripts/bench.sh --quick    # a small school, short loads: ~3 minutes
#   bash scripts/bench.sh --storage sqlite --out /tmp/bench
#
# Results: bench-results/bench.md and bench-results/bench.json. The run
# fails (exit 1) when a correctness check fails. PostgreSQL: DATABASE_URL,
# else the local server on 127.0.0.1:5432, else a throwaway server started
# from the local binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p lms-server -p lms-bench
if [ -z "${DATABASE_URL:-}" ] && pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
exec "${CARGO_TARGET_DIR:-target}/release/lms-bench" --server "${CARGO_TARGET_DIR:-target}/release/lms-server" "$@"
