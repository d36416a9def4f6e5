package proxy

// The shared routing state.
//
// Every node's kube-proxy sees the same services and endpoints, only at
// different moments: a node routes with the state of its last sync. Instead of
// a copy per node, the state is kept once, multi-versioned. A global version
// counts changes; each node remembers the version it last synced. Every index
// entry is a short chain of immutable values stamped with the version at which
// they became current, newest first; a node reads the newest value not newer
// than its own version. Chains are pruned once every node has moved past an
// old value, so memory is O(services + endpoints + recent changes), whatever
// the number of nodes.

import (
	"bytes"
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// family indexes per-family data: 0 for IPv4, 1 for IPv6.
type family uint8

const (
	fam4 family = 0
	fam6 family = 1
)

func famOf(a netip.Addr) family {
	if a.Is4() {
		return fam4
	}
	return fam6
}

// vnode is one value of a versioned chain.
type vnode[T comparable] struct {
	ver  uint64
	val  T
	prev *vnode[T]
}

// vchain is a value with history: head is the newest version.
type vchain[T comparable] struct {
	head *vnode[T]
}

// at returns the newest value whose version is <= ver, or the zero value.
func (c *vchain[T]) at(ver uint64) T {
	for n := c.head; n != nil; n = n.prev {
		if n.ver <= ver {
			return n.val
		}
	}
	var zero T
	return zero
}

// cur returns the newest value.
func (c *vchain[T]) cur() T {
	if c.head == nil {
		var zero T
		return zero
	}
	return c.head.val
}

// push records val as current from version ver on. floor is the newest
// version any reader may use (the newest version a node has synced or is
// syncing to): a head newer than that has never been visible and is
// overwritten in place instead of kept as history. push reports whether the
// chain now has history worth pruning later.
func (c *vchain[T]) push(ver, floor uint64, val T) bool {
	var zero T
	switch {
	case c.head != nil && c.head.val == val:
	case c.head != nil && c.head.ver > floor:
		c.head.val, c.head.ver = val, ver
		if c.head.prev == nil && val == zero {
			c.head = nil
		}
	case c.head == nil && val == zero:
	default:
		c.head = &vnode[T]{ver: ver, val: val, prev: c.head}
	}
	return c.head != nil && c.head.prev != nil
}

// prune drops values no reader at a version >= minVer can see. It reports
// whether history remains.
func (c *vchain[T]) prune(minVer uint64) bool {
	for n := c.head; n != nil; n = n.prev {
		if n.ver <= minVer {
			n.prev = nil
			break
		}
	}
	return c.head != nil && c.head.prev != nil
}

// empty reports whether the chain holds nothing but the zero value.
func (c *vchain[T]) empty() bool {
	var zero T
	return c.head == nil || (c.head.prev == nil && c.head.val == zero)
}

// svcInfo is the part of a Service that kube-proxy uses, for one IP family.
// It is immutable once built and shared by all the service's ports.
type svcInfo struct {
	ns, name      string
	clusterIP     netip.Addr
	externalIPs   []netip.Addr
	lbVIPs        []netip.Addr
	sourceRanges  []netip.Prefix
	affinity      bool
	stickySeconds int
	eTPLocal      bool // externalTrafficPolicy Local on an externally accessible service
	iTPLocal      bool
	hcNodePort    uint16
}

func (a *svcInfo) equal(b *svcInfo) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	return a.ns == b.ns && a.name == b.name && a.clusterIP == b.clusterIP &&
		slices.Equal(a.externalIPs, b.externalIPs) && slices.Equal(a.lbVIPs, b.lbVIPs) &&
		slices.Equal(a.sourceRanges, b.sourceRanges) && a.affinity == b.affinity &&
		a.stickySeconds == b.stickySeconds && a.eTPLocal == b.eTPLocal &&
		a.iTPLocal == b.iTPLocal && a.hcNodePort == b.hcNodePort
}

// epHints are an endpoint's topology hints.
type epHints struct {
	zones []string
	nodes []string
}

