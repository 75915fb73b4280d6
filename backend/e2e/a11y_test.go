package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

// axePath is axe-core as make test-deps installs it from npm.
var axePath = filepath.Join("..", "..", "tools", "node_modules", "axe-core", "axe.min.js")

// axeViolation is one failed axe-core rule.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// runAxe runs axe-core in the page and returns its violations. axe is
// injected through the DevTools protocol, which the page's CSP does not
// govern.
func runAxe(t *testing.T, b *browser, state string) []axeViolation {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run make test-deps (it runs npm ci in tools/)", err)
	}
	if err := b.eval(string(src)+"\n;true", nil); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	var violations []axeViolation
	if err := b.eval(`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, &violations); err != nil {
		t.Fatalf("axe-core on the %s page: %v", state, err)
	}
	return violations
}

// audit fails the test on any axe-core violation.
func audit(t *testing.T, b *browser, state string) {
	t.Helper()
	violations := runAxe(t, b, state)
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			target, _ := json.Marshal(n.Target)
			where = append(where, string(target)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
		}
		t.Errorf("axe-core, %s page: %s (%s) %s\n\t%s", state, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
	t.Logf("axe-core, %s page: %d violations", state, len(violations))
}

// TestAccessibility runs axe-core on the live page while prices flash, on
// the watchlist with chips and a refusal, and on the page opened offline.
// It also checks that a keyboard reaches the feed.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	s, b, _ := openDashboard(t, 100*time.Millisecond)
	b.wait("live with flashing rows", statusIs("live")+` && document.querySelector("[class*=flash-]") && document.querySelectorAll("[data-feed] li").length > 5`, 30*time.Second)
	audit(t, b, "live")

	b.typeText(input, "aapl msft B@D")
	b.press(kb.Enter)
	b.wait("chips and a refusal", `document.querySelectorAll("[data-watch]").length === 2 && document.querySelector("[data-watchlist-error]")`, 15*time.Second)
	audit(t, b, "watch")

	// The feed scrolls, so a keyboard must reach it.
	var focusable bool
	b.eval(`document.querySelector("[data-feed]").tabIndex === 0`, &focusable)
	if !focusable {
		t.Error("the feed cannot be focused with the keyboard")
	}

	waitServiceWorker(b)
	b.wait("prices saved", `localStorage.getItem("stockstream.prices.v1")`, 10*time.Second)
	s.stop()
	b.reload()
	b.wait("offline", statusIs("offline")+` && document.querySelector("[data-stale]")`, 30*time.Second)
	audit(t, b, "offline")

	// The audit sees what it must: an image without alternative text.
	b.eval(`document.querySelector("main").appendChild(Object.assign(document.createElement("img"), {src: "/web/icon.svg"})) && true`, nil)
	found := false
	for _, v := range runAxe(t, b, "control") {
		found = found || v.ID == "image-alt"
	}
	if !found {
		t.Error("axe-core did not report an image without alt: the audit is not running")
	}
}
