package feed_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockstream/stockstream/backend"
	"github.com/stockstream/stockstream/backend/feed"
	"github.com/stockstream/stockstream/shared/pricefile"
	"github.com/stockstream/stockstream/shared/stock"
)

// batchRecorder is a Publisher that records each batch and when it came.
type batchRecorder struct {
	mu      sync.Mutex
	batches [][]stock.Quote
	at      []time.Time
	refuse  error
}

func (r *batchRecorder) Publish(_ context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse != nil {
		return nil, r.refuse
	}
	r.batches = append(r.batches, append([]stock.Quote(nil), req.Quotes...))
	r.at = append(r.at, time.Now())
	return nil, nil
}

func source(name, data string) feed.Source {
	return feed.Source{Name: name, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(data)), nil }}
}

// load loads sources, failing the test on an error.
func load(t *testing.T, sources ...feed.Source) []*pricefile.File {
	t.Helper()
	files, err := feed.Load(context.Background(), sources, pricefile.Options{Location: time.UTC}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, f := range files {
			f.Close()
		}
	})
	return files
}

func TestReplayPacesByTheFileTimestamps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &batchRecorder{}
		r := &feed.Replay{Speed: 60, Files: load(t,
			source("a.csv", "symbol,date,price\nAAPL,2024-01-02T10:00:00Z,1\nAAPL,2024-01-02T10:01:00Z,2\nAAPL,2024-01-02T10:03:00Z,3\n"),
			source("m.csv", "symbol,date,price\nMSFT,2024-01-02T10:00:00Z,7\nMSFT,2024-01-02T10:02:00Z,8\n"),
		)}
		start := time.Now()
		st, err := r.Run(t.Context(), rec)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, b := range rec.batches {
			s := fmt.Sprintf("%s:", rec.at[i].Sub(start))
			for _, q := range b {
				s += " " + q.Symbol + "=" + q.Price.String()
			}
			got = append(got, s)
		}
		want := "0s: AAPL=1 MSFT=7|1s: AAPL=2|2s: MSFT=8|3s: AAPL=3"
		if strings.Join(got, "|") != want {
			t.Fatalf("batches %q, want %q", strings.Join(got, "|"), want)
		}
		if rec.batches[0][0].Timestamp != time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC) {
			t.Errorf("the file's timestamps are kept: %v", rec.batches[0][0].Timestamp)
		}
		if st.Prices != 5 || len(st.Symbols) != 2 || st.Last != time.Date(2024, 1, 2, 10, 3, 0, 0, time.UTC) {
			t.Errorf("stats %+v", st)
		}
	})
}

func TestReplayAtMaxSpeedFillsBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("symbol,date,price\n")
	for i := 1; i <= 12000; i++ {
		fmt.Fprintf(&b, "S%d,2024-01-02,%d\n", i%7, i)
	}
	rec := &batchRecorder{}
	st, err := (&feed.Replay{Speed: feed.Max, Files: load(t, source("big.csv", b.String()))}).Run(t.Context(), rec)
	if err != nil || st.Prices != 12000 {
		t.Fatalf("%d prices, %v", st.Prices, err)
	}
	var sizes []int
	for _, b := range rec.batches {
		sizes = append(sizes, len(b))
	}
	if fmt.Sprint(sizes) != "[5000 5000 2000]" {
		t.Fatalf("batch sizes %v", sizes)
	}
}

func TestReplayLoopStampsNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 250*time.Second)
		defer cancel()
		rec := &batchRecorder{}
		r := &feed.Replay{Speed: 1, Loop: true, Now: true, Files: load(t,
			source("AAPL.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02T00:00:00Z,1,1,1,1,1,1\n2024-01-02T00:01:00Z,1,1,1,2,1,1\n"),
		)}
		_, err := r.Run(ctx, rec)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a loop ends with its context, got %v", err)
		}
		// Rounds of 60s: prices at 0, 60, 60, 120, 120, 180, 180, 240, 240.
		if len(rec.batches) != 9 {
			t.Fatalf("%d batches, want 9", len(rec.batches))
		}
		for i := 1; i < len(rec.batches); i++ {
			prev, q := rec.batches[i-1][0], rec.batches[i][0]
			if q.Timestamp.Before(prev.Timestamp) || !q.Timestamp.Equal(rec.at[i].UTC()) {
				t.Fatalf("batch %d stamped %v after %v, published at %v", i, q.Timestamp, prev.Timestamp, rec.at[i])
			}
		}
	})
}

// itemErr is a refusal of one item of a batch.
type itemErr int

func (e itemErr) Error() string { return fmt.Sprintf("item %d: refused", int(e)) }
func (e itemErr) Item() int     { return int(e) }