// spState is the immutable state of one service port in one family at one
// version: the service's settings, the merged endpoints, and the endpoint
// sets every node may need, precomputed once and shared.
type spState struct {
	rec      *spRecord
	svc      *svcInfo
	port     uint16
	nodePort uint16
	eps      []Endpoint // every endpoint, sorted by "ip:port" string
	hints    []epHints  // parallel to eps; nil when no endpoint has hints

	extAccessible bool // node port, external IPs or LB VIPs
	hasAny        bool // a ready, or serving and terminating, endpoint exists
	cluster       []Endpoint
	zoneSets      map[string][]Endpoint // nil unless every ready endpoint has zone hints
	nodeSets      map[nodeID][]Endpoint // nil unless every ready endpoint has node hints
	localSets     map[nodeID][]Endpoint // node -> local set; nil unless Local policy is used
}

func (s *spState) usesCluster() bool { return !s.svc.iTPLocal || s.extAccessible }
func (s *spState) usesLocal() bool {
	return s.svc.iTPLocal || (s.svc.eTPLocal && s.extAccessible)
}

// clusterSet returns the cluster-policy endpoints for a node: ready
// endpoints, narrowed by node or zone hints when kube-proxy would use them,
// or serving-terminating ones when none is ready.
func (s *spState) clusterSet(node nodeID, zone string) []Endpoint {
	if s.nodeSets != nil {
		if set, ok := s.nodeSets[node]; ok {
			return set
		}
	}
	if s.zoneSets != nil && zone != "" {
		if set, ok := s.zoneSets[zone]; ok {
			return set
		}
	}
	return s.cluster
}

// localSet returns the local-policy endpoints for a node.
func (s *spState) localSet(node nodeID) []Endpoint {
	if s.localSets == nil {
		return nil
	}
	return s.localSets[node]
}

// reachable returns the union of the cluster and local sets in endpoint
// order: the endpoints for which the node has rules (KUBE-SEP chains).
func (s *spState) reachable(node nodeID, zone string) []Endpoint {
	var c, l []Endpoint
	if s.usesCluster() {
		c = s.clusterSet(node, zone)
	}
	if s.usesLocal() {
		l = s.localSet(node)
	}
	if len(l) == 0 {
		return c
	}
	if len(c) == 0 {
		return l
	}
	out := make([]Endpoint, 0, len(c)+len(l))
	i, j := 0, 0
	for i < len(c) || j < len(l) {
		switch {
		case j >= len(l):
			out = append(out, c[i])
			i++
		case i >= len(c):
			out = append(out, l[j])
			j++
		default:
			switch compareEndpoint(c[i].Addr, l[j].Addr) {
			case -1:
				out = append(out, c[i])
				i++
			case 1:
				out = append(out, l[j])
				j++
			default:
				out = append(out, c[i])
				i++
				j++
			}
		}
	}
	return out
}

// buildState computes a service port's state and its precomputed endpoint sets.
func buildState(ids *nodeIDs, rec *spRecord, svc *svcInfo, port, nodePort uint16, eps []Endpoint, hints []epHints) *spState {
	st := &spState{rec: rec, svc: svc, port: port, nodePort: nodePort, eps: eps, hints: hints}
	st.extAccessible = nodePort != 0 || len(svc.externalIPs) > 0 || len(svc.lbVIPs) > 0
	ready := 0
	for i := range eps {
		if eps[i].Ready {
			ready++
			st.hasAny = true
		} else if eps[i].Serving && eps[i].Terminating {
			st.hasAny = true
		}
	}
	if st.usesCluster() {
		if ready > 0 {
			if ready == len(eps) {
				st.cluster = eps
			} else {
				st.cluster = filterEndpoints(eps, func(e *Endpoint) bool { return e.Ready })
			}
			if hints != nil {
				st.zoneSets = hintSets(eps, hints, func(h *epHints) []string { return h.zones })
				if byName := hintSets(eps, hints, func(h *epHints) []string { return h.nodes }); byName != nil {
					st.nodeSets = make(map[nodeID][]Endpoint, len(byName))
					for name, set := range byName {
						st.nodeSets[ids.id(name)] = set
					}
				}
			}
		} else {
			st.cluster = filterEndpoints(eps, func(e *Endpoint) bool { return e.Serving && e.Terminating })
		}
	}
	if st.usesLocal() {
		st.localSets = make(map[nodeID][]Endpoint)
		var nodes []string
		for i := range eps {
			if eps[i].NodeName != "" && (eps[i].Ready || (eps[i].Serving && eps[i].Terminating)) {
				if !slices.Contains(nodes, eps[i].NodeName) {
					nodes = append(nodes, eps[i].NodeName)
				}
			}
		}
		for _, n := range nodes {
			set := filterEndpoints(eps, func(e *Endpoint) bool { return e.NodeName == n && e.Ready })
			if len(set) == 0 {
				set = filterEndpoints(eps, func(e *Endpoint) bool {
					return e.NodeName == n && e.Serving && e.Terminating
				})
			}
			st.localSets[ids.id(n)] = set
		}
	}
	return st
}

