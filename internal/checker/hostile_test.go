package checker

import "testing"

// The attacks of issue 13, each a sample submission under testdata/hostile. Those that only a
// sandbox can refuse are in sandbox_test.go.

// Attack 4: a stdout rewriter turns "--- FAIL" into "--- PASS" for tests that failed with
// t.Error. Refused without a sandbox: the seal is logged only when the test has not failed.
func TestHostileRewriterFailToPass(t *testing.T) {
	t.Parallel()
	for _, fresh := range []bool{false, true} {
		r := check(t, "hostile/rewrite-fail", Options{FreshSeal: fresh})
		noPass(t, r)
		mustContain(t, "message", r.Message, "could not be trusted", "TestAdd reported a pass it did not earn")
	}
}
