// Package sse holds the Server-Sent Events wire format in one place: Append*
// functions encode frames once so a server can share the bytes between
// subscribers, and Reader decodes a stream for Go clients (tests, the load
// generator).
package sse
