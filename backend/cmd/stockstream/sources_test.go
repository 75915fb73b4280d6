package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/shared/client"
	"github.com/stockstream/stockstream/shared/pricefile/pricefiletest"
)

// TestPublishDryRunOfEverySource runs publish --dry-run, with no server,
// on a file of each common source: it names the format and columns found,
// the prices and their first and last timestamps, and publishes nothing.
func TestPublishDryRunOfEverySource(t *testing.T) {
	for _, s := range pricefiletest.Sources {
		t.Run(s.Name, func(t *testing.T) {
			file := writeFile(t, s.File, []byte(s.Data))
			code, out, errOut := runCLI(context.Background(), "", nil, append(append([]string{"publish", "--dry-run"}, s.Args()...), file)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			first, last := strings.Fields(s.Want[0])[2], strings.Fields(s.Want[len(s.Want)-1])[2]
			for _, want := range []string{s.Layout, fmt.Sprintf("would publish %d prices", len(s.Want)), first, last, "nothing was published"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry run lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestPublishEverySource publishes a file of each common source to a real
// server and reads the stream: every price arrives, exactly as written,
// oldest first, with its timestamp.
func TestPublishEverySource(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false", "--log-level", "warn")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	updates := make(chan string, 100)
	subscribed := make(chan struct{})
	go func() {
		for m, err := range client.Subscribe(ctx, srv.base, client.Options{}) {
			if err != nil {
				return
			}
			if m.Kind == client.Snapshot {
				close(subscribed)
				continue
			}
			e := m.Event
			updates <- fmt.Sprintf("%s %s %s", e.Symbol, e.Price, e.Timestamp.Format(time.RFC3339Nano))
		}
	}()
	select {
	case <-subscribed:
	case <-ctx.Done():
		t.Fatal("no stream")
	}
	for _, s := range pricefiletest.Sources {
		file := writeFile(t, s.File, []byte(s.Data))
		code, _, errOut := runCLI(ctx, "", nil, append(append([]string{"publish", "--to", srv.base, "--token", token}, s.Args()...), file)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", s.Name, code, errOut)
		}
		for i, want := range s.Want {
			select {
			case got := <-updates:
				if got != want {
					t.Fatalf("%s: event %d is %q, want %q", s.Name, i, got, want)
				}
			case <-ctx.Done():
				t.Fatalf("%s: event %d never came", s.Name, i)
			}
		}
	}
	select {
	case extra := <-updates:
		t.Fatalf("an event too many: %s", extra)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestPublishRefusesAHalfValidFile: a file whose last row is bad publishes
// nothing, though its first 12,000 rows would fill batches, and the error
// names the file, the line and the column.
func TestPublishRefusesAHalfValidFile(t *testing.T) {
	srv := startServe(t, "127.0.0.1:0", "--simulator=false")
	var b strings.Builder
	b.WriteString("Date,Close/Last\n")
	day := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 12000 {
		fmt.Fprintf(&b, "%s,$%d.25\n", day.AddDate(0, 0, i).Format("01/02/2006"), 100+i%50)
	}
	b.WriteString("13/01/2023,$1.00\n")
	code, out, errOut := runCLI(context.Background(), "", nil, "publish", "--to", srv.base, "--token", token, "--symbol", "X", writeFile(t, "x.csv", []byte(b.String())))
	if code != exitError || !strings.Contains(errOut, "x.csv:12002:1: date \"13/01/2023\": want a date such as 2024-01-02") || !strings.Contains(errOut, "nothing was published") || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := published(t, srv.base); n != 0 {
		t.Fatalf("%d prices of a refused file were published", n)
	}
}
