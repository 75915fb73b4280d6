package config_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/config"
	"github.com/stockstream/stockstream/shared/client"
)

func TestParseToken(t *testing.T) {
	tok, err := config.ParseToken([]string{"--symbols", "aapl,MSFT", "--ttl", "2h"}, env(map[string]string{"STOCKSTREAM_SUBSCRIBE_KEY": key}), io.Discard)
	if err != nil || string(tok.Key) != key || !slices.Equal(tok.Symbols, []string{"AAPL", "MSFT"}) || tok.TTL != 2*time.Hour {
		t.Fatalf("token %+v, %v", tok, err)
	}
	tok, err = config.ParseToken([]string{"--subscribe-key-file", writeFile(t, "key", key+"\n"), "--symbols", " * "}, noEnv, io.Discard)
	if err != nil || string(tok.Key) != key || !slices.Equal(tok.Symbols, []string{access.AllSymbols}) || tok.TTL != time.Hour {
		t.Fatalf("token of every symbol for the default hour: %+v, %v", tok, err)
	}
	_, err = config.ParseToken([]string{"extra", "--ttl", "0s"}, noEnv, io.Discard)
	for _, want := range []string{`unexpected argument "extra"`, "the server's subscriber key is required", "--symbols: name the symbols", "--ttl: 0s is out of range 1s..87600h0m0s"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

func TestParseWatch(t *testing.T) {
	w, err := config.ParseWatch(nil, noEnv, io.Discard)
	if err != nil || w.URL != config.DefaultServer || w.JSON || w.Options.ReadTimeout != client.DefaultReadTimeout || w.Options.Token != nil {
		t.Fatalf("defaults %+v, %v", w, err)
	}
	w, err = config.ParseWatch([]string{"localhost:9000", "--json", "--symbols", "aapl", "--conflate", "250ms", "--from", "42"},
		env(map[string]string{"STOCKSTREAM_TOKEN": " tok "}), io.Discard)
	if err != nil || w.URL != "http://localhost:9000" || !w.JSON || !slices.Equal(w.Options.Symbols, []string{"AAPL"}) ||
		w.Options.Conflate != 250*time.Millisecond || w.Options.LastEventID != "42" {
		t.Fatalf("watch %+v, %v", w, err)
	}
	if tok, err := w.Options.Token(context.Background()); tok != "tok" || err != nil {
		t.Fatalf("token %q, %v", tok, err)
	}
}

func TestParsePublish(t *testing.T) {
	p, err := config.ParsePublish([]string{"a.csv", "--to", "localhost:8080", "b.csv", "--token-file", writeFile(t, "t", "secret\n")}, noEnv, io.Discard)
	if err != nil || p.To != "http://localhost:8080" || p.Token != "secret" || !slices.Equal(p.Files, []string{"a.csv", "b.csv"}) || p.RetryFor != 2*time.Minute || p.Read.Location.String() != "America/New_York" {
		t.Fatalf("publish %+v, %v", p, err)
	}
	// A dry run needs neither server nor token.
	p, err = config.ParsePublish([]string{"--dry-run", "-"}, noEnv, io.Discard)
	if err != nil || !p.DryRun || p.To != "" {
		t.Fatalf("dry run %+v, %v", p, err)
	}
}
