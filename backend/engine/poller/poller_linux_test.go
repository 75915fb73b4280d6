package poller

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stockstream/stockstream/backend/engine/sockettest"
)

// recorder is a Handler that reports its calls on channels.
type recorder struct {
	hangups, writables chan struct{}
}

func newRecorder() *recorder {
	return &recorder{hangups: make(chan struct{}, 4), writables: make(chan struct{}, 4)}
}

func (r *recorder) Hangup()   { r.hangups <- struct{}{} }
func (r *recorder) Writable() { r.writables <- struct{}{} }

// expect waits up to 10s for a call on c.
func expect(t *testing.T, c chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s not reported within 10s", what)
	}
}

// expectNone checks that nothing arrives on c for a short while.
func expectNone(t *testing.T, c chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
		t.Fatalf("unexpected %s", what)
	case <-time.After(50 * time.Millisecond):
	}
}

// fdOf returns the descriptor of conn; conn keeps it open.
func fdOf(t *testing.T, conn syscall.Conn) int {
	raw, err := conn.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	raw.Control(func(u uintptr) { fd = int(u) })
	return fd
}

func newPoller(t *testing.T, log *slog.Logger, wait func(int, []unix.EpollEvent, int) (int, error)) *Poller {
	t.Helper()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p, err := start(log, wait)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestHangupIsReportedOnceAndDataIsNot(t *testing.T) {
	p := newPoller(t, nil, unix.EpollWait)
	srv, cli := sockettest.Pair(t)
	r := newRecorder()
	if _, err := p.Add(fdOf(t, srv), r); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Write([]byte("a byte from the client")); err != nil {
		t.Fatal(err)
	}
	expectNone(t, r.hangups, "hang-up after the client sent data")
	cli.Close()
	expect(t, r.hangups, "hang-up")
	expectNone(t, r.hangups, "second hang-up")
}

func TestRemovedRegistrationIsNeverReported(t *testing.T) {
	p := newPoller(t, nil, unix.EpollWait)
	srv, cli := sockettest.Pair(t)
	r := newRecorder()
	tok, err := p.Add(fdOf(t, srv), r)
	if err != nil {
		t.Fatal(err)
	}
	p.Remove(tok)
	cli.Close()
	expectNone(t, r.hangups, "hang-up after Remove")
}

// fill writes to a non-blocking socket until the kernel takes no more.
func fill(t *testing.T, fd int) int {
	t.Helper()
	buf := make([]byte, 64<<10)
	total := 0
	for {
		n, err := unix.Write(fd, buf)
		if err == unix.EAGAIN {
			return total
		}
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
}

func TestWritableAfterTheSocketDrainsEachTime(t *testing.T) {
	p := newPoller(t, nil, unix.EpollWait)
	srv, cli := sockettest.Pair(t)
	srv.SetWriteBuffer(4096)
	cli.SetReadBuffer(4096)
	fd := fdOf(t, srv)
	r := newRecorder()
	tok, err := p.Add(fd, r)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		fill(t, fd)
		if err := p.WantWritable(tok); err != nil {
			t.Fatal(err)
		}
		expectNone(t, r.writables, "writable while the socket is full")
		drain(t, cli, r)
		expect(t, r.writables, fmt.Sprintf("writable in round %d", round))
		expectNone(t, r.writables, "a second writable without asking")
	}
}

// drain reads from cli until the poller says the sender can write again.
func drain(t *testing.T, cli *net.TCPConn, r *recorder) {
	t.Helper()
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(10 * time.Second)
	for len(r.writables) == 0 && time.Now().Before(deadline) {
		cli.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		cli.Read(buf)
	}
}

func TestBadDescriptorIsRefused(t *testing.T) {
	p := newPoller(t, nil, unix.EpollWait)
	if _, err := p.Add(-1, newRecorder()); err == nil {
		t.Fatal("registered descriptor -1")
	}
	// The poller still works: its lock was not left held.
	srv, cli := sockettest.Pair(t)
	r := newRecorder()
	if _, err := p.Add(fdOf(t, srv), r); err != nil {
		t.Fatal(err)
	}
	cli.Close()
	expect(t, r.hangups, "hang-up after a refused registration")
}

// TestStaleEventForReusedDescriptorIsDropped is the descriptor-reuse guard:
// an event taken from epoll for a registration that has since been removed
// must not reach the handler of a new registration of the same descriptor
// number (as a socket accepted after the old one was closed would have).
func TestStaleEventForReusedDescriptorIsDropped(t *testing.T) {
	p := newPoller(t, nil, unix.EpollWait)
	srv, _ := sockettest.Pair(t)
	fd := fdOf(t, srv)
	old, young := newRecorder(), newRecorder()
	oldTok, err := p.Add(fd, old)
	if err != nil {
		t.Fatal(err)
	}
	p.Remove(oldTok)
	newTok, err := p.Add(fd, young)
	if err != nil {
		t.Fatal(err)
	}
	if newTok == oldTok {
		t.Fatal("a new registration of the same descriptor got the same token")
	}
	// The late events of the old registration, as epoll_wait returns them.
	p.dispatch(unix.EpollEvent{Events: unix.EPOLLRDHUP, Fd: int32(fd), Pad: int32(oldTok.gen)})
	p.dispatch(unix.EpollEvent{Events: unix.EPOLLOUT, Fd: int32(fd), Pad: int32(oldTok.gen)})
	if len(old.hangups)+len(young.hangups)+len(old.writables)+len(young.writables) != 0 {
		t.Fatal("a stale event reached a handler")
	}
	// The new registration's own event still gets through.
	p.dispatch(unix.EpollEvent{Events: unix.EPOLLRDHUP, Fd: int32(fd), Pad: int32(newTok.gen)})
	expect(t, young.hangups, "the new registration's hang-up")
}

// records is a slog.Handler that keeps every record's level and message.
type records struct {
	mu   sync.Mutex
	msgs []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Level.String()+" "+rec.Message)
	return nil
}

