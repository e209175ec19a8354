#!/usr/bin/env bash
# services.sh: the local service stack networx tests and the binary run against.
#
#   scripts/services.sh up      start (or reuse) PostgreSQL, Redis, S3 (versitygw), SQS (fauxqs)
#   scripts/services.sh down    stop only what `up` started (PIDs in the state dir)
#   scripts/services.sh status  show each service and who owns it
#   scripts/services.sh env     print the environment (export lines) for the services that
#                               answer; `up` and `down` also write it to <state dir>/env
#
# up, down and status take an optional list of services (postgresql (or postgres), redis,
# s3, sqs), e.g. `scripts/services.sh up postgresql redis`; without one they act on
# $NETWORX_SERVICES, or on all four when that is unset.
#
# Environment:
#   NETWORX_TOOLS_DIR  tool installs, shared by clones  (default $HOME/.cache/networx/tools)
#   NETWORX_STATE_DIR  pids, logs, data, env file        (default <repo>/.local)
#   NETWORX_S3_PORT    versitygw port                    (default 7070)
#   NETWORX_SQS_PORT   fauxqs port                       (default 7071)
#   NETWORX_REDIS_PORT Redis port                        (default 6379)
#   NETWORX_SERVICES   default service list              (default "postgresql redis s3 sqs")
#
# Stand-ins and why: ../shared/notes/local-stack.md and docs/blob.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=${NETWORX_TOOLS_DIR:-$HOME/.cache/networx/tools}
STATE=${NETWORX_STATE_DIR:-$REPO/.local}

HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=${NETWORX_REDIS_PORT:-6379}
S3_PORT=${NETWORX_S3_PORT:-7070}
SQS_PORT=${NETWORX_SQS_PORT:-7071}

VERSITYGW_VERSION=v1.8.0
NODE_VERSION=22.23.3
FAUXQS_VERSION=2.4.1

# Test credentials for the local stand-ins only; versitygw enforces them, fauxqs accepts any.
S3_ACCESS=test
S3_SECRET=testsecret

VERSITYGW=$TOOLS/bin/versitygw
NODE_PREFIX=$TOOLS/node
NODE=$NODE_PREFIX/node_modules/node/bin/node
FAUXQS_DIR=$NODE_PREFIX/node_modules/fauxqs

# Seconds to wait for each service to answer after it was started.
WAIT_SECONDS=60

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# port_open HOST PORT succeeds when something accepts TCP connections there.
port_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# http_status PORT PATH prints the HTTP status code of GET http://127.0.0.1:PORT/PATH, or
# nothing when the port does not answer HTTP within two seconds.
http_status() {
	(
		exec 3<>"/dev/tcp/$HOST/$1" || exit 0
		printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$2" "$HOST" "$1" >&3
		line=
		read -r -t 2 line <&3 || true
		line=${line#* }
		printf '%s' "${line%% *}"
	) 2>/dev/null || true
}

pg_ready() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -h "$HOST" -p "$PG_PORT"
	else
		port_open "$HOST" "$PG_PORT"
	fi
}

