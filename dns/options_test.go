package dns

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/kubesim/kubesim/api"
)

func TestOptionTTL(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.TTL = 30 })
	soa30 := "cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1767323045 7200 1800 86400 30"
	runCases(t, s, []tcase{
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 30 IN A 10.0.0.1"}},
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soa30}},
	})
	s = newTestServer(t, func(c *Config) { c.TTL = 3000 })
	runCases(t, s, []tcase{ // the SOA's own TTL is capped at 300, its minimum is not
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError,
			ns: []string{"cluster.local. 300 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1767323045 7200 1800 86400 3000"}},
	})
	s = newTestServer(t, func(c *Config) { c.TTL = -1 })
	runCases(t, s, []tcase{
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 0 IN A 10.0.0.1"}},
	})
}

func TestOptionPods(t *testing.T) {
	insecure := newTestServer(t, func(c *Config) { c.Pods = PodsInsecure })
	runCases(t, insecure, []tcase{
		{qname: "1-2-3-4.testns.pod.cluster.local.", qtype: TypeA, answer: []string{"1-2-3-4.testns.pod.cluster.local. 5 IN A 1.2.3.4"}},
		{qname: "1-2-3-4.testns.pod.cluster.local.", qtype: TypeAAAA, ns: []string{soaLine}},
		{qname: "2001-db8--1.testns.pod.cluster.local.", qtype: TypeAAAA, answer: []string{"2001-db8--1.testns.pod.cluster.local. 5 IN AAAA 2001:db8::1"}},
		{qname: "1-2-3-4.nons.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "not-an-ip.testns.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "1-2-3-256.testns.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "testns.pod.cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "x.1-2-3-4.testns.pod.cluster.local.", qtype: TypeA, answer: []string{"x.1-2-3-4.testns.pod.cluster.local. 5 IN A 1.2.3.4"}},
	})
	verified := newTestServer(t, func(c *Config) { c.Pods = PodsVerified })
	runCases(t, verified, []tcase{
		{qname: "10-1-1-20.testns.pod.cluster.local.", qtype: TypeA, answer: []string{"10-1-1-20.testns.pod.cluster.local. 5 IN A 10.1.1.20"}},
		{qname: "10-1-1-20.other.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "1-2-3-4.testns.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
	})
	disabled := newTestServer(t, nil)
	runCases(t, disabled, []tcase{
		{qname: "1-2-3-4.testns.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
	})
	// a pod being deleted keeps resolving until it is gone
	p := podObj("testns", "client", "10.1.1.20", api.PodRunning)
	now := api.NewTime(epoch)
	p.DeletionTimestamp = &now
	verified.UpsertPod(p)
	if r := verified.Query("10-1-1-20.testns.pod.cluster.local.", TypeA); r.Rcode != RcodeSuccess {
		t.Errorf("terminating pod: %s", r.Text())
	}
	verified.DeletePod("testns", "client")
	if r := verified.Query("10-1-1-20.testns.pod.cluster.local.", TypeA); r.Rcode != RcodeNameError {
		t.Errorf("deleted pod: %s", r.Text())
	}
}

func TestOptionEndpointPodNames(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.EndpointPodNames = true })
	runCases(t, s, []tcase{
		{qname: "hdls1-pod-b.hdls1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"hdls1-pod-b.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3"}},
		{qname: "172-0-0-3.hdls1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "172-0-0-2.hdls1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"172-0-0-2.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2"}},
		{qname: "3.0.0.172.in-addr.arpa.", qtype: TypePTR, answer: []string{"3.0.0.172.in-addr.arpa. 5 IN PTR hdls1-pod-b.hdls1.testns.svc.cluster.local."}},
		{qname: "coredns-1.kube-dns.kube-system.svc.cluster.local.", qtype: TypeA, answer: []string{"coredns-1.kube-dns.kube-system.svc.cluster.local. 5 IN A 10.1.0.2"}},
	})
}

func TestOptionIgnoreEmptyService(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.IgnoreEmptyService = true })
	runCases(t, s, []tcase{
		{qname: "svcempty.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc6.testns.svc.cluster.local.", qtype: TypeAAAA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "external.testns.svc.cluster.local.", qtype: TypeCNAME, answer: []string{"external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test."}},
		{qname: "hdls1.testns.svc.cluster.local.", qtype: TypeAAAA, answer: []string{
			"hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1",
			"hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2",
		}},
	})
}

func TestOptionNoEndpoints(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.NoEndpoints = true })
	runCases(t, s, []tcase{
		{qname: "hdls1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "ep1a.svc1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "2.0.0.172.in-addr.arpa.", qtype: TypePTR, rcode: RcodeNameError, ns: []string{"in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1767323045 7200 1800 86400 5"}},
	})
}

