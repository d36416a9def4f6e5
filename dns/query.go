package dns

import (
	"net/netip"
	"slices"
	"time"
)

const (
	noteUpstream = "upstream"
	noteAutopath = "autopath"
	noteCacheHit = "cache hit"
)

func dur(ns int64) time.Duration { return time.Duration(ns) }

// Query answers one question as the cluster DNS would for a client that is
// not a pod (autopath never applies). name is matched case-insensitively and
// echoed as spelled; a name without a trailing dot is taken as fully
// qualified. A malformed name (an empty label, a label over 63 octets, more
// than 255 octets on the wire) gets FORMERR.
//
// For a lower-case, fully qualified name that the cluster publishes, Query
// does not allocate: the reply's slices are views into prebuilt answers.
func (s *Server) Query(name string, qtype uint16) Reply {
	return s.QueryFrom(netip.Addr{}, name, qtype)
}

// QueryFrom answers a question sent from client, the source address CoreDNS
// sees. With autopath on, a query from a running pod is completed along the
// pod's search path on the server.
func (s *Server) QueryFrom(client netip.Addr, name string, qtype uint16) Reply {
	canon := canonicalName(name)
	var ni nameInfo
	if canon {
		ni = nameInfo{valid: true, lower: true, fqdn: true}
	} else {
		ni = scanName(name)
		if !ni.valid {
			return Reply{Question: Question{Name: name, Type: qtype}, Rcode: RcodeFormatError}
		}
	}
	s.mu.RLock()
	autopath := client.IsValid() && s.cfg.AutoPath && s.cfg.Pods == PodsVerified
	if canon && !autopath {
		// the prebuilt answers: see fast.go
		if e := s.names[name]; e != nil {
			if res := e.slot(qtype); res != nil && res.rcode == RcodeSuccess && (e.upGen == 0 || e.upGen == s.up.Gen()) {
				var auth []RR
				if len(res.answer) == 0 {
					auth = s.soa[e.zi]
				}
				s.mu.RUnlock()
				if s.cfg.LoadBalance != nil {
					return s.shuffle(Reply{Question: Question{Name: name, Type: qtype}, Authoritative: true,
						Answer: res.answer, Authority: auth, Additional: res.extra, Latency: res.lat})
				}
				return Reply{Question: Question{Name: name, Type: qtype}, Authoritative: true,
					Answer: res.answer, Authority: auth, Additional: res.extra, Latency: res.lat}
			}
		}
	}
	qname := name
	if !ni.fqdn {
		qname = name + "."
	}
	lname := qname
	if !ni.lower {
		lname = lowerASCII(qname)
	}
	var r Reply
	s.dispatch(qname, lname, qtype, client, 0, &r)
	s.mu.RUnlock()
	if s.cfg.LoadBalance != nil {
		r = s.shuffle(r)
	}
	return r
}

// dispatch routes a question through the plugin chain: autopath, the
// kubernetes plugin for its zones, the forwarder for the rest. The caller
// holds the read lock.
func (s *Server) dispatch(qname, lname string, qtype uint16, client netip.Addr, depth int, out *Reply) {
	zi := s.matchZone(lname)
	if zi < 0 {
		s.forward(qname, lname, qtype, out)
		return
	}
	if client.IsValid() && s.cfg.AutoPath && s.cfg.Pods == PodsVerified && depth == 0 {
		if s.autopath(qname, lname, qtype, client, zi, depth, out) {
			return
		}
	}
	s.serveZone(qname, lname, qtype, zi, depth, out)
}

// serveZone is the chain after autopath: the kubernetes plugin, then the
// forwarder if it falls through.
func (s *Server) serveZone(qname, lname string, qtype uint16, zi, depth int, out *Reply) {
	if zi < 0 {
		s.forward(qname, lname, qtype, out)
		return
	}
	z := s.zones[zi]
	q := request{qname: qname, lname: lname, qtype: qtype, zone: qname[len(qname)-len(z):], lzone: z, zi: zi}
	if z == "." {
		q.zone = "."
	}
	if s.kubernetes(&q, depth, out) {
		s.forward(qname, lname, qtype, out)
		return
	}
	out.Question = Question{Name: qname, Type: qtype}
}

