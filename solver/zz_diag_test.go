package solver

import (
	"context"
	"flag"
	"math"
	"os"
	"testing"
)

var diagFile = flag.String("solver.diag", "", "diag")

func TestDiagUnbounded(t *testing.T) {
	if *diagFile == "" {
		t.Skip()
	}
	f, _ := os.Open(*diagFile)
	m, err := ReadMPS(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for j := range m.Cols {
		m.Cols[j].Integer = false
	}
	ps, _ := presolve(m)
	pr := newProblem(ps.red, Settings{})
	p := newLP(pr.n, pr.cost, pr.lo, pr.hi, pr.rows)
	if useSifting(pr.n, len(pr.rows)) {
		p.enableSifting(nil, 0, 0)
	}
	pool := newPool(pr)
	x := make([]float64, pr.n)
	for round := 0; ; round++ {
		st := p.solve(context.Background(), solveOpts{})
		t.Logf("round %d st %d iters %d m %d obj %g", round, st, p.iters, p.m, p.objective())
		if st == lpUnbounded {
			q := p.pRayQ
			t.Logf("q %d (n %d) dir %g lo %g hi %g stat %d x %g d %g cost %g inactive %v etas %d shifted %v",
				q, p.n, p.pRayDir, p.lo[q], p.hi[q], p.stat[q], p.x[q], p.d[q], p.cost[q], p.isInactive(q), p.lu.numEtas(), p.shifted)
			big := 0
			for i, a := range p.pRayAlpha {
				if math.Abs(a) > 1e-9 {
					big++
					jb := p.head[i]
					if big < 30 {
						t.Logf("  pos %d var %d a %g lo %g hi %g x %g", i, jb, a, p.lo[jb], p.hi[jb], p.x[jb])
					}
				}
			}
			t.Logf("nonzeros %d verify %v maxinf %g", big, p.verifyPrimalRay() != nil, p.maxPrimalInfeas())
			// fresh factorization
			p.refresh()
			clear(p.wRow)
			p.column(q, p.wRow)
			p.lu.ftran(p.wRow, p.alphaQ)
			big = 0
			for i, a := range p.alphaQ {
				if math.Abs(a) > 1e-9 {
					big++
					jb := p.head[i]
					if big < 30 {
						t.Logf("  fresh pos %d var %d a %g lo %g hi %g x %g", i, jb, a, p.lo[jb], p.hi[jb], p.x[jb])
					}
				}
			}
			t.Logf("fresh nonzeros %d d %g dualinf %v", big, p.d[q], p.dualInfeasible())
			return
		}
		if st != lpOptimal {
			return
		}
		unscaledX(p, x)
		add := pool.separate(x, maxPoolAddLP)
		if len(add) == 0 {
			return
		}
		pool.addTo(p, pr, add)
	}
}
