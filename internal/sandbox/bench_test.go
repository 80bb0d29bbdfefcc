package sandbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/sandbox"
)

// BenchmarkOverhead measures what a sandbox adds to one run of a trivial static binary,
// interleaving each sandboxed run with a direct one so load on the machine hits both:
//
//	go test ./internal/sandbox -run '^$' -bench Overhead -benchtime 10x
//
// It reports ms/run (sandboxed), direct-ms/run and extra-ms/run; the budget is
// +500 ms per check.
func BenchmarkOverhead(b *testing.B) {
	dir, _ := submission(b)
	bin := hostile(b)
	spec := sandbox.Spec{Binary: bin, Args: []string{"hello"}, Dir: dir, Env: []string{"A=b"}}
	for _, be := range []sandbox.Backend{&sandbox.Bwrap{}, &sandbox.Docker{}} {
		b.Run(be.Name(), func(b *testing.B) {
			if err := be.Available(context.Background()); err != nil {
				b.Skipf("%s: %v", be.Name(), err)
			}
			var walled, direct time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				if _, err := (sandbox.None{}).Run(context.Background(), spec); err != nil {
					b.Fatal(err)
				}
				direct += time.Since(start)
				start = time.Now()
				res, err := be.Run(context.Background(), spec)
				if err != nil || res.ExitCode != 0 {
					b.Fatalf("%v %+v", err, res)
				}
				walled += time.Since(start)
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(b.N) / 1e6 }
			b.ReportMetric(ms(walled), "ms/run")
			b.ReportMetric(ms(direct), "direct-ms/run")
			b.ReportMetric(ms(walled-direct), "extra-ms/run")
		})
	}
}
