// Package metrics defines the Prometheus metrics of the server and a Broker
// wrapper that counts published events wherever they come from (the API or the
// simulator).
package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/stock"
)

// Metrics holds the server's collectors, registered on Registry.
type Metrics struct {
	Registry *prometheus.Registry
	// Subscribers counts open streams by access class: "token", "delayed"
	// or "anonymous".
	Subscribers *prometheus.GaugeVec
	Published   prometheus.Counter
	Delivered   prometheus.Counter
	DroppedSlow prometheus.Counter
	// Opened counts streams by how they started: "resume" or "snapshot".
	Opened *prometheus.CounterVec
	// Rejected counts streams refused by a connection limit, by limit.
	Rejected *prometheus.CounterVec
	// AuthRefusals counts read requests refused by subscriber access, by
	// reason: "missing", "expired", "invalid", "too_long", "scope" or
	// "cap" (the per-client stream cap).
	AuthRefusals *prometheus.CounterVec
}

// New returns Metrics registered on a fresh registry that also carries the
// Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Subscribers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "stockstream_subscribers", Help: "Connected SSE subscribers, by access: token, delayed or anonymous.",
		}, []string{"access"}),
		Published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stockstream_events_published_total", Help: "Events published through this instance.",
		}),
		Delivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stockstream_events_delivered_total", Help: "Events written to subscribers, replay included.",
		}),
		DroppedSlow: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stockstream_subscribers_dropped_slow_total", Help: "Subscribers disconnected because their queue overflowed.",
		}),
		Opened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_streams_opened_total", Help: "Streams opened, by start: resume (exact replay) or snapshot.",
		}, []string{"start"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_streams_rejected_total", Help: "Streams refused by a connection limit.",
		}, []string{"limit"}),
		AuthRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_auth_refusals_total", Help: "Read requests refused by subscriber access, by reason.",
		}, []string{"reason"}),
	}
	for _, class := range []string{"token", "delayed", "anonymous"} {
		m.Subscribers.WithLabelValues(class)
	}
	reg.MustRegister(m.Subscribers, m.Published, m.Delivered, m.DroppedSlow, m.Opened, m.Rejected, m.AuthRefusals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CountingBroker is a backend.Broker that counts the events it publishes.
type CountingBroker struct {
	backend.Broker
	m *Metrics
}

// Counting wraps b so that every published event is counted in m.
func (m *Metrics) Counting(b backend.Broker) *CountingBroker { return &CountingBroker{Broker: b, m: m} }

// Publish publishes through the wrapped broker and counts the events.
func (c *CountingBroker) Publish(ctx context.Context, quotes []stock.Quote) ([]stock.StockPriceEvent, error) {
	out, err := c.Broker.Publish(ctx, quotes)
	c.m.Published.Add(float64(len(out)))
	return out, err
}
