//go:build !race

package orlib

const raceEnabled = false
