package dns

import (
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
)

// Shared fixtures, in the manner of CoreDNS's APIConnServeTest: one fake
// cluster every table test reads.

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func fixedClock() time.Time { return epoch }

func ptr[T any](v T) *T { return &v }

func ns(name string) *api.Namespace {
	n := &api.Namespace{}
	n.Name = name
	return n
}

type portSpec struct {
	name  string
	proto api.Protocol
	port  int32
}

func svcClusterIP(nsName, name string, ips []string, ports ...portSpec) *api.Service {
	s := &api.Service{}
	s.Namespace, s.Name = nsName, name
	s.Spec.Type = api.ServiceTypeClusterIP
	s.Spec.ClusterIP = ips[0]
	s.Spec.ClusterIPs = ips
	for _, p := range ports {
		s.Spec.Ports = append(s.Spec.Ports, api.ServicePort{Name: p.name, Protocol: p.proto, Port: p.port})
	}
	return s
}

func svcHeadless(nsName, name string, ports ...portSpec) *api.Service {
	s := svcClusterIP(nsName, name, []string{"None"}, ports...)
	return s
}

func svcExternal(nsName, name, target string) *api.Service {
	s := &api.Service{}
	s.Namespace, s.Name = nsName, name
	s.Spec.Type = api.ServiceTypeExternalName
	s.Spec.ExternalName = target
	return s
}

type epSpec struct {
	ip       string
	hostname string
	pod      string
	notReady bool
}

func epSlice(nsName, name, service string, ports []portSpec, eps ...epSpec) *api.EndpointSlice {
	es := &api.EndpointSlice{}
	es.Namespace, es.Name = nsName, name
	es.Labels = map[string]string{api.LabelServiceName: service}
	es.AddressType = api.AddressTypeIPv4
	for _, p := range ports {
		es.Ports = append(es.Ports, api.EndpointSlicePort{Name: ptr(p.name), Protocol: ptr(p.proto), Port: ptr(p.port)})
	}
	for _, e := range eps {
		ep := api.Endpoint{Addresses: []netip.Addr{netip.MustParseAddr(e.ip)}}
		if e.hostname != "" {
			ep.Hostname = ptr(e.hostname)
		}
		if e.pod != "" {
			ep.TargetRef = &api.ObjectReference{Kind: "Pod", Namespace: nsName, Name: e.pod}
		}
		if e.notReady {
			ep.Conditions.Ready = ptr(false)
		}
		es.Endpoints = append(es.Endpoints, ep)
	}
	return es
}

func podObj(nsName, name, ip string, phase api.PodPhase) *api.Pod {
	p := &api.Pod{}
	p.Namespace, p.Name = nsName, name
	p.Status.Phase = phase
	if ip != "" {
		p.Status.PodIP = netip.MustParseAddr(ip)
	}
	p.Spec.Containers = []api.Container{{Name: "main", Image: "debian"}}
	return p
}

var (
	tcpHTTP = portSpec{"http", api.ProtocolTCP, 80}
	tcp443  = portSpec{"https", api.ProtocolTCP, 443}
	udpDNS  = portSpec{"dns", api.ProtocolUDP, 53}
	tcpDNS  = portSpec{"dns-tcp", api.ProtocolTCP, 53}
	metrics = portSpec{"metrics", api.ProtocolTCP, 9153}
)

