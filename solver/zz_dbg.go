package solver

// DbgF is temporary instrumentation (to be removed).
var DbgF func(format string, args ...any)

func dbg(format string, args ...any) {
	if DbgF != nil {
		DbgF(format, args...)
	}
}
