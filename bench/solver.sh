#!/usr/bin/env bash
# Solver benchmark: networx solve against glpsol and cbc on the capacitated facility
# location models of the OR-Library instances and of the seeded synthetic instances.
#
#   bench/solver.sh [small|large|synth|all]      (default small)
#
#   small  the 37 OR-Library instances cap41..cap134 (16x50 to 50x50); a few minutes
#   large  capa-8000, capb-5000, capc-5000 (100x1000, the tightest published capacity)
#   synth  synth-30x500, synth-60x2000, synth-120x5000 (bench/solver/gensynth)
#   all    all three
#
# Every solve runs alone under /usr/bin/time -f "%e %U %S %M" (wall, user, sys, max RSS)
# with the solver's own time limit LIMIT seconds and a hard kill at LIMIT+GRACE. Each run
# is appended to $WORK/runs.csv; bench/solver/report then prints a table per mode (status,
# objective, relative error against the published optimum, CPU seconds, peak RSS, the
# CPU ratios networx/glpsol and networx/cbc, totals) and writes it into the "Solver"
# section of docs/benchmarks.md.
#
# Environment: LIMIT (default 120), GRACE (15), WORK (default $TMPDIR/networx-bench-solver:
# models, logs, runs.csv), SOLVERS (default "networx glpsol cbc"), DOC (default
# docs/benchmarks.md; DOC=- only prints), NETWORX_FLAGS (extra flags for networx solve,
# default --gap 1e-7).
# Peers: glpsol from glpk-utils, cbc from coinor-cbc; the script installs them and GNU time
# with apt-get when they are missing. Commands (M = $WORK/models/<instance>):
#   networx solve M.mps --json --time-limit ${LIMIT}s --gap 1e-7
#   glpsol --lp M.lp --tmlim $LIMIT -o M.glpsol.sol
#   cbc M.mps -timeMode elapsed -sec $LIMIT -solve -quit
set -euo pipefail

mode=${1:-small}
case $mode in small | large | synth | all) ;; *)
	echo "usage: $0 [small|large|synth|all]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
LIMIT=${LIMIT:-120}
GRACE=${GRACE:-15}
WORK=${WORK:-${TMPDIR:-/tmp}/networx-bench-solver}
SOLVERS=${SOLVERS:-networx glpsol cbc}
DOC=${DOC:-$root/docs/benchmarks.md}
# glpsol and cbc prove optimality to a gap of about zero; networx's default relative gap
# of 1e-4 would accept answers 0.01 % off, so it gets 1e-7 (as HiGHS did in PEERS.md).
NETWORX_FLAGS=${NETWORX_FLAGS:---gap 1e-7}
mkdir -p "$WORK/models" "$WORK/logs" "$WORK/bin"
runs=$WORK/runs.csv

log() { printf '%s\n' "$*" >&2; }

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

need /usr/bin/time time || { log "GNU time (/usr/bin/time) is required"; exit 1; }
need timeout coreutils || { log "timeout is required"; exit 1; }
active=
for s in $SOLVERS; do
	case $s in
	networx) active="$active networx" ;;
	glpsol) if need glpsol glpk-utils; then active="$active glpsol"; else log "glpsol missing: skipped"; fi ;;
	cbc) if need cbc coinor-cbc; then active="$active cbc"; else log "cbc missing: skipped"; fi ;;
	*) log "unknown solver $s"; exit 2 ;;
	esac
done

log "building networx and the benchmark tools"
(cd "$root" && go build -o "$WORK/bin/networx" . &&
	go build -o "$WORK/bin/convert" ./bench/solver/convert &&
	go build -o "$WORK/bin/gensynth" ./bench/solver/gensynth &&
	go build -o "$WORK/bin/report" ./bench/solver/report)

# instances MODE: the instance names of a mode, in benchmark order.
instances() {
	case $1 in
	small) ls "$root/bench/orlib" | sed -n 's/^\(cap[0-9][0-9]*\)\.txt$/\1/p' | sort -V ;;
	large) printf '%s\n' capa-8000 capb-5000 capc-5000 ;;
	synth) printf '%s\n' synth-30x500 synth-60x2000 synth-120x5000 ;;
	esac
}

# model NAME: make sure $WORK/models/NAME.{mps,lp} exist.
model() {
	local name=$1 base=$WORK/models/$1 src capflag=()
	[ -s "$base.mps" ] && [ -s "$base.lp" ] && return 0
	case $name in
	synth-*)
		[ -s "$WORK/synth/$name.txt" ] || "$WORK/bin/gensynth" "$WORK/synth" >&2
		src=$WORK/synth/$name.txt
		;;
	cap[abc]-*)
		src=$root/bench/orlib/${name%%-*}.txt
		capflag=(-capacity "${name#*-}")
		;;
	*) src=$root/bench/orlib/$name.txt ;;
	esac
	"$WORK/bin/convert" "${capflag[@]}" "$src" "$base"
}

