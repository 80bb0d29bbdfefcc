// Package watch reports saves in a directory tree, debounced: one Change per burst of writes.
//
// It watches directories, not files, so editors that save by writing a temp file and renaming
// it over the original are seen. When the OS file watcher cannot start (inotify limits, network
// file systems, WSL mounts) it falls back to polling and says so in Mode and Reason.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Defaults.
const (
	DefaultDebounce     = 200 * time.Millisecond
	DefaultPollInterval = 500 * time.Millisecond
)

// Modes of a Watcher.
const (
	ModeNotify = "notify"  // OS file events (inotify, kqueue, ...)
	ModePoll   = "polling" // a walk of the tree every PollInterval
)

// Options tune a Watcher; the zero value is fine.
type Options struct {
	Debounce     time.Duration // quiet time after the last write before a Change; default 200 ms
	PollInterval time.Duration // polling period; default 500 ms
	Poll         bool          // poll even when the file watcher works ($LAB_WATCH_POLL=1 too)
	// Ignore reports whether a path (slash-separated, relative to the root) is not the
	// learner's source: by default .lab/, .git/, editor swap and backup files.
	Ignore func(rel string, isDir bool) bool
}

// Change is one debounced burst of saves.
type Change struct {
	Paths []string  // relative, slash-separated, sorted, unique
	First time.Time // when the first write of the burst was seen
	Last  time.Time // when the last one was seen
}

// Watcher watches a directory tree until Close.
type Watcher struct {
	Dir    string
	Mode   string // ModeNotify or ModePoll
	Reason string // why polling is used, when it is

	changes chan Change
	done    chan struct{}
	wg      sync.WaitGroup
	opts    Options

	mu      sync.Mutex
	paused  bool
	closed  bool
	pending map[string]bool
	first   time.Time
	last    time.Time
	timer   *time.Timer

	fsw *fsnotify.Watcher
}

// New starts watching dir. It fails only when dir cannot be read at all; a file watcher that
// cannot start means polling, not an error.
func New(dir string, opts Options) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Ignore == nil {
		opts.Ignore = DefaultIgnore
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("watch %s: %w", dir, err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("watch %s: not a directory", dir)
	}
	w := &Watcher{
		Dir:     abs,
		changes: make(chan Change, 1),
		done:    make(chan struct{}),
		opts:    opts,
		pending: map[string]bool{},
	}
	if opts.Poll || os.Getenv("LAB_WATCH_POLL") == "1" {
		w.Reason = "polling was asked for"
		w.startPoll()
		return w, nil
	}
	if err := w.startNotify(); err != nil {
		w.Reason = "the file watcher could not start (" + err.Error() + ")"
		if errors.Is(err, errNoSpace) {
			w.Reason += "; raise fs.inotify.max_user_watches to get instant updates"
		}
		w.startPoll()
	}
	return w, nil
}

var errNoSpace = errors.New("inotify watch limit reached")

// Changes delivers debounced changes. It is closed by Close.
func (w *Watcher) Changes() <-chan Change { return w.changes }

// Describe says in one line how the tree is watched, for the learner.
func (w *Watcher) Describe() string {
	if w.Mode == ModePoll {
		return fmt.Sprintf("watching by polling every %v: %s", w.opts.PollInterval, w.Reason)
	}
	return "watching for saves"
}

// Pause drops every change from now until Resume: a check in progress should not trigger
// another one, and what it writes is not the learner's doing.
func (w *Watcher) Pause() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paused = true
	w.resetLocked()
}

// Resume starts reporting changes again; changes seen while paused are forgotten.
func (w *Watcher) Resume() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.paused = false
	w.resetLocked()
	// A Change already queued during the pause is stale too.
	select {
	case <-w.changes:
	default:
	}
}

func (w *Watcher) resetLocked() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	clear(w.pending)
	w.first, w.last = time.Time{}, time.Time{}
}

// Close stops watching and closes Changes.
func (w *Watcher) Close() error {
	select {
	case <-w.done:
		return nil
	default:
	}
	close(w.done)
	var err error
	if w.fsw != nil {
		err = w.fsw.Close()
	}
	w.wg.Wait()
	w.mu.Lock()
	w.resetLocked()
	w.closed = true
	close(w.changes)
	w.mu.Unlock()
	return err
}

