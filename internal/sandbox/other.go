//go:build !(linux && (amd64 || arm64))

package sandbox

import (
	"context"
	"errors"
)

// errPlatform: the walls (Landlock, seccomp, namespaces) are Linux's. Docker Desktop on macOS
// runs Linux containers, but the test binary is compiled for the host and the launcher is
// lab's own binary, so neither would run inside; a cross-compiled pair is future work.
var errPlatform = errors.New("sandboxed runs need Linux on amd64 or arm64; run lab grade on a Linux machine or in Linux CI")

// Bwrap is unavailable on this platform.
type Bwrap struct{}

// Name implements Backend.
func (*Bwrap) Name() string { return "bwrap" }

// Available implements Backend.
func (*Bwrap) Available(context.Context) error { return errPlatform }

// Run implements Backend.
func (*Bwrap) Run(context.Context, Spec) (*Result, error) { return nil, errPlatform }

// Docker is unavailable on this platform.
type Docker struct{}

// Name implements Backend.
func (*Docker) Name() string { return "docker" }

// Available implements Backend.
func (*Docker) Available(context.Context) error { return errPlatform }

// Run implements Backend.
func (*Docker) Run(context.Context, Spec) (*Result, error) { return nil, errPlatform }

// Sweep has nothing to sweep here.
func Sweep(context.Context) error { return nil }
