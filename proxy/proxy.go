package proxy

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

// Proxy is every node's kube-proxy in one cluster. It learns the cluster
// only through the Upsert and Delete methods, which the caller invokes as watch
// events arrive; each node then picks the changes up at its next sync, so a
// node that has not synced keeps routing with what it knew before.
//
// A Proxy is not safe for concurrent use; like the sim.Loop that drives it, it
// runs on one goroutine.
type Proxy struct {
	loop *sim.Loop
	cfg  Config

	ver      uint64 // committed version
	next     uint64 // version being written by the current mutation
	captured uint64 // newest version a node has synced or started syncing
	changed  bool   // the current mutation changed something

	services   map[nsName]*svcEntry
	sliceOwner map[nsName]string  // slice namespace/name -> service name
	recList    []*spRecord        // every record with a state or history, unordered
	dispatch   map[dkey]*dentry   // IPv6 service addresses
	fast4      map[uint64]*dentry // IPv4 service addresses, keyed by packDkey4
	nodePorts  map[nkey]*dentry
	hcPorts    map[hkey]*hentry
	vips       map[addrKey]*ventry

	dirtyRecs []*spRecord
	dirtyD    []*dentry
	dirtyN    []*dentry
	dirtyH    []*hentry
	dirtyV    []*ventry

	cidrObjs     map[string][]netip.Prefix
	serviceCIDRs [2][]netip.Prefix

	nodes           map[string]*Node
	idle            []*Node
	latency         map[string]time.Duration
	syncsSincePrune int
	lagGen          uint64 // bumped by every committed change
	lagging         int    // nodes not yet synced to the current version

	scratch  mergeScratch
	ids      nodeIDs
	entryIDs uint32
}

// New returns a Proxy driven by loop. It returns an error for a Config that
// kube-proxy would refuse.
func New(loop *sim.Loop, cfg Config) (*Proxy, error) {
	if loop == nil {
		return nil, errNilLoop
	}
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Proxy{
		loop:       loop,
		cfg:        c,
		services:   make(map[nsName]*svcEntry),
		sliceOwner: make(map[nsName]string),
		dispatch:   make(map[dkey]*dentry),
		fast4:      make(map[uint64]*dentry),
		nodePorts:  make(map[nkey]*dentry),
		hcPorts:    make(map[hkey]*hentry),
		vips:       make(map[addrKey]*ventry),
		cidrObjs:   make(map[string][]netip.Prefix),
		nodes:      make(map[string]*Node),
		latency:    make(map[string]time.Duration),
	}
	p.recomputeServiceCIDRs()
	return p, nil
}

// Config returns the configuration in effect, with defaults filled in.
func (p *Proxy) Config() Config { return p.cfg }

// Version returns the number of changes the Proxy has accepted. A node whose
// Version equals it has synced everything.
func (p *Proxy) Version() uint64 { return p.ver }

func (p *Proxy) begin() {
	p.next = p.ver + 1
	p.changed = false
}

func (p *Proxy) commit() {
	if !p.changed {
		return
	}
	p.ver = p.next
	p.changed = false
	p.lagGen++
	p.lagging = len(p.nodes)
	idle := p.idle
	p.idle = nil
	for _, n := range idle {
		n.startSync()
	}
	if len(p.nodes) == 0 {
		p.prune()
	}
}

// UpsertService records a Service as seen by a watch event. Headless and
// ExternalName services, and services labelled
// service.kubernetes.io/service-proxy-name, are not proxied.
func (p *Proxy) UpsertService(svc *api.Service) {
	if svc == nil || svc.Name == "" {
		return
	}
	p.begin()
	defer p.commit()
	e := p.entry(svc.Namespace, svc.Name, true)
	e.info, e.ports = parseService(svc)
	p.rebuild(e)
	p.gcEntry(e)
}

// DeleteService forgets a Service.
func (p *Proxy) DeleteService(namespace, name string) {
	e := p.entry(namespace, name, false)
	if e == nil {
		return
	}
	p.begin()
	defer p.commit()
	e.info, e.ports = [2]*svcInfo{}, nil
	p.rebuild(e)
	p.gcEntry(e)
}

