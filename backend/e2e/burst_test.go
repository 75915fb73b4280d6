package e2e_test

import (
	"fmt"
	"testing"
	"time"
)

// freezeLimit is the longest the page may take to answer during a burst.
const freezeLimit = 8 * time.Second

// TestBurstKeepsThePageResponsive: 2,000 events across 500 symbols in
// about two seconds neither freeze the page nor leave it behind: it answers
// script calls throughout and ends with every symbol's last price.
//
// It takes both cores, so it runs alone, before the tests that run side by
// side.
func TestBurstKeepsThePageResponsive(t *testing.T) {
	s, b, _ := openDashboard(t, 0)

	b.eval(`(() => { window.__lt = []; new PerformanceObserver(l => window.__lt.push(...l.getEntries().map(e => Math.round(e.duration)))).observe({type: "longtask"}); return 1 })()`, nil)
	const nsym, rounds = 500, 4
	done := make(chan struct{})
	go func() {
		defer close(done)
		for r := 1; r <= rounds; r++ {
			for batch := 0; batch < nsym; batch += 50 {
				var pairs []string
				for i := batch; i < batch+50; i++ {
					pairs = append(pairs, fmt.Sprintf("S%03d", i), fmt.Sprintf("%d.%02d", 10+i, r))
				}
				s.publish(pairs...)
				time.Sleep(50 * time.Millisecond)
			}
		}
	}()

	var worst time.Duration
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		start := time.Now()
		if err := b.eval(`document.querySelectorAll("[data-symbol]").length`, nil); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(start))
		time.Sleep(20 * time.Millisecond)
	}
	b.wait("every symbol at its last price",
		fmt.Sprintf(`document.querySelectorAll("[data-symbol]").length === %d && `, nsym+len(symbols))+
			hasPrice("S000", "10.04")+" && "+hasPrice("S499", "509.04")+" && "+
			`[...document.querySelectorAll('[data-symbol^="S"] [data-price]')].every(e => e.textContent.endsWith(".04"))`,
		60*time.Second)
	var lt []int
	b.eval(`window.__lt`, &lt)
	t.Logf("long tasks (ms): %v", lt)
	t.Logf("slowest page response during the burst: %v", worst.Round(time.Millisecond))
	// One render per event would queue thousands of renders and stall the
	// page for far longer; the bound leaves room for a loaded machine.
	if worst > freezeLimit {
		t.Errorf("the page froze for %v during the burst", worst)
	}
}