redis_ready() {
	if command -v redis-cli >/dev/null 2>&1; then
		[[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
	else
		port_open "$HOST" "$REDIS_PORT"
	fi
}

# versitygw answers an anonymous GET / with 403 AccessDenied.
s3_ready() { [[ $(http_status "$S3_PORT" /) == 403 ]]; }
sqs_ready() { [[ $(http_status "$SQS_PORT" /health) == 200 ]]; }

pidfile() { printf '%s/pids/%s.pid' "$STATE" "$1"; }
logfile() { printf '%s/logs/%s.log' "$STATE" "$1"; }

# owned_pid NAME prints the PID recorded for NAME when that process still runs and is still
# the program that was started (guards against PID reuse).
owned_pid() {
	local f pid want
	f=$(pidfile "$1")
	[[ -f $f ]] || return 1
	read -r pid want <"$f" || true
	[[ -n ${pid:-} ]] && kill -0 "$pid" 2>/dev/null || return 1
	if [[ -n ${want:-} && -r /proc/$pid/cmdline ]]; then
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$want" || return 1
	fi
	printf '%s' "$pid"
}

# start_daemon NAME DIR MATCH CMD... starts CMD in DIR with its output in the service log and
# records "PID MATCH" (MATCH: a word of its command line). The daemon gets no stdin, no
# inherited stdout and not the lock descriptor, so a piped or locking caller never waits on it.
start_daemon() {
	local name=$1 dir=$2 match=$3
	shift 3
	mkdir -p "$dir" "$STATE/logs" "$STATE/pids"
	(cd "$dir" && exec "$@") >"$(logfile "$name")" 2>&1 </dev/null 9>&- &
	printf '%s %s\n' "$!" "$match" >"$(pidfile "$name")"
	log "$name: started pid $! (log $(logfile "$name"))"
}

# wait_ready NAME CHECK waits until CHECK succeeds, failing early when the started process
# died.
wait_ready() {
	local name=$1 check=$2 i
	for ((i = 0; i < WAIT_SECONDS * 4; i++)); do
		"$check" && return 0
		if [[ -f $(pidfile "$name") ]] && ! owned_pid "$name" >/dev/null; then
			tail -n 20 "$(logfile "$name")" >&2 || true
			die "$name exited during start-up; log: $(logfile "$name")"
		fi
		sleep 0.25
	done
	tail -n 20 "$(logfile "$name")" >&2 2>/dev/null || true
	die "$name did not answer within ${WAIT_SECONDS}s; log: $(logfile "$name")"
}

apt_install() {
	[[ $(id -u) == 0 ]] || die "$1 is missing and installing it needs root: apt-get install -y $1"
	command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available"
	log "installing $1 with apt-get"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >"$STATE/logs/apt-$1.log" 2>&1 ||
		{
			apt-get update -q >>"$STATE/logs/apt-$1.log" 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >>"$STATE/logs/apt-$1.log" 2>&1
		} ||
		die "apt-get install $1 failed; log: $STATE/logs/apt-$1.log"
}

up_postgresql() {
	if pg_ready; then
		log "postgresql: reusing $HOST:$PG_PORT"
		return
	fi
	port_open "$HOST" "$PG_PORT" && die "postgresql: port $PG_PORT is taken by something that is not PostgreSQL"
	local fresh=
	if ! command -v pg_ctlcluster >/dev/null 2>&1; then
		apt_install postgresql
		fresh=1
	fi
	local version
	version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -n | tail -n 1)
	[[ -n $version ]] || die "postgresql: no cluster under /etc/postgresql (pg_createcluster needed)"
	local hba=/etc/postgresql/$version/main/pg_hba.conf
	if [[ -n $fresh && -w $hba ]] && ! grep -qE '^host +all +all +127\.0\.0\.1/32 +trust' "$hba"; then
		# A fresh local install: the test URL carries no password.
		log "postgresql: allowing passwordless connections from 127.0.0.1 ($hba)"
		sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
	fi
	mkdir -p "$STATE/logs" "$STATE/pids"
	pg_ctlcluster --skip-systemctl-redirect "$version" main start >"$(logfile postgresql)" 2>&1 ||
		die "postgresql: pg_ctlcluster start failed; log: $(logfile postgresql)"
	local pid
	pid=$(head -n 1 "/var/lib/postgresql/$version/main/postmaster.pid" 2>/dev/null || true)
	[[ -n $pid ]] || die "postgresql: started but no postmaster.pid; log: $(logfile postgresql)"
	printf '%s %s\n' "$pid" postgres >"$(pidfile postgresql)"
	log "postgresql: started cluster $version/main, pid $pid"
	wait_ready postgresql pg_ready
}

up_redis() {
	if redis_ready; then
		log "redis: reusing $HOST:$REDIS_PORT"
		return
	fi
	port_open "$HOST" "$REDIS_PORT" && die "redis: port $REDIS_PORT is taken by something that is not Redis"
	command -v redis-server >/dev/null 2>&1 || apt_install redis-server
	start_daemon redis "$STATE/redis" redis-server \
		redis-server --daemonize no --bind "$HOST" --port "$REDIS_PORT" \
		--save "" --appendonly no --dir "$STATE/redis"
	wait_ready redis redis_ready
}

install_versitygw() {
	[[ -x $VERSITYGW ]] && return
	command -v go >/dev/null 2>&1 || die "versitygw: go is needed to install it"
	mkdir -p "$TOOLS/bin" "$STATE/logs"
	log "versitygw: installing $VERSITYGW_VERSION into $TOOLS/bin (about 7 minutes cold)"
	GOBIN=$TOOLS/bin go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" \
		>"$STATE/logs/install-versitygw.log" 2>&1 </dev/null ||
		die "versitygw: go install failed; log: $STATE/logs/install-versitygw.log"
}

up_s3() {
	if s3_ready; then
		log "s3: reusing $HOST:$S3_PORT"
		return
	fi
	port_open "$HOST" "$S3_PORT" && die "s3: port $S3_PORT is taken by something that is not versitygw"
	install_versitygw
	mkdir -p "$STATE/s3data"
	start_daemon s3 "$STATE" versitygw \
		"$VERSITYGW" --access "$S3_ACCESS" --secret "$S3_SECRET" --port "$HOST:$S3_PORT" --quiet \
		posix "$STATE/s3data"
	wait_ready s3 s3_ready
}

install_fauxqs() {
	if [[ -x $NODE && -f $FAUXQS_DIR/package.json ]] &&
		[[ $("$NODE" --version) == "v$NODE_VERSION" ]] &&
		grep -q "\"version\": \"$FAUXQS_VERSION\"" "$FAUXQS_DIR/package.json"; then
		return
	fi
	command -v npm >/dev/null 2>&1 || die "sqs: npm is needed to install node@$NODE_VERSION and fauxqs@$FAUXQS_VERSION"
	mkdir -p "$NODE_PREFIX" "$STATE/logs"
	log "sqs: installing node@$NODE_VERSION and fauxqs@$FAUXQS_VERSION into $NODE_PREFIX (about 1.5 minutes cold)"
	npm install --no-audit --no-fund --save-exact --prefix "$NODE_PREFIX" \
		"node@$NODE_VERSION" "fauxqs@$FAUXQS_VERSION" >"$STATE/logs/install-fauxqs.log" 2>&1 </dev/null ||
		die "sqs: npm install failed; log: $STATE/logs/install-fauxqs.log"
	[[ -x $NODE ]] || die "sqs: npm installed no Node binary at $NODE; log: $STATE/logs/install-fauxqs.log"
}

up_sqs() {
	if sqs_ready; then
		log "sqs: reusing $HOST:$SQS_PORT"
		return
	fi
	port_open "$HOST" "$SQS_PORT" && die "sqs: port $SQS_PORT is taken by something that is not fauxqs"
	install_fauxqs
	start_daemon sqs "$STATE" fauxqs-launch.mjs \
		"$NODE" "$REPO/scripts/fauxqs-launch.mjs" "$FAUXQS_DIR" "$HOST" "$SQS_PORT"
	wait_ready sqs sqs_ready
}

# env_text prints the environment for the services that answer now, so a test never sees
# the variable of a service that is not there (tests fail when a set variable is unreachable).
env_text() {
	pg_ready && printf "export NETWORX_TEST_DATABASE_URL='postgres://postgres@%s:%s/postgres?sslmode=disable'\n" "$HOST" "$PG_PORT"
	redis_ready && printf "export NETWORX_TEST_REDIS_URL='redis://%s:%s/0'\n" "$HOST" "$REDIS_PORT"
	local s3=false sqs=false
	s3_ready && s3=true
	sqs_ready && sqs=true
	if $s3 || $sqs; then
		printf "export AWS_ACCESS_KEY_ID='%s'\n" "$S3_ACCESS"
		printf "export AWS_SECRET_ACCESS_KEY='%s'\n" "$S3_SECRET"
		printf "export AWS_REGION='us-east-1'\n"
	fi
	if $s3; then
		printf "export NETWORX_TEST_S3_ENDPOINT='http://%s:%s'\n" "$HOST" "$S3_PORT"
		printf "export AWS_ENDPOINT_URL_S3='http://%s:%s'\n" "$HOST" "$S3_PORT"
	fi
	if $sqs; then
		printf "export NETWORX_TEST_SQS_ENDPOINT='http://%s:%s'\n" "$HOST" "$SQS_PORT"
		printf "export AWS_ENDPOINT_URL_SQS='http://%s:%s'\n" "$HOST" "$SQS_PORT"
	fi
	return 0
}

write_env() {
	env_text >"$STATE/env.tmp"
	mv "$STATE/env.tmp" "$STATE/env"
}

cmd_up() {
	local svc
	for svc in "$@"; do
		"up_$svc"
	done
	write_env
	log "$* answer; environment: source $STATE/env"
}

# stop NAME SIGNAL stops the process `up` recorded for NAME, if it still runs.
stop() {
	local name=$1 sig=$2 pid i
	if ! pid=$(owned_pid "$name"); then
		[[ -f $(pidfile "$name") ]] && log "$name: recorded process is gone"
		rm -f "$(pidfile "$name")"
		return 0
	fi
	log "$name: stopping pid $pid"
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < 80; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.25
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name: pid $pid ignored SIG$sig for 20s, sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$(pidfile "$name")"
}

cmd_down() {
	local svc
	# Reverse start order.
	for svc in sqs s3 redis postgresql; do
		[[ " $* " == *" $svc "* ]] || continue
		# SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
		if [[ $svc == postgresql ]]; then stop "$svc" INT; else stop "$svc" TERM; fi
	done
	write_env
}

cmd_status() {
	local name check where pid owner
	for name in "$@"; do
		case $name in
		postgresql) check=pg_ready where=$HOST:$PG_PORT ;;
		redis) check=redis_ready where=$HOST:$REDIS_PORT ;;
		s3) check=s3_ready where=$HOST:$S3_PORT ;;
		sqs) check=sqs_ready where=$HOST:$SQS_PORT ;;
		esac
		owner=external
		pid=$(owned_pid "$name") && owner="started here, pid $pid"
		if "$check"; then
			printf '%-11s up    %-16s %s\n' "$name" "$where" "$owner"
		else
			printf '%-11s down  %-16s\n' "$name" "$where"
		fi
	done
}

usage() {
	printf 'usage: %s up|down|status [postgresql|redis|s3|sqs ...] | env\n' "$0" >&2
	exit 2
}

main() {
	local cmd=${1:-} svc
	[[ $# -gt 0 ]] && shift
	case $cmd in
	up | down | status) ;;
	env)
		[[ $# -eq 0 ]] || usage
		env_text
		return
		;;
	*) usage ;;
	esac
	if [[ $# -eq 0 ]]; then
		# shellcheck disable=SC2086 # a space-separated list
		set -- ${NETWORX_SERVICES:-postgresql redis s3 sqs}
	fi
	local svcs=()
	for svc in "$@"; do
		case $svc in
		postgres) svcs+=(postgresql) ;;
		postgresql | redis | s3 | sqs) svcs+=("$svc") ;;
		*) usage ;;
		esac
	done
	set -- "${svcs[@]}"
	mkdir -p "$STATE/pids" "$STATE/logs"
	# One `up` or `down` at a time per state dir; daemons never inherit descriptor 9.
	exec 9>"$STATE/lock"
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	"cmd_$cmd" "$@"
}

main "$@"
