#!/usr/bin/env bash
# Model benchmark: `networx optimize` on the network models against cbc and glpsol given
# the same models as MPS (`networx optimize --export-mps`).
#
#   bench/models.sh [example|fl150|rl100|fl300|all]...     (default: example fl150 rl100 fl300)
#
#   example  examples/example-network.xlsx (17 sites x 150 destinations x 5 years)
#   fl150    150 candidates x 900 destinations x 5 years, fixed lease (lease_years 7)
#   rl100    100 candidates x 900 destinations x 5 years, rolling lease (lease_years 3)
#   fl300    300 candidates x 900 destinations x 5 years, fixed lease ("how far it gets")
# The generated instances come from the seeded example generator:
#   go run ./examples/gen -csv DIR -seed 1 -candidates N -destinations 900 -years 5 -lease-years L
#
# For each instance and each target gap G in GAPS (default "0.01 0.001"), every solver
# runs alone with the time limit LIMIT seconds (hard kill at LIMIT+GRACE) and stops at the
# relative gap G; "time to G" is its wall time when it proved G, else it did not get there:
# A solver still running LIMIT+GRACE seconds after its start is killed and reported so.
#   networx optimize DIR --json --threads $THREADS --time-limit ${LIMIT}s --gap G
#     (status, objective, bound, gap, solver.seconds from the JSON)
#   cbc M.mps -threads $THREADS -timeMode elapsed -sec $LIMIT -ratioGap G -solve -quit
#   glpsol --freemps M.mps --tmlim $LIMIT --mipgap G -o M.glpsol.sol
# A peer that finds no solution within the limit is reported as such; a solver that did not
# prove a looser gap within the limit is not run for a tighter one (it is reported skipped).
# SOLVERS and KEEP=1 let solvers run at different times into one table. The table (time to
# each gap, objective, ratios networx/cbc and networx/glpsol) goes into the "Models"
# section of docs/benchmarks.md between its markers.
#
# Environment: LIMIT (default 300), GRACE (30), THREADS (2), GAPS ("0.01 0.001"), WORK
# (default ${TMPDIR:-/tmp}/networx-bench-models), SOLVERS ("networx cbc glpsol"), DOC
# (docs/benchmarks.md; DOC=- only prints). Target: 0.1 % gap within 5 minutes on 2 cores
# for fl150.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
LIMIT=${LIMIT:-300}
GRACE=${GRACE:-30}
THREADS=${THREADS:-2}
GAPS=${GAPS:-0.01 0.001}
WORK=${WORK:-${TMPDIR:-/tmp}/networx-bench-models}
SOLVERS=${SOLVERS:-networx cbc glpsol}
DOC=${DOC:-$root/docs/benchmarks.md}
instances=("$@")
[ ${#instances[@]} -gt 0 ] || instances=(example fl150 rl100 fl300)
[ "${instances[0]}" != all ] || instances=(example fl150 rl100 fl300)

log() { echo "models: $*" >&2; }
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
active=
for s in $SOLVERS; do
	case $s in
	networx) active="$active networx" ;;
	cbc) if need cbc coinor-cbc; then active="$active cbc"; else log "cbc missing (apt-get install coinor-cbc): skipped"; fi ;;
	glpsol) if need glpsol glpk-utils; then active="$active glpsol"; else log "glpsol missing (apt-get install glpk-utils): skipped"; fi ;;
	*) log "unknown solver $s" && exit 2 ;;
	esac
done
SOLVERS=$active
mkdir -p "$WORK/inst" "$WORK/logs"
runs=$WORK/runs.csv
# KEEP=1 keeps the rows of earlier runs in $runs for the instance/solver pairs not run now,
# so that solvers can be run at different times (the table says when each row was run).
if [ "${KEEP:-0}" = 1 ] && [ -s "$runs" ]; then
	python3 - "$runs" "${instances[*]}" "$SOLVERS" <<'PY'
import csv, sys
path, insts, solvers = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
rows = [r for r in csv.DictReader(open(path)) if not (r["instance"] in insts and r["solver"] in solvers)]
w = csv.DictWriter(open(path, "w", newline=""), fieldnames=["instance", "solver", "gap_target", "status", "seconds", "objective", "gap", "when", "load"])
w.writeheader()
for r in rows:
    w.writerow({k: r.get(k, "") for k in w.fieldnames})