// UpsertEndpointSlice records an EndpointSlice. Slices without the
// kubernetes.io/service-name label, FQDN slices and slices labelled
// service.kubernetes.io/headless are ignored, as kube-proxy ignores them.
func (p *Proxy) UpsertEndpointSlice(es *api.EndpointSlice) {
	if es == nil || es.Name == "" {
		return
	}
	p.begin()
	defer p.commit()
	key := nsName{es.Namespace, es.Name}
	svcName, sd, ok := parseSlice(es)
	if old, had := p.sliceOwner[key]; had && (!ok || old != svcName) {
		if e := p.entry(es.Namespace, old, false); e != nil {
			e.removeSlice(es.Name)
			p.rebuild(e)
			p.gcEntry(e)
		}
		delete(p.sliceOwner, key)
	}
	if !ok {
		return
	}
	p.sliceOwner[key] = svcName
	e := p.entry(es.Namespace, svcName, true)
	e.putSlice(sd)
	p.rebuild(e)
	p.gcEntry(e)
}

// DeleteEndpointSlice forgets an EndpointSlice.
func (p *Proxy) DeleteEndpointSlice(namespace, name string) {
	key := nsName{namespace, name}
	svcName, ok := p.sliceOwner[key]
	if !ok {
		return
	}
	p.begin()
	defer p.commit()
	delete(p.sliceOwner, key)
	if e := p.entry(namespace, svcName, false); e != nil {
		e.removeSlice(name)
		p.rebuild(e)
		p.gcEntry(e)
	}
}

// UpsertServiceCIDR records a ServiceCIDR; in nftables mode, packets to
// unallocated addresses of the service ranges are dropped.
func (p *Proxy) UpsertServiceCIDR(sc *api.ServiceCIDR) {
	if sc == nil || sc.Name == "" {
		return
	}
	var list []netip.Prefix
	for _, s := range sc.Spec.CIDRs {
		if pf, err := netip.ParsePrefix(s); err == nil {
			list = append(list, pf.Masked())
		}
	}
	p.cidrObjs[sc.Name] = list
	p.recomputeServiceCIDRs()
}

// DeleteServiceCIDR forgets a ServiceCIDR.
func (p *Proxy) DeleteServiceCIDR(name string) {
	delete(p.cidrObjs, name)
	p.recomputeServiceCIDRs()
}

func (p *Proxy) recomputeServiceCIDRs() {
	var out [2][]netip.Prefix
	add := func(pf netip.Prefix) {
		pf = netip.PrefixFrom(pf.Addr().Unmap(), pf.Bits()).Masked()
		f := famOf(pf.Addr())
		if !slices.Contains(out[f], pf) {
			out[f] = append(out[f], pf)
		}
	}
	for _, pf := range p.cfg.ServiceCIDRs {
		add(pf)
	}
	names := make([]string, 0, len(p.cidrObjs))
	for n := range p.cidrObjs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		for _, pf := range p.cidrObjs[n] {
			add(pf)
		}
	}
	for f := range out {
		slices.SortFunc(out[f], comparePrefix)
	}
	p.serviceCIDRs = out
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

func (p *Proxy) entry(ns, name string, create bool) *svcEntry {
	k := nsName{ns, name}
	e := p.services[k]
	if e == nil && create {
		e = &svcEntry{ns: ns, name: name}
		p.services[k] = e
	}
	return e
}

func (p *Proxy) gcEntry(e *svcEntry) {
	if e.info[fam4] == nil && e.info[fam6] == nil && len(e.slices) == 0 {
		delete(p.services, nsName{e.ns, e.name})
	}
}

// record returns the entry's current record for a port, or a new one.
func (p *Proxy) record(e *svcEntry, ps portSpec, f family) *spRecord {
	for _, r := range e.recs[f] {
		if r.name.Port == ps.name && r.name.Protocol == ps.proto {
			return r
		}
	}
	name := ServicePortName{e.ns, e.name, ps.name, ps.proto}
	r := &spRecord{name: name, fam: f, str: name.String(), listIdx: len(p.recList)}
	p.recList = append(p.recList, r)
	return r
}

// removeRecord forgets a record that holds nothing any more.
func (p *Proxy) removeRecord(r *spRecord) {
	i := r.listIdx
	if i < 0 || i >= len(p.recList) || p.recList[i] != r {
		return
	}
	last := len(p.recList) - 1
	p.recList[i] = p.recList[last]
	p.recList[i].listIdx = i
	p.recList[last] = nil
	p.recList = p.recList[:last]
	r.listIdx = -1
}

