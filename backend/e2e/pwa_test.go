package e2e_test

import (
	"bytes"
	"encoding/json"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/webcompress"
)

// TestInstallable: the manifest has what installing needs, its icons are
// real PNGs of the stated sizes, and the service worker controls the page.
func TestInstallable(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.seed()

	var m struct {
		Name      string `json:"name"`
		ShortName string `json:"short_name"`
		Display   string `json:"display"`
		StartURL  string `json:"start_url"`
		Icons     []struct {
			Src, Sizes, Type, Purpose string
		} `json:"icons"`
	}
	body := get(t, s.URL()+"/manifest.webmanifest", nil)
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, body)
	}
	if m.Name == "" || m.ShortName == "" || m.Display != "standalone" || m.StartURL != "/" {
		t.Errorf("manifest = %+v", m)
	}
	sizes := map[string]bool{}
	for _, ic := range m.Icons {
		if strings.HasPrefix(ic.Src, "http") {
			t.Errorf("icon %s is not served by the app", ic.Src)
		}
		if ic.Type != "image/png" {
			continue
		}
		img, err := png.DecodeConfig(bytes.NewReader(get(t, s.URL()+ic.Src, nil)))
		if err != nil {
			t.Fatalf("icon %s: %v", ic.Src, err)
		}
		if got := itoa(img.Width) + "x" + itoa(img.Height); got != ic.Sizes {
			t.Errorf("icon %s is %s, manifest says %s", ic.Src, got, ic.Sizes)
		}
		sizes[ic.Sizes] = true
	}
	if !sizes["192x192"] || !sizes["512x512"] {
		t.Errorf("manifest icons %v lack 192x192 or 512x512", m.Icons)
	}

	b := newBrowser(t)
	b.navigate(s.URL() + "/")
	waitServiceWorker(b)
	var script string
	if err := b.eval(`navigator.serviceWorker.controller.scriptURL`, &script); err != nil || !strings.HasSuffix(script, "/app-worker.js") {
		t.Errorf("controller script = %q (%v)", script, err)
	}
	b.wait("badge live under the worker", statusIs("live"), 30*time.Second)
}

// TestWasmIsServedCompressed: app.wasm is precompressed by Accept-Encoding,
// with Vary, strong per-encoding ETags and 304 on revalidation.
func TestWasmIsServedCompressed(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	raw := get(t, s.URL()+"/web/app.wasm", http.Header{"Accept-Encoding": {"identity"}})
	if !bytes.HasPrefix(raw, []byte("\x00asm")) {
		t.Fatalf("identity app.wasm is not WebAssembly")
	}
	for _, tc := range []struct{ accept, enc string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"", ""},
	} {
		res := do(t, s.URL()+"/web/app.wasm", http.Header{"Accept-Encoding": {tc.accept}})
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		h := res.Header
		if h.Get("Content-Encoding") != tc.enc || !strings.Contains(h.Get("Vary"), "Accept-Encoding") ||
			h.Get("Content-Type") != "application/wasm" {
			t.Errorf("Accept-Encoding %q: headers %v", tc.accept, h)
		}
		etag := h.Get("ETag")
		if !strings.HasPrefix(etag, `"`) {
			t.Errorf("Accept-Encoding %q: ETag %q is not strong", tc.accept, etag)
		}
		if got := decode(t, tc.enc, body); !bytes.Equal(got, raw) {
			t.Errorf("Accept-Encoding %q: decoded body differs from app.wasm", tc.accept)
		}
		res = do(t, s.URL()+"/web/app.wasm", http.Header{"Accept-Encoding": {tc.accept}, "If-None-Match": {etag}})
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("Accept-Encoding %q: revalidation got %d, want 304", tc.accept, res.StatusCode)
		}
	}
	page := do(t, s.URL()+"/", nil)
	page.Body.Close()
	csp := page.Header.Get("Content-Security-Policy")
	for _, want := range []string{"'wasm-unsafe-eval'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if page.Header.Get("X-Content-Type-Options") != "nosniff" || page.Header.Get("Referrer-Policy") == "" {
		t.Errorf("page headers %v", page.Header)
	}
}

// waitServiceWorker waits until the worker controls the page and its cache
// holds the page.
func waitServiceWorker(b *browser) {
	b.t.Helper()
	b.wait("service worker controls the page", `navigator.serviceWorker.controller`, 30*time.Second)
	b.wait("app shell cached", `caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.keys())))).then(rs => rs.flat().some(r => new URL(r.url).pathname === "/web/app.wasm"))`, 30*time.Second)
}

// client talks to the test server without transparent decompression.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 30 * time.Second}

func do(t testing.TB, url string, h http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func get(t testing.TB, url string, h http.Header) []byte {
	t.Helper()
	res := do(t, url, h)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, res.StatusCode, err)
	}
	return body
}

func decode(t testing.TB, enc string, body []byte) []byte {
	t.Helper()
	if enc == "" {
		return body
	}
	out, err := webcompress.Decode(enc, body)
	if err != nil {
		t.Fatalf("decode %s: %v", enc, err)
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
