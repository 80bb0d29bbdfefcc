// Command notes is a small notes API used to practise HTTP middleware: the handlers are done,
// the cross-cutting behaviour around them (logging, request ids, auth, validation, rate
// limiting, panic recovery) is yours to write.
//
//	go run .                       # listens on :8080 (or $PORT)
//	curl -i localhost:8080/healthz
//	curl -i -H 'Authorization: Bearer dev-token' localhost:8080/api/v1/me
package main

import (
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))

	addr := ":8080"
	if p := os.Getenv("PORT"); p != "" {
		addr = ":" + p
	}

	cfg := Config{
		Logger:       logger,
		Tokens:       parseTokens(os.Getenv("API_TOKENS")),
		Rate:         5,
		Burst:        10,
		IdleTTL:      10 * time.Minute,
		MaxBodyBytes: 1 << 20,
	}
	if os.Getenv("API_TOKENS") == "" {
		logger.Warn("API_TOKENS is empty: accepting the demo token", "token", "dev-token", "user", "dev")
	}

	srv := &http.Server{
		Addr:              addr,
		Handler:           newApp(cfg),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	logger.Info("listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// parseTokens reads "token1:alice,token2:bob". An empty string gives the demo token.
func parseTokens(s string) map[string]string {
	if s == "" {
		return map[string]string{"dev-token": "dev"}
	}
	tokens := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		tok, user, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if ok && tok != "" && user != "" {
			tokens[tok] = user
		}
	}
	return tokens
}
