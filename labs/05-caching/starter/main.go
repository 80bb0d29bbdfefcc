// Command catalog serves a small product catalog whose database is slow on purpose. The lab
// puts Redis in front of it: cache-aside reads, invalidation on writes, stampede protection,
// HTTP caching headers and sessions.
//
//	REDIS_URL=redis://localhost:6379/0 go run .
//	curl -i localhost:8080/products/1
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
)

func main() {
	addr := ":8080"
	if port := os.Getenv("PORT"); port != "" {
		addr = ":" + port
	}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://localhost:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		log.Fatalf("REDIS_URL %q: %v (want something like redis://localhost:6379/0)", url, err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()

	// Every store call takes 300ms: slow enough to feel the difference a cache makes.
	store := newSlowStore(300*time.Millisecond, seedProducts())

	log.Printf("catalog listening on %s (Redis at %s)", addr, opt.Addr)
	log.Fatal(http.ListenAndServe(addr, newServer(rdb, store)))
}
