package main

import (
	"context"
	"errors"
	"net"
	"net/url"
)

// tcpCheck returns a Checker that opens (and closes) a TCP connection to the host of rawURL.
//
// This lab's service keeps its books in memory, so it has no connection pool to ping. A
// service that has one checks with it instead, with the same signature:
//
//	"database": pool.Ping,                                                 // pgxpool
//	"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, // go-redis
func tcpCheck(rawURL string) Checker {
	return func(ctx context.Context) error {
		u, err := url.Parse(rawURL)
		if err != nil || u.Hostname() == "" {
			return errors.New("no address configured") // never repeat the URL: it may hold a password
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"postgres": "5432", "postgresql": "5432", "redis": "6379", "rediss": "6379"}[u.Scheme]
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
		if err != nil {
			return err
		}
		return conn.Close()
	}
}
