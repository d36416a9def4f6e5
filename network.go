package kubesim

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/proxy"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

// feed delivers the store's watch events to one consumer after a lag, as an
// informer's watch does: a consumer sees a change only lag after it happened,
// and in the order the changes happened.
//
// Faults (faults.go) can slow the watch down (extra lag), lose events on the
// way (drop) and end with a relist, which brings the consumer back in line
// with the store as an informer's relist does. A feed no fault touched
// behaves exactly as a plain lagged queue.
type feed struct {
	loop    *sim.Loop
	store   *store.Store
	kinds   []api.Kind
	name    string
	lag     time.Duration
	deliver func(store.Event)
	pending []pendingEvent // events waiting out their lag, oldest first
	head    int
	lastDue time.Time // deliveries never overtake one another

	extra   time.Duration          // fault: added to the lag of each new event
	drop    func(store.Event) bool // fault: decides, at delivery, that an event is lost
	after   func(store.Event)      // fault: runs after each delivered event
	view    map[feedKey]api.Object // while events may be lost: what the consumer holds
	epoch   uint64                 // events of an older epoch were superseded by a relist
	relists int                    // relists scheduled and not yet run
}

type pendingEvent struct {
	ev    store.Event
	epoch uint64
}

type feedKey struct {
	kind     api.Kind
	ns, name string
}

func keyOf(o api.Object) feedKey {
	m := o.GetObjectMeta()
	return feedKey{api.KindOf(o), m.Namespace, m.Name}
}

func newFeed(loop *sim.Loop, st *store.Store, name string, lag time.Duration, deliver func(store.Event), kinds ...api.Kind) *feed {
	f := &feed{loop: loop, store: st, kinds: kinds, name: name, lag: lag, deliver: deliver}
	st.Watch(f.observe, kinds...)
	return f
}

func (f *feed) observe(ev store.Event) {
	f.pending = append(f.pending, pendingEvent{ev, f.epoch})
	due := f.loop.Now().Add(f.lag + f.extra)
	if due.Before(f.lastDue) {
		due = f.lastDue // a shorter lag after a longer one must not overtake
	}
	f.lastDue = due
	f.loop.At(due, f, 0)
}

// Fire delivers the oldest waiting event: deliveries are scheduled in order,
// so the oldest is the one due. An event a relist superseded, or one a fault
// loses, is not delivered.
func (f *feed) Fire(uint64) {
	pe := f.pending[f.head]
	f.pending[f.head] = pendingEvent{}
	f.head++
	if f.head == len(f.pending) {
		f.pending, f.head = f.pending[:0], 0
	}
	if pe.epoch != f.epoch || (f.drop != nil && f.drop(pe.ev)) {
		return
	}
	f.hand(pe.ev)
}

// hand gives one event to the consumer.
func (f *feed) hand(ev store.Event) {
	if f.view != nil {
		if ev.Type == store.Deleted {
			delete(f.view, keyOf(ev.Object))
		} else {
			f.view[keyOf(ev.Object)] = ev.Object
		}
	}
	f.deliver(ev)
	if f.after != nil {
		f.after(ev)
	}
}

// track starts recording what the consumer holds, so that a later relist can
// tell what it missed: the store's objects, less the changes still on their
// way to it.
func (f *feed) track() {
	if f.view != nil {
		return
	}
	f.view = make(map[feedKey]api.Object)
	for _, k := range f.kinds {
		for _, o := range f.store.List(k, "", api.Everything()) {
			f.view[keyOf(o)] = o
		}
	}
	seen := make(map[feedKey]bool)
	for _, pe := range f.pending[f.head:] {
		if pe.epoch != f.epoch {
			continue
		}
		k := keyOf(pe.ev.Object)
		if seen[k] {
			continue
		}
		seen[k] = true
		switch pe.ev.Type {
		case store.Added:
			delete(f.view, k)
		case store.Modified:
			f.view[k] = pe.ev.Old
		case store.Deleted:
			f.view[k] = pe.ev.Object
		}
	}
}

// relistAfter schedules a relist lag from now: the watch is re-established,
// every change still on its way is superseded, and the consumer gets what
// differs between what it holds and the store, in kind order then by
// namespace and name. done runs after it with the number of changes
// delivered.
func (f *feed) relistAfter(done func(changes int)) {
	f.relists++
	f.loop.After(f.lag, func() {
		f.relists--
		n := f.relist()
		if done != nil {
			done(n)
		}
	})
}

func (f *feed) relist() int {
	if f.view == nil {
		f.track()
	}
	f.epoch++
	view := f.view
	n := 0
	live := make(map[feedKey]bool)
	for _, k := range f.kinds {
		for _, o := range f.store.List(k, "", api.Everything()) {
			key := keyOf(o)
			live[key] = true
			old, had := view[key]
			switch {
			case !had:
				f.hand(store.Event{Type: store.Added, Object: o})
			case old != o:
				f.hand(store.Event{Type: store.Modified, Object: o, Old: old})
			default:
				continue
			}
			n++
		}
	}
	var gone []feedKey
	for k := range view {
		if !live[k] {
			gone = append(gone, k)
		}
	}
	slices.SortFunc(gone, func(a, b feedKey) int {
		return cmp.Or(cmp.Compare(slices.Index(f.kinds, a.kind), slices.Index(f.kinds, b.kind)),
			cmp.Compare(a.ns, b.ns), cmp.Compare(a.name, b.name))
	})
	for _, k := range gone {
		f.hand(store.Event{Type: store.Deleted, Object: view[k]})
		n++
	}
	if f.drop == nil {
		f.view = nil
	}
	return n
}