// dentryFor returns the index entry of a service address.
func (p *Proxy) dentryFor(k dkey) *dentry {
	if k.addr.fam == fam4 {
		return p.fast4[packDkey4(k)]
	}
	return p.dispatch[k]
}

// rebuild recomputes the states of a service's ports after a change to the
// service or to one of its slices. Its cost is proportional to the service's
// endpoints, not to the size of the cluster.
func (p *Proxy) rebuild(e *svcEntry) {
	for f := fam4; f <= fam6; f++ {
		info := e.info[f]
		var recs []*spRecord
		if info != nil {
			for _, ps := range e.ports {
				rec := p.record(e, ps, f)
				eps, hints := mergeEndpoints(&p.scratch, e, f, ps.name, ps.proto)
				cur := rec.chain.cur()
				if cur != nil && cur.svc.equal(info) {
					info = cur.svc // share one svcInfo between unchanged states
					if cur.port == ps.port && cur.nodePort == ps.nodePort && slices.Equal(cur.eps, eps) && hintsEqual(cur.hints, hints) {
						recs = append(recs, rec)
						continue
					}
				}
				p.setState(rec, buildState(&p.ids, rec, info, ps.port, ps.nodePort, eps, hints))
				recs = append(recs, rec)
			}
		}
		for _, old := range e.recs[f] {
			if !slices.Contains(recs, old) {
				p.setState(old, nil)
			}
		}
		e.recs[f] = recs
		p.updateHealthCheck(e, f, info)
	}
}

func hintsEqual(a, b []epHints) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if !slices.Equal(a[i].zones, b[i].zones) || !slices.Equal(a[i].nodes, b[i].nodes) {
			return false
		}
	}
	return true
}

// setState makes st the current state of rec and updates every index that
// points at it.
func (p *Proxy) setState(rec *spRecord, st *spState) {
	old := rec.chain.cur()
	if old == st {
		return
	}
	p.changed = true
	if rec.chain.push(p.next, p.captured, st) && !rec.dirty {
		rec.dirty = true
		p.dirtyRecs = append(p.dirtyRecs, rec)
	}
	if st == nil && !rec.dirty && rec.chain.empty() {
		p.removeRecord(rec)
	}
	// Service addresses.
	var buf [16]dkey
	affected := buf[:0]
	var kbuf [16]claimKey
	if old != nil {
		for _, ck := range serviceAddrs(old, kbuf[:0]) {
			if de := p.dentryFor(ck.k); de != nil {
				de.claims = slices.DeleteFunc(de.claims, func(c claim) bool { return c.rec == rec })
				if !slices.Contains(affected, ck.k) {
					affected = append(affected, ck.k)
				}
			}
		}
	}
	if st != nil {
		for _, ck := range serviceAddrs(st, kbuf[:0]) {
			de := p.dentryFor(ck.k)
			if de == nil {
				p.entryIDs++
				de = &dentry{dk: ck.k, id: p.entryIDs}
				p.addDispatch(de)
			}
			c := claim{rec, ck.kind}
			if !slices.Contains(de.claims, c) {
				de.claims = append(de.claims, c)
			}
			if !slices.Contains(affected, ck.k) {
				affected = append(affected, ck.k)
			}
		}
	}
	for _, k := range affected {
		de := p.dentryFor(k)
		if p.pushWinner(de) && !de.dirty {
			de.dirty = true
			p.dirtyD = append(p.dirtyD, de)
		}
		if de.chain.empty() && len(de.claims) == 0 {
			p.deleteDispatch(de)
		}
	}
	// Node ports.
	oldNP, newNP := nkeyOf(old), nkeyOf(st)
	if old != nil && old.nodePort != 0 {
		if de := p.nodePorts[oldNP]; de != nil {
			de.claims = slices.DeleteFunc(de.claims, func(c claim) bool { return c.rec == rec })
		}
	}
	if st != nil && st.nodePort != 0 {
		de := p.nodePorts[newNP]
		if de == nil {
			p.entryIDs++
			de = &dentry{nk: newNP, id: p.entryIDs}
			p.nodePorts[newNP] = de
		}
		de.claims = append(de.claims, claim{rec, TargetNodePort})
	}
	for _, k := range []nkey{oldNP, newNP} {
		if de := p.nodePorts[k]; de != nil {
			if p.pushWinner(de) && !de.dirty {
				de.dirty = true
				p.dirtyN = append(p.dirtyN, de)
			}
			if de.chain.empty() && len(de.claims) == 0 {
				delete(p.nodePorts, k)
			}
		}
	}
	// Bound addresses.
	if old != nil {
		p.adjustVIPs(old, -1)
	}
	if st != nil {
		p.adjustVIPs(st, +1)
	}
}

