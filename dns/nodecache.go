package dns

import (
	"net/netip"
	"sync"
	"time"
)

// DefaultNodeLocalAddr is the link-local address NodeLocal DNSCache listens
// on.
var DefaultNodeLocalAddr = netip.MustParseAddr("169.254.20.10")

// NodeCache is NodeLocal DNSCache on one node: a CoreDNS cache that pods
// reach at DefaultNodeLocalAddr (and, in its transparent setup, at the DNS
// service's IP, which it intercepts). Names in the cluster's zones are
// forwarded to the cluster DNS; others go straight to the outside world, as
// the node-local-dns Corefile does. Entries age on the virtual clock passed
// to Query: successes are kept at most 30 s, denials at most 5 s in the
// cluster zone and 30 s elsewhere, SERVFAIL 5 s, and never less than 5 s;
// a hit is authoritative and carries the remaining TTL on every record, as
// CoreDNS's cache serves it.
//
// The cluster DNS sees the node's address as the source, so autopath does
// not apply behind the cache.
type NodeCache struct {
	Addr   netip.Addr
	NodeIP netip.Addr

	mu     sync.Mutex
	items  map[cacheKey]cacheItem
	hits   uint64
	misses uint64
}

type cacheKey struct {
	name  string
	qtype uint16
}

type cacheItem struct {
	reply  Reply
	stored time.Time
	ttl    time.Duration
}

// NewNodeCache returns an empty cache for the node with address nodeIP.
func NewNodeCache(nodeIP netip.Addr) *NodeCache {
	return &NodeCache{Addr: DefaultNodeLocalAddr, NodeIP: nodeIP, items: map[cacheKey]cacheItem{}}
}

// Stats returns the number of hits and misses so far.
func (c *NodeCache) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// Flush empties the cache.
func (c *NodeCache) Flush() {
	c.mu.Lock()
	c.items = map[cacheKey]cacheItem{}
	c.mu.Unlock()
}

// Query answers from the cache or forwards, at virtual time now.
func (c *NodeCache) Query(s *Server, name string, qtype uint16, now time.Time) Reply {
	ni := scanName(name)
	if !ni.valid {
		return Reply{Question: Question{Name: name, Type: qtype}, Rcode: RcodeFormatError}
	}
	qname := fqdn(name)
	k := cacheKey{lowerASCII(qname), qtype}
	c.mu.Lock()
	it, ok := c.items[k]
	left := int64(0)
	if ok && !now.Before(it.stored) {
		left = int64(it.ttl/time.Second) - int64(now.Sub(it.stored)/time.Second)
	}
	if left > 0 {
		c.hits++
		c.mu.Unlock()
		r := it.reply
		r.Question = Question{Name: qname, Type: qtype}
		r.Authoritative = true
		r.Answer = withTTL(r.Answer, uint32(left))
		r.Authority = withTTL(r.Authority, uint32(left))
		r.Additional = withTTL(r.Additional, uint32(left))
		r.Latency = costCacheHit
		r.Note = noteCacheHit
		return r
	}
	c.misses++
	c.mu.Unlock()

	var r Reply
	cluster := s.matchZoneLocked(k.name) >= 0
	if cluster {
		r = s.QueryFrom(c.NodeIP, qname, qtype)
	} else {
		r = s.Upstream().Query(qname, qtype)
		r.Latency = costForward + s.cfg.UpstreamRTT
	}
	r.Latency += costCacheHit
	r.Note = "cache miss"
	ttl := cacheTTL(r, cluster)
	if ttl > 0 {
		c.mu.Lock()
		c.items[k] = cacheItem{reply: r, stored: now, ttl: ttl}
		c.mu.Unlock()
	}
	return r
}

func (s *Server) matchZoneLocked(lname string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.matchZone(lname)
}

// cacheTTL is how long CoreDNS's cache keeps a reply: the smallest TTL in
// it, clamped to [5s, cap].
func cacheTTL(r Reply, clusterZone bool) time.Duration {
	const minTTL = 5 * time.Second
	success, denial := 30*time.Second, 30*time.Second
	if clusterZone {
		denial = 5 * time.Second
	}
	var d time.Duration
	switch {
	case r.Rcode == RcodeServerFailure:
		return 5 * time.Second
	case r.Rcode == RcodeSuccess && len(r.Answer) > 0:
		d = min(minRRTTL(r), success)
	case r.Rcode == RcodeSuccess || r.Rcode == RcodeNameError:
		if len(r.Authority) == 0 {
			d = minTTL
		} else {
			d = minRRTTL(r)
		}
		d = min(d, denial)
	default:
		return 0
	}
	return max(d, minTTL)
}

func minRRTTL(r Reply) time.Duration {
	m := time.Hour
	for _, sec := range [][]RR{r.Answer, r.Authority, r.Additional} {
		for _, rr := range sec {
			if d := time.Duration(rr.TTL) * time.Second; d < m {
				m = d
			}
		}
	}
	return m
}

func withTTL(rrs []RR, ttl uint32) []RR {
	if len(rrs) == 0 {
		return rrs
	}
	out := make([]RR, len(rrs))
	copy(out, rrs)
	for i := range out {
		out[i].TTL = ttl
	}
	return out
}
