package checker

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func warmWorkspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	dir := filepath.Join(ws, "05-caching")
	for _, d := range []string{filepath.Join(ws, ".lab"), dir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A check waits while the warm-up holds its lock, says so once, and goes on when it ends.
func TestWaitForWarmWaitsForARunningWarmUp(t *testing.T) {
	t.Parallel()
	dir := warmWorkspace(t)
	release := holdWarmLock(dir)
	if release == nil {
		t.Fatal("holdWarmLock: nil for the first warm-up")
	}
	if holdWarmLock(dir) != nil {
		t.Error("a second warm-up of the same lab got the lock: it would build beside the first")
	}
	events := make(chan Event, 4)
	done := make(chan error, 1)
	go func() { done <- waitForWarm(context.Background(), dir, func(e Event) { events <- e }) }()
	e := <-events
	if e.Kind != Waiting || e.Detail == "" {
		t.Fatalf("event %+v, want Waiting with a Detail", e)
	}
	select {
	case err := <-done:
		t.Fatalf("waitForWarm returned (%v) while the warm-up holds its lock", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(events) != 0 {
		t.Errorf("more events: %+v", <-events)
	}
}

// A warm-up that died left its lock file and holds nothing: the check does not wait. Outside a
// workspace there is nothing to wait for. A cancelled check stops waiting.
func TestWaitForWarmDeadOrAbsentOrCancelled(t *testing.T) {
	t.Parallel()
	dir := warmWorkspace(t)
	holdWarmLock(dir)() // made the file, then "died"
	if _, err := os.Stat(warmLockPath(dir)); err != nil {
		t.Fatal(err)
	}
	noEvent := func(e Event) { t.Errorf("unexpected event %+v", e) }
	if err := waitForWarm(context.Background(), dir, noEvent); err != nil {
		t.Fatal(err)
	}
	if err := waitForWarm(context.Background(), t.TempDir(), noEvent); err != nil {
		t.Fatal(err)
	}
	release := holdWarmLock(dir)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	err := waitForWarm(ctx, dir, func(Event) { cancel() })
	if err != context.Canceled {
		t.Errorf("cancelled wait: %v, want context.Canceled", err)
	}
}
