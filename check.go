package kubesim

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/proxy"
	"github.com/kubesim/kubesim/store"
)

// Violation is one broken invariant: which one (a stable name from the list
// in Cluster.Check), what is wrong, and the objects involved.
type Violation struct {
	Invariant string
	Message   string
	Objects   []api.Ref
}

// String renders "invariant: message [kind/ns/name ...]".
func (v Violation) String() string {
	s := v.Invariant + ": " + v.Message
	if len(v.Objects) > 0 {
		refs := make([]string, len(v.Objects))
		for i, r := range v.Objects {
			refs[i] = r.String()
		}
		s += " [" + strings.Join(refs, " ") + "]"
	}
	return s
}

// Violations is the result of Check, in a fixed order: invariant by
// invariant, objects in kind, namespace and name order.
type Violations []Violation

// String renders one violation per line.
func (vs Violations) String() string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Err returns nil when there is no violation, else an error listing them.
func (vs Violations) Err() error {
	if len(vs) == 0 {
		return nil
	}
	return errors.New("kubesim: " + strconv.Itoa(len(vs)) + " invariant violations:\n" + vs.String())
}

// Check inspects the whole cluster at this virtual instant and returns every
// invariant it breaks, with the objects involved. It changes nothing: routing
// probes draw from a private random stream and record no connection, DNS
// questions go straight to the server.
//
// These hold at every instant:
//
//	pod-ip-unique       no two pods (host-network pods aside) share an IP
//	cluster-ip-unique   no two services share a cluster IP
//	node-port-unique    no two services share a node port or health-check node port
//	ip-in-range         cluster IPs lie in the service ranges, pod IPs in their node's
//	                    pod range, node ports in the node-port range
//	namespace-exists    every namespaced object's namespace exists
//
// These hold once the cluster has settled (no event is pending):
//
//	owner-exists        every owner reference names a live object of that kind and name
//	terminating-at-rest no pod or namespace is still terminating
//	endpoints-match-pods each selector service's Endpoints and EndpointSlices hold exactly
//	                    the ready pods its selector matches (and the not-ready ones as not
//	                    ready, or as ready under publishNotReadyAddresses)
//	mirror-match        a selector-less service's hand-written Endpoints are mirrored into
//	                    its EndpointSlices
//	route-synced        every node's kube-proxy has synced the latest state
//	route-service       every cluster IP and node port, on every node, forwards to exactly
//	                    the endpoints its EndpointSlices and traffic policies allow, or
//	                    rejects or drops as kube-proxy does when there are none
//	route-ready-pod     no routing decision picks a deleted or unready pod
//	dns-service         every service name answers as DNS.md says (cluster IPs, a
//	                    headless service's ready endpoints, an ExternalName's CNAME;
//	                    NXDOMAIN for a headless service without ready endpoints)
//	dns-endpoint        every named endpoint of a headless service resolves
//	dns-srv             every named port has its SRV records
//	dns-ptr             every cluster IP has its PTR record
//	dns-pod             every pod's dashed-IP name answers as the pods option says
//	dns-version         dns-version.<zone> answers TXT "1.1.0"
//	dns-nxdomain        names the store does not imply (deleted services and namespaces,
//	                    a name no service has, three labels left of a service) are
//	                    NXDOMAIN; an existing namespace's own name is NODATA
//
// An injected fault exempts what it is meant to put out of line, and only
// that: a node whose kube-proxy is stalled or has lost a watch event is not
// held to the store; while the cluster DNS or the endpoints controllers lose
// events, DNS answers, respectively Endpoints and EndpointSlices, are not
// (routing and DNS are still held to the EndpointSlices the store has).
//
// Check costs a few routing probes per service port and node and a few DNS
// questions per service; it is meant for tests, not for clusters of
// thousands of nodes.
func (c *Cluster) Check() Violations {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.check()
}

func (c *Cluster) check() Violations {
	ch := &checker{c: c}
	ch.load()
	ch.always()
	if c.loop.Pending() == 0 {
		ch.settled()
	}
	return ch.out
}

// CheckSettled settles the cluster and then checks it: the usual last step of
// a test.
func (c *Cluster) CheckSettled() (Violations, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.settle(); err != nil {
		return nil, err
	}
	return c.check(), nil
}

// history remembers recently deleted services and namespaces, whose names
// must no longer resolve.
type history struct {
	services   []api.Ref
	namespaces []string
}

const historyLen = 64

func newHistory(st *store.Store) *history {
	h := &history{}
	st.Watch(h.observe, api.KindService, api.KindNamespace)
	return h
}

func (h *history) observe(ev store.Event) {
	if ev.Type != store.Deleted {
		return
	}
	m := ev.Object.GetObjectMeta()
	switch ev.Object.(type) {
	case *api.Service:
		h.services = append(h.services, api.Ref{Kind: api.KindService, Namespace: m.Namespace, Name: m.Name})
		if len(h.services) > historyLen {
			h.services = slices.Delete(h.services, 0, len(h.services)-historyLen)
		}
	case *api.Namespace:
		h.namespaces = append(h.namespaces, m.Name)
		if len(h.namespaces) > historyLen {
			h.namespaces = slices.Delete(h.namespaces, 0, len(h.namespaces)-historyLen)
		}
	}
}

