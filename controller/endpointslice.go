package controller

import (
	"cmp"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strconv"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

// Managers of endpoint slices, as their managed-by label names them.
const (
	ManagedBySliceController = "endpointslice-controller.k8s.io"
	ManagedByMirroring       = "endpointslicemirroring-controller.k8s.io"
)

// LabelSkipMirror on an Endpoints object keeps the mirroring controller away,
// as the API server sets it on `default/kubernetes`.
const LabelSkipMirror = "endpointslice.kubernetes.io/skip-mirror"

// maxEndpointsPerSlice is the controller's default --max-endpoints-per-slice.
const maxEndpointsPerSlice = 100

// sliceController runs both the endpoint-slice controller (services with a
// selector) and the mirroring controller (services without one, whose
// hand-written Endpoints are copied into slices).
type sliceController struct {
	m     *Manager
	queue *Queue
	index *serviceIndex
	owned map[string][]string // service key -> names of the slices kubesim's controllers manage for it
}

func newSliceController(m *Manager) *sliceController {
	c := &sliceController{m: m, owned: make(map[string][]string)}
	c.queue = NewQueue(m.loop, m.cfg.Latencies.EndpointSlice, c.sync)
	m.store.Watch(c.onSlice, api.KindEndpointSlice)
	return c
}

func (c *sliceController) onService(ev store.Event) {
	svc := ev.Object.(*api.Service)
	c.queue.Add(key(svc.Namespace, svc.Name))
}

// onPod queues the services a pod change concerns, given by their keys.
func (c *sliceController) onPod(_ store.Event, services []string) {
	for _, k := range services {
		c.queue.Add(k)
	}
}

func (c *sliceController) onEndpoints(ev store.Event) {
	ep := ev.Object.(*api.Endpoints)
	if _, skip := ep.Labels[LabelSkipMirror]; skip {
		return
	}
	c.queue.Add(key(ep.Namespace, ep.Name))
}

func (c *sliceController) onNode(ev store.Event) {
	if ev.Type != store.Modified {
		return
	}
	old := ev.Old.(*api.Node)
	n := ev.Object.(*api.Node)
	if old.Labels[LabelZone] == n.Labels[LabelZone] {
		return
	}
	for _, o := range c.m.store.List(api.KindPod, "", api.Everything()) {
		p := o.(*api.Pod)
		if p.Spec.NodeName == n.Name {
			for _, k := range c.m.services.matching(p.Namespace, p.Labels) {
				c.queue.Add(k)
			}
		}
	}
}

// onSlice keeps the list of slices each service has that kubesim's controllers
// manage, so a sync need not scan every slice in the cluster.
func (c *sliceController) onSlice(ev store.Event) {
	s := ev.Object.(*api.EndpointSlice)
	svc := s.Labels[api.LabelServiceName]
	mb := s.Labels[api.LabelManagedBy]
	if svc == "" || (mb != ManagedBySliceController && mb != ManagedByMirroring) {
		return
	}
	k := key(s.Namespace, svc)
	if ev.Type == store.Deleted {
		// A managed slice went (deleted by hand, or collected with a service
		// of the same name that was replaced): write the service's again.
		defer c.queue.Add(k)
	}
	names := c.owned[k]
	i, found := slices.BinarySearch(names, s.Name)
	switch {
	case ev.Type == store.Deleted && found:
		names = slices.Delete(names, i, i+1)
	case ev.Type != store.Deleted && !found:
		names = slices.Insert(names, i, s.Name)
	}
	if len(names) == 0 {
		delete(c.owned, k)
	} else {
		c.owned[k] = names
	}
}

// LabelZone is the well-known node label naming its zone.
const LabelZone = "topology.kubernetes.io/zone"

type sliceGroup struct {
	addressType api.AddressType
	ports       []api.EndpointSlicePort
	endpoints   []api.Endpoint
}

func (c *sliceController) sync(k string) {
	ns, name := splitKey(k)
	svc, ok := c.m.store.Peek(api.Ref{Kind: api.KindService, Namespace: ns, Name: name}).(*api.Service)
	var groups []*sliceGroup
	managedBy := ManagedBySliceController
	switch {
	case !ok:
		// Slices are owned by their service; the garbage collector removes them.
		return
	case len(svc.Spec.Selector) > 0:
		groups = c.fromPods(svc)
	default:
		ep, _ := c.m.store.Peek(api.Ref{Kind: api.KindEndpoints, Namespace: ns, Name: name}).(*api.Endpoints)
		if ep != nil {
			if _, skip := ep.Labels[LabelSkipMirror]; skip {
				return
			}
			groups = fromEndpoints(ep)
		}
		managedBy = ManagedByMirroring
	}
	c.write(svc, managedBy, groups)
}

func (c *sliceController) fromPods(svc *api.Service) []*sliceGroup {
	pods := c.m.store.PodsWithLabels(svc.Namespace, svc.Spec.Selector)
	publish := svc.Spec.PublishNotReadyAddresses
	var groups []*sliceGroup
	// An endpoint points to small values: its address, its three flags,
	// its pod, node and zone. They come from a few arrays per sync, sized
	// for one address per pod, rather than from seven allocations per
	// endpoint; an array that grows leaves the values already pointed to
	// where they are.
	npods := len(pods)
	addrs := make([]netip.Addr, 0, npods)
	flags := make([]bool, 0, 3*npods)
	refs := make([]api.ObjectReference, 0, npods)
	strs := make([]string, 0, 2*npods) // node names and zones
	var ports []podPort
	for i, o := range pods {
		p := o.(*api.Pod)
		if !podInEndpoints(p, true) {
			continue
		}
		ports = ports[:0]
		for _, sp := range svc.Spec.Ports {
			if n, ok := portFor(sp, p); ok {
				ports = append(ports, podPort{sp.Name, n, orTCP(sp.Protocol), sp.AppProtocol})
			}
		}
		if len(svc.Spec.Ports) > 0 && len(ports) == 0 {
			continue
		}
		slices.SortFunc(ports, func(a, b podPort) int {
			return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.port, b.port), cmp.Compare(a.proto, b.proto))
		})
		node := c.nodeOf(p.Spec.NodeName)
		for _, ip := range p.Status.PodIPs {
			at := addressTypeOf(ip.IP)
			if !serviceHasFamily(svc, at) {
				continue
			}
			podReady := IsPodReady(p)
			terminating := p.DeletionTimestamp != nil
			ready := (publish || podReady) && (publish || !terminating)
			serving := podReady
			addrs = append(addrs, ip.IP)
			flags = append(flags, ready, serving, terminating)
			refs = append(refs, api.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID})
			a, f := len(addrs)-1, flags[len(flags)-3:]
			ep := api.Endpoint{
				Addresses:  addrs[a : a+1 : a+1],
				Conditions: api.EndpointConditions{Ready: &f[0], Serving: &f[1], Terminating: &f[2]},
				TargetRef:  &refs[len(refs)-1],
			}
			if h := endpointHostname(p, svc); h != "" {
				ep.Hostname = &h
			}
			if p.Spec.NodeName != "" {
				strs = append(strs, p.Spec.NodeName)
				ep.NodeName = &strs[len(strs)-1]
			}
			if node != nil {
				if z, ok := node.Labels[LabelZone]; ok {
					strs = append(strs, z)
					ep.Zone = &strs[len(strs)-1]
				}
			}
			ep.Hints = hintsFor(svc, ep)
			g := podGroup(&groups, at, ports)
			g.endpoints = appendSized(g.endpoints, ep, npods-i)
		}
	}
	return groups
}

