package main

import (
	"math"
	"sort"
)

// pyRandom reproduces Python's random.Random for a non-negative integer seed below 2^32:
// the MT19937 generator seeded by init_by_array, and the methods gen_synth.py uses, with
// Python's algorithms (CPython 3.9+ Lib/random.py), so that the instances match.
type pyRandom struct {
	mt        [624]uint32
	idx       int
	gaussNext float64
	hasGauss  bool
}

func newPyRandom(seed uint32) *pyRandom {
	r := &pyRandom{}
	r.initGenrand(19650218)
	// init_by_array with the one-word key [seed].
	key := []uint32{seed}
	const n = 624
	i, j := 1, 0
	for k := max(n, len(key)); k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= n {
			r.mt[0] = r.mt[n-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k := n - 1; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= n {
			r.mt[0] = r.mt[n-1]
			i = 1
		}
	}
	r.mt[0] = 0x80000000
	r.idx = n
	return r
}

func (r *pyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < len(r.mt); i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	r.idx = len(r.mt)
}

func (r *pyRandom) uint32() uint32 {
	const n, m = 624, 397
	const upper, lower, matrixA = 0x80000000, 0x7fffffff, 0x9908b0df
	if r.idx >= n {
		for k := 0; k < n; k++ {
			y := (r.mt[k] & upper) | (r.mt[(k+1)%n] & lower)
			v := r.mt[(k+m)%n] ^ (y >> 1)
			if y&1 != 0 {
				v ^= matrixA
			}
			r.mt[k] = v
		}
		r.idx = 0
	}
	y := r.mt[r.idx]
	r.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// random is random.random(): 53 random bits in [0, 1).
func (r *pyRandom) random() float64 {
	a, b := r.uint32()>>5, r.uint32()>>6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

func (r *pyRandom) uniform(a, b float64) float64 { return a + (b-a)*r.random() }

// gauss is random.gauss, which caches the second value of each Box-Muller pair.
func (r *pyRandom) gauss(mu, sigma float64) float64 {
	z := r.gaussNext
	if !r.hasGauss {
		x2pi := r.random() * 2 * math.Pi
		g2rad := math.Sqrt(-2.0 * math.Log(1.0-r.random()))
		z = math.Cos(x2pi) * g2rad
		r.gaussNext, r.hasGauss = math.Sin(x2pi)*g2rad, true
	} else {
		r.hasGauss = false
	}
	return mu + z*sigma
}

// normalvariate is random.normalvariate (Kinderman and Monahan).
func (r *pyRandom) normalvariate(mu, sigma float64) float64 {
	nvMagic := 4 * math.Exp(-0.5) / math.Sqrt(2.0)
	for {
		u1 := r.random()
		u2 := 1.0 - r.random()
		z := nvMagic * (u1 - 0.5) / u2
		if z*z/4.0 <= -math.Log(u2) {
			return mu + z*sigma
		}
	}
}

func (r *pyRandom) lognormvariate(mu, sigma float64) float64 {
	return math.Exp(r.normalvariate(mu, sigma))
}

// choice is random.choices(range(len(w)), weights=w)[0]: bisect_right on the cumulative
// weights.
func (r *pyRandom) choice(w []float64) int {
	cum := make([]float64, len(w))
	s := 0.0
	for i, v := range w {
		s += v
		cum[i] = s
	}
	x := r.random() * cum[len(cum)-1]
	hi := len(w) - 1
	return sort.Search(hi, func(i int) bool { return cum[i] > x })
}
