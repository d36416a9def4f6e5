package dns

import (
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/kubesim/kubesim/api"
)

// Server is the cluster DNS: CoreDNS with the kubernetes plugin in front of a
// forwarder to the outside world. It sees the cluster only through the
// Upsert and Delete methods, which the caller invokes as watch events arrive
// (after whatever lag it models), and through MarkSynced.
//
// A Server is safe for concurrent use: queries take a read lock and return
// views into immutable prebuilt answers; ingest takes the write lock and
// rebuilds the answers the change touches.
type Server struct {
	cfg       Config
	zones     []string // lower-case FQDNs; zones[0] is the cluster zone
	nsFilter  map[string]bool
	lbMu      sync.Mutex // guards cfg.LoadBalance
	changeSeq uint32

	mu       sync.RWMutex
	synced   bool
	up       *Upstream
	localIPs []netip.Addr
	serial   uint32
	soa      [][]RR // per zone, for the zone spelled in lower case

	namespaces map[string]bool
	services   map[nsKey]*service
	slices     map[nsKey]*slice
	bySvc      map[nsKey][]*slice // slices by service, sorted by slice name
	pods       map[nsKey]*pod
	podsByIP   map[netip.Addr][]*pod
	svcByIP    map[netip.Addr][]*service
	epByIP     map[netip.Addr][]*slice

	names    map[string]*entry // prebuilt answers by lower-case FQDN
	svcNames map[nsKey][]string
	ipNames  map[netip.Addr]string
	upDeps   map[nsKey]bool // services whose prebuilt answers used the outside world
}

// NewServer returns a server with cfg's options, an empty cluster and an
// empty outside world. It answers SERVFAIL where it would answer NXDOMAIN
// until MarkSynced is called, as CoreDNS does before its informers sync.
func NewServer(cfg Config) *Server {
	c := cfg.normalize()
	s := &Server{
		cfg:        c,
		zones:      append([]string{c.Zone}, c.ReverseZones...),
		up:         NewUpstream(),
		localIPs:   c.LocalIPs,
		namespaces: map[string]bool{},
		services:   map[nsKey]*service{},
		slices:     map[nsKey]*slice{},
		bySvc:      map[nsKey][]*slice{},
		pods:       map[nsKey]*pod{},
		podsByIP:   map[netip.Addr][]*pod{},
		svcByIP:    map[netip.Addr][]*service{},
		epByIP:     map[netip.Addr][]*slice{},
		names:      map[string]*entry{},
		svcNames:   map[nsKey][]string{},
		ipNames:    map[netip.Addr]string{},
		upDeps:     map[nsKey]bool{},
	}
	if len(c.Namespaces) > 0 {
		s.nsFilter = map[string]bool{}
		for _, n := range c.Namespaces {
			s.nsFilter[n] = true
		}
	}
	if len(s.localIPs) == 0 {
		s.localIPs = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	}
	s.bumpSerial()
	return s
}

// Config returns the server's configuration with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Zones returns the zones the kubernetes plugin serves, cluster zone first.
func (s *Server) Zones() []string { return slices.Clone(s.zones) }

// MarkSynced records that the server's watches have delivered their initial
// lists. Before it, names that would be NXDOMAIN are SERVFAIL.
func (s *Server) MarkSynced() {
	s.mu.Lock()
	s.synced = true
	s.mu.Unlock()
}

// Synced reports whether MarkSynced was called.
func (s *Server) Synced() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.synced
}

// SetUpstream replaces the outside world the server forwards to. nil means an
// empty one, where every name is NXDOMAIN.
func (s *Server) SetUpstream(u *Upstream) {
	if u == nil {
		u = NewUpstream()
	}
	s.mu.Lock()
	s.up = u
	s.refreshUpstreamDeps()
	s.mu.Unlock()
}

// Upstream returns the outside world the server forwards to.
func (s *Server) Upstream() *Upstream {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.up
}

// SetLocalIPs sets the addresses of the CoreDNS pods, which the apex NS
// records derive from.
func (s *Server) SetLocalIPs(ips ...netip.Addr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.localIPs = slices.Clone(ips)
	if len(s.localIPs) == 0 {
		s.localIPs = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	}
	s.bumpSerial()
}

// UpsertNamespace adds or replaces a namespace. Names under a namespace
// resolve only while it exists.
func (s *Server) UpsertNamespace(ns *api.Namespace) {
	if ns == nil || ns.Name == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	had := s.namespaces[ns.Name]
	s.namespaces[ns.Name] = true
	s.bumpSerial()
	if !had {
		s.rebuildNamespace(ns.Name)
	}
}

