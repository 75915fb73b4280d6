package stock

import "time"

// MinuteBars is one symbol's one-minute bars over the BarWindow minutes up
// to its newest, kept by the rule every broker and the page follow:
//
//   - An event counts in the bar of the UTC minute of its timestamp (see
//     MinuteBarOf); bars of one minute merge as MinuteBar.Merge says, in
//     the order they are received.
//   - An event whose minute is BarWindow minutes or more before the newest
//     minute received is not counted (its bar would be out of the window
//     at once); any other late event counts in its own minute's bar.
//   - Bars that fall out of the window as newer minutes arrive are gone.
//
// The memory of a MinuteBars grows with the bars it holds: 40 bytes a bar
// (and up to as much again of spare capacity), nothing for a symbol
// without bars. The zero MinuteBars is empty and ready to use.
type MinuteBars struct {
	ring    []MinuteBar // the bars are ring[(head+i)%len(ring)], i < n, oldest first
	head, n int
}

// Count adds the bar of one event, a price at t; it reports whether the
// event was counted.
func (m *MinuteBars) Count(t time.Time, price Price) bool {
	b, ok := MinuteBarOf(t, price)
	return ok && m.Add(b)
}

// Add merges b, received after everything m holds, into the bar of its
// minute; it reports whether b was counted. A bar with no events (Count
// not positive) or a minute before 1970 is not.
func (m *MinuteBars) Add(b MinuteBar) bool {
	if b.Count <= 0 || b.Minute < 0 {
		return false
	}
	if m.n == 0 || b.Minute > m.at(m.n-1).Minute {
		m.dropBefore(b.Minute - BarWindow + 1)
		m.insert(m.n, b)
		return true
	}
	switch newest := m.at(m.n - 1); {
	case b.Minute == newest.Minute: // the common case: a price of the current minute
		newest.Merge(b)
		return true
	case b.Minute <= newest.Minute-BarWindow:
		return false
	}
	i := m.search(b.Minute)
	if i < m.n && m.at(i).Minute == b.Minute {
		m.at(i).Merge(b)
	} else {
		m.insert(i, b)
	}
	return true
}

// Len returns the number of bars held.
func (m *MinuteBars) Len() int { return m.n }

// Bars returns the bars of symbol, oldest first; nil if there are none.
func (m *MinuteBars) Bars(symbol string) []Bar {
	if m.n == 0 {
		return nil
	}
	out := make([]Bar, m.n)
	for i := range out {
		out[i] = m.at(i).Bar(symbol)
	}
	return out
}

// Clone returns a copy of m that shares no memory with it.
func (m *MinuteBars) Clone() MinuteBars {
	c := MinuteBars{ring: make([]MinuteBar, m.n), n: m.n}
	for i := range c.ring {
		c.ring[i] = *m.at(i)
	}
	return c
}

func (m *MinuteBars) at(i int) *MinuteBar { return &m.ring[(m.head+i)%len(m.ring)] }

// search returns the position of the first bar of minute or later.
func (m *MinuteBars) search(minute int32) int {
	lo, hi := 0, m.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.at(mid).Minute < minute {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// dropBefore forgets the bars of minutes before first.
func (m *MinuteBars) dropBefore(first int32) {
	for m.n > 0 && m.at(0).Minute < first {
		m.head = (m.head + 1) % len(m.ring)
		m.n--
	}
}

// insert puts b at position i, after growing the ring if it is full.
func (m *MinuteBars) insert(i int, b MinuteBar) {
	if m.n == len(m.ring) {
		m.grow()
	}
	for j := m.n; j > i; j-- {
		*m.at(j) = *m.at(j - 1)
	}
	*m.at(i) = b
	m.n++
}

// grow doubles the ring's capacity, up to BarWindow: the bars held are of
// distinct minutes within the window, so never more.
func (m *MinuteBars) grow() {
	ring := make([]MinuteBar, min(max(2*len(m.ring), 1), BarWindow))
	for i := range m.n {
		ring[i] = *m.at(i)
	}
	m.ring, m.head = ring, 0
}
