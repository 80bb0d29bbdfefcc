//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Task events: order.created in a Redis Stream, a consumer group for notifications.

const (
	labStream = "events:orders"
	labGroup  = "notifications"
)

// labNotifier is the fake notification sender: it records every call and fails the calls
// a test tells it to.
type labNotifier struct {
	mu    sync.Mutex
	calls []string // order IDs, in the order Notify was called
	sent  []Order  // the ones that succeeded
	fail  int      // how many of the next calls fail
}

func (n *labNotifier) Notify(_ context.Context, o Order) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, o.ID)
	if n.fail > 0 {
		n.fail--
		return errors.New("mail server unavailable (the test said so)")
	}
	n.sent = append(n.sent, o)
	return nil
}

func (n *labNotifier) failNext(k int) { n.mu.Lock(); n.fail = k; n.mu.Unlock() }

func (n *labNotifier) snapshot() (calls []string, sent []Order) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.calls), slices.Clone(n.sent)
}

func labNewConsumer(t *testing.T, rdb *redis.Client, name string, n Notifier) *consumer {
	t.Helper()
	var c *consumer
	labGuard(t, fmt.Sprintf("newConsumer(rdb, %q, notifier)", name), "", func() { c = newConsumer(rdb, name, n) })
	if c == nil {
		t.Fatalf("newConsumer(rdb, %q, notifier) returned nil", name)
	}
	var err error
	labGuard(t, "ensureGroup(ctx)", "", func() { err = c.ensureGroup(labCtx(t)) })
	if err != nil {
		t.Fatalf("ensureGroup(ctx) of consumer %s: %v\nhint: XGROUP CREATE answers BUSYGROUP when the group exists: that is no error", name, err)
	}
	return c
}

func labPoll(t *testing.T, c *consumer) int {
	t.Helper()
	var n int
	var err error
	labGuard(t, fmt.Sprintf("poll(ctx) of consumer %s", c.name),
		"XREADGROUP waits for new entries when it is given BLOCK: Block: 0 means wait forever. Use Block: -1 (no BLOCK) so that poll returns at once",
		func() { n, err = c.poll(labCtx(t)) })
	if err != nil {
		t.Fatalf("poll(ctx) of consumer %s: %v", c.name, err)
	}
	return n
}

func labReclaim(t *testing.T, c *consumer, minIdle time.Duration) int {
	t.Helper()
	var n int
	var err error
	labGuard(t, fmt.Sprintf("reclaim(ctx, %v) of consumer %s", minIdle, c.name),
		"loop on the cursor XAUTOCLAIM returns until it is \"0-0\"", func() { n, err = c.reclaim(labCtx(t), minIdle) })
	if err != nil {
		t.Fatalf("reclaim(ctx, %v) of consumer %s: %v", minIdle, c.name, err)
	}
	return n
}

// labPublish appends an order.created entry the way the lesson specifies.
func labPublish(t *testing.T, rdb *redis.Client, o Order) string {
	t.Helper()
	id, err := rdb.XAdd(labCtx(t), &redis.XAddArgs{Stream: labStream,
		Values: []any{"type", "order.created", "order_id", o.ID, "user_id", o.UserID, "item", o.Item}}).Result()
	if err != nil {
		t.Fatalf("XADD %s: %v", labStream, err)
	}
	return id
}

// labPending is XPENDING events:orders notifications: how many entries are delivered but not
// acknowledged, and by whom.
func labPending(t *testing.T, rdb *redis.Client) (int64, map[string]int64) {
	t.Helper()
	p, err := rdb.XPending(labCtx(t), labStream, labGroup).Result()
	if err != nil {
		if strings.Contains(err.Error(), "NOGROUP") {
			t.Fatalf("XPENDING %s %s: %v\nhint: ensureGroup must create the group notifications on events:orders (XGROUP CREATE ... MKSTREAM)", labStream, labGroup, err)
		}
		t.Fatalf("XPENDING %s %s: %v", labStream, labGroup, err)
	}
	return p.Count, p.Consumers
}