// DeleteNamespace removes a namespace; the objects in it stay known (they
// are deleted by their own events) but stop resolving.
func (s *Server) DeleteNamespace(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.namespaces[name] {
		return
	}
	delete(s.namespaces, name)
	s.bumpSerial()
	s.rebuildNamespace(name)
}

// UpsertService adds or replaces a service.
func (s *Server) UpsertService(svc *api.Service) {
	if svc == nil || svc.Name == "" {
		return
	}
	o := newService(svc)
	k := nsKey{o.ns, o.name}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.services[k]
	if old != nil {
		for _, ip := range old.clusterIPs {
			s.svcByIP[ip] = removePtr(s.svcByIP[ip], old)
		}
	}
	s.services[k] = o
	for _, ip := range o.clusterIPs {
		s.svcByIP[ip] = insertSorted(s.svcByIP[ip], o, svcLess)
	}
	s.bumpSerial()
	s.rebuildService(k)
	if old != nil {
		s.rebuildIPs(old.clusterIPs)
	}
	s.rebuildIPs(o.clusterIPs)
}

// DeleteService removes a service.
func (s *Server) DeleteService(namespace, name string) {
	k := nsKey{namespace, name}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.services[k]
	if old == nil {
		return
	}
	for _, ip := range old.clusterIPs {
		s.svcByIP[ip] = removePtr(s.svcByIP[ip], old)
	}
	delete(s.services, k)
	s.bumpSerial()
	s.rebuildService(k)
	s.rebuildIPs(old.clusterIPs)
}

// UpsertEndpointSlice adds or replaces an EndpointSlice. The slice belongs to
// the service named by its kubernetes.io/service-name label; only ready
// endpoints are kept, as CoreDNS keeps them.
func (s *Server) UpsertEndpointSlice(es *api.EndpointSlice) {
	if es == nil || es.Name == "" || s.cfg.NoEndpoints {
		return
	}
	o := newSlice(es)
	k := nsKey{o.ns, o.name}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.slices[k]; cur != nil && cur.equal(o) {
		// Nothing an answer depends on changed (an endpoint turned
		// serving but not ready, say): the prebuilt answers stand, and
		// the stored copy stays, so that the indexes holding it do too.
		s.bumpSerial()
		return
	}
	old := s.removeSlice(k)
	s.slices[k] = o
	sk := nsKey{o.ns, o.service}
	s.bySvc[sk] = insertSorted(s.bySvc[sk], o, sliceLess)
	var ips []netip.Addr
	for _, a := range o.addrs {
		if !slices.Contains(s.epByIP[a.ip], o) {
			s.epByIP[a.ip] = insertSorted(s.epByIP[a.ip], o, sliceLess)
		}
		ips = append(ips, a.ip)
	}
	s.bumpSerial()
	if old != nil {
		// A rebuild depends on nothing but the server's state, so the
		// service the slice stays with is rebuilt once, below.
		if osk := (nsKey{old.ns, old.service}); osk != sk {
			s.rebuildService(osk)
		}
		for _, a := range old.addrs {
			ips = append(ips, a.ip)
		}
	}
	s.rebuildService(sk)
	s.rebuildIPs(ips)
}

// DeleteEndpointSlice removes an EndpointSlice.
func (s *Server) DeleteEndpointSlice(namespace, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.removeSlice(nsKey{namespace, name})
	if old == nil {
		return
	}
	s.bumpSerial()
	s.rebuildService(nsKey{old.ns, old.service})
	ips := make([]netip.Addr, 0, len(old.addrs))
	for _, a := range old.addrs {
		ips = append(ips, a.ip)
	}
	s.rebuildIPs(ips)
}

func (s *Server) removeSlice(k nsKey) *slice {
	old := s.slices[k]
	if old == nil {
		return nil
	}
	delete(s.slices, k)
	sk := nsKey{old.ns, old.service}
	s.bySvc[sk] = removePtr(s.bySvc[sk], old)
	if len(s.bySvc[sk]) == 0 {
		delete(s.bySvc, sk)
	}
	for _, a := range old.addrs {
		s.epByIP[a.ip] = removePtr(s.epByIP[a.ip], old)
		if len(s.epByIP[a.ip]) == 0 {
			delete(s.epByIP, a.ip)
		}
	}
	return old
}

