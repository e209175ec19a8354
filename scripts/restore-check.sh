#!/usr/bin/env bash
# restore-check.sh: exercises the single-host PostgreSQL restore of docs/operations.md.
#
# It fills a fresh database through networx (migrations, then solve jobs run by a real
# worker and one job cancelled by the operator command, which networx writes to the run
# history), dumps it with pg_dump -Fc, restores the dump into another fresh database with
# pg_restore, and checks that networx reads everything back from the restored database
# alone: `migrate status` is identical and nothing is pending, `migrate` has nothing to do,
# every job shows identically from the run history (with an empty Redis, so nothing comes
# from there), and the job_runs table has the same rows (count and checksum).
#
# Environment:
#   NETWORX_TEST_DATABASE_URL  a PostgreSQL URL with the right to create databases (required)
#   NETWORX_BIN                the networx binary (default: built from this checkout)
#   REDIS_SERVER               redis-server to start for the jobs (default: from PATH)
#
# The databases and the Redis server are the script's own and are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "restore-check: FAIL: $*" >&2; exit 1; }
log() { echo "restore-check: $*" >&2; }

: "${NETWORX_TEST_DATABASE_URL:?set NETWORX_TEST_DATABASE_URL to a PostgreSQL URL that may create databases}"
for tool in psql pg_dump pg_restore redis-cli "${REDIS_SERVER:=redis-server}"; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done

work=$(mktemp -d)
suffix=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
src_db="networx_restore_src_$suffix"
dst_db="networx_restore_dst_$suffix"
pids=()

cleanup() {
  set +e
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null
  done
  for db in "$src_db" "$dst_db"; do
    psql "$NETWORX_TEST_DATABASE_URL" -qAtc "drop database if exists $db with (force)" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT

# db_url NAME prints NETWORX_TEST_DATABASE_URL pointing at database NAME.
db_url() {
  local base=${NETWORX_TEST_DATABASE_URL%%\?*} query=
  [[ $NETWORX_TEST_DATABASE_URL == *\?* ]] && query="?${NETWORX_TEST_DATABASE_URL#*\?}"
  echo "${base%/*}/$1$query"
}

if [[ -z ${NETWORX_BIN:-} ]]; then
  log "building networx"
  PATH="/usr/local/go/bin:$PATH" go build -o "$work/networx" .
  NETWORX_BIN=$work/networx
fi

# A Redis of our own: networx has no key prefix setting, so a shared one would mix our
# queue with other users'.
redis_port=
for _ in $(seq 20); do
  port=$((20000 + RANDOM % 20000))
  "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    redis_port=$port
    pids+=("$pid")
    break
  fi
  kill "$pid" 2>/dev/null || true
done
[[ -n $redis_port ]] || die "could not start redis-server: $(cat "$work/redis.log")"

psql "$NETWORX_TEST_DATABASE_URL" -qAtc "create database $src_db" >/dev/null
psql "$NETWORX_TEST_DATABASE_URL" -qAtc "create database $dst_db" >/dev/null

# nx_env DB prints the environment pointing networx at database DB, our Redis and blob folder.
nx_env() {
  printf '%s\n' "NETWORX_DATABASE_URL=$(db_url "$1")" "NETWORX_REDIS_URL=redis://127.0.0.1:$redis_port/0" \
    "NETWORX_BLOB_URL=file://$work/blobs" NETWORX_QUEUE_DRIVER=redis NETWORX_LOG_FORMAT=text
}

# nx DB ARGS... runs networx against database DB.
nx() {
  local db=$1
  shift
  mapfile -t vars < <(nx_env "$db")
  env "${vars[@]}" "$NETWORX_BIN" "$@"
}

log "filling $src_db through networx"
nx "$src_db" migrate >/dev/null
cp cli/clitest/testdata/small.mps "$work/small.mps"

# One job cancelled while queued (no worker yet): the operator command writes its history.
cancelled=$(nx "$src_db" jobs submit solve --file "$work/small.mps" --tenant acme)
[[ $(nx "$src_db" jobs cancel "$cancelled") == cancelled ]] || die "cancel of a queued job did not end it"

# env execs networx, so $! is the worker itself and receives the SIGTERM below.
mapfile -t vars < <(nx_env "$src_db")
env "${vars[@]}" "$NETWORX_BIN" work --queue=optimization >"$work/worker.log" 2>&1 &
worker=$!
pids+=("$worker")
ids=("$cancelled")
for tenant in acme acme globex; do
  ids+=("$(nx "$src_db" jobs submit solve --file "$work/small.mps" --tenant "$tenant")")
done
for id in "${ids[@]:1}"; do
  status=$(nx "$src_db" jobs wait "$id" --timeout 2m) || die "job $id ended $status; worker log: $(tail -20 "$work/worker.log")"
done
kill -TERM "$worker"
wait "$worker" || die "the worker did not stop cleanly: $(tail -20 "$work/worker.log")"
pids=("${pids[@]/$worker/}")

rows=$(psql "$(db_url "$src_db")" -qAtc "select count(*) from job_runs")
[[ $rows -eq ${#ids[@]} ]] || die "job_runs has $rows rows after ${#ids[@]} jobs"

# What networx reads from the source database alone: an empty Redis forces jobs show to
# the run history.
redis-cli -p "$redis_port" flushall >/dev/null
nx "$src_db" migrate status >"$work/src-migrations"
for id in "${ids[@]}"; do
  nx "$src_db" jobs show "$id" --json >"$work/src-$id.json" || die "networx cannot show job $id from the source run history"
done
checksum="select count(*), md5(coalesce(string_agg(r::text, '|' order by id), '')) from job_runs r"
src_sum=$(psql "$(db_url "$src_db")" -qAtc "$checksum")

log "dumping $src_db and restoring into $dst_db"
pg_dump --format=custom --no-owner --file="$work/networx.dump" "$(db_url "$src_db")"
pg_restore --no-owner --exit-on-error --dbname="$(db_url "$dst_db")" "$work/networx.dump"

log "checking that networx reads $dst_db back"
nx "$dst_db" migrate status >"$work/dst-migrations"
grep -q pending "$work/dst-migrations" && die "migrations pending after the restore: $(cat "$work/dst-migrations")"
[[ $(grep -c '^[0-9]' "$work/dst-migrations") -gt 0 ]] || die "no migrations listed: $(cat "$work/dst-migrations")"
diff -u "$work/src-migrations" "$work/dst-migrations" || die "migrate status differs after the restore"
[[ $(nx "$dst_db" migrate) == "database is up to date" ]] || die "migrate wanted to apply something to the restored database"
for id in "${ids[@]}"; do
  nx "$dst_db" jobs show "$id" --json >"$work/dst-$id.json" || die "networx cannot show job $id from the restored database"
  diff -u "$work/src-$id.json" "$work/dst-$id.json" || die "job $id reads differently after the restore"
done
dst_sum=$(psql "$(db_url "$dst_db")" -qAtc "$checksum")
[[ $src_sum == "$dst_sum" ]] || die "job_runs differ: source $src_sum, restored $dst_sum"

log "ok: ${#ids[@]} jobs and $(grep -c '^[0-9]' "$work/dst-migrations") migrations read back identically from the restored database ($dst_sum)"
