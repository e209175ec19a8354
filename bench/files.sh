#!/usr/bin/env bash
# File ingestion benchmark: parse, parse + validate, and parse + validate + load into
# PostgreSQL of a shipments workbook, next to excelize's row iterator and xlsxreader's
# bare parse of the same files in the same run (issue 5, docs/ingestion.md).
#
#   bench/files.sh
#
# bench/files/gen writes ROWS shipment rows x 12 columns (split over sheets at Excel's
# 1,048,576-row limit, plus a small facilities sheet) in two layouts, inline strings
# (shipments_inline.xlsx) and a shared-strings table (shipments_sst.xlsx), and as CSV
# (shipments.csv). Every measurement is a process of its own under
# /usr/bin/time -f '%e %U %S %M' (wall s, user s, system s, peak RSS KB):
# bench/files/run (networx: parse, validate, load) and bench/files/peers (a module of
# its own: excelize, xlsxreader, encoding/csv). The load goes into a database of its
# own, networx_bench_files, created afresh on the server of NETWORX_TEST_DATABASE_URL and
# dropped after the measurements.
# The results go into the "Files" section of docs/benchmarks.md (between the
# files:begin/files:end markers; the rest of the file is left alone).
#
# Targets (issue 5): peak RSS <= 256 MB for the whole pipeline (load); parse + validate
# at >= 5x the rows/s of the faster of excelize and xlsxreader; the load within 2x the
# time of parse + validate.
#
# Environment: ROWS (default 2500000), SEED (default 1), DIR (default
# /tmp/networx-bench-files; the files are kept and reused for the same ROWS and SEED),
# PEERS (default 1; 0 skips excelize and xlsxreader), FILES (default all three, e.g.
# FILES=shipments.csv), MEASURES (default "parse validate load"; e.g. MEASURES="validate
# load" for the load's ratio alone), DOC (default docs/benchmarks.md; DOC=- only prints;
# a run of a subset should only print, since the table is written from what ran).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -f .local/env ]; then
	# shellcheck disable=SC1091
	. .local/env
fi
: "${NETWORX_TEST_DATABASE_URL:?set it or run scripts/services.sh up}"
ROWS=${ROWS:-2500000}
SEED=${SEED:-1}
DIR=${DIR:-/tmp/networx-bench-files}
PEERS=${PEERS:-1}
FILES=${FILES:-shipments_inline.xlsx shipments_sst.xlsx shipments.csv}
MEASURES=${MEASURES:-parse validate load}
DOC=${DOC:-$root/docs/benchmarks.md}
data="$DIR/rows$ROWS-seed$SEED"
bin="$DIR/bin"
mkdir -p "$data" "$bin"

go build -o "$bin/gen" ./bench/files/gen
go build -o "$bin/run" ./bench/files/run
(cd bench/files/peers && go build -o "$bin/peers" .)
if [ ! -f "$data/shipments.csv" ]; then
	echo "generating $ROWS rows into $data" >&2
	"$bin/gen" -rows "$ROWS" -seed "$SEED" -dir "$data"
fi

# The load's database: created afresh, migrated once.
admin=$NETWORX_TEST_DATABASE_URL
psql -q "$admin" -c 'drop database if exists networx_bench_files with (force)' -c 'create database networx_bench_files'
case $admin in
postgres://* | postgresql://*) export NETWORX_BENCH_DATABASE_URL=$(echo "$admin" | sed -E 's#^(postgres(ql)?://[^/]*)/[^?]*#\1/networx_bench_files#') ;;
*) export NETWORX_BENCH_DATABASE_URL="$admin dbname=networx_bench_files" ;;
esac
"$bin/run" migrate

results="$DIR/results.txt"
: >"$results"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
loads=""
# measure FILE PROGRAM MEASURE CMD...: one line "file program measure rows wall user sys rss_kb"
measure() {
	local file=$1 prog=$2 what=$3
	shift 3
	local tf out
	tf=$(mktemp)
	if out=$(/usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" 2>"$tf.err"); then
		read -r _ rows _ _ _ _ <<<"$out"
		echo "$file $prog $what $rows $(cat "$tf")" >>"$results"
	else
		echo "$file $prog $what failed $(tail -1 "$tf") $(tail -1 "$tf.err" | tr ' ' '_')" >>"$results"
	fi
	loads="$loads $(cut -d' ' -f1 /proc/loadavg)"
	tail -1 "$results" >&2
	rm -f "$tf" "$tf.err"
}
for f in $FILES; do
	p="$data/$f"
	for m in $MEASURES; do
		measure "$f" networx "$m" "$bin/run" "$m" "$p"
	done
	if [ "$PEERS" = 1 ]; then
		case $f in
		*.xlsx)
			measure "$f" excelize parse "$bin/peers" excelize "$p"
			measure "$f" xlsxreader parse "$bin/peers" xlsxreader "$p"
			;;
		*.csv) measure "$f" encoding/csv parse "$bin/peers" csv "$p" ;;
		esac
	fi
