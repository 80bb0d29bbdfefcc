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
)

// Task transactions: Store.Transfer moves money atomically, never below zero, and 50
// concurrent transfers neither lose money nor deadlock.

// labBank is a test's schema with accounts.
type labBank struct {
	db    *labDB
	tr    *labTracer
	store *Store
}

func labNewBank(t *testing.T) *labBank {
	t.Helper()
	db := labNewDB(t, "transactions")
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	if cols, err := labColumns(ctx, db.conn); err != nil || cols["accounts"]["balance_cents"] == "" {
		t.Fatalf("after applying migrations/*.sql there is no table accounts with a column balance_cents (err: %v)\nhint: migrations/004_accounts.sql comes with the starter: put it back (the lesson shows it, in task transactions)", err)
	}
	b := &labBank{db: db, tr: &labTracer{}}
	b.store = db.newStore(b.tr)
	return b
}

// open creates accounts with these balances and returns their IDs.
func (b *labBank) open(balances ...int64) []int64 {
	b.db.t.Helper()
	var ids []int64
	for i, bal := range balances {
		ids = append(ids, b.db.ids(`INSERT INTO accounts (owner, balance_cents) VALUES ($1, $2) RETURNING id`, fmt.Sprintf("owner %d", i+1), bal)[0])
	}
	return ids
}

// balances reads the balances of the accounts, in the order of ids.
func (b *labBank) balances(ids []int64) []int64 {
	b.db.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	out := make([]int64, len(ids))
	for i, id := range ids {
		if err := b.db.conn.QueryRow(ctx, `SELECT balance_cents FROM accounts WHERE id = $1`, id).Scan(&out[i]); err != nil {
			b.db.t.Fatalf("reading the balance of account %d: %v", id, err)
		}
	}
	return out
}

// transfer calls the learner's Transfer, guarded.
func (b *labBank) transfer(from, to, amount int64) error {
	b.db.t.Helper()
	call := fmt.Sprintf("Transfer(ctx, %d, %d, %d)", from, to, amount)
	err := labCall(b.db.t, call, func(ctx context.Context) error {
		return b.store.Transfer(ctx, from, to, amount)
	})
	b.db.requireNoOpenTransaction(call)
	return err
}

func labShowBalances(ids, got []int64) string {
	var parts []string
	for i := range ids {
		parts = append(parts, fmt.Sprintf("account %d: %d", ids[i], got[i]))
	}
	return strings.Join(parts, ", ")
}

func labEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTransferMovesMoney(t *testing.T) {
	b := labNewBank(t)
	ids := b.open(1000, 500)
	for _, step := range []struct {
		from, to, amount int64
		want             []int64
	}{
		{ids[0], ids[1], 300, []int64{700, 800}},
		{ids[1], ids[0], 800, []int64{1500, 0}}, // the whole balance may go
	} {
		call := fmt.Sprintf("Transfer(ctx, %d, %d, %d)", step.from, step.to, step.amount)
		if err := b.transfer(step.from, step.to, step.amount); err != nil {
			t.Fatalf("%s: %v, want nil\nbalances now: %s", call, err, labShowBalances(ids, b.balances(ids)))
		}
		if got := b.balances(ids); !labEqual(got, step.want) {
			t.Fatalf("after %s the balances are %s, want %s", call, labShowBalances(ids, got), labShowBalances(ids, step.want))
		}
	}
}

