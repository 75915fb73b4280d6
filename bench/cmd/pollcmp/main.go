// Command pollcmp compares ways to write one stream of frames to many
// sockets without a goroutine per socket: stockstream's stream tier on its
// engine (the tier's writers, one per core, and its timer wheel; the
// engine's golang.org/x/sys/unix epoll and non-blocking writev),
// github.com/lesismal/nbio and github.com/panjf2000/gnet/v2, each adopting
// the server ends of loopback connections that net/http would have handed
// over. It measures the server memory each adopted socket costs, and the
// CPU and fan-out latency of delivering frames to all of them.
//
//	pollcmp --poller ours --conns 10000 --rounds 200
//
// Every client reads on a goroutine of its own in the same process, the same
// for every poller: CPU per delivery includes the client's read, so only the
// differences between pollers are the pollers'. Every adopted socket also
// gets a fan-out subscriber, as a server stream has, so that memory per
// socket compares like with like; only the stream tier reads it (a
// subscriber is a cursor into the hub's ring, so an unread one costs
// nothing per frame).
package main

import (
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lesismal/nbio"
	"github.com/panjf2000/gnet/v2"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/backend/stream"
	"github.com/stockstream/stockstream/bench/internal/proc"
	"github.com/stockstream/stockstream/bench/internal/sseclient"
	"github.com/stockstream/stockstream/shared/sse"
	"github.com/stockstream/stockstream/shared/stock"
)

// publisher sends one frame to every adopted socket.
type publisher interface {
	publish(ev *backend.Event)
}

func main() {
	poller := flag.String("poller", "ours", "ours, nbio or gnet")
	conns := flag.Int("conns", 10000, "connections")
	rounds := flag.Int("rounds", 200, "frames delivered to every connection, one round at a time")
	memProfile := flag.String("memprofile", "", "write a heap profile taken after adopting the sockets to this file")
	flag.Parse()
	if _, err := proc.RaiseNoFile(); err != nil {
		log.Fatal(err)
	}
	servers, clients := connect(*conns)
	var got, target atomic.Int64 // frames received in all, and awaited
	done := make(chan struct{}, 1)
	var lat latencies
	frameLen := len(frame(1).Frame)
	skip := 0 // the tier opens each stream with "retry:"
	if *poller == "ours" {
		skip = len(sse.AppendRetry(nil, stream.DefaultRetry.Milliseconds()))
	}
	var sent atomic.Int64 // when the current round was published, ns since start
	start := time.Now()
	for _, c := range clients {
		go read(c, skip, frameLen, func() {
			lat.add(time.Duration(int64(time.Since(start)) - sent.Load()))
			if got.Add(1) == target.Load() {
				done <- struct{}{}
			}
		})
	}
	settle()
	rss0, _ := proc.RSSKiB(os.Getpid())
	pub, err := adopt(*poller, servers)
	if err != nil {
		log.Fatal(err)
	}
	settle()
	rss1, _ := proc.RSSKiB(os.Getpid())
	if *memProfile != "" {
		writeHeapProfile(*memProfile)
	}

	lat.reset()
	cpu := proc.NewSampler(os.Getpid())
	t0 := time.Now()
	for r := 1; r <= *rounds; r++ {
		target.Store(int64(r * *conns))
		sent.Store(int64(time.Since(start)))
		pub.publish(frame(uint64(r)))
		<-done
	}
	el := time.Since(t0)
	deliveries := float64(*rounds * *conns)
	cpuPct := cpu.Percent()
	p50, p99 := lat.quantiles()
	fmt.Printf("| %s | %d | %.2f | %.0f | %.2f | %.1f | %.1f |\n", *poller, *conns,
		float64(rss1-rss0)/float64(*conns), deliveries/el.Seconds(),
		cpuPct/100*el.Seconds()/deliveries*1e6, ms(p50), ms(p99))
}

// connect opens n loopback connections and returns both ends.
func connect(n int) (servers, clients []net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, n)
	go func() {
		for range n {
			c, err := l.Accept()
			if err != nil {
				log.Fatal(err)
			}
			accepted <- c
		}
	}()
	for i := range n {
		d := net.Dialer{LocalAddr: sseclient.Source(i, 200)}
		c, err := d.Dial("tcp", l.Addr().String())
		if err != nil {
			log.Fatal(err)
		}
		clients = append(clients, c)
		servers = append(servers, <-accepted)
	}
	return servers, clients
}

// read counts the frames of fixed length arriving on c after its first
// skip bytes.
func read(c net.Conn, skip, frameLen int, got func()) {
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = 1 // resident before the adoption is measured, as with every poller
	}
	total := -skip
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		before := max(total, 0) / frameLen
		total += n
		for range max(total, 0)/frameLen - before {
			got()
		}
	}
}

