package stream

import (
	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// openingFrames returns what a stream starts with: "retry:", then for a
// snapshot opening the snapshot event (a resumed stream's replay comes
// from its subscription).
func (t *Tier) openingFrames(o backend.Opening) [][]byte {
	retry := sse.AppendRetry(nil, t.cfg.Retry.Milliseconds())
	if o.Resumed {
		return [][]byte{retry}
	}
	return [][]byte{retry, SnapshotFrame(o.Head, o.Snapshot)}
}

// SnapshotFrame is the snapshot event: the latest events with their
// session opens as a JSON array, with the head id so that a resume from
// it misses nothing.
func SnapshotFrame(head uint64, latest []stock.Latest) []byte {
	data := make([]byte, 0, 2+len(latest)*112)
	data = append(data, '[')
	for i, l := range latest {
		if i > 0 {
			data = append(data, ',')
		}
		data = l.AppendJSON(data)
	}
	data = append(data, ']')
	return sse.AppendEvent(make([]byte, 0, len(data)+64), stock.FormatID(head), stock.EventSnapshot, data)
}

// RetryFrame is the "retry:" line of a stream that is told to come back
// later, with a comment saying why.
func RetryFrame(retryMillis int64, why string) []byte {
	return sse.AppendComment(sse.AppendRetry(nil, retryMillis), why)
}