func nkeyOf(st *spState) nkey {
	if st == nil || st.nodePort == 0 {
		return nkey{}
	}
	return nkey{port: st.nodePort, proto: st.rec.name.Protocol, fam: st.rec.fam}
}

func (p *Proxy) addDispatch(de *dentry) {
	if de.dk.addr.fam == fam4 {
		p.fast4[packDkey4(de.dk)] = de
	} else {
		p.dispatch[de.dk] = de
	}
}

func (p *Proxy) deleteDispatch(de *dentry) {
	if de.dk.addr.fam == fam4 {
		delete(p.fast4, packDkey4(de.dk))
	} else {
		delete(p.dispatch, de.dk)
	}
}

// packDkey4 packs an IPv4 service address, port and protocol into a word,
// which the map hashes much faster than the general key.
func packDkey4(k dkey) uint64 {
	a := k.addr.a
	return uint64(a[12])<<56 | uint64(a[13])<<48 | uint64(a[14])<<40 | uint64(a[15])<<32 |
		uint64(k.port)<<16 | uint64(k.proto)
}

func pack4(a netip.Addr, port uint16, proto Protocol) uint64 {
	b := a.As4()
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(port)<<16 | uint64(proto)
}

type claimKey struct {
	k    dkey
	kind Target
}

// serviceAddrs appends a state's cluster IP, external IPs and LB VIPs to
// buf, in the order kube-proxy writes their rules.
func serviceAddrs(st *spState, buf []claimKey) []claimKey {
	proto := st.rec.name.Protocol
	buf = append(buf, claimKey{dkey{keyOf(st.svc.clusterIP), st.port, proto}, TargetClusterIP})
	for _, a := range st.svc.externalIPs {
		buf = append(buf, claimKey{dkey{keyOf(a), st.port, proto}, TargetExternalIP})
	}
	for _, a := range st.svc.lbVIPs {
		buf = append(buf, claimKey{dkey{keyOf(a), st.port, proto}, TargetLoadBalancerIP})
	}
	return buf
}

// pushWinner records the first claimant (in rule order) as the entry's
// current target. It reports whether the chain has history.
func (p *Proxy) pushWinner(de *dentry) bool {
	var t dtarget
	if len(de.claims) > 0 {
		best := de.claims[0]
		for _, c := range de.claims[1:] {
			if compareClaims(c, best) < 0 {
				best = c
			}
		}
		t = dtarget{sp: best.rec.chain.cur(), kind: best.kind}
	}
	if de.chain.cur() == t {
		return de.chain.head != nil && de.chain.head.prev != nil
	}
	p.changed = true
	return de.chain.push(p.next, p.captured, t)
}

func (p *Proxy) adjustVIPs(st *spState, d int) {
	touch := func(a netip.Addr, cluster bool) {
		k := keyOf(a)
		ve := p.vips[k]
		if ve == nil {
			if d < 0 {
				return
			}
			ve = &ventry{key: k}
			p.vips[k] = ve
		}
		ve.nBound += d
		if cluster {
			ve.nCluster += d
		}
		var bits vipBits
		if ve.nCluster > 0 {
			bits |= vipClusterIP
		}
		if ve.nBound > 0 {
			bits |= vipBound
		}
		if ve.chain.cur() != bits {
			p.changed = true
			if ve.chain.push(p.next, p.captured, bits) && !ve.dirty {
				ve.dirty = true
				p.dirtyV = append(p.dirtyV, ve)
			}
		}
		if ve.chain.empty() && ve.nBound == 0 {
			delete(p.vips, k)
		}
	}
	touch(st.svc.clusterIP, true)
	for _, a := range st.svc.externalIPs {
		touch(a, false)
	}
	for _, a := range st.svc.lbVIPs {
		touch(a, false)
	}
}

