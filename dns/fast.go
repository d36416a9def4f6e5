package dns

import (
	"net/netip"
	"time"
)

// Prebuilt answers. Every name the cluster publishes (service names, their
// _port._proto names, endpoint names and the reverse names of cluster and
// endpoint IPs) gets an entry holding the finished answer per query type, so
// that a query is a map lookup and a struct copy. Entries are immutable:
// a change builds new ones and swaps them in under the write lock.
//
// A nil slot means "not prebuilt": the query takes the reference path in
// engine.go. Only NOERROR results are served from entries; NXDOMAIN depends
// on sync state and fallthrough, so it always takes the reference path.

type result struct {
	answer, extra []RR
	lat           time.Duration
	rcode         int
}

type entry struct {
	zi                                    int
	a, aaaa, cname, srv, ptr, txt, mx, df *result
	upGen                                 uint64 // outside-world generation the answers used; 0 if none
}

func (e *entry) slot(qtype uint16) *result {
	switch qtype {
	case TypeA:
		return e.a
	case TypeAAAA:
		return e.aaaa
	case TypeCNAME:
		return e.cname
	case TypeSRV:
		return e.srv
	case TypePTR:
		return e.ptr
	case TypeTXT:
		return e.txt
	case TypeMX:
		return e.mx
	case TypeSOA, TypeAXFR, TypeIXFR:
		return nil
	}
	return e.df
}

// eval runs the reference path for a lower-case name in zone zi and keeps
// the result if it can be prebuilt.
func (s *Server) eval(lname string, zi int, qtype uint16, usedUpstream *bool) *result {
	q := request{qname: lname, lname: lname, qtype: qtype, zone: s.zones[zi], lzone: s.zones[zi], zi: zi}
	up := s.up.Gen()
	var r Reply
	if ft := s.kubernetes(&q, 0, &r); ft || r.Rcode != RcodeSuccess {
		return nil
	}
	if s.up.Gen() != up {
		return nil
	}
	if r.Latency > costEndpoints { // only a trip to the outside world costs more
		*usedUpstream = true
	}
	return &result{answer: r.Answer, extra: r.Additional, lat: r.Latency, rcode: r.Rcode}
}

// plainLabel reports whether s can stand as one label of a prebuilt name.
func plainLabel(s string) bool {
	if s == "" || len(s) > maxLabelLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' || c == '\\' || c <= ' ' || c >= 0x7f:
			return false
		}
	}
	return true
}