PY
else
	echo "instance,solver,gap_target,status,seconds,objective,gap,when,load" >"$runs"
fi
# stamp: the time and 1-minute load average at the end of a run, appended to its row.
stamp() { echo "$(date -u +%H:%MZ),$(cut -d' ' -f1 /proc/loadavg)"; }

(cd "$root" && go build -o "$WORK/networx" . && go build -o "$WORK/gen" ./examples/gen)
nx=$WORK/networx

# input instance -> path networx reads
input() {
	case $1 in
	example) echo "$root/examples/example-network.xlsx" ;;
	fl150) gen "$1" 150 7 ;;
	rl100) gen "$1" 100 3 ;;
	fl300) gen "$1" 300 7 ;;
	*) log "unknown instance $1" && exit 2 ;;
	esac
}
gen() {
	local dir=$WORK/inst/$1
	[ -s "$dir/facilities.csv" ] || "$WORK/gen" -csv "$dir" -seed 1 -candidates "$2" -destinations 900 -years 5 -lease-years "$3" >&2
	echo "$dir"
}

# timed CMD...: runs CMD under the hard limit, sets $secs (wall) and $rc.
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	set +e
	timeout --kill-after=5 $((LIMIT + GRACE)) "$@"
	rc=$?
	set -e
	t1=$(date +%s.%N)
	secs=$(echo "$t1 - $t0" | bc -l)
}

for inst in "${instances[@]}"; do
	path=$(input "$inst")
	mps=$WORK/inst/$inst.mps
	log "$inst: exporting $mps"
	set +e
	"$nx" optimize "$path" --export-mps "$mps" --time-limit 1s --threads 1 --json >/dev/null 2>&1
	set -e
	for s in $SOLVERS; do
		proved=1 # a solver that did not prove a looser gap in the limit cannot prove a tighter one
		for g in $GAPS; do
			out=$WORK/logs/$inst.$s.$g
			if [ "$proved" = 0 ]; then
				log "$inst: $s to gap $g skipped (it did not prove the looser gap within ${LIMIT}s)"
				echo "$inst,$s,$g,skipped,,,,$(stamp)" >>"$runs"
				continue
			fi
			log "$inst: $s to gap $g (limit ${LIMIT}s)"
			case $s in
			networx)
				timed "$nx" optimize "$path" --json --threads "$THREADS" --time-limit "${LIMIT}s" --gap "$g" >"$out.json" 2>"$out.err"
				row=$(python3 - "$out.json" "$inst" "$g" "$secs" <<'PY'
import json, sys
path, inst, g, secs = sys.argv[1:]
try:
    d = json.load(open(path))
except Exception:
    print(f"{inst},networx,{g},error,{secs},,"); sys.exit()
st, obj, gap = d.get("status", "error"), d.get("objective"), d.get("gap")
print(f"{inst},networx,{g},{st},{secs},{'' if obj is None else obj},{'' if gap is None else gap}")
PY
)
				[ "$rc" -ge 124 ] && row=${row/,error,/,killed,}
				echo "$row,$(stamp)" >>"$runs"
				st=$(echo "$row" | cut -d, -f4)
				;;
			cbc)
				timed cbc "$mps" -threads "$THREADS" -timeMode elapsed -sec "$LIMIT" -ratioGap "$g" -solve -quit >"$out.log" 2>&1
				st=error
				grep -q "Result - Optimal solution found" "$out.log" && st=optimal
				grep -q "Result - Stopped on time" "$out.log" && st=limit
				obj=$(sed -n 's/^Objective value: *\([-+0-9.eE]*\).*/\1/p' "$out.log" | tail -1)
				[ "$st" = limit ] && [ -n "$obj" ] && st=feasible
				[ "$st" = limit ] && obj=""
				[ "$st" = error ] && [ "$rc" -ge 124 ] && st=killed # timeout stopped it: it ignored -sec
				echo "$inst,cbc,$g,$st,$secs,$obj,,$(stamp)" >>"$runs"
				;;
			glpsol)
				rm -f "$out.sol"
				timed glpsol --freemps "$mps" --tmlim "$LIMIT" --mipgap "$g" -o "$out.sol" >"$out.log" 2>&1
				st=error obj=""
				if [ -s "$out.sol" ]; then
					case $(sed -n 's/^Status: *//p' "$out.sol") in
					"INTEGER OPTIMAL") st=optimal ;;
					"INTEGER NON-OPTIMAL") # also how glpsol ends when it proved --mipgap
						st=feasible
						grep -q "RELATIVE MIP GAP TOLERANCE REACHED" "$out.log" && st=optimal ;;
					"INTEGER UNDEFINED" | UNDEFINED) st=limit ;;
					*) st=$(sed -n 's/^Status: *//p' "$out.sol" | tr ' ' _) ;;
					esac
					[ "$st" = limit ] || obj=$(sed -n 's/^Objective: .* = \([-+0-9.eE]*\).*/\1/p' "$out.sol")
				elif grep -q "TIME LIMIT EXCEEDED" "$out.log"; then
					st=limit
				elif [ "$rc" -ge 124 ]; then
					st=killed
				fi
				echo "$inst,glpsol,$g,$st,$secs,$obj,,$(stamp)" >>"$runs"
				;;
			esac
			[ "$st" = optimal ] || proved=0
		done
	done
