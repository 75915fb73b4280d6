package clientip_test

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stockstream/stockstream/backend/clientip"
)

func mustProxies(t testing.TB, list string) clientip.Proxies {
	t.Helper()
	p, err := clientip.ParseProxies(list)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseProxies(t *testing.T) {
	p := mustProxies(t, " 10.0.0.0/8, fd00::/8,192.0.2.7 ,::ffff:198.51.100.0/120")
	if p.Len() != 4 {
		t.Fatalf("Len = %d, want 4", p.Len())
	}
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"10.1.2.3", true}, {"11.0.0.1", false}, {"fd00::1", true}, {"fe80::1", false},
		{"192.0.2.7", true}, {"192.0.2.8", false}, {"::ffff:10.0.0.1", true},
		{"198.51.100.9", true}, {"198.51.101.9", false},
	} {
		if got := p.Trusts(netip.MustParseAddr(c.addr)); got != c.want {
			t.Errorf("Trusts(%s) = %v, want %v", c.addr, got, c.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "nonsense", "10.0.0.0/8,x", "1.2.3.4:80"} {
		if _, err := clientip.ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) accepted", bad)
		}
	}
	if p := mustProxies(t, ""); p.Len() != 0 {
		t.Errorf("empty list trusts %d networks", p.Len())
	}
}

func TestClient(t *testing.T) {
	p := mustProxies(t, "10.0.0.0/8,2001:db8:ffff::/48")
	for _, c := range []struct {
		name   string
		remote string
		xff    []string
		want   string
	}{
		{"no proxy: the peer", "203.0.113.5:4000", nil, "203.0.113.5"},
		{"untrusted peer: its header is ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer without header: the peer", "10.0.0.1:4000", nil, "10.0.0.1"},
		{"trusted peer: the hop it added", "10.0.0.1:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left-hand hops buy nothing", "10.0.0.1:4000", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"trusted hops are skipped from the right", "10.0.0.1:4000", []string{"1.1.1.1, 198.51.100.1, 10.9.9.9, 10.8.8.8"}, "198.51.100.1"},
		{"several lines are one list", "10.0.0.1:4000", []string{"1.1.1.1, 198.51.100.1", "10.9.9.9"}, "198.51.100.1"},
		{"the last line is the right-most", "10.0.0.1:4000", []string{"10.9.9.9", "198.51.100.1"}, "198.51.100.1"},
		{"every hop trusted: the left-most", "10.0.0.1:4000", []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1"},
		{"a hop that is not an IP ends the walk and counts", "10.0.0.1:4000", []string{"198.51.100.1, unknown, 10.2.2.2"}, "hop:unknown"},
		{"empty entries are no hops", "10.0.0.1:4000", []string{" , 198.51.100.1 ,, "}, "198.51.100.1"},
		{"a hop with a port", "10.0.0.1:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"an IPv6 hop in brackets with a port, per /64", "10.0.0.1:4000", []string{"[2001:db8:1:2::9]:443"}, "2001:db8:1:2::/64"},
		{"IPv6 clients are counted per /64", "[2001:db8:1:2:aaaa::1]:4000", nil, "2001:db8:1:2::/64"},
		{"a mapped IPv4 peer is IPv4", "[::ffff:203.0.113.5]:4000", nil, "203.0.113.5"},
		{"a trusted IPv6 proxy", "[2001:db8:ffff:1::1]:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"not an IP connection", "@", []string{"198.51.100.1"}, "@"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/stocks", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := p.Client(r); got != c.want {
				t.Errorf("Client = %q, want %q", got, c.want)
			}
		})
	}
}

func TestClientKeysNonAddressHopsBriefly(t *testing.T) {
	p := mustProxies(t, "10.0.0.0/8")
	got := p.ForwardedClient(netip.MustParseAddr("10.0.0.1"), []string{strings.Repeat("x", 5000)})
	if len(got) > 80 {
		t.Errorf("key of a long hop is %d bytes", len(got))
	}
}

func TestSecure(t *testing.T) {
	p := mustProxies(t, "10.0.0.0/8")
	for _, c := range []struct {
		name   string
		remote string
		tls    bool
		proto  []string
		want   bool
	}{
		{"plain HTTP", "203.0.113.5:1", false, nil, false},
		{"TLS", "203.0.113.5:1", true, nil, true},
		{"untrusted peer claiming https", "203.0.113.5:1", false, []string{"https"}, false},
		{"trusted proxy over https", "10.0.0.1:1", false, []string{"https"}, true},
		{"trusted proxy, any case", "10.0.0.1:1", false, []string{"HTTPS"}, true},
		{"trusted proxy over http", "10.0.0.1:1", false, []string{"http"}, false},
		{"trusted proxy chain with https", "10.0.0.1:1", false, []string{"https, http"}, true},
		{"trusted proxy without the header", "10.0.0.1:1", false, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/session", nil)
			r.RemoteAddr = c.remote
			if c.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for _, v := range c.proto {
				r.Header.Add("X-Forwarded-Proto", v)
			}
			if got := p.Secure(r); got != c.want {
				t.Errorf("Secure = %v, want %v", got, c.want)
			}
		})
	}
}

// FuzzForwardedClient checks that any X-Forwarded-For yields a short key
// without a panic, that the key is the peer's when the header holds no hop,
// and that hops left of an untrusted address never change the key.
func FuzzForwardedClient(f *testing.F) {
	for _, s := range []string{"", "1.2.3.4", "1.1.1.1, 2.2.2.2", "unknown", "[::1]:80, 10.0.0.1", ",,,", "2001:db8::1%eth0", "::ffff:10.0.0.1"} {
		f.Add(s, "198.51.100.1")
	}
	p, _ := clientip.ParseProxies("10.0.0.0/8,fd00::/8")
	peer := netip.MustParseAddr("10.0.0.1")
	f.Fuzz(func(t *testing.T, left, right string) {
		got := p.ForwardedClient(peer, []string{left, right})
		if got == "" || len(got) > 80 {
			t.Fatalf("key %q", got)
		}
		if strings.Trim(left+right, " \t,") == "" && got != "10.0.0.1" {
			t.Fatalf("no hop: key %q, want the peer", got)
		}
		if a, err := netip.ParseAddr(strings.TrimSpace(right)); err == nil && !strings.Contains(right, ",") && !p.Trusts(a) {
			if got2 := p.ForwardedClient(peer, []string{"9.9.9.9", right}); got2 != got {
				t.Fatalf("left-hand hops changed the key: %q vs %q", got, got2)
			}
		}
	})
}
