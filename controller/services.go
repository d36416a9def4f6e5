package controller

import (
	"net/netip"
	"reflect"
	"strconv"

	"github.com/kubesim/kubesim/api"
)

func itoa32(i int32) string { return strconv.Itoa(int(i)) }

// syncLoadBalancer gives a LoadBalancer service its ingress as the platform's
// load-balancer controller would: spec.loadBalancerIP when set, an ingress the
// manifest already carried, or the platform's rule (Docker Desktop's hostname,
// k3s's node IPs, nothing on kind).
func (m *Manager) syncLoadBalancer(k string) {
	ns, name := splitKey(k)
	svc, ok := m.store.Peek(api.Ref{Kind: api.KindService, Namespace: ns, Name: name}).(*api.Service)
	if !ok || svc.Spec.Type != api.ServiceTypeLoadBalancer {
		return
	}
	var ingress []api.LoadBalancerIngress
	switch {
	case svc.Spec.LoadBalancerIP != "":
		if ip, err := netip.ParseAddr(svc.Spec.LoadBalancerIP); err == nil {
			ingress = []api.LoadBalancerIngress{{IP: ip}}
		}
	case len(svc.Status.LoadBalancer.Ingress) > 0 && !m.lbSet[key(ns, name)]:
		// A manifest brought its ingress, as a cloud controller had set it.
		return
	case m.cfg.LoadBalancer == LoadBalancerHostname:
		ingress = []api.LoadBalancerIngress{{Hostname: m.cfg.Hostname}}
	case m.cfg.LoadBalancer == LoadBalancerNodeIP:
		for _, o := range m.store.List(api.KindNode, "", api.Everything()) {
			if ip := NodeInternalIP(o.(*api.Node)); ip.IsValid() {
				ingress = append(ingress, api.LoadBalancerIngress{IP: ip})
			}
		}
	}
	if len(ingress) == 0 || reflect.DeepEqual(ingress, svc.Status.LoadBalancer.Ingress) {
		return
	}
	m.lbSet[key(ns, name)] = true
	c := svc.DeepCopy()
	c.Status.LoadBalancer.Ingress = ingress
	what := ingress[0].Hostname
	if what == "" {
		what = ingress[0].IP.String()
	}
	_ = m.store.UpdateStatus(c, "load balancer ingress "+what)
}

// KubernetesService is the `default/kubernetes` service the API server keeps:
// the first address of the primary service range, port 443 to the API server.
func KubernetesService(clusterIP netip.Addr) *api.Service {
	return &api.Service{
		ObjectMeta: api.ObjectMeta{
			Name: "kubernetes", Namespace: "default",
			Labels: map[string]string{"component": "apiserver", "provider": "kubernetes"},
		},
		Spec: api.ServiceSpec{
			Type:      api.ServiceTypeClusterIP,
			ClusterIP: clusterIP.String(),
			Ports:     []api.ServicePort{{Name: "https", Port: 443, Protocol: api.ProtocolTCP, TargetPort: api.FromInt(6443)}},
		},
	}
}

// SetKubernetesServiceIP tells the manager which address `default/kubernetes`
// lives at, so it can recreate the service when it is deleted.
func (m *Manager) SetKubernetesServiceIP(ip netip.Addr) { m.kubernetesIP = ip }

// syncKubernetesService recreates `default/kubernetes` and writes its
// endpoints (the control-plane nodes' addresses), as the API server's
// reconcilers do.
func (m *Manager) syncKubernetesService(string) {
	ref := api.Ref{Kind: api.KindService, Namespace: "default", Name: "kubernetes"}
	if m.store.Peek(ref) == nil && m.kubernetesIP.IsValid() {
		if _, err := m.store.Create(KubernetesService(m.kubernetesIP)); err != nil {
			m.trace("kube-apiserver", ref, "failed to recreate: "+err.Error())
			return
		}
	}
	m.ReconcileAPIEndpoints()
}

// ReconcileAPIEndpoints writes `default/kubernetes`'s Endpoints and its
// EndpointSlice from the control-plane node (the first node by name, or one
// labelled node-role.kubernetes.io/control-plane).
func (m *Manager) ReconcileAPIEndpoints() {
	var ips []netip.Addr
	var first netip.Addr
	for _, o := range m.store.List(api.KindNode, "", api.Everything()) {
		n := o.(*api.Node)
		ip := NodeInternalIP(n)
		if !ip.IsValid() {
			continue
		}
		if !first.IsValid() {
			first = ip
		}
		if _, cp := n.Labels["node-role.kubernetes.io/control-plane"]; cp {
			ips = append(ips, ip)
		}
	}
	if len(ips) == 0 && first.IsValid() {
		ips = []netip.Addr{first}
	}
	port := m.cfg.APIServerPort
	var addrs []api.EndpointAddress
	var eps []api.Endpoint
	for _, ip := range ips {
		addrs = append(addrs, api.EndpointAddress{IP: ip})
		yes := true
		eps = append(eps, api.Endpoint{Addresses: []netip.Addr{ip}, Conditions: api.EndpointConditions{Ready: &yes}})
	}
	ep := &api.Endpoints{
		ObjectMeta: api.ObjectMeta{Name: "kubernetes", Namespace: "default", Labels: map[string]string{LabelSkipMirror: "true"}},
	}
	if len(addrs) > 0 {
		ep.Subsets = []api.EndpointSubset{{Addresses: addrs, Ports: []api.EndpointPort{{Name: "https", Port: port, Protocol: api.ProtocolTCP}}}}
	}
	sl := &api.EndpointSlice{
		ObjectMeta: api.ObjectMeta{Name: "kubernetes", Namespace: "default",
			Labels: map[string]string{api.LabelServiceName: "kubernetes"}},
		AddressType: api.AddressTypeIPv4,
		Endpoints:   eps,
		Ports:       []api.EndpointSlicePort{slicePort("https", port, api.ProtocolTCP, nil)},
	}
	m.put(ep)
	m.put(sl)
}

// put creates obj or, when it exists with other content, replaces its content.
func (m *Manager) put(obj api.Object) {
	cur := m.store.Peek(api.RefOf(obj))
	if cur == nil {
		if _, err := m.store.Create(obj); err != nil {
			m.trace("kube-apiserver", api.RefOf(obj), "failed: "+err.Error())
		}
		return
	}
	c := obj.DeepCopyObject()
	*c.GetObjectMeta() = *cur.GetObjectMeta().DeepCopy()
	c.GetObjectMeta().Labels = obj.GetObjectMeta().Labels
	*c.GetTypeMeta() = *cur.GetTypeMeta()
	_ = m.store.UpdateStatus(c, "reconciled")
}
