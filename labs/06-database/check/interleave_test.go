//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Task transactions, the races forced: two transfers run at once, and the tests make the
// dangerous interleaving happen every time instead of hoping the scheduler produces it. The
// tracer of the learner's pool holds the first transfer right after it has read from accounts,
// until the second transfer has read too (both saw the same balances: any write computed from
// them may be lost), or until the second is waiting for a row lock the first holds (the reads
// are serialised, as FOR UPDATE makes them). Correct code passes every time; code with the race
// fails every time.

// labTransferKey labels the context of each of the two transfers: 1 or 2.
type labTransferKey struct{}

// labPairLimit bounds how long the first transfer is held when the second neither reads nor
// waits for a lock (say, a Go mutex serialises them): then it goes on alone. A safety net only.
const labPairLimit = 10 * time.Second

// labPair is the barrier between two transfers.
type labPair struct {
	url, app string

	mu       sync.Mutex
	read     [3]bool // read[n]: transfer n has finished a read of accounts
	wrote    [3]bool // wrote[n]: transfer n has started a write
	done     [3]bool // done[n]: transfer n has returned
	balances [3]string
	first    int  // the transfer that read first, and was held
	bothRead bool // the second read before either wrote: both saw the same balances
	blocked  bool // the second waited for a lock the first held
	alone    bool // the first was let go after labPairLimit
	release  chan struct{}
	once     sync.Once
}

func labNewPair(db *labDB) *labPair {
	return &labPair{url: db.url, app: labAppName(db.schema), release: make(chan struct{})}
}

func labLabel(ctx context.Context) int {
	n, _ := ctx.Value(labTransferKey{}).(int)
	return n
}

func labWords(sql string) []string { return strings.Fields(strings.ToLower(sql)) }

// labIsWrite: UPDATE, INSERT, DELETE (or a WITH that updates).
func labIsWrite(sql string) bool {
	w := labWords(sql)
	if len(w) == 0 {
		return false
	}
	switch w[0] {
	case "update", "insert", "delete", "merge":
		return true
	case "with":
		return strings.Contains(strings.ToLower(sql), "update ")
	}
	return false
}

// labIsRead: a SELECT (FOR UPDATE or not) that reads accounts.
func labIsRead(sql string) bool {
	w := labWords(sql)
	return len(w) > 0 && (w[0] == "select" || w[0] == "with") && !labIsWrite(sql) &&
		strings.Contains(strings.ToLower(sql), "accounts")
}

func (p *labPair) started(ctx context.Context, sql string) {
	n := labLabel(ctx)
	if n == 0 || !labIsWrite(sql) {
		return
	}
	p.mu.Lock()
	p.wrote[n] = true
	p.mu.Unlock()
}

func (p *labPair) ended(ctx context.Context, sql string) {
	n := labLabel(ctx)
	if n == 0 || !labIsRead(sql) {
		return
	}
	p.mu.Lock()
	if p.read[n] {
		p.mu.Unlock()
		return // only the first read of each transfer takes part (a retry reads again)
	}
	p.read[n] = true
	other := 3 - n
	if p.done[other] {
		p.mu.Unlock()
		return // nothing left to interleave with
	}
	if p.read[other] {
		// The other one read first and is held: both have now read.
		if !p.wrote[other] {
			p.bothRead = true
		}
		p.mu.Unlock()
		p.open()
		return
	}
	p.first = n
	p.mu.Unlock()
	p.hold()
}

func (p *labPair) open() { p.once.Do(func() { close(p.release) }) }

// finished records that transfer n returned: a transfer held for it must not wait longer.
func (p *labPair) finished(n int) {
	p.mu.Lock()
	p.done[n] = true
	p.mu.Unlock()
	p.open()
}