func TestReplayErrorsNameFileAndLine(t *testing.T) {
	good := "symbol,date,price\nA,2024-01-02,1\nB,2024-01-02,2\n"
	for name, c := range map[string]struct {
		pub  error
		want string
	}{
		"refused item":  {itemErr(1), "p.csv:3: item 1: refused"},
		"refused batch": {errors.New("401"), "401"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := (&feed.Replay{Files: load(t, source("p.csv", good))}).Run(t.Context(), &batchRecorder{refuse: c.pub})
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	if _, err := (&feed.Replay{Loop: true, Files: load(t, source("e.csv", "symbol,date,price\n"))}).Run(t.Context(), &batchRecorder{}); err == nil {
		t.Fatal("looping over empty files must fail, not spin")
	}
}

// loadLog is a LoadProgress that writes down what it is told.
type loadLog struct{ calls []string }

func (l *loadLog) Start(name string, size int64) {
	l.calls = append(l.calls, fmt.Sprintf("start %s %d", name, size))
}
func (l *loadLog) Read(bytes int64, rows int) {
	l.calls = append(l.calls, fmt.Sprintf("read %d %d", bytes, rows))
}
func (l *loadLog) Done(f *pricefile.File, err error) {
	if err != nil {
		l.calls = append(l.calls, "refused "+err.Error())
		return
	}
	l.calls = append(l.calls, fmt.Sprintf("done %s %d", f.Summary.Name, f.Summary.Quotes))
}

// TestLoadRefusesBeforePublishing: every file is read in full first; one
// bad row anywhere refuses the load, naming the file, line and column.
func TestLoadRefusesBeforePublishing(t *testing.T) {
	good := "symbol,date,price\nA,2024-01-02,1\nB,2024-01-02,2\n"
	cases := map[string]struct {
		src  feed.Source
		want string
	}{
		"bad row":     {source("p.csv", good+"C,2024-01-02,x\n"), `p.csv:4:14: invalid price "x"`},
		"bad header":  {source("p.csv", "nope\n"), "p.csv:1:1: no date column"},
		"cannot open": {feed.Source{Name: "x", Open: func() (io.ReadCloser, error) { return nil, errors.New("open x: no such file") }}, "open x: no such file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			log := &loadLog{}
			_, err := feed.Load(t.Context(), []feed.Source{source("ok.csv", good), c.src}, pricefile.Options{}, log)
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if log.calls[0] != "start ok.csv 0" || log.calls[2] != "done ok.csv 2" {
				t.Fatalf("progress %q", log.calls)
			}
		})
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "f.csv")
	os.WriteFile(path, []byte(good), 0o644)
	log := &loadLog{}
	files, err := feed.Load(t.Context(), []feed.Source{{Name: "f.csv", Open: func() (io.ReadCloser, error) { return os.Open(path) }}}, pricefile.Options{}, log)
	if err != nil || len(files) != 1 || strings.Join(log.calls, "|") != fmt.Sprintf("start f.csv %d|read %d 2|done f.csv 2", len(good), len(good)) {
		t.Fatalf("%v: %q", err, log.calls)
	}
	files[0].Close()
}

func TestParseSpeed(t *testing.T) {
	for in, want := range map[string]feed.Speed{"max": feed.Max, "MAX": feed.Max, "60x": 60, "1x": 1, "0.5x": 0.5, "86400": 86400} {
		if got, err := feed.ParseSpeed(in); err != nil || got != want {
			t.Errorf("ParseSpeed(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "0x", "-1x", "fast", "NaNx", "1e10x", "Infx", "x"} {
		if _, err := feed.ParseSpeed(in); err == nil {
			t.Errorf("ParseSpeed(%q) accepted", in)
		}
	}
}

// outage is a Publisher that is unavailable from from to until (times
// since it was made) and records every attempt.
type outage struct {
	start, from, until time.Time
	keys               []string
	at                 []time.Duration
	ok                 []bool
}

func (o *outage) Publish(_ context.Context, req backend.PublishRequest) ([]stock.StockPriceEvent, error) {
	now := time.Now()
	down := !now.Before(o.from) && now.Before(o.until)
	o.keys, o.at, o.ok = append(o.keys, req.Key), append(o.at, now.Sub(o.start)), append(o.ok, !down)
	if down {
		return nil, fmt.Errorf("%w: connection refused", backend.ErrUnavailable)
	}
	return nil, nil
}

// TestReplayWaitsOutAnOutageUnderTheSameKey publishes four prices 10 s
// apart at 1x through a publisher that is away from 5 s to 25 s: the
// second batch is sent again under its key until it goes through, and the
// pace resumes from there, 10 s between prices, rather than catching up.
func TestReplayWaitsOutAnOutageUnderTheSameKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		pub := &outage{start: start, from: start.Add(5 * time.Second), until: start.Add(25 * time.Second)}
		r := &feed.Replay{Speed: 1, Files: load(t,
			source("a.csv", "symbol,date,price\nA,2024-01-02T10:00:00Z,1\nA,2024-01-02T10:00:10Z,2\nA,2024-01-02T10:00:20Z,3\nA,2024-01-02T10:00:30Z,4\n"),
		)}
		st, err := r.Run(t.Context(), pub)
		if err != nil || st.Prices != 4 {
			t.Fatalf("replay: %d prices, %v", st.Prices, err)
		}
		var okAt []time.Duration
		keys := map[string]int{}
		for i, ok := range pub.ok {
			keys[pub.keys[i]]++
			if ok {
				okAt = append(okAt, pub.at[i])
			}
		}
		if len(okAt) != 4 || len(keys) != 4 || keys[pub.keys[1]] != len(pub.ok)-3 || len(pub.ok) < 6 {
			t.Fatalf("%d attempts with %d keys, %d accepted: want 4 batches, the second sent again under its own key", len(pub.ok), len(keys), len(okAt))
		}
		if okAt[1] < 25*time.Second || okAt[1] > 28*time.Second {
			t.Fatalf("second batch accepted at %s, want soon after the outage ended at 25s", okAt[1])
		}
		if okAt[2]-okAt[1] != 10*time.Second || okAt[3]-okAt[2] != 10*time.Second {
			t.Fatalf("accepted at %v: the pace must resume 10s apart after the outage", okAt)
		}
	})
}
