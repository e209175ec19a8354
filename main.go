// Command networx is the network-strategy optimizer: one binary started in roles.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"networx/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.NewRoot().ExecuteContext(ctx)
	stop()
	if err == nil {
		return
	}
	code := 1
	var exit *cli.ExitError
	if errors.As(err, &exit) {
		code = exit.Code
	}
	if exit == nil || exit.Err != nil {
		fmt.Fprintln(os.Stderr, "networx:", err)
	}
	os.Exit(code)
}
