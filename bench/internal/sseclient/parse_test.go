package sseclient

import (
	"io"
	"strings"
	"testing"
)

func TestParserSkipsSnapshotAndComments(t *testing.T) {
	in := "retry: 3000\n\nid: 5\nevent: snapshot\ndata: [{\"price\":99}]\n\n: hb\n\n" +
		"id: 6\nevent: stockUpdate\ndata: {\"id\":\"6\",\"symbol\":\"AAPL\",\"price\":7,\"timestamp\":\"x\"}\n\n" +
		"data: {\"push\":{\"pub\":{\"data\":{\"price\": 8.5}}}}\n\n"
	p := NewParser(strings.NewReader(in), 64)
	for _, want := range []uint64{7, 8} {
		got, err := p.Next()
		if err != nil || got != want {
			t.Fatalf("Next = %d, %v; want %d", got, err, want)
		}
	}
	if _, err := p.Next(); err != io.EOF {
		t.Fatalf("at end: %v", err)
	}
}

func BenchmarkParser(b *testing.B) {
	frame := "id: 123456\nevent: stockUpdate\ndata: {\"id\":\"123456\",\"symbol\":\"AAPL\",\"price\":123456,\"timestamp\":\"2026-11-24T07:50:15.123456789Z\"}\n\n"
	r := &repeat{s: frame}
	p := NewParser(r, 16<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := p.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

type repeat struct {
	s string
	i int
}

func (r *repeat) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.s[r.i:])
		n += c
		r.i = (r.i + c) % len(r.s)
	}
	return n, nil
}
