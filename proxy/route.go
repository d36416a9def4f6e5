package proxy

import (
	"errors"
	"net/netip"
	"time"
)

var errNilLoop = errors.New("proxy: New: nil *sim.Loop")

// ctKey is a connection-tracking tuple.
type ctKey struct {
	src, dst     [16]byte
	sport, dport uint16
	proto        Protocol
	fam          family
}

// ct4Key is an IPv4 tuple packed into 16 bytes, which maps hash fastest.
type ct4Key struct {
	addrs uint64 // src<<32 | dst
	rest  uint64 // sport<<32 | dport<<16 | proto
}

func makeCT4Key(src, dst netip.Addr, sport, dport uint16, proto Protocol) ct4Key {
	s, d := src.As4(), dst.As4()
	return ct4Key{
		addrs: uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(d[0])<<24 | uint64(d[1])<<16 | uint64(d[2])<<8 | uint64(d[3]),
		rest: uint64(sport)<<32 | uint64(dport)<<16 | uint64(proto),
	}
}

// ctEntry is an established flow: the rules' decision for its first packet.
type ctEntry struct {
	expires int64      // virtual nanoseconds since the Unix epoch
	eps     []Endpoint // the eligible endpoints when the flow started
	rec     *spRecord
	ep      int32 // index of the chosen endpoint in eps
	masq    bool
	aff     bool
	kind    Target
}

// affKey is one ClientIP affinity record: iptables' per-endpoint "recent"
// list and nftables' per-endpoint affinity set hold the client's address;
// IPVS's persistence is per virtual server, hence vip and vport.
type affKey struct {
	rec    *spRecord
	vs     uint64 // IPVS virtual server; 0 in iptables and nftables modes
	ep     netip.AddrPort
	client addrKey
}

// vsID identifies an IPVS virtual server: the index entry of its address (or
// node port) and, for node ports, which node address it listens on.
func vsID(de *dentry, addrIdx int) uint64 { return uint64(de.id)<<16 | uint64(addrIdx+1) }

// Route decides what the node does with a packet at virtual time now: which
// service address it hits, the endpoints eligible on this node, the endpoint
// chosen from the node's random stream (or by affinity, or by an existing
// conntrack entry), and whether it is masqueraded.
//
// Route does not allocate once the node's tables have grown to their working
// size (a new conntrack, affinity or round-robin entry may grow a table), and
// its cost does not depend on the number of services. The Result shares
// memory with the proxy's tables.
func (n *Node) Route(now time.Time, pkt Packet) Result {
	var r Result
	n.route(now.UnixNano(), &pkt, &r)
	return r
}

func (n *Node) route(now int64, pkt *Packet, r *Result) {
	if n == nil || n.deleted {
		return
	}
	src, dst := pkt.Src.Addr().Unmap(), pkt.Dst.Addr().Unmap()
	if !src.IsValid() || !dst.IsValid() || src.Is4() != dst.Is4() || !pkt.Proto.valid() {
		r.Reason = ReasonInvalidPacket
		return
	}
	proto := pkt.Proto.norm()
	sport, dport := pkt.Src.Port(), pkt.Dst.Port()
	v4 := dst.Is4()
	var k4 ct4Key
	var k6 ctKey
	if pkt.Flow != FlowProbe {
		if v4 {
			k4 = makeCT4Key(src, dst, sport, dport, proto)
		} else {
			k6 = ctKey{src: src.As16(), dst: dst.As16(), sport: sport, dport: dport, proto: proto, fam: fam6}
		}
		if pkt.Flow == FlowAuto {
			var e ctEntry
			var ok bool
			if v4 {
				e, ok = n.ct4.get(k4)
			} else {
				e, ok = n.ct6[k6]
			}
			if ok {
				if e.expires > now {
					n.established(now, v4, k4, k6, proto, e, r)
					return
				}
				n.deleteFlow(v4, k4, k6)
			}
		}
	}
	n.decide(now, src, dst, dport, proto, pkt.Flow != FlowProbe, r)
	if r.Verdict != VerdictForward && v4 && dst.IsLoopback() && !src.IsLoopback() && n.np[fam4].localhost {
		// iptables' KUBE-FIREWALL ("block incoming localnet connections"),
		// installed with localhost node ports, drops what was not DNATed.
		*r = Result{Verdict: VerdictDrop, Reason: ReasonLocalnet}
	}
	if pkt.Flow == FlowProbe {
		return
	}
	if r.Verdict == VerdictForward {
		e := ctEntry{
			expires: now + int64(n.timeout(proto)), eps: r.Endpoints.eps, rec: r.rec,
			ep: int32(r.chosenIdx), masq: r.Masquerade, aff: r.Affinity, kind: r.Target,
		}
		if v4 {
			n.ct4.put(k4, e)
		} else {
			if n.ct6 == nil {
				n.ct6 = make(map[ctKey]ctEntry)
			}
			n.ct6[k6] = e
		}
		if proto == UDP {
			n.hasUDP = true
		}
	} else if pkt.Flow == FlowNew {
		n.deleteFlow(v4, k4, k6)
	}
}

