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
func plainLabel[T string | []byte](s T) bool {
	if len(s) == 0 || len(s) > maxLabelLen {
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
//
// A slice change rebuilds its service, and at 10,000 services that is most
// of what the server does. The answers for the name of a ClusterIP service
// and for the _port._proto names of its ports read the service alone (its
// cluster IPs and ports; not its endpoints, unless empty services are
// ignored, nor the outside world), so they are evaluated once per version of
// the service and kept with it.
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
	keep := !svc.external && !svc.headless && !s.cfg.IgnoreEmptyService
	kept := svc.answers
	if !keep {
		kept = nil
	}

	var e *entry
	if kept != nil {
		e = kept.name
	} else {
		e = s.evalService(svc, svcName, &usedUp)
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
	own := len(ports) // the names of the service's own ports come first
	for _, sl := range eps {
		for _, p := range sl.ports {
			addPort(p)
		}
	}
	var ownEntries []*entry
	for i, n := range ports {
		var pe *entry
		if kept != nil && i < own {
			pe = kept.ports[i]
		} else {
			pe = &entry{zi: 0}
			pe.srv = s.eval(n, 0, TypeSRV, &usedUp)
			pe.a = s.eval(n, 0, TypeA, &usedUp)
			pe.aaaa = s.eval(n, 0, TypeAAAA, &usedUp)
			pe.df = s.eval(n, 0, TypeHINFO, &usedUp)
		}
		if kept == nil && i < own {
			ownEntries = append(ownEntries, pe)
		}
		add(n, pe)
	}
	// Answers that went to the outside world (not expected of a ClusterIP
	// service) are not the service's alone after all: they are not kept.
	if keep && kept == nil && !usedUp {
		svc.answers = &svcAnswers{name: e, ports: ownEntries}
	}

	// endpoint names, built directly: evaluating each would walk every
	// endpoint once per name
	ttl := uint32(s.cfg.TTL)
	n := 0
	for _, sl := range eps {
		n += len(sl.addrs)
	}
	groups := make([]epGroup, 0, n) // never grows: the entries point into it
	var index map[string]int        // groups by name, when too many to scan
	if n > 16 {
		index = make(map[string]int, n)
	}
	find := func(name []byte) (int, bool) {
		if index != nil {
			i, ok := index[string(name)]
			return i, ok
		}
		for i := range groups {
			if groups[i].name == string(name) {
				return i, true
			}
		}
		return 0, false
	}
	var buf []byte
	for _, sl := range eps {
		for _, a := range sl.addrs {
			buf = a.appendName(buf[:0], s.cfg.EndpointPodNames)
			if !plainLabel(buf) {
				continue
			}
			lowerASCIIInPlace(buf)
			buf = append(append(buf, '.'), svcName...)
			i, ok := find(buf)
			if !ok {
				i = len(groups)
				groups = append(groups, epGroup{name: string(buf)})
				if index != nil {
					index[groups[i].name] = i
				}
			}
			g := &groups[i]
			rr := RR{Name: g.name, TTL: ttl, Addr: a.ip}
			if a.ip.Is4() {
				rr.Type = TypeA
				if !hasAddr(g.v4, a.ip) {
					g.v4 = g.appendRR(g.v4, rr)
				}
			} else {
				rr.Type = TypeAAAA
				if !hasAddr(g.v6, a.ip) {
					g.v6 = g.appendRR(g.v6, rr)
				}
			}
		}
	}
	for i := range groups {
		g := &groups[i]
		g.e = entry{zi: 0, a: &noEndpointRecords, aaaa: &noEndpointRecords, df: &noEndpointRecords}
		if g.v4 != nil {
			g.a = result{answer: g.v4, lat: costEndpoints}
			g.e.a = &g.a
		}
		if g.v6 != nil {
			g.aaaa = result{answer: g.v6, lat: costEndpoints}
			g.e.aaaa = &g.aaaa
		}
		add(g.name, &g.e)
	}
	s.svcNames[k] = names
}

// noEndpointRecords is the answer for an endpoint name and a type it has no
// records of, shared by every such name: answers are never changed.
var noEndpointRecords = result{lat: costEndpoints}

// epGroup is the prebuilt entry of one endpoint name and what it points to.
// A rebuild keeps all of a service's in one array, since they live and go
// together: at 150,000 endpoints, allocating each part alone was a tenth of
// the server's allocations.
type epGroup struct {
	name    string
	v4, v6  []RR
	first   [1]RR // room for the name's first record, usually its only one
	used    bool  // first holds a record
	e       entry
	a, aaaa result
}

// appendRR appends rr to rrs, one of g's record lists, in g's own room when
// it is free.
func (g *epGroup) appendRR(rrs []RR, rr RR) []RR {
	if rrs == nil && !g.used {
		g.first[0], g.used = rr, true
		return g.first[:1:1]
	}
	return append(rrs, rr)
}

// evalService evaluates the answers for the name of svc.
func (s *Server) evalService(svc *service, svcName string, usedUp *bool) *entry {
	e := &entry{zi: 0}
	inZone := false
	if svc.external {
		t := lowerASCII(fqdn(svc.externalName))
		inZone = s.matchZone(t) >= 0
	}
	if !inZone {
		e.a = s.eval(svcName, 0, TypeA, usedUp)
		e.aaaa = s.eval(svcName, 0, TypeAAAA, usedUp)
	}
	e.cname = s.eval(svcName, 0, TypeCNAME, usedUp)
	e.srv = s.eval(svcName, 0, TypeSRV, usedUp)
	e.txt = s.eval(svcName, 0, TypeTXT, usedUp)
	e.ptr = s.eval(svcName, 0, TypePTR, usedUp)
	e.mx = s.eval(svcName, 0, TypeMX, usedUp)
	if !inZone {
		e.df = s.eval(svcName, 0, TypeHINFO, usedUp)
	}
	return e
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
