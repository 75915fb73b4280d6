// Package live keeps the app connected to the price stream: one Client per
// app, opened before the page mounts and shared by every page. A Client
// owns one EventSource at a time; when the browser gives up on it (after a
// non-200 answer or a 5xx it never retries), the Client creates a new one
// after a jittered backoff, passing ?lastEventId= so that the server replays
// what was missed. Events, decoded by shared/message, wait in a bounded
// queue; the Client tells the UI once that there is news, and the UI drains
// the queue when it next renders, whatever the number of events in between.
//
// An EventSource cannot tell a refusal (401, 403) from any other failure.
// The page gives the Client a Vet that asks the server what the page may
// read: with it, every failed stream waits for the Vet's answer before it
// is replaced, and a refusal stops the Client until the page connects
// again (after a sign-in), instead of retrying for ever or reading with
// other rights than before.
package live