func (n *Node) deleteFlow(v4 bool, k4 ct4Key, k6 ctKey) {
	if v4 {
		n.ct4.del(k4)
	} else {
		delete(n.ct6, k6)
	}
}

func (n *Node) timeout(p Protocol) time.Duration {
	switch p {
	case UDP:
		return n.p.cfg.ConntrackUDPTimeout
	case SCTP:
		return n.p.cfg.ConntrackSCTPTimeout
	}
	return n.p.cfg.ConntrackTCPTimeout
}

// established answers from a conntrack entry: the flow keeps its endpoint.
func (n *Node) established(now int64, v4 bool, k4 ct4Key, k6 ctKey, proto Protocol, e ctEntry, r *Result) {
	chosen := e.eps[e.ep].Addr
	if e.rec != nil {
		r.rec = e.rec
	}
	r.Target = e.kind
	if n.p.cfg.Mode == ModeIPVS {
		// expire_nodest_conn=1: a connection whose real server is gone is
		// expired and its packet dropped.
		var st *spState
		if e.rec != nil {
			st = e.rec.chain.at(n.ver)
		}
		if st == nil || !containsEndpoint(st.eps, chosen) {
			n.deleteFlow(v4, k4, k6)
			r.Verdict, r.Reason = VerdictDrop, ReasonNoDestination
			return
		}
	}
	r.Verdict, r.Chosen, r.chosenIdx = VerdictForward, chosen, int(e.ep)
	r.Endpoints, r.Masquerade, r.Affinity, r.Established = EndpointSet{e.eps}, e.masq, e.aff, true
	e.expires = now + int64(n.timeout(proto))
	if v4 {
		n.ct4.put(k4, e)
	} else {
		n.ct6[k6] = e
	}
}

func containsEndpoint(eps []Endpoint, ap netip.AddrPort) bool {
	for i := range eps {
		if eps[i].Addr == ap {
			return true
		}
	}
	return false
}

// decide evaluates the node's rules for the first packet of a connection.
func (n *Node) decide(now int64, src, dst netip.Addr, dport uint16, proto Protocol, record bool, r *Result) {
	p := n.p
	f := famOf(dst)
	var de *dentry
	if f == fam4 {
		de = p.fast4[pack4(dst, dport, proto)]
	} else {
		de = p.dispatch[dkey{addr: keyOf(dst), port: dport, proto: proto}]
	}
	if de != nil {
		if t := de.chain.at(n.ver); t.sp != nil {
			if t.kind == TargetClusterIP {
				n.internal(now, src, t.sp, vsID(de, -1), record, r)
			} else {
				n.external(now, src, dst, t.sp, t.kind, vsID(de, -1), record, r)
			}
			return
		}
	}
	dstLocal := n.isLocal(dst)
	if dstLocal {
		if de := p.nodePorts[nkey{port: dport, proto: proto, fam: f}]; de != nil {
			if t := de.chain.at(n.ver); t.sp != nil {
				if n.isNodePortAddr(dst, true) {
					n.external(now, src, dst, t.sp, TargetNodePort, vsID(de, n.addrIndex(dst)), record, r)
					return
				}
				if p.cfg.Mode == ModeIPTables {
					// KUBE-EXTERNAL-SERVICES matches any LOCAL destination,
					// whatever --nodeport-addresses says.
					if n.nodePortFilterOnly(t.sp, r) {
						return
					}
				}
			}
		}
		if proto == TCP {
			if he := p.hcPorts[hkey{port: dport, fam: f}]; he != nil {
				if t := he.chain.at(n.ver); t != nil {
					r.Verdict, r.Target, r.Reason = VerdictAccept, TargetHealthCheck, ReasonHealthCheck
					r.hc = t
					r.HealthLocalEndpoints = n.localReadyEndpoints(t)
					return
				}
			}
		}
	}
	switch p.cfg.Mode {
	case ModeNFTables:
		if ve := p.vips[keyOf(dst)]; ve != nil && ve.chain.at(n.ver)&vipClusterIP != 0 {
			r.Verdict, r.Target, r.Reason = VerdictReject, TargetClusterIPRange, ReasonInvalidPort
			return
		}
		for _, pf := range p.serviceCIDRs[f] {
			if pf.Contains(dst) {
				r.Verdict, r.Target, r.Reason = VerdictDrop, TargetClusterIPRange, ReasonUnallocatedIP
				return
			}
		}
	case ModeIPVS:
		if ve := p.vips[keyOf(dst)]; ve != nil && ve.chain.at(n.ver)&vipBound != 0 {
			r.Verdict, r.Target, r.Reason = VerdictReject, TargetClusterIPRange, ReasonInvalidPort
			return
		}
	}
}

