//go:build labcheck

package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// Task pagination: ?limit= and ?cursor=, next_cursor and Link rel="next".

// labIDs lists the IDs of a page.
func labIDs(books []labV1Book) []int64 {
	ids := make([]int64, 0, len(books))
	for _, b := range books {
		ids = append(ids, b.ID)
	}
	return ids
}

// labPage fetches one page of /api/v1/books and checks what every page must be.
func (c *labClient) page(target string) (*labExchange, labList[labV1Book]) {
	c.t.Helper()
	e := c.get(target)
	e.wantStatus(http.StatusOK)
	var list labList[labV1Book]
	e.decodeJSON(&list)
	if list.Data == nil {
		e.fail(`the body has no "data" list`)
	}
	next, hasLink := list.next(), e.links()["next"] != ""
	switch {
	case next != "" && !hasLink:
		e.fail(`the body has a next_cursor but there is no Link header with rel="next"`,
			`the handler sets Link to nextLink(r.URL, pg.next): make nextLink return <URL>; rel="next"`)
	case next == "" && hasLink:
		e.fail(`there is a Link rel="next" but no next_cursor in the body: the two must agree`)
	}
	return e, list
}

func TestListDefaultsTo20PerPage(t *testing.T) {
	c := newLabClient(t, "pagination")
	ids := c.seedN(25)
	e, list := c.page("/api/v1/books")
	if got := labIDs(list.Data); !slices.Equal(got, ids[:20]) {
		e.fail(fmt.Sprintf("the page holds the books with IDs %v, want the first 20: %v", got, ids[:20]),
			"with no ?limit=, a page holds defaultLimit (20) books: a list endpoint never returns everything at once")
	}
	if list.next() == "" {
		e.fail("there is no next_cursor, but 5 more books follow this page",
			"fetch one book more than the limit: if it exists, next is the cursor after the last book of the page")
	}
}

func TestListCapsLimitAt100(t *testing.T) {
	c := newLabClient(t, "pagination")
	ids := c.seedN(130)
	for _, limit := range []int{100, 101, 1000} {
		e, list := c.page(fmt.Sprintf("/api/v1/books?limit=%d", limit))
		if got := labIDs(list.Data); !slices.Equal(got, ids[:100]) {
			e.fail(fmt.Sprintf("the page holds %d books (IDs %d to %d), want the first 100", len(got), labFirst(got), labLast(got)),
				"a ?limit= above maxLimit gets maxLimit (100): the client pages on with next_cursor, and one request cannot make the server build a huge reply")
		}
		if list.next() == "" {
			e.fail("there is no next_cursor, but 30 more books follow this page")
		}
	}
	e, list := c.page("/api/v1/books?limit=3")
	if got := labIDs(list.Data); !slices.Equal(got, ids[:3]) {
		e.fail(fmt.Sprintf("the page holds the books with IDs %v, want %v", got, ids[:3]))
	}
}