// DefaultIgnore skips lab's own folder, VCS folders and editor scratch files.
func DefaultIgnore(rel string, isDir bool) bool {
	base := rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		base = rel[i+1:]
	}
	for _, part := range strings.Split(rel, "/") {
		switch part {
		case ".lab", ".git", ".hg", ".svn", ".idea", ".vscode", "node_modules":
			return true
		}
	}
	if isDir {
		return false
	}
	switch {
	case base == "4913", // vim's write test
		strings.HasSuffix(base, "~"),
		strings.HasSuffix(base, ".swp"), strings.HasSuffix(base, ".swx"), strings.HasSuffix(base, ".swo"),
		strings.HasPrefix(base, ".#"),                                // emacs lock
		strings.HasPrefix(base, "#") && strings.HasSuffix(base, "#"), // emacs autosave
		strings.HasSuffix(base, ".tmp"), strings.Contains(base, ".tmp-"),
		strings.HasPrefix(base, ".goutputstream-"),
		base == ".DS_Store":
		return true
	}
	return false
}

// note records a change to rel and (re)arms the debounce timer.
func (w *Watcher) note(rel string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.paused || w.closed {
		return
	}
	now := time.Now()
	if len(w.pending) == 0 {
		w.first = now
	}
	w.last = now
	w.pending[rel] = true
	if w.timer != nil {
		w.timer.Stop()
	}
	w.timer = time.AfterFunc(w.opts.Debounce, w.fire)
}

func (w *Watcher) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.paused || len(w.pending) == 0 || time.Since(w.last) < w.opts.Debounce/2 {
		return
	}
	c := Change{First: w.first, Last: w.last}
	for p := range w.pending {
		c.Paths = append(c.Paths, p)
	}
	sort.Strings(c.Paths)
	w.timer = nil
	clear(w.pending)
	// Never block: keep only the newest change if nobody has read the previous one yet.
	for {
		select {
		case w.changes <- c:
			return
		default:
		}
		select {
		case old := <-w.changes:
			c.Paths = merge(old.Paths, c.Paths)
			c.First = old.First
		default:
		}
	}
}

func merge(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func (w *Watcher) rel(p string) string {
	r, err := filepath.Rel(w.Dir, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// ---- fsnotify ----

func (w *Watcher) startNotify() error {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return classify(err)
	}
	w.fsw = fsw
	if err := w.addTree(w.Dir); err != nil {
		fsw.Close()
		w.fsw = nil
		return classify(err)
	}
	w.Mode = ModeNotify
	w.wg.Add(1)
	go w.notifyLoop()
	return nil
}

func classify(err error) error {
	if strings.Contains(err.Error(), "no space left") || strings.Contains(err.Error(), "too many open files") {
		return fmt.Errorf("%w: %v", errNoSpace, err)
	}
	return err
}

// addTree watches dir and every directory below it that is not ignored.
func (w *Watcher) addTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // vanished meanwhile
		}
		if !d.IsDir() {
			return nil
		}
		if p != w.Dir && w.opts.Ignore(w.rel(p), true) {
			return filepath.SkipDir
		}
		return w.fsw.Add(p)
	})
}

func (w *Watcher) notifyLoop() {
	defer w.wg.Done()
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			w.handle(ev)
		case _, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			// An overflow loses events: treat it as a change so nothing is missed.
			w.note(".")
		}
	}
}

func (w *Watcher) handle(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return // touch, chmod, and some editors' attribute writes: not a content change
	}
	rel := w.rel(ev.Name)
	isDir := false
	if ev.Op.Has(fsnotify.Create) {
		if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
			isDir = true
		}
	}
	if w.opts.Ignore(rel, isDir) {
		return
	}
	if isDir {
		_ = w.addTree(ev.Name) // a new package folder, or a folder renamed into place
	}
	w.note(rel)
}

// ---- polling ----

type stamp struct {
	size int64
	mod  time.Time
}

func (w *Watcher) startPoll() {
	w.Mode = ModePoll
	snap := w.snapshot()
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(w.opts.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
			}
			next := w.snapshot()
			for p, s := range next {
				if old, ok := snap[p]; !ok || old != s {
					w.note(p)
				}
			}
			for p := range snap {
				if _, ok := next[p]; !ok {
					w.note(p)
				}
			}
			snap = next
		}
	}()
}

func (w *Watcher) snapshot() map[string]stamp {
	out := map[string]stamp{}
	_ = filepath.WalkDir(w.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == w.Dir {
			return nil
		}
		rel := w.rel(p)
		if w.opts.Ignore(rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err == nil {
			out[rel] = stamp{info.Size(), info.ModTime()}
		}
		return nil
	})
	return out
}
