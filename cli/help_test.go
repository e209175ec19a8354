package cli

import (
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasHelpAndExample walks the command tree: every command a user can run
// has a short description and an example in its --help.
func TestEveryCommandHasHelpAndExample(t *testing.T) {
	root := NewRoot()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		if c.Short == "" {
			t.Errorf("%q has no short description", c.CommandPath())
		}
		// Cobra's generated completion commands carry their own long help with usage.
		generated := c.Name() == "completion" || (c.Parent() != nil && c.Parent().Name() == "completion")
		if c.Example == "" && !generated {
			t.Errorf("%q has no example in --help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