func (p *Proxy) updateHealthCheck(e *svcEntry, f family, info *svcInfo) {
	var port uint16
	var val *hcTarget
	if info != nil && info.hcNodePort != 0 && len(e.recs[f]) > 0 {
		port = info.hcNodePort
		val = e.hcVal[f]
		if val == nil || val.svc != info || !slices.Equal(val.recs, e.recs[f]) {
			val = &hcTarget{svc: info, recs: slices.Clone(e.recs[f])}
		}
	}
	oldPort := e.hcPort[f]
	if oldPort == port && e.hcVal[f] == val {
		return
	}
	if oldPort != 0 {
		if he := p.hcPorts[hkey{oldPort, f}]; he != nil {
			he.claims = slices.DeleteFunc(he.claims, func(x *svcEntry) bool { return x == e })
		}
	}
	e.hcPort[f], e.hcVal[f] = port, val
	if port != 0 {
		he := p.hcPorts[hkey{port, f}]
		if he == nil {
			he = &hentry{key: hkey{port, f}}
			p.hcPorts[hkey{port, f}] = he
		}
		he.claims = append(he.claims, e)
	}
	for _, k := range []hkey{{oldPort, f}, {port, f}} {
		he := p.hcPorts[k]
		if he == nil {
			continue
		}
		var win *hcTarget
		if len(he.claims) > 0 {
			best := he.claims[0]
			for _, c := range he.claims[1:] {
				if c.ns < best.ns || (c.ns == best.ns && c.name < best.name) {
					best = c
				}
			}
			win = best.hcVal[f]
		}
		if he.chain.cur() != win {
			p.changed = true
			if he.chain.push(p.next, p.captured, win) && !he.dirty {
				he.dirty = true
				p.dirtyH = append(p.dirtyH, he)
			}
		}
		if he.chain.empty() && len(he.claims) == 0 {
			delete(p.hcPorts, k)
		}
	}
}

// prune drops history no node can read any more, and entries that hold
// nothing any more. Its cost is proportional to the entries changed since
// the last prune.
func (p *Proxy) prune() {
	p.syncsSincePrune = 0
	minVer := p.ver
	for _, n := range p.nodes {
		minVer = min(minVer, n.ver)
	}
	p.dirtyRecs = slices.DeleteFunc(p.dirtyRecs, func(r *spRecord) bool {
		if r.chain.prune(minVer) {
			return false
		}
		r.dirty = false
		if r.chain.empty() {
			p.removeRecord(r)
		}
		return true
	})
	p.dirtyD = slices.DeleteFunc(p.dirtyD, func(de *dentry) bool {
		if de.chain.prune(minVer) {
			return false
		}
		de.dirty = false
		if de.chain.empty() && len(de.claims) == 0 && p.dentryFor(de.dk) == de {
			p.deleteDispatch(de)
		}
		return true
	})
	p.dirtyN = slices.DeleteFunc(p.dirtyN, func(de *dentry) bool {
		if de.chain.prune(minVer) {
			return false
		}
		de.dirty = false
		if de.chain.empty() && len(de.claims) == 0 && p.nodePorts[de.nk] == de {
			delete(p.nodePorts, de.nk)
		}
		return true
	})
	p.dirtyH = slices.DeleteFunc(p.dirtyH, func(he *hentry) bool {
		if he.chain.prune(minVer) {
			return false
		}
		he.dirty = false
		if he.chain.empty() && len(he.claims) == 0 && p.hcPorts[he.key] == he {
			delete(p.hcPorts, he.key)
		}
		return true
	})
	p.dirtyV = slices.DeleteFunc(p.dirtyV, func(ve *ventry) bool {
		if ve.chain.prune(minVer) {
			return false
		}
		ve.dirty = false
		if ve.chain.empty() && ve.nBound == 0 && p.vips[ve.key] == ve {
			delete(p.vips, ve.key)
		}
		return true
	})
}

func (p *Proxy) hasHistory() bool {
	return len(p.dirtyRecs)+len(p.dirtyD)+len(p.dirtyN)+len(p.dirtyH)+len(p.dirtyV) > 0
}

// Node sync phases, passed as the event argument.
const (
	phaseSyncEnd uint64 = iota + 1
	phaseCooldownEnd
)

const (
	stateIdle uint8 = iota
	stateSyncing
	stateCooldown
)

