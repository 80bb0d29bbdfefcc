//go:build labcheck

package main

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var etagRe = regexp.MustCompile(`^(W/)?"[^"]*"$`)

// wantETag returns the response's ETag, checking it is a quoted entity tag.
func wantETag(t *testing.T, q request, res response) string {
	t.Helper()
	tag := res.header.Get("ETag")
	if tag == "" {
		t.Fatalf("%s: got status %d with no ETag header, want an ETag such as \"9f86d081884c7d659a2feaa0c55ad015\" computed from the body", q, res.code)
	}
	if !etagRe.MatchString(tag) {
		t.Fatalf("%s: got ETag %s, want a quoted entity tag like \"9f86d081884c7d659a2feaa0c55ad015\" (the quotes are part of it)", q, tag)
	}
	return tag
}

func TestHTTPCachingSetsETagAndCacheControl(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	q := get("/products/1")
	res := do(t, h, q)
	wantProduct(t, q, res, keyboard)
	tag := wantETag(t, q, res)

	cc := strings.ToLower(res.header.Get("Cache-Control"))
	if cc == "" {
		t.Fatalf("%s: got no Cache-Control header, want \"public, max-age=60\"", q)
	}
	for _, bad := range []string{"no-store", "no-cache", "private"} {
		if strings.Contains(cc, bad) {
			t.Fatalf("%s: got Cache-Control %q, want \"public, max-age=60\": a product is the same for everybody and may be reused for a minute", q, cc)
		}
	}
	m := regexp.MustCompile(`max-age=(\d+)`).FindStringSubmatch(cc)
	if m == nil {
		t.Fatalf("%s: got Cache-Control %q with no max-age, want \"public, max-age=60\"", q, cc)
	}
	if age, _ := strconv.Atoi(m[1]); age < 1 || age > 600 {
		t.Fatalf("%s: got Cache-Control %q, want a max-age between 1 and 600 seconds (60 is a good value)", q, cc)
	}

	res = do(t, h, q) // from the cache this time
	wantProduct(t, q, res, keyboard)
	if again := wantETag(t, q, res); again != tag {
		t.Fatalf("%s twice: got ETag %s, then %s for the same product; derive the ETag from the body bytes, not from the time or a counter", q, tag, again)
	}

	q2 := get("/products/2")
	res = do(t, h, q2)
	wantProduct(t, q2, res, mouse)
	if other := wantETag(t, q2, res); other == tag {
		t.Fatalf("%s and %s: both got ETag %s; different bodies need different ETags", q, q2, tag)
	}
}

func TestHTTPCachingIfNoneMatchGives304(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	q := get("/products/1")
	res := do(t, h, q)
	wantProduct(t, q, res, keyboard)
	tag := wantETag(t, q, res)
	calls := store.gets.Load()

	opaque := strings.TrimPrefix(tag, "W/")
	for _, c := range []struct{ inm, why string }{
		{tag, "the client already has this version"},
		{`"not-this-one", ` + tag, "If-None-Match may list several tags, separated by commas: one of them is this version"},
		{"W/" + opaque, "If-None-Match compares weakly (RFC 9110): W/\"x\" matches \"x\", so a tag a proxy marked weak still matches"},
		{opaque, "If-None-Match compares weakly: \"x\" matches W/\"x\""},
		{"*", "If-None-Match: * matches any current version of the resource"},
	} {
		q := get("/products/1").with("If-None-Match", c.inm)
		res := do(t, h, q)
		if res.code != http.StatusNotModified {
			t.Fatalf("%s: got status %s, want 304 Not Modified: %s", q, res, c.why)
		}
		if len(res.body) != 0 {
			t.Fatalf("%s: got 304 with a %d-byte body, want no body at all (that is the point of a 304)", q, len(res.body))
		}
		if got := res.header.Get("ETag"); got != tag {
			hint := ""
			if got == "" {
				hint = "\nhint: headers set after WriteHeader are never sent: set ETag and Cache-Control first, on every answer, then write the status"
			}
			t.Fatalf("%s: got 304 with ETag %q, want the same ETag %s%s", q, got, tag, hint)
		}
		if cc := res.header.Get("Cache-Control"); !strings.Contains(strings.ToLower(cc), "max-age") {
			t.Fatalf("%s: got 304 with Cache-Control %q, want the same Cache-Control as the 200 (public, max-age=60): a 304 refreshes the client's copy, and tells it for how long", q, cc)
		}
	}
	if n := store.gets.Load(); n != calls {
		t.Fatalf("five conditional GET /products/1 with the product cached made %d store calls, want 0", n-calls)
	}

	q = get("/products/1").with("If-None-Match", `"some-older-version"`)
	res = do(t, h, q)
	wantProduct(t, q, res, keyboard)
}

func TestHTTPCachingETagFollowsContent(t *testing.T) {
	rdb := newRedis(t)
	store := newFakeStore(keyboard, mouse)
	h := newHandler(t, rdb, store)

	// Product 4 lives only in Redis, and changes there between the two reads.
	v1 := Product{ID: "4", Name: "USB-C dock", PriceCents: 12900}
	v2 := Product{ID: "4", Name: "USB-C dock", PriceCents: 9900}
	seed(t, rdb, "product:4", v1)
	q := get("/products/4")
	res := do(t, h, q)
	if res.code == http.StatusNotFound {
		t.Fatalf("%s with %s cached under product:4: got %s; this test changes the product in Redis, so read Redis first (the cache-aside task)", q, asJSON(v1), res)
	}
	wantProduct(t, q, res, v1)
	tag := wantETag(t, q, res)

	seed(t, rdb, "product:4", v2)
	q = get("/products/4").with("If-None-Match", tag)
	res = do(t, h, q)
	if res.code == http.StatusNotModified {
		t.Fatalf("%s after the product changed to %s: got 304, want 200 with the new body: the ETag must come from the body", q, asJSON(v2))
	}
	wantProduct(t, q, res, v2)
	if got := wantETag(t, q, res); got == tag {
		t.Fatalf("%s: the product changed to %s but the ETag stayed %s", q, asJSON(v2), tag)
	}
}
