package main

import (
	"fmt"
	"slices"
	"strings"
)

// row is one line of the report: a figure of every sample, how to print
// it, and the target it is held to.
type row struct {
	what   string
	value  func(sample) float64
	format func(float64) string
	target string
}

func ms(v float64) string    { return fmt.Sprintf("%.0f ms", v) }
func score(v float64) string { return fmt.Sprintf("%.0f", v) }

var rows = []row{
	{"Lighthouse mobile, performance", func(s sample) float64 { return s.MobileScore }, score, "≥ 90"},
	{"Lighthouse mobile, Total Blocking Time", func(s sample) float64 { return s.MobileTBT }, ms, "≤ 200 ms"},
	{"Lighthouse desktop, performance", func(s sample) float64 { return s.DesktopScore }, score, "100"},
	{"Lighthouse desktop, Total Blocking Time", func(s sample) float64 { return s.DesktopTBT }, ms, ""},
	{"first live price, cold", func(s sample) float64 { return s.ColdLive }, ms, "≤ 0.7× previous"},
	{"first live price, warm", func(s sample) float64 { return s.WarmLive }, ms, "≤ 0.7× previous"},
	{"longest main-thread task at start, cold", func(s sample) float64 { return s.ColdTask }, ms, "≤ 50 ms"},
	{"longest main-thread task at start, warm", func(s sample) float64 { return s.WarmTask }, ms, "≤ 50 ms"},
	{"longest main-thread task at start, cold, CPU time", func(s sample) float64 { return s.ColdTaskCPU }, ms, "≤ 50 ms"},
	{"longest main-thread task at start, warm, CPU time", func(s sample) float64 { return s.WarmTaskCPU }, ms, "≤ 50 ms"},
}

// median returns the median of vs.
func median(vs []float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// markdown renders the results: medians side by side with their ratio,
// then every run's figures.
func (r *results) markdown() string {
	var b strings.Builder
	n := len(r.samples[0])
	fmt.Fprintf(&b, "Medians of %d runs per release, alternating; load average %s before, %s after.\n\n", n, r.load[0], r.load[1])
	fmt.Fprintf(&b, "| what | %s | %s | ratio | target |\n|---|---|---|---|---|\n", r.servers[0].name, r.servers[1].name)
	for _, row := range rows {
		var med []float64
		for _, samples := range r.samples {
			var vs []float64
			for _, s := range samples {
				vs = append(vs, row.value(s))
			}
			med = append(med, median(vs))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", row.what, row.format(med[0]), row.format(med[1]), ratio(med[0], med[1]), row.target)
	}
	fmt.Fprintf(&b, "| app.wasm, brotli | %d bytes | %d bytes | %s | ≤ 0.8× previous, ≤ 1.2 MB |\n\n",
		r.wasmBrotli[0], r.wasmBrotli[1], ratio(float64(r.wasmBrotli[0]), float64(r.wasmBrotli[1])))
	b.WriteString("Every run:\n\n")
	for i, samples := range r.samples {
		fmt.Fprintf(&b, "- %s:", r.servers[i].name)
		for _, row := range rows {
			var vs []string
			for _, s := range samples {
				vs = append(vs, row.format(row.value(s)))
			}
			fmt.Fprintf(&b, " %s %s;", row.what, strings.Join(vs, ", "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