// String returns the records, one a line.
func (r *records) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

// TestRecoversFromEpollFailure makes epoll_wait fail once while a socket
// is registered: the failure must be logged, and the poller must go on
// noticing hang-ups, of that socket and of new ones.
func TestRecoversFromEpollFailure(t *testing.T) {
	var fail atomic.Bool
	var logs records
	wait := func(epfd int, events []unix.EpollEvent, _ int) (int, error) {
		if fail.Swap(false) {
			return 0, unix.EINVAL
		}
		return unix.EpollWait(epfd, events, 5) // short, so a failure set later is met
	}
	p := newPoller(t, slog.New(&logs), wait)
	before, beforeCli := sockettest.Pair(t)
	rb := newRecorder()
	if _, err := p.Add(fdOf(t, before), rb); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), "epoll instance rebuilt") {
		if time.Now().After(deadline) {
			t.Fatalf("no rebuild logged within 10s; log: %s", logs.String())
		}
		time.Sleep(time.Millisecond)
	}
	if !strings.Contains(logs.String(), "ERROR poller: epoll_wait failed") {
		t.Fatalf("the failure was not logged as an error: %s", logs.String())
	}
	after, afterCli := sockettest.Pair(t)
	ra := newRecorder()
	if _, err := p.Add(fdOf(t, after), ra); err != nil {
		t.Fatal(err)
	}
	beforeCli.Close()
	afterCli.Close()
	expect(t, rb.hangups, "hang-up of a socket registered before the failure")
	expect(t, ra.hangups, "hang-up of a socket registered after the failure")
}

// TestRegistrationLostInRebuildIsToldItHungUp covers a descriptor that
// cannot be registered again: its owner must hear of it, not wait forever.
func TestRegistrationLostInRebuildIsToldItHungUp(t *testing.T) {
	p := newPoller(t, nil, unix.EpollWait)
	r := newRecorder()
	p.mu.Lock()
	p.slots = append(p.slots, make([]slot, 1<<16)...)
	p.slots[len(p.slots)-1] = slot{gen: 99, h: r} // a descriptor that is not open
	old := p.epfd
	p.mu.Unlock()
	p.rebuild(old, unix.EINVAL)
	expect(t, r.hangups, "hang-up of a registration the rebuild lost")
}
