//go:build labcheck

package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// Idempotency-Key: a client that sends POST with this header may send the same request again
// (after a timeout, say) and be sure the book is created once. The first response is recorded;
// a repeat gets the recording back.

// idempotencyKeys remembers, for each Idempotency-Key, the request that used it and the
// response that was sent.
type idempotencyKeys struct {
	mu   sync.Mutex
	seen map[string]*keyUse
}

// keyUse is one Idempotency-Key: the request that first used it and, once it is done, its
// response. A real service keeps these in a shared store (Redis, the database) for a day or so.
type keyUse struct {
	request [sha256.Size]byte // fingerprint of method, path and body
	done    bool              // false while the first request is still running
	status  int
	header  http.Header
	body    []byte
}

func newIdempotencyKeys() *idempotencyKeys {
	return &idempotencyKeys{seen: map[string]*keyUse{}}
}

// lookup returns what key holds, if anything.
func (k *idempotencyKeys) lookup(key string) (keyUse, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if u, ok := k.seen[key]; ok {
		return *u, false
	}
	return keyUse{}, true
}

// record stores the finished request under key.
func (k *idempotencyKeys) record(key string, request [sha256.Size]byte, rec *recorder) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if rec.status == 0 || rec.status >= 500 {
		return
	}
	k.seen[key] = &keyUse{request: request, done: true, status: rec.status, header: rec.header, body: rec.body.Bytes()}
}

// claim records that key is used for request. It returns (_, true) when the key is new, and
// otherwise a copy of what the key holds.
func (k *idempotencyKeys) claim(key string, request [sha256.Size]byte) (keyUse, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if u, ok := k.seen[key]; ok {
		return *u, false
	}
	k.seen[key] = &keyUse{request: request}
	return keyUse{}, true
}

// finish stores the response to key's request, or forgets the key when there is no response
// worth replaying (a 5xx says the server failed; no status at all, that the handler panicked),
// so that the client's retry runs again.
func (k *idempotencyKeys) finish(key string, rec *recorder) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if rec.status == 0 || rec.status >= 500 {
		delete(k.seen, key)
		return
	}
	u := k.seen[key]
	u.done, u.status, u.header, u.body = true, rec.status, rec.header, rec.body.Bytes()
}

// idempotent wraps a POST handler.
func (s *server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", tooBig.Limit))
				return
			}
			writeProblem(w, http.StatusBadRequest, "could not read the body: "+err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body)) // next reads it again
		fingerprint := sha256.Sum256(fmt.Appendf(nil, "%s %s\n%s", r.Method, r.URL.Path, body))

		used, isNew := s.keys.lookup(key)
		switch {
		case isNew:
			rec := &recorder{ResponseWriter: w}
			next.ServeHTTP(rec, r)
			s.keys.record(key, fingerprint, rec)
		case used.request != fingerprint:
			writeProblem(w, http.StatusUnprocessableEntity,
				fmt.Sprintf("Idempotency-Key %q was already used for a different request: use a new key for a new request", key))
		case !used.done:
			writeProblem(w, http.StatusConflict,
				fmt.Sprintf("a request with Idempotency-Key %q is still being processed: retry later", key))
		default:
			for name, values := range used.header {
				w.Header()[name] = values
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(used.status)
			w.Write(used.body)
		}
	})
}

// recorder passes a response through to the client and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
		rec.header = rec.ResponseWriter.Header().Clone()
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK) // what net/http does when Write comes first
	}
	rec.body.Write(b)
	return rec.ResponseWriter.Write(b)
}
