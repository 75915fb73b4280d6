// Package bounds holds the tests that the server's memory stays within what
// its flags bound, whatever its clients do. They run the real binary, built
// without the race detector (whose shadow memory would swamp what they
// measure), and watch it from outside as an operator would: its resident
// memory from /proc, and the kernel's send queues of its sockets from
// /proc/net/tcp, sockets already closed but still sending included. It has
// tests only.
package bounds
