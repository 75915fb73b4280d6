package fanout

// Windows returns the number of window tickers h runs.
func Windows(h *Hub) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.windows)
}
