package engine

import "fmt"

func (e *Engine) DebugDump() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	counts := map[string]int{}
	for st := range e.streams {
		k := fmt.Sprintf("state=%d flags=%d out=%d blocked=%v timerAt=%v written=%d", st.state.Load(), st.flags.Load(), len(st.out), st.blocked, st.timerAt != 0, st.written)
		counts[k]++
		if d, ok := st.sub.(interface{ DebugDump() string }); ok && st.state.Load() == 0 && st.written < 1000 {
			k += " sub: " + d.DebugDump()
			counts[k]++
		}
	}
	e.ready.mu.Lock()
	q := len(e.ready.q) - e.ready.head
	e.ready.mu.Unlock()
	return fmt.Sprint(counts, " queue ", q, " wake ", len(e.ready.wake))
}
