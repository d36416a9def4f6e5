package proxy

// Test fixtures, following kube-proxy's proxier tests' IP plan:
//
//	pod network (cluster CIDR)      10.0.0.0/8    pods 10.180.0.x on node1, 10.180.1.x on node2
//	service CIDR                    172.30.0.0/16
//	node1 (the node under test)     192.168.0.2 (InternalIP, primary), 192.168.1.2 (ExternalIP)
//	node2                           192.168.0.3
//	external IPs                    192.168.99.x
//	load-balancer IPs               1.2.3.4, 5.6.7.8, 9.10.11.12
//	outside client                  203.0.113.2; source range 203.0.113.0/25, so
//	                                203.0.113.130 is a blocked client

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

type svcOpt func(*api.Service)

// mkSvc builds a Service "ns/name" with a cluster IP.
func mkSvc(nsName, clusterIP string, opts ...svcOpt) *api.Service {
	ns, name, _ := strings.Cut(nsName, "/")
	s := &api.Service{}
	s.Namespace, s.Name = ns, name
	s.Spec.Type = api.ServiceTypeClusterIP
	s.Spec.ClusterIP = clusterIP
	if clusterIP != "" {
		s.Spec.ClusterIPs = []string{clusterIP}
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func withPort(name string, proto api.Protocol, port, nodePort int32) svcOpt {
	return func(s *api.Service) {
		s.Spec.Ports = append(s.Spec.Ports, api.ServicePort{Name: name, Protocol: proto, Port: port, NodePort: nodePort, TargetPort: api.FromInt(port)})
	}
}

func withType(t api.ServiceType) svcOpt { return func(s *api.Service) { s.Spec.Type = t } }

func withETPLocal(hc int32) svcOpt {
	return func(s *api.Service) {
		s.Spec.ExternalTrafficPolicy = api.TrafficPolicyLocal
		s.Spec.HealthCheckNodePort = hc
	}
}

func withITPLocal() svcOpt {
	return func(s *api.Service) { s.Spec.InternalTrafficPolicy = ptr(api.TrafficPolicyLocal) }
}

func withExternalIPs(ips ...string) svcOpt {
	return func(s *api.Service) { s.Spec.ExternalIPs = ips }
}

func withLB(ips ...string) svcOpt {
	return func(s *api.Service) {
		for _, ip := range ips {
			s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, api.LoadBalancerIngress{IP: netip.MustParseAddr(ip)})
		}
	}
}

func withLBProxyMode(ip string) svcOpt {
	return func(s *api.Service) {
		s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress,
			api.LoadBalancerIngress{IP: netip.MustParseAddr(ip), IPMode: ptr(api.LoadBalancerIPModeProxy)})
	}
}

func withSourceRanges(r ...string) svcOpt {
	return func(s *api.Service) { s.Spec.LoadBalancerSourceRanges = r }
}

func withAffinity(seconds int32) svcOpt {
	return func(s *api.Service) {
		s.Spec.SessionAffinity = api.SessionAffinityClientIP
		if seconds > 0 {
			s.Spec.SessionAffinityConfig = &api.SessionAffinityConfig{ClientIP: &api.ClientIPConfig{TimeoutSeconds: ptr(seconds)}}
		}
	}
}

// epSpec describes one endpoint of a slice.
type epSpec struct {
	ip                          string
	node                        string
	ready, serving, terminating bool
	zones, hintNodes            []string
}

func ep(ip, node string) epSpec { return epSpec{ip: ip, node: node, ready: true, serving: true} }

// terminatingEP is a terminating endpoint, serving or not.
func terminatingEP(ip, node string, serving bool) epSpec {
	return epSpec{ip: ip, node: node, serving: serving, terminating: true}
}

func notReadyEP(ip, node string) epSpec { return epSpec{ip: ip, node: node} }

func (e epSpec) zone(z ...string) epSpec     { e.zones = z; return e }
func (e epSpec) forNodes(n ...string) epSpec { e.hintNodes = n; return e }

type slicePortSpec struct {
	name  string
	proto api.Protocol
	port  int32
}

func sp(name string, proto api.Protocol, port int32) slicePortSpec {
	return slicePortSpec{name, proto, port}
}