func TestTransferRefusesAndChangesNothing(t *testing.T) {
	b := labNewBank(t)
	ids := b.open(100, 0)
	missing := ids[1] + 1000
	for _, tc := range []struct {
		from, to, amount int64
		want             error
		hint             string
	}{
		{ids[0], ids[1], 101, ErrInsufficientFunds, "check the balance of the locked row before you debit it, and return ErrInsufficientFunds (the CHECK on balance_cents is a last line of defence, not the way to say no)"},
		{ids[1], ids[0], 1, ErrInsufficientFunds, "an empty account cannot pay anything"},
		{ids[0], ids[1], 0, ErrInvalidAmount, "a transfer moves a positive amount"},
		{ids[0], ids[1], -50, ErrInvalidAmount, "a negative amount would move money the other way: refuse it"},
		{ids[0], missing, 50, ErrAccountNotFound, "the receiving account does not exist: nothing may leave the sender"},
		{missing, ids[0], 50, ErrAccountNotFound, "the sending account does not exist"},
		{ids[0], ids[0], 50, ErrSameAccount, "a transfer from an account to itself moves nothing: refuse it with ErrSameAccount before touching the database (WHERE id IN ($1, $2) would find one row, not two)"},
	} {
		call := fmt.Sprintf("Transfer(ctx, %d, %d, %d)", tc.from, tc.to, tc.amount)
		err := b.transfer(tc.from, tc.to, tc.amount)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got error %v, want %v (errors.Is)\nhint: %s", call, err, tc.want, tc.hint)
		}
		if got := b.balances(ids); !labEqual(got, []int64{100, 0}) {
			t.Fatalf("after %s, which must fail, the balances are %s, want them unchanged (%s)\nhint: %s",
				call, labShowBalances(ids, got), labShowBalances(ids, []int64{100, 0}), tc.hint)
		}
	}
}

func TestTransferIsAllOrNothing(t *testing.T) {
	b := labNewBank(t)
	ids := b.open(1000, 1000)

	// A first transfer shows how many statements Transfer runs.
	if err := b.transfer(ids[0], ids[1], 100); err != nil {
		t.Fatalf("Transfer(ctx, %d, %d, 100): %v, want nil (see TestTransferMovesMoney)", ids[0], ids[1], err)
	}
	ran := b.tr.dataQueries()
	if len(ran) == 0 {
		t.Fatalf("Transfer ran no statement through the pool newStore built\nhint: run every query through s.pool, the pool made from the cfg the tests pass")
	}
	before := b.balances(ids)

	// The same transfer again, but its last statement fails, as if the connection broke just
	// then: the money must move completely, or not at all.
	b.tr.reset()
	b.tr.mu.Lock()
	b.tr.failAt = len(ran)
	b.tr.mu.Unlock()
	err := b.transfer(ids[0], ids[1], 100)
	b.tr.mu.Lock()
	failed := b.tr.failed
	b.tr.mu.Unlock()
	got := b.balances(ids)
	moved := []int64{before[0] - 100, before[1] + 100}

	switch {
	case err != nil && labEqual(got, before), err == nil && labEqual(got, moved):
		return // nothing moved and the caller knows, or a retry moved it once
	case err == nil && labEqual(got, before):
		t.Fatalf("the test made the statement\n    %s\nfail (one of %d that Transfer runs). Transfer returned nil, but no money moved\nhint: return the error: the caller must know the transfer did not happen",
			labOneLine(failed), len(ran))
	default:
		t.Fatalf("the test made the last statement of Transfer fail:\n    %s\nTransfer returned %v and the balances went from %s to %s, want %s (nothing moved) or %s (moved once)\nstatements Transfer ran before:\n%s"+
			"hint: run every statement of a transfer in one transaction (pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {...})): when one fails, the rollback undoes the others",
			labOneLine(failed), err, labShowBalances(ids, before), labShowBalances(ids, got), labShowBalances(ids, before), labShowBalances(ids, moved), labListQueries(ran))
	}
}