// hintSets groups ready endpoints by hint value, or returns nil when some
// ready endpoint lacks a hint of this kind (kube-proxy then ignores hints).
func hintSets(eps []Endpoint, hints []epHints, get func(*epHints) []string) map[string][]Endpoint {
	var m map[string][]Endpoint
	for i := range eps {
		if !eps[i].Ready {
			continue
		}
		hs := get(&hints[i])
		if len(hs) == 0 {
			return nil
		}
		if m == nil {
			m = make(map[string][]Endpoint)
		}
		for _, h := range hs {
			m[h] = append(m[h], eps[i])
		}
	}
	return m
}

func filterEndpoints(eps []Endpoint, keep func(*Endpoint) bool) []Endpoint {
	n := 0
	for i := range eps {
		if keep(&eps[i]) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Endpoint, 0, n)
	for i := range eps {
		if keep(&eps[i]) {
			out = append(out, eps[i])
		}
	}
	return out
}

// compareEndpoint orders endpoints as kube-proxy does: by their "ip:port"
// strings, byte by byte. It does not allocate.
func compareEndpoint(a, b netip.AddrPort) int {
	var ba, bb [64]byte
	return bytes.Compare(a.AppendTo(ba[:0]), b.AppendTo(bb[:0]))
}

// nodeID is a node name interned to a small integer, so that per-node
// endpoint sets are found with a fast map lookup. IDs are assigned in the
// order names are first seen, which is deterministic.
type nodeID int32

type nodeIDs struct {
	m map[string]nodeID
}

func (t *nodeIDs) id(name string) nodeID {
	if id, ok := t.m[name]; ok {
		return id
	}
	if t.m == nil {
		t.m = make(map[string]nodeID)
	}
	id := nodeID(len(t.m) + 1)
	t.m[name] = id
	return id
}

// spRecord is the stable identity of one service port in one family. Its
// chain holds the port's states over time (nil while the port does not exist).
type spRecord struct {
	name  ServicePortName
	fam   family
	str   string // name.String()
	chain vchain[*spState]
	dirty bool

	iptHash string // lazily computed KUBE-SVC- hash
	nftBase string // lazily computed nftables chain base
	listIdx int    // position in Proxy.recList
}

// addrKey is an address in a fixed-size, comparable, fast-hashing form.
type addrKey struct {
	a   [16]byte
	fam family
}

func keyOf(a netip.Addr) addrKey { return addrKey{a: a.As16(), fam: famOf(a)} }

// dkey indexes service addresses: cluster IPs, external IPs and LB VIPs.
type dkey struct {
	addr  addrKey
	port  uint16
	proto Protocol
}

// dtarget is what a service address leads to.
type dtarget struct {
	sp   *spState
	kind Target
}

type claim struct {
	rec  *spRecord
	kind Target
}

// dentry is one service address (or node port) with its history and the
// service ports currently claiming it; the first claimant in kube-proxy's
// rule order wins, as the first matching rule does.
type dentry struct {
	chain  vchain[dtarget]
	claims []claim
	dirty  bool
	dk     dkey // the entry's key in Proxy.dispatch, or
	nk     nkey // in Proxy.nodePorts
	id     uint32
}

// nkey indexes node ports.
type nkey struct {
	port  uint16
	proto Protocol
	fam   family
}

// hkey indexes health-check node ports (always TCP).
type hkey struct {
	port uint16
	fam  family
}

