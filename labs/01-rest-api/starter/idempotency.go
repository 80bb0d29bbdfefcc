package main

import "net/http"

// Idempotency-Key: a client that sends POST with this header may send the same request again
// (after a timeout, say) and be sure the book is created once. The first response is recorded;
// a repeat gets the recording back.

// idempotencyKeys remembers, for each Idempotency-Key, the request that used it and the
// response that was sent.
type idempotencyKeys struct {
	// TODO(idempotency): a mutex and a map from key to what you record.
}

func newIdempotencyKeys() *idempotencyKeys {
	return &idempotencyKeys{}
}

// idempotent wraps a POST handler.
func (s *server) idempotent(next http.Handler) http.Handler {
	// TODO(idempotency): a request without an Idempotency-Key goes straight to next.
	// With a key seen before:
	//   - the same request again (same method, path and body): reply with the recorded status,
	//     headers and body, plus the header "Idempotent-Replayed: true"; next does not run;
	//   - a different request: 422 Unprocessable Content (problem+json); next does not run;
	//   - the first request is still running: 409 Conflict (problem+json); next does not run.
	// With a new key: run next through a ResponseWriter that records what it writes, and keep
	// the recording (unless the status is 5xx: the client may retry those).
	return next
}