// podPort is a service port resolved against a pod, as slicePort writes it.
type podPort struct {
	name  string
	port  int32
	proto api.Protocol
	app   *string
}

// podGroup is findGroup for ports resolved against a pod: only a new group
// turns them into slice ports.
func podGroup(groups *[]*sliceGroup, at api.AddressType, ports []podPort) *sliceGroup {
	for _, g := range *groups {
		if g.addressType == at && samePorts(g.ports, ports) {
			return g
		}
	}
	var sp []api.EndpointSlicePort
	for _, p := range ports {
		sp = append(sp, slicePort(p.name, p.port, p.proto, p.app))
	}
	g := &sliceGroup{addressType: at, ports: sp}
	*groups = append(*groups, g)
	return g
}

// samePorts reports whether reflect.DeepEqual would find sp equal to the
// slice ports written from ports.
func samePorts(sp []api.EndpointSlicePort, ports []podPort) bool {
	if len(sp) != len(ports) {
		return false
	}
	for i, p := range ports {
		s := sp[i]
		if *s.Name != p.name || *s.Port != p.port || *s.Protocol != p.proto ||
			(s.AppProtocol == nil) != (p.app == nil) || (p.app != nil && *s.AppProtocol != *p.app) {
			return false
		}
	}
	return true
}

