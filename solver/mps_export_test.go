package solver

// Hooks for the external tests: the name rules the writers apply.
var (
	CleanMPSName = cleanMPSName
	CleanLPName  = cleanLPName
)
