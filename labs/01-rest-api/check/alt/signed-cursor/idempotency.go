//go:build labcheck

package main

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"sync"
)

// idempotencyKeys maps a key to its *slot. LoadOrStore is the claim: exactly one request
// stores a new slot, every other one loads it.
type idempotencyKeys struct {
	slots sync.Map
}

type slot struct {
	fingerprint [32]byte
	done        chan struct{} // closed when the response is recorded
	status      int
	header      http.Header
	body        []byte
}

func newIdempotencyKeys() *idempotencyKeys { return &idempotencyKeys{} }

type teeWriter struct {
	http.ResponseWriter
	status int
	header http.Header
	body   bytes.Buffer
}

func (t *teeWriter) WriteHeader(code int) {
	if t.status == 0 {
		t.status, t.header = code, t.ResponseWriter.Header().Clone()
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *teeWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	t.body.Write(p)
	return t.ResponseWriter.Write(p)
}

func (s *server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			writeProblem(w, http.StatusBadRequest, "cannot read the body: "+err.Error())
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		io.WriteString(h, r.Method+" "+r.URL.Path+"\n")
		h.Write(body)
		mine := &slot{done: make(chan struct{})}
		copy(mine.fingerprint[:], h.Sum(nil))

		v, loaded := s.keys.slots.LoadOrStore(key, mine)
		if !loaded {
			tw := &teeWriter{ResponseWriter: w}
			defer func() {
				if tw.status == 0 || tw.status >= 500 {
					s.keys.slots.Delete(key)
				} else {
					mine.status, mine.header, mine.body = tw.status, tw.header, tw.body.Bytes()
				}
				close(mine.done)
			}()
			next.ServeHTTP(tw, r)
			return
		}
		old := v.(*slot)
		if old.fingerprint != mine.fingerprint {
			writeProblem(w, http.StatusUnprocessableEntity, "Idempotency-Key reused for a different request")
			return
		}
		select {
		case <-old.done:
		default:
			writeProblem(w, http.StatusConflict, "a request with this Idempotency-Key is in progress; retry later")
			return
		}
		if old.status == 0 { // a 5xx that was forgotten after this request loaded it
			writeProblem(w, http.StatusConflict, "the first request with this Idempotency-Key failed; retry")
			return
		}
		for k, vs := range old.header {
			w.Header()[k] = vs
		}
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(old.status)
		w.Write(old.body)
	})
}
