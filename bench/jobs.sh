#!/usr/bin/env bash
# Job system benchmark: enqueue-to-start latency and cancel latency on each queue driver.
#
#   bench/jobs.sh
#
# Runs BenchmarkJobLatency (jobs/bench_test.go) once: per driver, JOBS short jobs (default
# 1000) go through a worker with 4 slots, fed by 4 submitters so the queue never backs up
# (the latency is the system's, not a backlog's), then JOBS blocking jobs are started and
# cancelled one by one. It prints p50/p99 of both latencies per driver, the ratio
# sqs/redis, and writes them into the "Jobs" section of docs/benchmarks.md (between the
# jobs:begin/jobs:end markers; the rest of the file is left alone).
#
# Needs the services of scripts/services.sh (Redis; fauxqs for the sqs driver): the
# environment is read from .local/env when present. No external job system is run as a
# peer (none is installed here); the Redis driver is the baseline of the ratio.
#
# Environment: JOBS (default 1000), DOC (default docs/benchmarks.md; DOC=- only prints).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -f .local/env ]; then
	# shellcheck disable=SC1091
	. .local/env
fi
: "${NETWORX_TEST_REDIS_URL:?set it or run scripts/services.sh up}"
: "${NETWORX_TEST_SQS_ENDPOINT:?set it or run scripts/services.sh up}"
JOBS=${JOBS:-1000}
DOC=${DOC:-$root/docs/benchmarks.md}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
NETWORX_BENCH_JOBS=$JOBS go test -run '^$' -bench 'JobLatency' -benchtime 1x -timeout 60m ./jobs/ | tee "$out" >&2
load=$(cut -d' ' -f1 /proc/loadavg)

# A result line: BenchmarkJobLatency/redis-2 1 NS ns/op V cancel-p50-ms V cancel-p99-ms V jobs V start-p50-ms V start-p99-ms
table=$(awk -v jobs="$JOBS" '
/^BenchmarkJobLatency\// {
	split($1, a, "/"); d = a[2]; sub(/-[0-9]+$/, "", d)
	for (i = 3; i < NF; i++) v[d, $(i + 1)] = $i
	ds[++n] = d
}
END {
	print "| driver | jobs | start p50 ms | start p99 ms | cancel p50 ms | cancel p99 ms |"
	print "|---|---|---|---|---|---|"
	for (k = 1; k <= n; k++) {
		d = ds[k]
		printf "| %s | %d | %.2f | %.2f | %.2f | %.2f |\n", d, v[d, "jobs"], v[d, "start-p50-ms"], v[d, "start-p99-ms"], v[d, "cancel-p50-ms"], v[d, "cancel-p99-ms"]
	}
	if (v["redis", "start-p50-ms"] > 0 && v["sqs", "start-p50-ms"] > 0)
		printf "| sqs/redis | | %.2f | %.2f | %.2f | %.2f |\n", v["sqs", "start-p50-ms"] / v["redis", "start-p50-ms"], v["sqs", "start-p99-ms"] / v["redis", "start-p99-ms"], v["sqs", "cancel-p50-ms"] / v["redis", "cancel-p50-ms"], v["sqs", "cancel-p99-ms"] / v["redis", "cancel-p99-ms"]
}' "$out")

section=$(
	cat <<MD
<!-- jobs:begin (written by bench/jobs.sh; edits are overwritten) -->
Run $started, $JOBS jobs per driver and measure, one worker with 4 slots and 4 submitters (one FIFO group
each) on the same host, Redis 7 and the fauxqs SQS stand-in on 127.0.0.1, 2 CPUs, 1-minute load
average $load at the end. Start latency: from the call to \`jobs.Enqueue\` to the handler starting.
Cancel latency: from \`Store.Cancel\` on a running job to the record reading cancelled (the worker's
confirmation). Last row: ratio of the sqs driver to the redis driver.

$table
<!-- jobs:end -->
MD
)
printf '%s\n' "$section"
[ "$DOC" = - ] && exit 0

if [ -f "$DOC" ] && grep -q '<!-- jobs:begin' "$DOC"; then
	tmp=$(mktemp)
	awk -v repl="$section" '
		/<!-- jobs:begin/ { print repl; skip = 1; next }
		/<!-- jobs:end -->/ { skip = 0; next }
		!skip { print }' "$DOC" >"$tmp"
	cat "$tmp" >"$DOC"
	rm -f "$tmp"
else
	{
		printf '\n## Jobs\n\nLatency of the job system, written by `bench/jobs.sh` (see that script and docs/jobs.md).\n\n'
		printf '%s\n' "$section"
	} >>"$DOC"
fi
echo "wrote the Jobs section of $DOC" >&2
