// Package client reads a stockstream server's price stream from Go and never
// loses an event: it resumes with Last-Event-ID after every drop (end of
// stream, reset, 5xx, 429 and 503 with Retry-After, a read timeout when even
// heartbeats stop), waits as the server's "retry:" and a capped, jittered
// backoff say, and gives up only when its context ends or the server refuses
// the request for good (a 4xx such as 400, 401, 403 or 404).
//
// Subscribe yields stockstream's messages, updates and snapshots, as a Go
// 1.23 iterator; Stream.Events yields the raw events of any SSE endpoint with
// the same resume rules. Both read the connection only when the loop asks for
// the next value: nothing is buffered beyond the read buffer, so a slow
// consumer slows the connection, the server eventually cuts it as too slow,
// and the client resumes exactly where the consumer was.
//
// An iterator rather than a channel: the loop body runs on the goroutine that
// reads the socket, so there is no goroutine to leak, no channel buffer to
// size, and back-pressure is the loop itself; break ends the connection.
package client
