//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
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
	if s.cfg.Redis == nil {
		return errors.New("no Redis client configured")
	}
	return s.cfg.Redis.XAdd(ctx, &redis.XAddArgs{
		Stream: ordersStream,
		MaxLen: 100_000, // keep the stream from growing forever...
		Approx: true,    // ...trimming whole nodes, which is cheap
		Values: []any{"type", "order.created", "order_id", o.ID, "user_id", o.UserID, "item", o.Item},
	}).Err()
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
	err := c.rdb.XGroupCreateMkStream(ctx, ordersStream, notificationsGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return err
	}
	return nil
}

// poll reads the entries no member of the group has been given yet (at most 10, without
// waiting), handles them and returns how many it acknowledged.
func (c *consumer) poll(ctx context.Context) (int, error) {
	streams, err := c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group:    notificationsGroup,
		Consumer: c.name,
		Streams:  []string{ordersStream, ">"},
		Count:    10,
		Block:    0,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range streams {
		n += c.handleAll(ctx, st.Messages)
	}
	return n, nil
}

// reclaim takes over the entries that have been pending for at least minIdle, whoever had
// them (a consumer that crashed, or this one after a failure), handles them and returns how
// many it acknowledged.
func (c *consumer) reclaim(ctx context.Context, minIdle time.Duration) (int, error) {
	n, start := 0, "0-0"
	for {
		msgs, next, err := c.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream:   ordersStream,
			Group:    notificationsGroup,
			Consumer: c.name,
			MinIdle:  minIdle,
			Start:    start,
			Count:    10,
		}).Result()
		if err != nil {
			return n, err
		}
		n += c.handleAll(ctx, msgs)
		if next == "0-0" || next == "" {
			return n, nil
		}
		start = next
	}
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

// handle processes one entry at least once and notifies at most once per order. Before Notify,
// the entry claims its order (SET NX, the value is the entry's ID): of two entries for the same
// order, even handled at the same time by two consumers, only the one that won the claim
// notifies; the other is a duplicate and is acknowledged at once. If Notify fails, the claim
// stays and the entry stays pending: its retry (the same entry ID) owns the claim and notifies.
func (c *consumer) handle(ctx context.Context, m redis.XMessage) error {
	o, err := orderFromEntry(m.Values)
	if err != nil {
		// Retrying cannot fix a malformed entry: log it and move on.
		log.Printf("consumer %s: skip entry %s: %v", c.name, m.ID, err)
		return c.rdb.XAck(ctx, ordersStream, notificationsGroup, m.ID).Err()
	}
	key := "notified:" + o.ID
	won, err := c.rdb.SetNX(ctx, key, m.ID, notifiedTTL).Result()
	if err != nil {
		return err
	}
	if !won {
		owner, err := c.rdb.Get(ctx, key).Result()
		if err != nil {
			return err // redis.Nil: the claim just expired; the entry stays pending and is retried
		}
		if owner != m.ID {
			// Another entry for this order notified, or is notifying: if it fails, that entry
			// stays pending and is retried, so this duplicate has nothing to do.
			return c.rdb.XAck(ctx, ordersStream, notificationsGroup, m.ID).Err()
		}
	}
	if err := c.notify.Notify(ctx, o); err != nil {
		return fmt.Errorf("notify %s: %w", o.ID, err)
	}
	return c.rdb.XAck(ctx, ordersStream, notificationsGroup, m.ID).Err()
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
