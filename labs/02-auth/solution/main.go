// Command notes is a small notes service used to practise authentication and authorization:
// passwords, JWTs, roles, API keys, cookie sessions and "sign in with a provider" (OAuth2).
//
//	go run .                              # listens on :8080 (or $PORT)
//	JWT_SECRET=... ADMINS=root API_KEY=... go run .
package main

import (
	"crypto/rand"
	"log"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	cfg := Config{
		JWTSecret: []byte(os.Getenv("JWT_SECRET")),
		Issuer:    envOr("JWT_ISSUER", "http://localhost:8080"),
		Admins:    strings.Fields(os.Getenv("ADMINS")), // e.g. ADMINS="root alice"
		OAuth: OAuthConfig{
			ClientID:     os.Getenv("OAUTH_CLIENT_ID"),
			ClientSecret: os.Getenv("OAUTH_CLIENT_SECRET"),
			AuthURL:      os.Getenv("OAUTH_AUTH_URL"),
			TokenURL:     os.Getenv("OAUTH_TOKEN_URL"),
			UserInfoURL:  os.Getenv("OAUTH_USERINFO_URL"),
			RedirectURL:  envOr("OAUTH_REDIRECT_URL", "http://localhost:8080/oauth/callback"),
		},
	}
	if len(cfg.JWTSecret) == 0 {
		cfg.JWTSecret = []byte(rand.Text())
		log.Print("JWT_SECRET is not set: using a random one, so tokens die with this process")
	}
	if k := os.Getenv("API_KEY"); k != "" {
		cfg.APIKeys = []APIKey{{Name: "dev", Key: k, Scopes: []string{"notes:read", "users:read"}}}
	}

	addr := ":" + envOr("PORT", "8080")
	srv := &http.Server{Addr: addr, Handler: newApp(cfg), ReadHeaderTimeout: 5 * time.Second}
	log.Printf("notes service listening on %s", addr)
	log.Fatal(srv.ListenAndServe())
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
