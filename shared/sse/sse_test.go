package sse_test

import (
	"io"
	"strings"
	"testing"

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

func TestReaderFollowsTheStandard(t *testing.T) {
	stream := "retry: 3000\n\n: heartbeat\n\nid: 7\nevent: snapshot\ndata: [1,\ndata: 2]\n\n" +
		"data:no space\r\n\r\nid: 8\rdata: cr\r\r" + "event: x\n\n" + "data: unterminated"
	r := sse.NewReader(strings.NewReader(stream), 1024)
	want := []sse.Event{
		{Retry: 3000},
		{ID: "7", Event: "snapshot", Data: "[1,\n2]"},
		{ID: "7", Data: "no space"},
		{ID: "8", Data: "cr"},
	}
	for i, w := range want {
		got, err := r.Next()
		if err != nil || got != w {
			t.Fatalf("event %d = %+v, %v; want %+v", i, got, err, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want io.EOF (an unterminated frame is not dispatched)", err)
	}
	if r.Comments != 1 {
		t.Fatalf("comments = %d, want 1", r.Comments)
	}
}

func TestReaderLineLimit(t *testing.T) {
	r := sse.NewReader(strings.NewReader("data: "+strings.Repeat("x", 100)+"\n\n"), 64)
	if _, err := r.Next(); err != sse.ErrLineTooLong {
		t.Fatalf("got %v, want ErrLineTooLong", err)
	}
}

// FuzzAppendEvent checks that whatever the payload, a frame decodes back to
// exactly one event with the same data (line breaks normalised to "\n").
func FuzzAppendEvent(f *testing.F) {
	f.Add("1", "stockUpdate", "a\nb")
	f.Add("", "", "\r\r\n\n")
	f.Add("x\ny", "e\rv", "data: evil\n\nid: 9")
	f.Fuzz(func(t *testing.T, id, event, data string) {
		frame := sse.AppendEvent(nil, id, event, []byte(data))
		r := sse.NewReader(strings.NewReader(string(frame)), 1<<20)
		got, err := r.Next()
		if err != nil {
			t.Fatalf("frame %q: %v", frame, err)
		}
		wantData := strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\r", "\n")
		if got.Data != wantData {
			t.Fatalf("data %q came back as %q", wantData, got.Data)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("frame %q decoded to more than one event", frame)
		}
	})
}

func FuzzReader(f *testing.F) {
	f.Add("id: 1\ndata: x\n\n")
	f.Add(": c\r\nretry: 5\r\n\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		r := sse.NewReader(strings.NewReader(s), 4096)
		for range len(s) + 1 {
			if _, err := r.Next(); err != nil {
				return
			}
		}
		t.Fatal("more events than bytes")
	})
}
