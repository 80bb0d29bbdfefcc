// Command teamboard is a small back end that waits on slow things: a dashboard that reads three
// upstream services, an all-or-nothing report, a thumbnail endpoint that must not overload the
// machine, and a chat room streamed with Server-Sent Events.
//
//	go run .
//	curl -s localhost:8080/api/dashboard
//	open http://localhost:8080/ in two browser tabs for the chat
//
// It listens on :8080, or on $PORT when it is set. The upstreams are simulated.
package main

import (
	"cmp"
	"context"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	// Simulated upstreams: the recommendations are slower than the dashboard's deadline, so the
	// dashboard answers without them (partial) while the report waits for them.
	upstreams := map[string]Upstream{
		"profile":         simulated(80*time.Millisecond, map[string]string{"name": "Ada", "team": "platform"}),
		"orders":          simulated(150*time.Millisecond, []string{"#1041", "#1042"}),
		"recommendations": simulated(1500*time.Millisecond, []string{"The Go Programming Language"}),
	}
	resize := func(ctx context.Context, image string) (string, error) {
		if _, err := simulated(200*time.Millisecond, nil)(ctx); err != nil {
			return "", err
		}
		return strings.TrimSuffix(image, ".png") + "-thumb.png", nil
	}

	mux := http.NewServeMux()
	mux.Handle("GET /api/dashboard", newDashboard(upstreams, time.Second))
	mux.Handle("GET /api/report", newReport(upstreams))
	mux.Handle("POST /api/thumbnails", newThumbnails(4, resize))
	mux.Handle("/api/chat/", newChat())
	mux.HandleFunc("GET /{$}", serveChatPage)
	debugRoutes(mux)

	addr := ":" + cmp.Or(os.Getenv("PORT"), "8080")
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		// No WriteTimeout: it would cut the chat streams. Each handler bounds its own work.
	}
	log.Printf("teamboard listening on %s (try: curl -s localhost%s/api/dashboard)", addr, addr)
	log.Fatal(srv.ListenAndServe())
}
