package dns

import (
	"errors"
	"net/netip"
	"strings"
)

// This file is the reference semantics: CoreDNS's kubernetes plugin
// (handler.go, kubernetes.go, parse.go, reverse.go, ns.go) and the record
// assembly of plugin/backend_lookup.go, transcribed over the slim objects.
// Prebuilt answers (fast.go) are produced by these functions, and a
// differential test checks that both paths agree.

var (
	errNoItems        = errors.New("no items found")
	errNsNotExposed   = errors.New("namespace is not exposed")
	errInvalidRequest = errors.New("invalid query name")
)

func isNameError(err error) bool {
	return err == errNoItems || err == errNsNotExposed || err == errInvalidRequest
}

// request is one question as the plugin sees it.
type request struct {
	qname string // as asked, fully qualified
	lname string // lower-case
	qtype uint16
	zone  string // the matched zone, spelled as in qname
	lzone string
	zi    int // index in Server.zones
}

// trace accumulates what answering cost, for the latency model.
type trace struct {
	stage    int // 1 parsed, 2 namespace, 3 service, 4 endpoints
	upstream int // round trips to the outside world
}

func (t *trace) at(stage int) {
	if stage > t.stage {
		t.stage = stage
	}
}

func (s *Server) latency(t *trace) (d int64) {
	switch t.stage {
	case 0, 1:
		d = int64(costReject)
	case 2:
		d = int64(costNamespace)
	case 3:
		d = int64(costService)
	default:
		d = int64(costEndpoints)
	}
	return d + int64(t.upstream)*(int64(s.cfg.UpstreamRTT)+int64(costForward))
}

// recordRequest is parse.go's recordRequest.
type recordRequest struct {
	port, protocol, endpoint, service, namespace, podOrSvc string
}

// parseRequest splits a lower-case name below lzone into its parts:
//
//	_port._protocol.service.namespace.pod|svc.zone
//	endpoint.service.namespace.pod|svc.zone
//	service.namespace.pod|svc.zone
func parseRequest(lname, lzone string) (recordRequest, error) {
	var r recordRequest
	var base string
	switch {
	case len(lname) <= len(lzone):
		base = ""
	case lzone == ".":
		base = lname[:len(lname)-1]
	default:
		base = lname[:len(lname)-len(lzone)-1]
	}
	if base == "" || base == "svc" || base == "pod" {
		return r, nil
	}
	var segs [6]string
	n := lastLabels(base, &segs)
	seg := func(i int) string { return segs[i] }
	last := n - 1
	if last < 0 {
		return r, nil
	}
	r.podOrSvc = seg(last)
	if r.podOrSvc != "pod" && r.podOrSvc != "svc" {
		return r, errInvalidRequest
	}
	last--
	if last < 0 {
		return r, nil
	}
	r.namespace = seg(last)
	last--
	if last < 0 {
		return r, nil
	}
	r.service = seg(last)
	last--
	if last < 0 {
		return r, nil
	}
	switch last {
	case 0:
		r.endpoint = seg(0)
	case 1:
		r.protocol = stripUnderscore(seg(1))
		r.port = stripUnderscore(seg(0))
	default:
		return r, errInvalidRequest
	}
	return r, nil
}

// lastLabels splits a name without its root dot into labels, left to right,
// keeping at most six; a name with more reports 6 (too long for any form).
func lastLabels(base string, segs *[6]string) int {
	if strings.IndexByte(base, '\\') < 0 {
		var rev [6]string
		n := 0
		end := len(base)
		for i := len(base) - 1; i >= -1 && n < 6; i-- {
			if i == -1 || base[i] == '.' {
				rev[n] = base[i+1 : end]
				n++
				end = i
			}
		}
		for i := 0; i < n; i++ {
			segs[i] = rev[n-1-i]
		}
		return n
	}
	var idx [maxLabels]int
	total := labelStarts(base, &idx)
	if total > 6 {
		return 6
	}
	for i := 0; i < total; i++ {
		end := len(base)
		if i+1 < total {
			end = idx[i+1] - 1
		}
		segs[i] = base[idx[i]:end]
	}
	return total
}

func stripUnderscore(s string) string {
	if s != "" && s[0] == '_' {
		return s[1:]
	}
	return s
}