// settle collects and returns free memory to the OS, so that RSS shows what
// is live.
func settle() {
	time.Sleep(time.Second)
	debug.FreeOSMemory()
	time.Sleep(time.Second)
}

// writeHeapProfile writes the in-use heap to path.
func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		log.Fatal(err)
	}
}

// frame is the seq-th frame; every frame has the same length, so that a
// client counts frames by bytes.
func frame(seq uint64) *backend.Event {
	return backend.NewEvent(seq+1_000_000, stock.StockPriceEvent{
		Symbol: "AAPL", Price: stock.PriceFromCents(12345), Timestamp: time.Unix(1_700_000_000, 0).UTC(),
	})
}

func adopt(poller string, conns []net.Conn) (publisher, error) {
	hub := fanout.NewHub(fanout.Options{History: 4096})
	switch poller {
	case "ours":
		return adoptOurs(conns, hub)
	case "nbio":
		return adoptNbio(conns, hub)
	case "gnet":
		return adoptGnet(conns, hub)
	}
	return nil, fmt.Errorf("unknown poller %q", poller)
}

// ours hands every socket to stockstream's engine, each as a stream of the
// tier with a subscriber of one fan-out hub, as the server does.
type ours struct{ hub *fanout.Hub }

func adoptOurs(conns []net.Conn, hub *fanout.Hub) (publisher, error) {
	log := slog.New(slog.DiscardHandler)
	e, err := engine.New(log)
	if err != nil {
		return nil, err
	}
	tier := stream.New(stream.Config{Heartbeat: time.Hour, WriteTimeout: 10 * time.Second, Logger: log})
	for _, c := range conns {
		sub, _ := hub.Add(backend.SubscribeRequest{})
		st, err := tier.Open(stream.Spec{Sub: sub, Opening: backend.Opening{Resumed: true}, Transport: "http1"})
		if err != nil {
			return nil, err
		}
		sock, err := e.Take(c, st)
		if err != nil {
			return nil, err
		}
		tier.Start(st, sock)
	}
	return ours{hub}, nil
}

func (o ours) publish(ev *backend.Event) { o.hub.Deliver([]*backend.Event{ev}) }

// subscribe adds a subscriber of every symbol to hub, as a stream has.
func subscribe(hub *fanout.Hub) *fanout.Subscriber {
	s, _ := hub.Add(backend.SubscribeRequest{})
	return s
}

// nbioConns writes every frame itself with nbio's non-blocking Write (nbio
// keeps what a full socket does not take and flushes it on EPOLLOUT), the
// sockets split over one goroutine per core.
type nbioConns struct {
	parts [][]*nbio.Conn
	subs  []*fanout.Subscriber
}

func adoptNbio(conns []net.Conn, hub *fanout.Hub) (publisher, error) {
	g := nbio.NewEngine(nbio.Config{})
	if err := g.Start(); err != nil {
		return nil, err
	}
	n := runtime.GOMAXPROCS(0)
	p := nbioConns{parts: make([][]*nbio.Conn, n)}
	for i, c := range conns {
		nc, err := g.AddConn(c)
		if err != nil {
			return nil, err
		}
		p.parts[i%n] = append(p.parts[i%n], nc)
		p.subs = append(p.subs, subscribe(hub))
	}
	return p, nil
}

func (p nbioConns) publish(ev *backend.Event) {
	var wg sync.WaitGroup
	for _, part := range p.parts {
		wg.Go(func() {
			for _, c := range part {
				c.Write(ev.Frame)
			}
		})
	}
	wg.Wait()
}

// gnetConns queues every frame on the connection's event loop with
// AsyncWrite.
type gnetConns struct {
	conns []gnet.Conn
	subs  []*fanout.Subscriber
}

type gnetHandler struct{ gnet.BuiltinEventEngine }

func adoptGnet(conns []net.Conn, hub *fanout.Hub) (publisher, error) {
	cli, err := gnet.NewClient(&gnetHandler{}, gnet.WithMulticore(true))
	if err != nil {
		return nil, err
	}
	if err := cli.Start(); err != nil {
		return nil, err
	}
	var g gnetConns
	for _, c := range conns {
		gc, err := cli.Enroll(c)
		if err != nil {
			return nil, err
		}
		g.conns = append(g.conns, gc)
		g.subs = append(g.subs, subscribe(hub))
	}
	return g, nil
}

func (g gnetConns) publish(ev *backend.Event) {
	for _, c := range g.conns {
		c.AsyncWrite(ev.Frame, nil)
	}
}

// latencies collects publish→receive times.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) reset() {
	l.mu.Lock()
	l.d = l.d[:0]
	l.mu.Unlock()
}

func (l *latencies) quantiles() (p50, p99 time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0, 0
	}
	sort.Slice(l.d, func(i, j int) bool { return l.d[i] < l.d[j] })
	return l.d[len(l.d)/2], l.d[len(l.d)*99/100]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