// hcTarget is what a health-check node port answers for.
type hcTarget struct {
	svc  *svcInfo
	recs []*spRecord // the service's ports in this family
}

type hentry struct {
	chain  vchain[*hcTarget]
	claims []*svcEntry
	dirty  bool
	key    hkey
}

// vipBits says what an address is, for nftables' cluster-ips set and IPVS's
// kube-ipvs0 addresses.
type vipBits uint8

const (
	vipClusterIP vipBits = 1 << iota // a cluster IP of some service
	vipBound                         // any service address (IPVS binds it locally)
)

type ventry struct {
	chain    vchain[vipBits]
	nCluster int
	nBound   int
	dirty    bool
	key      addrKey
}

// portSpec is one port of a Service.
type portSpec struct {
	name     string
	proto    Protocol
	port     uint16
	nodePort uint16
}

// sliceData is the part of an EndpointSlice kube-proxy uses.
type sliceData struct {
	name  string
	fam   family
	ports []slicePort
	eps   []sliceEndpoint
}

type slicePort struct {
	name  string
	proto Protocol
	port  uint16
}

type sliceEndpoint struct {
	addr                        netip.Addr
	node                        string
	ready, serving, terminating bool
	hints                       *epHints // nil without hints
}

// svcEntry is the current knowledge about one namespace/name: the Service
// (if any, and if proxied) and the EndpointSlices that name it.
type svcEntry struct {
	ns, name string
	info     [2]*svcInfo // nil when absent, not proxied, or without this family
	ports    []portSpec
	slices   []*sliceData   // sorted by name
	recs     [2][]*spRecord // current records, in port order
	hcPort   [2]uint16      // currently claimed health-check port
	hcVal    [2]*hcTarget
}

type nsName struct{ ns, name string }

// putSlice adds or replaces a slice, keeping the list sorted by name.
func (e *svcEntry) putSlice(sd *sliceData) {
	i, found := slices.BinarySearchFunc(e.slices, sd.name, func(x *sliceData, n string) int { return strings.Compare(x.name, n) })
	if found {
		e.slices[i] = sd
		return
	}
	e.slices = slices.Insert(e.slices, i, sd)
}

func (e *svcEntry) removeSlice(name string) {
	i, found := slices.BinarySearchFunc(e.slices, name, func(x *sliceData, n string) int { return strings.Compare(x.name, n) })
	if found {
		e.slices = slices.Delete(e.slices, i, i+1)
	}
}

