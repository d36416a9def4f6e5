package dns_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
)

var now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// labCluster is the cluster DNS of the chapter 3 lab: kube-dns and the
// ExternalName service numbers-api, the outside world holding
// raw.githubusercontent.com.
func labCluster() *dns.Server {
	s := dns.NewServer(dns.DefaultConfig())
	s.SetUpstream(dns.DefaultUpstream())
	for _, name := range []string{"default", "kube-system"} {
		ns := &api.Namespace{}
		ns.Name = name
		s.UpsertNamespace(ns)
	}
	kubeDNS := &api.Service{}
	kubeDNS.Namespace, kubeDNS.Name = "kube-system", "kube-dns"
	kubeDNS.Spec.ClusterIP = "10.96.0.10"
	kubeDNS.Spec.Ports = []api.ServicePort{{Name: "dns", Protocol: api.ProtocolUDP, Port: 53}}
	s.UpsertService(kubeDNS)
	numbers := &api.Service{}
	numbers.Namespace, numbers.Name = "default", "numbers-api"
	numbers.Spec.Type = api.ServiceTypeExternalName
	numbers.Spec.ExternalName = "raw.githubusercontent.com"
	s.UpsertService(numbers)
	s.MarkSynced()
	return s
}

func sleepPod() *api.Pod {
	p := &api.Pod{}
	p.Namespace, p.Name = "default", "sleep-1"
	p.Spec.Containers = []api.Container{{Name: "sleep", Image: "kiamol/ch03-sleep"}}
	p.Status.PodIP = netip.MustParseAddr("10.1.0.50")
	return p
}

func ExampleServer_Query() {
	s := labCluster()
	r := s.Query("kube-dns.kube-system.svc.cluster.local.", dns.TypeA)
	fmt.Println(dns.RcodeString(r.Rcode), r.Answer[0])
	r = s.Query("numbers-api.default.svc.cluster.local.", dns.TypeA)
	for _, rr := range r.Answer[:2] {
		fmt.Println(rr)
	}
	r = s.Query("nope.default.svc.cluster.local.", dns.TypeA)
	fmt.Println(dns.RcodeString(r.Rcode), r.Authority[0].Type == dns.TypeSOA)
	// Output:
	// NOERROR kube-dns.kube-system.svc.cluster.local.	5	IN	A	10.96.0.10
	// numbers-api.default.svc.cluster.local.	5	IN	CNAME	raw.githubusercontent.com.
	// raw.githubusercontent.com.	300	IN	A	185.199.108.133
	// NXDOMAIN true
}

func ExampleStub_Nslookup() {
	st := dns.NewStub(labCluster(), sleepPod(), dns.DefaultClusterDNSConfig())
	out := st.Nslookup("numbers-api", now)
	fmt.Print(out.Output)
	fmt.Println("exit status", out.ExitCode)
	// Output:
	// Server:		10.96.0.10
	// Address:	10.96.0.10:53
	//
	// ** server can't find numbers-api.cluster.local: NXDOMAIN
	//
	// ** server can't find numbers-api.cluster.local: NXDOMAIN
	//
	// ** server can't find numbers-api.svc.cluster.local: NXDOMAIN
	//
	// ** server can't find numbers-api.svc.cluster.local: NXDOMAIN
	//
	// numbers-api.default.svc.cluster.local	canonical name = raw.githubusercontent.com
	// Name:	raw.githubusercontent.com
	// Address: 185.199.108.133
	// Name:	raw.githubusercontent.com
	// Address: 185.199.109.133
	// Name:	raw.githubusercontent.com
	// Address: 185.199.110.133
	// Name:	raw.githubusercontent.com
	// Address: 185.199.111.133
	//
	// numbers-api.default.svc.cluster.local	canonical name = raw.githubusercontent.com
	// Name:	raw.githubusercontent.com
	// Address: 2606:50c0:8000::154
	// Name:	raw.githubusercontent.com
	// Address: 2606:50c0:8001::154
	// Name:	raw.githubusercontent.com
	// Address: 2606:50c0:8002::154
	// Name:	raw.githubusercontent.com
	// Address: 2606:50c0:8003::154
	//
	// exit status 1
}

// What ndots:5 costs: a name with fewer than five dots walks the whole
// search list before it is asked as it is.
func ExampleStub_Lookup() {
	st := dns.NewStub(labCluster(), sleepPod(), dns.DefaultClusterDNSConfig())
	st.Resolver = dns.Glibc
	p := st.Lookup("raw.githubusercontent.com", now)
	fmt.Print(p.ResolvConf)
	for _, q := range p.Queries {
		fmt.Println(q.Name, q.Type, q.Rcode)
	}
	fmt.Println(p.Outcome, len(p.Addresses), "addresses after", p.Count(), "queries in", p.Elapsed)
	// Output:
	// search default.svc.cluster.local svc.cluster.local cluster.local
	// nameserver 10.96.0.10
	// options ndots:5
	// raw.githubusercontent.com.default.svc.cluster.local A NXDOMAIN
	// raw.githubusercontent.com.default.svc.cluster.local AAAA NXDOMAIN
	// raw.githubusercontent.com.svc.cluster.local A NXDOMAIN
	// raw.githubusercontent.com.svc.cluster.local AAAA NXDOMAIN
	// raw.githubusercontent.com.cluster.local A NXDOMAIN
	// raw.githubusercontent.com.cluster.local AAAA NXDOMAIN
	// raw.githubusercontent.com A NOERROR
	// raw.githubusercontent.com AAAA NOERROR
	// NOERROR 8 addresses after 8 queries in 10.899ms
}

func ExamplePodResolvConf() {
	p := sleepPod()
	p.Spec.DNSConfig = &api.PodDNSConfig{
		Nameservers: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9"},
		Options:     []api.PodDNSConfigOption{{Name: "ndots", Value: ptr("2")}},
	}
	rc, warnings := dns.PodResolvConf(p, dns.DefaultClusterDNSConfig())
	fmt.Print(rc)
	for _, w := range warnings {
		fmt.Println(w.Reason+":", w.Message)
	}
	// Output:
	// search default.svc.cluster.local svc.cluster.local cluster.local
	// nameserver 10.96.0.10
	// nameserver 1.1.1.1
	// nameserver 8.8.8.8
	// options ndots:2
	// DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 8.8.8.8
}

func ExampleStub_Dig() {
	st := dns.NewStub(labCluster(), sleepPod(), dns.DefaultClusterDNSConfig())
	out, _ := st.Dig("numbers-api.default.svc.cluster.local", dns.TypeA, now, dns.DigOptions{Short: true})
	fmt.Print(out)
	// Output:
	// raw.githubusercontent.com.
	// 185.199.108.133
	// 185.199.109.133
	// 185.199.110.133
	// 185.199.111.133
}

func ExampleParseZone() {
	rrs, err := dns.ParseZone(`$ORIGIN example.com.
$TTL 1h
www   IN A     192.0.2.10
api   IN CNAME www
`, "")
	if err != nil {
		panic(err)
	}
	u := dns.NewUpstream()
	if err := u.Add(rrs...); err != nil {
		panic(err)
	}
	u.Fail("broken.example.com")
	for _, name := range []string{"api.example.com.", "nope.example.com.", "broken.example.com."} {
		r := u.Query(name, dns.TypeA)
		fmt.Println(name, dns.RcodeString(r.Rcode), len(r.Answer))
	}
	// Output:
	// api.example.com. NOERROR 2
	// nope.example.com. NXDOMAIN 0
	// broken.example.com. SERVFAIL 0
}

func ptr[T any](v T) *T { return &v }
