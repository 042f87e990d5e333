#!/usr/bin/env bash
# Regenerates docs/screenshots/: the demo school's main screens as a student
# and a teacher see them, in Russian and English, on a desktop and a phone.
# Needs what the browser journeys need (Debian's chromium, web/node_modules).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p lms-server
(cd web && npm run build --silent)
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
LMS_SCREENSHOTS_DIR=docs/screenshots \
LMS_SERVER_CMD="env LMS_DATA_DIR=$data LMS_DEMO=true LMS_PUBLIC_URL=http://{addr} LMS_LOG=warn ${CARGO_TARGET_DIR:-target}/debug/lms-server" \
    bash -c 'cd web && node e2e/run.mjs'
