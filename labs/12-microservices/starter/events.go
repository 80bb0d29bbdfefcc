package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"
)

// The event log: a Redis Stream (Kafka: a topic) that the orders service appends to, and a
// consumer group (Kafka: the same word) for the notifications service.
const (
	ordersStream       = "events:orders"
	notificationsGroup = "notifications"
	notifiedTTL        = 7 * 24 * time.Hour // how long an order is remembered as notified
)

// publishOrderCreated appends an order.created event to the stream:
//
//	XADD events:orders MAXLEN ~ 100000 * type order.created order_id o-1 user_id u1 item book
func (s *ordersService) publishOrderCreated(ctx context.Context, o Order) error {
	// TODO(events): append one entry to ordersStream with the fields type ("order.created"),
	// order_id, user_id and item.
	return nil
}

// Notifier sends the notification for an order (an e-mail, a push...). The hidden tests pass a
// fake that records the calls and fails when they tell it to.
type Notifier interface {
	Notify(ctx context.Context, o Order) error
}

// consumer is one member of the notifications group.
type consumer struct {
	rdb    *redis.Client
	name   string // unique within the group, stable across restarts of the same instance
	notify Notifier
}

// newConsumer builds a consumer. The hidden tests call it, so keep its signature.
func newConsumer(rdb *redis.Client, name string, n Notifier) *consumer {
	return &consumer{rdb: rdb, name: name, notify: n}
}

// ensureGroup creates the notifications group, reading the stream from its very beginning,
// unless it exists already.
func (c *consumer) ensureGroup(ctx context.Context) error {
	// TODO(events): create notificationsGroup on ordersStream (and the stream if it does not
	// exist yet) so that it also sees the entries published before it; a group that already
	// exists is not an error.
	return nil
}

// poll reads the entries no member of the group has been given yet (at most 10, without
// waiting), handles them and returns how many it acknowledged.
func (c *consumer) poll(ctx context.Context) (int, error) {
	// TODO(events): take, as c.name, up to 10 entries nobody in the group has been given yet,
	// without waiting for new ones; handle them and return how many were acknowledged.
	return 0, nil
}

// reclaim takes over the entries that have been pending for at least minIdle, whoever had
// them (a consumer that crashed, or this one after a failure), handles them and returns how
// many it acknowledged.
func (c *consumer) reclaim(ctx context.Context, minIdle time.Duration) (int, error) {
	// TODO(events): take over, as c.name, every entry pending for at least minIdle (whoever
	// holds it), handle them, and return how many were acknowledged.
	return 0, nil
}

func (c *consumer) handleAll(ctx context.Context, msgs []redis.XMessage) int {
	n := 0
	for _, m := range msgs {
		if err := c.handle(ctx, m); err != nil {
			// Not acknowledged: the entry stays pending, and reclaim will try it again.
			log.Printf("consumer %s: entry %s: %v", c.name, m.ID, err)
			continue
		}
		n++
	}
	return n
}

// handle processes one entry at least once and notifies at most once per order, even when two
// consumers handle two entries of the same order at the same time; the entry is acknowledged
// last.
func (c *consumer) handle(ctx context.Context, m redis.XMessage) error {
	// TODO(events): read the order with orderFromEntry; notify once per order: a duplicate entry
	// (another entry of an order already notified, or being notified right now) does not notify,
	// and a failed Notify is tried again when this entry is retried. XACK last; an error leaves
	// the entry pending (not acknowledged).
	return errors.New("not implemented")
}

// orderFromEntry reads an order.created entry.
func orderFromEntry(v map[string]any) (Order, error) {
	str := func(k string) string { s, _ := v[k].(string); return s }
	if t := str("type"); t != "order.created" {
		return Order{}, fmt.Errorf("type %q, want order.created", t)
	}
	o := Order{ID: str("order_id"), UserID: str("user_id"), Item: str("item")}
	if o.ID == "" {
		return Order{}, errors.New("no order_id")
	}
	return o, nil
}

// run is the consumer's life in main: take back what others left behind now and then, and
// read new entries in between.
func (c *consumer) run(ctx context.Context) {
	if err := c.ensureGroup(ctx); err != nil {
		log.Printf("consumer %s: %v", c.name, err)
		return
	}
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	reclaim := time.NewTicker(30 * time.Second)
	defer reclaim.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-reclaim.C:
			if _, err := c.reclaim(ctx, time.Minute); err != nil && ctx.Err() == nil {
				log.Printf("consumer %s: reclaim: %v", c.name, err)
			}
		case <-poll.C:
			if _, err := c.poll(ctx); err != nil && ctx.Err() == nil {
				log.Printf("consumer %s: poll: %v", c.name, err)
			}
		}
	}
}

// logNotifier "sends" notifications to the log.
type logNotifier struct{}

func (logNotifier) Notify(_ context.Context, o Order) error {
	log.Printf("notify %s: your order %s (%s) is confirmed", o.UserID, o.ID, o.Item)
	return nil
}
