package main

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// remoteIP is the address of whoever opened the TCP connection: the client itself, or a
// proxy in front of us.
func remoteIP(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap(), true
}

// fromTrustedProxy reports whether the request came straight from one of
// Config.TrustedProxies: only then do its X-Forwarded-* headers mean anything.
func (a *App) fromTrustedProxy(r *http.Request) bool {
	ip, ok := remoteIP(r)
	if !ok {
		return false
	}
	return a.trusted(ip)
}

func (a *App) trusted(ip netip.Addr) bool {
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP is the address of the client that sent the request, as far as we can tell.
// Behind trusted proxies it is the rightmost X-Forwarded-For entry that is not one of them:
// entries further left were written by the client and prove nothing.
func (a *App) clientIP(r *http.Request) string {
	ip, ok := remoteIP(r)
	if !ok {
		return r.RemoteAddr
	}
	if !a.trusted(ip) {
		return ip.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // garbage: stop at the last address we could trust
		}
		ip = hop.Unmap()
		if !a.trusted(ip) {
			break
		}
	}
	return ip.String()
}
