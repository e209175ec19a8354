#!/usr/bin/env bash
# The README's main command: build networx and run the whole analysis in-process (no
# service needed) on the example workbook, writing the results workbook. Extra arguments
# go to networx optimize (for example --json or --time-limit 2m).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
if ! command -v go >/dev/null; then
  echo "example.sh: Go 1.26 is required (expected at /usr/local/go/bin/go); install it from https://go.dev/dl/" >&2
  exit 1
fi
mkdir -p .local
go build -o .local/networx .
exec .local/networx optimize examples/example-network.xlsx --out .local/example-results.xlsx "$@"
