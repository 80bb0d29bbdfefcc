//go:build labcheck

package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// clientBuffer is how many events may wait for one client. A client further behind than that is
// too slow: the room drops it rather than let it hold everyone else up.
const clientBuffer = 16

// heartbeat is how often an idle stream sends an SSE comment, so that proxies and load balancers
// do not close a connection that looks dead.
const heartbeat = 15 * time.Second

// message is what a client posts and what every client receives.
type message struct {
	User string `json:"user"`
	Text string `json:"text"`
}

// client is one open stream. The room writes into events; the stream's handler reads from it.
type client struct {
	events chan []byte // encoded SSE events; closed by the room when the client is dropped
}

// room is the set of connected clients.
type room struct {
	mu      sync.Mutex
	clients map[*client]struct{}
}

func newRoom() *room {
	return &room{clients: make(map[*client]struct{})}
}

// join adds a client to the room.
func (rm *room) join() *client {
	c := &client{events: make(chan []byte, clientBuffer)}
	rm.mu.Lock()
	rm.clients[c] = struct{}{}
	rm.mu.Unlock()
	return c
}

// leave removes a client; calling it again, or for a client the room dropped, does nothing.
func (rm *room) leave(c *client) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	if _, ok := rm.clients[c]; ok {
		delete(rm.clients, c)
		close(c.events)
	}
}

// broadcast queues an event for every client and returns how many got it. It never waits: a
// client whose queue is full is dropped (its stream ends; it may reconnect).
func (rm *room) broadcast(event []byte) int {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	n := 0
	for c := range rm.clients {
		select {
		case c.events <- event:
			n++
		default:
			delete(rm.clients, c)
			close(c.events)
		}
	}
	return n
}

// chat serves the chat room's two routes.
type chat struct {
	room *room
}

// newChat returns the handler of GET /api/chat/stream (Server-Sent Events) and
// POST /api/chat/messages.
func newChat() http.Handler {
	c := &chat{room: newRoom()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/chat/stream", c.stream)
	mux.HandleFunc("POST /api/chat/messages", c.post)
	return mux
}

// stream keeps the response open and writes every message of the room as an SSE event, until
// the client goes away or the room drops it.
func (c *chat) stream(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	cl := c.room.join()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil { // the client now knows it is connected
		return
	}

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done(): // the client disconnected
			return
		case ev, ok := <-cl.events:
			if !ok { // dropped by the room: too slow
				return
			}
			if _, err := w.Write(ev); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		case <-tick.C:
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// post broadcasts one message and answers 202 with the number of clients it was queued for.
func (c *chat) post(w http.ResponseWriter, r *http.Request) {
	var m message
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&m); err != nil {
		writeProblem(w, http.StatusBadRequest, "body must be JSON like {\"user\": \"ada\", \"text\": \"hi\"}: "+err.Error())
		return
	}
	if strings.TrimSpace(m.Text) == "" {
		writeProblem(w, http.StatusBadRequest, "text must not be empty")
		return
	}
	if m.User == "" {
		m.User = "anonymous"
	}
	data, err := json.Marshal(m)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, err.Error())
		return
	}
	event := []byte("data: " + string(data) + "\n\n")
	n := c.room.broadcast(event)
	writeJSON(w, http.StatusAccepted, map[string]int{"recipients": n})
}