func TestOptionNamespaces(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Namespaces = []string{"testns"} })
	runCases(t, s, []tcase{
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "svc1.other.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "other.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "kubernetes.default.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "1.0.96.10.in-addr.arpa.", qtype: TypePTR, rcode: RcodeNameError, ns: []string{"in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1767323045 7200 1800 86400 5"}},
		{qname: "1.0.0.10.in-addr.arpa.", qtype: TypePTR, answer: []string{"1.0.0.10.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local."}},
	})
}

func TestOptionFallthrough(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.Fallthrough = []string{"in-addr.arpa", "ip6.arpa"} })
	runCases(t, s, []tcase{
		{qname: "1.0.0.10.in-addr.arpa.", qtype: TypePTR, answer: []string{"1.0.0.10.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local."}},
		// not in the cluster: the outside world answers, without authority
		{qname: "8.8.8.8.in-addr.arpa.", qtype: TypePTR, rcode: RcodeNameError, noAA: true},
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
	})
	all := newTestServer(t, func(c *Config) { c.Fallthrough = []string{"."} })
	runCases(t, all, []tcase{
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, noAA: true},
	})
	// the outside world can hold a PTR the cluster falls through to
	s.Upstream().AddZone("8.8.8.8.in-addr.arpa. 300 IN PTR dns.google.", "")
	runCases(t, s, []tcase{
		{qname: "8.8.8.8.in-addr.arpa.", qtype: TypePTR, noAA: true, answer: []string{"8.8.8.8.in-addr.arpa. 300 IN PTR dns.google."}},
	})
}

func TestNotSynced(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Clock = fixedClock
	s := NewServer(cfg)
	s.SetUpstream(testUpstream(t))
	loadCluster(s)
	runCases(t, s, []tcase{
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeServerFailure, ns: []string{soaLine}},
		{qname: "hdlsempty.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeServerFailure, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeAAAA, ns: []string{soaLine}},
	})
	s.MarkSynced()
	runCases(t, s, []tcase{
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
	})
}

func TestApexNS(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.LocalIPs = []netip.Addr{netip.MustParseAddr("10.1.0.2")} })
	runCases(t, s, []tcase{
		{qname: "cluster.local.", qtype: TypeNS, answer: []string{"cluster.local. 5 IN NS kube-dns.kube-system.svc.cluster.local."},
			extra: []string{"kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10"}},
		{qname: "ns.dns.cluster.local.", qtype: TypeA, answer: []string{"ns.dns.cluster.local. 5 IN A 10.96.0.10"}},
		{qname: "in-addr.arpa.", qtype: TypeNS, answer: []string{"in-addr.arpa. 5 IN NS kube-dns.kube-system.svc.in-addr.arpa."},
			extra: []string{"kube-dns.kube-system.svc.in-addr.arpa. 5 IN A 10.96.0.10"}},
	})
	// both replicas behind the same service give one NS
	s.SetLocalIPs(netip.MustParseAddr("10.1.0.2"), netip.MustParseAddr("10.1.0.3"))
	r := s.Query("cluster.local.", TypeNS)
	if len(r.Answer) != 1 || len(r.Additional) != 1 {
		t.Errorf("two replicas: %s", r.Text())
	}
}

