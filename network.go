package kubesim

import (
	"fmt"
	"net/netip"
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
type feed struct {
	loop    *sim.Loop
	name    string
	lag     time.Duration
	deliver func(store.Event)
	pending []store.Event // events waiting out their lag, oldest first
	head    int
}

func newFeed(loop *sim.Loop, st *store.Store, name string, lag time.Duration, deliver func(store.Event), kinds ...api.Kind) *feed {
	f := &feed{loop: loop, name: name, lag: lag, deliver: deliver}
	st.Watch(f.observe, kinds...)
	return f
}

func (f *feed) observe(ev store.Event) {
	f.pending = append(f.pending, ev)
	f.loop.Schedule(f.lag, f, 0)
}

// Fire delivers the oldest waiting event: every event waits the same lag, so
// the oldest is the one due.
func (f *feed) Fire(uint64) {
	ev := f.pending[f.head]
	f.pending[f.head] = store.Event{}
	f.head++
	if f.head == len(f.pending) {
		f.pending, f.head = f.pending[:0], 0
	}
	f.deliver(ev)
}

// dnsFeed applies a watch event to the DNS server.
func dnsFeed(s *dns.Server) func(store.Event) {
	return func(ev store.Event) {
		m := ev.Object.GetObjectMeta()
		del := ev.Type == store.Deleted
		switch o := ev.Object.(type) {
		case *api.Service:
			if del {
				s.DeleteService(m.Namespace, m.Name)
			} else {
				s.UpsertService(o)
			}
		case *api.EndpointSlice:
			if del {
				s.DeleteEndpointSlice(m.Namespace, m.Name)
			} else {
				s.UpsertEndpointSlice(o)
			}
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
	deliver := dnsFeed(c.dns)
	newFeed(c.loop, c.store, "dns", c.cfg.DNSLag, func(ev store.Event) {
		deliver(ev)
		if p, ok := ev.Object.(*api.Pod); ok && p.Labels["k8s-app"] == "kube-dns" && p.Namespace == "kube-system" {
			c.dns.SetLocalIPs(c.corednsIPs()...)
		}
	}, api.KindNamespace, api.KindService, api.KindEndpointSlice, api.KindPod)
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
		m := ev.Object.GetObjectMeta()
		del := ev.Type == store.Deleted
		switch o := ev.Object.(type) {
		case *api.Service:
			if del {
				p.DeleteService(m.Namespace, m.Name)
			} else {
				p.UpsertService(o)
			}
		case *api.EndpointSlice:
			if del {
				p.DeleteEndpointSlice(m.Namespace, m.Name)
			} else {
				p.UpsertEndpointSlice(o)
			}
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
	newFeed(c.loop, c.store, "kube-proxy", c.cfg.ProxyLag, proxyFeed(p),
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
	return n.Explain(c.loop.Now(), pkt), nil
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
