package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/backend/engine/sockettest"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/backend/metrics"
	"github.com/stockstream/stockstream/backend/stream"
	"github.com/stockstream/stockstream/shared/stock"
)

// rig is an engine and a stream tier over it, with a hub to publish to.
type rig struct {
	eng  *engine.Engine
	tier *stream.Tier
	hub  *fanout.Hub
}

func newRig(t *testing.T, cfg stream.Config) *rig {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	eng, err := engine.New(log)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger, cfg.Metrics = log, metrics.New()
	r := &rig{eng: eng, tier: stream.New(cfg), hub: fanout.NewHub(fanout.Options{History: 100000})}
	t.Cleanup(func() {
		r.hub.Close()
		r.tier.Close(context.Background())
		eng.Close()
	})
	return r
}

// started is a stream on a taken-over socket, with its client's end.
type started struct {
	client *net.TCPConn
	server *net.TCPConn
	ended  chan stream.Result
}

// start connects a client over loopback and hands the server's end to the
// engine and the tier, as a resumed stream of a new subscriber.
func (r *rig) start(t *testing.T, tune func(server, client *net.TCPConn)) *started {
	t.Helper()
	s, c := sockettest.Pair(t)
	st := &started{client: c, server: s, ended: make(chan stream.Result, 1)}
	if tune != nil {
		tune(s, c)
	}
	sub, _ := r.hub.Add(backend.SubscribeRequest{})
	spec := stream.Spec{Sub: sub, Opening: backend.Opening{Resumed: true}, Transport: "http1",
		Done: func(res stream.Result) { st.ended <- res }}
	tst, err := r.tier.Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	sock, err := r.eng.Take(s, tst)
	if err != nil {
		t.Fatal(err)
	}
	r.tier.Start(tst, sock)
	return st
}

// waitEnd waits up to 10s for the stream to end and returns how.
func (st *started) waitEnd(t *testing.T) stream.Result {
	t.Helper()
	select {
	case e := <-st.ended:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("stream did not end within 10s")
		return stream.Result{}
	}
}

// readN reads exactly n bytes from the client within 10s.
func (st *started) readN(t *testing.T, n int) string {
	t.Helper()
	st.client.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, n)
	if _, err := io.ReadFull(st.client, buf); err != nil {
		t.Fatalf("read %d bytes: %v", n, err)
	}
	return string(buf)
}

func events(from, n int) []*backend.Event {
	evs := make([]*backend.Event, n)
	for i := range evs {
		evs[i] = backend.NewEvent(uint64(from+i), stock.StockPriceEvent{Symbol: "AAPL", Price: stock.PriceFromCents(int64(from + i))})
	}
	return evs
}

func frames(evs []*backend.Event) string {
	var b strings.Builder
	for _, ev := range evs {
		b.Write(ev.Frame)
	}
	return b.String()
}

const retry = "retry: 3000\n\n"

// small makes a socket pair whose buffers fill fast.
func small(server, client *net.TCPConn) {
	server.SetWriteBuffer(4096)
	client.SetReadBuffer(16 << 10)
}

func TestHangupEndsTheStream(t *testing.T) {
	r := newRig(t, stream.Config{})
	st := r.start(t, nil)
	st.readN(t, len(retry))
	st.client.Close()
	if end := st.waitEnd(t); end.Reason != stream.ClientGone || end.Written != int64(len(retry)) {
		t.Fatalf("ended %+v, want client_gone after the opening", end)
	}
	if r.tier.Len() != 0 {
		t.Fatalf("tier still runs %d streams", r.tier.Len())
	}
}

// TestFullSocketKeepsItsBytesAndResumes fills a stream's socket (small
// buffers, a client that does not read), so writes are partial and the
// stream waits for writability; once the client reads, every byte arrives
// in order.
func TestFullSocketKeepsItsBytesAndResumes(t *testing.T) {
	r := newRig(t, stream.Config{})
	st := r.start(t, small)
	var all []*backend.Event
	for i := range 200 {
		evs := events(1+i*50, 50)
		all = append(all, evs...)
		r.hub.Deliver(evs)
	}
	want := retry + frames(all) // far more than both socket buffers
	rd := bufio.NewReader(st.client)
	st.client.SetReadDeadline(time.Now().Add(20 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(rd, got); err != nil {
		t.Fatalf("read %d bytes: %v", len(want), err)
	}
	if !bytes.Equal(got, []byte(want)) {
		t.Fatal("bytes arrived out of order or changed after partial writes")
	}
	select {
	case end := <-st.ended:
		t.Fatalf("stream ended: %+v", end)
	default:
	}
}

// TestPeerThatStopsReadingIsCutAndReset: a client that stops reading is cut
// after the write timeout, and the cut resets the connection, so no full
// send queue lingers in the kernel.
func TestPeerThatStopsReadingIsCutAndReset(t *testing.T) {
	const timeout = 300 * time.Millisecond
	r := newRig(t, stream.Config{WriteTimeout: timeout})
	st := r.start(t, small)
	start := time.Now()
	r.hub.Deliver(events(1, 5000)) // never read
	end := st.waitEnd(t)
	if end.Reason != stream.WriteTimeout {
		t.Fatalf("ended %+v, want write_timeout", end)
	}
	if took := time.Since(start); took < timeout {
		t.Fatalf("cut after %v, before the write timeout of %v", took, timeout)
	}
	st.client.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, st.client)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reading the cut connection: %v, want a reset", err)
	}
}

