package bench

// Issue 13's benchmark: what the sandbox adds to a warm `lab check` (goal: at most +0.5 s per
// check), labs 01 and 05 (Redis), each backend against the same check with --no-sandbox,
// interleaved so that load on the machine hits both alike.
//
//	go test ./bench -bench Sandboxed -benchtime 1x -v     # median of 3 runs each; -benchtime Nx for N (N > 1)
//
// A backend that does not work here is skipped and says why. Lab 05 needs Docker or local
// Redis binaries for its service (source /work/env.sh on the project machine).

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/learnlab/lab/internal/sandbox"
)

func BenchmarkSandboxedCheck(b *testing.B) {
	labs := strings.Fields(os.Getenv("LAB_BENCH_SANDBOX_LABS"))
	if len(labs) == 0 {
		labs = []string{"01-rest-api", "05-caching"}
	}
	for _, labID := range labs {
		b.Run(labID, func(b *testing.B) {
			bl := newBenchLab(b, labID)
			bl.startWithSolution(b)
			// A sandboxed check keeps keyed seals (the key is out of its reach), so its build
			// cache stays warm like the unsandboxed one's. The unsandboxed check with
			// LAB_SEAL=fresh (what CI without a sandbox pays) is shown for comparison.
			fresh := append(append([]string(nil), bl.env...), "LAB_SEAL=fresh")
			check := func(env []string, flag string) time.Duration {
				return bl.timed(b, "", env, bl.bin, "check", bl.l.ID, "--json", flag)
			}
			for _, name := range []string{"bwrap", "docker"} {
				b.Run(name, func(b *testing.B) {
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					_, err := sandbox.Select(ctx, name)
					cancel()
					if err != nil {
						b.Skipf("%s: %v", name, err)
					}
					// Warm: the build cache, the services, the sandbox image.
					check(bl.env, "--no-sandbox")
					check(bl.env, "--sandbox="+name)
					n := b.N // -benchtime Nx; 1x (a single run) takes the median of 3
					if n == 1 {
						n = 3
					}
					var walled, direct, directFresh []time.Duration
					b.ResetTimer()
					for range n {
						direct = append(direct, check(bl.env, "--no-sandbox"))
						directFresh = append(directFresh, check(fresh, "--no-sandbox"))
						walled = append(walled, check(bl.env, "--sandbox="+name))
					}
					b.StopTimer()
					mw, md, mf := median(walled), median(direct), median(directFresh)
					added := (mw - md).Seconds()
					b.ReportMetric(mw.Seconds()*1000, "sandboxed-ms")
					b.ReportMetric(md.Seconds()*1000, "direct-ms")
					b.ReportMetric(float64(mw)/float64(md), "ratio")
					b.ReportMetric(added, "added-s")
					b.ReportMetric((mw - mf).Seconds(), "walls-s")
					b.Logf("%s, %s, %d runs each: sandboxed median %s, --no-sandbox median %s (%s with fresh seals), ratio %.2f, added %+.2f s per check, (goal ≤ +0.5 s); sandboxed minus fresh-seal direct %+.2f s, load average %s",
						bl.l.ID, name, n, mw.Round(time.Millisecond), md.Round(time.Millisecond), mf.Round(time.Millisecond), float64(mw)/float64(md), added, (mw - mf).Seconds(), loadavg())
				})
			}
		})
	}
}
