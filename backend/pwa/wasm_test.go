package pwa

import (
	"net/http"
	"net/http/httptest"
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
		if got := negotiate(header); got != want {
			t.Errorf("negotiate(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestWasmRevalidation(t *testing.T) {
	h := wasmHandler{version: "v1", bodies: map[string][]byte{"": []byte("raw"), "br": []byte("b"), "gzip": []byte("gz")}}
	req := httptest.NewRequest(http.MethodGet, "/web/app.wasm", nil)
	req.Header.Set("Accept-Encoding", "br")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "b" || rec.Header().Get("ETag") != `"v1-br"` || rec.Header().Get("Content-Length") != "1" {
		t.Fatalf("first GET: %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	req.Header.Set("If-None-Match", `"other", W/"v1-br"`)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation: %d", rec.Code)
	}
	req.Header.Set("Accept-Encoding", "gzip")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "gz" {
		t.Errorf("another encoding's ETag matched: %d", rec.Code)
	}
}
