package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/learnlab/lab/internal/sandbox"
)

// sandboxFlags are --sandbox[=auto|bwrap|docker] and --no-sandbox, shared by check and grade.
type sandboxFlags struct {
	name string
	off  bool
}

func (f *sandboxFlags) add(cmd *cobra.Command, byDefault string) {
	cmd.Flags().StringVar(&f.name, "sandbox", "", "run the tests in a sandbox: `auto`, bwrap or docker ("+byDefault+")")
	cmd.Flags().Lookup("sandbox").NoOptDefVal = "auto"
	cmd.Flags().BoolVar(&f.off, "no-sandbox", false, "run the tests directly, without a sandbox (only for code you trust)")
}

// backend picks the sandbox: the one named, else "auto" when on (grade always, check in CI),
// else none (nil). A sandbox that cannot work is an environment error that names the fix.
func (f *sandboxFlags) backend(ctx context.Context, on bool) (sandbox.Backend, error) {
	if f.off && f.name != "" {
		return nil, usageErr(errors.New("--sandbox and --no-sandbox contradict each other: give one"))
	}
	if f.off {
		return nil, nil
	}
	name := f.name
	if name == "" && on {
		name = "auto"
	}
	if name == "" {
		return nil, nil
	}
	b, err := sandbox.Select(ctx, name)
	if err != nil {
		return nil, envErr(fmt.Errorf("%v\nThe tests of code nobody has read run in a sandbox. Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap) or start Docker, or, only for code you trust, add --no-sandbox", err))
	}
	return b, nil
}

// inCI is how CI systems (GitHub Actions, GitLab, most others) say so.
func inCI() bool { return os.Getenv("CI") == "true" }
