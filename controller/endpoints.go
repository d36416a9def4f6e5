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
	byNS map[string]map[string]map[string][]string // namespace -> key -> value -> names (sorted)
}

func newServiceIndex() *serviceIndex {
	return &serviceIndex{byNS: make(map[string]map[string]map[string][]string)}
}

func indexTerm(sel map[string]string) (string, string) {
	k := slices.Min(slices.Collect(maps.Keys(sel)))
	return k, sel[k]
}

func (ix *serviceIndex) add(svc *api.Service) {
	if len(svc.Spec.Selector) == 0 {
		return
	}
	byKey := ix.byNS[svc.Namespace]
	if byKey == nil {
		byKey = make(map[string]map[string][]string)
		ix.byNS[svc.Namespace] = byKey
	}
	k, v := indexTerm(svc.Spec.Selector)
	byValue := byKey[k]
	if byValue == nil {
		byValue = make(map[string][]string)
		byKey[k] = byValue
	}
	if i, found := slices.BinarySearch(byValue[v], svc.Name); !found {
		byValue[v] = slices.Insert(byValue[v], i, svc.Name)
	}
}

func (ix *serviceIndex) remove(svc *api.Service) {
	if len(svc.Spec.Selector) == 0 {
		return
	}
	k, v := indexTerm(svc.Spec.Selector)
	byValue := ix.byNS[svc.Namespace][k]
	if i, found := slices.BinarySearch(byValue[v], svc.Name); found {
		byValue[v] = slices.Delete(byValue[v], i, i+1)
		if len(byValue[v]) == 0 {
			delete(byValue, v)
		}
	}
}

// matching returns the names of the services in ns whose selector matches
// labels, sorted.
func (ix *serviceIndex) matching(st *store.Store, ns string, labels map[string]string) []string {
	byKey := ix.byNS[ns]
	if byKey == nil || len(labels) == 0 {
		return nil
	}
	var out []string
	for k, v := range labels {
		for _, name := range byKey[k][v] {
			svc, ok := st.Peek(api.Ref{Kind: api.KindService, Namespace: ns, Name: name}).(*api.Service)
			if ok && labelsMatch(svc.Spec.Selector, labels) {
				out = append(out, name)
			}
		}
	}
	// Labels come out of a map: sort so that the queue order is deterministic.
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

// servicesOf returns the services in the pod's namespace whose selector
// matches the pod now or matched it before the change.
func (ix *serviceIndex) servicesOf(st *store.Store, ev store.Event) []string {
	p := ev.Object.(*api.Pod)
	names := ix.matching(st, p.Namespace, p.Labels)
	if ev.Old != nil && !maps.Equal(ev.Old.GetObjectMeta().Labels, p.Labels) {
		names = append(names, ix.matching(st, p.Namespace, ev.Old.GetObjectMeta().Labels)...)
		slices.Sort(names)
		names = slices.Compact(names)
	}
	return names
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

func (e *endpointsController) onPod(ev store.Event, services []string) {
	ns := ev.Object.GetObjectMeta().Namespace
	for _, name := range services {
		e.queue.Add(key(ns, name))
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
	c := cur.DeepCopy()
	c.Subsets = subsets
	c.Labels = labels
	_ = e.m.store.UpdateStatus(c, "endpoints: "+summarizeEndpoints(subsets))
}

func (e *endpointsController) subsets(svc *api.Service) []api.EndpointSubset {
	pods := e.m.store.List(api.KindPod, svc.Namespace, api.SelectorFromSet(svc.Spec.Selector))
	type group struct {
		ports    []api.EndpointPort
		ready    []api.EndpointAddress
		notReady []api.EndpointAddress
	}
	var groups []*group
	publish := svc.Spec.PublishNotReadyAddresses
	for _, o := range pods {
		p := o.(*api.Pod)
		if !podInEndpoints(p, publish) {
			continue
		}
		ip, ok := podIPFor(p, svc)
		if !ok {
			continue
		}
		node := p.Spec.NodeName
		addr := api.EndpointAddress{
			IP:        ip,
			Hostname:  endpointHostname(p, svc),
			NodeName:  &node,
			TargetRef: &api.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name, UID: p.UID},
		}
		var ports []api.EndpointPort
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
		var g *group
		for _, cand := range groups {
			if reflect.DeepEqual(cand.ports, ports) {
				g = cand
				break
			}
		}
		if g == nil {
			g = &group{ports: ports}
			groups = append(groups, g)
		}
		if IsPodReady(p) || publish {
			g.ready = append(g.ready, addr)
		} else {
			g.notReady = append(g.notReady, addr)
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