// mkSlice builds an EndpointSlice "ns/slice" for service svc.
func mkSlice(nsName, svc string, ports []slicePortSpec, eps ...epSpec) *api.EndpointSlice {
	ns, name, _ := strings.Cut(nsName, "/")
	es := &api.EndpointSlice{}
	es.Namespace, es.Name = ns, name
	es.Labels = map[string]string{api.LabelServiceName: svc}
	es.AddressType = api.AddressTypeIPv4
	for _, p := range ports {
		es.Ports = append(es.Ports, api.EndpointSlicePort{Name: ptr(p.name), Protocol: ptr(p.proto), Port: ptr(p.port)})
	}
	for _, e := range eps {
		a := netip.MustParseAddr(e.ip)
		if a.Is6() {
			es.AddressType = api.AddressTypeIPv6
		}
		x := api.Endpoint{Addresses: []netip.Addr{a}}
		x.Conditions.Ready = ptr(e.ready)
		x.Conditions.Serving = ptr(e.serving)
		x.Conditions.Terminating = ptr(e.terminating)
		if e.node != "" {
			x.NodeName = ptr(e.node)
		}
		if len(e.zones) > 0 || len(e.hintNodes) > 0 {
			x.Hints = &api.EndpointHints{}
			for _, z := range e.zones {
				x.Hints.ForZones = append(x.Hints.ForZones, api.ForZone{Name: z})
			}
			for _, n := range e.hintNodes {
				x.Hints.ForNodes = append(x.Hints.ForNodes, api.ForNode{Name: n})
			}
		}
		es.Endpoints = append(es.Endpoints, x)
	}
	return es
}

func mkNode(name, zone string, addrs ...string) *api.Node {
	n := &api.Node{}
	n.Name = name
	if zone != "" {
		n.Labels = map[string]string{"topology.kubernetes.io/zone": zone}
	}
	for i, a := range addrs {
		t := api.NodeInternalIP
		if i > 0 {
			t = api.NodeExternalIP
		}
		n.Status.Addresses = append(n.Status.Addresses, api.NodeAddress{Type: t, Address: a})
	}
	return n
}

// baseConfig is the kube-proxy test harness's configuration.
func baseConfig(m Mode) Config {
	return Config{
		Mode:         m,
		ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
		ServiceCIDRs: []netip.Prefix{netip.MustParsePrefix("172.30.0.0/16")},
	}
}

