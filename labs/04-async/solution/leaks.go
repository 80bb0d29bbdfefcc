package main

import (
	"fmt"
	"net/http"
	"net/http/pprof"
	"runtime"
)

// Every goroutine a request starts must have ended when its handler returns:
//
//   - a goroutine blocked on a send nobody will receive, or a receive nobody will send to, lives
//     (and holds its memory) until the process dies;
//   - so: buffer result channels to the number of senders, or make the sender select on
//     ctx.Done() too; close the jobs channel of a worker pool; wait (WaitGroup, errgroup) for what
//     you started;
//   - a stream handler leaves the room and returns when r.Context() is done.
//
// The two routes below help you look for leaks by hand with `go run .` and curl.

// debugRoutes adds GET /debug/goroutines (the current count) and the goroutine profile of
// net/http/pprof (GET /debug/pprof/goroutine?debug=1 lists every goroutine with its stack).
func debugRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/goroutines", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", runtime.NumGoroutine())
	})
	mux.Handle("GET /debug/pprof/goroutine", pprof.Handler("goroutine"))
}
