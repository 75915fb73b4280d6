package main

import (
	"log/slog"
	"net/http"
)

// appHandler returns the PWA handler served for every non-API path.
func appHandler(_ *slog.Logger) http.Handler { return nil }
