package fanout

import "fmt"

func (s *Subscriber) DebugDump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hub.mu.Lock()
	_, in := s.hub.subs[s]
	s.hub.mu.Unlock()
	return fmt.Sprintf("queue=%d notified=%v ended=%v err=%v onReady=%v inHub=%v floor=%d", len(s.queue), s.notified, s.ended, s.err, s.onReady != nil, in, s.floor)
}
