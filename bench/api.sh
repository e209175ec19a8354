#!/usr/bin/env bash
# HTTP API benchmark (issue 7): wrk against networx serve's GET /api/v1/jobs/{job} (job
# status) and POST /api/v1/jobs (submit a solve job) while two `networx work
# --queue=optimization` workers solve, next to a bare Go net/http handler
# (bench/api/bare) on the same machine in the same run.
#
#   bench/api.sh
#
# What it does, in order:
#   1. installs wrk (Debian package) when missing; builds networx, bench/api/bare and the
#      OR-Library converter into a temporary folder; converts MODEL to MPS;
#   2. creates a fresh database networx_bench_<pid> (dropped at the end) on the server of
#      NETWORX_TEST_DATABASE_URL and runs `networx migrate`; picks an empty Redis database
#      (flushed at the end) on the server of NETWORX_TEST_REDIS_URL; blobs go to a local
#      folder in the temporary folder;
#   3. starts `networx serve`, two `networx work --queue=optimization` (concurrency 1
#      each) and the bare server, output to log files, PIDs recorded, all stopped by an
#      EXIT trap;
#   4. creates an API key (`networx keys create --json`), a project, uploads MODEL as
#      .mps (multipart) and submits PREFILL solve jobs of it through POST /api/v1/jobs, so
#      both workers are solving before and during every measurement (checked: the share of
#      each measurement window the two workers spent in jobs is reported);
#   5. runs wrk -t THREADS -c CONNS -d DURATION --latency --timeout 10s against
#      (1) the bare handler, (2) networx GET /jobs/{job} (the prefilled job ids in turn,
#      Authorization header) and (3) networx POST /jobs (a solve job of the uploaded file,
#      a unique Idempotency-Key per request), all with the same client load;
#   6. parses p50 and p99 from wrk's latency distribution, prints a table and the ratios
#      networx p99 / bare p99, and writes them into the "API" section of
#      docs/benchmarks.md (between the api:begin/api:end markers; the rest of the file is
#      left alone).
#
# Per-tenant rate limiting (http.rate_limit 50/s, http.rate_burst 100 by default) would
# turn most benchmark requests into 429s: it is raised for the run to RATE requests a
# second and a burst of RATE (NETWORX_HTTP_RATE_LIMIT/NETWORX_HTTP_RATE_BURST), so the
# limiter still runs on every request but never refuses one. Everything else is networx's
# default configuration (log.level info: one JSON line per request, to a log file).
#
# Target (issue 7): p99 of job status at most twice the bare handler's.
#
# Needs PostgreSQL and Redis (scripts/services.sh up; the environment is read from
# .local/env when present), psql, redis-cli, curl, jq, and root or sudo for apt-get when
# wrk is missing.
#
# Environment: CONNS (default 200), THREADS (2), DURATION (20s), MODEL (capb-5000: OR-Library
# capb at capacity 5000, about 2 s of solving per job; cap41..cap134 and capa-C, capb-C,
# capc-C work too), PREFILL (solve jobs queued before measuring, default 80), RATE (rate
# limit for the run, default 1000000), PORT (networx serve, default 18080), BARE_PORT
# (18081), REDIS_DB (default: the highest empty database), KEEP (1 keeps the temporary
# folder with the logs; it is also kept when the script fails), DOC (default
# docs/benchmarks.md; DOC=- only prints).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -f .local/env ]; then
	# shellcheck disable=SC1091
	. .local/env
