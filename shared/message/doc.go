// Package message turns the events of a stockstream stream (GET /stocks)
// into messages: live updates and snapshots. The Go client (shared/client)
// and the browser's dashboard (frontend/live) both decode with it, so that
// a stream means the same at both ends.
//
// A Decoder reads one stream's events in order: it checks that every
// update's id is a stream position, skips an update that is not newer than
// the last message (a duplicate after a resume), and marks a snapshot that
// stands in for events the server no longer held. The exact form a
// stockstream server writes is read without reflection, with symbols
// interned, so a busy stream costs little; anything else goes through
// encoding/json and the same checks.
//
// It uses only what app.wasm carries anyway (encoding/json, fmt,
// shared/stock), so the page pays nothing for sharing it.
package message