// hintsFor fills topology hints as the controller does for services that ask
// for them: PreferClose / PreferSameZone trafficDistribution or the
// topology-mode Auto annotation give each endpoint its own zone;
// PreferSameNode adds its node.
func hintsFor(svc *api.Service, ep api.Endpoint) *api.EndpointHints {
	td := ""
	if svc.Spec.TrafficDistribution != nil {
		td = *svc.Spec.TrafficDistribution
	}
	auto := svc.Annotations["service.kubernetes.io/topology-mode"] == "Auto"
	if ep.Zone == nil || (td == "" && !auto) {
		return nil
	}
	h := &api.EndpointHints{ForZones: []api.ForZone{{Name: *ep.Zone}}}
	if td == "PreferSameNode" && ep.NodeName != nil {
		h.ForNodes = []api.ForNode{{Name: *ep.NodeName}}
	}
	return h
}

func (c *sliceController) nodeOf(name string) *api.Node {
	if name == "" {
		return nil
	}
	n, _ := c.m.store.Peek(api.Ref{Kind: api.KindNode, Name: name}).(*api.Node)
	return n
}

func serviceHasFamily(svc *api.Service, at api.AddressType) bool {
	if len(svc.Spec.IPFamilies) == 0 {
		return at == api.AddressTypeIPv4
	}
	for _, f := range svc.Spec.IPFamilies {
		if string(f) == string(at) {
			return true
		}
	}
	return false
}

func addressTypeOf(a netip.Addr) api.AddressType {
	if a.Is4() {
		return api.AddressTypeIPv4
	}
	return api.AddressTypeIPv6
}

func slicePort(name string, port int32, proto api.Protocol, app *string) api.EndpointSlicePort {
	n, p, pr := name, port, orTCP(proto)
	return api.EndpointSlicePort{Name: &n, Port: &p, Protocol: &pr, AppProtocol: app}
}

// orTCP is a port's protocol, TCP when it names none.
func orTCP(p api.Protocol) api.Protocol {
	if p == "" {
		return api.ProtocolTCP
	}
	return p
}

func sortSlicePorts(ports []api.EndpointSlicePort) {
	slices.SortFunc(ports, func(a, b api.EndpointSlicePort) int {
		return cmp.Or(cmp.Compare(*a.Name, *b.Name), cmp.Compare(*a.Port, *b.Port), cmp.Compare(*a.Protocol, *b.Protocol))
	})
}

func findGroup(groups *[]*sliceGroup, at api.AddressType, ports []api.EndpointSlicePort) *sliceGroup {
	for _, g := range *groups {
		if g.addressType == at && reflect.DeepEqual(g.ports, ports) {
			return g
		}
	}
	g := &sliceGroup{addressType: at, ports: ports}
	*groups = append(*groups, g)
	return g
}

// fromEndpoints mirrors a hand-written Endpoints object: each subset's
// addresses, ready or not, with its ports.
func fromEndpoints(ep *api.Endpoints) []*sliceGroup {
	var groups []*sliceGroup
	for _, ss := range ep.Subsets {
		var ports []api.EndpointSlicePort
		for _, p := range ss.Ports {
			ports = append(ports, slicePort(p.Name, p.Port, p.Protocol, p.AppProtocol))
		}
		sortSlicePorts(ports)
		add := func(a api.EndpointAddress, ready bool) {
			r := ready
			ep := api.Endpoint{Addresses: []netip.Addr{a.IP}, Conditions: api.EndpointConditions{Ready: &r}}
			if a.Hostname != "" {
				h := a.Hostname
				ep.Hostname = &h
			}
			if a.NodeName != nil {
				n := *a.NodeName
				ep.NodeName = &n
			}
			if a.TargetRef != nil {
				t := *a.TargetRef
				ep.TargetRef = &t
			}
			g := findGroup(&groups, addressTypeOf(a.IP), ports)
			g.endpoints = append(g.endpoints, ep)
		}
		for _, a := range ss.Addresses {
			add(a, true)
		}
		for _, a := range ss.NotReadyAddresses {
			add(a, false)
		}
	}
	return groups
}

