package fanout

// Windows returns the number of conflation windows h runs.
func Windows(h *Hub) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.wins)
}