// nodePortFilterOnly is iptables' verdict for a node port on a local address
// that does not accept node ports: only the filter rules for services
// without (local) endpoints apply. It reports whether one did.
func (n *Node) nodePortFilterOnly(sp *spState, r *Result) bool {
	switch {
	case !sp.hasAny:
		r.Verdict, r.Reason = VerdictReject, ReasonNoEndpoints
	case sp.svc.eTPLocal && len(sp.localSet(n.id)) == 0:
		r.Verdict, r.Reason = VerdictDrop, ReasonNoLocalEndpoints
	default:
		return false
	}
	r.Target, r.rec = TargetNodePort, sp.rec
	return true
}

// internal handles traffic to a cluster IP (internalTrafficPolicy).
func (n *Node) internal(now int64, src netip.Addr, sp *spState, vs uint64, record bool, r *Result) {
	r.Target, r.rec = TargetClusterIP, sp.rec
	if !sp.hasAny {
		r.Verdict, r.Reason = VerdictReject, ReasonNoEndpoints
		return
	}
	var set []Endpoint
	if sp.svc.iTPLocal {
		set = sp.localSet(n.id)
		if len(set) == 0 {
			r.Verdict, r.Reason = VerdictDrop, ReasonNoLocalEndpoints
			return
		}
	} else {
		set = sp.clusterSet(n.id, n.zone)
	}
	r.Masquerade = n.p.cfg.MasqueradeAll || (n.hasDetector(sp.rec.fam) && !n.isPod(src))
	n.forward(now, src, sp, set, vs, record, r)
}

// external handles traffic to external IPs, LB VIPs and node ports
// (externalTrafficPolicy).
func (n *Node) external(now int64, src, dst netip.Addr, sp *spState, kind Target, vs uint64, record bool, r *Result) {
	r.Target, r.rec = kind, sp.rec
	svc := sp.svc
	mode := n.p.cfg.Mode
	if kind == TargetLoadBalancerIP && len(svc.sourceRanges) > 0 && (mode != ModeIPTables || sp.hasAny) {
		if !n.sourceAllowed(src, svc) {
			r.Verdict, r.Reason = VerdictDrop, ReasonSourceRange
			return
		}
	}
	if !sp.hasAny {
		if mode == ModeIPTables && kind != TargetNodePort && n.isLocal(src) && !n.isLocal(dst) {
			// The REJECT rules for external destinations (KUBE-EXTERNAL-SERVICES)
			// are hooked on INPUT and FORWARD, not OUTPUT: the node's own traffic
			// to an external IP or LB IP without endpoints leaves unchanged.
			*r = Result{}
			return
		}
		r.Verdict, r.Reason = VerdictReject, ReasonNoEndpoints
		return
	}
	var set []Endpoint
	switch {
	case !svc.eTPLocal:
		set = sp.clusterSet(n.id, n.zone)
		r.Masquerade = true
	case mode == ModeIPVS:
		// IPVS has no short-circuit: every source gets the local endpoints.
		set = sp.localSet(n.id)
	case n.isPod(src):
		set = sp.clusterSet(n.id, n.zone)
	case n.isLocal(src):
		set = sp.clusterSet(n.id, n.zone)
		r.Masquerade = true
	default:
		set = sp.localSet(n.id)
	}
	if len(set) == 0 {
		r.Verdict, r.Reason = VerdictDrop, ReasonNoLocalEndpoints
		return
	}
	n.forward(now, src, sp, set, vs, record, r)
}

// sourceAllowed applies loadBalancerSourceRanges: the source must be in a
// range, or be one of the LB IPs when a range contains the node's IP.
func (n *Node) sourceAllowed(src netip.Addr, svc *svcInfo) bool {
	allowNode := false
	primary := n.primary[famOf(src)]
	for _, pf := range svc.sourceRanges {
		if pf.Contains(src) {
			return true
		}
		if primary.IsValid() && pf.Contains(primary) {
			allowNode = true
		}
	}
	if allowNode {
		for _, a := range svc.lbVIPs {
			if a == src {
				return true
			}
		}
	}
	return false
}

