#!/usr/bin/env bash
# The README's main command for now: start the local stack (PostgreSQL and Redis; the S3 and
# SQS stand-ins are not needed with the default local-folder blob store and Redis queues),
# build networx, apply migrations and serve the API. Extra arguments go to networx serve.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
NETWORX_SERVICES="postgres redis" scripts/services.sh up
go build -o .local/networx .
exec .local/networx serve --migrate "$@"