fi
CONNS=${CONNS:-200}
THREADS=${THREADS:-2}
DURATION=${DURATION:-20s}
MODEL=${MODEL:-capb-5000}
PREFILL=${PREFILL:-80}
RATE=${RATE:-1000000}
PORT=${PORT:-18080}
BARE_PORT=${BARE_PORT:-18081}
KEEP=${KEEP:-0}
DOC=${DOC:-$root/docs/benchmarks.md}
admin_url=${NETWORX_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
redis_base=${NETWORX_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}

log() { printf 'api.sh: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

for tool in psql redis-cli curl jq go; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is needed"
done
if ! command -v wrk >/dev/null 2>&1; then
	log "installing wrk (apt-get install -y wrk)"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; } ||
		die "could not install wrk"
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_open "$PORT" && die "port $PORT is taken: set PORT"
port_open "$BARE_PORT" && die "port $BARE_PORT is taken: set BARE_PORT"

# --- state, and the trap that undoes all of it --------------------------------------
work=$(mktemp -d /tmp/networx-bench-api.XXXXXX)
db=networx_bench_$$
db_created=0
redis_db=
pids=()
names=()
ok=0

stop_all() {
	local i p deadline
	for i in "${!pids[@]}"; do
		kill -TERM "${pids[$i]}" 2>/dev/null || true
	done
	deadline=$((SECONDS + 20))
	for i in "${!pids[@]}"; do
		p=${pids[$i]}
		while kill -0 "$p" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
		if kill -0 "$p" 2>/dev/null; then
			log "${names[$i]} (pid $p) did not stop in time: SIGKILL"
			kill -KILL "$p" 2>/dev/null || true
		fi
		wait "$p" 2>/dev/null || true
	done
	pids=()
	names=()
}

cleanup() {
	local rc=$?
	set +e
	stop_all
	if [ "$db_created" = 1 ]; then
		psql -q "$admin_url" -c "drop database if exists $db with (force)" >/dev/null || log "could not drop database $db"
	fi
	if [ -n "$redis_db" ]; then
		redis-cli -h "$redis_host" -p "$redis_port" -n "$redis_db" flushdb >/dev/null || log "could not flush Redis database $redis_db"
	fi
	if [ "$ok" = 1 ] && [ "$KEEP" != 1 ]; then
		rm -rf "$work"
	else
		log "logs and files kept in $work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start NAME CMD...: runs CMD in the background, output to $work/NAME.log, PID recorded.
start() {
	local name=$1
	shift
	"$@" >"$work/$name.log" 2>&1 &
	pids+=("$!")
	names+=("$name")
	log "started $name (pid $!), log $work/$name.log"
}

# --- build ----------------------------------------------------------------------------
log "building into $work"
go build -o "$work/networx" .
go build -o "$work/bare" ./bench/api/bare
go build -o "$work/convert" ./bench/solver/convert
case $MODEL in
cap[abc]-*) "$work/convert" -formats mps -capacity "${MODEL#*-}" "bench/orlib/${MODEL%%-*}.txt" "$work/$MODEL" ;;
*) "$work/convert" -formats mps "bench/orlib/$MODEL.txt" "$work/$MODEL" ;;
esac
nx=$work/networx

# --- database, Redis, blobs -----------------------------------------------------------
psql -q "$admin_url" -c "create database $db" >/dev/null
db_created=1
case $admin_url in
postgres://* | postgresql://*) db_url=$(echo "$admin_url" | sed -E "s#^(postgres(ql)?://[^/]*)/[^?]*#\1/$db#") ;;
*) db_url="$admin_url dbname=$db" ;;
esac