func TestSendBufferIsCapped(t *testing.T) {
	r := newRig(t, stream.Config{})
	var own *os.File // a descriptor of the test's own: Take closes server's
	st := r.start(t, func(server, _ *net.TCPConn) {
		f, err := server.File()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		own = f
	})
	st.readN(t, len(retry))
	got, err := unix.GetsockoptInt(int(own.Fd()), unix.SOL_SOCKET, unix.SO_SNDBUF)
	if err != nil || got > 2*engine.SendBuffer {
		t.Fatalf("SO_SNDBUF %d (%v), want at most twice %d (the kernel doubles it)", got, err, engine.SendBuffer)
	}
}

// TestTakeReleasesGoConnAndLeaksNoDescriptor: Take closes the Go
// connection it was given (its socket stays open for the stream), and every
// descriptor the engine holds is closed when its stream ends.
func TestTakeReleasesGoConnAndLeaksNoDescriptor(t *testing.T) {
	r := newRig(t, stream.Config{})
	before := openFiles(t)
	var sts []*started
	for range 20 {
		sts = append(sts, r.start(t, nil))
	}
	for _, st := range sts {
		st.readN(t, len(retry)) // the socket outlives its Go connection
		if _, err := st.server.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("writing to the taken Go connection: %v, want it closed", err)
		}
	}
	for i, st := range sts {
		if i%2 == 0 {
			st.client.Close()
		}
	}
	if err := r.tier.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		st.waitEnd(t)
		st.client.Close()
	}
	if after := openFiles(t); after > before {
		t.Fatalf("%d descriptors open after the streams ended, %d before they began", after, before)
	}
}

// openFiles counts the process's open descriptors.
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(fds)
}

func TestClosedConnectionIsRefused(t *testing.T) {
	r := newRig(t, stream.Config{})
	s, _ := sockettest.Pair(t)
	s.Close() // as a proxy dropping it between hijack and hand-over
	if _, err := r.eng.Take(s, nil); err == nil {
		t.Fatal("took over a closed connection")
	}
}

// TestManyStreamsGetEverything races publishers against the writers: every
// client must read every event once, in order.
func TestManyStreamsGetEverything(t *testing.T) {
	const clients, batches, per = 20, 100, 7
	r := newRig(t, stream.Config{Writers: 2})
	sts := make([]*started, clients)
	for i := range sts {
		sts[i] = r.start(t, nil)
	}
	var all []*backend.Event
	for b := range batches {
		evs := events(1+b*per, per)
		all = append(all, evs...)
		r.hub.Deliver(evs)
	}
	want := retry + frames(all)
	var wg sync.WaitGroup
	for i, st := range sts {
		wg.Go(func() {
			st.client.SetReadDeadline(time.Now().Add(20 * time.Second))
			got := make([]byte, len(want))
			if _, err := io.ReadFull(st.client, got); err != nil || string(got) != want {
				t.Errorf("client %d: %v, or the events differ", i, err)
			}
		})
	}
	wg.Wait()
}

func TestShutdownEndsEveryStreamInOrder(t *testing.T) {
	r := newRig(t, stream.Config{})
	var sts []*started
	for range 5 {
		sts = append(sts, r.start(t, nil))
	}
	r.hub.Deliver(events(1, 3))
	want := retry + frames(events(1, 3))
	for _, st := range sts {
		st.readN(t, len(want))
	}
	if err := r.tier.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if end := st.waitEnd(t); end.Reason != stream.Shutdown {
			t.Fatalf("ended %+v, want shutdown", end)
		}
		st.client.SetReadDeadline(time.Now().Add(10 * time.Second))
		if rest, err := io.ReadAll(st.client); err != nil || len(rest) != 0 {
			t.Fatalf("after shutdown the client read %q, %v; want an orderly EOF", rest, err)
		}
	}
	if _, err := r.tier.Open(stream.Spec{}); !errors.Is(err, stream.ErrClosing) {
		t.Fatalf("a tier that shut down opened a stream: %v", err)
	}
}
