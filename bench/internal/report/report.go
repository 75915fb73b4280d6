// Package report holds the result of one benchmark run and renders results
// as JSON and as a markdown table.
package report

import (
	"fmt"
	"io"
	"strings"
)

// Latency is a publish→receive latency summary in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// Result is what one load generator run measured.
type Result struct {
	Server   string `json:"server"`
	Scenario string `json:"scenario"`
	// Round numbers the runs of a scenario whose variants alternate.
	Round int `json:"round,omitempty"`
	// Conflate is the conflation window the streams asked for, if any:
	// Lost then counts streams' symbols that did not end at their last
	// published price, and skipped events are not losses.
	Conflate string `json:"conflate,omitempty"`
	// Conns is the number of streams asked for; Open the number that
	// opened; Failed the number that could not.
	Conns  int `json:"conns"`
	Open   int `json:"open"`
	Failed int `json:"failed"`
	// Rate is the publish rate asked for, in events per second.
	Rate      int     `json:"rate"`
	Seconds   float64 `json:"seconds"`
	Published uint64  `json:"published"`
	// Expected is Published times the streams open when publishing began.
	Expected  uint64  `json:"expected_deliveries"`
	Delivered uint64  `json:"delivered"`
	PerSecond float64 `json:"deliveries_per_s"`
	// Lost counts events a stream skipped: gaps between received events.
	// Late counts events not received by the end of the drain time, after
	// the last event the stream did receive.
	Lost        uint64  `json:"lost"`
	Late        uint64  `json:"late"`
	Duplicates  uint64  `json:"duplicates"`
	Disconnects int     `json:"disconnects"`
	Latency     Latency `json:"latency"`
	// Server memory in KiB: before any stream, a second after every stream
	// opened, and at the end of the run (for idle streams: after the hold,
	// which is what PerConnKiB is computed from).
	RSSBaseKiB int64   `json:"server_rss_base_kib"`
	RSSIdleKiB int64   `json:"server_rss_idle_kib"`
	RSSEndKiB  int64   `json:"server_rss_end_kib"`
	PerConnKiB float64 `json:"server_kib_per_idle_conn"`
	// Delay is the delay of delayed readers, if the streams were: Early
	// then counts events that reached them before it. FillEvents were then
	// published twice as fast as the server took them, HeapLiveKiB is the
	// server's live heap after each, and PerEventBytes the growth between
	// them per event: what the server holds per event of the delay window
	// (its history was full before).
	Delay         string   `json:"delay,omitempty"`
	Early         uint64   `json:"early,omitempty"`
	FillEvents    int      `json:"fill_events,omitempty"`
	HeapLiveKiB   [2]int64 `json:"server_heap_live_kib_after_fills,omitempty"`
	PerEventBytes float64  `json:"server_bytes_per_held_event,omitempty"`
	// Proto is the protocol the streams spoke, if not HTTP/1.1.
	Proto string `json:"proto,omitempty"`
	// CPU in percent of one core while publishing.
	ServerCPU  float64  `json:"server_cpu_pct"`
	LoadgenCPU float64  `json:"loadgen_cpu_pct"`
	NoFile     uint64   `json:"nofile_limit"`
	Errors     []string `json:"errors,omitempty"`
}

// Header is the markdown table header matching Row.
const Header = "| server | scenario | streams | rate/s | delivered/s | lost | late | disc. | p50 ms | p99 ms | max ms | server CPU % | RSS MiB | KiB/idle stream |\n" +
	"|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"

// Row renders r as one markdown table row.
func (r *Result) Row() string {
	if r.Rate == 0 {
		return fmt.Sprintf("| %s | %s | %d | – | – | – | – | – | – | – | – | – | %.1f | %.1f |\n",
			r.Server, r.Scenario, r.Open, float64(r.RSSEndKiB)/1024, r.PerConnKiB)
	}
	return fmt.Sprintf("| %s | %s | %d | %d | %.0f | %d | %d | %d | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f |\n",
		r.Server, r.Scenario, r.Open, r.Rate, r.PerSecond, r.Lost, r.Late, r.Disconnects,
		r.Latency.P50, r.Latency.P99, r.Latency.Max, r.ServerCPU, float64(r.RSSEndKiB)/1024, r.PerConnKiB)
}

// WriteTable writes a markdown table of results.
func WriteTable(w io.Writer, results []Result) error {
	var b strings.Builder
	b.WriteString(Header)
	for i := range results {
		b.WriteString(results[i].Row())
	}
	_, err := io.WriteString(w, b.String())
	return err
}