# field JSON KEY: the raw value of a top-level key in one line of JSON.
field() { sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" <<<"$1" | tr -d '"'; }

# run SOLVER NAME: one timed solve; prints "status,objective".
run() {
	local solver=$1 name=$2 base=$WORK/models/$2 logf=$WORK/logs/$2.$1.log tf=$WORK/logs/$2.$1.time
	local cmd status obj rc=0
	case $solver in
	networx) cmd=("$WORK/bin/networx" solve "$base.mps" --json --time-limit "${LIMIT}s" $NETWORX_FLAGS) ;;
	glpsol) cmd=(glpsol --lp "$base.lp" --tmlim "$LIMIT" -o "$base.glpsol.sol") ;;
	cbc) cmd=(cbc "$base.mps" -timeMode elapsed -sec "$LIMIT" -solve -quit) ;;
	esac
	rm -f "$base.glpsol.sol"
	/usr/bin/time -f "%e %U %S %M" -o "$tf" timeout -s KILL $((LIMIT + GRACE)) "${cmd[@]}" >"$logf" 2>&1 || rc=$?
	status=error obj=
	case $solver in
	networx)
		local js
		js=$(grep -m1 '^{' "$logf" || true)
		status=$(field "$js" status)
		obj=$(field "$js" objective)
		[ "$(field "$js" limit_reached)" = true ] && [ "$status" = cancelled ] && status=nosolution
		[ -n "$status" ] || status=error
		;;
	glpsol)
		if [ -s "$base.glpsol.sol" ]; then
			case $(sed -n 's/^Status: *//p' "$base.glpsol.sol") in
			"INTEGER OPTIMAL" | OPTIMAL) status=optimal ;;
			"INTEGER NON-OPTIMAL" | FEASIBLE) status=feasible ;;
			"INTEGER EMPTY" | INFEASIBLE*) status=infeasible ;;
			UNBOUNDED*) status=unbounded ;;
			*) status=nosolution ;;
			esac
			[ "$status" = optimal ] || [ "$status" = feasible ] &&
				obj=$(sed -n 's/^Objective: .* = \([-+0-9.eE]*\).*/\1/p' "$base.glpsol.sol")
		fi
		grep -q 'PROBLEM HAS NO PRIMAL FEASIBLE SOLUTION\|PROBLEM HAS NO INTEGER FEASIBLE SOLUTION' "$logf" && status=infeasible
		;;
	cbc)
		case $(sed -n 's/^Result - //p' "$logf") in
		"Optimal solution found"*) status=optimal ;;
		"Stopped on time"*) status=feasible ;;
		"Problem proven infeasible"*) status=infeasible ;;
		*nbounded*) status=unbounded ;;
		"") status=error ;;
		*) status=nosolution ;;
		esac
		obj=$(sed -n 's/^Objective value: *\([-+0-9.eE]*\).*/\1/p' "$logf" | tail -1)
		[ "$status" = feasible ] && [ -z "$obj" ] && status=nosolution
		grep -q 'No feasible solution found' "$logf" && [ "$status" != infeasible ] && status=nosolution
		;;
	esac
	[ "$rc" = 137 ] && status=killed obj=
	[ "$obj" = null ] && obj=
	echo "$status,$obj"
}

[ -s "$runs" ] || echo "mode,instance,solver,status,objective,wall_s,user_s,sys_s,maxrss_kb,loadavg,limit_s,date" >"$runs"
modes=$mode
[ "$mode" = all ] && modes="small large synth"
for m in $modes; do
	for name in $(instances "$m"); do
		model "$name"
		for s in $active; do
			load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "")
			res=$(run "$s" "$name")
			read -r wall user sys rss < <(tail -1 "$WORK/logs/$name.$s.time")
			echo "$m,$name,$s,$res,$wall,$user,$sys,$rss,$load,$LIMIT,$(date -u +%FT%TZ)" >>"$runs"
			log "$(printf '%-16s %-8s %-11s %-16s cpu %6.2f s  rss %6d KB  (load %s)' "$name" "$s" "${res%%,*}" "${res#*,}" "$(echo "$user $sys" | awk '{print $1+$2}')" "$rss" "$load")"
		done
	done
	"$WORK/bin/report" -runs "$runs" -optima "$root/bench/orlib/capopt.txt" -mode "$m" -limit "$LIMIT" -networx-flags "$NETWORX_FLAGS" -doc "$DOC"
done
