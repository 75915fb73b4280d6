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
	// Delivered counts events written to streams, replays included, by
	// transport.
	Delivered *prometheus.CounterVec
	// StreamsOpened counts streams by transport and how they started:
	// "resume" or "snapshot".
	StreamsOpened *prometheus.CounterVec
	// StreamsClosed counts ended streams by transport and reason (see
	// stream.Reason): the cuts of slow clients among them.
	StreamsClosed *prometheus.CounterVec
	// StreamBytes counts bytes written to streams, by transport.
	StreamBytes *prometheus.CounterVec
	// StreamLag is, per write to a stream, how long after it was due the
	// newest event written went out (accepted, or released by the delayed
	// tier), by transport.
	StreamLag *prometheus.HistogramVec
	// Rejected counts streams refused by a connection limit, by limit.
	Rejected *prometheus.CounterVec
	// Rollbacks counts the times the broker was found to have lost events
	// this instance had delivered (Redis restarted from an older snapshot,
	// or failed over to a replica that lagged).
	Rollbacks prometheus.Counter
	// Malformed counts malformed values a broker's reads skipped, by kind.
	Malformed *prometheus.CounterVec
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
		Delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_events_delivered_total", Help: "Events written to streams, replays included, by transport.",
		}, []string{"transport"}),
		StreamsOpened: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_streams_opened_total", Help: "Streams opened, by transport and start: resume (exact replay) or snapshot.",
		}, []string{"transport", "start"}),
		StreamsClosed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_streams_closed_total", Help: "Streams ended, by transport and reason (client_gone, slow, write_timeout, write_failed, shutdown, expired, broker_closed).",
		}, []string{"transport", "reason"}),
		StreamBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_stream_bytes_total", Help: "Bytes written to streams, by transport.",
		}, []string{"transport"}),
		StreamLag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "stockstream_stream_lag_seconds",
			Help:    "Per write to a stream, how long after it was due (accepted, or released by the delayed tier) the newest event written went out, by transport.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"transport"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_streams_rejected_total", Help: "Streams refused by a connection limit.",
		}, []string{"limit"}),
		Rollbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "stockstream_broker_rollbacks_total", Help: "Times the broker was found to have lost events this instance had delivered; ids went on above the highest seen.",
		}),
		Malformed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_broker_malformed_total", Help: "Malformed stored values skipped by reads, by kind: entry, latest or bars.",
		}, []string{"kind"}),
		AuthRefusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "stockstream_auth_refusals_total", Help: "Read requests refused by subscriber access, by reason.",
		}, []string{"reason"}),
	}
	for _, class := range []string{"token", "delayed", "anonymous"} {
		m.Subscribers.WithLabelValues(class)
	}
	reg.MustRegister(m.Subscribers, m.Published, m.Delivered, m.StreamsOpened, m.StreamsClosed, m.StreamBytes, m.StreamLag, m.Rejected, m.Rollbacks, m.Malformed, m.AuthRefusals,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CountingBroker is a backend.Broker that counts the events it publishes.
type CountingBroker struct {
	backend.Broker
	m *Metrics
}

// CountMalformed counts one malformed stored value of kind that a read
// skipped.
func (m *Metrics) CountMalformed(kind string) { m.Malformed.WithLabelValues(kind).Inc() }

// Counting wraps b so that every published event is counted in m.
func (m *Metrics) Counting(b backend.Broker) *CountingBroker { return &CountingBroker{Broker: b, m: m} }

// Publish publishes through the wrapped broker and counts the events.
func (c *CountingBroker) Publish(ctx context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	out, err := c.Broker.Publish(ctx, req)
	c.m.Published.Add(float64(len(out)))
	return out, err
}