done

python3 - "$runs" "$DOC" "$LIMIT" "$THREADS" <<'PY'
import csv, sys, datetime
runs, doc, limit, threads = sys.argv[1:]
rows = list(csv.DictReader(open(runs)))
def when(r):
    return f'{r.get("when") or "?"} {r.get("load") or "?"}' if r else "-"
def cell(r):
    if r is None:
        return "-"
    if r["status"] == "optimal":
        return f'{float(r["seconds"]):.1f} s'
    if r["status"] == "feasible":
        return f'not reached ({r["status"]} at limit)'
    if r["status"] == "limit":
        return "no solution in the limit"
    if r["status"] == "killed":
        return f'killed at {float(r["seconds"]):.0f} s, no result'
    if r["status"] == "skipped":
        return "not reached (looser gap not proved)"
    return r["status"]
out = [f"Run {datetime.date.today()}: time limit {limit} s per solve, {threads} threads, wall seconds "
       "to prove each gap (bench/models.sh). Ratio = networx time / peer time when both proved the gap. "
       "Each solve ran alone; the last column gives when each solver's run ended (UTC) and the 1-minute load "
       "average then (2 cores).", "",
       "| instance | gap | networx | objective | cbc | glpsol | networx/cbc | networx/glpsol | ended, load (networx; cbc; glpsol) |",
       "|---|---|---|---|---|---|---|---|---|"]
insts = []
for r in rows:
    if (r["instance"], r["gap_target"]) not in insts:
        insts.append((r["instance"], r["gap_target"]))
for inst, g in insts:
    by = {r["solver"]: r for r in rows if r["instance"] == inst and r["gap_target"] == g}
    nx = by.get("networx")
    def ratio(p):
        q = by.get(p)
        if nx and q and nx["status"] == "optimal" and q["status"] == "optimal":
            return f'{float(nx["seconds"]) / float(q["seconds"]):.2f}'
        return "-"
    obj = nx["objective"] if nx and nx["objective"] else "-"
    out.append(f'| {inst} | {float(g)*100:g} % | {cell(nx)} | {obj} | {cell(by.get("cbc"))} | {cell(by.get("glpsol"))} | {ratio("cbc")} | {ratio("glpsol")} | {"; ".join(when(by.get(p)) for p in ("networx", "cbc", "glpsol"))} |')
text = "\n".join(out)
print(text)
if doc == "-":
    sys.exit()
begin, end = "<!-- models:begin (written by bench/models.sh; edits are overwritten) -->", "<!-- models:end -->"
body = open(doc).read()
if begin in body:
    pre, rest = body.split(begin, 1)
    post = rest.split(end, 1)[1]
    body = pre + begin + "\n" + text + "\n" + end + post
else:
    body = body.rstrip("\n") + "\n\n## Models\n\nbench/models.sh: `networx optimize` against cbc and glpsol on the same models (MPS).\n\n" + begin + "\n" + text + "\n" + end + "\n"
open(doc, "w").write(body)
PY