func TestConcurrentTransfersKeepTheTotal(t *testing.T) {
	b := labNewBank(t)
	const start = 10_000
	ids := b.open(start, start, start, start)
	want := []int64{start, start, start, start}

	// 50 transfers around four accounts: every pair is used in both directions, and the
	// transfers 0→1→2→3→0 form a cycle, so a transaction that locks "from" then "to" meets
	// another one that locks them the other way round.
	type transfer struct{ from, to, amount int64 }
	pairs := [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 0}}
	var transfers []transfer
	for i := range 50 {
		p := pairs[i%4]
		from, to := p[0], p[1]
		if (i/4)%2 == 1 {
			from, to = to, from
		}
		amount := int64(10 + i)
		want[from] -= amount
		want[to] += amount
		transfers = append(transfers, transfer{ids[from], ids[to], amount})
	}

	type result struct {
		tr    transfer
		err   error
		panic any
	}
	ctx, cancel := context.WithTimeout(context.Background(), labLimit)
	defer cancel()
	results := make(chan result, len(transfers))
	begin := make(chan struct{})
	var ready sync.WaitGroup
	for _, tr := range transfers {
		ready.Add(1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					results <- result{tr: tr, panic: p}
				}
			}()
			ready.Done()
			<-begin // all 50 start together
			results <- result{tr: tr, err: b.store.Transfer(ctx, tr.from, tr.to, tr.amount)}
		}()
	}
	ready.Wait()
	close(begin)

	timer := time.NewTimer(labLimit + 5*time.Second)
	defer timer.Stop()
	var failures []string
	codes := map[string]bool{}
	for done := 0; done < len(transfers); done++ {
		select {
		case r := <-results:
			switch {
			case r.panic != nil:
				failures = append(failures, fmt.Sprintf("Transfer(ctx, %d, %d, %d) panicked: %v", r.tr.from, r.tr.to, r.tr.amount, r.panic))
			case r.err != nil:
				failures = append(failures, fmt.Sprintf("Transfer(ctx, %d, %d, %d): %v", r.tr.from, r.tr.to, r.tr.amount, r.err))
				codes[labSQLState(r.err)] = true
				if errors.Is(r.err, ErrInsufficientFunds) {
					codes["funds"] = true
				}
			}
		case <-timer.C:
			t.Fatalf("%d of 50 concurrent transfers had not returned after %v\nhint: is a transaction left open (no Commit or Rollback), or a connection never given back to the pool?",
				len(transfers)-done, labLimit)
		}
	}
	b.db.requireNoOpenTransaction("every one of the 50 concurrent transfers")
	got := b.balances(ids)
	var total int64
	for _, v := range got {
		total += v
	}

	var msg strings.Builder
	if len(failures) > 0 {
		fmt.Fprintf(&msg, "%d of 50 concurrent transfers returned an error, want none (every account holds plenty):\n", len(failures))
		for i, f := range failures {
			if i == 5 {
				fmt.Fprintf(&msg, "    ... and %d more\n", len(failures)-5)
				break
			}
			fmt.Fprintf(&msg, "    %s\n", f)
		}
	}
	if total != 4*start || !labEqual(got, want) {
		fmt.Fprintf(&msg, "after the 50 transfers the balances are %s (total %d), want %s (total %d)\n",
			labShowBalances(ids, got), total, labShowBalances(ids, want), 4*start)
	}
	if msg.Len() == 0 {
		return
	}
	switch {
	case codes["40P01"]:
		msg.WriteString("hint: deadlock detected (40P01): one transaction locked account A then waited for B while another held B and waited for A. Lock both rows in one consistent order: SELECT ... WHERE id IN ($1, $2) ORDER BY id FOR UPDATE, before any UPDATE")
	case codes["40001"]:
		msg.WriteString("hint: could not serialize (40001): under SERIALIZABLE or REPEATABLE READ, PostgreSQL aborts one of two conflicting transactions and expects the caller to run it again. Retry the whole transaction when the SQLSTATE is 40001 (or 40P01)")
	case codes["23514"]:
		msg.WriteString("hint: the CHECK on balance_cents refused a negative balance: two transfers read the same balance and both debited it. Lock the row you read (FOR UPDATE) so that the check and the update see the same balance")
	case codes["funds"]:
		msg.WriteString("hint: no transfer here overdraws an account, so a balance was read wrong: read it with FOR UPDATE inside the transaction that updates it")
	case total != 4*start:
		msg.WriteString("hint: money appeared or vanished: a balance read, changed in Go and written back loses the updates made in between. Update in SQL (balance_cents = balance_cents - $1) on rows locked FOR UPDATE, inside one transaction")
	case len(failures) > 0:
		msg.WriteString("hint: every account holds plenty, so every transfer must succeed: see the errors above")
	default:
		msg.WriteString("hint: the total is right but some transfers were applied twice or not at all: check what Transfer returns when it retries")
	}
	if total != 4*start && (codes["40P01"] || codes["40001"] || codes["23514"] || codes["funds"]) {
		// The errors rolled their own transfers back; money that vanished was lost by the ones that succeeded.
		msg.WriteString("\nhint: and money vanished or appeared although failed transfers roll back: a balance read, changed in Go and written back (SET balance_cents = $2) overwrites a concurrent update. Update in SQL (balance_cents = balance_cents - $2) on rows locked FOR UPDATE")
	}
	t.Fatal(msg.String())
}
