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
#   4. for two tenants, bench-load and bench: creates an API key (`networx keys create
#      --json`), a project, uploads MODEL as .mps (multipart) and submits PREFILL solve jobs
#      of it through POST /api/v1/jobs. The optimization queue runs one job per tenant at a
#      time (FIFO, one message group per tenant), so two tenants keep both workers solving
#      before and during every measurement (checked: the share of each measurement window
#      the two workers spent in jobs is reported). The measurements use tenant bench;
#   5. runs wrk -t THREADS -c CONNS -d DURATION --latency --timeout 10s, ROUNDS times
#      against (1) the bare handler and (2) networx GET /jobs/{job} alternately (both walk
#      the prefilled job ids; networx with the Authorization header), then once against
#      (3) networx POST /jobs (a solve job of the uploaded file, a unique Idempotency-Key
#      per request), all with the same client load. One p99 from one window on a shared
#      2-CPU box is noisy (a stall of a second elsewhere moves it), hence the rounds and
#      medians;
#   6. parses p50 and p99 from wrk's latency distribution, prints a table per run, the
#      medians and the ratios networx / bare, and writes them into the "API" section of
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
# Environment: CONNS (default 200), THREADS (2), DURATION (20s), ROUNDS (3; ROUNDS=1 is
# one run each), MODEL (capb-5000: OR-Library capb at capacity 5000, about 2 s of solving
# per job; cap41..cap134 and capa-C, capb-C, capc-C work too), PREFILL (solve jobs queued
# per tenant before measuring, default 60), RATE (rate limit for the run, default
# 1000000), PORT (networx serve, default 18080), BARE_PORT (18081), REDIS_DB (default:
# the highest empty database), KEEP (1 keeps the temporary folder with the logs; it is
# also kept when the script fails), DOC (default docs/benchmarks.md; DOC=- only prints).
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
PREFILL=${PREFILL:-60}
ROUNDS=${ROUNDS:-3}
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

# --- tenants, keys, projects, files, queued jobs ------------------------------------
# The optimization queue is FIFO with one message group per tenant: one tenant's jobs run
# one at a time. So two tenants queue solve jobs: "bench" (whose key and jobs the
# measurements use) and "bench-load"; each keeps one worker solving.
# setup_tenant TENANT: sets key, auth, project, file and body for TENANT.
setup_tenant() {
	key=$("$nx" keys create --tenant "$1" --name "bench/api.sh" --json | jq -r .key)
	auth="Authorization: Bearer $key"
	project=$(api -H 'Content-Type: application/json' -d '{"name": "api benchmark"}' "$base/api/v1/projects" | jq -r .id)
	file=$(api -F "file=@$work/$MODEL.mps" "$base/api/v1/projects/$project/files" | jq -r .id)
	body=$(jq -cn --arg f "$file" '{kind: "solve", file_id: $f, settings: {time_limit: "60s"}}')
	log "tenant $1: key ${key:0:11}..., project $project, file $file ($MODEL.mps, $(du -k "$work/$MODEL.mps" | cut -f1) KB); queueing $PREFILL solve jobs"
}
api() { curl -fsS -H "$auth" "$@"; }
submit() { api -H 'Content-Type: application/json' -H "Idempotency-Key: prefill-$$-$1" -d "$body" "$base/api/v1/jobs" | jq -r .id; }
setup_tenant bench-load
for ((i = 0; i < PREFILL; i++)); do submit "$i" >/dev/null; done
setup_tenant bench # the measured tenant: key, auth, file and body stay its own
ids=()
for ((i = 0; i < PREFILL; i++)); do ids+=("$(submit "$i")"); done

running() { "$nx" jobs list --queue optimization --status running --json 2>/dev/null | jq length; }
for ((i = 0; i < 300; i++)); do
	[ "$(running)" -ge 2 ] && break
	sleep 0.2