// parseService extracts what kube-proxy uses from a Service. It returns nil
// infos for services kube-proxy does not proxy.
func parseService(svc *api.Service) (info [2]*svcInfo, ports []portSpec) {
	if svc.Spec.Type == api.ServiceTypeExternalName {
		return info, nil
	}
	if _, ok := svc.Labels["service.kubernetes.io/service-proxy-name"]; ok {
		return info, nil
	}
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	var cips [2]netip.Addr
	for _, s := range ips {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || a.Zone() != "" {
			continue // "None" (headless) or garbage
		}
		a = a.Unmap()
		if f := famOf(a); !cips[f].IsValid() {
			cips[f] = a
		}
	}
	if !cips[fam4].IsValid() && !cips[fam6].IsValid() {
		return info, nil
	}
	typ := svc.Spec.Type
	if typ == "" {
		typ = api.ServiceTypeClusterIP
	}
	externallyAccessible := typ == api.ServiceTypeLoadBalancer || typ == api.ServiceTypeNodePort ||
		(typ == api.ServiceTypeClusterIP && len(svc.Spec.ExternalIPs) > 0)
	eTPLocal := externallyAccessible && svc.Spec.ExternalTrafficPolicy == api.TrafficPolicyLocal
	iTPLocal := svc.Spec.InternalTrafficPolicy != nil && *svc.Spec.InternalTrafficPolicy == api.TrafficPolicyLocal
	affinity := svc.Spec.SessionAffinity == api.SessionAffinityClientIP
	sticky := 0
	if affinity {
		sticky = int(DefaultAffinityTimeout.Seconds())
		if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil && *c.ClientIP.TimeoutSeconds > 0 {
			sticky = int(*c.ClientIP.TimeoutSeconds)
		}
	}
	var hc uint16
	if typ == api.ServiceTypeLoadBalancer && eTPLocal && svc.Spec.HealthCheckNodePort > 0 && svc.Spec.HealthCheckNodePort <= 65535 {
		hc = uint16(svc.Spec.HealthCheckNodePort)
	}
	for f := range info {
		if !cips[f].IsValid() {
			continue
		}
		in := &svcInfo{
			ns: svc.Namespace, name: svc.Name, clusterIP: cips[f],
			affinity: affinity, stickySeconds: sticky, eTPLocal: eTPLocal, iTPLocal: iTPLocal, hcNodePort: hc,
		}
		for _, s := range svc.Spec.ExternalIPs {
			if a, err := netip.ParseAddr(strings.TrimSpace(s)); err == nil && a.Zone() == "" && famOf(a.Unmap()) == family(f) {
				in.externalIPs = append(in.externalIPs, a.Unmap())
			}
		}
		for _, ing := range svc.Status.LoadBalancer.Ingress {
			if !ing.IP.IsValid() || ing.IP.Zone() != "" {
				continue
			}
			if ing.IPMode != nil && *ing.IPMode != api.LoadBalancerIPModeVIP {
				continue // ipMode Proxy: the load balancer proxies to node ports
			}
			if a := ing.IP.Unmap(); famOf(a) == family(f) {
				in.lbVIPs = append(in.lbVIPs, a)
			}
		}
		for _, s := range svc.Spec.LoadBalancerSourceRanges {
			if p, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil && p.Addr().Zone() == "" {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()).Masked()
				if famOf(p.Addr()) == family(f) && p.IsValid() {
					in.sourceRanges = append(in.sourceRanges, p)
				}
			}
		}
		info[f] = in
	}
	hasNodePorts := typ == api.ServiceTypeNodePort || typ == api.ServiceTypeLoadBalancer
	for _, sp := range svc.Spec.Ports {
		proto, ok := protocolFromAPI(sp.Protocol)
		if !ok || sp.Port < 1 || sp.Port > 65535 {
			continue
		}
		ps := portSpec{name: sp.Name, proto: proto, port: uint16(sp.Port)}
		if hasNodePorts && sp.NodePort > 0 && sp.NodePort <= 65535 {
			ps.nodePort = uint16(sp.NodePort)
		}
		if slices.ContainsFunc(ports, func(o portSpec) bool { return o.name == ps.name && o.proto == ps.proto }) {
			continue // invalid duplicate; the API server rejects it
		}
		ports = append(ports, ps)
	}
	return info, ports
}

// parseSlice extracts what kube-proxy uses from an EndpointSlice. ok is false
// for slices kube-proxy ignores.
func parseSlice(es *api.EndpointSlice) (svcName string, sd *sliceData, ok bool) {
	svcName = es.Labels[api.LabelServiceName]
	if svcName == "" || es.Name == "" {
		return "", nil, false
	}
	if _, headless := es.Labels["service.kubernetes.io/headless"]; headless {
		return "", nil, false
	}
	var fam family
	switch es.AddressType {
	case api.AddressTypeIPv4:
		fam = fam4
	case api.AddressTypeIPv6:
		fam = fam6
	default:
		return "", nil, false
	}
	sd = &sliceData{name: es.Name, fam: fam, eps: make([]sliceEndpoint, 0, len(es.Endpoints))}
	for _, p := range es.Ports {
		if p.Name == nil || p.Port == nil || *p.Port < 1 || *p.Port > 65535 {
			continue
		}
		proto := TCP
		if p.Protocol != nil {
			var ok bool
			if proto, ok = protocolFromAPI(*p.Protocol); !ok {
				continue
			}
		}
		sd.ports = append(sd.ports, slicePort{name: *p.Name, proto: proto, port: uint16(*p.Port)})
	}
	for _, e := range es.Endpoints {
		if len(e.Addresses) == 0 || !e.Addresses[0].IsValid() {
			continue
		}
		a := e.Addresses[0].Unmap()
		if famOf(a) != fam || a.Zone() != "" {
			continue
		}
		se := sliceEndpoint{
			addr: a, ready: e.Conditions.IsReady(), serving: e.Conditions.IsServing(),
			terminating: e.Conditions.IsTerminating(),
		}
		if e.NodeName != nil {
			se.node = *e.NodeName
		}
		if e.Hints != nil && (len(e.Hints.ForZones) > 0 || len(e.Hints.ForNodes) > 0) {
			h := &epHints{}
			for _, z := range e.Hints.ForZones {
				if !slices.Contains(h.zones, z.Name) {
					h.zones = append(h.zones, z.Name)
				}
			}
			for _, n := range e.Hints.ForNodes {
				if !slices.Contains(h.nodes, n.Name) {
					h.nodes = append(h.nodes, n.Name)
				}
			}
			se.hints = h
		}
		sd.eps = append(sd.eps, se)
	}
	return svcName, sd, true
}