// item is CoreDNS's msg.Service: one address, external name or text, with the
// port and the domain that names it.
type item struct {
	ip     netip.Addr
	host   string // ExternalName target, as written in the service
	text   string
	isText bool
	port   int32
	key    string // the owner domain of this item (fully qualified)
	ttl    uint32
}

// kind is msg.Service.HostType: A, AAAA, CNAME or TXT.
func (it item) kind() uint16 {
	switch {
	case it.isText:
		return TypeTXT
	case it.ip.IsValid() && it.ip.Is4():
		return TypeA
	case it.ip.IsValid():
		return TypeAAAA
	}
	return TypeCNAME
}

// records is Kubernetes.Records.
func (s *Server) records(q *request, tr *trace) ([]item, error) {
	tr.at(1)
	r, err := parseRequest(q.lname, q.lzone)
	if err != nil {
		return nil, err
	}
	if r.podOrSvc == "" {
		return nil, nil
	}
	if strings.HasSuffix(q.lname, ip4arpa) || strings.HasSuffix(q.lname, ip6arpa) {
		return nil, errNoItems
	}
	tr.at(2)
	if !s.namespaceExposed(r.namespace) {
		return nil, errNsNotExposed
	}
	if r.podOrSvc == "pod" {
		return s.findPods(q, &r)
	}
	return s.findServices(q, &r, tr)
}

func (s *Server) findPods(q *request, r *recordRequest) ([]item, error) {
	if s.cfg.Pods == PodsDisabled {
		return nil, errNoItems
	}
	podname := r.service
	if podname == "" {
		return nil, nil // NODATA: the namespace exists
	}
	var ipText string
	if strings.Count(podname, "-") == 3 && !strings.Contains(podname, "--") {
		ipText = strings.ReplaceAll(podname, "-", ".")
	} else {
		ipText = strings.ReplaceAll(podname, "-", ":")
	}
	key := podname + "." + r.namespace + ".pod." + q.zone
	ttl := uint32(s.cfg.TTL)
	if s.cfg.Pods == PodsInsecure {
		a, err := netip.ParseAddr(ipText)
		if err != nil || a.Zone() != "" {
			return nil, errNoItems
		}
		return []item{{ip: a.Unmap(), key: key, ttl: ttl}}, nil
	}
	a, err := netip.ParseAddr(ipText)
	if err != nil {
		return nil, errNoItems
	}
	var out []item
	for _, p := range s.podsByIP[a.Unmap()] {
		if p.ipText == ipText && matchFold(r.namespace, p.ns) {
			out = append(out, item{ip: p.ip, key: key, ttl: ttl})
		}
	}
	if len(out) == 0 {
		return nil, errNoItems
	}
	return out, nil
}

// findServices is Kubernetes.findServices.
func (s *Server) findServices(q *request, r *recordRequest, tr *trace) ([]item, error) {
	if r.service == "" {
		return nil, nil // NODATA: the namespace exists
	}
	tr.at(3)
	svc := s.services[nsKey{r.namespace, r.service}]
	if svc == nil {
		return nil, errNoItems
	}
	ttl := uint32(s.cfg.TTL)
	eps := s.bySvc[nsKey{svc.ns, svc.name}]
	if s.cfg.IgnoreEmptyService && !svc.external && !svc.headless {
		tr.at(4)
		n := 0
		for _, e := range eps {
			n += len(e.addrs)
		}
		if n == 0 {
			return nil, errNoItems
		}
	}
	svcDomain := svc.name + "." + svc.ns + ".svc." + q.zone
	if svc.external {
		if r.endpoint != "" || r.port != "" || r.protocol != "" {
			return nil, errNoItems
		}
		if a, err := netip.ParseAddr(svc.externalName); err == nil && a.Zone() == "" {
			return nil, errNoItems // an IP literal is not a CNAME target
		}
		return []item{{host: svc.externalName, key: svcDomain, ttl: ttl}}, nil
	}
	var out []item
	err := errNoItems
	if svc.headless || r.endpoint != "" {
		tr.at(4)
		for _, e := range eps {
			for _, a := range e.addrs {
				host := a.name(s.cfg.EndpointPodNames)
				if r.endpoint != "" && !matchFold(r.endpoint, host) {
					continue
				}
				for _, p := range e.ports {
					if !matchPortProto(r.port, p.name, r.protocol, p.proto) {
						continue
					}
					err = nil
					out = append(out, item{ip: a.ip, port: p.port, key: host + "." + svcDomain, ttl: ttl})
				}
			}
		}
		return out, err
	}
	for _, p := range svc.ports {
		if !matchPortProto(r.port, p.name, r.protocol, p.proto) {
			continue
		}
		err = nil
		for _, ip := range svc.clusterIPs {
			out = append(out, item{ip: ip, port: p.port, key: svcDomain, ttl: ttl})
		}
	}
	return out, err
}

