package pwa

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	for header, want := range map[string]string{
		"gzip, deflate, br, zstd": "br",
		"gzip":                    "gzip",
		"br;q=0, gzip;q=0.5":      "gzip",
		"*":                       "br",
		"*;q=0":                   "",
		"br;q=0, *":               "gzip",
		"identity":                "",
		"":                        "",
		"GZIP;q=0.8":              "gzip",
		"br;q=bad, gzip":          "gzip",
	} {
		if got := negotiate(header, anyEncoding); got != want {
			t.Errorf("negotiate(%q) = %q, want %q", header, got, want)
		}
	}
	if got := negotiate("br, gzip", func(enc string) bool { return enc == "gzip" }); got != "gzip" {
		t.Errorf("negotiate picked %q, which is not available", got)
	}
}

func get(t *testing.T, h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	req.Host = req.Header.Get("Host")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWasmIsServedFromTheFilesWithServeContent(t *testing.T) {
	h := newTestHandler(t)
	rec := get(t, h, http.MethodGet, "/web/app.wasm", "Accept-Encoding", "br")
	if rec.Code != 200 || rec.Body.String() != "br" || rec.Header().Get("ETag") != `"abc123-br"` ||
		rec.Header().Get("Content-Length") != "2" || rec.Header().Get("Content-Encoding") != "br" ||
		rec.Header().Get("Content-Type") != "application/wasm" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("first GET: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	rec = get(t, h, http.MethodGet, "/web/app.wasm", "Accept-Encoding", "br", "If-None-Match", `"other", W/"abc123-br"`)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: %d", rec.Code)
	}
	rec = get(t, h, http.MethodGet, "/web/app.wasm", "Accept-Encoding", "gzip", "If-None-Match", `"abc123-br"`)
	if rec.Code != 200 || rec.Body.String() != "gz" || rec.Header().Get("ETag") != `"abc123-gzip"` {
		t.Errorf("another encoding's ETag matched: %d %q", rec.Code, rec.Body)
	}
	rec = get(t, h, http.MethodHead, "/app.wasm")
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "8" || rec.Header().Get("ETag") != `"abc123"` {
		t.Errorf("HEAD: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	rec = get(t, h, http.MethodGet, "/web/app.wasm", "Range", "bytes=0-3")
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "\x00asm" {
		t.Errorf("range: %d %q", rec.Code, rec.Body)
	}
	if rec := get(t, h, http.MethodPost, "/web/app.wasm"); rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", rec.Code, rec.Header())
	}
}