// mergeScratch is reused by mergeEndpoints to avoid per-call allocation.
type mergeScratch struct {
	items []mergeItem
	arena []byte
}

type mergeItem struct {
	ep       Endpoint
	hints    *epHints
	off, end int32 // the "ip:port" sort key in the arena
}

// mergeEndpoints merges the slices' endpoints for one port of one family, as
// kube-proxy's EndpointSliceCache does: first address of each endpoint, a
// terminating duplicate never replaces an existing one, result sorted by
// "ip:port". Slices are visited in name order so that the result is
// deterministic.
func mergeEndpoints(sc *mergeScratch, e *svcEntry, fam family, portName string, proto Protocol) ([]Endpoint, []epHints) {
	items, arena := sc.items[:0], sc.arena[:0]
	for _, sd := range e.slices {
		if sd.fam != fam {
			continue
		}
		for _, sp := range sd.ports {
			if sp.name != portName || sp.proto != proto {
				continue
			}
			for i := range sd.eps {
				se := &sd.eps[i]
				ap := netip.AddrPortFrom(se.addr, sp.port)
				off := len(arena)
				arena = ap.AppendTo(arena)
				items = append(items, mergeItem{
					ep:    Endpoint{Addr: ap, NodeName: se.node, Ready: se.ready, Serving: se.serving, Terminating: se.terminating},
					hints: se.hints, off: int32(off), end: int32(len(arena)),
				})
			}
		}
	}
	sc.items, sc.arena = items, arena
	if len(items) == 0 {
		return nil, nil
	}
	key := func(m *mergeItem) []byte { return arena[m.off:m.end] }
	slices.SortStableFunc(items, func(a, b mergeItem) int { return bytes.Compare(key(&a), key(&b)) })
	// Deduplicate: within a run of equal addresses (in slice visiting order)
	// the first wins unless a later one is not terminating.
	out := make([]Endpoint, 0, len(items))
	var hints []epHints
	anyHints := false
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].ep.Addr == items[i].ep.Addr {
			j++
		}
		pick := i
		for k := i + 1; k < j; k++ {
			if !items[k].ep.Terminating {
				pick = k
			}
		}
		out = append(out, items[pick].ep)
		if items[pick].hints != nil {
			anyHints = true
		}
		i = j
	}
	if anyHints {
		hints = make([]epHints, len(out))
		k := 0
		for i := 0; i < len(items); {
			j := i + 1
			for j < len(items) && items[j].ep.Addr == items[i].ep.Addr {
				j++
			}
			pick := i
			for x := i + 1; x < j; x++ {
				if !items[x].ep.Terminating {
					pick = x
				}
			}
			if h := items[pick].hints; h != nil {
				hints[k] = *h
			}
			k++
			i = j
		}
	}
	return out, hints
}

// compareRecords orders service ports as kube-proxy's rules are laid out in
// kubesim: by "namespace/name:port" string, then protocol.
func compareRecords(a, b *spRecord) int {
	if c := strings.Compare(a.str, b.str); c != 0 {
		return c
	}
	return cmp.Compare(a.name.Protocol, b.name.Protocol)
}

func compareClaims(a, b claim) int {
	if c := compareRecords(a.rec, b.rec); c != 0 {
		return c
	}
	return cmp.Compare(a.kind, b.kind)
}
