//go:build labcheck

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"sync"
)

type idemState int

const (
	running idemState = iota
	finished
)

type idemEntry struct {
	fingerprint string
	state       idemState
	status      int
	header      http.Header
	body        []byte
}

type idempotencyKeys struct {
	mu      sync.Mutex
	entries map[string]*idemEntry
}

func newIdempotencyKeys() *idempotencyKeys {
	return &idempotencyKeys{entries: make(map[string]*idemEntry)}
}

// bufferedWriter holds the whole response until the handler is done.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (s *server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		if err != nil || len(body) > maxBodyBytes {
			writeProblem(w, http.StatusBadRequest, "the body could not be read or is too large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00", r.Method, r.URL.Path)
		h.Write(body)
		fp := hex.EncodeToString(h.Sum(nil))

		s.keys.mu.Lock()
		e, ok := s.keys.entries[key]
		if !ok {
			e = &idemEntry{fingerprint: fp, state: running}
			s.keys.entries[key] = e
		}
		var snapshot idemEntry
		if ok {
			snapshot = *e
		}
		s.keys.mu.Unlock()

		if ok {
			switch {
			case snapshot.fingerprint != fp:
				writeProblem(w, http.StatusUnprocessableEntity, "this Idempotency-Key belongs to another request")
			case snapshot.state == running:
				writeProblem(w, http.StatusConflict, "the first request with this Idempotency-Key is still in progress")
			default:
				for k, v := range snapshot.header {
					w.Header()[k] = v
				}
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(snapshot.status)
				w.Write(snapshot.body)
			}
			return
		}

		buf := &bufferedWriter{header: make(http.Header)}
		func() {
			defer func() {
				s.keys.mu.Lock()
				defer s.keys.mu.Unlock()
				if buf.status == 0 || buf.status >= 500 {
					delete(s.keys.entries, key)
					return
				}
				e.state, e.status, e.header, e.body = finished, buf.status, buf.header.Clone(), buf.body.Bytes()
			}()
			next.ServeHTTP(buf, r)
		}()
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		if buf.status == 0 {
			buf.status = http.StatusOK
		}
		w.WriteHeader(buf.status)
		w.Write(buf.body.Bytes())
	})
}
