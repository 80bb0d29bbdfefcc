//go:build labcheck

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
)

// Resizer makes a thumbnail of one image and returns the thumbnail's name. It is the expensive
// part: CPU, memory, maybe a call to an image service. It must return promptly once ctx is done.
type Resizer func(ctx context.Context, image string) (string, error)

// thumbnails serves POST /api/thumbnails.
type thumbnails struct {
	workers int
	resize  Resizer
}

// newThumbnails returns the handler of POST /api/thumbnails. At most workers resize calls run
// at once; the answer lists the thumbnails in the order of the request's images.
func newThumbnails(workers int, resize Resizer) http.Handler {
	return &thumbnails{workers: max(workers, 1), resize: resize}
}

type thumbnailsRequest struct {
	Images []string `json:"images"`
}

type thumbnailsResponse struct {
	Thumbnails []string `json:"thumbnails"`
}

func (h *thumbnails) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req thumbnailsRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes)).Decode(&req); err != nil {
		writeProblem(w, http.StatusBadRequest, "body must be JSON like {\"images\": [\"cat.png\"]}: "+err.Error())
		return
	}
	out, err := resizeAll(r.Context(), req.Images, h.workers, h.resize)
	if err != nil {
		writeProblem(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, thumbnailsResponse{Thumbnails: out})
}

// resizeAll resizes every image with a pool of workers goroutines. Each result goes to the
// index of its image, so the output keeps the input's order whatever order the work finishes
// in. The first failure cancels the rest.
func resizeAll(ctx context.Context, images []string, workers int, resize Resizer) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	out := make([]string, len(images))
	errs := make([]error, len(images))
	jobs := make(chan int) // indexes into images

	var mu sync.Mutex
	done := make([]string, 0, len(images))
	var wg sync.WaitGroup
	for range min(workers, len(images)) {
		wg.Go(func() {
			for i := range jobs { // ends when jobs is closed
				thumb, err := resize(ctx, images[i])
				if err != nil {
					errs[i] = fmt.Errorf("%s: %w", images[i], err)
					cancel()
					continue
				}
				mu.Lock()
				done = append(done, thumb)
				mu.Unlock()
			}
		})
	}

feed:
	for i := range images {
		select {
		case jobs <- i:
		case <-ctx.Done(): // a failure (or the client leaving): hand out no more work
			break feed
		}
	}
	close(jobs) // the workers finish what they hold, then return
	wg.Wait()

	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil { // no failure of ours: the request itself was cancelled
		return nil, err
	}
	copy(out, done)
	return out, nil
}