done
ended=$(date -u +%Y-%m-%dT%H:%M:%SZ)
psql -q "$admin" -c 'drop database if exists networx_bench_files with (force)' # gigabytes of loaded rows
sizes=$(for f in $FILES; do printf '%s %s MB; ' "$f" "$(du -m "$data/$f" | cut -f1)"; done)

table=$(awk '
{
	key = $1 SUBSEP $2 SUBSEP $3
	if ($4 == "failed") { printf "| %s | %s | %s | failed (%s) | | | | |\n", $1, $2, $3, $NF; next }
	rows[key] = $4; wall[key] = $5; cpu[key] = $6 + $7; rss[key] = $8 / 1024
	printf "| %s | %s | %s | %d | %.2f | %.2f | %.0f | %.0f |\n", $1, $2, $3, $4, $5, $6 + $7, $8 / 1024, ($5 > 0 ? $4 / $5 : 0)
	files[$1] = 1
}
END {
	print ""
	print "| file | validate rows/s over the faster peer parse, wall (target >= 5) | same on CPU seconds | load time over validate time, wall (target <= 2) | load peak RSS MB (target <= 256) |"
	print "|---|---|---|---|---|"
	for (f in files) {
		v = f SUBSEP "networx" SUBSEP "validate"; l = f SUBSEP "networx" SUBSEP "load"
		best = 0; bestc = 0
		for (k in wall) {
			split(k, a, SUBSEP)
			if (a[1] != f || a[2] == "networx" || a[2] == "encoding/csv") continue
			if (wall[k] > 0 && rows[k] / wall[k] > best) { best = rows[k] / wall[k]; bp = a[2] }
			if (cpu[k] > 0 && rows[k] / cpu[k] > bestc) { bestc = rows[k] / cpu[k]; bpc = a[2] }
		}
		ratio = (best > 0 && wall[v] > 0) ? sprintf("%.1f (vs %s)", rows[v] / wall[v] / best, bp) : "n/a"
		ratioc = (bestc > 0 && cpu[v] > 0) ? sprintf("%.1f (vs %s)", rows[v] / cpu[v] / bestc, bpc) : "n/a"
		lr = (wall[v] > 0 && (l in wall)) ? sprintf("%.2f", wall[l] / wall[v]) : "n/a"
		printf "| %s | %s | %s | %s | %s |\n", f, ratio, ratioc, lr, ((l in rss) ? sprintf("%.0f", rss[l]) : "n/a")
	}
}' "$results")

section=$(
	cat <<MD
<!-- files:begin (written by bench/files.sh; edits are overwritten) -->
Run $started to $ended, ROWS=$ROWS shipment rows (seed $SEED) x 12 columns, plus a 40-row facilities sheet;
files: $sizes 2 CPUs shared with other work, 1-minute load average during the runs:$loads.
Each row is one process under \`/usr/bin/time\`: wall and CPU (user+system) seconds, peak RSS, rows/s on wall
time. parse = every cell of every sheet; validate = parse + header detection + mapping + validation (networx
\`files.Ingest\` without a sink); load = validate + COPY into PostgreSQL in one transaction + derived data
(demand, lanes, freight baseline), PostgreSQL on the same host. excelize: \`Rows\`/\`Columns\` with raw values;
xlsxreader: \`ReadRows\`; encoding/csv: \`Read\` with a reused record. Rows counted by each program (header and
facilities rows included).

| file | program | measure | rows | wall s | CPU s | peak RSS MB | rows/s |
|---|---|---|---|---|---|---|---|
$table
<!-- files:end -->
MD
)
printf '%s\n' "$section"
[ "$DOC" = - ] && exit 0

if [ -f "$DOC" ] && grep -q '<!-- files:begin' "$DOC"; then
	tmp=$(mktemp)
	awk -v repl="$section" '
		/<!-- files:begin/ { print repl; skip = 1; next }
		/<!-- files:end -->/ { skip = 0; next }
		!skip { print }' "$DOC" >"$tmp"
	cat "$tmp" >"$DOC"
	rm -f "$tmp"
else
	{
		printf '\n## Files\n\nFile ingestion, written by `bench/files.sh` (see that script and docs/ingestion.md).\n\n'
		printf '%s\n' "$section"
	} >>"$DOC"
fi
echo "wrote the Files section of $DOC" >&2