func TestAutoPath(t *testing.T) {
	s := newTestServer(t, func(c *Config) {
		c.Pods = PodsVerified
		c.AutoPath = true
	})
	client := netip.MustParseAddr("10.1.1.20") // testns/client
	type apcase struct {
		tcase
		note string
	}
	for _, tc := range []apcase{
		{tcase{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}}, ""},
		// "svc1.other" typed in testns: found under svc.cluster.local.
		{tcase{qname: "svc1.other.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"svc1.other.testns.svc.cluster.local. 5 IN CNAME svc1.other.svc.cluster.local.",
			"svc1.other.svc.cluster.local. 5 IN A 10.0.1.1",
		}}, noteAutopath},
		// "kubernetes" is in default, not on testns's search path
		{tcase{qname: "kubernetes.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}}, ""},
		{tcase{qname: "raw.githubusercontent.com.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"raw.githubusercontent.com.testns.svc.cluster.local. 300 IN CNAME raw.githubusercontent.com.",
			"raw.githubusercontent.com. 300 IN A 185.199.108.133",
			"raw.githubusercontent.com. 300 IN A 185.199.109.133",
			"raw.githubusercontent.com. 300 IN A 185.199.110.133",
			"raw.githubusercontent.com. 300 IN A 185.199.111.133",
		}, noAA: true}, noteAutopath},
		// every try NXDOMAIN: the first reply goes back
		{tcase{qname: "nope.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}}, ""},
		// the first search domain itself: TrimZone overshoots, SERVFAIL
		{tcase{qname: "testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeServerFailure, noAA: true}, ""},
		// CoreDNS's cnamer adds a second CNAME in front of an ExternalName answer
		{tcase{qname: "external.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"external.testns.svc.cluster.local. 60 IN CNAME ext.interwebs.test.",
			"external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.",
			"ext.interwebs.test. 60 IN A 192.0.2.10",
		}}, noteAutopath},
	} {
		t.Run(tc.qname, func(t *testing.T) {
			r := s.QueryFrom(client, tc.qname, tc.qtype)
			checkReply(t, r, tc.tcase)
			if r.Note != tc.note {
				t.Errorf("note = %q, want %q", r.Note, tc.note)
			}
		})
	}
	// not from a pod, or from a pod that is not running: no autopath
	if r := s.Query("svc1.other.testns.svc.cluster.local.", TypeA); r.Rcode != RcodeNameError {
		t.Errorf("no client: %s", r.Text())
	}
	s.UpsertPod(podObj("testns", "pending", "10.1.1.21", api.PodPending))
	if r := s.QueryFrom(netip.MustParseAddr("10.1.1.21"), "svc1.other.testns.svc.cluster.local.", TypeA); r.Rcode != RcodeNameError {
		t.Errorf("pending pod: %s", r.Text())
	}
	// without pods verified, autopath is off (as in CoreDNS)
	off := newTestServer(t, func(c *Config) { c.AutoPath = true })
	if r := off.QueryFrom(client, "svc1.other.testns.svc.cluster.local.", TypeA); r.Rcode != RcodeNameError {
		t.Errorf("pods disabled: %s", r.Text())
	}
}

func TestLoadBalance(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.LoadBalance = rand.New(rand.NewPCG(1, 2)) })
	seen := map[string]bool{}
	for range 50 {
		r := s.Query("raw.githubusercontent.com.", TypeA)
		if len(r.Answer) != 4 {
			t.Fatalf("answer: %s", r.Text())
		}
		seen[r.Answer[0].Addr.String()] = true
		r = s.Query("external.testns.svc.cluster.local.", TypeA)
		if r.Answer[0].Type != TypeCNAME {
			t.Fatalf("CNAME must stay first: %s", r.Text())
		}
	}
	if len(seen) < 3 {
		t.Errorf("loadbalance put only %v first", seen)
	}
	// same seed, same order
	a := newTestServer(t, func(c *Config) { c.LoadBalance = rand.New(rand.NewPCG(7, 7)) })
	b := newTestServer(t, func(c *Config) { c.LoadBalance = rand.New(rand.NewPCG(7, 7)) })
	for range 10 {
		ra, rb := a.Query("hdls1.testns.svc.cluster.local.", TypeA), b.Query("hdls1.testns.svc.cluster.local.", TypeA)
		if rrLines(ra.Answer) != rrLines(rb.Answer) {
			t.Fatal("loadbalance is not deterministic for a seed")
		}
	}
}

