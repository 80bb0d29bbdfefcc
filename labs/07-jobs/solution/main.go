// Command mailer queues emails in Redis and sends them from background workers: POST /emails
// answers 202 at once, workers send later, retry failures with backoff, and a sweeper promotes
// scheduled jobs and recovers the jobs of crashed workers.
//
//	REDIS_URL=redis://localhost:6379/0 go run .
//	curl -i localhost:8080/emails -d '{"to":"ada@example.com","subject":"Hi","body":"Hello"}'
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

const workers = 4

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
	q := NewQueue(rdb, systemClock{})

	// Ctrl-C or SIGTERM (what Kubernetes and docker stop send) cancels ctx: the HTTP server
	// stops accepting, the workers finish the email in hand, and the process exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// A recurring job, registered at every start: Every must not reset or duplicate it.
	tomorrow9 := time.Now().Truncate(24 * time.Hour).Add(24*time.Hour + 9*time.Hour)
	digest := Email{To: "team@example.com", Subject: "Daily digest", Body: "What happened yesterday."}
	if err := q.Every(ctx, "daily-digest", 24*time.Hour, digest, tomorrow9); err != nil {
		log.Printf("registering the daily digest: %v", err)
	}

	var wg sync.WaitGroup
	sender := logSender{delay: 200 * time.Millisecond}
	for range workers {
		wg.Go(func() {
			if err := NewWorker(q, sender).Run(ctx); err != nil {
				log.Printf("worker: %v", err)
			}
		})
	}
	wg.Go(func() { sweep(ctx, q) })

	srv := &http.Server{Addr: addr, Handler: newServer(q), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		log.Printf("mailer listening on %s (Redis at %s, %d workers)", addr, opt.Addr, workers)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	<-ctx.Done()
	log.Print("stopping: finishing the jobs in hand")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(shutdownCtx)
	wg.Wait()
	log.Print("stopped")
}

// sweep runs the queue's housekeeping once a second: scheduled and recurring jobs that are due
// go on the queue, and jobs whose worker died go back on it. An error is logged once, not
// every second.
func sweep(ctx context.Context, q *Queue) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var lastErr string
	report := func(what string, n int, err error) {
		switch {
		case err != nil && err.Error() != lastErr:
			lastErr = err.Error()
			log.Printf("sweep: %s: %v", what, err)
		case err == nil && n > 0:
			log.Printf("sweep: %s: %d jobs queued", what, n)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			n, err := q.Promote(ctx, now)
			report("promote", n, err)
			n, err = q.RecoverStale(ctx, now)
			report("recover stale", n, err)
		}
	}
}
