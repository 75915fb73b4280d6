package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/stockstream/stockstream/backend/access"
	"github.com/stockstream/stockstream/backend/clientip"
)

// Bounds of --anonymous-delay.
const (
	minAnonymousDelay = time.Second
	maxAnonymousDelay = 24 * time.Hour
)

// Readers says who may read: the subscriber key, what callers without a
// token get, and the proxies believed about who the client is.
type Readers struct {
	Key            []byte // empty: everyone reads everything live
	Anonymous      access.Mode
	AnonymousDelay time.Duration
	TrustedProxies clientip.Proxies
}

// Policy returns the access policy of the configuration.
func (r Readers) Policy() *access.Policy {
	return access.New(access.Config{Key: r.Key, Anonymous: r.Anonymous, Delay: r.AnonymousDelay})
}

// Describe says who may read, for the start-up log line; never the key.
func (r Readers) Describe() string {
	switch {
	case len(r.Key) == 0:
		return "everyone, live"
	case r.Anonymous == access.Live:
		return "token holders their symbols; anonymous callers everything live"
	case r.Anonymous == access.DelayedMode:
		return "token holders their symbols live; anonymous callers everything " + r.AnonymousDelay.String() + " late"
	}
	return "token holders only"
}

// PagesShowPrices reports whether pages are rendered with prices: live
// ones when callers without a token may read them live, delayed ones when
// they read delayed data (a page is served to anyone), none under none.
func (r Readers) PagesShowPrices() bool {
	return len(r.Key) == 0 || r.Anonymous != access.None
}

// Delayed reports whether callers without a token read delayed data.
func (r Readers) Delayed() bool {
	return len(r.Key) > 0 && r.Anonymous == access.DelayedMode
}

// keyFlags are the flags that give the subscriber key, shared by serve and
// token.
type keyFlags struct {
	key, file string
}

func (k *keyFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&k.key, "subscribe-key", "", "key that signs subscriber tokens (HS256, at least 32 bytes); empty: every caller reads everything live")
	fs.StringVar(&k.file, "subscribe-key-file", "", "read the subscriber key from this file (one trailing newline is not part of it)")
}

// read returns the key: the file's content less one trailing newline if
// a file is given, else the flag's value; nil if neither is set. The error
// never quotes the key.
func (k *keyFlags) read() ([]byte, error) {
	key := []byte(k.key)
	if k.file != "" {
		b, err := os.ReadFile(k.file)
		if err != nil {
			return nil, fmt.Errorf("--subscribe-key-file: %v", err)
		}
		text, cut := strings.CutSuffix(string(b), "\n")
		if cut {
			text = strings.TrimSuffix(text, "\r")
		}
		key = []byte(text)
	}
	if len(key) > 0 && len(key) < access.MinKeyLen {
		return nil, fmt.Errorf("--subscribe-key: %d bytes is too short for HS256: at least %d (e.g. openssl rand -hex 32)", len(key), access.MinKeyLen)
	}
	return key, nil
}

// readersFlags are serve's flags that say who may read.
type readersFlags struct {
	key            keyFlags
	anonymous      string
	anonymousDelay time.Duration
	trustedProxies string
}

func (r *readersFlags) define(fs *flag.FlagSet) {
	r.key.define(fs)
	fs.StringVar(&r.anonymous, "anonymous", "live", "what callers without a token read (with --subscribe-key): live, delayed (every event --anonymous-delay late) or none (401)")
	fs.DurationVar(&r.anonymousDelay, "anonymous-delay", 15*time.Minute, "how late --anonymous delayed readers get each event, 1s to 24h")
	fs.StringVar(&r.trustedProxies, "trusted-proxies", "", "CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed, comma-separated")
}

// finish validates the flags into c.
func (r *readersFlags) finish(c *Readers) error {
	var errs []error
	var err error
	if c.Key, err = r.key.read(); err != nil {
		errs = append(errs, err)
	}
	if c.Anonymous, err = access.ParseMode(r.anonymous); err != nil {
		errs = append(errs, fmt.Errorf("--anonymous: %v", err))
	} else if c.Anonymous != access.Live && len(c.Key) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("--anonymous %s: needs --subscribe-key (without it every caller reads everything live)", r.anonymous))
	}
	c.AnonymousDelay = r.anonymousDelay
	if d := r.anonymousDelay; d < minAnonymousDelay || d > maxAnonymousDelay {
		errs = append(errs, fmt.Errorf("--anonymous-delay: %s is out of range 1s..24h", d))
	}
	if c.TrustedProxies, err = clientip.ParseProxies(r.trustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %v", err))
	}
	return errors.Join(errs...)
}
