package cli

import "fmt"

// Exit codes of networx. Commands other than solve use only ExitOK and ExitFailure.
const (
	ExitOK         = 0 // success; for solve: proven optimal
	ExitFailure    = 1 // any error: bad flags, unreadable or malformed file, ...
	ExitInfeasible = 2 // solve: the model has no feasible solution
	ExitUnbounded  = 3 // solve: the objective is unbounded
	ExitLimit      = 4 // solve: a time limit stopped the search, with or without a solution
	ExitCancelled  = 5 // solve: interrupted (SIGINT/SIGTERM); the incumbent was reported
)

// ExitError carries the process exit code for an error; main finds it with errors.As.
// Err may be nil when the command already reported the outcome and only the exit code
// remains to be set (solve ending infeasible, say).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *ExitError) Unwrap() error { return e.Err }
