// Package clientip tells who a request comes from when the server may sit
// behind reverse proxies: the client a per-client limit counts, and whether
// the client reached the first proxy over TLS. Only the proxies named in
// --trusted-proxies are believed; headers from anyone else are ignored, so
// a client cannot pick its own address.
package clientip

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// maxHopKey bounds the key of a hop that is not an address, so a proxy
// that forwards a long token cannot make the limiter keep long strings.
const maxHopKey = 64

// Proxies are the reverse proxies whose X-Forwarded-For and
// X-Forwarded-Proto headers are believed. The zero value trusts none.
type Proxies struct {
	nets []netip.Prefix
}

// ParseProxies reads a comma-separated list of CIDRs (10.0.0.0/8,
// fd00::/8); a bare address is a network of one address.
func ParseProxies(list string) (Proxies, error) {
	var p Proxies
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		pfx, err := parseNet(item)
		if err != nil {
			return Proxies{}, fmt.Errorf("%q is not a network like 10.0.0.0/8 or fd00::/8, nor an address", item)
		}
		p.nets = append(p.nets, pfx)
	}
	return p, nil
}

// parseNet parses a CIDR or a single address, as a masked prefix.
func parseNet(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return pfx, err
		}
		if pfx.Addr().Is4In6() && pfx.Bits() >= 96 {
			pfx = netip.PrefixFrom(pfx.Addr().Unmap(), pfx.Bits()-96)
		}
		return pfx.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Len returns how many networks are trusted.
func (p Proxies) Len() int { return len(p.nets) }

// Trusts reports whether a is the address of a trusted proxy.
func (p Proxies) Trusts(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the key under which r's client is counted: its peer
// address, or, when the peer is a trusted proxy, the right-most
// X-Forwarded-For hop that is not a trusted proxy. An IPv6 client is
// counted by its /64, since one host commonly holds a whole /64.
func (p Proxies) Client(r *http.Request) string {
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr // not an IP connection: each peer is its own client
	}
	if !p.Trusts(peer) {
		return key(peer)
	}
	return p.ForwardedClient(peer, r.Header.Values("X-Forwarded-For"))
}

// ForwardedClient returns the client key of a request that a trusted
// proxy at peer forwarded with the X-Forwarded-For header lines xff. The
// lines are one comma-separated list, walked from the right: trusted
// proxies are skipped, the first other address counts, and so does a hop
// that is not an address (it ends the walk: nothing left of it can be
// believed). When every hop is trusted, the left-most counts; with no
// hop at all, the peer does.
func (p Proxies) ForwardedClient(peer netip.Addr, xff []string) string {
	last := peer
	hops := strings.Join(xff, ",")
	for hops != "" {
		var hop string
		if i := strings.LastIndexByte(hops, ','); i >= 0 {
			hops, hop = hops[:i], hops[i+1:]
		} else {
			hops, hop = "", hops
		}
		hop = strings.TrimSpace(hop)
		if hop == "" {
			continue
		}
		a, ok := parseHop(hop)
		if !ok {
			return "hop:" + clip(hop)
		}
		if !p.Trusts(a) {
			return key(a)
		}
		last = a
	}
	return key(last)
}

// Secure reports whether r's client reached the server over TLS: r came
// over TLS, or from a trusted proxy that says X-Forwarded-Proto: https.
func (p Proxies) Secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	peer, ok := peerAddr(r.RemoteAddr)
	if !ok || !p.Trusts(peer) {
		return false
	}
	for _, line := range r.Header.Values("X-Forwarded-Proto") {
		for _, proto := range strings.Split(line, ",") {
			if strings.EqualFold(strings.TrimSpace(proto), "https") {
				return true
			}
		}
	}
	return false
}

// peerAddr parses a RemoteAddr ("1.2.3.4:5678", "[::1]:5678").
func peerAddr(remote string) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		a, err := netip.ParseAddr(remote)
		return a.Unmap().WithZone(""), err == nil
	}
	return ap.Addr().Unmap().WithZone(""), true
}

// parseHop parses one X-Forwarded-For hop: an address, with or without a
// port (some proxies add one), IPv6 in brackets or not.
func parseHop(hop string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(strings.Trim(hop, "[]")); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(hop); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// key is the client key of an address: IPv4 as it is, IPv6 by its /64.
func key(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

func clip(s string) string {
	if len(s) > maxHopKey {
		return s[:maxHopKey]
	}
	return s
}
