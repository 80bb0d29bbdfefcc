//go:build labcheck

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Task enqueue: POST /emails answers 202 with a job id at once; GET /jobs/{id} reads its state.

const lab501 = "501 is the starter's placeholder: the handlers are in api.go, TODO(enqueue)"

// labJobJSON is the body of POST /emails and GET /jobs/{id} as the tests read it.
type labJobJSON struct {
	ID       string `json:"id"`
	State    string `json:"state"`
	Attempts *int   `json:"attempts"`
}

func (e *labEnv) decodeJob(x *labExchange) labJobJSON {
	e.t.Helper()
	if ct := x.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		e.failx(x, fmt.Sprintf("got Content-Type %q, want application/json", ct), "writeJSON (api.go) sets it for you")
	}
	var j labJobJSON
	if err := json.Unmarshal(x.resp, &j); err != nil {
		e.failx(x, fmt.Sprintf("the body is not the job's JSON: %v", err), `want an object like {"id":"...","state":"queued","attempts":0,...}: writeJSON(w, status, jobView(job))`)
	}
	return j
}

func TestEnqueueAnswers202AndQueuesTheJob(t *testing.T) {
	e := labNewEnv(t)
	h := e.server()
	body := `{"to":"ada@example.com","subject":"Welcome","body":"Hello Ada"}`

	x := e.do(h, "POST", "/emails", body)
	if x.status != http.StatusAccepted {
		hint := "202 Accepted says: received, will be done later. Not 200 or 201: nothing is sent yet"
		if x.status == http.StatusNotImplemented {
			hint = lab501
		}
		e.failx(x, fmt.Sprintf("got status %d, want 202", x.status), hint)
	}
	j := e.decodeJob(x)
	if j.ID == "" {
		e.failx(x, `the body has no "id": the client needs it to ask GET /jobs/{id}`)
	}
	if j.State != "queued" {
		e.failx(x, fmt.Sprintf(`the body says "state": %q, want "queued"`, j.State))
	}
	if loc := x.header.Get("Location"); loc != "/jobs/"+j.ID {
		e.failx(x, fmt.Sprintf("got Location %q, want %q", loc, "/jobs/"+j.ID), "set the header before writeJSON: headers set after the status is written are lost")
	}

	hash := e.hash(j.ID)
	if len(hash) == 0 {
		e.fatalf("POST /emails %s answered id %q, but Redis has no hash job:%s", body, j.ID, j.ID)
	}
	for _, kv := range [][2]string{{"to", "ada@example.com"}, {"subject", "Welcome"}, {"body", "Hello Ada"}, {"state", "queued"}, {"attempts", "0"}} {
		if k, v := kv[0], kv[1]; hash[k] != v {
			e.fatalf("after POST /emails %s: job:%s has %s=%q, want %q\nhint: %s", body, j.ID, k, hash[k], v,
				"HSET job:{id} with newJobFields(e, stateQueued, now): to, subject, body, state, attempts, created_at")
		}
	}
	e.wantList(labQueue, []string{j.ID}, "after POST /emails "+body,
		"LPUSH the id onto jobs:queue, in the same transaction as the HSET")
	if n := e.sender.totalCalls(); n != 0 {
		e.fatalf("POST /emails sent the email itself (%d Send calls): the handler only queues, a worker sends", n)
	}

	// A second email is a second job, queued behind the first: new jobs go on the left.
	x2 := e.do(h, "POST", "/emails", `{"to":"grace@example.com","subject":"Welcome","body":"Hello Grace"}`)
	if x2.status != http.StatusAccepted {
		e.failx(x2, fmt.Sprintf("got status %d, want 202", x2.status))
	}
	j2 := e.decodeJob(x2)
	if j2.ID == j.ID {
		e.failx(x2, fmt.Sprintf("the second email got the same id %q as the first: every job needs its own id (newJobID)", j.ID))
	}
	e.wantList(labQueue, []string{j2.ID, j.ID}, fmt.Sprintf("after two POST /emails (first job %s, then %s)", j.ID, j2.ID),
		"LPUSH puts the newest job on the left; workers take the oldest from the right (first in, first out)")
}

func TestEnqueueRejectsInvalidEmails(t *testing.T) {
	e := labNewEnv(t)
	h := e.server()
	cases := []struct{ body, why string }{
		{`{"to":"","subject":"Hi","body":"x"}`, `"to" is empty`},
		{`{"to":"not an address","subject":"Hi","body":"x"}`, `"to" is not an email address`},
		{`{"to":"ada@example.com","subject":"","body":"x"}`, `"subject" is empty`},
		{`{"to":"ada@example.com","subject":"Hi","body":"x"`, "the JSON is cut short"},
		{`["ada@example.com"]`, "the body is not an object"},
	}
	for _, c := range cases {
		x := e.do(h, "POST", "/emails", c.body)
		if x.status != http.StatusBadRequest {
			hint := "the worker cannot ask the client what was meant: check everything before queueing (validateEmail in api.go) and answer 400"
			if x.status == http.StatusNotImplemented {
				hint = lab501
			}
			e.failx(x, fmt.Sprintf("%s: got status %d, want 400", c.why, x.status), hint)
		}
		if q := e.list(labQueue); len(q) != 0 {
			e.failx(x, fmt.Sprintf("%s, answered %d, but jobs:queue now holds [%s]: an invalid email must not be queued", c.why, x.status, strings.Join(q, " ")))
		}
	}
}

func TestJobStatusReadsRedis(t *testing.T) {
	e := labNewEnv(t)
	h := e.server()
	x := e.do(h, "POST", "/emails", `{"to":"ada@example.com","subject":"Welcome","body":"Hello Ada"}`)
	if x.status != http.StatusAccepted {
		hint := ""
		if x.status == http.StatusNotImplemented {
			hint = lab501
		}
		e.failx(x, fmt.Sprintf("got status %d, want 202", x.status), hint)
	}
	id := e.decodeJob(x).ID

	g := e.do(h, "GET", "/jobs/"+id, "")
	if g.status != http.StatusOK {
		hint := "read the hash with s.q.Get(ctx, id) and answer 200 with jobView(job)"
		if g.status == http.StatusNotImplemented {
			hint = lab501
		}
		e.failx(g, fmt.Sprintf("got status %d, want 200", g.status), hint)
	}
	j := e.decodeJob(g)
	if j.ID != id || j.State != "queued" || j.Attempts == nil || *j.Attempts != 0 {
		e.failx(g, fmt.Sprintf(`want "id": %q, "state": "queued", "attempts": 0`, id))
	}

	// A worker moves the job on: the status must come from Redis, not from memory.
	ctx, cancel := e.ctx()
	defer cancel()
	if err := e.rdb.HSet(ctx, "job:"+id, "state", "done", "attempts", 2).Err(); err != nil {
		t.Fatalf("setting up: HSET job:%s: %v", id, err)
	}
	g = e.do(h, "GET", "/jobs/"+id, "")
	j = e.decodeJob(g)
	if g.status != http.StatusOK || j.State != "done" || j.Attempts == nil || *j.Attempts != 2 {
		e.failx(g, fmt.Sprintf(`after the test set job:%s state=done attempts=2 in Redis: want 200 with "state": "done", "attempts": 2`, id),
			"read the job from Redis on every GET (s.q.Get): workers on other machines change it")
	}

	n := e.do(h, "GET", "/jobs/no-such-job", "")
	if n.status != http.StatusNotFound {
		e.failx(n, fmt.Sprintf("got status %d, want 404 for an id without a job:{id} hash", n.status),
			"s.q.Get returns ErrNotFound (errors.Is) for an unknown id")
	}
}