// checker holds one Check's view of the store.
type checker struct {
	c          *Cluster
	out        Violations
	namespaces map[string]*api.Namespace
	nodes      []*api.Node
	pods       []*api.Pod
	services   []*api.Service
	slices     map[string][]*api.EndpointSlice // "ns/service" -> slices labelled for it
	podByIP    map[netip.Addr]*api.Pod
}

func (ch *checker) add(invariant string, objs []api.Ref, format string, args ...any) {
	ch.out = append(ch.out, Violation{Invariant: invariant, Message: fmt.Sprintf(format, args...), Objects: objs})
}

func refs(objs ...api.Object) []api.Ref {
	out := make([]api.Ref, len(objs))
	for i, o := range objs {
		out[i] = api.RefOf(o)
	}
	return out
}

func (ch *checker) load() {
	st := ch.c.store
	ch.namespaces = map[string]*api.Namespace{}
	for _, o := range st.List(api.KindNamespace, "", api.Everything()) {
		ch.namespaces[o.GetObjectMeta().Name] = o.(*api.Namespace)
	}
	for _, o := range st.List(api.KindNode, "", api.Everything()) {
		ch.nodes = append(ch.nodes, o.(*api.Node))
	}
	ch.podByIP = map[netip.Addr]*api.Pod{}
	for _, o := range st.List(api.KindPod, "", api.Everything()) {
		p := o.(*api.Pod)
		ch.pods = append(ch.pods, p)
		if !p.Spec.HostNetwork {
			for _, ip := range podIPs(p) {
				ch.podByIP[ip] = p
			}
		}
	}
	for _, o := range st.List(api.KindService, "", api.Everything()) {
		ch.services = append(ch.services, o.(*api.Service))
	}
	ch.slices = map[string][]*api.EndpointSlice{}
	for _, o := range st.List(api.KindEndpointSlice, "", api.Everything()) {
		s := o.(*api.EndpointSlice)
		if name := s.Labels[api.LabelServiceName]; name != "" {
			k := s.Namespace + "/" + name
			ch.slices[k] = append(ch.slices[k], s)
		}
	}
}

func podIPs(p *api.Pod) []netip.Addr {
	var out []netip.Addr
	for _, ip := range p.Status.PodIPs {
		out = append(out, ip.IP)
	}
	if len(out) == 0 && p.Status.PodIP.IsValid() {
		out = append(out, p.Status.PodIP)
	}
	return out
}

func clusterIPs(s *api.Service) []netip.Addr {
	ips := s.Spec.ClusterIPs
	if len(ips) == 0 && s.Spec.ClusterIP != "" {
		ips = []string{s.Spec.ClusterIP}
	}
	var out []netip.Addr
	for _, v := range ips {
		if a, err := netip.ParseAddr(v); err == nil {
			out = append(out, a)
		}
	}
	return out
}

func isHeadless(s *api.Service) bool { return s.Spec.ClusterIP == api.ClusterIPNone }

// always checks the invariants that hold at every instant.
func (ch *checker) always() {
	c := ch.c
	// pod-ip-unique, ip-in-range (pods)
	seen := map[netip.Addr]*api.Pod{}
	for _, p := range ch.pods {
		if p.Spec.HostNetwork {
			continue
		}
		for _, ip := range podIPs(p) {
			if q, dup := seen[ip]; dup {
				ch.add("pod-ip-unique", refs(q, p), "pods %s/%s and %s/%s share IP %s", q.Namespace, q.Name, p.Namespace, p.Name, ip)
			}
			seen[ip] = p
			if pools := c.nodes.PodIPs(p.Spec.NodeName); len(pools) > 0 {
				in := false
				for _, pool := range pools {
					in = in || pool.Prefix().Contains(ip)
				}
				if !in {
					ch.add("ip-in-range", refs(p), "pod %s/%s has IP %s outside node %s's pod ranges", p.Namespace, p.Name, ip, p.Spec.NodeName)
				}
			}
		}
	}
	// cluster-ip-unique, node-port-unique, ip-in-range (services)
	ipOwner := map[netip.Addr]*api.Service{}
	portOwner := map[int32]*api.Service{}
	ranges := c.svcs.Ranges()
	npr := c.cfg.NodePortRange
	for _, s := range ch.services {
		for _, ip := range clusterIPs(s) {
			if o, dup := ipOwner[ip]; dup && o != s {
				ch.add("cluster-ip-unique", refs(o, s), "services %s/%s and %s/%s share cluster IP %s", o.Namespace, o.Name, s.Namespace, s.Name, ip)
			}
			ipOwner[ip] = s
			if !slices.ContainsFunc(ranges, func(p netip.Prefix) bool { return p.Contains(ip) }) {
				ch.add("ip-in-range", refs(s), "service %s/%s has cluster IP %s outside the service ranges %v", s.Namespace, s.Name, ip, ranges)
			}
		}
		ports := []int32{s.Spec.HealthCheckNodePort}
		for _, sp := range s.Spec.Ports {
			ports = append(ports, sp.NodePort)
		}
		for _, np := range ports {
			if np == 0 {
				continue
			}
			if o, dup := portOwner[np]; dup && o != s {
				ch.add("node-port-unique", refs(o, s), "services %s/%s and %s/%s share node port %d", o.Namespace, o.Name, s.Namespace, s.Name, np)
			}
			portOwner[np] = s
			if int(np) < npr.Base || int(np) >= npr.Base+npr.Size {
				ch.add("ip-in-range", refs(s), "service %s/%s has node port %d outside %d-%d", s.Namespace, s.Name, np, npr.Base, npr.Base+npr.Size-1)
			}
		}
	}
	// namespace-exists
	for _, k := range api.Kinds {
		if info, _ := api.InfoFor(k); !info.Namespaced {
			continue
		}
		for _, o := range c.store.List(k, "", api.Everything()) {
			if ns := o.GetObjectMeta().Namespace; ch.namespaces[ns] == nil {
				ch.add("namespace-exists", refs(o), "%s lives in namespace %q, which does not exist", api.RefOf(o), ns)
			}
		}
	}
}