// TestWatchChanges follows objects through their life: the server sees only
// what it was told, so a deleted service lingers until its delete arrives.
func TestWatchChanges(t *testing.T) {
	s := newTestServer(t, nil)
	name := "late.testns.svc.cluster.local."
	if r := s.Query(name, TypeA); r.Rcode != RcodeNameError {
		t.Fatalf("before create: %s", r.Text())
	}
	s.UpsertService(svcClusterIP("testns", "late", []string{"10.0.9.9"}, tcpHTTP))
	if r := s.Query(name, TypeA); rrLines(r.Answer) != zoneText(t, name+" 5 IN A 10.0.9.9") {
		t.Fatalf("after create: %s", r.Text())
	}
	if r := s.Query("9.9.0.10.in-addr.arpa.", TypePTR); len(r.Answer) != 1 {
		t.Fatalf("PTR after create: %s", r.Text())
	}
	// the IP changes: the old reverse name goes
	s.UpsertService(svcClusterIP("testns", "late", []string{"10.0.9.8"}, tcpHTTP))
	if r := s.Query("9.9.0.10.in-addr.arpa.", TypePTR); r.Rcode != RcodeNameError {
		t.Fatalf("old PTR: %s", r.Text())
	}
	// the service becomes headless; endpoints arrive, then go not ready
	s.UpsertService(svcHeadless("testns", "late", tcpHTTP))
	if r := s.Query(name, TypeA); r.Rcode != RcodeNameError {
		t.Fatalf("headless without endpoints: %s", r.Text())
	}
	s.UpsertEndpointSlice(epSlice("testns", "late-1", "late", []portSpec{tcpHTTP}, epSpec{ip: "10.2.0.1"}, epSpec{ip: "10.2.0.2"}))
	if r := s.Query(name, TypeA); len(r.Answer) != 2 {
		t.Fatalf("two endpoints: %s", r.Text())
	}
	s.UpsertEndpointSlice(epSlice("testns", "late-1", "late", []portSpec{tcpHTTP}, epSpec{ip: "10.2.0.1"}, epSpec{ip: "10.2.0.2", notReady: true}))
	if r := s.Query(name, TypeA); len(r.Answer) != 1 {
		t.Fatalf("one ready: %s", r.Text())
	}
	if r := s.Query("2.0.2.10.in-addr.arpa.", TypePTR); r.Rcode != RcodeNameError {
		t.Fatalf("not-ready PTR: %s", r.Text())
	}
	// the slice moves to another service
	s.UpsertService(svcHeadless("testns", "late2", tcpHTTP))
	s.UpsertEndpointSlice(epSlice("testns", "late-1", "late2", []portSpec{tcpHTTP}, epSpec{ip: "10.2.0.1"}))
	if r := s.Query(name, TypeA); r.Rcode != RcodeNameError {
		t.Fatalf("moved slice, old service: %s", r.Text())
	}
	if r := s.Query("late2.testns.svc.cluster.local.", TypeA); len(r.Answer) != 1 {
		t.Fatalf("moved slice, new service: %s", r.Text())
	}
	s.DeleteEndpointSlice("testns", "late-1")
	if r := s.Query("late2.testns.svc.cluster.local.", TypeA); r.Rcode != RcodeNameError {
		t.Fatalf("deleted slice: %s", r.Text())
	}
	s.DeleteService("testns", "late")
	s.DeleteService("testns", "late2")
	// the namespace goes: its names stop resolving, even before their objects
	s.DeleteNamespace("testns")
	for _, n := range []string{"svc1.testns.svc.cluster.local.", "hdls1.testns.svc.cluster.local.", "_http._tcp.svc1.testns.svc.cluster.local.", "ep1a.svc1.testns.svc.cluster.local."} {
		if r := s.Query(n, TypeA); r.Rcode != RcodeNameError {
			t.Errorf("after namespace delete, %s: %s", n, r.Text())
		}
	}
	// reverse lookups do not check namespaces (as in CoreDNS)
	if r := s.Query("1.0.0.10.in-addr.arpa.", TypePTR); r.Rcode != RcodeSuccess {
		t.Errorf("PTR after namespace delete: %s", r.Text())
	}
	s.UpsertNamespace(ns("testns"))
	if r := s.Query("svc1.testns.svc.cluster.local.", TypeA); r.Rcode != RcodeSuccess {
		t.Errorf("namespace back: %s", r.Text())
	}
	// the serial follows the clock on every change
	if r := s.Query("svc0.testns.svc.cluster.local.", TypeA); r.Authority[0].Serial != uint32(epoch.Unix()) {
		t.Errorf("serial %d", r.Authority[0].Serial)
	}
}

func TestUpstreamChanges(t *testing.T) {
	s := newTestServer(t, nil)
	name := "external.testns.svc.cluster.local."
	before := s.Query(name, TypeA)
	if len(before.Answer) != 2 {
		t.Fatalf("before: %s", before.Text())
	}
	up := s.Upstream()
	up.Fail("ext.interwebs.test")
	r := s.Query(name, TypeA)
	// the CNAME is returned even when the target fails
	if r.Rcode != RcodeSuccess || rrLines(r.Answer) != zoneText(t, name+" 5 IN CNAME ext.interwebs.test.") {
		t.Fatalf("failing target: %s", r.Text())
	}
	if r := s.Query("ext.interwebs.test.", TypeA); r.Rcode != RcodeServerFailure {
		t.Fatalf("failing name: %s", r.Text())
	}
	up.Heal("ext.interwebs.test")
	if r := s.Query(name, TypeA); rrLines(r.Answer) != rrLines(before.Answer) {
		t.Fatalf("healed: %s", r.Text())
	}
	up.AddZone("ext.interwebs.test. 60 IN A 192.0.2.11", "")
	if r := s.Query(name, TypeA); len(r.Answer) != 3 {
		t.Fatalf("added: %s", r.Text())
	}
	s.UpsertService(svcClusterIP("testns", "unrelated", []string{"10.0.9.1"}, tcpHTTP)) // a write rebuilds
	if r := s.Query(name, TypeA); len(r.Answer) != 3 {
		t.Fatalf("after rebuild: %s", r.Text())
	}
	up.Remove("ext.interwebs.test.", TypeA)
	if r := s.Query(name, TypeA); len(r.Answer) != 1 {
		t.Fatalf("removed: %s", r.Text())
	}
	s.SetUpstream(nil)
	if r := s.Query("raw.githubusercontent.com.", TypeA); r.Rcode != RcodeNameError {
		t.Fatalf("empty world: %s", r.Text())
	}
	if !slices.Equal(s.Zones(), []string{"cluster.local.", "in-addr.arpa.", "ip6.arpa."}) {
		t.Errorf("zones %v", s.Zones())
	}
}
