#!/usr/bin/env bash
# networx solve on capa, capb and capc at all 12 published capacities (bench/orlib/capopt.txt),
# each with a 120 s limit at the default relative gap 1e-4. Peers are not run here: glpsol and
# cbc find no solution to the tightest capacity of each set in 120 s (bench/solver.sh large).
# Prints one line per instance: status, objective, gap, nodes, wall and CPU seconds, peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
work=${WORK:-${TMPDIR:-/tmp}/networx-bench-capacities}
mkdir -p "$work"
go build -o "$work/networx" .
for spec in capa:8000 capa:10000 capa:12000 capa:14000 capb:5000 capb:6000 capb:7000 capb:8000 \
            capc:5000 capc:5750 capc:6500 capc:7250; do
  inst=${spec%%:*} cap=${spec##*:} base="$work/$inst-$cap"
  [ -f "$base.mps" ] || go run ./bench/solver/convert -capacity "$cap" -formats mps "bench/orlib/$inst.txt" "$base" >/dev/null
  /usr/bin/time -f "%e %U %S %M" -o "$base.time" "$work/networx" solve "$base.mps" --json --time-limit 120s >"$base.json" || true
  read -r wall user sys rss <"$base.time"
  python3 - "$base.json" "$inst-$cap" "$wall" "$user" "$sys" "$rss" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
name, wall, user, sys_, rss = sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
print(f"| {name} | {d['status']} | {d['objective']:.3f} | {d['gap']:.1e} | {d['nodes']} | {wall:.2f} | {user + sys_:.1f} | {rss // 1024} |")
PY
done