hostport=${redis_base#redis://}
hostport=${hostport#*@}
hostport=${hostport%%/*}
redis_host=${hostport%%:*}
redis_port=${hostport##*:}
[ "$redis_port" = "$hostport" ] && redis_port=6379
if [ -z "${REDIS_DB:-}" ]; then
	ndb=$(redis-cli -h "$redis_host" -p "$redis_port" config get databases | tail -1)
	for ((i = ndb - 1; i >= 1; i--)); do
		if [ "$(redis-cli -h "$redis_host" -p "$redis_port" -n "$i" dbsize)" = 0 ]; then
			REDIS_DB=$i
			break
		fi
	done
	[ -n "${REDIS_DB:-}" ] || die "no empty Redis database: set REDIS_DB"
fi
[ "$(redis-cli -h "$redis_host" -p "$redis_port" -n "$REDIS_DB" dbsize)" = 0 ] || die "Redis database $REDIS_DB is not empty"
redis_db=$REDIS_DB

mkdir -p "$work/blobs"
export NETWORX_DATABASE_URL=$db_url
export NETWORX_REDIS_URL=redis://$redis_host:$redis_port/$redis_db
export NETWORX_BLOB_URL=file://$work/blobs
export NETWORX_QUEUE_DRIVER=redis
export NETWORX_HTTP_ADDR=127.0.0.1:$PORT
export NETWORX_HTTP_RATE_LIMIT=$RATE
export NETWORX_HTTP_RATE_BURST=$RATE
export NETWORX_HTTP_SHUTDOWN_TIMEOUT=5s
export NETWORX_JOBS_DRAIN_TIMEOUT=5s
"$nx" migrate >"$work/migrate.log" 2>&1 || {
	cat "$work/migrate.log" >&2
	die "networx migrate failed"
}
log "database $db migrated; Redis database $redis_db; blobs in $work/blobs"

# --- processes ---------------------------------------------------------------------
start serve "$nx" serve
start worker1 "$nx" work --queue=optimization
start worker2 "$nx" work --queue=optimization
start bare "$work/bare" -addr "127.0.0.1:$BARE_PORT"

base=http://127.0.0.1:$PORT
bare_base=http://127.0.0.1:$BARE_PORT
for ((i = 0; i < 300; i++)); do
	curl -fs -o /dev/null "$base/api/ready" && curl -fs -o /dev/null "$bare_base/api/v1/jobs/x" && break
	for j in "${!pids[@]}"; do
		kill -0 "${pids[$j]}" 2>/dev/null || die "${names[$j]} exited: see $work/${names[$j]}.log"
	done
	sleep 0.2
done
curl -fs -o /dev/null "$base/api/ready" || die "networx serve is not ready after 60 s: see $work/serve.log"

# --- tenant, key, project, file, queued jobs --------------------------------------
key=$("$nx" keys create --tenant bench --name "bench/api.sh" --json | jq -r .key)
auth="Authorization: Bearer $key"
api() { curl -fsS -H "$auth" "$@"; }
project=$(api -H 'Content-Type: application/json' -d '{"name": "api benchmark"}' "$base/api/v1/projects" | jq -r .id)
file=$(api -F "file=@$work/$MODEL.mps" "$base/api/v1/projects/$project/files" | jq -r .id)
body=$(jq -cn --arg f "$file" '{kind: "solve", file_id: $f, settings: {time_limit: "60s"}}')
log "key ${key:0:11}..., project $project, file $file ($MODEL.mps, $(du -k "$work/$MODEL.mps" | cut -f1) KB); queueing $PREFILL solve jobs"
ids=()
for ((i = 0; i < PREFILL; i++)); do
	ids+=("$(api -H 'Content-Type: application/json' -H "Idempotency-Key: prefill-$$-$i" -d "$body" "$base/api/v1/jobs" | jq -r .id)")
done

running() { "$nx" jobs list --queue optimization --status running --json 2>/dev/null | jq length; }
for ((i = 0; i < 300; i++)); do
	[ "$(running)" -ge 2 ] && break
	sleep 0.2
done
[ "$(running)" -ge 2 ] || die "the two workers did not start solving: see $work/worker1.log, $work/worker2.log"
log "both workers are solving"

# --- wrk scripts --------------------------------------------------------------------
{
	echo 'local paths = {'
	for id in "${ids[@]}"; do printf '  "/api/v1/jobs/%s",\n' "$id"; done
	echo '}'
	cat <<'LUA'
local i = 0
-- Each thread walks the job ids in turn (the same list for networx and the bare handler).
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
} >"$work/get.lua"
cat >"$work/post.lua" <<'LUA'
-- POST /api/v1/jobs with a unique Idempotency-Key per request: <run>-<thread>-<n>.
local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end
local n = 0
local run, body
function init(args)
  run, body = args[1], args[2]
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  wrk.headers["Idempotency-Key"] = run .. "-" .. tid .. "-" .. n
  return wrk.format("POST", nil, nil, body)
end
LUA

# --- measurements ---------------------------------------------------------------------
# busy T0 T1: share of the window [T0, T1] (epoch seconds) the two workers spent in jobs,
# from the started/finished times of the job records (running jobs: until now).
busy() {
	"$nx" jobs list --queue optimization --limit 1000000 --json 2>/dev/null | jq -r --argjson t0 "$1" --argjson t1 "$2" '
		def ts: if . == null then null else
			(sub("\\.[0-9]+"; "") | sub("[+-]00:00$"; "Z") | fromdateiso8601)
			+ ((capture("\\.(?<f>[0-9]+)") | "0." + .f | tonumber) // 0) end;
		(now) as $now
		| [.[] | select(.started_at != null) | {s: (.started_at | ts), f: ((.finished_at | ts) // $now)}
		   | ([.f, $t1] | min) - ([.s, $t0] | max) | select(. > 0)] | add // 0
		| . / (2 * ($t1 - $t0)) * 100 | floor'
}
done_in() { # jobs of the queue that ended in the window
	"$nx" jobs list --queue optimization --limit 1000000 --json 2>/dev/null | jq -r --argjson t0 "$1" --argjson t1 "$2" '
		[.[] | select(.finished_at != null) | .finished_at | sub("\\.[0-9]+"; "") | sub("[+-]00:00$"; "Z") | fromdateiso8601
		 | select(. >= ($t0 | floor) and . <= $t1)] | length'
}

results=$work/results.txt
: >"$results"
loads=""
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# measure NAME URL HOSTNAME LUA [ARGS...]: one wrk run, its output in $work/wrk-NAME.txt
measure() {
	local name=$1 url=$2 server=$3 lua=$4
	shift 4
	local out=$work/wrk-$name.txt t0 t1 extra=() args=()
	[ "$server" = networx ] && extra=(-H "$auth")
	[ $# -gt 0 ] && args=(-- "$@")
	log "wrk $name: $url"
	t0=$(date +%s.%N)
	wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --latency --timeout 10s "${extra[@]}" -s "$lua" "$url" "${args[@]}" >"$out" 2>&1 ||
		die "wrk failed: $(cat "$out")"
	t1=$(date +%s.%N)
	loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
	cat "$out" >&2
	echo "$name $(awk '
		function ms(v) {
			if (v ~ /us$/) return v / 1000
			if (v ~ /ms$/) return v + 0
			if (v ~ /m$/) return v * 60000
			if (v ~ /s$/) return v * 1000
			return v
		}
		/^ +50%/ { p50 = ms($2) }
		/^ +99%/ { p99 = ms($2) }
		/requests in/ { reqs = $1 }
		/^Requests\/sec:/ { rps = $2 }
		/Non-2xx or 3xx responses:/ { non2xx = $NF }
		/Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
		END { printf "%s %s %s %s %d %d", p50, p99, reqs, rps, non2xx, errs }' "$out") $(busy "$t0" "$t1") $(done_in "$t0" "$t1")" >>"$results"
}
# Response bodies, for the record.
id0=${ids[0]}
bytes_bare=$(curl -fs "$bare_base/api/v1/jobs/$id0" | wc -c)
bytes_get=$(api "$base/api/v1/jobs/$id0" | wc -c)
measure bare "$bare_base/api/v1/jobs/$id0" bare "$work/get.lua"
measure status "$base/api/v1/jobs/$id0" networx "$work/get.lua"
measure submit "$base/api/v1/jobs" networx "$work/post.lua" "run$$" "$body"
ended=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for j in "${!pids[@]}"; do
	kill -0 "${pids[$j]}" 2>/dev/null || die "${names[$j]} exited during the run: see $work/${names[$j]}.log"
done
queued=$("$nx" jobs list --queue optimization --status queued --limit 1000000 --json 2>/dev/null | jq length)
rate_limited=$(grep -c '"status":429' "$work/serve.log" || true)
stop_all

# --- report ------------------------------------------------------------------------------
# results: name p50 p99 requests rps non2xx errors busy% jobs_done
table=$(awk -v bg="$bytes_get" -v bb="$bytes_bare" '
	{ n[++k] = $1; p50[$1] = $2; p99[$1] = $3; req[$1] = $4; rps[$1] = $5; bad[$1] = $6; err[$1] = $7; busy[$1] = $8; done[$1] = $9 }
	END {
		label["bare"] = "bare net/http handler: GET /api/v1/jobs/{job} (" bb " B)"
		label["status"] = "networx: GET /api/v1/jobs/{job} (" bg " B)"
		label["submit"] = "networx: POST /api/v1/jobs (solve, Idempotency-Key)"
		print "| endpoint | requests | req/s | non-2xx | socket errors | p50 ms | p99 ms | p50 / bare p50 | p99 / bare p99 | workers busy | jobs solved |"
		print "|---|---|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= k; i++) {
			x = n[i]
			r50 = (p50["bare"] > 0) ? sprintf("%.2f", p50[x] / p50["bare"]) : "n/a"
			r99 = (p99["bare"] > 0) ? sprintf("%.2f", p99[x] / p99["bare"]) : "n/a"
			printf "| %s | %d | %.0f | %d | %d | %.2f | %.2f | %s | %s | %d%% | %d |\n", label[x], req[x], rps[x], bad[x], err[x], p50[x], p99[x], r50, r99, busy[x], done[x]
		}
	}' "$results")
verdict=$(awk '
	{ p99[$1] = $3 }
	END {
		r = (p99["bare"] > 0) ? p99["status"] / p99["bare"] : 0
		printf "Target (issue 7): p99 of job status at most 2x the bare handler'"'"'s: %s (%.2fx: %.2f ms against %.2f ms).", (r > 0 && r <= 2) ? "met" : "not met", r, p99["status"], p99["bare"]
		if (p99["bare"] > 0) printf " Submit: %.2fx.", p99["submit"] / p99["bare"]
	}' "$results")

section=$(
	cat <<MD
<!-- api:begin -->
Written by \`bench/api.sh\`; edits between the markers are overwritten. Run $started to $ended on $(nproc) CPUs
shared by everything: wrk, networx serve, the two workers, PostgreSQL, Redis and the bare server all on one host
(1-minute load average after each measurement:$loads). wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}'): \`-t$THREADS -c$CONNS -d$DURATION --latency --timeout 10s\`,
one measurement after the other, each target given the same Lua script shape. While every measurement ran, two
\`networx work --queue=optimization\` workers (concurrency 1 each) solved $MODEL (OR-Library, MPS uploaded through
the API) from $PREFILL solve jobs queued beforehand ("workers busy": share of the window the two spent in jobs;
"jobs solved": jobs that ended in it). GET status walks those $PREFILL job ids with one API key; POST submits a
solve job of the uploaded file with a new Idempotency-Key each time (202, then queued: $queued jobs were waiting at
the end). networx ran with its defaults (log.level info: a JSON line per request to a file; database.max_conns 20;
auth cache 10 s) except the per-tenant rate limit, **raised for the run to $RATE requests/s and a burst of
$RATE** (http.rate_limit 50/s and http.rate_burst 100 by default would refuse most requests with 429; 429 lines in
the serve log: $rate_limited). The bare handler (bench/api/bare) encodes a similar job status with encoding/json,
nothing else. wrk is a closed-loop client: each connection waits for its answer, so latencies are those at the
throughput reached, not at a fixed arrival rate.

$table

$verdict
<!-- api:end -->
MD
)
printf '%s\n' "$section"
ok=1
[ "$DOC" = - ] && exit 0

if [ -f "$DOC" ] && grep -q '<!-- api:begin' "$DOC"; then
	tmp=$(mktemp)
	awk -v repl="$section" '
		/<!-- api:begin/ { print repl; skip = 1; next }
		/<!-- api:end -->/ { skip = 0; next }
		!skip { print }' "$DOC" >"$tmp"
	cat "$tmp" >"$DOC"
	rm -f "$tmp"
else
	{
		printf '\n## API\n\nLatency of the HTTP API (networx serve) under load, written by `bench/api.sh` (see that script and docs/api.md).\n\n'
		printf '%s\n' "$section"
	} >>"$DOC"
fi
log "wrote the API section of $DOC"
