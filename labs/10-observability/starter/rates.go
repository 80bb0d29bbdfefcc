package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// This file is done: the one real endpoint, which calls another service.

type ratesAPI struct {
	upstream string       // base URL of the rates service
	client   *http.Client // its Transport comes from outboundTransport (tracing.go)
	log      *slog.Logger
}

type rate struct {
	Currency string  `json:"currency"`
	Rate     float64 `json:"rate"`
}

// get answers GET /api/v1/rates/{currency} with the rate the upstream service gives for it:
//
//	upstream 200 {"currency":"EUR","rate":1.08} → 200 {"currency":"EUR","rate":1.08}
//	upstream 404                                → 404 {"error":"unknown currency"}
//	upstream 5xx, bad JSON or unreachable       → 502 {"error":"rates service unavailable"}
func (a *ratesAPI) get(w http.ResponseWriter, r *http.Request) {
	cur := strings.ToUpper(r.PathValue("currency"))
	if len(cur) != 3 || strings.Trim(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		writeError(w, http.StatusBadRequest, "currency must be 3 letters, like EUR")
		return
	}

	// Someone added this line while chasing a bug, and it logs every header, Authorization
	// and Cookie included. It stays: newLogger (logging.go) has to make lines like it safe.
	a.log.DebugContext(r.Context(), "rates request", "currency", cur, "headers", r.Header)

	// The outbound request is made with r.Context(): that is what carries the trace (and
	// the client's cancellation) to the call. context.Background() here would cut the trace
	// in two.
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, a.upstream+"/rates/"+cur, nil)
	if err != nil {
		fail(w, r, http.StatusInternalServerError, "internal server error", fmt.Errorf("rates upstream: %w", err))
		return
	}
	res, err := a.client.Do(req)
	if err != nil {
		fail(w, r, http.StatusBadGateway, "rates service unavailable", fmt.Errorf("rates upstream: %w", err))
		return
	}
	defer res.Body.Close()

	switch {
	case res.StatusCode == http.StatusNotFound:
		writeError(w, http.StatusNotFound, "unknown currency")
		return
	case res.StatusCode != http.StatusOK:
		fail(w, r, http.StatusBadGateway, "rates service unavailable",
			fmt.Errorf("rates upstream: GET /rates/%s: status %d", cur, res.StatusCode))
		return
	}
	var got rate
	if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
		fail(w, r, http.StatusBadGateway, "rates service unavailable",
			fmt.Errorf("rates upstream: GET /rates/%s: bad body: %w", cur, err))
		return
	}
	writeJSON(w, http.StatusOK, rate{Currency: cur, Rate: got.Rate})
}