func labOrderIDs(os []Order) []string {
	var ids []string
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

func TestEventsOrderCreatedIsPublished(t *testing.T) {
	rdb := labRedis(t)
	users := newLabInstance(t, "users")
	orders := labNewOrders(t, OrdersConfig{UsersURL: users.url, Redis: rdb, BreakerTimeout: time.Hour})

	e := labDo(t, orders, "POST", "/orders", `{"user_id":"u1","item":"book"}`)
	e.wantStatus(http.StatusCreated, "users answers 200 for u1: the order is created")
	var created Order
	e.decode(&created)
	if created.ID == "" {
		e.fail(`the created order has no "id"`)
	}

	users.setStatus(http.StatusNotFound)
	labDo(t, orders, "POST", "/orders", `{"user_id":"nobody","item":"book"}`).wantStatus(http.StatusUnprocessableEntity, "users answers 404: unknown user")

	typ, _ := rdb.Type(labCtx(t), labStream).Result()
	if typ != "stream" {
		t.Fatalf("after POST /orders answered 201 %s, Redis key %s is %q, want a stream (keys: %s)\n"+
			"hint: TODO(events) in events.go: publishOrderCreated does XADD events:orders * type order.created order_id ... user_id ... item ...",
			strings.TrimSpace(string(e.body)), labStream, typ, labKeys(t, rdb))
	}
	entries, err := rdb.XRange(labCtx(t), labStream, "-", "+").Result()
	if err != nil {
		t.Fatalf("XRANGE %s - +: %v", labStream, err)
	}
	if len(entries) != 1 {
		t.Fatalf("after one order created and one refused (unknown user), %s has %d entries, want 1: %v\n"+
			"hint: publish only once the order exists: a refused order must not be announced", labStream, len(entries), entries)
	}
	want := map[string]any{"type": "order.created", "order_id": created.ID, "user_id": "u1", "item": "book"}
	got := entries[0].Values
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("the entry of %s for the order %s has the fields %v, want %v (field %q: got %v, want %v)",
				labStream, strings.TrimSpace(string(e.body)), got, want, k, got[k], v)
		}
	}
}

func TestEventsConsumerGroupProcessesAndAcks(t *testing.T) {
	rdb := labRedis(t)
	// Published before the group exists: the group must read from the start of the stream.
	for i := 1; i <= 3; i++ {
		labPublish(t, rdb, Order{ID: fmt.Sprintf("o-%d", i), UserID: "u1", Item: "book"})
	}
	n := &labNotifier{}
	c := labNewConsumer(t, rdb, "notifications-1", n)

	got := labPoll(t, c)
	calls, sent := n.snapshot()
	if want := []string{"o-1", "o-2", "o-3"}; !slices.Equal(labOrderIDs(sent), want) {
		t.Fatalf("3 order.created entries published before the group existed, then ensureGroup and poll: Notify was called for %q, want %q in that order\n"+
			"hint: create the group at ID 0 (the start of the stream), not $ (only what comes later); poll reads with XREADGROUP ... STREAMS events:orders >",
			calls, want)
	}
	if sent[0] != (Order{ID: "o-1", UserID: "u1", Item: "book"}) {
		t.Fatalf("Notify got %+v for the entry type=order.created order_id=o-1 user_id=u1 item=book, want {ID:o-1 UserID:u1 Item:book}", sent[0])
	}
	if got != 3 {
		t.Fatalf("poll handled and acknowledged 3 entries, but returned %d, want 3", got)
	}
	if count, by := labPending(t, rdb); count != 0 {
		t.Fatalf("after poll handled 3 entries, %d are still pending (delivered, never acknowledged): %v\nhint: XACK events:orders notifications <id> once an entry is handled", count, by)
	}

	labPublish(t, rdb, Order{ID: "o-4", UserID: "u2", Item: "pen"})
	if got := labPoll(t, c); got != 1 {
		t.Fatalf("one more entry published, then poll: returned %d, want 1", got)
	}
	if got := labPoll(t, c); got != 0 {
		t.Fatalf("nothing new published, then poll: returned %d, want 0", got)
	}
	if calls, _ := n.snapshot(); !slices.Equal(calls, []string{"o-1", "o-2", "o-3", "o-4"}) {
		t.Fatalf("after 4 entries and 3 polls, Notify was called for %q, want [o-1 o-2 o-3 o-4]: each entry once", calls)
	}
}