// lookupItems is Kubernetes.Services: records, with the special names handled.
func (s *Server) lookupItems(q *request, tr *trace) ([]item, error) {
	switch q.qtype {
	case TypeTXT:
		base := ""
		if len(q.lname) > len(q.lzone) {
			base = strings.TrimSuffix(q.lname[:len(q.lname)-len(q.lzone)], ".")
		}
		if base == "dns-version" {
			tr.at(1)
			return []item{{isText: true, text: "1.1.0", ttl: 28800, key: q.qname}}, nil
		}
		its, _ := s.records(q, tr)
		if len(its) > 0 {
			return nil, nil
		}
		return nil, errNoItems
	case TypeNS:
		return s.nsItems(q.zone), nil
	}
	if strings.HasPrefix(q.lname, "ns.dns.") && q.lname[len("ns.dns."):] == q.zone {
		var out []item
		for _, it := range s.nsItems(q.zone) {
			k := it.kind()
			if k == q.qtype && (k == TypeA || k == TypeAAAA) {
				it.key = q.qname
				out = append(out, it)
			}
		}
		return out, nil
	}
	its, err := s.records(q, tr)
	if q.qtype != TypeSRV {
		return its, err
	}
	internal := its[:0:0]
	for _, it := range its {
		if it.kind() != TypeCNAME {
			internal = append(internal, it)
		}
	}
	return internal, err
}

// nsItems is ns.go's nsAddrs: the services whose endpoints hold a CoreDNS
// pod's address, or ns.dns.<zone> with the addresses themselves.
func (s *Server) nsItems(zone string) []item {
	ttl := uint32(s.cfg.TTL)
	var out []item
	seen := map[netip.Addr]bool{}
	add := func(name string, ip netip.Addr) {
		if seen[ip] {
			return
		}
		seen[ip] = true
		out = append(out, item{ip: ip, key: name, ttl: ttl})
	}
	for _, lip := range s.localIPs {
		for _, e := range s.epByIP[lip] {
			svc := s.services[nsKey{e.ns, e.service}]
			if svc == nil {
				continue
			}
			name := svc.name + "." + svc.ns + ".svc." + zone
			if svc.headless {
				for _, a := range e.addrs {
					add(a.name(s.cfg.EndpointPodNames)+"."+name, a.ip)
				}
				continue
			}
			if svc.external {
				continue
			}
			if len(svc.clusterIPs) > 0 {
				add(name, svc.clusterIPs[0])
			}
		}
	}
	if len(out) == 0 {
		for _, lip := range s.localIPs {
			add(joinName("ns.dns", zone), lip)
		}
	}
	return out
}

// addrRecords is plugin.A and plugin.AAAA: want is TypeA or TypeAAAA.
func (s *Server) addrRecords(q *request, prev []RR, tr *trace, depth int) ([]RR, error) {
	var its []item
	var err error
	if q.lname == q.lzone {
		its, err = nil, nil // checkForApex: apex.dns.<zone> never exists here
	} else {
		its, err = s.lookupItems(q, tr)
	}
	if err != nil {
		return nil, err
	}
	var out []RR
	var seen []netip.Addr
	for _, it := range its {
		switch k := it.kind(); k {
		case TypeCNAME:
			target := fqdn(it.host)
			ltarget := lowerASCII(target)
			if isSubdomain(ltarget, q.lname) {
				continue // x CNAME x (or below x) is a loop
			}
			cn := RR{Name: q.qname, Type: TypeCNAME, TTL: it.ttl, Target: target}
			if len(prev) > 7 {
				continue
			}
			if dupCNAME(cn, prev) {
				continue
			}
			if isSubdomain(ltarget, q.lzone) {
				q1 := *q
				q1.qname, q1.lname = target, ltarget
				next, err := s.addrRecords(&q1, append(prev[:len(prev):len(prev)], cn), tr, depth+1)
				if err == nil && len(next) > 0 {
					out = append(out, cn)
					out = append(out, next...)
				}
				continue
			}
			m := s.lookup(target, q.qtype, tr, depth+1)
			out = append(out, cn)
			out = append(out, m.Answer...)
		case TypeA, TypeAAAA:
			if k != q.qtype {
				continue
			}
			if containsAddr(seen, it.ip) {
				continue
			}
			seen = append(seen, it.ip)
			out = append(out, RR{Name: q.qname, Type: k, TTL: it.ttl, Addr: it.ip})
		}
	}
	return out, nil
}