// forward asks the outside world, as CoreDNS's forward plugin does.
func (s *Server) forward(qname, lname string, qtype uint16, out *Reply) {
	*out = s.up.query(qname, lname, qtype)
	out.Latency += costForward + s.cfg.UpstreamRTT
	out.Note = noteUpstream
}

// autopath is CoreDNS's autopath plugin with the kubernetes plugin's search
// path: for a query under the client pod's first search domain it tries the
// base name under each search domain and then alone, and returns the first
// answer that is not NXDOMAIN, with a CNAME from the asked name prepended.
func (s *Server) autopath(qname, lname string, qtype uint16, client netip.Addr, zi, depth int, out *Reply) bool {
	var p *pod
	for _, c := range s.podsByIP[client.Unmap()] {
		if c.running {
			p = c
			break
		}
	}
	if p == nil {
		return false
	}
	zone := s.zones[zi]
	search := []string{p.ns + ".svc." + zone, "svc." + zone, zone}
	if zone == "." {
		search = []string{p.ns + ".svc.", "svc.", "."}
	}
	search = append(search, s.cfg.AutoPathSearch...)
	search = append(search, "")
	first := lowerASCII(search[0])
	if !isSubdomain(lname, first) {
		return false
	}
	if lname == first {
		// TrimZone overshoots: CoreDNS answers SERVFAIL
		*out = Reply{Question: Question{Name: qname, Type: qtype}, Rcode: RcodeServerFailure, Latency: costReject}
		return true
	}
	base := qname[:len(qname)-len(first)-1]
	var firstReply Reply
	var total time.Duration
	for i, sp := range search {
		nq := base + "." + sp
		nl := lowerASCII(nq)
		var r Reply
		s.serveZone(nq, nl, qtype, s.matchZone(nl), depth, &r)
		total += r.Latency
		if i == 0 {
			firstReply = r
		}
		if r.Rcode == RcodeRefused && len(r.Answer) == 0 && !r.Authoritative {
			continue // not written by the plugin (zone transfer refused)
		}
		if r.Rcode == RcodeNameError {
			continue
		}
		n := len(r.Answer)
		r.Answer = cnamer(r.Answer, qname)
		r.Question = Question{Name: qname, Type: qtype}
		r.Latency = total
		if i > 0 || len(r.Answer) != n {
			r.Note = noteAutopath
		}
		*out = r
		return true
	}
	firstReply.Question = Question{Name: qname, Type: qtype}
	firstReply.Latency = total
	*out = firstReply
	return true
}

// cnamer prepends a CNAME from the asked name to the first answer owned by
// another name, as autopath's cnamer does.
func cnamer(answer []RR, original string) []RR {
	for _, a := range answer {
		if equalFoldName(original, a.Name) {
			continue
		}
		out := make([]RR, 0, len(answer)+1)
		out = append(out, RR{Name: original, Type: TypeCNAME, TTL: a.TTL, Target: a.Name})
		return append(out, answer...)
	}
	return answer
}

// shuffle is CoreDNS's loadbalance plugin: in each section, CNAMEs first,
// then other records, then the A/AAAA records and the MX records shuffled.
func (s *Server) shuffle(r Reply) Reply {
	s.lbMu.Lock()
	defer s.lbMu.Unlock()
	r.Answer = s.roundRobin(r.Answer)
	r.Authority = s.roundRobin(r.Authority)
	r.Additional = s.roundRobin(r.Additional)
	return r
}

func (s *Server) roundRobin(in []RR) []RR {
	if len(in) < 2 {
		return in
	}
	var cname, addr, mx, rest []RR
	for _, rr := range in {
		switch rr.Type {
		case TypeCNAME:
			cname = append(cname, rr)
		case TypeA, TypeAAAA:
			addr = append(addr, rr)
		case TypeMX:
			mx = append(mx, rr)
		default:
			rest = append(rest, rr)
		}
	}
	rnd := s.cfg.LoadBalance
	shuf := func(xs []RR) {
		switch l := len(xs); l {
		case 0, 1:
		case 2:
			if rnd.IntN(65536)%2 == 0 {
				xs[0], xs[1] = xs[1], xs[0]
			}
		default:
			for j := 0; j < l; j++ {
				p := j + rnd.IntN(65536)%(l-j)
				xs[j], xs[p] = xs[p], xs[j]
			}
		}
	}
	shuf(addr)
	shuf(mx)
	out := slices.Concat(cname, rest, addr, mx)
	return out
}
