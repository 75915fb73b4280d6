package streamtest_test

import (
	"strings"
	"testing"

	"github.com/stockstream/stockstream/backend/streamtest"
)

// TestCheckRunFindsEveryViolation runs the checker on a clean run and on
// the same run with each kind of fault a broker could make: it must pass
// the first and name each of the others.
func TestCheckRunFindsEveryViolation(t *testing.T) {
	// Event 30 (8 cents) was lost with the broker's tail; 35 came after.
	stream := []streamtest.Entry{{10, 2}, {20, 3}, {35, 4}, {40, 1}}
	pubs := []streamtest.Publish{
		{Cents: []int64{2, 3}, OK: true, IDs: []uint64{10, 20}},
		{Cents: []int64{4}, OK: true, IDs: []uint64{35}},
		{Cents: []int64{9}}, // failed, never applied
		{Cents: []int64{8}, OK: true, IDs: []uint64{30}, Unsafe: true}, // lost with the tail
		{Cents: []int64{1}, OK: true, IDs: []uint64{40}},
	}
	client := []streamtest.Frame{{ID: 5, Snapshot: true}, {ID: 10, Cents: 2}, {ID: 20, Cents: 3}, {ID: 30, Cents: 8},
		{ID: 30, Snapshot: true}, {ID: 35, Cents: 4}, {ID: 40, Cents: 1}}
	resumed := []streamtest.Frame{{ID: 5, Snapshot: true}, {ID: 10, Cents: 2}, {ID: 20, Cents: 3}, {ID: 35, Cents: 4}, {ID: 40, Cents: 1}}
	f, err := streamtest.CheckRun(stream, pubs, [][]streamtest.Frame{client, resumed})
	if err != nil || f.Frames != 12 || f.Lost != 0 || f.Duplicated != 0 {
		t.Fatalf("clean run: %+v %v", f, err)
	}
	with := func(change func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame)) error {
		s := append([]streamtest.Entry(nil), stream...)
		p := append([]streamtest.Publish(nil), pubs...)
		c := [][]streamtest.Frame{append([]streamtest.Frame(nil), client...), append([]streamtest.Frame(nil), resumed...)}
		_, err := streamtest.CheckRun(change(s, p, c))
		return err
	}
	for name, c := range map[string]struct {
		change func([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame)
		want   string
	}{
		"a price twice": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			return append(s[:3:3], streamtest.Entry{36, 4}, s[3]), p, c
		}, "4 cents under ids 35 and 36"},
		"an id for two events": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			c[0][3].Cents = 7
			return s, p, c
		}, "id 30 names 8 cents"},
		"a 2xx publish missing": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			p[3].Unsafe = false
			return s, p, c
		}, "8 cents not in the stream"},
		"an answer with other ids": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			p[1] = streamtest.Publish{Cents: []int64{4}, OK: true, IDs: []uint64{36}}
			return s, p, c
		}, "answered 4 cents with id 36"},
		"a resume that skipped": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			c[1] = append(c[1][:3:3], c[1][4])
			return s, p, c
		}, "1 events of the stream between 20 and 40"},
		"ids going back": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			c[0][4].ID = 25
			return s, p, c
		}, "id 25 after 30"},
		"stopped early": {func(s []streamtest.Entry, p []streamtest.Publish, c [][]streamtest.Frame) ([]streamtest.Entry, []streamtest.Publish, [][]streamtest.Frame) {
			c[1] = c[1][:4]
			return s, p, c
		}, "stopped 1 events before"},
	} {
		if err := with(c.change); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming %q", name, err, c.want)
		}
	}
}
