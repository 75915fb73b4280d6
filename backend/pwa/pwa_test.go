package pwa

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func builtFS() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"web/version.txt":     f("abc123\n"),
		"web/app.wasm":        f("\x00asm raw"),
		"web/app.wasm.br":     f("br"),
		"web/app.wasm.gz":     f("gz"),
		"web/icon-192.png":    f("png"),
		"web/stockstream.css": f("body{}"),
	}
}

func serve(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Result()
}

func TestHandlerServesTheApp(t *testing.T) {
	h, err := New(builtFS(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := serve(t, h, "/")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), `data-status="connecting"`) {
		t.Fatalf("page: %d\n%s", res.StatusCode, body)
	}
	if res.Header.Get("ETag") != `"abc123"` {
		t.Errorf("page ETag %q, want the build version", res.Header.Get("ETag"))
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "'wasm-unsafe-eval'") {
		t.Errorf("CSP %q", res.Header.Get("Content-Security-Policy"))
	}

	worker, _ := io.ReadAll(serve(t, h, "/app-worker.js").Body)
	if !strings.Contains(string(worker), `p === "/stocks" || p.startsWith("/api/")`) ||
		!strings.Contains(string(worker), `"app-" + "abc123"`) {
		t.Errorf("worker lacks the network rule or the version:\n%.600s", worker)
	}

	var m struct{ Icons []struct{ Src string } }
	json.NewDecoder(serve(t, h, "/manifest.webmanifest").Body).Decode(&m)
	for _, ic := range m.Icons {
		if !strings.HasPrefix(ic.Src, "/web/") {
			t.Errorf("icon %s is not ours", ic.Src)
		}
	}

	if res := serve(t, h, "/web/stockstream.css"); res.StatusCode != 200 {
		t.Errorf("css: %d", res.StatusCode)
	}
	for path, code := range map[string]int{"/robots.txt": 200, "/sitemap.xml": 404, "/ads.txt": 404} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = "198.51.100.1:9"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req) // go-app would fetch http://198.51.100.1:9/web/...
		if rec.Code != code {
			t.Errorf("%s: %d, want %d", path, rec.Code, code)
		}
	}
	if res := serve(t, h, "/web/"); res.StatusCode != 404 {
		t.Errorf("directory listing: %d", res.StatusCode)
	}
}

func TestNotBuilt(t *testing.T) {
	if _, err := New(fstest.MapFS{"web/placeholder.txt": {}}, nil); err == nil {
		t.Fatal("New succeeded without app.wasm")
	}
	res := serve(t, notBuilt(errNotBuilt), "/")
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "make build") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}
