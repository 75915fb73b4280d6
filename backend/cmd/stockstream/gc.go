package main

import "runtime/debug"

// gcPercent is the collector's target for a server whose environment sets
// no GOGC: the heap may grow by half of what was live at the last
// collection, not by all of it as by Go's default. A burst of reconnecting
// clients leaves about 10 KiB of net/http's garbage per connection and is
// followed by no allocation that would start another collection, so the
// server keeps the heap the burst's last collection allowed until the
// runtime's two-minute forced one. 19,000 streams opened at once held
// 1.2–2.2 KiB each 30 s later at 50 and 1.8–2.8 KiB at 100 in runs on a
// busy machine; on a quiet one, where more of the burst is in flight at
// once, 2.1–7.6 KiB at 50. Streaming costs
// next to nothing more (at 10,000 streams × 20 events/s the collector does
// not run; at 1,000 × 200/s it runs every 1.4 s instead of every 2.5 s, for
// a few milliseconds); publishing as fast as the server takes prices costs
// about 45 % more server CPU.
const gcPercent = 50

// setGCPercent sets the collector's target to gcPercent unless getenv gives
// a GOGC, which the runtime has applied already; it reports whether it did.
func setGCPercent(getenv func(string) string) bool {
	if getenv("GOGC") != "" {
		return false
	}
	debug.SetGCPercent(gcPercent)
	return true
}
