//go:build labcheck

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// resizeRig is a fake Resizer whose calls each wait until the test releases them, so the test
// decides when work finishes and can look at how much is in flight in between.
type resizeRig struct {
	tracker
	workers int
	images  []string
	entered chan string              // each call sends its image when it starts
	release map[string]chan struct{} // closed by the test to let that image's call finish
	giveUp  <-chan struct{}

	mu      sync.Mutex
	tooMany int // the most calls seen in flight above workers, 0 if never
}

func (rr *resizeRig) overflow() int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.tooMany
}

func newResizeRig(r *rig, n, workers int) *resizeRig {
	rr := &resizeRig{workers: workers, entered: make(chan string, n), release: map[string]chan struct{}{}, giveUp: r.ctx.Done()}
	for i := range n {
		img := fmt.Sprintf("img-%02d.png", i)
		rr.images = append(rr.images, img)
		rr.release[img] = make(chan struct{})
	}
	return rr
}

func (rr *resizeRig) resize(ctx context.Context, image string) (string, error) {
	n := rr.enter()
	defer rr.exit()
	if n > rr.workers {
		rr.mu.Lock()
		rr.tooMany = max(rr.tooMany, n)
		rr.mu.Unlock()
	}
	rel, ok := rr.release[image]
	if !ok {
		return "", fmt.Errorf("lab check: unknown image %q", image)
	}
	rr.entered <- image
	select {
	case <-rel:
		return "thumb-" + image, nil
	case <-rr.giveUp:
		return "", errors.New("lab check: gave up waiting to be released")
	}
}

// drive lets the calls finish one at a time. Before each release it waits until as many calls
// are in flight as the pool allows (workers, or what is left), so a pool that runs fewer fails
// with a count. lifo releases the newest call first, so calls finish out of input order.
func (rr *resizeRig) drive(t *testing.T, desc string, c *call, lifo bool) {
	t.Helper()
	var active []string
	n := len(rr.images)
	for done := 0; done < n; done++ {
		want := min(rr.workers, n-done)
		for len(active) < want {
			select {
			case img := <-rr.entered:
				active = append(active, img)
			case <-c.done:
				t.Fatalf("%s: answered (status %d, body %s) after only %d of %d images were resized", desc, c.rec.Code, show(c.rec.Body.String()), done, n)
			case <-rr.giveUp:
				t.Fatalf("%s: only %d resize calls were in flight at once (with %d of %d images done), want %d: Workers is %d, so %d calls should run together. A loop that resizes one image after the other never gets there: start a pool of `workers` goroutines.", desc, len(active), done, n, want, rr.workers, want)
			}
		}
		i := 0
		if lifo {
			i = len(active) - 1
		}
		close(rr.release[active[i]])
		active = slices.Delete(active, i, i+1)
	}
}

func thumbsFor(images []string) []string {
	out := make([]string, len(images))
	for i, img := range images {
		out[i] = "thumb-" + img
	}
	return out
}

// checkThumbnails checks the answer of POST /api/thumbnails.
func checkThumbnails(t *testing.T, desc string, c *call, images []string) {
	t.Helper()
	if c.rec.Code != http.StatusOK {
		t.Fatalf("%s: got status %d, want 200; body %s", desc, c.rec.Code, show(c.rec.Body.String()))
	}
	var body struct {
		Thumbnails []string `json:"thumbnails"`
	}
	decode(t, desc, c.rec, &body)
	if want := thumbsFor(images); !slices.Equal(body.Thumbnails, want) {
		t.Fatalf("%s: \"thumbnails\" = %q, want %q (the order of the request's images, whatever order the resizes finished in: write each result at its image's index)", desc, body.Thumbnails, want)
	}
}

func TestThumbnailsAtMostWorkersInFlight(t *testing.T) {
	requireConcurrentThumbnails(t)
	inBubble(t, func(t *testing.T) {
		const n, workers = 10, 3
		const desc = "POST /api/thumbnails {\"images\": [10 images]} with newThumbnails(3, ...)"
		r := newRigWithin(t, time.Minute)
		rr := newResizeRig(r, n, workers)
		c := r.start(newThumbnails(workers, rr.resize), postJSON("/api/thumbnails", map[string]any{"images": rr.images}))
		var active []string
		for done := 0; done < n; done++ {
			// Wait until every goroutine is blocked: every call the pool lets start has started.
			synctest.Wait()
			for drained := false; !drained; {
				select {
				case img := <-rr.entered:
					active = append(active, img)
				default:
					drained = true
				}
			}
			want := min(workers, n-done)
			if len(active) > workers {
				t.Fatalf("%s: %d resize calls were in flight at once (with %d of %d images done), want at most %d (Workers): start exactly Workers goroutines, or guard each call with a semaphore of that size", desc, len(active), done, n, workers)
			}
			if len(active) < want {
				select {
				case <-c.done:
					t.Fatalf("%s: answered (status %d, body %s) after only %d of %d images were resized", desc, c.rec.Code, show(c.rec.Body.String()), done, n)
				default:
				}
				t.Fatalf("%s: only %d resize calls were in flight (with %d of %d images done) while the others waited, want %d: as soon as a call finishes, a worker must take the next image", desc, len(active), done, n, want)
			}
			close(rr.release[active[0]])
			active = active[1:]
		}
		r.wait(c)
		calls, _ := rr.stats()
		if calls != n {
			t.Errorf("%s: Resizer called %d times, want %d (once per image)", desc, calls, n)
		}
		checkThumbnails(t, desc, c, rr.images)
	})
}

func TestThumbnailsKeepInputOrder(t *testing.T) {
	requireConcurrentThumbnails(t)
	r := newRig(t)
	rr := newResizeRig(r, 8, 4)
	desc := "POST /api/thumbnails {\"images\": [8 images]} with newThumbnails(4, ...), the newest call finishing first"
	c := r.start(newThumbnails(4, rr.resize), postJSON("/api/thumbnails", map[string]any{"images": rr.images}))
	rr.drive(t, desc, c, true)
	r.wait(c)
	if n := rr.overflow(); n > 0 {
		t.Fatalf("%s: %d resize calls were in flight at once, want at most 4 (Workers)", desc, n)
	}
	checkThumbnails(t, desc, c, rr.images)
}
