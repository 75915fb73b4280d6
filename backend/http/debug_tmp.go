package http

func (s *Server) DebugDump() string {
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng == nil {
		return "no engine"
	}
	return eng.DebugDump()
}
