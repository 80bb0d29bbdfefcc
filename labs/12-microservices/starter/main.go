// Command shop runs a small shop as microservices, all in one process so that one `go run`
// is enough: two copies of the users service, one of the orders service, the notifications
// consumer, and the API gateway in front of them. The services find each other through a
// registry in Redis.
//
//	REDIS_URL=redis://localhost:6379/0 go run .
//	curl -i localhost:8080/api/users/u1
//	curl -i localhost:8080/api/orders -d '{"user_id":"u1","item":"book"}'
package main

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
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

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	reg := newRegistry(rdb, 10*time.Second, time.Now)
	gatewayURL := "http://localhost" + addr + "/api"
	if host, port, _ := net.SplitHostPort(addr); host != "" {
		gatewayURL = "http://" + net.JoinHostPort(host, port) + "/api"
	}

	var heartbeats sync.WaitGroup
	defer heartbeats.Wait() // on the way out: each instance deregisters

	// Each instance listens on a free port of its own and registers there.
	start := func(service string, h http.Handler) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		go func() { log.Print(http.Serve(ln, h)) }()
		heartbeats.Go(func() { reg.Heartbeat(ctx, service, base) })
		log.Printf("%s instance at %s", service, base)
	}
	for i := 1; i <= 2; i++ {
		start("users", newUsers(fmt.Sprintf("users-%d", i)))
	}
	// Orders calls users through the gateway, like any other client.
	start("orders", newOrders(OrdersConfig{UsersURL: gatewayURL, Redis: rdb, BreakerTimeout: 10 * time.Second}))

	host, _ := os.Hostname()
	go newConsumer(rdb, fmt.Sprintf("notifications-%s-%d", host, os.Getpid()), logNotifier{}).run(ctx)

	srv := &http.Server{Addr: addr, Handler: newGateway(reg, time.Now)}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("gateway listening on %s (Redis at %s)", addr, opt.Addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Print(err)
		stop()
	}
}
