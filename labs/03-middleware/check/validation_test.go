//go:build labcheck

package main

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// onlyReader hides the concrete type, so httptest cannot know the length: the request goes
// out with ContentLength -1, like a chunked upload.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestValidationRejectsLargeBody(t *testing.T) {
	app, _ := testApp(t)
	body := `{"title":"big","body":"` + strings.Repeat("x", 2*testMaxBody) + `"}`
	auth := "Authorization: Bearer " + aliceToken
	ct := "Content-Type: application/json"

	req := request("POST", "/api/v1/notes", strings.NewReader(body), auth, ct)
	what := describe(req, body, auth, ct) + fmt.Sprintf(" [%d bytes, limit %d, Content-Length sent]", len(body), testMaxBody)
	rec := mustServe(t, app, req, what)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("%s: got status %d, want 413", what, rec.Code)
	} else {
		checkJSONError(t, what, rec)
	}

	req = request("POST", "/api/v1/notes", onlyReader{strings.NewReader(body)}, auth, ct)
	what = describe(req, body, auth, ct) + fmt.Sprintf(" [%d bytes, limit %d, no Content-Length]", len(body), testMaxBody)
	rec = mustServe(t, app, req, what)
	if rec.Code != http.StatusRequestEntityTooLarge {
		hint := ""
		if rec.Code == http.StatusBadRequest {
			hint = "\nhint: the body was cut off by http.MaxBytesReader; in decodeJSON, errors.As(err, &maxErr) with maxErr *http.MaxBytesError means 413, not 400"
		} else {
			hint = "\nhint: checking r.ContentLength is not enough (-1 here); wrap r.Body in http.MaxBytesReader"
		}
		t.Errorf("%s: got status %d, want 413%s", what, rec.Code, hint)
	} else {
		checkJSONError(t, what, rec)
	}
}

func TestValidationRequiresJSONContentType(t *testing.T) {
	app, _ := testApp(t)
	auth := "Authorization: Bearer " + aliceToken
	body := `{"title":"Groceries","body":"milk, eggs"}`
	for _, ct := range []string{"Content-Type: text/plain", "Content-Type: application/x-www-form-urlencoded", "Content-Type: application/jsonx", ""} {
		headers := []string{auth}
		if ct != "" {
			headers = append(headers, ct)
		}
		req := request("POST", "/api/v1/notes", strings.NewReader(body), headers...)
		what := describe(req, body, headers...)
		rec := mustServe(t, app, req, what)
		if rec.Code != http.StatusUnsupportedMediaType {
			t.Errorf("%s: got status %d, want 415", what, rec.Code)
			continue
		}
		checkJSONError(t, what, rec)
	}

	// Parameters are part of a valid media type.
	ct := "Content-Type: application/json; charset=utf-8"
	req := request("POST", "/api/v1/notes", strings.NewReader(body), auth, ct)
	what := describe(req, body, auth, ct)
	rec := mustServe(t, app, req, what)
	m, err := jsonObject(rec)
	if rec.Code != http.StatusCreated || err != nil || m["title"] != "Groceries" {
		hint := ""
		if rec.Code == http.StatusUnsupportedMediaType {
			hint = "\nhint: compare the media type from mime.ParseMediaType, not the whole header"
		}
		t.Errorf("%s: got %d %s, want 201 with the note%s", what, rec.Code, clip(rec.Body.String(), 200), hint)
	}
}

func TestValidationReportsFieldErrors(t *testing.T) {
	app, _ := testApp(t)
	auth := "Authorization: Bearer " + aliceToken
	ct := "Content-Type: application/json"
	cases := []struct {
		body       string
		wantFields []string // nil: valid, want 201
	}{
		{`{}`, []string{"body", "title"}},
		{`{"title":"   ","body":"text"}`, []string{"title"}},
		{`{"title":"Groceries","body":""}`, []string{"body"}},
		{`{"title":"` + strings.Repeat("a", 101) + `","body":"text"}`, []string{"title"}},
		{`{"title":"` + strings.Repeat("é", 100) + `","body":"text"}`, nil}, // 100 characters, 200 bytes
		{`{"title":"Groceries","body":"milk"}`, nil},
	}
	for _, c := range cases {
		req := request("POST", "/api/v1/notes", strings.NewReader(c.body), auth, ct)
		what := describe(req, c.body, auth, ct)
		rec := mustServe(t, app, req, what)
		if c.wantFields == nil {
			if rec.Code != http.StatusCreated {
				hint := ""
				if strings.Contains(c.body, "é") {
					hint = "\nhint: count characters (utf8.RuneCountInString), not bytes (len)"
				}
				t.Errorf("%s: got %d %s, want 201 (valid input)%s", what, rec.Code, clip(rec.Body.String(), 200), hint)
			}
			continue
		}
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: got status %d, want 422 with fields %v", what, rec.Code, c.wantFields)
			continue
		}
		m, err := jsonObject(rec)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		fields, _ := m["fields"].(map[string]any)
		got := keys(fields)
		if !slices.Equal(got, c.wantFields) {
			hint := ""
			if len(got) == 1 && len(c.wantFields) > 1 {
				hint = "\nhint: collect every problem before answering, so the client can fix them all at once"
			}
			t.Errorf("%s: got 422 with fields %v, want fields %v%s\nbody: %s", what, got, c.wantFields, hint, clip(rec.Body.String(), 300))
			continue
		}
		for _, k := range got {
			if s, _ := fields[k].(string); s == "" {
				t.Errorf("%s: fields.%s is %#v, want a non-empty message", what, k, fields[k])
			}
		}
	}
}
