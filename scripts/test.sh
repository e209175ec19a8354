#!/usr/bin/env bash
# The test command of the README: starts the local service stack (PostgreSQL, Redis,
# versitygw for S3, fauxqs for SQS), then runs gofmt, go vet, the whole test suite with the
# race detector and every integration test enabled, and a brief run of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
if ! command -v go >/dev/null; then
  echo "test.sh: Go 1.26 is required (expected at /usr/local/go/bin/go); install it from https://go.dev/dl/" >&2
  exit 1
fi

scripts/services.sh up
# shellcheck disable=SC1091
source "${NETWORX_STATE_DIR:-$PWD/.local}/env"

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test -race (integration services: $NETWORX_TEST_DATABASE_URL $NETWORX_TEST_REDIS_URL $NETWORX_TEST_S3_ENDPOINT $NETWORX_TEST_SQS_ENDPOINT)"
go test -race -count=1 -timeout 40m ./...

echo "== fuzz targets, briefly"
fuzztime="${NETWORX_FUZZTIME:-10s}"
for target in $(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' . | awk '{print $2}' | sort -u); do
  pkg=$(dirname "$(grep -rlE "^func ${target}\(" --include='*_test.go' . | head -1)")
  echo "-- $target in $pkg"
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"
done
echo "== all tests passed"
