//go:build labcheck

package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// errNoInstances: the resolver knows no live instance of the service.
var errNoInstances = errors.New("no instance available")

const (
	maxFailures = 3                // consecutive failed attempts that eject an instance
	ejectFor    = 30 * time.Second // how long an ejected instance gets no traffic
)

// balancer is the gateway's http.RoundTripper. A request arrives addressed to a service
// (http://users/users/42): the balancer resolves the service's instances, picks one in turn,
// sends the request there, and retries an idempotent request on the next instance when the
// attempt fails. An instance that fails maxFailures times in a row is ejected for ejectFor.
type balancer struct {
	res       Resolver
	now       func() time.Time
	transport http.RoundTripper // sends one attempt to one instance

	mu     sync.Mutex
	next   map[string]uint64     // per service: where round robin starts next time
	health map[string]*instState // per instance base URL
}

type instState struct {
	failures     int       // consecutive failed attempts
	ejectedUntil time.Time // zero unless ejected
}

// newBalancer builds a balancer. The hidden tests call it, so keep its signature.
func newBalancer(res Resolver, now func() time.Time) *balancer {
	return &balancer{
		res:       res,
		now:       now,
		transport: http.DefaultTransport.(*http.Transport).Clone(),
		next:      make(map[string]uint64),
		health:    make(map[string]*instState),
	}
}

func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	service := req.URL.Host
	all, err := b.res.Instances(req.Context(), service)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", service, err)
	}
	order := b.order(service, all)
	if len(order) == 0 {
		return nil, fmt.Errorf("%s: %w", service, errNoInstances)
	}
	attempts := 1
	if retryable(req) {
		attempts = len(order)
	}
	var errs []error
	for i := range attempts {
		out, err := attempt(req, order[i], i > 0)
		if err != nil {
			return nil, err
		}
		res, err := b.transport.RoundTrip(out)
		if err == nil {
			b.record(order[i], true)
			return res, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", order[i], err))
		if req.Context().Err() != nil {
			break // our client gave up: not the instance's fault, and no use retrying
		}
		b.record(order[i], false)
	}
	return nil, errors.Join(errs...)
}

// order is the list of instances to try, in turn: round robin over the instances that are not
// ejected, starting one further each time.
func (b *balancer) order(service string, all []string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	var healthy []string
	for _, inst := range all {
		if st := b.health[inst]; st == nil || !now.Before(st.ejectedUntil) {
			healthy = append(healthy, inst)
		}
	}
	if len(healthy) == 0 {
		healthy = all // all ejected: trying one is better than failing for sure
	}
	if len(healthy) == 0 {
		return nil
	}
	start := int(b.next[service] % uint64(len(healthy)))
	b.next[service]++
	return append(healthy[start:len(healthy):len(healthy)], healthy[:start]...)
}

// record counts a success or a failure of inst, and ejects it after maxFailures in a row.
func (b *balancer) record(inst string, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.health[inst]
	if st == nil {
		st = &instState{}
		b.health[inst] = st
	}
	if ok {
		st.failures = 0
		return
	}
	st.failures++
	if st.failures >= maxFailures {
		st.failures = 0
		st.ejectedUntil = time.Now().Add(ejectFor)
	}
}

// retryable: sending req twice does no more harm than sending it once, and its body (if any)
// can be sent again.
func retryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
	default:
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// attempt is req addressed to the instance inst, with a fresh body for a retry.
func attempt(req *http.Request, inst string, retry bool) (*http.Request, error) {
	u, err := url.Parse(inst)
	if err != nil {
		return nil, fmt.Errorf("instance %q: %w", inst, err)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host = u.Scheme, u.Host
	out.Host = ""
	if retry && req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		if out.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