func TestEventsFailedNotificationStaysPending(t *testing.T) {
	rdb := labRedis(t)
	id := labPublish(t, rdb, Order{ID: "o-7", UserID: "u1", Item: "book"})
	n := &labNotifier{}
	n.failNext(1)
	c := labNewConsumer(t, rdb, "notifications-1", n)

	got := labPoll(t, c)
	if calls, _ := n.snapshot(); !slices.Equal(calls, []string{"o-7"}) {
		t.Fatalf("one entry (o-7), then poll: Notify was called for %q, want [o-7]\n"+
			"hint: TODO(events) in events.go: poll reads new entries with XREADGROUP and handle calls Notify for each. "+
			"The entry was published before ensureGroup: create the group at 0, not $", calls)
	}
	count, by := labPending(t, rdb)
	if count != 1 || by["notifications-1"] != 1 {
		t.Fatalf("Notify failed for o-7, so entry %s must stay pending for notifications-1 (at least once: it will be tried again). "+
			"XPENDING says %d pending: %v\nhint: XACK only after Notify succeeded", id, count, by)
	}
	if got != 0 {
		t.Fatalf("one entry (o-7) whose Notify failed, then poll: poll returned %d, want 0: it returns how many entries it acknowledged, and this one is still pending\n"+
			"hint: count an entry only once handle succeeded", got)
	}

	// The next round: the entry is taken back (here by the same consumer) and tried again.
	labReclaim(t, c, 0)
	calls, sent := n.snapshot()
	if len(sent) != 1 {
		t.Fatalf("Notify failed for o-7, then reclaim(ctx, 0): Notify was called for %q in all, and succeeded %d times, want o-7 tried again and sent once\n"+
			"hint: mark an order as notified only after Notify succeeded; and reclaim handles what XAUTOCLAIM returns", calls, len(sent))
	}
	if count, by := labPending(t, rdb); count != 0 {
		t.Fatalf("after Notify succeeded on the second try, %d entries are still pending: %v; want the entry acknowledged", count, by)
	}
}

func TestEventsDuplicateEventNotifiesOnce(t *testing.T) {
	rdb := labRedis(t)
	// The producer timed out on its first XADD and sent it again: same order, two entries.
	labPublish(t, rdb, Order{ID: "o-9", UserID: "u2", Item: "lamp"})
	labPublish(t, rdb, Order{ID: "o-9", UserID: "u2", Item: "lamp"})
	labPublish(t, rdb, Order{ID: "o-10", UserID: "u2", Item: "desk"})
	n := &labNotifier{}
	c := labNewConsumer(t, rdb, "notifications-1", n)

	labPoll(t, c)
	calls, sent := n.snapshot()
	if !slices.Equal(labOrderIDs(sent), []string{"o-9", "o-10"}) {
		t.Fatalf("entries o-9, o-9 (a duplicate) and o-10, then poll: Notify was called for %q, want [o-9 o-10]: one e-mail per order\n"+
			"hint: %s", calls, labDedupeHint(calls))
	}
	if count, by := labPending(t, rdb); count != 0 {
		t.Fatalf("after poll, %d entries are still pending: %v; want all 3 acknowledged, the duplicate too (it is handled: there is nothing to do)", count, by)
	}
}

// labGateNotifier parks the first Notify of one order until the test releases it, so that the
// test can deliver a duplicate while that first notification is in flight.
type labGateNotifier struct {
	next    *labNotifier
	order   string
	once    sync.Once
	entered chan struct{} // closed when the first Notify of order has started
	again   chan struct{} // gets a value when another Notify of order starts
	release chan struct{} // closed by the test to let the first finish
}

// labGateWait bounds how long the duplicate test waits for one step: long, because a blocked
// step only costs time when the code under test is wrong (or waits on purpose).
const labGateWait = 30 * time.Second

