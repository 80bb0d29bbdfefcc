package sandbox

import (
	"context"

	"github.com/learnlab/lab/internal/runner"
)

// None runs the binary directly, as lab does on a learner's own machine: no walls at all.
// Services are reachable at their real addresses and Limits are ignored.
type None struct{}

// Name implements Backend.
func (None) Name() string { return "none" }

// Available implements Backend: running directly always works.
func (None) Available(context.Context) error { return nil }

// Run implements Backend.
func (None) Run(ctx context.Context, s Spec) (*Result, error) {
	env := s.Env
	if len(s.Services) > 0 {
		env = runner.Env(env, s.Services)
	}
	res, err := runner.Run(ctx, runner.Spec{
		Path: s.Binary, Args: s.Args, Dir: s.Dir, Env: env,
		Deadline: s.Deadline, MaxOutput: s.MaxOutput, OnLine: s.OnLine,
	})
	if res == nil {
		return nil, err
	}
	return &Result{Result: *res}, err
}
