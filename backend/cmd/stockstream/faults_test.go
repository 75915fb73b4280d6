package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/stockstream/stockstream/backend/redis"
	"github.com/stockstream/stockstream/backend/redis/redistest"
	"github.com/stockstream/stockstream/backend/streamtest"
	"github.com/stockstream/stockstream/shared/stock"
)

// endCents is the price of the last event of every fault run: its clients
// read until they see it.
const endCents = 1

// faultFlags are the flags of every instance of the fault suite.
var faultFlags = []string{"--simulator=false", "--log-level", "warn", "--history", "100000"}

// TestFaultSuite runs the broker faults the stream must survive against a
// real redis-server, with clients that read through random instances,
// abort and stall at random and resume with their last id, and publishers
// that post numbered prices, most under an Idempotency-Key they send again
// until it is answered 2xx. After each fault run a checker reads every id
// every client saw, every answer and the stream Redis holds at the end
// (see streamtest.CheckRun), then the suite logs its figures.
func TestFaultSuite(t *testing.T) {
	var total streamtest.Figures
	var faults, reconnects int
	for _, run := range []struct {
		name string
		run  func(t *testing.T) faultReport
	}{
		{"RestartFromAnOlderSnapshot", faultOlderSnapshot},
		{"StallLongerThanTheClientTimeout", faultStall},
		{"KillAndRestartDuringReplay", faultReplay},
		{"FailoverToALaggingReplica", faultFailover},
	} {
		t.Run(run.name, func(t *testing.T) {
			r := run.run(t)
			t.Logf("%s: %d events published, %d faults injected, %d reconnects, %d ids checked, lost %d, duplicated %d "+
				"(%d publishes, %d sent again after an error, %d prices answered 2xx then lost with Redis's tail)",
				run.name, r.Events, r.faults, r.reconnects, r.Frames, r.Lost, r.Duplicated, r.Publishes, r.failed, r.LostWithTail)
			total = total.Add(r.Figures)
			faults, reconnects = faults+r.faults, reconnects+r.reconnects
		})
	}
	t.Logf("fault suite: %d events published, %d faults injected, %d reconnects, %d ids checked, lost %d, duplicated %d "+
		"(%d prices answered 2xx were lost with Redis's tail, as a restart from an older snapshot and a failover to a lagging replica lose them)",
		total.Events, faults, reconnects, total.Frames, total.Lost, total.Duplicated, total.LostWithTail)
}

// faultReport is what one fault run measured.
type faultReport struct {
	streamtest.Figures
	faults, reconnects int
	failed             int // posts answered with an error or none
}

// faultOlderSnapshot saves Redis mid-stream, publishes on, kills it and
// starts it again from the older snapshot: what was published in between
// is lost (so it may be missing), and nothing else may be.
func faultOlderSnapshot(t *testing.T) faultReport {
	srv := redistest.Start(t)
	r := newFaultRun(t, srv.URL(0), 2, true)
	r.publishFor(time.Second)
	r.during(4*time.Second, func() {
		r.loseFrom()
		srv.Save(t)
		r.awaitAccepted(time.Now())
		srv.Kill()
		srv.Restart(t)
		r.loseUntil()
	})
	return r.finishLosing(srv.Addr())
}

// finishLosing finishes a run whose fault lost Redis's tail: the loss must
// show (prices answered 2xx missing) and every instance must have counted
// one rollback.
func (r *faultRun) finishLosing(addr string) faultReport {
	rep := r.finish(addr, 1)
	if rep.LostWithTail == 0 {
		r.t.Errorf("the fault lost nothing: no test of a rollback")
	}
	for _, in := range r.insts {
		if n := metricValue(r.t, in.base, "stockstream_broker_rollbacks_total"); n != 1 {
			r.t.Errorf("instance %s counted %d rollbacks, want 1:\n%s", in.base, n, in.log)
		}
	}
	return rep
}

// faultStall stalls Redis twice with DEBUG SLEEP for longer than the
// instances' read timeout while publishes run: they fail (503) while
// Redis runs them once it wakes, and the ones sent again under their key
// must be in the stream exactly once.
func faultStall(t *testing.T) faultReport {
	srv := redistest.Start(t)
	r := newFaultRun(t, srv.URL(0)+"?read_timeout=400ms", 2, false)
	for range 2 {
		r.during(3*time.Second, func() {
			time.Sleep(500 * time.Millisecond)
			if _, err := srv.Do(10*time.Second, "DEBUG", "SLEEP", "1.5"); err != nil {
				t.Error(err)
			}
		})
	}
	rep := r.finish(srv.Addr(), 2)
	if rep.failed == 0 {
		t.Error("no publish failed during the stalls: no test of a retry")
	}
	return rep
}

