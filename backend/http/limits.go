package http

import (
	"fmt"
	"net/http"
	"sync"
)

// refusal says why a connection limit refused a stream.
type refusal struct {
	limit  string // "global" or "per_ip"
	status int
	msg    string
}

// streamLimits counts open streams in all and per client (an address, or
// an IPv6 /64, as clientip.Proxies.Client keys it).
type streamLimits struct {
	max, perIP int
	mu         sync.Mutex
	total      int
	byIP       map[string]int
}

func newStreamLimits(max, perIP int) *streamLimits {
	return &streamLimits{max: max, perIP: perIP, byIP: make(map[string]int)}
}

// acquire counts a new stream from the client keyed ip, or refuses it;
// release undoes it.
func (l *streamLimits) acquire(ip string) (release func(), err *refusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max > 0 && l.total >= l.max {
		return nil, &refusal{"global", http.StatusServiceUnavailable,
			fmt.Sprintf("server is at its limit of %d streams; retry later", l.max)}
	}
	if l.perIP > 0 && l.byIP[ip] >= l.perIP {
		return nil, &refusal{"per_ip", http.StatusTooManyRequests,
			fmt.Sprintf("too many streams from one client (limit %d); close some, or retry later", l.perIP)}
	}
	l.total++
	l.byIP[ip]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.total--
		if l.byIP[ip]--; l.byIP[ip] <= 0 {
			delete(l.byIP, ip)
		}
	}, nil
}