// loadCluster fills s with the shared fake cluster.
//
//	namespaces: default kube-system testns other
//	default/kubernetes        ClusterIP 10.96.0.1 https/443
//	kube-system/kube-dns      ClusterIP 10.96.0.10 dns/53/UDP dns-tcp/53 metrics/9153, endpoints 10.1.0.2 10.1.0.3
//	testns/svc1               ClusterIP 10.0.0.1 http/80, endpoints 172.0.0.1 (hostname ep1a), 172.0.0.9 not ready
//	testns/svcempty           ClusterIP 10.0.0.2 http/80, no endpoints
//	testns/svc6               ClusterIP 1234:abcd::1 http/80
//	testns/dual               ClusterIP 10.0.0.3, fd00::3 http/80
//	testns/hdls1              headless http/80: 172.0.0.2 172.0.0.3 (pod hdls1-a), 5678:abcd::1 5678:abcd::2 (second slice), dup-name 172.0.0.4 172.0.0.5
//	testns/hdlsprtls          headless, no ports: 172.0.0.20
//	testns/hdlsempty          headless, no ready endpoints: 172.0.0.30 not ready
//	testns/external           ExternalName ext.interwebs.test
//	testns/external-to-service ExternalName svc1.testns.svc.cluster.local
//	testns/external-ip        ExternalName 1.2.3.4
//	testns/dangling           ExternalName nowhere.example
//	testns/web-0-sub          headless, pod web-0 with hostname web-0: 10.1.1.10
//	other/svc1                ClusterIP 10.0.1.1 http/80
func loadCluster(s *Server) {
	for _, n := range []string{"default", "kube-system", "testns", "other"} {
		s.UpsertNamespace(ns(n))
	}
	s.UpsertService(svcClusterIP("default", "kubernetes", []string{"10.96.0.1"}, tcp443))
	s.UpsertService(svcClusterIP("kube-system", "kube-dns", []string{"10.96.0.10"}, udpDNS, tcpDNS, metrics))
	s.UpsertEndpointSlice(epSlice("kube-system", "kube-dns-abc", "kube-dns", []portSpec{udpDNS, tcpDNS, metrics},
		epSpec{ip: "10.1.0.2", pod: "coredns-1"}, epSpec{ip: "10.1.0.3", pod: "coredns-2"}))
	s.UpsertService(svcClusterIP("testns", "svc1", []string{"10.0.0.1"}, tcpHTTP))
	s.UpsertEndpointSlice(epSlice("testns", "svc1-abc", "svc1", []portSpec{tcpHTTP},
		epSpec{ip: "172.0.0.1", hostname: "ep1a"}, epSpec{ip: "172.0.0.9", notReady: true}))
	s.UpsertService(svcClusterIP("testns", "svcempty", []string{"10.0.0.2"}, tcpHTTP))
	s.UpsertService(svcClusterIP("testns", "svc6", []string{"1234:abcd::1"}, tcpHTTP))
	s.UpsertService(svcClusterIP("testns", "dual", []string{"10.0.0.3", "fd00::3"}, tcpHTTP))
	s.UpsertService(svcHeadless("testns", "hdls1", tcpHTTP))
	s.UpsertEndpointSlice(epSlice("testns", "hdls1-a", "hdls1", []portSpec{tcpHTTP},
		epSpec{ip: "172.0.0.2"}, epSpec{ip: "172.0.0.3", pod: "hdls1-pod-b"},
		epSpec{ip: "172.0.0.4", hostname: "dup-name"}, epSpec{ip: "172.0.0.5", hostname: "dup-name"}))
	v6 := epSlice("testns", "hdls1-b", "hdls1", []portSpec{tcpHTTP},
		epSpec{ip: "5678:abcd::1"}, epSpec{ip: "5678:abcd::2"})
	v6.AddressType = api.AddressTypeIPv6
	s.UpsertEndpointSlice(v6)
	s.UpsertService(svcHeadless("testns", "hdlsprtls"))
	s.UpsertEndpointSlice(epSlice("testns", "hdlsprtls-a", "hdlsprtls", nil, epSpec{ip: "172.0.0.20"}))
	s.UpsertService(svcHeadless("testns", "hdlsempty", tcpHTTP))
	s.UpsertEndpointSlice(epSlice("testns", "hdlsempty-a", "hdlsempty", []portSpec{tcpHTTP}, epSpec{ip: "172.0.0.30", notReady: true}))
	s.UpsertService(svcExternal("testns", "external", "ext.interwebs.test"))
	s.UpsertService(svcExternal("testns", "external-to-service", "svc1.testns.svc.cluster.local"))
	s.UpsertService(svcExternal("testns", "external-ip", "1.2.3.4"))
	s.UpsertService(svcExternal("testns", "dangling", "nowhere.example"))
	s.UpsertService(svcHeadless("testns", "web-0-sub", tcpHTTP))
	s.UpsertEndpointSlice(epSlice("testns", "web-0-sub-a", "web-0-sub", []portSpec{tcpHTTP}, epSpec{ip: "10.1.1.10", hostname: "web-0", pod: "web-0"}))
	s.UpsertService(svcClusterIP("other", "svc1", []string{"10.0.1.1"}, tcpHTTP))
	s.UpsertPod(podObj("testns", "client", "10.1.1.20", api.PodRunning))
	s.UpsertPod(podObj("testns", "web-0", "10.1.1.10", api.PodRunning))
}

// testUpstream is the outside world of the tests.
func testUpstream(t testing.TB) *Upstream {
	u := DefaultUpstream()
	err := u.AddZone(`$ORIGIN interwebs.test.
$TTL 60
ext        IN A     192.0.2.10
           IN AAAA  2001:db8::10
alias      IN CNAME ext
api.example.com. 300 IN A 192.0.2.20
`, "")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newTestServer returns a synced server over the shared cluster.
func newTestServer(t testing.TB, mod func(*Config)) *Server {
	cfg := DefaultConfig()
	cfg.Clock = fixedClock
	if mod != nil {
		mod(&cfg)
	}
	s := NewServer(cfg)
	s.SetUpstream(testUpstream(t))
	loadCluster(s)
	s.MarkSynced()
	return s
}

// rrLines renders records one per line.
func rrLines(rrs []RR) string {
	var b strings.Builder
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteString("\n")
	}
	return b.String()
}

// zoneText normalises expected records written as zone-file text: parsed and
// re-rendered, so spacing does not matter.
func zoneText(t testing.TB, lines ...string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		rr, err := ParseRR(l)
		if err != nil {
			t.Fatalf("bad expected record %q: %v", l, err)
		}
		b.WriteString(rr.String())
		b.WriteString("\n")
	}
	return b.String()
}

func sortedLines(s string) string {
	l := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}
