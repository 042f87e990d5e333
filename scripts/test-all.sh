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

echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "== cargo test (rustdoc examples included)"
cargo test --workspace --all-features
