// Package sse holds the Server-Sent Events wire format in one place for
// every Go program of the project: AppendEvent and friends encode frames
// once so that a server shares the bytes between subscribers, and Reader
// decodes a stream, as the HTML standard says and without allocating per
// event, for the Go client, the tests and the load generator.
package sse
