#!/usr/bin/env bash
# Regenerates the web UI's API types from the server's OpenAPI document:
# web/src/api/openapi.json (a copy of what /api/openapi.json serves, checked
# by lms-http's tests) and web/src/api/schema.d.ts (openapi-typescript,
# checked by the web tests). Run it after changing a route or a schema.
set -euo pipefail
cd "$(dirname "$0")/.."
LMS_UPDATE_OPENAPI=1 cargo test -q -p lms-http --lib -- openapi::tests::the_web_uis_copy_of_the_document_is_current
(cd web && npm run gen:api)