// newTestProxy returns a proxy with node1 and node2 registered.
func newTestProxy(t testing.TB, cfg Config) (*Proxy, *sim.Loop) {
	t.Helper()
	loop := sim.New(t0, 1)
	p, err := New(loop, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.UpsertNode(mkNode("node1", "zone-a", "192.168.0.2", "192.168.1.2"))
	p.UpsertNode(mkNode("node2", "zone-b", "192.168.0.3"))
	return p, loop
}

var tcp80 = []slicePortSpec{sp("p80", api.ProtocolTCP, 80)}

// loadFixture installs the services used by the packet-flow tests, then
// syncs every node.
func loadFixture(p *Proxy) {
	// ns1/svc1: plain ClusterIP, two endpoints on different nodes.
	p.UpsertService(mkSvc("ns1/svc1", "172.30.0.41", withPort("p80", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns1/svc1-abc", "svc1", tcp80, ep("10.180.0.1", "node1"), ep("10.180.1.1", "node2")))

	// ns2/svc2: LoadBalancer, externalTrafficPolicy Local, external IP,
	// health-check node port; one endpoint on each node.
	p.UpsertService(mkSvc("ns2/svc2", "172.30.0.42", withType(api.ServiceTypeLoadBalancer),
		withPort("p80", api.ProtocolTCP, 80, 3001), withETPLocal(30000),
		withExternalIPs("192.168.99.22"), withLB("1.2.3.4")))
	p.UpsertEndpointSlice(mkSlice("ns2/svc2-abc", "svc2", tcp80, ep("10.180.0.2", "node1"), ep("10.180.1.2", "node2")))

	// ns3/svc3: NodePort, endpoint only on node2.
	p.UpsertService(mkSvc("ns3/svc3", "172.30.0.43", withType(api.ServiceTypeNodePort), withPort("p80", api.ProtocolTCP, 80, 3003)))
	p.UpsertEndpointSlice(mkSlice("ns3/svc3-abc", "svc3", tcp80, ep("10.180.1.3", "node2")))

	// ns4/svc4: external IP, no endpoints.
	p.UpsertService(mkSvc("ns4/svc4", "172.30.0.44", withExternalIPs("192.168.99.33"), withPort("p80", api.ProtocolTCP, 80, 0)))

	// ns5/svc5: LoadBalancer with source ranges and ClientIP affinity.
	p.UpsertService(mkSvc("ns5/svc5", "172.30.0.45", withType(api.ServiceTypeLoadBalancer),
		withPort("p80", api.ProtocolTCP, 80, 3002), withLB("5.6.7.8"), withSourceRanges(" 203.0.113.0/25 "), withAffinity(0)))
	p.UpsertEndpointSlice(mkSlice("ns5/svc5-abc", "svc5", tcp80, ep("10.180.1.5", "node2")))

	// ns6/svc6: internalTrafficPolicy Local, endpoints only on node2.
	p.UpsertService(mkSvc("ns6/svc6", "172.30.0.46", withITPLocal(), withPort("p80", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns6/svc6-abc", "svc6", tcp80, ep("10.180.1.6", "node2")))

	// ns7/svc7: eTP Local NodePort with no endpoint on node1.
	p.UpsertService(mkSvc("ns7/svc7", "172.30.0.47", withType(api.ServiceTypeNodePort),
		withPort("p80", api.ProtocolTCP, 80, 3007), withETPLocal(0)))
	p.UpsertEndpointSlice(mkSlice("ns7/svc7-abc", "svc7", tcp80, ep("10.180.1.7", "node2")))

	// ns8/svc8: only terminating endpoints: serving ones are used (KEP-1669).
	p.UpsertService(mkSvc("ns8/svc8", "172.30.0.48", withPort("p80", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns8/svc8-abc", "svc8", tcp80,
		terminatingEP("10.180.0.8", "node1", true), terminatingEP("10.180.1.8", "node2", false), notReadyEP("10.180.1.9", "node2")))

	// ns9/svc9: UDP and TCP on port 53 (kube-dns style).
	p.UpsertService(mkSvc("ns9/svc9", "172.30.0.49", withPort("dns", api.ProtocolUDP, 53, 0), withPort("dns-tcp", api.ProtocolTCP, 53, 0)))
	p.UpsertEndpointSlice(mkSlice("ns9/svc9-abc", "svc9",
		[]slicePortSpec{sp("dns", api.ProtocolUDP, 53), sp("dns-tcp", api.ProtocolTCP, 53)}, ep("10.180.0.9", "node1")))

	// ns10/headless and ns10/extname are not proxied.
	p.UpsertService(mkSvc("ns10/headless", "None", withPort("p80", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns10/headless-abc", "headless", tcp80, ep("10.180.0.10", "node1")))
	ext := mkSvc("ns10/extname", "", withType(api.ServiceTypeExternalName), withPort("p80", api.ProtocolTCP, 80, 0))
	ext.Spec.ExternalName = "example.com"
	p.UpsertService(ext)

	// ns11/svc11: zone hints; node1 is in zone-a.
	p.UpsertService(mkSvc("ns11/svc11", "172.30.0.51", withPort("p80", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns11/svc11-abc", "svc11", tcp80,
		ep("10.180.0.11", "node1").zone("zone-a"), ep("10.180.1.11", "node2").zone("zone-b"), ep("10.180.1.12", "node2").zone("zone-a")))

	// ns12/svc12: LoadBalancer ipMode Proxy is not programmed.
	p.UpsertService(mkSvc("ns12/svc12", "172.30.0.52", withType(api.ServiceTypeLoadBalancer),
		withPort("p80", api.ProtocolTCP, 80, 3012), withLBProxyMode("9.10.11.12")))
	p.UpsertEndpointSlice(mkSlice("ns12/svc12-abc", "svc12", tcp80, ep("10.180.1.12", "node2")))

	p.SyncAll()
}
