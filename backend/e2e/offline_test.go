package e2e_test

import (
	"testing"
	"time"
)

// TestOfflineReloadKeepsItsContext: after one visit the app opens with the
// server stopped, showing the last-known prices, the feed's last entries
// and the sparklines, marked stale, with data-status="offline".
func TestOfflineReloadKeepsItsContext(t *testing.T) {
	t.Parallel()
	s, b, want := openDashboard(t, 0)
	for i := range 10 {
		s.publish("AAPL", "12"+string(rune('0'+i))+".45")
	}
	want["AAPL"] = "129.45"
	b.wait("AAPL moved", hasPrice("AAPL", "129.45"), 10*time.Second)
	waitServiceWorker(b)
	b.wait("prices saved", `(localStorage.getItem("stockstream.prices.v1") || "").includes("129.45")`, 10*time.Second)
	var before moving
	b.eval(movingParts, &before)

	s.stop()
	b.reload()
	b.wait("badge offline", statusIs("offline"), 30*time.Second)
	for sym, price := range want {
		b.wait(sym+" last price", hasPrice(sym, price), 10*time.Second)
	}
	b.wait("rows, feed and note marked stale", `document.querySelector('[data-symbol="AAPL"]').classList.contains("stale") && `+
		`document.querySelector("[data-feed]").classList.contains("stale") && document.querySelector("[data-stale]")`, 5*time.Second)
	after := b.moving()
	if after.FeedLen < 10 || after.Feed != before.Feed {
		t.Errorf("offline feed: %d entries, newest %s; before the reload %d, newest %s", after.FeedLen, after.Feed, before.FeedLen, before.Feed)
	}
	if len(after.Sparks) != len(before.Sparks) {
		t.Fatalf("sparklines %d, before %d", len(after.Sparks), len(before.Sparks))
	}
	for i := range after.Sparks {
		if after.Sparks[i] != before.Sparks[i] {
			t.Errorf("sparkline %d changed over the offline reload:\n%s\n%s", i, before.Sparks[i], after.Sparks[i])
		}
	}
}

// TestInstallButton: the button appears while the browser reports the app
// installable, shows the browser's prompt when clicked, and goes once the
// app is installed. The browser's install events are played by the test:
// headless Chromium's own install criteria are not reliable.
func TestInstallButton(t *testing.T) {
	t.Parallel()
	_, b, _ := openDashboard(t, 0)
	if err := b.eval(`(() => {
		window.__prompted = 0;
		const e = new Event("beforeinstallprompt", {cancelable: true});
		e.prompt = () => { window.__prompted++; return Promise.resolve(); };
		e.userChoice = Promise.resolve({outcome: "accepted"});
		window.dispatchEvent(e);
		return true;
	})()`, nil); err != nil {
		t.Fatal(err)
	}
	b.wait("install button", `document.querySelector("[data-install]")`, 10*time.Second)
	b.click("[data-install]")
	b.wait("browser prompt shown", `window.__prompted === 1`, 10*time.Second)
	b.eval(`window.dispatchEvent(new Event("appinstalled")) && true`, nil)
	b.wait("install button gone", `!document.querySelector("[data-install]")`, 10*time.Second)
}
