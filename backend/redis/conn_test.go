package redis

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	single, err := parseURL("redis://:pw@10.0.0.1:6380/2")
	if err != nil || single.single == nil || single.single.Addr != "10.0.0.1:6380" || single.single.DB != 2 || single.single.Password != "pw" || single.dialTimeout != 2*time.Second {
		t.Fatalf("redis:// parsed as %+v, %v", single, err)
	}
	sentinel, err := parseURL("redis-sentinel://s1:26379/1?master_name=prices&addr=s2:26379&password=pw&dial_timeout=5s")
	o := sentinel.failover
	if err != nil || o == nil || o.MasterName != "prices" || !slices.Equal(o.SentinelAddrs, []string{"s1:26379", "s2:26379"}) ||
		o.DB != 1 || o.Password != "pw" || sentinel.dialTimeout != 5*time.Second || sentinel.tls != nil {
		t.Fatalf("redis-sentinel:// parsed as %+v, %v", o, err)
	}
	if tls, err := parseURL("rediss-sentinel://s1:26379/0?master_name=m"); err != nil || tls.tls == nil {
		t.Fatalf("rediss-sentinel:// parsed as %+v, %v: want TLS", tls, err)
	}
	for url, want := range map[string]string{
		"redis-sentinel://s1:26379/0":                       "master_name",
		"redis-sentinel://s1:26379/0?master_name=":          "master_name",
		"redis-sentinel://s1:26379/0?master_name=m&bogus=1": "unexpected option",
		"http://h:1/0": "invalid URL scheme",
	} {
		if _, err := parseURL(url); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %q", url, err, want)
		}
	}
	for _, c := range []*target{&single, &sentinel} {
		cl := c.client(0, nil)
		if n := cl.Options().MaxRetries; n != 0 { // go-redis reads -1 as none, and 0 as 3
			t.Errorf("a client of %+v retries %d times: a publish must never be retried by the client library", c, n)
		}
		cl.Close()
	}
}