// Node is one node's kube-proxy: the version of the cluster state it last
// synced, its connection-tracking and affinity tables, and its random stream.
// Obtain one with Proxy.Node.
type Node struct {
	p       *Proxy
	name    string
	id      nodeID
	deleted bool

	ver, target uint64
	state       uint8
	resync      bool // a node-local change (labels) awaits a sync

	zone, pendingZone string
	addrs             []netip.Addr // the node's own addresses (loopback is implicit)
	primary           [2]netip.Addr
	podCIDRs          [2]netip.Prefix
	detect            [2]netip.Prefix // local-traffic detector per family; invalid = none
	np                [2]npInfo

	rnd    *rand.Rand
	ct4    ct4Table // IPv4 flows
	ct6    map[ctKey]ctEntry
	aff    map[affKey]int64
	rr     map[uint64]uint32 // IPVS round-robin position per virtual server
	hasUDP bool              // some UDP flow may exist; syncs clean those up

	lastSync  time.Time
	syncs     int
	caughtGen uint64 // the lagGen at which the node last caught up
}

// UpsertNode records a Node. A new node's kube-proxy starts and syncs after
// its latency; until then it has no rules. Changes to the node's
// topology.kubernetes.io/zone label take effect at its next sync.
func (p *Proxy) UpsertNode(node *api.Node) {
	if node == nil || node.Name == "" {
		return
	}
	n := p.nodes[node.Name]
	isNew := n == nil
	if isNew {
		n = &Node{p: p, name: node.Name, id: p.ids.id(node.Name), rnd: p.loop.Rand("proxy/" + node.Name), caughtGen: ^uint64(0)}
		p.nodes[node.Name] = n
		p.lagging++ // counted until it syncs the current version
	}
	n.addrs = n.addrs[:0]
	n.primary = [2]netip.Addr{}
	for _, want := range []api.NodeAddressType{api.NodeInternalIP, api.NodeExternalIP} {
		for _, a := range node.Status.Addresses {
			if a.Type != want {
				continue
			}
			ip, err := netip.ParseAddr(a.Address)
			if err != nil || ip.Zone() != "" {
				continue
			}
			ip = ip.Unmap()
			if !slices.Contains(n.addrs, ip) {
				n.addrs = append(n.addrs, ip)
			}
			if f := famOf(ip); !n.primary[f].IsValid() {
				n.primary[f] = ip
			}
		}
	}
	n.podCIDRs = [2]netip.Prefix{}
	cidrs := node.Spec.PodCIDRs
	if len(cidrs) == 0 && node.Spec.PodCIDR != "" {
		cidrs = []string{node.Spec.PodCIDR}
	}
	for _, s := range cidrs {
		if pf, err := netip.ParsePrefix(s); err == nil {
			pf = netip.PrefixFrom(pf.Addr().Unmap(), pf.Bits()).Masked()
			if f := famOf(pf.Addr()); !n.podCIDRs[f].IsValid() {
				n.podCIDRs[f] = pf
			}
		}
	}
	n.updateDetector()
	n.computeNodePorts()
	zone := node.Labels["topology.kubernetes.io/zone"]
	if zone != n.pendingZone || isNew {
		n.pendingZone = zone
		n.run()
	}
}

// DeleteNode forgets a node and its kube-proxy's state.
func (p *Proxy) DeleteNode(name string) {
	n := p.nodes[name]
	if n == nil {
		return
	}
	n.deleted = true
	if n.caughtGen != p.lagGen {
		p.lagging--
	}
	delete(p.nodes, name)
	p.idle = slices.DeleteFunc(p.idle, func(x *Node) bool { return x == n })
}

// Node returns the named node's kube-proxy, or nil if the node is unknown.
func (p *Proxy) Node(name string) *Node { return p.nodes[name] }

