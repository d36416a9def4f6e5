package controller

import (
	"cmp"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

// serviceIndex finds the services whose selector may match a pod without
// testing every service in the namespace: each service is filed under one
// term of its selector (the first by key), and a pod only meets the services
// filed under one of its own labels.
type serviceIndex struct {
	byNS map[string]map[string]map[string][]indexedService // namespace -> key -> value -> services (by name)
}

// indexedService is what a pod change needs of a service: its selector, to
// test the pod against, and its work-queue key, so that queueing it does not
// build the key for every pod.
type indexedService struct {
	name, key string
	selector  map[string]string
}

func newServiceIndex() *serviceIndex {
	return &serviceIndex{byNS: make(map[string]map[string]map[string][]indexedService)}
}

func indexTerm(sel map[string]string) (string, string) {
	k := slices.Min(slices.Collect(maps.Keys(sel)))
	return k, sel[k]
}

func byName(is indexedService, name string) int { return strings.Compare(is.name, name) }

func (ix *serviceIndex) add(svc *api.Service) {
	if len(svc.Spec.Selector) == 0 {
		return
	}
	byKey := ix.byNS[svc.Namespace]
	if byKey == nil {
		byKey = make(map[string]map[string][]indexedService)
		ix.byNS[svc.Namespace] = byKey
	}
	k, v := indexTerm(svc.Spec.Selector)
	byValue := byKey[k]
	if byValue == nil {
		byValue = make(map[string][]indexedService)
		byKey[k] = byValue
	}
	if i, found := slices.BinarySearchFunc(byValue[v], svc.Name, byName); !found {
		is := indexedService{name: svc.Name, key: key(svc.Namespace, svc.Name), selector: svc.Spec.Selector}
		byValue[v] = slices.Insert(byValue[v], i, is)
	}
}

func (ix *serviceIndex) remove(svc *api.Service) {
	if len(svc.Spec.Selector) == 0 {
		return
	}
	k, v := indexTerm(svc.Spec.Selector)
	byValue := ix.byNS[svc.Namespace][k]
	if i, found := slices.BinarySearchFunc(byValue[v], svc.Name, byName); found {
		byValue[v] = slices.Delete(byValue[v], i, i+1)
		if len(byValue[v]) == 0 {
			delete(byValue, v)
		}
	}
}

// matching returns the work-queue keys (namespace/name) of the services in
// ns whose selector matches labels, sorted. The index follows the store's
// services through the manager's watch, so it holds their selectors as
// stored.
func (ix *serviceIndex) matching(ns string, labels map[string]string) []string {
	byKey := ix.byNS[ns]
	if byKey == nil || len(labels) == 0 {
		return nil
	}
	var out []string
	for k, v := range labels {
		for _, is := range byKey[k][v] {
			if labelsMatch(is.selector, labels) {
				out = append(out, is.key)
			}
		}
	}
	// Labels come out of a map: sort so that the queue order is
	// deterministic. The keys share their namespace, so they sort by name.
	slices.Sort(out)
	return out
}

// endpointsRelevant reports whether a pod change can change any service's
// endpoints or slices: a pod that never had an address cannot, nor can a
// change that leaves every field the controllers read as it was.
func endpointsRelevant(ev store.Event) bool {
	p := ev.Object.(*api.Pod)
	if ev.Type != store.Modified {
		return p.Status.PodIP.IsValid()
	}
	o := ev.Old.(*api.Pod)
	if !p.Status.PodIP.IsValid() && !o.Status.PodIP.IsValid() {
		return false
	}
	return p.Status.PodIP != o.Status.PodIP || IsPodReady(p) != IsPodReady(o) ||
		(p.DeletionTimestamp == nil) != (o.DeletionTimestamp == nil) || p.Status.Phase != o.Status.Phase ||
		p.Spec.NodeName != o.Spec.NodeName || !maps.Equal(p.Labels, o.Labels) ||
		!slices.Equal(p.Status.PodIPs, o.Status.PodIPs)
}

// servicesOf returns the work-queue keys of the services in the pod's
// namespace whose selector matches the pod now or matched it before the
// change. The store is not needed: see matching.
func (ix *serviceIndex) servicesOf(_ *store.Store, ev store.Event) []string {
	p := ev.Object.(*api.Pod)
	keys := ix.matching(p.Namespace, p.Labels)
	if ev.Old != nil && !maps.Equal(ev.Old.GetObjectMeta().Labels, p.Labels) {
		keys = append(keys, ix.matching(p.Namespace, ev.Old.GetObjectMeta().Labels)...)
		slices.Sort(keys)
		keys = slices.Compact(keys)
	}
	return keys
}

// endpointsController keeps each selector service's Endpoints object equal to
// the pods its selector matches, as the endpoints controller does.
type endpointsController struct {
	m     *Manager
	queue *Queue
}

func newEndpointsController(m *Manager) *endpointsController {
	e := &endpointsController{m: m}
	e.queue = NewQueue(m.loop, m.cfg.Latencies.Endpoints, e.sync)
	return e
}

func (e *endpointsController) onService(ev store.Event) {
	svc := ev.Object.(*api.Service)
	e.queue.Add(key(svc.Namespace, svc.Name))
}

// onPod queues the services a pod change concerns, given by their keys.
func (e *endpointsController) onPod(_ store.Event, services []string) {
	for _, k := range services {
		e.queue.Add(k)
	}
}

// podInEndpoints says whether a pod belongs in a service's endpoints at all:
// it has an IP, has not finished, and is not terminating (unless terminating
// pods are wanted).
func podInEndpoints(p *api.Pod, includeTerminating bool) bool {
	if !p.Status.PodIP.IsValid() || p.Status.Phase == api.PodSucceeded || p.Status.Phase == api.PodFailed {
		return false
	}
	return includeTerminating || p.DeletionTimestamp == nil
}

// portFor resolves a service port's targetPort against a pod's containers: a
// number is used as is, a name is looked up among the container ports of the
// same protocol. ok is false when a named port is missing on the pod.
func portFor(sp api.ServicePort, p *api.Pod) (int32, bool) {
	tp := sp.TargetPort
	if !tp.IsString {
		if tp.IntVal == 0 {
			return sp.Port, true
		}
		return tp.IntVal, true
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			proto := cp.Protocol
			if proto == "" {
				proto = api.ProtocolTCP
			}
			if cp.Name == tp.StrVal && proto == sp.Protocol {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// endpointHostname is the hostname an endpoint gets: the pod's hostname when
// its subdomain names the service, as Kubernetes sets it for headless DNS.
func endpointHostname(p *api.Pod, svc *api.Service) string {
	if p.Spec.Hostname != "" && p.Spec.Subdomain == svc.Name && p.Namespace == svc.Namespace {
		return p.Spec.Hostname
	}
	return ""
}

func (e *endpointsController) sync(k string) {
	ns, name := splitKey(k)
	ref := api.Ref{Kind: api.KindEndpoints, Namespace: ns, Name: name}
	svc, ok := e.m.store.Peek(api.Ref{Kind: api.KindService, Namespace: ns, Name: name}).(*api.Service)
	cur, _ := e.m.store.Peek(ref).(*api.Endpoints)
	if !ok {
		// The service is gone: so are its endpoints.
		if cur != nil {
			e.m.store.Remove(ref)
		}
		return
	}
	if len(svc.Spec.Selector) == 0 {
		return
	}
	subsets := e.subsets(svc)
	labels := maps.Clone(svc.Labels)
	if svc.Spec.ClusterIP == api.ClusterIPNone {
		if labels == nil {
			labels = map[string]string{}
		}
		labels["service.kubernetes.io/headless"] = ""
	}
	if cur == nil {
		ep := &api.Endpoints{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Labels: labels}, Subsets: subsets}
		if _, err := e.m.store.Create(ep); err != nil {
			e.m.trace("endpoint-controller", ref, "failed: "+err.Error())
		}
		return
	}
	if reflect.DeepEqual(cur.Subsets, subsets) && maps.Equal(cur.Labels, labels) {
		return
	}
	// The new version shares its metadata, less the labels and the owner
	// references (see copyOwnerRefs), with cur, which the store never
	// changes in place.
	c := *cur
	c.OwnerReferences = copyOwnerRefs(cur.OwnerReferences)
	c.Subsets = subsets
	c.Labels = labels
	_ = e.m.store.UpdateStatus(&c, "endpoints: "+summarizeEndpoints(subsets))
}

func (e *endpointsController) subsets(svc *api.Service) []api.EndpointSubset {
	pods := e.m.store.PodsWithLabels(svc.Namespace, svc.Spec.Selector)
	type group struct {
		ports    []api.EndpointPort
		ready    []api.EndpointAddress
		notReady []api.EndpointAddress
	}
	var groups []*group
	publish := svc.Spec.PublishNotReadyAddresses
	// What the addresses point to comes from two arrays per sync rather
	// than two allocations per pod; they never grow, so the pointers hold.
	nodes := make([]string, 0, len(pods))
	refs := make([]api.ObjectReference, 0, len(pods))
	var ports []api.EndpointPort // the pod's ports; kept only by a new group
	for i, o := range pods {
		p := o.(*api.Pod)
		if !podInEndpoints(p, publish) {
			continue
		}
		ip, ok := podIPFor(p, svc)
		if !ok {
			continue
		}
		ports = ports[:0]
		for _, sp := range svc.Spec.Ports {
			if n, ok := portFor(sp, p); ok {
				ports = append(ports, api.EndpointPort{Name: sp.Name, Port: n, Protocol: sp.Protocol, AppProtocol: sp.AppProtocol})
			}
		}
		if len(svc.Spec.Ports) > 0 && len(ports) == 0 {
			continue
		}
		slices.SortFunc(ports, func(a, b api.EndpointPort) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol))
		})
		nodes = append(nodes, p.Spec.NodeName)
		refs = append(refs, api.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID})
		addr := api.EndpointAddress{
			IP:        ip,
			Hostname:  endpointHostname(p, svc),
			NodeName:  &nodes[len(nodes)-1],
			TargetRef: &refs[len(refs)-1],
		}
		var g *group
		for _, cand := range groups {
			if endpointPortsEqual(cand.ports, ports) {
				g = cand
				break
			}
		}
		if g == nil {
			g = &group{ports: slices.Clone(ports)}
			groups = append(groups, g)
		}
		if IsPodReady(p) || publish {
			g.ready = appendSized(g.ready, addr, len(pods)-i)
		} else {
			g.notReady = appendSized(g.notReady, addr, len(pods)-i)
		}
	}
	byIP := func(a, b api.EndpointAddress) int { return a.IP.Compare(b.IP) }
	var out []api.EndpointSubset
	for _, g := range groups {
		slices.SortFunc(g.ready, byIP)
		slices.SortFunc(g.notReady, byIP)
		out = append(out, api.EndpointSubset{Addresses: g.ready, NotReadyAddresses: g.notReady, Ports: g.ports})
	}
	return out
}

