package e2e_test

import (
	"testing"
	"time"
)

// TestDashboardShowsLiveRows: every symbol gets a row with its exact price,
// rows follow updates, and the badge goes live.
func TestDashboardShowsLiveRows(t *testing.T) {
	t.Parallel()
	s, b, want := openDashboard(t, 0)
	for sym, price := range want {
		b.wait(sym+" at "+price, hasPrice(sym, price), 10*time.Second)
	}

	evs := s.publish("AAPL", "118.88", "MSFT", "0.000125", "NVDA", "1000")
	b.wait("AAPL moved", hasPrice("AAPL", "118.88"), 10*time.Second)
	b.wait("MSFT moved", hasPrice("MSFT", "0.000125"), 10*time.Second)
	b.wait("new symbol NVDA", hasPrice("NVDA", "1000"), 10*time.Second)
	last := evs[len(evs)-1].ID
	b.wait("badge shows last id", `document.querySelector('[data-status="live"]').dataset.lastEventId === `+jsString(last), 10*time.Second)

	var rows int
	if err := b.eval(`document.querySelectorAll("[data-symbol]").length`, &rows); err != nil || rows != 5 {
		t.Fatalf("rows = %d (%v), want 5", rows, err)
	}
	if got := b.text(`[data-symbol="AAPL"] .chg`); got != "+18.63" {
		t.Errorf("AAPL change = %q, want +18.63 (118.88 - 100.25)", got)
	}
	if got := b.text(`.feed-item`); got == "" {
		t.Error("the live feed is empty")
	}
}

// TestReconnectLosesNothing: stopping the server turns the badge
// connecting or offline; events published meanwhile all arrive, in order,
// once the server is back, and the badge is live again.
func TestReconnectLosesNothing(t *testing.T) {
	t.Parallel()
	s, b, _ := openDashboard(t, 0)
	before := s.publish("SEQ", "1.00")
	b.wait("SEQ row", hasPrice("SEQ", "1"), 10*time.Second)

	s.stop()
	b.wait("badge not live", statusIs("connecting", "offline"), 15*time.Second)

	var ids []string
	for i := 1; i <= 20; i++ {
		ev := s.publish("SEQ", "1."+pad2(i))
		ids = append(ids, ev[0].ID)
	}
	time.Sleep(time.Second) // let the browser fail a reconnect or two
	s.start()
	b.wait("badge live again", statusIs("live"), 30*time.Second)
	after := s.publish("SEQ", "2.00")
	ids = append(ids, after[0].ID)
	b.wait("last event shown", hasPrice("SEQ", "2"), 10*time.Second)

	var got []string
	err := b.eval(`[...document.querySelectorAll('[data-feed-symbol="SEQ"]')].map(e => e.dataset.id).reverse()`, &got)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{before[0].ID}, ids...)
	if len(got) != len(want) {
		t.Fatalf("feed holds %d SEQ events, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("feed event %d has id %s, want %s:\n got %v\nwant %v", i, got[i], want[i], got, want)
		}
	}
}

func pad2(i int) string {
	if i < 10 {
		return "0" + string(rune('0'+i))
	}
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