// serviceConsumer is what the cluster DNS and kube-proxy both learn from the
// watch: services and their endpoint slices.
type serviceConsumer interface {
	UpsertService(*api.Service)
	DeleteService(namespace, name string)
	UpsertEndpointSlice(*api.EndpointSlice)
	DeleteEndpointSlice(namespace, name string)
}

// applyServiceEvent hands a service or endpoint-slice event to c and reports
// whether the event was of one of those kinds.
func applyServiceEvent(c serviceConsumer, ev store.Event) bool {
	m := ev.Object.GetObjectMeta()
	del := ev.Type == store.Deleted
	switch o := ev.Object.(type) {
	case *api.Service:
		if del {
			c.DeleteService(m.Namespace, m.Name)
		} else {
			c.UpsertService(o)
		}
	case *api.EndpointSlice:
		if del {
			c.DeleteEndpointSlice(m.Namespace, m.Name)
		} else {
			c.UpsertEndpointSlice(o)
		}
	default:
		return false
	}
	return true
}

// dnsFeed applies a watch event to the DNS server.
func dnsFeed(s *dns.Server) func(store.Event) {
	return func(ev store.Event) {
		if applyServiceEvent(s, ev) {
			return
		}
		m := ev.Object.GetObjectMeta()
		del := ev.Type == store.Deleted
		switch o := ev.Object.(type) {
		case *api.Pod:
			if del {
				s.DeletePod(m.Namespace, m.Name)
			} else {
				s.UpsertPod(o)
			}
		case *api.Namespace:
			if del {
				s.DeleteNamespace(m.Name)
			} else {
				s.UpsertNamespace(o)
			}
		}
	}
}

// startDNS builds the cluster DNS and its watch; it answers SERVFAIL until
// its first sync, one lag after the cluster came up.
func (c *Cluster) startDNS() error {
	cfg := c.cfg.DNS
	if cfg.Zone == "" {
		cfg.Zone = c.cfg.ClusterDomain
	}
	cfg.ServiceIPs = []netip.Addr{c.cfg.DNSServiceIP}
	cfg.Clock = c.loop.Now
	c.dns = dns.NewServer(cfg)
	up := c.cfg.Upstream
	if up == nil {
		up = dns.DefaultUpstream()
	}
	c.dns.SetUpstream(up)
	kinds := []api.Kind{api.KindNamespace, api.KindService, api.KindEndpointSlice}
	// Like CoreDNS, the server watches pods only when an option needs them:
	// verified pod records and autopath. At 150,000 pods that watch is most
	// of its work.
	if cfg.Pods == dns.PodsVerified || cfg.AutoPath {
		kinds = append(kinds, api.KindPod)
	}
	c.dnsFeed = newFeed(c.loop, c.store, "dns", c.cfg.DNSLag, dnsFeed(c.dns), kinds...)
	// The apex NS records name the coredns pods' addresses.
	c.store.Watch(func(ev store.Event) {
		if p := ev.Object.(*api.Pod); p.Namespace == "kube-system" && p.Labels["k8s-app"] == "kube-dns" {
			c.loop.After(c.cfg.DNSLag, func() { c.dns.SetLocalIPs(c.corednsIPs()...) })
		}
	}, api.KindPod)
	c.loop.After(c.cfg.DNSLag, c.dns.MarkSynced)
	return nil
}

// corednsIPs returns the addresses of the running coredns pods.
func (c *Cluster) corednsIPs() []netip.Addr {
	var ips []netip.Addr
	sel := api.SelectorFromSet(map[string]string{"k8s-app": "kube-dns"})
	for _, o := range c.store.List(api.KindPod, "kube-system", sel) {
		if p := o.(*api.Pod); p.Status.PodIP.IsValid() && p.DeletionTimestamp == nil {
			ips = append(ips, p.Status.PodIP)
		}
	}
	return ips
}

// DNS returns the cluster DNS server. It is safe for concurrent use; it sees
// the cluster as its watch has delivered it so far.
func (c *Cluster) DNS() *dns.Server { return c.dns }

// pod returns the stored pod (read-only) or kubectl's not-found error.
func (c *Cluster) pod(namespace, name string) (*api.Pod, error) {
	if namespace == "" {
		namespace = store.DefaultNamespace
	}
	o, err := c.store.Get(api.Ref{Kind: api.KindPod, Namespace: namespace, Name: name})
	if err != nil {
		return nil, err
	}
	return o.(*api.Pod), nil
}

