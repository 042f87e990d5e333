#!/usr/bin/env bash
# Runs the reference server on the embedded default storage (a SQLite file in
# ./lms-data) with the demo school and the web UI: builds the UI (web/dist)
# when its sources changed, then starts `lms-server --demo`. This is the
# README's run command. Extra arguments go to lms-server; LMS_* variables
# configure it (see README, "Configuration").
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -f web/package.json ]; then
    if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
        echo "== installing the web UI's packages (npm ci)"
        (cd web && npm ci --no-audit --no-fund)
    fi
    newest_source=$(find web/src web/index.html web/vite.config.ts web/package-lock.json -newer web/dist/index.html 2>/dev/null | head -n 1 || true)
    if [ ! -f web/dist/index.html ] || [ -n "$newest_source" ]; then
        echo "== building the web UI (web/dist)"
        (cd web && npm run build)
    fi
    export LMS_WEB_DIR="${LMS_WEB_DIR:-web/dist}"
fi

exec cargo run -p lms-server -- --demo "$@"
