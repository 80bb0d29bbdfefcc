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
	// TODO(load-balancing): a request that may be sent twice gets one attempt per instance, in
	// the order given, until one answers; any other gets exactly one. Every attempt's outcome
	// counts for its instance. Return the first answer, or what went wrong with each attempt.
	out, err := attempt(req, order[0], false)
	if err != nil {
		return nil, err
	}
	return b.transport.RoundTrip(out)
}

// order is the list of instances to try, in turn.
func (b *balancer) order(service string, all []string) []string {
	// TODO(load-balancing): round robin over the instances that are not ejected now (all of
	// them if every one is), starting one further on each call, per service. Requests come
	// concurrently.
	return all
}

// record counts a success or a failure of inst, and ejects it after maxFailures in a row.
func (b *balancer) record(inst string, ok bool) {
	// TODO(load-balancing): maxFailures failures in a row eject inst for ejectFor, by the
	// balancer's clock; a success starts the count again.
}

// retryable: sending req twice does no more harm than sending it once, and its body (if any)
// can be sent again.
func retryable(req *http.Request) bool {
	// TODO(load-balancing): true for the idempotent methods, when the body (if any) can be
	// replayed; never for POST or PATCH.
	return false
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