// rebuildService replaces the prebuilt names of one service. The caller
// holds the write lock.
func (s *Server) rebuildService(k nsKey) {
	for _, n := range s.svcNames[k] {
		delete(s.names, n)
	}
	delete(s.svcNames, k)
	delete(s.upDeps, k)
	svc := s.services[k]
	if svc == nil || !s.namespaceExposed(k.ns) || !plainLabel(svc.name) || !plainLabel(svc.ns) {
		return
	}
	zone := s.zones[0]
	svcName := lowerASCII(svc.name + "." + svc.ns + ".svc." + zone)
	var names []string
	usedUp := false
	add := func(n string, e *entry) {
		if _, dup := s.names[n]; dup {
			return
		}
		s.names[n] = e
		names = append(names, n)
	}

	e := &entry{zi: 0}
	inZone := false
	if svc.external {
		t := lowerASCII(fqdn(svc.externalName))
		inZone = s.matchZone(t) >= 0
	}
	if !inZone {
		e.a = s.eval(svcName, 0, TypeA, &usedUp)
		e.aaaa = s.eval(svcName, 0, TypeAAAA, &usedUp)
	}
	e.cname = s.eval(svcName, 0, TypeCNAME, &usedUp)
	e.srv = s.eval(svcName, 0, TypeSRV, &usedUp)
	e.txt = s.eval(svcName, 0, TypeTXT, &usedUp)
	e.ptr = s.eval(svcName, 0, TypePTR, &usedUp)
	e.mx = s.eval(svcName, 0, TypeMX, &usedUp)
	if !inZone {
		e.df = s.eval(svcName, 0, TypeHINFO, &usedUp)
	}
	if usedUp {
		e.upGen = s.up.Gen()
		s.upDeps[k] = true
	}
	add(svcName, e)

	if svc.external {
		s.svcNames[k] = names
		return
	}
	eps := s.bySvc[k]

	// _port._proto names, from the service's ports and (for headless
	// services) the slices' ports
	var ports []string
	addPort := func(p portInfo) {
		if p.name == "" || p.proto == "" || !plainLabel("_"+p.name) {
			return
		}
		n := lowerASCII("_" + p.name + "._" + p.proto + "." + svcName)
		if !containsString(ports, n) {
			ports = append(ports, n)
		}
	}
	for _, p := range svc.ports {
		addPort(p)
	}
	for _, sl := range eps {
		for _, p := range sl.ports {
			addPort(p)
		}
	}
	for _, n := range ports {
		pe := &entry{zi: 0}
		pe.srv = s.eval(n, 0, TypeSRV, &usedUp)
		pe.a = s.eval(n, 0, TypeA, &usedUp)
		pe.aaaa = s.eval(n, 0, TypeAAAA, &usedUp)
		pe.df = s.eval(n, 0, TypeHINFO, &usedUp)
		add(n, pe)
	}

	// endpoint names, built directly: evaluating each would walk every
	// endpoint once per name
	ttl := uint32(s.cfg.TTL)
	type group struct {
		name   string
		v4, v6 []RR
	}
	var groups []*group
	index := map[string]*group{}
	for _, sl := range eps {
		for _, a := range sl.addrs {
			host := a.name(s.cfg.EndpointPodNames)
			if !plainLabel(host) {
				continue
			}
			n := lowerASCII(host) + "." + svcName
			g := index[n]
			if g == nil {
				g = &group{name: n}
				index[n] = g
				groups = append(groups, g)
			}
			rr := RR{Name: n, TTL: ttl, Addr: a.ip}
			if a.ip.Is4() {
				rr.Type = TypeA
				if !hasAddr(g.v4, a.ip) {
					g.v4 = append(g.v4, rr)
				}
			} else {
				rr.Type = TypeAAAA
				if !hasAddr(g.v6, a.ip) {
					g.v6 = append(g.v6, rr)
				}
			}
		}
	}
	for _, g := range groups {
		ge := &entry{zi: 0}
		ge.a = &result{answer: g.v4, lat: costEndpoints}
		ge.aaaa = &result{answer: g.v6, lat: costEndpoints}
		ge.df = &result{lat: costEndpoints}
		add(g.name, ge)
	}
	s.svcNames[k] = names
}

func hasAddr(rrs []RR, a netip.Addr) bool {
	for _, rr := range rrs {
		if rr.Addr == a {
			return true
		}
	}
	return false
}

// rebuildIPs replaces the prebuilt reverse names of some addresses.
func (s *Server) rebuildIPs(ips []netip.Addr) {
	for i, ip := range ips {
		if containsAddr(ips[:i], ip) {
			continue
		}
		if n, ok := s.ipNames[ip]; ok {
			delete(s.names, n)
			delete(s.ipNames, ip)
		}
		if len(s.svcByIP[ip]) == 0 && len(s.epByIP[ip]) == 0 {
			continue
		}
		n := ReverseName(ip)
		zi := s.matchZone(n)
		if zi < 0 {
			continue
		}
		if _, dup := s.names[n]; dup {
			continue
		}
		var used bool
		e := &entry{zi: zi, ptr: s.eval(n, zi, TypePTR, &used)}
		if e.ptr == nil {
			continue
		}
		s.names[n] = e
		s.ipNames[ip] = n
	}
}

// rebuildNamespace rebuilds every service of a namespace that appeared or
// disappeared.
func (s *Server) rebuildNamespace(ns string) {
	var keys []nsKey
	for k := range s.services {
		if k.ns == ns {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		s.rebuildService(k)
	}
}

// refreshUpstreamDeps rebuilds the services whose answers used the outside
// world, after it changed.
func (s *Server) refreshUpstreamDeps() {
	var keys []nsKey
	for k := range s.upDeps {
		keys = append(keys, k)
	}
	for _, k := range keys {
		s.rebuildService(k)
	}
}

// matchZone returns the index of the longest served zone holding lname, or
// -1. lname is lower-case and fully qualified.
func (s *Server) matchZone(lname string) int {
	best, bl := -1, -1
	for i, z := range s.zones {
		if len(z) > bl && isSubdomain(lname, z) {
			best, bl = i, len(z)
		}
	}
	return best
}
