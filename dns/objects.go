package dns

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// The slim copies below keep only what answers depend on, in the manner of
// CoreDNS's plugin/kubernetes/object package. They are immutable once built:
// an update replaces the whole value.

type nsKey struct{ ns, name string }

type portInfo struct {
	name  string
	proto string // "TCP", "UDP", "SCTP"; "" only on slice ports without one
	port  int32  // -1: the sentinel for a slice without ports
}

type service struct {
	ns, name     string
	externalName string // ExternalName services only
	external     bool
	headless     bool
	clusterIPs   []netip.Addr // headless and ExternalName services have none
	ports        []portInfo

	// answers caches prebuilt answers that depend on this service alone
	// (see rebuildService). Only rebuildService reads and writes it, under
	// the write lock; queries never look at it.
	answers *svcAnswers
}

// svcAnswers are the prebuilt answers of a service's own name and of the
// _port._proto names of its own ports, in the order of its ports.
type svcAnswers struct {
	name  *entry
	ports []*entry
}

func newService(s *api.Service) *service {
	o := &service{ns: s.Namespace, name: s.Name}
	if s.Spec.Type == api.ServiceTypeExternalName {
		o.external = true
		o.externalName = s.Spec.ExternalName
	}
	ips := s.Spec.ClusterIPs
	if len(ips) == 0 {
		ips = []string{s.Spec.ClusterIP}
	}
	if !o.external && ips[0] == api.ClusterIPNone {
		o.headless = true
	}
	if !o.external && !o.headless {
		for _, ip := range ips {
			a, err := netip.ParseAddr(ip)
			if err != nil || a.Zone() != "" {
				continue // not allocated yet, or not an address
			}
			o.clusterIPs = append(o.clusterIPs, a.Unmap())
		}
	}
	for _, p := range s.Spec.Ports {
		proto := string(p.Protocol)
		if proto == "" {
			proto = string(api.ProtocolTCP)
		}
		o.ports = append(o.ports, portInfo{name: p.Name, proto: proto, port: p.Port})
	}
	return o
}

type epAddr struct {
	ip       netip.Addr
	hostname string
	podName  string // targetRef name, kept only when shorter than 64 bytes
}

type slice struct {
	ns, name string
	service  string // the kubernetes.io/service-name label
	ports    []portInfo
	addrs    []epAddr // ready addresses only, in slice order
}

func newSlice(es *api.EndpointSlice) *slice {
	o := &slice{ns: es.Namespace, name: es.Name, service: es.Labels[api.LabelServiceName]}
	if len(es.Ports) == 0 {
		o.ports = []portInfo{{port: -1}}
	}
	for _, p := range es.Ports {
		pi := portInfo{port: -1}
		if p.Port != nil {
			pi.port = *p.Port
		}
		pi.name = p.PortName()
		if p.Protocol != nil {
			pi.proto = string(*p.Protocol)
		}
		o.ports = append(o.ports, pi)
	}
	if es.AddressType == api.AddressTypeFQDN {
		return o
	}
	for _, e := range es.Endpoints {
		if !e.Conditions.IsReady() {
			continue
		}
		for _, a := range e.Addresses {
			if !a.IsValid() {
				continue
			}
			ea := epAddr{ip: a.Unmap()}
			if e.Hostname != nil {
				ea.hostname = *e.Hostname
			}
			if e.TargetRef != nil && len(e.TargetRef.Name) < 64 {
				ea.podName = e.TargetRef.Name
			}
			o.addrs = append(o.addrs, ea)
		}
	}
	return o
}

// equal reports whether o and p hold the same slice: the same name, service,
// ports and ready addresses, so that every answer built from one would come
// out the same from the other.
func (o *slice) equal(p *slice) bool {
	return o.ns == p.ns && o.name == p.name && o.service == p.service &&
		slices.Equal(o.ports, p.ports) && slices.Equal(o.addrs, p.addrs)
}

// hostname is CoreDNS's endpointHostname: the endpoint's hostname, else its
// pod's name under endpoint_pod_names, else the dashed address.
func (a epAddr) name(podNames bool) string {
	if a.hostname != "" {
		return a.hostname
	}
	if podNames && a.podName != "" {
		return a.podName
	}
	return dashedIP(a.ip)
}

// appendName appends a.name(podNames) to b.
func (a epAddr) appendName(b []byte, podNames bool) []byte {
	if a.hostname != "" {
		return append(b, a.hostname...)
	}
	if podNames && a.podName != "" {
		return append(b, a.podName...)
	}
	return appendDashedIP(b, a.ip)
}

type pod struct {
	ns, name string
	ip       netip.Addr // status.podIP; CoreDNS indexes the primary address only
	ipText   string     // status.podIP as the API spells it
	running  bool
}

func newPod(p *api.Pod) *pod {
	o := &pod{ns: p.Namespace, name: p.Name, running: p.Status.Phase == api.PodRunning}
	if p.Status.PodIP.IsValid() {
		o.ip = p.Status.PodIP.Unmap()
		o.ipText = p.Status.PodIP.String()
	}
	return o
}

func matchFold(a, b string) bool { return strings.EqualFold(a, b) }

// matchPortProto is CoreDNS's matchPortAndProtocol: an empty query label
// matches anything.
func matchPortProto(qPort, port, qProto, proto string) bool {
	return (qPort == "" || matchFold(qPort, port)) && (qProto == "" || matchFold(qProto, proto))
}