func TestListFollowsCursorsToTheEnd(t *testing.T) {
	c := newLabClient(t, "pagination")
	ids := c.seedN(45)

	var seen []int64
	var sizes []int
	target := "/api/v1/books?limit=10"
	for range 10 { // 5 pages are expected; 10 stops a cursor that never ends
		e, list := c.page(target)
		if len(list.Data) > 10 {
			e.fail(fmt.Sprintf("the page holds %d books, want at most 10", len(list.Data)),
				"readPage reads ?limit= from the query and asks the store for that many books (plus one, to know whether a next page exists)")
		}
		seen = append(seen, labIDs(list.Data)...)
		sizes = append(sizes, len(list.Data))
		if list.next() == "" {
			break
		}
		// The Link header and the cursor must lead to the same page.
		linked, err := e.resolve(e.links()["next"])
		if err != nil {
			e.fail(fmt.Sprintf(`the Link rel="next" target %q is not a URL: %v`, e.links()["next"], err))
		}
		viaLink, linkedList := c.page(linked.RequestURI())
		target = "/api/v1/books?limit=10&cursor=" + url.QueryEscape(list.next())
		viaCursor, cursorList := c.page(target)
		if !slices.Equal(labIDs(linkedList.Data), labIDs(cursorList.Data)) {
			viaLink.fail(fmt.Sprintf(`following Link rel="next" gave the books %v, but %s gave %v: they must be the same page`,
				labIDs(linkedList.Data), viaCursor.target, labIDs(cursorList.Data)),
				"nextLink keeps the request's path and ?limit= and sets ?cursor= to the next cursor")
		}
	}
	if !slices.Equal(seen, ids) {
		t.Fatalf("walking /api/v1/books?limit=10 by next_cursor gave the IDs\n    %v\nwant every book once, in ID order:\n    %v\n(page sizes %v)", seen, ids, sizes)
	}
	if !slices.Equal(sizes, []int{10, 10, 10, 10, 5}) {
		t.Fatalf("walking /api/v1/books?limit=10 gave pages of %v books, want [10 10 10 10 5]", sizes)
	}

	// A last page that happens to be full must not send the client to an empty page.
	c = newLabClient(t, "pagination")
	c.seedN(20)
	e, first := c.page("/api/v1/books?limit=10")
	if first.next() == "" {
		e.fail("there is no next_cursor, but 10 more books follow this page")
	}
	e, second := c.page("/api/v1/books?limit=10&cursor=" + url.QueryEscape(first.next()))
	if len(second.Data) != 10 || second.next() != "" {
		e.fail(fmt.Sprintf("the second and last page of 20 books holds %d books and next_cursor %q, want 10 books and no next_cursor", len(second.Data), second.next()),
			"fetch limit+1 books: only when the extra one exists is there a next page")
	}
}

func TestListCursorSurvivesChanges(t *testing.T) {
	c := newLabClient(t, "pagination")
	ids := c.seedN(30)
	_, first := c.page("/api/v1/books?limit=10")
	if !slices.Equal(labIDs(first.Data), ids[:10]) || first.next() == "" {
		t.Fatalf("GET /api/v1/books?limit=10 gave IDs %v and next_cursor %q, want %v and a cursor (see TestListFollowsCursorsToTheEnd)",
			labIDs(first.Data), first.next(), ids[:10])
	}

	// While the client reads page one, others delete two books of page one (the last one too)
	// and add a book at the end.
	for _, id := range []int64{ids[3], ids[9]} {
		if err := c.store.Delete(id); err != nil {
			t.Fatalf("setting up: store.Delete(%d): %v", id, err)
		}
	}
	c.seed(Book{Title: "Late arrival", Authors: []string{"Someone"}, ISBN: "isbn-late"})

	e, second := c.page("/api/v1/books?limit=10&cursor=" + url.QueryEscape(first.next()))
	if got := labIDs(second.Data); !slices.Equal(got, ids[10:20]) {
		e.fail(fmt.Sprintf("after books %d and %d of page one were deleted, page two holds the IDs %v, want %v",
			ids[3], ids[9], got, ids[10:20]),
			"a cursor that counts books (an offset) skips books when earlier ones are deleted: make it mean \"after the book with this ID\" (store.List(afterID, n))",
			"the cursor must still work when the book it points after is gone")
	}
}

func TestListBadParamsAre400(t *testing.T) {
	c := newLabClient(t, "pagination")
	c.seedN(3)
	c.on501 = "readPage (pagination.go) accepted this query, so the handler went on to the starter's placeholder: make readPage return an error for it; the handler then answers 400"
	for _, query := range []string{
		"limit=abc", "limit=0", "limit=-5", "limit=2.5", "limit=",
		"cursor=not-a-cursor", "cursor=%21%21%21", "limit=10&cursor=%7B%7D",
	} {
		e := c.get("/api/v1/books?" + query)
		e.wantProblem(http.StatusBadRequest,
			"a ?limit= that is not a positive integer, or a ?cursor= this server did not make, is a mistake the client must hear about: do not silently start at the beginning")
	}
}

func labFirst(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

func labLast(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[len(ids)-1]
}
