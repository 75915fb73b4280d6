package pwa

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stockstream/stockstream/frontend/ui"
	"github.com/stockstream/stockstream/frontend/webcompress"
)

func TestMain(m *testing.M) {
	ui.Routes(ui.Source{})
	os.Exit(m.Run())
}

const testCSS = "body{color:red}"

func builtFS() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"web/version.txt":        f("abc123\n"),
		"web/app.wasm":           f("\x00asm raw"),
		"web/app.wasm.br":        f("br"),
		"web/app.wasm.gz":        f("gz"),
		"web/icon-192.png":       f("png"),
		"web/icon.svg":           f("<svg/>"),
		"web/icon.svg.br":        f("svg-br"),
		"web/stockstream.css":    f(testCSS),
		"web/stockstream.css.gz": f("css-gz"),
	}
}

func newTestHandler(t *testing.T) http.Handler {
	t.Helper()
	h, err := New(builtFS())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func decoded(t *testing.T, rec interface {
	Result() *http.Response
}) string {
	t.Helper()
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if enc := res.Header.Get("Content-Encoding"); err == nil && enc != "" {
		body, err = webcompress.Decode(enc, body)
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestPageIsCompressedWithItsStylesInline(t *testing.T) {
	h := newTestHandler(t)
	for _, accept := range []string{"br", "gzip", ""} {
		rec := get(t, h, http.MethodGet, "/", "Accept-Encoding", accept)
		body := decoded(t, rec)
		if rec.Code != 200 || !strings.Contains(body, `data-status="connecting"`) {
			t.Fatalf("%q: page %d\n%s", accept, rec.Code, body)
		}
		if got := rec.Header().Get("Content-Encoding"); got != accept {
			t.Errorf("%q: page encoded %q", accept, got)
		}
		if rec.Header().Get("ETag") != "" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%q: page headers %v: no ETag (its prices change), Vary", accept, rec.Header())
		}
		if !strings.Contains(body, "<style>"+testCSS+"</style>") || strings.Contains(body, "app.css") || strings.Contains(body, `rel="stylesheet"`) {
			t.Errorf("%q: the page links a stylesheet or lacks the inline one:\n%s", accept, body)
		}
	}
	// The CSP allows exactly the inline stylesheet.
	csp := get(t, h, http.MethodGet, "/").Header().Get("Content-Security-Policy")
	sum := sha256.Sum256([]byte(testCSS))
	if !strings.Contains(csp, "style-src 'self' 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"';") || !strings.Contains(csp, "'wasm-unsafe-eval'") {
		t.Errorf("CSP %q", csp)
	}
	// A stale validator never turns a page into a 304.
	if rec := get(t, h, http.MethodGet, "/", "If-None-Match", `"abc123"`); rec.Code != 200 {
		t.Errorf("page revalidated to %d", rec.Code)
	}
	if rec := get(t, h, http.MethodHead, "/", "Accept-Encoding", "br"); rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD page: %d %d bytes %v", rec.Code, rec.Body.Len(), rec.Header())
	}
	if rec := get(t, h, http.MethodGet, "/no-such-page"); rec.Code != 404 {
		t.Errorf("unknown page: %d", rec.Code)
	}
}

func TestGeneratedFilesAreCompressedOnce(t *testing.T) {
	h := newTestHandler(t)
	for _, path := range []string{"/app.js", "/goapp.js", "/wasm_exec.js", "/app-worker.js", "/manifest.webmanifest", "/manifest.json", "/app.css"} {
		plain := get(t, h, http.MethodGet, path)
		if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || plain.Header().Get("ETag") != `"abc123"` {
			t.Fatalf("%s identity: %d %v", path, plain.Code, plain.Header())
		}
		for _, enc := range []string{"br", "gzip"} {
			rec := get(t, h, http.MethodGet, path, "Accept-Encoding", enc)
			if rec.Header().Get("Content-Encoding") != enc || rec.Header().Get("ETag") != `"abc123-`+enc+`"` {
				t.Errorf("%s %s: headers %v", path, enc, rec.Header())
			}
			if decoded(t, rec) != plain.Body.String() {
				t.Errorf("%s %s: decodes to another body", path, enc)
			}
			if rec.Body.Len() >= plain.Body.Len() && plain.Body.Len() > 200 {
				t.Errorf("%s %s: %d bytes, identity %d", path, enc, rec.Body.Len(), plain.Body.Len())
			}
			etag := rec.Header().Get("ETag")
			if rec := get(t, h, http.MethodGet, path, "Accept-Encoding", enc, "If-None-Match", etag); rec.Code != http.StatusNotModified {
				t.Errorf("%s %s: revalidation %d", path, enc, rec.Code)
			}
		}
	}
	worker := get(t, h, http.MethodGet, "/app-worker.js").Body.String()
	if !strings.Contains(worker, `p === "/stocks" || p.startsWith("/api/")`) || !strings.Contains(worker, `"app-" + "abc123"`) {
		t.Errorf("worker lacks the network rule or the version:\n%.600s", worker)
	}
	if !strings.Contains(worker, `if (p === '/web/app.wasm' && url.searchParams.has("v")) {`) ||
		!strings.Contains(worker, `event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));`) {
		t.Errorf("worker does not pass the versioned app.wasm through to the HTTP cache:\n%.1200s", worker)
	}
	var m struct{ Icons []struct{ Src string } }
	json.Unmarshal(get(t, h, http.MethodGet, "/manifest.webmanifest").Body.Bytes(), &m)
	for _, ic := range m.Icons {
		if !strings.HasPrefix(ic.Src, "/web/") {
			t.Errorf("icon %s is not ours", ic.Src)
		}
	}
	js := get(t, h, http.MethodGet, "/app.js").Body.String()
	if strings.Contains(js, "\ngoappInitWebAssembly();") || !strings.Contains(js, `addEventListener("load", () => requestAnimationFrame(() => setTimeout(goappInitWebAssembly)))`) {
		t.Errorf("app.js starts app.wasm before the first paint:\n%.1200s", js)
	}
	if !strings.Contains(js, `const goappCompiling = goappCanLoadWebAssembly() ? goappCompile("/web/app.wasm?v=abc123") : null;`) ||
		!strings.Contains(js, `await goappInstantiate("/web/app.wasm?v=abc123", goappCompiling, go.importObject)`) ||
		strings.Contains(js, "fetchWithProgress(\"") {
		t.Errorf("app.js does not have the versioned app.wasm compiled by the compiler worker:\n%s", js)
	}
	execJS := get(t, h, http.MethodGet, "/wasm_exec.js").Body.String()
	source, err := json.Marshal(compilerJS([]byte(execJS)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js, "function goappCompilerSource() {\n  return "+string(source)+";\n}") || !strings.Contains(string(source), "WebAssembly.compileStreaming(fetch(event.data))") {
		t.Errorf("app.js does not carry the compiler, wasm_exec.js and a compileStreaming worker:\n%.2000s", js)
	}
	if strings.Contains(js, "\ngoappInitServiceWorker();") || !strings.Contains(js, "async function goappInitServiceWorker()") {
		t.Errorf("app.js registers the service worker before the app runs, or cannot register it:\n%.1200s", js)
	}
	if !strings.Contains(worker, `"/web/app.wasm?v=abc123"`) || strings.Contains(worker, `"/web/app.wasm"`) {
		t.Errorf("the worker does not precache the app.wasm the page loads:\n%.600s", worker)
	}
}

func TestLoaderEditsFailWhenGoAppChanged(t *testing.T) {
	if _, err := applyEdits("/app.js", []byte("goappInitWebAssembly()"), loaderEdits("v1", nil)["/app.js"]); err == nil || !strings.Contains(err.Error(), "loader.go") {
		t.Errorf("an app.js without go-app's start line: %v", err)
	}
	twice := []byte(`"/web/app.wasm", "/web/app.wasm"`)
	if _, err := applyEdits("/app-worker.js", twice, loaderEdits("v1", nil)["/app-worker.js"]); err == nil {
		t.Error("an edit whose text occurs twice was applied")
	}
}

// TestVersionedWasmIsImmutable: app.wasm asked for with the build's
// version is cached for a year; without it, or with another version, it
// is revalidated.
func TestVersionedWasmIsImmutable(t *testing.T) {
	h := newTestHandler(t)
	for path, want := range map[string]string{
		"/web/app.wasm?v=abc123":  "public, max-age=31536000, immutable",
		"/web/app.wasm":           "no-cache",
		"/web/app.wasm?v=old":     "no-cache",
		"/web/icon.svg?v=abc123":  "public, max-age=31536000, immutable",
		"/app.wasm":               "no-cache",
		"/web/app.wasm?v=abc123x": "no-cache",
	} {
		rec := get(t, h, http.MethodGet, path, "Accept-Encoding", "br")
		if rec.Code != 200 || rec.Header().Get("Cache-Control") != want {
			t.Errorf("%s: %d, Cache-Control %q, want %q", path, rec.Code, rec.Header().Get("Cache-Control"), want)
		}
	}
}

func TestStaticFilesUseTheirPrecompressedCopies(t *testing.T) {
	h := newTestHandler(t)
	cases := []struct{ path, accept, enc, body, ctype string }{
		{"/web/icon.svg", "gzip, br", "br", "svg-br", "image/svg+xml"},
		{"/web/icon.svg", "gzip", "", "<svg/>", "image/svg+xml"}, // no .gz copy
		{"/web/stockstream.css", "br, gzip", "gzip", "css-gz", "text/css; charset=utf-8"},
		{"/web/icon-192.png", "br", "", "png", "image/png"},
	}
	for _, c := range cases {
		rec := get(t, h, http.MethodGet, c.path, "Accept-Encoding", c.accept)
		if rec.Code != 200 || rec.Body.String() != c.body || rec.Header().Get("Content-Encoding") != c.enc || rec.Header().Get("Content-Type") != c.ctype {
			t.Errorf("%s (%s): %d %q %v", c.path, c.accept, rec.Code, rec.Body, rec.Header())
		}
	}
	for _, path := range []string{"/web/", "/web/nope.css", "/web/../web/icon.svg", "/web//icon.svg"} {
		if rec := get(t, h, http.MethodGet, path); rec.Code != 404 {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
}

func TestProxiedFilesAreNotFetched(t *testing.T) {
	h := newTestHandler(t)
	for path, code := range map[string]int{"/robots.txt": 200, "/sitemap.xml": 404, "/ads.txt": 404} {
		rec := get(t, h, http.MethodGet, path, "Host", "198.51.100.1:9") // go-app would fetch http://198.51.100.1:9/web/...
		if rec.Code != code {
			t.Errorf("%s: %d, want %d", path, rec.Code, code)
		}
	}
}

func TestNotBuilt(t *testing.T) {
	if _, err := New(fstest.MapFS{"web/placeholder.txt": {}}); err == nil {
		t.Fatal("New succeeded without app.wasm")
	}
	rec := get(t, notBuilt(errNotBuilt), http.MethodGet, "/")
	if rec.Code != http.StatusServiceUnavailable || !bytes.Contains(rec.Body.Bytes(), []byte("make build")) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
