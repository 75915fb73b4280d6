package sse_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stockstream/stockstream/shared/sse"
)

func TestAppendEvent(t *testing.T) {
	cases := []struct{ id, event, data, want string }{
		{"42", "stockUpdate", `{"a":1}`, "id: 42\nevent: stockUpdate\ndata: {\"a\":1}\n\n"},
		{"", "", "x", "data: x\n\n"},
		{"1", "", "a\nb", "id: 1\ndata: a\ndata: b\n\n"},
		{"1", "", "a\r\nb\rc\n", "id: 1\ndata: a\ndata: b\ndata: c\ndata: \n\n"},
		{"1\n2", "ev\r\nil", "", "id: 1 2\nevent: ev  il\ndata: \n\n"},
	}
	for _, c := range cases {
		if got := string(sse.AppendEvent(nil, c.id, c.event, []byte(c.data))); got != c.want {
			t.Errorf("AppendEvent(%q,%q,%q) = %q, want %q", c.id, c.event, c.data, got, c.want)
		}
	}
	if got := string(sse.AppendRetry(nil, 3000)); got != "retry: 3000\n\n" {
		t.Errorf("AppendRetry = %q", got)
	}
}

// event is an owned copy of sse.Event, for comparisons.
type event struct{ id, typ, data string }

func own(ev sse.Event) event { o := ev.Own(); return event{o.ID, o.Type, o.Data} }

// readAll decodes every event of a stream, failing on any error but EOF.
func readAll(t *testing.T, r *sse.Reader) []event {
	t.Helper()
	var out []event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		out = append(out, own(ev))
	}
}

// standardStream exercises the parsing rules of the HTML standard.
const standardStream = "\xef\xbb\xbfretry: 3000\n\n: heartbeat\n\nid: 7\nevent: snapshot\ndata: [1,\ndata: 2]\n\n" +
	"data:no space\r\n\r\nid: 8\rdata: cr\r\r" + // CRLF and lone CR line ends
	"event: ignored, no data\n\n" + // no data: not dispatched, type reset
	"data\n\n" + // a field without a colon has an empty value
	"id: 9\x00\ndata:  two spaces\nunknown: field\n\n" + // an id with NUL is ignored
	"id\ndata: id reset\n\n" + // an empty id resets the last id
	"retry: 12x\nretry: -5\ndata: bad retries ignored\n\n" +
	"data: unterminated"

var standardEvents = []event{
	{"7", "snapshot", "[1,\n2]"},
	{"7", "", "no space"},
	{"8", "", "cr"},
	{"8", "", ""},
	{"8", "", " two spaces"},
	{"", "", "id reset"},
	{"", "", "bad retries ignored"},
}

func TestReaderFollowsTheStandard(t *testing.T) {
	for name, src := range map[string]func() io.Reader{
		"whole":        func() io.Reader { return strings.NewReader(standardStream) },
		"byte by byte": func() io.Reader { return iotest.OneByteReader(strings.NewReader(standardStream)) },
		"half":         func() io.Reader { return iotest.HalfReader(strings.NewReader(standardStream)) },
	} {
		t.Run(name, func(t *testing.T) {
			r := sse.NewReader(src(), 1024)
			got := readAll(t, r)
			if len(got) != len(standardEvents) {
				t.Fatalf("got %d events %q, want %d %q (an unterminated event is not dispatched)", len(got), got, len(standardEvents), standardEvents)
			}
			for i := range got {
				if got[i] != standardEvents[i] {
					t.Errorf("event %d = %q, want %q", i, got[i], standardEvents[i])
				}
			}
			if r.Comments() != 1 || r.Retry() != 3*time.Second || r.LastEventID() != "" {
				t.Errorf("comments %d retry %v last id %q; want 1, 3s, \"\"", r.Comments(), r.Retry(), r.LastEventID())
			}
		})
	}
}

// TestReaderDoesNotWaitAfterCR: a line ended by a lone CR is returned at
// once, without waiting for the next byte to tell "\r" from "\r\n".
func TestReaderDoesNotWaitAfterCR(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	r := sse.NewReader(pr, 1024)
	got := make(chan event, 1)
	go func() {
		ev, err := r.Next()
		if err == nil {
			got <- own(ev)
		}
		close(got)
	}()
	pw.Write([]byte("data: x\r\r"))
	if ev := <-got; ev.data != "x" {
		t.Fatalf("got %q, want the event dispatched by the lone CRs", ev)
	}
}

func TestReaderLimits(t *testing.T) {
	for name, stream := range map[string]string{
		"long line":      "data: " + strings.Repeat("x", 100) + "\n\n",
		"long event":     strings.Repeat("data: "+strings.Repeat("x", 30)+"\n", 4) + "\n",
		"endless line":   strings.Repeat("x", 1000),
		"endless event":  strings.Repeat("data: x\n", 100),
		"long comment":   ":" + strings.Repeat("x", 100) + "\n",
		"long after BOM": "\xef\xbb\xbf" + strings.Repeat("y", 70),
	} {
		r := sse.NewReader(strings.NewReader(stream), 64)
		if _, err := r.Next(); !errors.Is(err, sse.ErrTooLong) {
			t.Errorf("%s: got %v, want ErrTooLong", name, err)
		}
	}
}

func TestReaderReportsReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := sse.NewReader(io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(boom)), 1024)
	if ev, err := r.Next(); err != nil || string(ev.Data) != "a" {
		t.Fatalf("first event %q, %v", ev.Data, err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error", err)
	}
}

// TestReaderAllocatesNothingPerEvent: once its buffers have grown, reading
// an event allocates nothing.
func TestReaderAllocatesNothingPerEvent(t *testing.T) {
	frame := "id: 123456\nevent: stockUpdate\ndata: {\"id\":\"123456\",\"symbol\":\"AAPL\",\"price\":123.45,\"timestamp\":\"2026-11-24T07:50:15.123456789Z\"}\n\n: hb\n\n"
	r := sse.NewReader(&endless{s: frame}, 1<<16)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if ev, err := r.Next(); err != nil || !bytes.Equal(ev.Type, []byte("stockUpdate")) {
			t.Fatalf("%q %v", ev.Type, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per event, want 0", allocs)
	}
}

func BenchmarkReader(b *testing.B) {
	frame := "id: 123456\nevent: stockUpdate\ndata: {\"id\":\"123456\",\"symbol\":\"AAPL\",\"price\":123456,\"timestamp\":\"2026-11-24T07:50:15.123456789Z\"}\n\n"
	r := sse.NewReader(&endless{s: frame}, 16<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}

// endless repeats s forever.
type endless struct {
	s string
	i int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], e.s[e.i:])
		n += c
		e.i = (e.i + c) % len(e.s)
	}
	return n, nil
}

// FuzzAppendEvent checks that whatever the payload, a frame decodes back to
// exactly one event with the same id, type and data (line breaks in data
// normalised to "\n").
func FuzzAppendEvent(f *testing.F) {
	f.Add("1", "stockUpdate", "a\nb")
	f.Add("", "", "\r\r\n\n")
	f.Add("x\ny", "e\rv", "data: evil\n\nid: 9")
	f.Fuzz(func(t *testing.T, id, typ, data string) {
		frame := sse.AppendEvent(nil, id, typ, []byte(data))
		r := sse.NewReader(bytes.NewReader(frame), 1<<20)
		got, err := r.Next()
		if err != nil {
			t.Fatalf("frame %q: %v", frame, err)
		}
		wantData := strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\r", "\n")
		if string(got.Data) != wantData {
			t.Fatalf("data %q came back as %q", wantData, got.Data)
		}
		if !strings.ContainsAny(id, "\r\n\x00") && string(got.ID) != id && !(id == "" && len(got.ID) == 0) {
			t.Fatalf("id %q came back as %q", id, got.ID)
		}
		if !strings.ContainsAny(typ, "\r\n\x00") && string(got.Type) != typ {
			t.Fatalf("type %q came back as %q", typ, got.Type)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("frame %q decoded to more than one event", frame)
		}
	})
}

// FuzzReader checks that any input, read whole or a byte at a time, gives
// the same events, never more events than lines, and never data longer
// than the limit.
func FuzzReader(f *testing.F) {
	f.Add(standardStream)
	f.Add("id: 1\ndata: x\n\n")
	f.Add(": c\r\nretry: 5\r\n\r\n")
	f.Add("\xef\xbb\xbf\r\n\rdata\r")
	f.Fuzz(func(t *testing.T, s string) {
		whole := decodeAll(sse.NewReader(strings.NewReader(s), 256))
		bytewise := decodeAll(sse.NewReader(iotest.OneByteReader(strings.NewReader(s)), 256))
		if len(whole) != len(bytewise) {
			t.Fatalf("whole: %q\nbyte by byte: %q", whole, bytewise)
		}
		for i := range whole {
			if whole[i] != bytewise[i] {
				t.Fatalf("event %d: whole %q, byte by byte %q", i, whole[i], bytewise[i])
			}
			if len(whole[i].data) > 256 {
				t.Fatalf("event %d has %d bytes of data, over the limit", i, len(whole[i].data))
			}
		}
		if len(whole) > strings.Count(s, "\n")+strings.Count(s, "\r") {
			t.Fatalf("%d events from %d line ends", len(whole), strings.Count(s, "\n")+strings.Count(s, "\r"))
		}
	})
}

// decodeAll returns the events of r up to its first error.
func decodeAll(r *sse.Reader) []event {
	var out []event
	for {
		ev, err := r.Next()
		if err != nil {
			return out
		}
		out = append(out, own(ev))
	}
}