// faultReplay kills Redis (appending every write to its file, so it loses
// nothing it acknowledged) twice while one instance replays a price file:
// once for a blip inside the replay's lease, once for longer than it. The
// replay must go on from where it was, each price in the stream once and
// in file order, and /readyz must fail while Redis is away.
func faultReplay(t *testing.T) faultReport {
	const prices = 300
	srv := redistest.StartWith(t, redistest.Config{AppendOnly: true})
	var file strings.Builder
	file.WriteString("symbol,date,price\n")
	start := time.Date(2026, 1, 5, 14, 0, 0, 0, time.UTC)
	pubs := make([]streamtest.Publish, 0, prices+1)
	for i := range prices + 1 {
		cents := int64(i + endCents + 1)
		if i == prices {
			cents = endCents
		}
		fmt.Fprintf(&file, "SEQ,%s,%s\n", start.Add(time.Duration(i)*time.Second).Format(time.RFC3339), stock.PriceFromCents(cents))
		pubs = append(pubs, streamtest.Publish{Cents: []int64{cents}, OK: true})
	}
	name := filepath.Join(t.TempDir(), "seq.csv")
	if err := os.WriteFile(name, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	replaying := startInstance(t, srv.URL(0), append(faultFlags, "--replay", name, "--replay-speed", "20x")...)
	r := newFaultRunOn(t, []*instance{replaying, startInstance(t, srv.URL(0), faultFlags...)}, false)
	// The faults strike while the replay runs, however slow the machine:
	// once it has published some of its prices (it takes 15 s in all).
	waitPublished(t, 20, replaying.base)
	srv.Kill() // a blip: back within the lease
	time.Sleep(300 * time.Millisecond)
	srv.Restart(t)
	time.Sleep(2 * time.Second)
	srv.Kill() // longer than the lease
	time.Sleep(time.Second)
	for _, in := range r.insts {
		if status := getStatus(t, in.base+"/readyz"); status != http.StatusServiceUnavailable {
			t.Errorf("/readyz of %s with Redis away: %d, want 503", in.base, status)
		}
	}
	time.Sleep(3 * time.Second)
	srv.Restart(t)
	r.pubs = pubs
	rep := r.finish(srv.Addr(), 2)
	if !strings.Contains(replaying.log.String(), "replay: cannot publish") {
		t.Errorf("the replay never waited for Redis: no test of its recovery:\n%s", replaying.log)
	}
	stream := readStream(t, srv.Addr())
	for i := 1; i < len(stream)-1; i++ {
		if stream[i].Cents != stream[i-1].Cents+1 {
			t.Fatalf("the replay published %d cents after %d: not from where it was", stream[i].Cents, stream[i-1].Cents)
		}
	}
	for _, in := range r.insts {
		if status := getStatus(t, in.base+"/readyz"); status != http.StatusOK {
			t.Errorf("/readyz of %s after Redis returned: %d", in.base, status)
		}
	}
	return rep
}

// faultFailover runs the instances on a Sentinel's master whose replica
// reads it through a relay; the relay holds the replica back, the master
// is killed and the Sentinel promotes the replica, which lacks what the
// master took since: that may be missing, and nothing else may be.
func faultFailover(t *testing.T) faultReport {
	master := redistest.Start(t)
	relay := redistest.NewRelay(t, master.Addr())
	replica := redistest.StartWith(t, redistest.Config{ReplicaOf: relay.Addr()})
	redistest.WaitSynced(t, replica)
	sentinel := redistest.StartSentinel(t, "prices", master)
	sentinel.WaitReplicas(t, 1)
	r := newFaultRun(t, sentinel.URL(0), 2, true)
	r.publishFor(time.Second)
	r.during(8*time.Second, func() {
		r.loseFrom()
		relay.Pause()
		r.awaitAccepted(time.Now())
		relay.Cut()
		master.Kill()
		deadline := time.Now().Add(30 * time.Second)
		for addr, err := sentinel.MasterAddr(); addr != replica.Addr(); addr, err = sentinel.MasterAddr() {
			if time.Now().After(deadline) {
				t.Errorf("the Sentinel did not promote the replica within 30s: master %s %v", addr, err)
				break
			}
			time.Sleep(50 * time.Millisecond) // poll interval
		}
		r.loseUntil()
	})
	return r.finishLosing(replica.Addr())
}

// faultRun is one run of the fault suite: instances on one broker, clients
// reading through them, publishers posting numbered prices, and what each
// saw and was answered.
type faultRun struct {
	t       *testing.T
	ctx     context.Context
	insts   []*instance
	live    *liveInstances
	clients *streamtest.Group
	http    *http.Client
	cents   atomic.Int64 // the last price given out, in cents
	failed  atomic.Int64 // posts answered with an error or none

	mu         sync.Mutex
	pubs       []streamtest.Publish
	spans      [][2]time.Time // when each publish started and was answered
	loseStart  time.Time      // Redis took writes it then lost from here…
	loseEnd    time.Time      // …to here
	publishers int
}

// newFaultRun starts n instances on the broker at url and 8 clients
// reading through them; allowSnapshots says whether a client may get a
// snapshot on resume (only when the broker loses events).
func newFaultRun(t *testing.T, url string, n int, allowSnapshots bool) *faultRun {
	insts := make([]*instance, n)
	for i := range insts {
		insts[i] = startInstance(t, url, faultFlags...)
	}
	return newFaultRunOn(t, insts, allowSnapshots)
}

func newFaultRunOn(t *testing.T, insts []*instance, allowSnapshots bool) *faultRun {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	r := &faultRun{t: t, ctx: ctx, insts: insts, live: &liveInstances{}, http: &http.Client{Timeout: 20 * time.Second}}
	r.cents.Store(endCents)
	for _, in := range insts {
		r.live.bases = append(r.live.bases, in.base)
	}
	hc := &http.Client{Transport: &http.Transport{}}
	cs := make([]*streamtest.Client, 8)
	for i := range cs {
		rng := rand.New(rand.NewPCG(uint64(i), 21))
		cs[i] = &streamtest.Client{HTTP: hc, Rng: rng, AllowSnapshots: allowSnapshots, URL: func() string { return r.live.pick(rng) }}
	}
	r.clients = streamtest.Go(cs, func(c *streamtest.Client) error { return c.Run(ctx, endCents) })
	waitSubscribers(t, insts, len(cs))
	return r
}

// publishFor runs three publishers for d.
func (r *faultRun) publishFor(d time.Duration) {
	until := time.Now().Add(d)
	var wg sync.WaitGroup
	for range 3 {
		r.publishers++
		rng := rand.New(rand.NewPCG(uint64(r.publishers), 5))
		wg.Go(func() {
			for time.Now().Before(until) && r.ctx.Err() == nil {
				r.publish(rng, 1+rng.IntN(4), rng.IntN(10) < 7)
				time.Sleep(time.Duration(2+rng.IntN(10)) * time.Millisecond)
			}
		})
	}
	wg.Wait()
}

// during runs fault while publishers run for d, and waits for both.
func (r *faultRun) during(d time.Duration, fault func()) {
	done := make(chan struct{})
	go func() { defer close(done); fault() }()
	r.publishFor(d)
	<-done
}

// publish posts n new prices to a random instance, under a key it sends
// again until answered 2xx if keyed, or once.
func (r *faultRun) publish(rng *rand.Rand, n int, keyed bool) streamtest.Publish {
	last := r.cents.Add(int64(n))
	p := streamtest.Publish{Cents: make([]int64, n)}
	var body bytes.Buffer
	body.WriteByte('[')
	for i := range n {
		p.Cents[i] = last - int64(n-1-i)
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"symbol":"F%d","price":%s}`, p.Cents[i]%4, stock.PriceFromCents(p.Cents[i]))
	}
	body.WriteByte(']')
	return r.post(rng, p, body.Bytes(), keyed)
}

func (r *faultRun) post(rng *rand.Rand, p streamtest.Publish, body []byte, keyed bool) streamtest.Publish {
	key := ""
	if keyed {
		key = fmt.Sprintf("fault-%d", p.Cents[0])
	}
	started := time.Now()
	for r.ctx.Err() == nil {
		if p.IDs = r.postOnce(r.live.bases[rng.IntN(len(r.live.bases))], key, body); p.IDs != nil || !keyed {
			break
		}
		time.Sleep(50 * time.Millisecond) // then send it again under its key
	}
	p.OK = p.IDs != nil
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pubs = append(r.pubs, p)
	r.spans = append(r.spans, [2]time.Time{started, time.Now()})
	return p
}

// postOnce posts body to base and returns the ids of a 2xx answer, or nil.
func (r *faultRun) postOnce(base, key string, body []byte) []uint64 {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, base+"/api/prices", bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		r.failed.Add(1)
		return nil
	}
	defer resp.Body.Close()
	var evs []stock.StockPriceEvent
	if resp.StatusCode != http.StatusAccepted || json.NewDecoder(resp.Body).Decode(&evs) != nil {
		r.failed.Add(1)
		return nil
	}
	ids := make([]uint64, len(evs))
	for i, ev := range evs {
		ids[i], _ = stock.ParseID(ev.ID)
	}
	return ids
}

// loseFrom and loseUntil mark when Redis took writes it lost afterwards.
// awaitAccepted gives the broker a second of publishes from since, and
// more until it has answered 10 of them 2xx (at most 5 s more): a fault
// that then loses Redis's tail loses prices it acknowledged, however slow
// the machine, so the run tests the rollback it means to.
func (r *faultRun) awaitAccepted(since time.Time) {
	time.Sleep(time.Second)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && r.acceptedSince(since) < 10; {
		time.Sleep(50 * time.Millisecond) // poll interval
	}
}

// acceptedSince counts the publishes started at or after since and
// answered 2xx.
func (r *faultRun) acceptedSince(since time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, p := range r.pubs {
		if p.OK && !r.spans[i][0].Before(since) {
			n++
		}
	}
	return n
}

func (r *faultRun) loseFrom()  { r.loseStart = time.Now() }
func (r *faultRun) loseUntil() { r.loseEnd = time.Now() }

// finish publishes the last price, waits for every client to read it,
// reads the stream Redis at addr holds and checks the run.
func (r *faultRun) finish(addr string, faults int) faultReport {
	t := r.t
	if len(r.spans) > 0 { // a run of publishers: the last price comes from the test
		var body bytes.Buffer
		fmt.Fprintf(&body, `{"symbol":"END","price":%s}`, stock.PriceFromCents(endCents))
		if p := r.post(rand.New(rand.NewPCG(0, 0)), streamtest.Publish{Cents: []int64{endCents}}, body.Bytes(), true); !p.OK {
			t.Fatalf("the last price was not published: %v", r.ctx.Err())
		}
	}
	connects, err := r.clients.WaitDone()
	if err != nil {
		t.Fatalf("a client: %v", err)
	}
	for i, span := range r.spans { // a publish that overlaps the loss may be lost
		r.pubs[i].Unsafe = !r.loseStart.IsZero() && span[0].Before(r.loseEnd) && span[1].After(r.loseStart)
	}
	frames := make([][]streamtest.Frame, len(r.clients.Clients))
	for i, c := range r.clients.Clients {
		frames[i] = c.Frames
	}
	f, err := streamtest.CheckRun(readStream(t, addr), r.pubs, frames)
	if err != nil {
		t.Fatalf("check: %v (%+v)", err, f)
	}
	return faultReport{Figures: f, faults: faults, reconnects: connects - len(frames), failed: int(r.failed.Load())}
}

// readStream returns every event of the stream the Redis at addr holds.
func readStream(t *testing.T, addr string) []streamtest.Entry {
	t.Helper()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr})
	defer rdb.Close()
	msgs, err := rdb.XRange(context.Background(), redis.DefaultPrefix+"events", "-", "+").Result()
	if err != nil {
		t.Fatalf("xrange: %v", err)
	}
	out := make([]streamtest.Entry, len(msgs))
	for i, m := range msgs {
		id, _, _ := strings.Cut(m.ID, "-")
		out[i].ID, _ = strconv.ParseUint(id, 10, 64)
		p, err := stock.ParsePrice(fmt.Sprint(m.Values["p"]))
		if err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		out[i].Cents = p.Micros() / 10_000
	}
	return out
}
