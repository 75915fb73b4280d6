package server_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes data to name in a temporary directory and returns its
// path.
func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// post publishes a JSON body through the server at addr.
func post(t *testing.T, addr, body string) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/prices", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("publish: %d %s", resp.StatusCode, b)
	}
}

// TestPagesCarryWhatAnyoneReads: a server whose anonymous callers read
// live renders its latest prices and bars into pages; one that delays them
// renders the delayed tier's (none of a price just published); one that
// refuses them renders none.
func TestPagesCarryWhatAnyoneReads(t *testing.T) {
	const key = "a-subscriber-key-of-at-least-32-bytes"
	s, _ := start(t, parse(t, "--simulator=false", "--subscribe-key", key), nil)
	post(t, s.Addr().String(), `[{"symbol":"AAPL","price":190.5},{"symbol":"AAPL","price":191}]`)
	src := s.Pages()
	if latest := src.Latest(nil); len(latest) != 1 || latest[0].Symbol != "AAPL" || latest[0].Price.String() != "191" {
		t.Errorf("latest %+v, want AAPL at 191", latest)
	}
	if bars := src.Bars(nil, "AAPL"); len(bars) != 1 || bars[0].Count != 2 {
		t.Errorf("bars %+v, want one bar of two prices", bars)
	}
	delayed, _ := start(t, parse(t, "--simulator=false", "--subscribe-key", key, "--anonymous", "delayed"), nil)
	post(t, delayed.Addr().String(), `[{"symbol":"AAPL","price":190.5}]`)
	if src := delayed.Pages(); src.Latest == nil || len(src.Latest(nil)) != 0 || len(src.Bars(nil, "AAPL")) != 0 {
		t.Errorf("--anonymous delayed: pages would carry a price published a moment ago")
	}
	none, _ := start(t, parse(t, "--simulator=false", "--subscribe-key", key, "--anonymous", "none"), nil)
	if src := none.Pages(); src.Latest != nil || src.Bars != nil {
		t.Errorf("--anonymous none: pages would carry prices")
	}
}