// Nodes returns the names of all nodes, sorted.
func (p *Proxy) Nodes() []string {
	out := make([]string, 0, len(p.nodes))
	for n := range p.nodes {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// SetSyncLatency sets how long the named node's syncs take, overriding
// Config.SyncLatency; it applies from the node's next sync on, and to a node
// that does not exist yet once it does. A negative d restores the default.
func (p *Proxy) SetSyncLatency(node string, d time.Duration) {
	if d < 0 {
		delete(p.latency, node)
		return
	}
	p.latency[node] = d
}

// SyncAll brings every node up to date at once, as if each had just finished
// a sync: for tests and one-shot tools that do not run the loop. Scheduled
// syncs still run later and change nothing.
func (p *Proxy) SyncAll() {
	p.captured = p.ver
	for _, name := range p.Nodes() {
		n := p.nodes[name]
		n.apply(p.ver)
	}
	p.prune()
}

func (n *Node) updateDetector() {
	cfg := &n.p.cfg
	n.detect = [2]netip.Prefix{}
	switch cfg.DetectLocal {
	case DetectLocalClusterCIDR:
		for _, pf := range cfg.ClusterCIDRs {
			pf = netip.PrefixFrom(pf.Addr().Unmap(), pf.Bits()).Masked()
			if f := famOf(pf.Addr()); !n.detect[f].IsValid() {
				n.detect[f] = pf
			}
		}
	case DetectLocalNodeCIDR:
		n.detect = n.podCIDRs
	}
}

// run is kube-proxy's Sync(): ask for a sync as soon as the runner allows.
func (n *Node) run() {
	switch n.state {
	case stateIdle:
		n.p.idle = slices.DeleteFunc(n.p.idle, func(x *Node) bool { return x == n })
		n.startSync()
	default:
		n.resync = true
	}
}

func (n *Node) latency() time.Duration {
	if d, ok := n.p.latency[n.name]; ok {
		return d
	}
	return n.p.cfg.SyncLatency
}

// startSync reads the pending changes (the current version); the rules it
// computes take effect when the sync ends, after the node's latency.
func (n *Node) startSync() {
	if n.deleted {
		return
	}
	n.state = stateSyncing
	n.target = n.p.ver
	n.p.captured = max(n.p.captured, n.target)
	n.resync = false
	n.p.loop.Schedule(n.latency(), (*syncRunner)(n), phaseSyncEnd)
}

// syncRunner is a node seen as the sim.Handler of its bounded-frequency
// runner; converting the pointer allocates nothing.
type syncRunner Node

// Fire implements sim.Handler.
func (r *syncRunner) Fire(arg uint64) {
	n := (*Node)(r)
	if n.deleted {
		return
	}
	switch arg {
	case phaseSyncEnd:
		prev := n.ver
		n.apply(n.target)
		n.p.loop.Record("proxy", "node/"+n.name, "synced rules v"+strconv.FormatUint(prev, 10)+" -> v"+strconv.FormatUint(n.ver, 10))
		n.state = stateCooldown
		n.p.loop.Schedule(n.p.cfg.MinSyncPeriod, (*syncRunner)(n), phaseCooldownEnd)
		n.p.syncsSincePrune++
		if n.p.hasHistory() && (n.p.lagging == 0 || n.p.syncsSincePrune >= len(n.p.nodes)) {
			n.p.prune()
		}
	case phaseCooldownEnd:
		if n.p.ver > n.ver || n.resync {
			n.startSync()
			return
		}
		n.state = stateIdle
		n.p.idle = append(n.p.idle, n)
	}
}

// apply switches the node to version v (never backwards) and does what
// kube-proxy does after a successful sync.
func (n *Node) apply(v uint64) {
	n.ver = max(n.ver, v)
	if n.ver == n.p.ver && n.caughtGen != n.p.lagGen {
		n.caughtGen = n.p.lagGen
		n.p.lagging--
	}
	n.zone = n.pendingZone
	n.lastSync = n.p.loop.Now()
	n.syncs++
	n.cleanupConntrack()
}

// Name returns the node's name.
func (n *Node) Name() string { return n.name }

// Version returns the version of the cluster state the node last synced.
func (n *Node) Version() uint64 { return n.ver }

// Syncing reports whether a sync is in progress or queued behind the
// minimum sync period with changes pending.
func (n *Node) Syncing() bool {
	return n.state == stateSyncing || (n.state == stateCooldown && (n.p.ver > n.ver || n.resync))
}

// LastSync returns the virtual time the node's rules were last written, or
// the zero time before its first sync.
func (n *Node) LastSync() time.Time { return n.lastSync }

// SetRand replaces the node's random stream (by default the loop's
// "proxy/<node>" stream).
func (n *Node) SetRand(r *rand.Rand) {
	if r != nil {
		n.rnd = r
	}
}

// isLocal reports whether a is one of the node's own addresses: its node
// addresses and loopback (addrtype LOCAL).
func (n *Node) isLocal(a netip.Addr) bool {
	if a.IsLoopback() {
		return true
	}
	for _, x := range n.addrs {
		if x == a {
			return true
		}
	}
	return false
}

// addrIndex returns the index of a among the node's addresses, or -1.
func (n *Node) addrIndex(a netip.Addr) int {
	for i, x := range n.addrs {
		if x == a {
			return i
		}
	}
	return -1
}

// isPod applies the local-traffic detector.
func (n *Node) isPod(a netip.Addr) bool {
	d := n.detect[famOf(a)]
	return d.IsValid() && d.Contains(a)
}

func (n *Node) hasDetector(f family) bool { return n.detect[f].IsValid() }

// nodePortAddrs returns the node's addresses that accept node ports in
// mode m, and whether "all local addresses" applies (matchAll).
func (n *Node) nodePortConfig(m Mode, f family) (matchAll bool, cidrs []netip.Prefix, primary bool) {
	cfg := &n.p.cfg
	for _, pf := range cfg.NodePortAddresses {
		pf = netip.PrefixFrom(pf.Addr().Unmap(), pf.Bits()).Masked()
		if famOf(pf.Addr()) == f {
			if pf.Bits() == 0 {
				return true, nil, false
			}
			cidrs = append(cidrs, pf)
		}
	}
	if len(cidrs) > 0 {
		return false, cidrs, false
	}
	if len(cfg.NodePortAddresses) == 0 && m == ModeNFTables {
		return false, nil, true
	}
	return true, nil, false
}

// nodePortIPs lists the node addresses that accept node ports when not
// matchAll, in address order.
func (n *Node) nodePortIPs(m Mode, f family) []netip.Addr {
	matchAll, cidrs, primary := n.nodePortConfig(m, f)
	if matchAll {
		return nil
	}
	var out []netip.Addr
	if primary {
		if n.primary[f].IsValid() {
			out = append(out, n.primary[f])
		}
		return out
	}
	cand := append([]netip.Addr(nil), n.addrs...)
	if f == fam4 {
		cand = append(cand, netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	} else {
		cand = append(cand, netip.IPv6Loopback())
	}
	for _, a := range cand {
		if famOf(a) != f {
			continue
		}
		for _, pf := range cidrs {
			if pf.Contains(a) {
				out = append(out, a)
				break
			}
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// localhostNodePorts reports whether iptables mode serves node ports on
// 127.0.0.1: the flag is on and nodePortAddresses includes loopback.
func (n *Node) localhostNodePorts(f family) bool {
	if n.p.cfg.NoLocalhostNodePorts || f != fam4 {
		return false
	}
	matchAll, cidrs, primary := n.nodePortConfig(ModeIPTables, f)
	if matchAll {
		return true
	}
	if primary {
		return false
	}
	lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	for _, pf := range cidrs {
		if pf.Contains(lo) || (pf.Addr().IsLoopback()) {
			return true
		}
	}
	return false
}

// isNodePortAddr reports whether a packet to dst reaches KUBE-NODEPORTS (or
// the service-nodeports map) on this node in the configured mode.
func (n *Node) isNodePortAddr(dst netip.Addr, dstLocal bool) bool {
	if !dstLocal {
		return false
	}
	np := &n.np[famOf(dst)]
	if dst.IsLoopback() {
		return np.localhost
	}
	if np.matchAll {
		return true
	}
	for _, a := range np.ips {
		if a == dst {
			return true
		}
	}
	return false
}

// npInfo caches which of a node's addresses accept node ports.
type npInfo struct {
	matchAll  bool         // every local (non-loopback) address
	ips       []netip.Addr // otherwise these
	localhost bool         // 127.0.0.1 too (iptables localhost node ports)
}

func (n *Node) computeNodePorts() {
	m := n.p.cfg.Mode
	for f := fam4; f <= fam6; f++ {
		matchAll, _, _ := n.nodePortConfig(m, f)
		np := npInfo{matchAll: matchAll}
		if !matchAll {
			for _, a := range n.nodePortIPs(m, f) {
				if !a.IsLoopback() {
					np.ips = append(np.ips, a)
				}
			}
		}
		if m == ModeIPTables {
			np.localhost = n.localhostNodePorts(f)
		}
		n.np[f] = np
	}
}
