//go:build labcheck

package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics are the RED metrics of the service (Rate, Errors, Duration), exposed as
//
//	http_requests_total{method, route, status}                   counter
//	http_request_duration_seconds{method, route, status}         histogram (…_bucket{le}, …_sum, …_count)
//
// route is the route pattern (routeOf), status the response status as a string ("200").
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newHTTPMetrics creates the two metrics and registers them on reg, never on the global
// default registry: each app (and each test) gets its own.
func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	labels := []string{"method", "route", "status"}
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by method, route pattern and status.",
		}, labels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds",
			Help: "Time to serve an HTTP request, by method, route pattern and status.",
			// .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10: 0.5, the latency SLO, is a boundary.
			Buckets: prometheus.DefBuckets,
		}, labels),
	}
	prometheus.DefaultRegisterer.Register(m.requests)
	prometheus.DefaultRegisterer.Register(m.duration)
	_ = reg
	return m
}

// middleware counts and times every request, labelled once the response is known.
func (m *httpMetrics) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := newStatusRecorder(w)
		next.ServeHTTP(rec, r)
		labels := prometheus.Labels{
			"method": methodLabel(r.Method),
			"route":  routeOf(r),
			"status": strconv.Itoa(rec.Status()),
		}
		m.requests.With(labels).Inc()
		m.duration.With(labels).Observe(time.Since(start).Seconds())
	})
}

// methodLabel keeps the method label bounded: a client can send any token as a method.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// metricsHandler serves what reg holds in the Prometheus exposition format.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