// forward chooses an endpoint from set: by ClientIP affinity when a live
// record exists, otherwise uniformly from the node's stream (iptables'
// probability chain, nftables' numgen) or round robin (IPVS rr).
func (n *Node) forward(now int64, src netip.Addr, sp *spState, set []Endpoint, vs uint64, record bool, r *Result) {
	r.Verdict = VerdictForward
	r.Endpoints = EndpointSet{set}
	ipvs := n.p.cfg.Mode == ModeIPVS
	i := -1
	var ak affKey
	if sp.svc.affinity {
		ak = affKey{rec: sp.rec, client: keyOf(src)}
		if ipvs {
			ak.vs = vs
		}
		for j := range set {
			ak.ep = set[j].Addr
			if exp, ok := n.aff[ak]; ok {
				if exp > now {
					i, r.Affinity = j, true
					break
				}
				delete(n.aff, ak) // --reap
			}
		}
	}
	if i < 0 {
		switch {
		case ipvs:
			if n.rr == nil {
				n.rr = make(map[uint64]uint32)
			}
			c := n.rr[vs]
			i = int(c % uint32(len(set)))
			n.rr[vs] = c + 1
		case len(set) > 1:
			i = n.rnd.IntN(len(set))
		default:
			i = 0
		}
	}
	r.Chosen, r.chosenIdx = set[i].Addr, i
	if sp.svc.affinity && record {
		ak.ep = r.Chosen
		if n.aff == nil {
			n.aff = make(map[affKey]int64)
		}
		n.aff[ak] = now + int64(sp.svc.stickySeconds)*int64(time.Second)
	}
	if r.Chosen.Addr() == src {
		r.Masquerade = true // hairpin: the endpoint talks to itself
	}
}

// localReadyEndpoints counts the service's local ready endpoints over all its
// ports, as kube-proxy's health server reports them.
func (n *Node) localReadyEndpoints(t *hcTarget) int {
	c := 0
	for _, rec := range t.recs {
		st := rec.chain.at(n.ver)
		if st == nil {
			continue
		}
		for i := range st.eps {
			if st.eps[i].Ready && st.eps[i].NodeName == n.name {
				c++
			}
		}
	}
	return c
}

// cleanupConntrack does kube-proxy's post-sync conntrack cleanup: UDP flows
// whose endpoint is no longer an endpoint of their service on this node are
// deleted, so their next packet is a new connection. TCP (and SCTP) flows are
// left alone and keep their endpoint.
func (n *Node) cleanupConntrack() {
	if !n.hasUDP {
		return
	}
	stale := func(e ctEntry) bool {
		var st *spState
		if e.rec != nil {
			st = e.rec.chain.at(n.ver)
		}
		return st == nil || !containsEndpoint(st.reachable(n.id, n.zone), e.eps[e.ep].Addr)
	}
	left := false
	n.ct4.each(func(k ct4Key, e ctEntry) bool {
		if Protocol(k.rest&0xff) != UDP {
			return true
		}
		if stale(e) {
			return false
		}
		left = true
		return true
	})
	for k, e := range n.ct6 {
		if k.proto == UDP {
			if stale(e) {
				delete(n.ct6, k)
			} else {
				left = true
			}
		}
	}
	n.hasUDP = left
}

// Flows returns the number of conntrack entries on the node, live or not yet
// reaped.
func (n *Node) Flows() int { return n.ct4.live + len(n.ct6) }

// CloseFlow removes the conntrack entry of pkt's 5-tuple, as when a TCP
// connection closes; the next packet with that tuple is a new connection.
func (n *Node) CloseFlow(pkt Packet) {
	if n == nil {
		return
	}
	src, dst := pkt.Src.Addr().Unmap(), pkt.Dst.Addr().Unmap()
	if !src.IsValid() || !dst.IsValid() || src.Is4() != dst.Is4() {
		return
	}
	proto := pkt.Proto.norm()
	if dst.Is4() {
		n.ct4.del(makeCT4Key(src, dst, pkt.Src.Port(), pkt.Dst.Port(), proto))
	} else {
		delete(n.ct6, ctKey{src: src.As16(), dst: dst.As16(), sport: pkt.Src.Port(), dport: pkt.Dst.Port(), proto: proto, fam: fam6})
	}
}

// ExpireFlows deletes conntrack entries and affinity records that have
// expired by now. Route reaps lazily; call this to bound memory in long runs.
func (n *Node) ExpireFlows(now time.Time) {
	t := now.UnixNano()
	n.ct4.each(func(_ ct4Key, e ctEntry) bool { return e.expires > t })
	for k, e := range n.ct6 {
		if e.expires <= t {
			delete(n.ct6, k)
		}
	}
	for k, exp := range n.aff {
		if exp <= t {
			delete(n.aff, k)
		}
	}
}