func (g *labGateNotifier) Notify(ctx context.Context, o Order) error {
	first := false
	if o.ID == g.order {
		g.once.Do(func() { first = true })
	}
	switch {
	case first:
		close(g.entered)
		select {
		case <-g.release:
		case <-time.After(labGateWait):
		}
	case o.ID == g.order:
		select {
		case g.again <- struct{}{}:
		default:
		}
	}
	return g.next.Notify(ctx, o)
}

// labPollAsync runs poll in a goroutine; the channel gets its error (or panic) when it returns.
func labPollAsync(ctx context.Context, c *consumer) <-chan error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("poll(ctx) of consumer %s panicked: %v\n%s", c.name, p, labStack())
			}
		}()
		_, err := c.poll(ctx)
		done <- err
	}()
	return done
}

func TestEventsDuplicateDuringNotifyNotifiesOnce(t *testing.T) {
	rdb := labRedis(t)
	ctx := labCtx(t)
	o := Order{ID: "o-11", UserID: "u3", Item: "chair"}
	first := labPublish(t, rdb, o)
	n := &labNotifier{}
	g := &labGateNotifier{next: n, order: o.ID, entered: make(chan struct{}), again: make(chan struct{}, 1), release: make(chan struct{})}
	released := false
	release := func() {
		if !released {
			released = true
			close(g.release)
		}
	}
	defer release()
	c1 := labNewConsumer(t, rdb, "notifications-1", g)
	c2 := labNewConsumer(t, rdb, "notifications-2", g)

	done1 := labPollAsync(ctx, c1)
	select {
	case <-g.entered:
	case err := <-done1:
		t.Fatalf("entry %s (o-11), then poll by notifications-1 returned (%v) without calling Notify for o-11, want Notify(o-11)\nhint: %s", first, err, labDedupeHint(nil))
	case <-time.After(labGateWait):
		t.Fatalf("entry %s (o-11), then poll by notifications-1: Notify(o-11) was not called within %v", first, labGateWait)
	}
	// notifications-1 is inside Notify(o-11), parked by the test. Now the producer's retry of
	// the same order arrives, and notifications-2 polls it.
	dup := labPublish(t, rdb, o)
	done2 := labPollAsync(ctx, c2)
	var err2 error
	select {
	case err2 = <-done2:
		done2 = nil
	case <-g.again:
		// notifications-2 notifies o-11 a second time: let the first finish and report it.
	case <-time.After(labGateWait):
		// notifications-2 waits for notifications-1: allowed; let the first one finish.
	}
	release()
	err1 := <-done1
	if done2 != nil {
		select {
		case err2 = <-done2:
		case <-time.After(labGateWait):
			t.Fatalf("the duplicate entry %s for o-11: poll by notifications-2 did not return within %v after notifications-1 finished Notify(o-11)", dup, labGateWait)
		}
	}
	if err1 != nil {
		t.Fatalf("poll of notifications-1 (entry %s, o-11): %v", first, err1)
	}
	if err2 != nil && strings.Contains(err2.Error(), "panicked") {
		t.Fatal(err2) // an error otherwise is allowed: the duplicate may stay pending for later
	}
	calls, _ := n.snapshot()
	if k := labCount(calls, o.ID); k != 1 {
		t.Fatalf("notifications-1 took entry %s (o-11) and was inside Notify, not finished, when the duplicate entry %s for o-11 arrived and notifications-2 polled it: "+
			"Notify was called %d times for o-11, want 1 (calls: %q). Both consumers saw o-11 as not yet notified, because the mark is only written after Notify returns\n"+
			"hint: claim the order atomically before Notify, so that the second consumer finds the claim: SET notified:{order_id} <entry id> NX (with a TTL). "+
			"Only the entry that won the claim notifies; if its Notify fails, keep the claim and leave that entry pending, so that its retry (same entry id) notifies",
			first, dup, k, calls)
	}
	// Whatever was left pending (a design may leave the duplicate for later) is handled now.
	labReclaim(t, c2, 0)
	calls, _ = n.snapshot()
	if k := labCount(calls, o.ID); k != 1 {
		t.Fatalf("after both entries for o-11 were handled, reclaim(ctx, 0) called Notify again: %d calls for o-11 in all (%q), want 1", k, calls)
	}
	if count, by := labPending(t, rdb); count != 0 {
		t.Fatalf("after both entries for o-11 were handled and reclaim(ctx, 0), %d entries are still pending: %v; want both acknowledged", count, by)
	}
}