// appendSized appends v to list, making a new list room enough for left
// values, the most it can still be given: growing one at a time would copy
// it several times over and could keep twice the room it needs.
func appendSized[T any](list []T, v T, left int) []T {
	if list == nil {
		list = make([]T, 0, left)
	}
	return append(list, v)
}

// endpointPortsEqual is reflect.DeepEqual for port lists, without the
// reflection: nil differs from empty, and appProtocols compare by value.
func endpointPortsEqual(a, b []api.EndpointPort) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.Port != y.Port || x.Protocol != y.Protocol ||
			(x.AppProtocol == nil) != (y.AppProtocol == nil) ||
			(x.AppProtocol != nil && *x.AppProtocol != *y.AppProtocol) {
			return false
		}
	}
	return true
}

// podIPFor picks the pod address of the service's primary family, as the
// endpoints controller does; ok is false when the pod has none.
func podIPFor(p *api.Pod, svc *api.Service) (netip.Addr, bool) {
	want := api.IPv4
	if len(svc.Spec.IPFamilies) > 0 {
		want = svc.Spec.IPFamilies[0]
	}
	for _, ip := range p.Status.PodIPs {
		if (want == api.IPv4) == ip.IP.Is4() {
			return ip.IP, true
		}
	}
	if len(p.Status.PodIPs) == 0 && p.Status.PodIP.IsValid() && (want == api.IPv4) == p.Status.PodIP.Is4() {
		return p.Status.PodIP, true
	}
	return netip.Addr{}, false
}