// kubeletDNS is the kubelet configuration that shapes every pod's resolv.conf.
func (c *Cluster) kubeletDNS(p *api.Pod) dns.ClusterDNSConfig {
	cfg := dns.ClusterDNSConfig{ClusterDomain: c.cfg.ClusterDomain, ClusterDNS: []netip.Addr{c.cfg.DNSServiceIP}}
	if p.Status.HostIP.IsValid() {
		cfg.NodeIPs = []netip.Addr{p.Status.HostIP}
	}
	return cfg
}

// Stub returns the stub resolver of a pod: its resolv.conf as kubelet wrote
// it, and the lookup algorithm of its image's C library (override it with
// the Resolver field).
func (c *Cluster) Stub(namespace, pod string) (dns.Stub, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, err := c.pod(namespace, pod)
	if err != nil {
		return dns.Stub{}, err
	}
	if !p.Status.PodIP.IsValid() {
		return dns.Stub{}, fmt.Errorf("pod %s/%s has no IP yet (phase %s)", p.Namespace, p.Name, phaseOf(p))
	}
	st := dns.NewStub(c.dns, p, c.kubeletDNS(p))
	if len(p.Spec.Containers) > 0 {
		st.Resolver = dns.ResolverForImage(p.Spec.Containers[0].Image)
	}
	st.Cache = c.nodeCache(p)
	c.faults.stub(&st, p)
	return st, nil
}

func phaseOf(p *api.Pod) api.PodPhase {
	if p.Status.Phase == "" {
		return api.PodPending
	}
	return p.Status.Phase
}

// Resolve looks name up from a pod as its C library would (getaddrinfo with
// the pod's resolv.conf), returning every query sent and its answer.
func (c *Cluster) Resolve(namespace, pod, name string) (dns.Path, error) {
	st, err := c.Stub(namespace, pod)
	if err != nil {
		return dns.Path{}, err
	}
	return st.Lookup(name, c.Now()), nil
}

// Nslookup runs busybox nslookup for name inside a pod.
func (c *Cluster) Nslookup(namespace, pod, name string) (dns.Nslookup, error) {
	st, err := c.Stub(namespace, pod)
	if err != nil {
		return dns.Nslookup{}, err
	}
	return st.Nslookup(name, c.Now()), nil
}

// proxyFeed applies a watch event to every node's kube-proxy.
func proxyFeed(p *proxy.Proxy) func(store.Event) {
	return func(ev store.Event) {
		if applyServiceEvent(p, ev) {
			return
		}
		m := ev.Object.GetObjectMeta()
		del := ev.Type == store.Deleted
		switch o := ev.Object.(type) {
		case *api.Node:
			if del {
				p.DeleteNode(m.Name)
			} else {
				p.UpsertNode(o)
			}
		case *api.ServiceCIDR:
			if del {
				p.DeleteServiceCIDR(m.Name)
			} else {
				p.UpsertServiceCIDR(o)
			}
		}
	}
}

// startProxy builds every node's kube-proxy and their shared watch.
func (c *Cluster) startProxy() error {
	cfg := c.cfg.Proxy
	if len(cfg.ClusterCIDRs) == 0 {
		cfg.ClusterCIDRs = c.cfg.ClusterCIDRs
	}
	if len(cfg.ServiceCIDRs) == 0 {
		cfg.ServiceCIDRs = c.cfg.ServiceCIDRs
	}
	p, err := proxy.New(c.loop, cfg)
	if err != nil {
		return fmt.Errorf("kubesim: kube-proxy: %w", err)
	}
	c.proxy = p
	c.proxyFeed = newFeed(c.loop, c.store, "kube-proxy", c.cfg.ProxyLag, proxyFeed(p),
		api.KindNode, api.KindServiceCIDR, api.KindService, api.KindEndpointSlice)
	return nil
}

// node returns a node's kube-proxy, or kubectl's not-found error.
func (c *Cluster) node(name string) (*proxy.Node, error) {
	n := c.proxy.Node(name)
	if n == nil {
		return nil, &api.NotFoundError{Resource: "nodes", Name: name}
	}
	return n, nil
}

// Route decides where a packet goes on a node, as its kube-proxy's rules
// would send it at this virtual instant. The result's endpoint set is shared
// and read-only.
func (c *Cluster) Route(node string, pkt proxy.Packet) (proxy.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(node)
	if err != nil {
		return proxy.Result{}, err
	}
	return n.Route(c.loop.Now(), pkt), nil
}

// Explain routes a packet like Route and also lists the rules it passed and
// what they cost.
func (c *Cluster) Explain(node string, pkt proxy.Packet) (proxy.Decision, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(node)
	if err != nil {
		return proxy.Decision{}, err
	}
	d := n.Explain(c.loop.Now(), pkt)
	c.faults.explain(&d)
	return d, nil
}

// Rules returns the rules a node's kube-proxy has programmed, in the form its
// mode shows them (iptables-save, nft list table, or ipvsadm).
func (c *Cluster) Rules(node string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(node)
	if err != nil {
		return "", err
	}
	return n.Rules(), nil
}
