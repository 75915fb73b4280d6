package streamtest

import (
	"fmt"
	"sort"
	"strings"
)

// Frame is one event a client read: its id, and whether it was a snapshot
// or an update of Cents.
type Frame struct {
	ID       uint64
	Snapshot bool
	Cents    int64
}

// Entry is one event of the stream as the broker holds it at the end of a
// run: its id and its price in cents, which names it (every price of a
// run is published once).
type Entry struct {
	ID    uint64
	Cents int64
}

// Publish is one publish of a run: the prices it carried, in cents, and
// how it was answered.
type Publish struct {
	Cents []int64
	// OK is true if it was answered 2xx, perhaps after being sent again
	// under its key; IDs then holds the ids answered, if known.
	OK  bool
	IDs []uint64
	// Unsafe is true if the broker may have lost it even answered 2xx: it
	// ran while Redis took writes it lost afterwards (after the snapshot it
	// restarted from, or before the replica it failed over to had them).
	Unsafe bool
}

// Figures sum up a CheckRun.
type Figures struct {
	Events     int // in the stream at the end
	Publishes  int
	Frames     int // events and snapshots read by clients: ids checked
	Lost       int // 2xx publishes missing, or events a client skipped
	Duplicated int // prices in the stream twice, or ids naming two events
	// LostWithTail counts the prices of Unsafe publishes answered 2xx that
	// the broker lost, as it may: how much the fault took.
	LostWithTail int
}

// Add sums two checks' figures.
func (f Figures) Add(g Figures) Figures {
	return Figures{f.Events + g.Events, f.Publishes + g.Publishes, f.Frames + g.Frames, f.Lost + g.Lost,
		f.Duplicated + g.Duplicated, f.LostWithTail + g.LostWithTail}
}

// CheckRun proves from the stream the broker holds at the end of a run, every
// publish and its answer, and every frame every client read (each client
// reading to the stream's end) that nothing was lost or given twice:
//   - the stream's ids increase and no price is in it twice;
//   - an id names one price wherever it appears: the stream, an answer, a
//     client (two events under one id is the worst a broker can do);
//   - a publish answered 2xx is in the stream exactly once, under the ids
//     it was answered with, unless it is Unsafe; any other at most once;
//   - each client's ids increase (a snapshot may repeat the id it holds),
//     and no event of the stream lies between two frames it read in a row
//     before an update: a resume missed nothing.
func CheckRun(stream []Entry, pubs []Publish, clients [][]Frame) (Figures, error) {
	c := checker{f: Figures{Events: len(stream), Publishes: len(pubs)}, stream: stream,
		at: make(map[int64]uint64, len(stream)), cents: make(map[uint64]int64, len(stream))}
	c.checkStream()
	c.checkPublishes(pubs)
	for i, frames := range clients {
		c.checkClient(i, frames)
	}
	if len(c.errs) > 0 {
		return c.f, fmt.Errorf("%d problems, the first: %s", c.problems, strings.Join(c.errs, "; "))
	}
	return c.f, nil
}

type checker struct {
	f        Figures
	stream   []Entry
	at       map[int64]uint64 // price → id in the stream
	cents    map[uint64]int64 // id → price, from anywhere
	errs     []string         // the first problems
	problems int
}

func (c *checker) fail(format string, args ...any) {
	c.problems++
	if len(c.errs) < 5 {
		c.errs = append(c.errs, fmt.Sprintf(format, args...))
	}
}

func (c *checker) checkStream() {
	for i, e := range c.stream {
		if i > 0 && e.ID <= c.stream[i-1].ID {
			c.fail("stream: id %d after %d", e.ID, c.stream[i-1].ID)
		}
		if id, twice := c.at[e.Cents]; twice {
			c.f.Duplicated++
			c.fail("stream: %d cents under ids %d and %d", e.Cents, id, e.ID)
		}
		c.at[e.Cents], c.cents[e.ID] = e.ID, e.Cents
	}
}

// claim records that id names cents, as who says.
func (c *checker) claim(id uint64, cents int64, who string) {
	if had, ok := c.cents[id]; ok && had != cents {
		c.f.Duplicated++
		c.fail("id %d names %d cents and, for %s, %d cents", id, had, who, cents)
		return
	}
	c.cents[id] = cents
}

func (c *checker) checkPublishes(pubs []Publish) {
	for _, p := range pubs {
		for i, cents := range p.Cents {
			id, in := c.at[cents]
			if p.OK && i < len(p.IDs) {
				c.claim(p.IDs[i], cents, "a 2xx answer")
			}
			switch {
			case p.OK && !p.Unsafe && !in:
				c.f.Lost++
				c.fail("a publish answered 2xx: %d cents not in the stream", cents)
			case p.OK && !in:
				c.f.LostWithTail++
			case p.OK && in && i < len(p.IDs) && p.IDs[i] != id && !p.Unsafe:
				c.fail("a publish answered %d cents with id %d, the stream holds it as %d", cents, p.IDs[i], id)
			}
		}
	}
}

// after returns the index of the first stream entry with an id above id.
func (c *checker) after(id uint64) int {
	return sort.Search(len(c.stream), func(i int) bool { return c.stream[i].ID > id })
}

func (c *checker) checkClient(n int, frames []Frame) {
	for i, fr := range frames {
		c.f.Frames++
		if !fr.Snapshot {
			c.claim(fr.ID, fr.Cents, fmt.Sprintf("client %d", n))
		}
		if i == 0 {
			continue
		}
		prev := frames[i-1]
		if fr.ID < prev.ID || fr.ID == prev.ID && !fr.Snapshot {
			c.fail("client %d: id %d after %d", n, fr.ID, prev.ID)
		}
		if skipped := c.after(fr.ID-1) - c.after(prev.ID); !fr.Snapshot && skipped > 0 {
			c.f.Lost += skipped
			c.fail("client %d: %d events of the stream between %d and %d not read", n, skipped, prev.ID, fr.ID)
		}
	}
	if len(frames) > 0 {
		if left := len(c.stream) - c.after(frames[len(frames)-1].ID); left > 0 {
			c.f.Lost += left
			c.fail("client %d: stopped %d events before the stream's end", n, left)
		}
	}
}
