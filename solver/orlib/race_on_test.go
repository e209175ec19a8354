//go:build race

package orlib

// raceEnabled: the race detector slows the solver about tenfold, so timing tests skip.
const raceEnabled = true