// settled checks the invariants that hold once nothing is pending.
func (ch *checker) settled() {
	ch.owners()
	ch.terminating()
	if !ch.c.faults.endpointsStale() {
		ch.endpoints()
		ch.mirrors()
	}
	ch.routes()
	if !ch.c.faults.dnsStale() {
		ch.dnsNames()
	}
}

func (ch *checker) owners() {
	st := ch.c.store
	for _, k := range api.Kinds {
		for _, o := range st.List(k, "", api.Everything()) {
			m := o.GetObjectMeta()
			for _, or := range m.OwnerReferences {
				owner := st.ByUID(or.UID)
				switch {
				case owner == nil && m.DeletionTimestamp == nil:
					ch.add("owner-exists", refs(o), "%s is owned by %s %s (uid %s), which does not exist, and is not being collected", api.RefOf(o), or.Kind, or.Name, or.UID)
				case owner != nil && (string(api.KindOf(owner)) != or.Kind || owner.GetObjectMeta().Name != or.Name):
					ch.add("owner-exists", refs(o, owner), "%s's owner reference %s %s (uid %s) names %s", api.RefOf(o), or.Kind, or.Name, or.UID, api.RefOf(owner))
				}
			}
		}
	}
}

func (ch *checker) terminating() {
	for _, p := range ch.pods {
		if p.DeletionTimestamp != nil {
			ch.add("terminating-at-rest", refs(p), "pod %s/%s is still terminating with nothing pending", p.Namespace, p.Name)
		}
	}
	for _, name := range sortedKeys(ch.namespaces) {
		if ns := ch.namespaces[name]; ns.DeletionTimestamp != nil {
			ch.add("terminating-at-rest", refs(ns), "namespace %s is still terminating with nothing pending", name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// servesPorts reports whether pod p can serve service s: every named
// targetPort of s is looked up among p's container ports, and a pod that
// resolves none of s's ports is left out, as the endpoints controllers do.
func servesPorts(s *api.Service, p *api.Pod) bool {
	if len(s.Spec.Ports) == 0 {
		return true
	}
	for _, sp := range s.Spec.Ports {
		if !sp.TargetPort.IsString {
			return true
		}
		proto := sp.Protocol
		if proto == "" {
			proto = api.ProtocolTCP
		}
		for _, ct := range p.Spec.Containers {
			for _, cp := range ct.Ports {
				cpp := cp.Protocol
				if cpp == "" {
					cpp = api.ProtocolTCP
				}
				if cp.Name == sp.TargetPort.StrVal && cpp == proto {
					return true
				}
			}
		}
	}
	return false
}

func families(s *api.Service) []api.IPFamily {
	if len(s.Spec.IPFamilies) == 0 {
		return []api.IPFamily{api.IPv4}
	}
	return s.Spec.IPFamilies
}

func familyOf(a netip.Addr) api.IPFamily {
	if a.Is4() {
		return api.IPv4
	}
	return api.IPv6
}

// wantEndpoints returns the addresses a selector service's endpoints must
// hold, ready and not ready, for the given families.
func (ch *checker) wantEndpoints(s *api.Service, fams []api.IPFamily) (ready, notReady []netip.Addr) {
	sel := api.SelectorFromSet(s.Spec.Selector)
	publish := s.Spec.PublishNotReadyAddresses
	for _, p := range ch.pods {
		if p.Namespace != s.Namespace || !sel.Matches(p.Labels) || p.DeletionTimestamp != nil ||
			p.Status.Phase == api.PodSucceeded || p.Status.Phase == api.PodFailed || !servesPorts(s, p) {
			continue
		}
		for _, ip := range podIPs(p) {
			if !slices.Contains(fams, familyOf(ip)) {
				continue
			}
			if publish || controller.IsPodReady(p) {
				ready = append(ready, ip)
			} else {
				notReady = append(notReady, ip)
			}
		}
	}
	return sortAddrs(ready), sortAddrs(notReady)
}

func sortAddrs(a []netip.Addr) []netip.Addr {
	slices.SortFunc(a, netip.Addr.Compare)
	return slices.Compact(a)
}

// listOf renders addresses for a violation message, "none" for none.
func listOf[T fmt.Stringer](a []T) string {
	if len(a) == 0 {
		return "none"
	}
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}

func (ch *checker) endpoints() {
	st := ch.c.store
	for _, s := range ch.services {
		if len(s.Spec.Selector) == 0 || s.Spec.Type == api.ServiceTypeExternalName {
			continue
		}
		svcRef := api.RefOf(s)
		// Endpoints: the primary family only.
		ready, notReady := ch.wantEndpoints(s, families(s)[:1])
		ep, _ := st.Peek(api.Ref{Kind: api.KindEndpoints, Namespace: s.Namespace, Name: s.Name}).(*api.Endpoints)
		if ep == nil {
			ch.add("endpoints-match-pods", []api.Ref{svcRef}, "service %s/%s has no Endpoints object", s.Namespace, s.Name)
		} else {
			var gotR, gotN []netip.Addr
			for _, ss := range ep.Subsets {
				for _, a := range ss.Addresses {
					gotR = append(gotR, a.IP)
				}
				for _, a := range ss.NotReadyAddresses {
					gotN = append(gotN, a.IP)
				}
			}
			gotR, gotN = sortAddrs(gotR), sortAddrs(gotN)
			if !slices.Equal(gotR, ready) || !slices.Equal(gotN, notReady) {
				ch.add("endpoints-match-pods", []api.Ref{svcRef, api.RefOf(ep)},
					"Endpoints %s/%s: ready %s, not ready %s; its pods say ready %s, not ready %s",
					s.Namespace, s.Name, listOf(gotR), listOf(gotN), listOf(ready), listOf(notReady))
			}
		}
		// EndpointSlices: every family of the service.
		ready, notReady = ch.wantEndpoints(s, families(s))
		var gotR, gotN []netip.Addr
		var involved []api.Ref
		for _, sl := range ch.slices[s.Namespace+"/"+s.Name] {
			if sl.Labels[api.LabelManagedBy] != controller.ManagedBySliceController {
				continue
			}
			involved = append(involved, api.RefOf(sl))
			for _, e := range sl.Endpoints {
				for _, a := range e.Addresses {
					if e.Conditions.IsReady() {
						gotR = append(gotR, a)
					} else {
						gotN = append(gotN, a)
					}
				}
			}
		}
		gotR, gotN = sortAddrs(gotR), sortAddrs(gotN)
		if !slices.Equal(gotR, ready) || !slices.Equal(gotN, notReady) {
			ch.add("endpoints-match-pods", append([]api.Ref{svcRef}, involved...),
				"EndpointSlices of %s/%s: ready %s, not ready %s; its pods say ready %s, not ready %s",
				s.Namespace, s.Name, listOf(gotR), listOf(gotN), listOf(ready), listOf(notReady))
		}
	}
}

func (ch *checker) mirrors() {
	st := ch.c.store
	for _, s := range ch.services {
		if len(s.Spec.Selector) > 0 {
			continue
		}
		ep, _ := st.Peek(api.Ref{Kind: api.KindEndpoints, Namespace: s.Namespace, Name: s.Name}).(*api.Endpoints)
		if ep == nil {
			continue
		}
		if _, skip := ep.Labels[controller.LabelSkipMirror]; skip {
			continue
		}
		var wantR, wantN []netip.Addr
		for _, ss := range ep.Subsets {
			for _, a := range ss.Addresses {
				wantR = append(wantR, a.IP)
			}
			for _, a := range ss.NotReadyAddresses {
				wantN = append(wantN, a.IP)
			}
		}
		var gotR, gotN []netip.Addr
		for _, sl := range ch.slices[s.Namespace+"/"+s.Name] {
			if sl.Labels[api.LabelManagedBy] != controller.ManagedByMirroring {
				continue
			}
			for _, e := range sl.Endpoints {
				for _, a := range e.Addresses {
					if e.Conditions.IsReady() {
						gotR = append(gotR, a)
					} else {
						gotN = append(gotN, a)
					}
				}
			}
		}
		wantR, wantN, gotR, gotN = sortAddrs(wantR), sortAddrs(wantN), sortAddrs(gotR), sortAddrs(gotN)
		if !slices.Equal(gotR, wantR) || !slices.Equal(gotN, wantN) {
			ch.add("mirror-match", refs(s, ep), "mirrored EndpointSlices of %s/%s: ready %s, not ready %s; its Endpoints say ready %s, not ready %s",
				s.Namespace, s.Name, listOf(gotR), listOf(gotN), listOf(wantR), listOf(wantN))
		}
	}
}

// sliceEndpoint is one endpoint of a service port as kube-proxy reads it.
type sliceEndpoint struct {
	addr                         netip.AddrPort
	node                         string
	ready, serving, terminating  bool
	zoneHints, nodeHints         []string
	hasZoneHints, hasAnyNodeHint bool
}

// portEndpoints returns the endpoints of one service port and family from
// the service's EndpointSlices, deduplicated by address and port, as
// kube-proxy merges them.
func (ch *checker) portEndpoints(s *api.Service, sp api.ServicePort, fam api.IPFamily) []sliceEndpoint {
	proto := sp.Protocol
	if proto == "" {
		proto = api.ProtocolTCP
	}
	var out []sliceEndpoint
	seen := map[netip.AddrPort]bool{}
	for _, sl := range ch.slices[s.Namespace+"/"+s.Name] {
		if string(sl.AddressType) != string(fam) {
			continue
		}
		if _, headless := sl.Labels["service.kubernetes.io/headless"]; headless {
			continue
		}
		for _, p := range sl.Ports {
			if p.PortName() != sp.Name || p.PortProtocol() != proto || p.Port == nil {
				continue
			}
			for _, e := range sl.Endpoints {
				if len(e.Addresses) == 0 {
					continue
				}
				ap := netip.AddrPortFrom(e.Addresses[0], uint16(*p.Port))
				if seen[ap] {
					continue
				}
				seen[ap] = true
				se := sliceEndpoint{addr: ap, ready: e.Conditions.IsReady(), serving: e.Conditions.IsServing(), terminating: e.Conditions.IsTerminating()}
				if e.NodeName != nil {
					se.node = *e.NodeName
				}
				if e.Hints != nil {
					for _, z := range e.Hints.ForZones {
						se.zoneHints = append(se.zoneHints, z.Name)
					}
					for _, n := range e.Hints.ForNodes {
						se.nodeHints = append(se.nodeHints, n.Name)
					}
				}
				out = append(out, se)
			}
		}
	}
	return out
}

// usable applies kube-proxy's readiness rule to a set: the ready endpoints,
// or when there are none the serving terminating ones.
func usable(eps []sliceEndpoint, keep func(sliceEndpoint) bool) []netip.AddrPort {
	var out []netip.AddrPort
	for _, e := range eps {
		if e.ready && keep(e) {
			out = append(out, e.addr)
		}
	}
	if len(out) == 0 {
		for _, e := range eps {
			if e.serving && e.terminating && keep(e) {
				out = append(out, e.addr)
			}
		}
	}
	slices.SortFunc(out, func(a, b netip.AddrPort) int { return cmp.Compare(a.String(), b.String()) })
	return out
}

// clusterSet is the cluster endpoint set of a node: usable endpoints, kept
// to the node's own hints (node hints first, then zone hints) when every ready
// endpoint carries one and one names the node.
func clusterSet(eps []sliceEndpoint, node, zone string) []netip.AddrPort {
	all := func(sliceEndpoint) bool { return true }
	useHints := func(hints func(sliceEndpoint) []string, mine string) bool {
		if mine == "" {
			return false
		}
		any, mineSeen := false, false
		for _, e := range eps {
			if !e.ready {
				continue
			}
			any = true
			h := hints(e)
			if len(h) == 0 {
				return false
			}
			mineSeen = mineSeen || slices.Contains(h, mine)
		}
		return any && mineSeen
	}
	nodeHints := func(e sliceEndpoint) []string { return e.nodeHints }
	zoneHints := func(e sliceEndpoint) []string { return e.zoneHints }
	switch {
	case useHints(nodeHints, node):
		return usable(eps, func(e sliceEndpoint) bool { return slices.Contains(e.nodeHints, node) })
	case useHints(zoneHints, zone):
		return usable(eps, func(e sliceEndpoint) bool { return slices.Contains(e.zoneHints, zone) })
	}
	return usable(eps, all)
}

func localSet(eps []sliceEndpoint, node string) []netip.AddrPort {
	return usable(eps, func(e sliceEndpoint) bool { return e.node == node })
}

// routes checks every node's routing against the store.
func (ch *checker) routes() {
	c := ch.c
	pcfg := c.proxy.Config()
	for _, node := range ch.nodes {
		n := c.proxy.Node(node.Name)
		if n == nil || c.proxy.Stalled(node.Name) {
			continue
		}
		if n.Version() != c.proxy.Version() {
			ch.add("route-synced", refs(node), "kube-proxy on %s has synced v%d; the cluster is at v%d", node.Name, n.Version(), c.proxy.Version())
			continue
		}
		src, ok := probeSource(node)
		if !ok {
			continue
		}
		nodeIP := controller.NodeInternalIP(node)
		zone := node.Labels[controller.LabelZone]
		n.SetRand(rand.New(rand.NewPCG(1, 2)))
		for _, s := range ch.services {
			if isHeadless(s) || s.Spec.Type == api.ServiceTypeExternalName {
				continue
			}
			if _, ok := s.Labels["service.kubernetes.io/service-proxy-name"]; ok {
				continue
			}
			for _, ip := range clusterIPs(s) {
				if !ip.Is4() {
					continue
				}
				for _, sp := range s.Spec.Ports {
					eps := ch.portEndpoints(s, sp, api.IPv4)
					local := s.Spec.InternalTrafficPolicy != nil && *s.Spec.InternalTrafficPolicy == api.TrafficPolicyLocal
					want := clusterSet(eps, node.Name, zone)
					if local {
						want = localSet(eps, node.Name)
					}
					pkt := proxy.Packet{Src: netip.AddrPortFrom(src, 40000), Dst: netip.AddrPortFrom(ip, uint16(sp.Port)), Proto: protoOf(sp.Protocol), Flow: proxy.FlowProbe}
					ch.route(n, node, s, pkt, "cluster IP", want, len(usable(eps, func(sliceEndpoint) bool { return true })) > 0)
					if sp.NodePort != 0 && nodeIP.Is4() && nodePortServed(pcfg, nodeIP) {
						want := clusterSet(eps, node.Name, zone)
						if s.Spec.ExternalTrafficPolicy == api.TrafficPolicyLocal {
							want = localSet(eps, node.Name)
						}
						pkt := proxy.Packet{Src: netip.AddrPortFrom(netip.MustParseAddr("203.0.113.77"), 40000), Dst: netip.AddrPortFrom(nodeIP, uint16(sp.NodePort)), Proto: protoOf(sp.Protocol), Flow: proxy.FlowProbe}
						ch.route(n, node, s, pkt, "node port", want, len(usable(eps, func(sliceEndpoint) bool { return true })) > 0)
					}
				}
			}
		}
		n.SetRand(c.loop.Rand("proxy/" + node.Name))
	}
}

func (ch *checker) route(n *proxy.Node, node *api.Node, s *api.Service, pkt proxy.Packet, what string, want []netip.AddrPort, anyUsable bool) {
	res := n.Route(ch.c.loop.Now(), pkt)
	involved := refs(s, node)
	switch {
	case len(want) > 0:
		got := res.Endpoints.Strings()
		slices.Sort(got)
		wantS := strings.Split(listOf(want), ",")
		if res.Verdict != proxy.VerdictForward || !slices.Equal(got, wantS) || !slices.Contains(want, res.Chosen) {
			ch.add("route-service", involved, "%s on %s: %s (endpoints %s, chosen %s); the store says forward to one of %s",
				what, node.Name, res.Verdict, addrPorts2(got), res.Chosen, listOf(want))
			return
		}
		if ch.c.faults.endpointsStale() || s.Spec.PublishNotReadyAddresses {
			return
		}
		if p := ch.podByIP[res.Chosen.Addr()]; p != nil && (p.DeletionTimestamp != nil || !controller.IsPodReady(p)) {
			ch.add("route-ready-pod", append(involved, api.RefOf(p)), "%s on %s: chose %s, pod %s/%s, which is not ready or is being deleted", what, node.Name, res.Chosen, p.Namespace, p.Name)
		}
	case anyUsable:
		if res.Verdict != proxy.VerdictDrop {
			ch.add("route-service", involved, "%s on %s: %s; with endpoints only on other nodes and a Local traffic policy kube-proxy drops", what, node.Name, res.Verdict)
		}
	default:
		if res.Verdict != proxy.VerdictReject {
			ch.add("route-service", involved, "%s on %s: %s (endpoints %s); without usable endpoints kube-proxy rejects", what, node.Name, res.Verdict, addrPorts2(res.Endpoints.Strings()))
		}
	}
}

func addrPorts2(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

func protoOf(p api.Protocol) proxy.Protocol {
	switch p {
	case api.ProtocolUDP:
		return proxy.UDP
	case api.ProtocolSCTP:
		return proxy.SCTP
	}
	return proxy.TCP
}

// probeSource is an address inside the node's IPv4 pod range that no pod is
// given early: the next to last one. Packets from it count as pod traffic.
func probeSource(n *api.Node) (netip.Addr, bool) {
	cidrs := n.Spec.PodCIDRs
	if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
		cidrs = []string{n.Spec.PodCIDR}
	}
	for _, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() || p.Bits() > 30 {
			continue
		}
		b := p.Masked().Addr().As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		v += 1<<(32-p.Bits()) - 2
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
	}
	return netip.Addr{}, false
}

// nodePortServed reports whether kube-proxy accepts node ports on addr.
func nodePortServed(cfg proxy.Config, addr netip.Addr) bool {
	restricted := false
	for _, p := range cfg.NodePortAddresses {
		if p.Addr().Is4() != addr.Is4() {
			continue
		}
		restricted = true
		if p.Contains(addr) {
			return true
		}
	}
	return !restricted
}

// dnsNames checks the cluster DNS against the store.
func (ch *checker) dnsNames() {
	c := ch.c
	srv := c.dns
	cfg := srv.Config()
	zone := strings.ToLower(strings.TrimSuffix(cfg.Zone, "."))
	if zone == "" {
		zone = "cluster.local"
	}
	exposed := func(ns string) bool {
		return ch.namespaces[ns] != nil && (len(cfg.Namespaces) == 0 || slices.Contains(cfg.Namespaces, ns))
	}
	reverse := slices.Contains(srv.Zones(), "in-addr.arpa.")
	existing := map[string]bool{}
	for _, s := range ch.services {
		existing[s.Namespace+"/"+s.Name] = true
	}
	for _, s := range ch.services {
		if !exposed(s.Namespace) {
			continue
		}
		ch.dnsService(srv, cfg, zone, s)
		if reverse && !isHeadless(s) && s.Spec.Type != api.ServiceTypeExternalName {
			fq := s.Name + "." + s.Namespace + ".svc." + zone + "."
			for _, ip := range clusterIPs(s) {
				r := srv.Query(dns.ReverseName(ip), dns.TypePTR)
				if !slices.ContainsFunc(r.Answer, func(rr dns.RR) bool { return rr.Type == dns.TypePTR && strings.EqualFold(rr.Target, fq) }) {
					ch.add("dns-ptr", refs(s), "PTR %s: %s %s; want %s", dns.ReverseName(ip), r.RcodeName(), rrList(r.Answer), fq)
				}
			}
		}
	}
	// Names nothing implies.
	nx := func(name string, involved []api.Ref, why string) {
		r := srv.Query(name, dns.TypeA)
		if r.Rcode != dns.RcodeNameError {
			ch.add("dns-nxdomain", involved, "A %s: %s %s; want NXDOMAIN (%s)", name, r.RcodeName(), rrList(r.Answer), why)
		}
	}
	for _, ns := range sortedKeys(ch.namespaces) {
		if !exposed(ns) {
			continue
		}
		if !existing[ns+"/kubesim-absent"] {
			nx("kubesim-absent."+ns+".svc."+zone+".", nil, "no such service")
		}
		// An existing namespace with nothing below it is NODATA.
		name := ns + ".svc." + zone + "."
		if r := srv.Query(name, dns.TypeA); r.Rcode != dns.RcodeSuccess || len(r.Answer) > 0 {
			ch.add("dns-nxdomain", []api.Ref{{Kind: api.KindNamespace, Name: ns}}, "A %s: %s %s; want NODATA (the namespace exists)", name, r.RcodeName(), rrList(r.Answer))
		}
	}
	if existing["default/kubernetes"] && exposed("default") {
		nx("a.b.c.kubernetes.default.svc."+zone+".", nil, "three labels left of a service")
	}
	// Pod names, as the pods option says.
	for _, p := range ch.pods {
		if p.Spec.HostNetwork || !exposed(p.Namespace) || !p.Status.PodIP.Is4() || p.DeletionTimestamp != nil {
			continue
		}
		name := strings.ReplaceAll(p.Status.PodIP.String(), ".", "-") + "." + p.Namespace + ".pod." + zone + "."
		r := srv.Query(name, dns.TypeA)
		switch {
		case cfg.Pods == dns.PodsDisabled || cfg.Pods == "":
			if r.Rcode != dns.RcodeNameError {
				ch.add("dns-pod", refs(p), "A %s: %s; with pods disabled pod names are NXDOMAIN", name, r.RcodeName())
			}
		case r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 || r.Answer[0].Addr != p.Status.PodIP:
			ch.add("dns-pod", refs(p), "A %s: %s %s; want %s (pods %s)", name, r.RcodeName(), rrList(r.Answer), p.Status.PodIP, cfg.Pods)
		}
	}
	if r := srv.Query("dns-version."+zone+".", dns.TypeTXT); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 || r.Answer[0].Text != "1.1.0" {
		ch.add("dns-version", nil, "TXT dns-version.%s.: %s %s; want \"1.1.0\"", zone, r.RcodeName(), rrList(r.Answer))
	}
	seen := map[api.Ref]bool{}
	for _, ref := range c.history.services {
		if seen[ref] || existing[ref.Namespace+"/"+ref.Name] {
			continue
		}
		seen[ref] = true
		nx(ref.Name+"."+ref.Namespace+".svc."+zone+".", []api.Ref{ref}, "the service was deleted")
	}
	for _, ns := range c.history.namespaces {
		if ch.namespaces[ns] == nil {
			nx("kubernetes."+ns+".svc."+zone+".", []api.Ref{{Kind: api.KindNamespace, Name: ns}}, "the namespace was deleted")
		}
	}
}

func rrList(rrs []dns.RR) string {
	if len(rrs) == 0 {
		return "(no records)"
	}
	s := make([]string, len(rrs))
	for i, rr := range rrs {
		s[i] = dns.TypeString(rr.Type) + " " + rr.Rdata()
	}
	return "[" + strings.Join(s, "; ") + "]"
}

// readyEndpoints returns the ready IPv4 endpoint addresses of a service's
// slices, and whether it has any ready endpoint at all, of any family.
func (ch *checker) readyEndpoints(s *api.Service) (v4 []netip.Addr, anyReady bool, byHost map[string][]netip.Addr) {
	byHost = map[string][]netip.Addr{}
	for _, sl := range ch.slices[s.Namespace+"/"+s.Name] {
		if sl.AddressType == api.AddressTypeFQDN {
			continue
		}
		for _, e := range sl.Endpoints {
			if !e.Conditions.IsReady() {
				continue
			}
			for _, a := range e.Addresses {
				anyReady = true
				if a.Is4() {
					v4 = append(v4, a)
					if e.Hostname != nil && *e.Hostname != "" {
						byHost[*e.Hostname] = append(byHost[*e.Hostname], a)
					}
				}
			}
		}
	}
	return sortAddrs(v4), anyReady, byHost
}

func (ch *checker) dnsService(srv *dns.Server, cfg dns.Config, zone string, s *api.Service) {
	fq := s.Name + "." + s.Namespace + ".svc." + zone + "."
	r := srv.Query(fq, dns.TypeA)
	involved := refs(s)
	answerA := func(r dns.Reply) []netip.Addr {
		var out []netip.Addr
		for _, rr := range r.Answer {
			if rr.Type == dns.TypeA {
				out = append(out, rr.Addr)
			}
		}
		return sortAddrs(out)
	}
	v4, anyReady, byHost := ch.readyEndpoints(s)
	switch {
	case s.Spec.Type == api.ServiceTypeExternalName:
		target := strings.ToLower(strings.TrimSuffix(s.Spec.ExternalName, "."))
		if _, err := netip.ParseAddr(target); err == nil {
			if r.Rcode != dns.RcodeNameError {
				ch.add("dns-service", involved, "A %s: %s; an ExternalName that is an IP is NXDOMAIN", fq, r.RcodeName())
			}
			return
		}
		if target == zone || strings.HasSuffix(target, "."+zone) || ch.c.faults.upstreamFailing(target) {
			return
		}
		if r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 || r.Answer[0].Type != dns.TypeCNAME || !strings.EqualFold(r.Answer[0].Target, target+".") {
			ch.add("dns-service", involved, "A %s: %s %s; want CNAME %s. first", fq, r.RcodeName(), rrList(r.Answer), target)
		}
	case isHeadless(s):
		switch {
		case cfg.NoEndpoints || !anyReady:
			if r.Rcode != dns.RcodeNameError {
				ch.add("dns-service", involved, "A %s: %s %s; a headless service without ready endpoints is NXDOMAIN", fq, r.RcodeName(), rrList(r.Answer))
			}
		case r.Rcode != dns.RcodeSuccess || !slices.Equal(answerA(r), v4):
			ch.add("dns-service", involved, "A %s: %s %s; want the ready endpoints %s", fq, r.RcodeName(), rrList(r.Answer), listOf(v4))
		}
		if cfg.NoEndpoints {
			return
		}
		for _, h := range sortedKeys(byHost) {
			name := h + "." + fq
			want := sortAddrs(byHost[h])
			hr := srv.Query(name, dns.TypeA)
			if hr.Rcode != dns.RcodeSuccess || !slices.Equal(answerA(hr), want) {
				ch.add("dns-endpoint", involved, "A %s: %s %s; want %s", name, hr.RcodeName(), rrList(hr.Answer), listOf(want))
			}
		}
		if anyReady {
			ch.dnsSRV(srv, zone, s, fq, true)
		}
	default:
		var want []netip.Addr
		for _, ip := range clusterIPs(s) {
			if ip.Is4() {
				want = append(want, ip)
			}
		}
		want = sortAddrs(want)
		if cfg.IgnoreEmptyService && !anyReady {
			if r.Rcode != dns.RcodeNameError {
				ch.add("dns-service", involved, "A %s: %s; with ignore empty_service a service without ready endpoints is NXDOMAIN", fq, r.RcodeName())
			}
			return
		}
		if r.Rcode != dns.RcodeSuccess || !slices.Equal(answerA(r), want) {
			ch.add("dns-service", involved, "A %s: %s %s; want the cluster IPs %s", fq, r.RcodeName(), rrList(r.Answer), listOf(want))
		}
		if !slices.ContainsFunc(clusterIPs(s), netip.Addr.Is6) {
			if r6 := srv.Query(fq, dns.TypeAAAA); r6.Rcode != dns.RcodeSuccess || len(r6.Answer) > 0 {
				ch.add("dns-service", involved, "AAAA %s: %s %s; an IPv4 service has no AAAA records (NODATA)", fq, r6.RcodeName(), rrList(r6.Answer))
			}
		}
		ch.dnsSRV(srv, zone, s, fq, false)
	}
}

// dnsSRV checks the SRV records of a service's named ports: a ClusterIP
// service's point at the service with its port; a headless service's at its
// endpoints, on the port its slices give.
func (ch *checker) dnsSRV(srv *dns.Server, zone string, s *api.Service, fq string, headless bool) {
	for _, sp := range s.Spec.Ports {
		if sp.Name == "" {
			continue
		}
		proto := sp.Protocol
		if proto == "" {
			proto = api.ProtocolTCP
		}
		name := "_" + sp.Name + "._" + strings.ToLower(string(proto)) + "." + fq
		r := srv.Query(name, dns.TypeSRV)
		var srvs []dns.RR
		for _, rr := range r.Answer {
			if rr.Type == dns.TypeSRV {
				srvs = append(srvs, rr)
			}
		}
		if !headless {
			if r.Rcode != dns.RcodeSuccess || !slices.ContainsFunc(srvs, func(rr dns.RR) bool {
				return int32(rr.Port) == sp.Port && strings.EqualFold(rr.Target, fq)
			}) {
				ch.add("dns-srv", refs(s), "SRV %s: %s %s; want port %d target %s", name, r.RcodeName(), rrList(r.Answer), sp.Port, fq)
			}
			continue
		}
		ports := map[int32]bool{}
		for _, e := range ch.portEndpointsAnyLabel(s, sp.Name, proto) {
			ports[e] = true
		}
		if len(ports) == 0 {
			continue
		}
		bad := r.Rcode != dns.RcodeSuccess || len(srvs) == 0
		for _, rr := range srvs {
			bad = bad || !ports[int32(rr.Port)]
		}
		if bad {
			ch.add("dns-srv", refs(s), "SRV %s: %s %s; want records on the endpoints' ports", name, r.RcodeName(), rrList(r.Answer))
		}
	}
}

// portEndpointsAnyLabel returns the ports of the named port that slices
// give a service with ready IPv4 endpoints (headless slices included).
func (ch *checker) portEndpointsAnyLabel(s *api.Service, name string, proto api.Protocol) []int32 {
	var out []int32
	for _, sl := range ch.slices[s.Namespace+"/"+s.Name] {
		if sl.AddressType != api.AddressTypeIPv4 {
			continue
		}
		ready := slices.ContainsFunc(sl.Endpoints, func(e api.Endpoint) bool { return e.Conditions.IsReady() })
		if !ready {
			continue
		}
		for _, p := range sl.Ports {
			if p.PortName() == name && p.PortProtocol() == proto && p.Port != nil {
				out = append(out, *p.Port)
			}
		}
	}
	return out
}
