//go:build labcheck

package main

import (
	"io"
	"net/http/httptest"
	"testing"

	"golang.org/x/mod/semver"
)

func TestAdd(t *testing.T) {
	if got := add(2, 3); got != 5 {
		t.Errorf("add(2, 3): got %d, want 5", got)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	newServer().ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestGreet(t *testing.T) {
	code, body := get(t, "/greet?name=Bo")
	if code != 200 || body != "hello, Bo" {
		t.Fatalf("GET /greet?name=Bo: got %d %q,\nwant 200 \"hello, Bo\"", code, body)
	}
}

func TestGreetDefault(t *testing.T) {
	code, body := get(t, "/greet")
	if code != 200 || body != "hello, world" {
		t.Fatalf("GET /greet: got %d %q, want 200 \"hello, world\"", code, body)
	}
}

func TestNewer(t *testing.T) {
	for _, c := range [][2]string{{"v1.2.0", "v1.10.0"}, {"v2.0.0", "v1.9.9"}} {
		want := c[0]
		if semver.Compare(c[0], c[1]) < 0 {
			want = c[1]
		}
		got := newer(c[0], c[1])
		if semver.Compare(got, want) != 0 {
			t.Errorf("newer(%q, %q): got %q, want %q", c[0], c[1], got, want)
		}
	}
}
