//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
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

// secondWriteFails is a go-redis hook that lets the first write of a job through and fails
// the second, as a connection lost between two commands would. Writes sent together (MULTI/EXEC,
// a pipeline, a script) are one step: the hook fails them whole, before anything is applied.
type secondWriteFails struct {
	mu     sync.Mutex
	writes int
	failed string
}

func (h *secondWriteFails) DialHook(next redis.DialHook) redis.DialHook { return next }

func labJobWrite(cmd redis.Cmder) bool {
	args := cmd.Args()
	if len(args) < 2 {
		return false
	}
	name, key := strings.ToLower(fmt.Sprint(args[0])), fmt.Sprint(args[1])
	switch name {
	case "hset", "hmset", "hsetnx":
		return strings.HasPrefix(key, "job:")
	case "lpush", "rpush":
		return key == labQueue
	}
	return false
}

var errLabConnLost = errors.New("read tcp 127.0.0.1:51234->127.0.0.1:6379: connection reset by peer (the test's hook: the connection dropped)")

func (h *secondWriteFails) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if labJobWrite(cmd) {
			h.mu.Lock()
			h.writes++
			second := h.writes == 2
			if second {
				h.failed = strings.Join(strings.Fields(fmt.Sprint(cmd.Args())), " ")
			}
			h.mu.Unlock()
			if second {
				cmd.SetErr(errLabConnLost)
				return errLabConnLost
			}
		}
		return next(ctx, cmd)
	}
}

func (h *secondWriteFails) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n := 0
		for _, cmd := range cmds {
			if labJobWrite(cmd) {
				n++
			}
		}
		if n >= 2 {
			for _, cmd := range cmds {
				cmd.SetErr(errLabConnLost)
			}
			return errLabConnLost
		}
		return next(ctx, cmds)
	}
}

func TestEnqueueWritesTheJobInOneStep(t *testing.T) {
	e := labNewEnv(t)
	h := e.server()
	hook := &secondWriteFails{}
	e.rdb.AddHook(hook)

	body := `{"to":"ada@example.com","subject":"Welcome","body":"Hello Ada"}`
	x := e.do(h, "POST", "/emails", body)
	if x.status < 500 {
		if hook.writes < 2 {
			return // one command (a script): nothing can come between the writes
		}
		e.failx(x, fmt.Sprintf("Redis failed the second write of the job (%s), yet POST answered %d: the client believes a job was queued", hook.failed, x.status),
			"when Enqueue returns an error, answer 500")
	}
	ctx, cancel := e.ctx()
	defer cancel()
	hashes, _ := e.rdb.Keys(ctx, "job:*").Result()
	queued := e.list(labQueue)
	if len(hashes) == 0 && len(queued) == 0 {
		return // nothing was written: the client got an error and may retry
	}
	what := fmt.Sprintf("Redis now holds the hashes %v and jobs:queue [%s]", hashes, strings.Join(queued, " "))
	switch {
	case len(queued) == 0:
		what += ": a job hash nobody will ever run, whose status says queued forever"
	case len(hashes) == 0:
		what += ": an id on the queue without its hash, which a worker will take and cannot send"
	}
	e.failx(x, fmt.Sprintf("the test dropped the connection between the two writes of the job (the second one, %s, failed). %s", hook.failed, what),
		"write the hash and the queue entry in one step, MULTI/EXEC (q.rdb.TxPipelined): both are applied or neither")
}
