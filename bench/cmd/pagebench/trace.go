package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// traceCategories are the trace categories that hold the main thread's
// tasks and the page's HTML parsing, as Lighthouse reads them.
var traceCategories = []string{"toplevel", "devtools.timeline"}

// traceEvent is an event of a Chromium trace.
type traceEvent struct {
	Name string  `json:"name"`
	Ph   string  `json:"ph"`
	Dur  float64 `json:"dur"`  // microseconds
	Tdur float64 `json:"tdur"` // microseconds of the thread's CPU time
	Pid  int     `json:"pid"`
	Tid  int     `json:"tid"`
	Args struct {
		Name      string `json:"name"` // of a thread_name event
		BeginData struct {
			URL string `json:"url"`
		} `json:"beginData"`
	} `json:"args"`
}

// trace is a Chromium trace being recorded.
type trace struct {
	mu     sync.Mutex
	events []traceEvent
	done   chan struct{}
	cancel context.CancelFunc // ends the listening
}

// startTrace starts recording the browser's trace.
func startTrace(ctx context.Context) (*trace, error) {
	lctx, cancel := context.WithCancel(ctx)
	t := &trace{done: make(chan struct{}), cancel: cancel}
	err := chromedp.Listen(lctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			t.mu.Lock()
			for _, v := range ev.Value {
				var e traceEvent
				if json.Unmarshal([]byte(v), &e) == nil {
					t.events = append(t.events, e)
				}
			}
			t.mu.Unlock()
		case *tracing.EventTracingComplete:
			close(t.done)
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, tracing.Start, tracing.StartParams{
			TransferMode: tracing.StartTransferModeReportEvents,
			TraceConfig:  &tracing.TraceConfig{IncludedCategories: traceCategories},
		})
	}
	if err != nil {
		cancel()
		return nil, err
	}
	return t, nil
}

// stop ends the recording and returns its events.
func (t *trace) stop(ctx context.Context) ([]traceEvent, error) {
	defer t.cancel()
	if _, err := chromedp.Call(ctx, tracing.End, cdp.Empty{}); err != nil {
		return nil, err
	}
	select {
	case <-t.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.events, nil
}

// longestTask returns the longest task of the main thread of the renderer
// that parsed the page at url, in milliseconds: the longest by the wall
// clock, and the longest by the thread's CPU time. On a machine busy with
// other work the first includes the time the thread waited for a core; the
// second is what the task cost.
func longestTask(events []traceEvent, url string) (wall, cpu float64, err error) {
	pid := -1
	for _, e := range events {
		if e.Name == "ParseHTML" && strings.HasPrefix(e.Args.BeginData.URL, url) {
			pid = e.Pid
		}
	}
	tid := -1
	for _, e := range events {
		if e.Ph == "M" && e.Name == "thread_name" && e.Pid == pid && e.Args.Name == "CrRendererMain" {
			tid = e.Tid
		}
	}
	if tid < 0 {
		return 0, 0, errors.New("no main thread of the page in the trace")
	}
	for _, e := range events {
		if e.Pid == pid && e.Tid == tid && e.Ph == "X" && (e.Name == "RunTask" || e.Name == "ThreadControllerImpl::RunTask") {
			wall, cpu = max(wall, e.Dur/1000), max(cpu, e.Tdur/1000)
		}
	}
	return wall, cpu, nil
}