// hold keeps the first reader here until the second has read, or waits for a lock.
func (p *labPair) hold() {
	ctx, cancel := context.WithTimeout(context.Background(), labPairLimit)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.url)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.release:
			return
		case <-ctx.Done():
			p.mu.Lock()
			p.alone = true
			p.mu.Unlock()
			return
		case <-tick.C:
			var waiting int
			// The held transfer is idle in its transaction: a backend of the pool that waits
			// for a lock can only be the other transfer, waiting for the first one's rows.
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
				WHERE application_name = $1 AND wait_event_type = 'Lock'`, p.app).Scan(&waiting); err == nil && waiting > 0 {
				p.mu.Lock()
				p.blocked = true
				p.mu.Unlock()
				return
			}
		}
	}
}

// story says what the test made happen, for the failure messages.
func (p *labPair) story(names [3]string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	first, second := p.first, 3-p.first
	switch {
	case p.first == 0:
		return "neither transfer read from accounts with a SELECT, so the test could not hold one of them"
	case p.bothRead:
		return fmt.Sprintf("the test held %s right after its first read of accounts, until %s had read too: both read the balances before either wrote", names[first], names[second])
	case p.blocked:
		return fmt.Sprintf("the test held %s right after its first read of accounts; %s then waited for a row lock %s held, so it read only after %s had finished", names[first], names[second], names[first], names[first])
	case p.alone:
		return fmt.Sprintf("the test held %s right after its first read of accounts for %v, but %s neither read nor waited for a lock meanwhile", names[first], labPairLimit, names[second])
	}
	return fmt.Sprintf("the test held %s right after its first read of accounts", names[first])
}

// labTwoTransfers runs two transfers at once through the learner's Transfer, with the pair
// barrier in the tracer, and returns their errors.
func (b *labBank) twoTransfers(t1, t2 [3]int64) ([2]error, *labPair) {
	b.db.t.Helper()
	pair := labNewPair(b.db)
	b.tr.mu.Lock()
	b.tr.pair = pair
	b.tr.mu.Unlock()
	defer func() {
		b.tr.mu.Lock()
		b.tr.pair = nil
		b.tr.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit+labPairLimit)
	defer cancel()
	type result struct {
		n     int
		err   error
		panic any
	}
	results := make(chan result, 2)
	begin := make(chan struct{})
	for i, tr := range [][3]int64{t1, t2} {
		go func() {
			defer func() {
				if p := recover(); p != nil {
					pair.finished(i + 1)
					results <- result{n: i, panic: p}
				}
			}()
			<-begin
			err := b.store.Transfer(context.WithValue(ctx, labTransferKey{}, i+1), tr[0], tr[1], tr[2])
			pair.finished(i + 1)
			results <- result{n: i, err: err}
		}()
	}
	close(begin)
	var errs [2]error
	timer := time.NewTimer(labLimit + labPairLimit + 5*time.Second)
	defer timer.Stop()
	for range 2 {
		select {
		case r := <-results:
			if r.panic != nil {
				b.db.t.Fatalf("Transfer(ctx, %d, %d, %d) panicked: %v", [][3]int64{t1, t2}[r.n][0], [][3]int64{t1, t2}[r.n][1], [][3]int64{t1, t2}[r.n][2], r.panic)
			}
			errs[r.n] = r.err
		case <-timer.C:
			pair.open()
			b.db.t.Fatalf("two concurrent transfers had not both returned after %v\nhint: is a transaction left open, or a lock never released?", labLimit+labPairLimit)
		}
	}
	b.db.requireNoOpenTransaction("two concurrent transfers")
	return errs, pair
}

func labTransferName(n int, tr [3]int64, accounts map[int64]string) string {
	return fmt.Sprintf("transfer %d (%d cents from %s to %s)", n, tr[2], accounts[tr[0]], accounts[tr[1]])
}

func TestTransferTwoDebitsOfOneAccountBothCount(t *testing.T) {
	b := labNewBank(t)
	ids := b.open(1000, 0, 0)
	names := map[int64]string{ids[0]: "A", ids[1]: "B", ids[2]: "C"}
	t1, t2 := [3]int64{ids[0], ids[1], 100}, [3]int64{ids[0], ids[2], 100}
	errs, pair := b.twoTransfers(t1, t2)
	tn := [3]string{"", labTransferName(1, t1, names), labTransferName(2, t2, names)}
	story := pair.story(tn)

	for i, err := range errs {
		if err != nil {
			t.Fatalf("account A holds 1000; two transfers of 100 from it ran at once (%s). %s returned %v, want nil: A can pay both\n"+
				"hint: a deadlock or serialization failure (40P01, 40001) must be handled inside Transfer, by locking in one order or by retrying",
				story, tn[i+1], err)
		}
	}
	got := b.balances(ids)
	want := []int64{800, 100, 100}
	if labEqual(got, want) {
		return
	}
	msg := fmt.Sprintf("account A held 1000; %s and %s both returned nil, and %s. The balances are now A: %d, B: %d, C: %d, want A: 800, B: 100, C: 100",
		tn[1], tn[2], story, got[0], got[1], got[2])
	if got[0] == 900 && got[1]+got[2] == 200 {
		msg += "\nA lost update: each transfer computed A's new balance (1000 - 100 = 900) from the balance it had read, and the second write overwrote the first debit. 100 cents appeared from nowhere" +
			"\nhint: lock the rows before you read them (SELECT ... FOR UPDATE, inside the transaction), or let SQL do the arithmetic on the current row (SET balance_cents = balance_cents - $2)"
	}
	t.Fatal(msg)
}

func TestTransferCannotOverdrawWhenTwoRace(t *testing.T) {
	b := labNewBank(t)
	ids := b.open(150, 0, 0)
	names := map[int64]string{ids[0]: "A", ids[1]: "B", ids[2]: "C"}
	t1, t2 := [3]int64{ids[0], ids[1], 100}, [3]int64{ids[0], ids[2], 100}
	errs, pair := b.twoTransfers(t1, t2)
	tn := [3]string{"", labTransferName(1, t1, names), labTransferName(2, t2, names)}
	story := pair.story(tn)
	got := b.balances(ids)

	ok, refused := 0, 0
	var other []string
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrInsufficientFunds):
			refused++
		default:
			other = append(other, fmt.Sprintf("%s returned %v", tn[i+1], err))
		}
	}
	if ok == 1 && refused == 1 && got[0] == 50 && got[1]+got[2] == 100 {
		return
	}
	msg := fmt.Sprintf("account A held 150; two transfers of 100 from it ran at once, and %s. Want one to succeed and the other to return ErrInsufficientFunds, with A at 50.\ngot: %d returned nil, %d ErrInsufficientFunds; balances A: %d, B: %d, C: %d",
		story, ok, refused, got[0], got[1], got[2])
	if len(other) > 0 {
		msg += "\n    " + strings.Join(other, "\n    ")
	}
	switch {
	case len(other) > 0 && strings.Contains(strings.Join(other, " "), "23514"):
		msg += "\nhint: check-then-act: both transfers checked \"150 >= 100\" on the balance they had read, and the second debit then broke the CHECK on balance_cents. Lock the row before you read it (FOR UPDATE), so the check sees the balance the update will change"
	case ok == 2:
		msg += "\nhint: both debits went through on a balance that could pay only one: each checked and wrote the balance it had read. Lock the row before you read it (FOR UPDATE), and update with balance_cents = balance_cents - $2"
	case len(other) > 0:
		msg += "\nhint: a serialization failure or deadlock (40001, 40P01) is handled inside Transfer (retry the whole transaction); only ErrInsufficientFunds tells the caller A cannot pay"
	}
	t.Fatal(msg)
}

func TestTransferOppositeDirectionsDoNotDeadlock(t *testing.T) {
	b := labNewBank(t)
	ids := b.open(1000, 1000)
	names := map[int64]string{ids[0]: "A", ids[1]: "B"}
	t1, t2 := [3]int64{ids[0], ids[1], 100}, [3]int64{ids[1], ids[0], 50}
	errs, pair := b.twoTransfers(t1, t2)
	tn := [3]string{"", labTransferName(1, t1, names), labTransferName(2, t2, names)}
	story := pair.story(tn)

	var failures []string
	deadlock := false
	for i, err := range errs {
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s returned %v", tn[i+1], err))
			deadlock = deadlock || labSQLState(err) == "40P01"
		}
	}
	got := b.balances(ids)
	if len(failures) == 0 && labEqual(got, []int64{950, 1050}) {
		return
	}
	msg := fmt.Sprintf("A and B hold 1000 each; %s and %s ran at once, and %s. Want both to return nil and A: 950, B: 1050.\ngot: balances A: %d, B: %d",
		tn[1], tn[2], story, got[0], got[1])
	if len(failures) > 0 {
		msg += "\n    " + strings.Join(failures, "\n    ")
	}
	if deadlock {
		msg += "\nhint: a deadlock: transfer 1 locked A and waited for B, while transfer 2 had locked B and waited for A; PostgreSQL aborted one of them (40P01). " +
			"Lock both rows in one statement in one global order (WHERE id IN ($1, $2) ORDER BY id FOR UPDATE), or retry the whole transaction on 40P01"
	} else if len(failures) == 0 {
		msg += "\nhint: both returned nil but the balances are wrong: one transfer wrote balances computed from what it had read before the other one wrote (a lost update). Lock the rows before you read them (FOR UPDATE), or update with balance_cents = balance_cents - $2"
	}
	t.Fatal(msg)
}