// UpsertPod adds or replaces a pod. Pods matter only to the verified pods
// mode and to autopath. As in CoreDNS, an update that marks the pod for
// deletion is ignored: the pod keeps resolving until it is deleted.
func (s *Server) UpsertPod(p *api.Pod) {
	if p == nil || p.Name == "" {
		return
	}
	o := newPod(p)
	k := nsKey{o.ns, o.name}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.pods[k]
	if p.DeletionTimestamp != nil && !p.DeletionTimestamp.IsZero() {
		return
	}
	if old != nil && old.ip.IsValid() {
		s.podsByIP[old.ip] = removePtr(s.podsByIP[old.ip], old)
		if len(s.podsByIP[old.ip]) == 0 {
			delete(s.podsByIP, old.ip)
		}
	}
	s.pods[k] = o
	if o.ip.IsValid() {
		s.podsByIP[o.ip] = insertSorted(s.podsByIP[o.ip], o, podLess)
	}
	s.bumpSerial()
}

// DeletePod removes a pod.
func (s *Server) DeletePod(namespace, name string) {
	k := nsKey{namespace, name}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.pods[k]
	if old == nil {
		return
	}
	delete(s.pods, k)
	if old.ip.IsValid() {
		s.podsByIP[old.ip] = removePtr(s.podsByIP[old.ip], old)
		if len(s.podsByIP[old.ip]) == 0 {
			delete(s.podsByIP, old.ip)
		}
	}
	s.bumpSerial()
}

// bumpSerial records a change: the SOA serial moves to the clock's Unix time
// (or counts changes without a clock) and the prebuilt SOA records follow.
func (s *Server) bumpSerial() {
	s.changeSeq++
	prev := s.serial
	if s.cfg.Clock != nil {
		s.serial = uint32(s.cfg.Clock().Unix())
	} else {
		s.serial = s.changeSeq
	}
	if s.soa != nil && s.serial == prev {
		// The records would come out the same: changes within one
		// second of the clock keep its serial.
		return
	}
	s.soa = make([][]RR, len(s.zones))
	for i, z := range s.zones {
		s.soa[i] = []RR{s.soaRR(z)}
	}
}

func (s *Server) soaRR(zone string) RR {
	ttl := uint32(s.cfg.TTL)
	soaTTL := min(ttl, 300)
	return RR{
		Name: zone, Type: TypeSOA, TTL: soaTTL,
		Target: joinName("ns.dns", zone), Mbox: joinName("hostmaster", zone),
		Serial: s.serial, Refresh: 7200, Retry: 1800, Expire: 86400, Minimum: ttl,
	}
}

// joinName joins a relative prefix and a fully qualified zone.
func joinName(prefix, zone string) string {
	if zone == "." {
		return prefix + "."
	}
	return prefix + "." + zone
}

func (s *Server) namespaceExposed(ns string) bool {
	if s.nsFilter != nil && !s.nsFilter[ns] {
		return false
	}
	return s.namespaces[ns]
}

func svcLess(a, b *service) int {
	if c := strings.Compare(a.ns, b.ns); c != 0 {
		return c
	}
	return strings.Compare(a.name, b.name)
}

func sliceLess(a, b *slice) int {
	if c := strings.Compare(a.ns, b.ns); c != 0 {
		return c
	}
	if c := strings.Compare(a.service, b.service); c != 0 {
		return c
	}
	return strings.Compare(a.name, b.name)
}

func podLess(a, b *pod) int {
	if c := strings.Compare(a.ns, b.ns); c != 0 {
		return c
	}
	return strings.Compare(a.name, b.name)
}

// insertSorted returns a new slice with v inserted in cmp order; the input is
// never modified, so readers holding the old slice are unaffected.
func insertSorted[T any](xs []*T, v *T, cmp func(a, b *T) int) []*T {
	i, _ := slices.BinarySearchFunc(xs, v, cmp)
	out := make([]*T, 0, len(xs)+1)
	out = append(out, xs[:i]...)
	out = append(out, v)
	return append(out, xs[i:]...)
}

// removePtr returns a new slice without v.
func removePtr[T any](xs []*T, v *T) []*T {
	i := slices.Index(xs, v)
	if i < 0 {
		return xs
	}
	out := make([]*T, 0, len(xs)-1)
	out = append(out, xs[:i]...)
	return append(out, xs[i+1:]...)
}
