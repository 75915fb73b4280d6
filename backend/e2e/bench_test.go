package e2e_test

import (
	"testing"
	"time"
)

// BenchmarkFirstLivePrice measures, in headless Chromium, the time from
// navigation to the first live price: the app loaded, connected and
// showing a price from the stream. Cold is a fresh profile; warm is the
// next visit, with the service worker and its cache in place. Each
// iteration starts a new browser. It reports the means as cold-ms and
// warm-ms, and the time to the first price on screen (server-rendered) as
// cold-paint-ms.
//
//	go test -run '^$' -bench FirstLivePrice -benchtime 5x ./backend/e2e
func BenchmarkFirstLivePrice(b *testing.B) {
	s := startServer(b)
	s.seed()
	var cold, warm, paint time.Duration
	for b.Loop() {
		br := newBrowser(b)
		p, live := timeFirstPrice(br, s.URL()+"/")
		waitServiceWorker(br)
		br.navigate("about:blank")
		_, again := timeFirstPrice(br, s.URL()+"/")
		cold, warm, paint = cold+live, warm+again, paint+p
	}
	n := float64(b.N)
	b.ReportMetric(float64(cold.Milliseconds())/n, "cold-ms")
	b.ReportMetric(float64(warm.Milliseconds())/n, "warm-ms")
	b.ReportMetric(float64(paint.Milliseconds())/n, "cold-paint-ms")
}

// timeFirstPrice returns the time from navigation to the first price on
// the page, and to a live price: the app loaded and streaming.
func timeFirstPrice(b *browser, url string) (price, live time.Duration) {
	start := time.Now()
	b.navigate(url)
	b.wait("first price", `(document.querySelector("[data-price]") || {}).textContent`, 30*time.Second)
	price = time.Since(start)
	b.wait("live", `document.querySelector('[data-status="live"]') && document.querySelector("[data-price]")`, 30*time.Second)
	return price, time.Since(start)
}
