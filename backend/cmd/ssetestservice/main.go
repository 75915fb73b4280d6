// Command ssetestservice is the test service of LaunchDarkly's SSE client
// conformance suite (github.com/launchdarkly/sse-contract-tests) around the
// Go client's resuming stream, client.Stream: the suite creates streams
// through it, feeds them from its own SSE endpoints and checks what the
// client reports through callbacks. `make sse-contract` runs the suite
// against it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8111", "listen address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	svc := newService(stop)
	defer svc.closeAll()
	srv := &http.Server{Addr: *addr, Handler: svc}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintf(os.Stderr, "ssetestservice: listening on %s\n", *addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
