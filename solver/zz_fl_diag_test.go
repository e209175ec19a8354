package solver

import (
	"context"
	"math"
	"os"
	"testing"
	"time"
)

func TestZZFLDiag(t *testing.T) {
	path := os.Getenv("ZZMPS")
	if path == "" {
		t.Skip()
	}
	f, _ := os.Open(path)
	m, err := ReadMPS(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	fl := detectFL(m)
	fs := &flSearch{ctx: context.Background(), s: Settings{}, m: m, fl: fl, lg: newFLLagr(fl), tr: newFLTransport(fl), start: time.Now(),
		incObj: math.Inf(1), cache: make(map[string]float64), rootLB: math.Inf(-1), prunedLB: math.Inf(1), curBound: math.Inf(-1)}
	n := fl.n
	fs.u, fs.bestU, fs.g = make([]float64, n), make([]float64, n), make([]float64, n)
	fs.bestV = make([]float64, fl.m)
	fs.openBuf = make([]bool, fl.m)
	fix := append([]int8(nil), fl.yFixed...)
	fs.initialU(fs.u)
	lb := fs.subgradient(fix, flRootIters, flRootPatience, flRootLambda, true)
	t.Logf("root lb %.3f inc %.3f iters %d equalCapa %v", lb, fs.incObj, fs.iters, fs.lg.equalCapa)
	L := fs.lg.eval(fs.bestU, fix, nil)
	capOpen, nneg, nfrac := 0.0, 0, 0
	for i := 0; i < fl.m; i++ {
		if fs.lg.v[i] < 0 {
			nneg++
		}
		if fs.lg.theta[i] > 0 {
			capOpen += fl.capa[i] * fs.lg.theta[i]
		}
		if th := fs.lg.theta[i]; th > 0 && th < 1 {
			nfrac++
			t.Logf("frac facility %d theta %.3f v %.1f cap %.0f", i, th, fs.lg.v[i], fl.capa[i])
		}
	}
	t.Logf("L %.3f nneg %d nfrac %d capOpen/D %.3f", L, nneg, nfrac, capOpen/fl.totalDemand)
	for i := 0; i < fl.m; i++ {
		if fs.lg.theta[i] > 0 {
			t.Logf("open %d theta %.2f v %.1f cap %.0f", i, fs.lg.theta[i], fs.lg.v[i], fl.capa[i])
		}
	}
}