// summarizeEndpoints renders ready addresses for the trace as kubectl's
// ENDPOINTS column shows them: the first three, then how many more, so that a
// service with thousands of endpoints costs a short line.
func summarizeEndpoints(subsets []api.EndpointSubset) string {
	const shown = 3
	var b strings.Builder
	n := 0
	for _, ss := range subsets {
		ports := max(len(ss.Ports), 1)
		for _, a := range ss.Addresses {
			for i := range ports {
				if n < shown {
					if n > 0 {
						b.WriteByte(',')
					}
					b.WriteString(a.IP.String())
					if len(ss.Ports) > 0 {
						b.WriteByte(':')
						b.WriteString(itoa32(ss.Ports[i].Port))
					}
				}
				n++
			}
		}
	}
	switch {
	case n == 0:
		return "<none>"
	case n > shown:
		b.WriteString(" + " + strconv.Itoa(n-shown) + " more...")
	}
	return b.String()
}

// FormatEndpoints renders ready addresses as kubectl's ENDPOINTS column does
// before truncation: "10.1.0.5:80,10.1.0.6:80", or "<none>".
func FormatEndpoints(subsets []api.EndpointSubset) string {
	var b strings.Builder
	for _, ss := range subsets {
		for _, a := range ss.Addresses {
			if len(ss.Ports) == 0 {
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.WriteString(a.IP.String())
				continue
			}
			for _, p := range ss.Ports {
				if b.Len() > 0 {
					b.WriteByte(',')
				}
				b.WriteString(a.IP.String())
				b.WriteByte(':')
				b.WriteString(itoa32(p.Port))
			}
		}
	}
	if b.Len() == 0 {
		return "<none>"
	}
	return b.String()
}
