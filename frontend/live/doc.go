// Package live keeps the app connected to the price stream: one Client per
// app, opened before the page mounts and shared by every page. A Client
// owns one EventSource at a time; when the browser gives up on it (after a
// non-200 answer or a 5xx it never retries), the Client creates a new one
// after a jittered backoff, passing ?lastEventId= so that the server replays
// what was missed. Events, decoded by shared/message, wait in a bounded
// queue; the Client tells the UI once that there is news, and the UI drains
// the queue when it next renders, whatever the number of events in between.
package live
