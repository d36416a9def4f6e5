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

func (c *sliceController) onPod(ev store.Event, services []string) {
	ns := ev.Object.GetObjectMeta().Namespace
	for _, name := range services {
		c.queue.Add(key(ns, name))
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
			for _, name := range c.m.services.matching(c.m.store, p.Namespace, p.Labels) {
				c.queue.Add(key(p.Namespace, name))
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
	pods := c.m.store.List(api.KindPod, svc.Namespace, api.SelectorFromSet(svc.Spec.Selector))
	publish := svc.Spec.PublishNotReadyAddresses
	var groups []*sliceGroup
	for _, o := range pods {
		p := o.(*api.Pod)
		if !podInEndpoints(p, true) {
			continue
		}
		var ports []api.EndpointSlicePort
		for _, sp := range svc.Spec.Ports {
			if n, ok := portFor(sp, p); ok {
				ports = append(ports, slicePort(sp.Name, n, sp.Protocol, sp.AppProtocol))
			}
		}
		if len(svc.Spec.Ports) > 0 && len(ports) == 0 {
			continue
		}
		sortSlicePorts(ports)
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
			ep := api.Endpoint{
				Addresses:  []netip.Addr{ip.IP},
				Conditions: api.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &terminating},
				TargetRef:  &api.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
			}
			if h := endpointHostname(p, svc); h != "" {
				ep.Hostname = &h
			}
			if p.Spec.NodeName != "" {
				nn := p.Spec.NodeName
				ep.NodeName = &nn
			}
			if node != nil {
				if z, ok := node.Labels[LabelZone]; ok {
					ep.Zone = &z
				}
			}
			ep.Hints = hintsFor(svc, ep)
			g := findGroup(&groups, at, ports)
			g.endpoints = append(g.endpoints, ep)
		}
	}
	return groups
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
	n, p, pr := name, port, proto
	if pr == "" {
		pr = api.ProtocolTCP
	}
	return api.EndpointSlicePort{Name: &n, Port: &p, Protocol: &pr, AppProtocol: app}
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
	existing := slices.Clone(c.owned[k])
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
				s.ObjectMeta = *cur.ObjectMeta.DeepCopy()
				s.Labels = c.sliceLabels(svc, managedBy)
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