func containsAddr(xs []netip.Addr, a netip.Addr) bool {
	for _, x := range xs {
		if x == a {
			return true
		}
	}
	return false
}

func dupCNAME(r RR, prev []RR) bool {
	for _, p := range prev {
		if p.Type == TypeCNAME && p.Target == r.Target {
			return true
		}
	}
	return false
}

// lookup is the plugin's Upstream: the name is asked of the whole server
// again, as pkg/upstream does.
func (s *Server) lookup(name string, qtype uint16, tr *trace, depth int) Reply {
	if depth > 8 {
		return Reply{Rcode: RcodeServerFailure}
	}
	var r Reply
	s.dispatch(name, lowerASCII(name), qtype, netip.Addr{}, depth, &r)
	if r.Note == noteUpstream {
		tr.upstream++
	}
	return r
}

// srvRecords is plugin.SRV.
func (s *Server) srvRecords(q *request, tr *trace, depth int) ([]RR, []RR, error) {
	its, err := s.lookupItems(q, tr)
	if err != nil {
		return nil, nil, err
	}
	// every item counts towards the weight, duplicates and sentinels included
	total := 100 * len(its)
	type dupKey struct {
		name string
		port uint16
		addr netip.Addr
	}
	var dup []dupKey
	has := func(k dupKey) bool {
		for _, d := range dup {
			if d == k {
				return true
			}
		}
		dup = append(dup, k)
		return false
	}
	var records, extra []RR
	var looked []string
	for _, it := range its {
		if it.port == -1 {
			continue
		}
		w := uint16(10000 / total)
		if w == 0 {
			w = 1
		}
		switch k := it.kind(); k {
		case TypeCNAME:
			target := fqdn(it.host)
			records = append(records, RR{Name: q.qname, Type: TypeSRV, TTL: it.ttl, Weight: w, Port: uint16(it.port), Target: target})
			if containsString(looked, target) {
				continue
			}
			looked = append(looked, target)
			ltarget := lowerASCII(target)
			if !isSubdomain(ltarget, q.lzone) {
				m := s.lookup(target, TypeA, tr, depth+1)
				extra = append(extra, m.Answer...)
				m = s.lookup(target, TypeAAAA, tr, depth+1)
				for _, rr := range m.Answer {
					if rr.Type != TypeCNAME {
						extra = append(extra, rr)
					}
				}
				continue
			}
			q1 := *q
			q1.qname, q1.lname, q1.qtype = target, ltarget, TypeA
			if addr, err := s.addrRecords(&q1, nil, tr, depth+1); err == nil {
				extra = append(extra, addr...)
			}
		case TypeA, TypeAAAA:
			target := it.key
			if !has(dupKey{name: target, port: uint16(it.port)}) {
				records = append(records, RR{Name: q.qname, Type: TypeSRV, TTL: it.ttl, Weight: w, Port: uint16(it.port), Target: target})
			}
			if !has(dupKey{name: target, addr: it.ip}) {
				extra = append(extra, RR{Name: target, Type: k, TTL: it.ttl, Addr: it.ip})
			}
		}
	}
	return records, extra, nil
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// ptrRecords is plugin.PTR over Kubernetes.Reverse.
func (s *Server) ptrRecords(q *request, tr *trace) ([]RR, error) {
	ip, ok := addrFromReverse(q.lname)
	if !ok {
		_, err := s.records(q, tr)
		return nil, err
	}
	tr.at(3)
	var hosts []string
	ttl := uint32(s.cfg.TTL)
	for _, svc := range s.svcByIP[ip] {
		if s.nsFilter != nil && !s.nsFilter[svc.ns] {
			continue
		}
		hosts = append(hosts, svc.name+"."+svc.ns+".svc."+s.zones[0])
		break
	}
	if len(hosts) == 0 {
		tr.at(4)
		for _, e := range s.epByIP[ip] {
			if s.nsFilter != nil && !s.nsFilter[e.ns] {
				continue
			}
			for _, a := range e.addrs {
				if a.ip == ip {
					hosts = append(hosts, a.name(s.cfg.EndpointPodNames)+"."+e.service+"."+e.ns+".svc."+s.zones[0])
				}
			}
		}
	}
	if len(hosts) == 0 {
		return nil, errNoItems
	}
	var out []RR
	var seen []string
	for _, h := range hosts {
		if containsString(seen, h) {
			continue
		}
		seen = append(seen, h)
		out = append(out, RR{Name: q.qname, Type: TypePTR, TTL: ttl, Target: h})
	}
	return out, nil
}

// kubernetes is the plugin's ServeDNS for a name inside one of its zones.
// passOn reports that the answer must come from the next plugin
// (fallthrough).
func (s *Server) kubernetes(q *request, depth int, out *Reply) (passOn bool) {
	var tr trace
	var records, extra []RR
	var err error
	switch q.qtype {
	case TypeAXFR, TypeIXFR:
		*out = Reply{Rcode: RcodeRefused, Latency: costReject}
		return false
	case TypeA, TypeAAAA:
		records, err = s.addrRecords(q, nil, &tr, depth)
	case TypeTXT:
		var its []item
		its, err = s.lookupItems(q, &tr)
		for _, it := range its {
			if it.isText {
				records = append(records, RR{Name: q.qname, Type: TypeTXT, TTL: it.ttl, Text: it.text})
			}
		}
	case TypeCNAME:
		var its []item
		its, err = s.lookupItems(q, &tr)
		if len(its) > 0 && its[0].kind() == TypeCNAME {
			records = []RR{{Name: q.qname, Type: TypeCNAME, TTL: its[0].ttl, Target: fqdn(its[0].host)}}
		}
	case TypePTR:
		records, err = s.ptrRecords(q, &tr)
	case TypeMX:
		_, err = s.lookupItems(q, &tr) // no service is a mail exchanger
	case TypeSRV:
		records, extra, err = s.srvRecords(q, &tr, depth)
	case TypeSOA:
		tr.at(1)
		if q.lname == q.lzone {
			records = []RR{s.soaRR(q.zone)}
		}
	case TypeNS:
		if q.lname == q.lzone {
			tr.at(3)
			its := s.nsItems(q.zone)
			var seen []string
			for _, it := range its {
				extra = append(extra, RR{Name: it.key, Type: it.kind(), TTL: it.ttl, Addr: it.ip})
				if containsString(seen, it.key) {
					continue
				}
				seen = append(seen, it.key)
				records = append(records, RR{Name: q.qname, Type: TypeNS, TTL: it.ttl, Target: it.key})
			}
			break
		}
		fallthrough
	default:
		// a fake A lookup tells NODATA from NXDOMAIN
		fake := *q
		fake.qtype = TypeA
		_, err = s.addrRecords(&fake, nil, &tr, depth)
	}
	lat := s.latency(&tr)
	if isNameError(err) {
		if s.fallsThrough(q.lname) {
			return true
		}
		rc := RcodeNameError
		if !s.synced {
			rc = RcodeServerFailure
		}
		*out = Reply{Rcode: rc, Authoritative: true, Authority: s.soaSlice(q), Latency: dur(lat)}
		return false
	}
	if len(records) == 0 {
		*out = Reply{Rcode: RcodeSuccess, Authoritative: true, Authority: s.soaSlice(q), Latency: dur(lat)}
		return false
	}
	*out = Reply{Rcode: RcodeSuccess, Authoritative: true, Answer: records, Additional: extra, Latency: dur(lat)}
	return false
}

func (s *Server) fallsThrough(lname string) bool {
	for _, z := range s.cfg.Fallthrough {
		if isSubdomain(lname, z) {
			return true
		}
	}
	return false
}

// soaSlice returns the zone's SOA for a negative answer; the prebuilt one when
// the question spells the zone in lower case.
func (s *Server) soaSlice(q *request) []RR {
	if q.zone == q.lzone {
		return s.soa[q.zi]
	}
	return []RR{s.soaRR(q.zone)}
}