// write makes the service's managed slices hold exactly groups, reusing the
// existing slices in name order so names stay stable across syncs.
func (c *sliceController) write(svc *api.Service, managedBy string, groups []*sliceGroup) {
	k := key(svc.Namespace, svc.Name)
	// Only slices this service owns are reused: a slice left by a deleted
	// service of the same name belongs to the garbage collector.
	var existing []string
	for _, name := range c.owned[k] {
		if o := c.m.store.Peek(api.Ref{Kind: api.KindEndpointSlice, Namespace: svc.Namespace, Name: name}); o != nil && api.IsControlledBy(o, svc.UID) {
			existing = append(existing, name)
		}
	}
	var want []*api.EndpointSlice
	for _, g := range groups {
		slices.SortFunc(g.endpoints, func(a, b api.Endpoint) int { return a.Addresses[0].Compare(b.Addresses[0]) })
		for start := 0; start < len(g.endpoints); start += maxEndpointsPerSlice {
			end := min(start+maxEndpointsPerSlice, len(g.endpoints))
			want = append(want, c.newSlice(svc, managedBy, g, g.endpoints[start:end]))
		}
	}
	if len(want) == 0 && len(svc.Spec.Selector) > 0 {
		// A service with a selector keeps one empty slice per family, as the
		// controller leaves a placeholder.
		at := api.AddressTypeIPv4
		if len(svc.Spec.IPFamilies) > 0 && svc.Spec.IPFamilies[0] == api.IPv6 {
			at = api.AddressTypeIPv6
		}
		want = append(want, c.newSlice(svc, managedBy, &sliceGroup{addressType: at}, nil))
	}
	for i, s := range want {
		if i < len(existing) {
			cur, ok := c.m.store.Peek(api.Ref{Kind: api.KindEndpointSlice, Namespace: svc.Namespace, Name: existing[i]}).(*api.EndpointSlice)
			if ok {
				// The slice keeps its metadata, shared with cur, which
				// the store never changes in place, but for its owner
				// references (see copyOwnerRefs) and the labels newSlice
				// made.
				labels := s.Labels
				s.ObjectMeta = cur.ObjectMeta
				s.OwnerReferences = copyOwnerRefs(cur.OwnerReferences)
				s.Labels = labels
				if reflect.DeepEqual(s.Endpoints, cur.Endpoints) && reflect.DeepEqual(s.Ports, cur.Ports) &&
					s.AddressType == cur.AddressType && maps.Equal(s.Labels, cur.Labels) {
					continue
				}
				_ = c.m.store.UpdateStatus(s, "endpoints: "+strconv.Itoa(len(s.Endpoints)))
				continue
			}
		}
		if _, err := c.m.store.Create(s); err != nil {
			c.m.trace("endpointslice-controller", api.RefOf(svc), "failed: "+err.Error())
		}
	}
	for i := len(want); i < len(existing); i++ {
		c.m.store.Remove(api.Ref{Kind: api.KindEndpointSlice, Namespace: svc.Namespace, Name: existing[i]})
	}
}

func (c *sliceController) sliceLabels(svc *api.Service, managedBy string) map[string]string {
	labels := maps.Clone(svc.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[api.LabelServiceName] = svc.Name
	labels[api.LabelManagedBy] = managedBy
	if svc.Spec.ClusterIP == api.ClusterIPNone {
		labels["service.kubernetes.io/headless"] = ""
	}
	return labels
}

func (c *sliceController) newSlice(svc *api.Service, managedBy string, g *sliceGroup, eps []api.Endpoint) *api.EndpointSlice {
	yes := true
	return &api.EndpointSlice{
		ObjectMeta: api.ObjectMeta{
			GenerateName: svc.Name + "-",
			Namespace:    svc.Namespace,
			Labels:       c.sliceLabels(svc, managedBy),
			OwnerReferences: []api.OwnerReference{{
				APIVersion: "v1", Kind: string(api.KindService), Name: svc.Name, UID: svc.UID,
				Controller: &yes, BlockOwnerDeletion: &yes,
			}},
		},
		AddressType: g.addressType,
		Endpoints:   slices.Clone(eps),
		Ports:       g.ports,
	}
}
