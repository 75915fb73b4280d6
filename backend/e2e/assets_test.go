package e2e_test

import (
	"bufio"
	"context"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/frontend/sizebudget"
)

// TestWasmFitsItsBudget: the built app.wasm, brotli-compressed, is at
// most 2 % over the figure in frontend/wasm-budget.txt, and within the
// 1.2 MB the page was designed for.
func TestWasmFitsItsBudget(t *testing.T) {
	fi, err := fs.Stat(os.DirFS("../pwa/web"), "app.wasm.br")
	if err != nil {
		t.Fatalf("app.wasm.br is not built (%v): run make wasm", err)
	}
	const file = "../../frontend/wasm-budget.txt"
	budget, err := sizebudget.Read(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("app.wasm.br: %d bytes, budget %d", fi.Size(), budget)
	if err := sizebudget.Check(fi.Size(), budget, file); err != nil {
		t.Error(err)
	}
	if fi.Size() > 1_200_000 {
		t.Errorf("app.wasm.br is %d bytes, over 1.2 MB", fi.Size())
	}
}

// TestEveryTextAssetIsCompressed: the page and every text file it loads
// come brotli- or gzip-encoded, as the browser asks; the stream never does.
func TestEveryTextAssetIsCompressed(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	s.seed()
	for _, path := range []string{"/", "/app.js", "/wasm_exec.js", "/app-worker.js", "/manifest.webmanifest", "/app.css", "/web/icon.svg", "/web/app.wasm"} {
		for _, enc := range []string{"br", "gzip"} {
			res := do(t, s.URL()+path, http.Header{"Accept-Encoding": {enc}})
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != enc || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s (%s): %d, Content-Encoding %q, Vary %q", path, enc, res.StatusCode, res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
				continue
			}
			if len(decode(t, enc, body)) <= len(body) {
				t.Errorf("%s (%s): %d bytes sent do not decode to more", path, enc, len(body))
			}
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/stocks", nil)
	req.Header.Set("Accept-Encoding", "br, gzip")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("stream headers %v", res.Header)
	}
	if line, err := bufio.NewReader(res.Body).ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		t.Errorf("stream starts with %q (%v)", line, err)
	}
}