done
[ "$(running)" -ge 2 ] || die "the two workers did not both start solving: see $work/worker1.log, $work/worker2.log"
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
# measure NAME ROUND URL SERVER LUA [ARGS...]: one wrk run, its output in
# $work/wrk-NAME-ROUND.txt, one line in $results: name round p50_ms p99_ms requests req/s
# non2xx socket_errors busy% jobs_ended.
measure() {
	local name=$1 round=$2 url=$3 server=$4 lua=$5
	shift 5
	local out=$work/wrk-$name-$round.txt t0 t1 extra=() args=()
	[ "$server" = networx ] && extra=(-H "$auth")
	[ $# -gt 0 ] && args=(-- "$@")
	log "wrk $name (round $round): $url"
	t0=$(date +%s.%N)
	wrk -t "$THREADS" -c "$CONNS" -d "$DURATION" --latency --timeout 10s "${extra[@]}" -s "$lua" "$url" "${args[@]}" >"$out" 2>&1 ||
		die "wrk failed: $(cat "$out")"
	t1=$(date +%s.%N)
	loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
	cat "$out" >&2
	echo "$name $round $(awk '
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
for ((r = 1; r <= ROUNDS; r++)); do
	measure bare "$r" "$bare_base/api/v1/jobs/$id0" bare "$work/get.lua"
	measure status "$r" "$base/api/v1/jobs/$id0" networx "$work/get.lua"
done
measure submit 1 "$base/api/v1/jobs" networx "$work/post.lua" "run$$" "$body"
ended=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for j in "${!pids[@]}"; do
	kill -0 "${pids[$j]}" 2>/dev/null || die "${names[$j]} exited during the run: see $work/${names[$j]}.log"
done
queued=$("$nx" jobs list --queue optimization --status queued --limit 1000000 --json 2>/dev/null | jq length)
rate_limited=$(grep -c '"status":429' "$work/serve.log" || true)
stop_all

# --- report ------------------------------------------------------------------------------
# results: name round p50 p99 requests rps non2xx errors busy% jobs_ended. Ratios of a
# round's status against the same round's bare; of submit and the medians against the
# median of the bare rounds.
report_awk='
function median(name, col,    v, m, i, j, t) {
	m = 0
	for (i = 1; i <= k; i++) if (n[i] == name) v[++m] = val[i, col]
	for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	if (m == 0) return 0
	return (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}
function ratio(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "n/a" }
{ n[++k] = $1; rd[k] = $2; for (c = 3; c <= NF; c++) val[k, c] = $c; if ($1 == "bare") { bare50[$2] = $3; bare99[$2] = $4 } }
END { m50 = median("bare", 3); m99 = median("bare", 4); s50 = median("status", 3); s99 = median("status", 4) }
'
table=$(awk -v bg="$bytes_get" -v bb="$bytes_bare" -v rounds="$ROUNDS" "$report_awk"'
END {
	label["bare"] = "bare net/http handler: GET /api/v1/jobs/{job} (" bb " B)"
	label["status"] = "networx: GET /api/v1/jobs/{job} (" bg " B)"
	label["submit"] = "networx: POST /api/v1/jobs (solve, Idempotency-Key)"
	print "| endpoint | round | requests | req/s | non-2xx | socket errors | p50 ms | p99 ms | p50 / bare p50 | p99 / bare p99 | workers busy | jobs solved |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= k; i++) {
		x = n[i]
		if (x == "submit") { b50 = m50; b99 = m99; r = "after; vs median bare" } else { b50 = bare50[rd[i]]; b99 = bare99[rd[i]]; r = rd[i] }
		printf "| %s | %s | %d | %.0f | %d | %d | %.2f | %.2f | %s | %s | %d%% | %d |\n", label[x], r, val[i, 5], val[i, 6], val[i, 7], val[i, 8],
			val[i, 3], val[i, 4], ratio(val[i, 3], b50), ratio(val[i, 4], b99), val[i, 9], val[i, 10]
	}
	print ""
	printf "| median over the %d rounds | p50 ms | p99 ms | p50 / bare p50 | p99 / bare p99 |\n", rounds
	print "|---|---|---|---|---|"
	printf "| bare handler GET | %.2f | %.2f | 1.00 | 1.00 |\n", m50, m99
	printf "| networx GET job status | %.2f | %.2f | %s | %s |\n", s50, s99, ratio(s50, m50), ratio(s99, m99)
	printf "| networx POST submit (one run) | %.2f | %.2f | %s | %s |\n", median("submit", 3), median("submit", 4), ratio(median("submit", 3), m50), ratio(median("submit", 4), m99)
}' "$results")
verdict=$(awk "$report_awk"'
END {
	r = (m99 > 0) ? s99 / m99 : 0
	printf "Target (issue 7): p99 of job status at most 2x the bare handler'"'"'s: **%s** (median p99 %.2f ms against %.2f ms: %.2fx; per round:", (r > 0 && r <= 2) ? "met" : "not met", s99, m99, r
	for (i = 1; i <= k; i++) if (n[i] == "status") printf " %s", ratio(val[i, 4], bare99[rd[i]])
	printf "). Submit p99: %sx the median bare p99.", ratio(median("submit", 4), m99)
}' "$results")

section=$(
	cat <<MD
<!-- api:begin -->
Written by \`bench/api.sh\` (edits between the markers are overwritten). Run $started to $ended.

- Machine: $(nproc) CPUs shared by everything: wrk, networx serve, the two workers, PostgreSQL, Redis and the bare
  server on one host; 1-minute load average after each measurement:$loads.
- Client: wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}') \`-t$THREADS -c$CONNS -d$DURATION --latency --timeout 10s\`, one measurement after the other:
  $ROUNDS rounds of (bare handler, networx job status), then networx submit. Each p99 comes from one $DURATION window on a
  box shared with other work, so the rounds show the noise; the target is judged on the medians. wrk is a
  closed-loop client (each connection waits for its answer): latencies are those at the throughput reached, not at
  a fixed arrival rate.
- Workers: two \`networx work --queue=optimization\` (concurrency 1 each) solved $MODEL (OR-Library, as MPS uploaded
  through the API) during every measurement, from $PREFILL solve jobs queued beforehand by each of two tenants (the
  optimization queue runs one job per tenant at a time). "workers busy": share of the window the two spent in jobs;
  "jobs solved": jobs that ended in it.
- GET: the bare handler and networx get the same Lua script, walking the measured tenant's $PREFILL job ids (networx
  with its API key). POST: a solve job of the tenant's uploaded file with a new Idempotency-Key per request (202,
  then queued: $queued jobs were waiting when the run ended).
- networx ran with its defaults (log.level info, one JSON line per request to a file; database.max_conns 20; auth
  cache 10 s) except the per-tenant rate limit, **raised for the run to $RATE requests/s with a burst of $RATE**
  (NETWORX_HTTP_RATE_LIMIT/NETWORX_HTTP_RATE_BURST; the defaults, 50/s and a burst of 100, would answer most
  benchmark requests 429). 429 answers in the serve log: $rate_limited.
- Bare handler (bench/api/bare): \`net/http\` and \`encoding/json\` answering a fixed running-job status, nothing else
  (no authentication, Redis, rate limiting, logging or metrics). Body sizes in the table: of the first job id just
  before measuring (networx's vary with the job's state: about 200 B queued, more with progress or a result).

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
