// Command pollcmp compares ways to write one stream of frames to many
// sockets without a goroutine per socket: stockstream's engine
// (golang.org/x/sys/unix epoll, a writer per core, non-blocking writev),
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
// socket compares like with like; only the engine drains it.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lesismal/nbio"
	"github.com/panjf2000/gnet/v2"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/engine"
	"github.com/stockstream/stockstream/backend/fanout"
	"github.com/stockstream/stockstream/bench/internal/proc"
	"github.com/stockstream/stockstream/bench/internal/sseclient"
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
	flag.Parse()
	if _, err := proc.RaiseNoFile(); err != nil {
		log.Fatal(err)
	}
	servers, clients := connect(*conns)
	var got, target atomic.Int64 // frames received in all, and awaited
	done := make(chan struct{}, 1)
	var lat latencies
	frameLen := len(frame(1).Frame)
	var sent atomic.Int64 // when the current round was published, ns since start
	start := time.Now()
	for _, c := range clients {
		go read(c, frameLen, func() {
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

// read counts the frames of fixed length arriving on c.
func read(c net.Conn, frameLen int, got func()) {
	buf := make([]byte, 4096)
	total := 0
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		before := total / frameLen
		total += n
		for range total/frameLen - before {
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

// frame is the seq-th frame; every frame has the same length, so that a
// client counts frames by bytes.
func frame(seq uint64) *backend.Event {
	return backend.NewEvent(seq+1_000_000, stock.StockPriceEvent{
		Symbol: "AAPL", Price: stock.PriceFromCents(12345), Timestamp: time.Unix(1_700_000_000, 0).UTC(),
	})
}

func adopt(poller string, conns []net.Conn) (publisher, error) {
	hub := fanout.NewHub(4096)
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

// ours hands every socket to stockstream's engine with a subscriber of one
// fan-out hub, as the server does.
type ours struct{ hub *fanout.Hub }

func adoptOurs(conns []net.Conn, hub *fanout.Hub) (publisher, error) {
	e, err := engine.New(engine.Config{
		Heartbeat: time.Hour, WriteTimeout: 10 * time.Second, HeartbeatFrame: []byte(":\n\n"),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		if err := e.Start(c, hub.Add(nil, 0), nil, func(int64, error) {}); err != nil {
			return nil, err
		}
	}
	return ours{hub}, nil
}

func (o ours) publish(ev *backend.Event) { o.hub.Deliver([]*backend.Event{ev}) }

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
		p.subs = append(p.subs, hub.Add(nil, 0))
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
		g.subs = append(g.subs, hub.Add(nil, 0))
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
