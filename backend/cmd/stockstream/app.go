package main

import (
	"log/slog"
	"net/http"

	"github.com/stockstream/stockstream/backend/pwa"
)

// appHandler returns the PWA handler served for every non-API path, built
// from the assets embedded in the binary. Without a frontend build it still
// serves a page that says how to build one, and the log says so too.
func appHandler(log *slog.Logger) http.Handler {
	if err := pwa.Built(); err != nil {
		log.Warn("dashboard not built: run make build", "err", err)
	}
	return pwa.Handler()
}