func labCount(xs []string, x string) int {
	k := 0
	for _, v := range xs {
		if v == x {
			k++
		}
	}
	return k
}

func TestEventsReclaimsFromCrashedConsumer(t *testing.T) {
	rdb := labRedis(t)
	id := labPublish(t, rdb, Order{ID: "o-5", UserID: "u1", Item: "book"})
	if err := rdb.XGroupCreate(labCtx(t), labStream, labGroup, "0").Err(); err != nil {
		t.Fatalf("XGROUP CREATE %s %s 0: %v", labStream, labGroup, err)
	}
	// notifications-1 takes the entry, and crashes before it acknowledges it.
	streams, err := rdb.XReadGroup(labCtx(t), &redis.XReadGroupArgs{Group: labGroup, Consumer: "notifications-1",
		Streams: []string{labStream, ">"}, Count: 10, Block: -1}).Result()
	if err != nil || len(streams) != 1 || len(streams[0].Messages) != 1 {
		t.Fatalf("setting up: XREADGROUP as notifications-1: %v %v", streams, err)
	}
	if count, by := labPending(t, rdb); count != 1 || by["notifications-1"] != 1 {
		t.Fatalf("setting up: after notifications-1 read entry %s, XPENDING says %d pending: %v", id, count, by)
	}

	n := &labNotifier{}
	c := labNewConsumer(t, rdb, "notifications-2", n) // the group exists already: BUSYGROUP is fine
	labPoll(t, c)
	if calls, _ := n.snapshot(); len(calls) != 0 {
		t.Fatalf("entry %s was given to notifications-1; then notifications-2 polled and Notify was called for %q, want nothing: "+
			"new entries (>) only; another consumer's pending entries are not new", id, calls)
	}
	labReclaim(t, c, time.Hour)
	if calls, _ := n.snapshot(); len(calls) != 0 {
		t.Fatalf("entry %s has been pending for notifications-1 for a few milliseconds; reclaim(ctx, 1h) by notifications-2 called Notify for %q, want nothing: "+
			"only entries idle for at least minIdle are taken over (XAUTOCLAIM ... minIdle), or a slow consumer would see its work stolen", id, calls)
	}
	if count, by := labPending(t, rdb); count != 1 || by["notifications-1"] != 1 {
		t.Fatalf("after reclaim(ctx, 1h), XPENDING says %d pending: %v; want entry %s still with notifications-1", count, by, id)
	}

	labReclaim(t, c, 0)
	calls, sent := n.snapshot()
	if !slices.Equal(labOrderIDs(sent), []string{"o-5"}) {
		t.Fatalf("notifications-1 crashed holding entry %s (o-5); reclaim(ctx, 0) by notifications-2: Notify was called for %q, want [o-5]\n"+
			"hint: TODO(events) in events.go: XAUTOCLAIM events:orders notifications notifications-2 <minIdle> 0-0, then handle each entry it returns", id, calls)
	}
	if count, by := labPending(t, rdb); count != 0 {
		t.Fatalf("after notifications-2 took over and handled entry %s, XPENDING says %d pending: %v; want it acknowledged", id, count, by)
	}
}

func labDedupeHint(calls []string) string {
	if len(calls) == 0 {
		return "TODO(events) in events.go: poll reads new entries with XREADGROUP and handle calls Notify for each. " +
			"The entries were published before ensureGroup: create the group at 0, not $"
	}
	return "before Notify, claim the order (a key like notified:{order_id}, set with NX): an entry whose order is already claimed by another entry is a duplicate, acknowledged without Notify"
}
