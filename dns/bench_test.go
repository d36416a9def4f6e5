package dns

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/kubesim/kubesim/api"
)

var (
	sinkReply Reply
	sinkPath  Path
)

// benchServer is a cluster of n ClusterIP services spread over 10
// namespaces, plus a headless service with 3 endpoints and an ExternalName.
func benchServer(b testing.TB, n int) *Server {
	cfg := DefaultConfig()
	cfg.Clock = fixedClock
	s := NewServer(cfg)
	s.SetUpstream(DefaultUpstream())
	for i := 0; i < 10; i++ {
		s.UpsertNamespace(ns(fmt.Sprintf("ns%d", i)))
	}
	for i := 0; i < n; i++ {
		ip := netip.AddrFrom4([4]byte{10, 96 + byte(i>>16), byte(i >> 8), byte(i)})
		s.UpsertService(svcClusterIP(fmt.Sprintf("ns%d", i%10), fmt.Sprintf("svc%d", i), []string{ip.String()}, tcpHTTP))
	}
	s.UpsertService(svcHeadless("ns0", "headless", tcpHTTP))
	s.UpsertEndpointSlice(epSlice("ns0", "headless-1", "headless", []portSpec{tcpHTTP},
		epSpec{ip: "10.244.0.1"}, epSpec{ip: "10.244.0.2"}, epSpec{ip: "10.244.0.3"}))
	s.UpsertService(svcExternal("ns0", "numbers-api", "raw.githubusercontent.com"))
	s.MarkSynced()
	return s
}

var benchSizes = []int{100, 10000}

func BenchmarkQuery(b *testing.B) {
	for _, n := range benchSizes {
		s := benchServer(b, n)
		mid := n / 2
		svcName := fmt.Sprintf("svc%d.ns%d.svc.cluster.local.", mid, mid%10)
		ptrName := ReverseName(netip.AddrFrom4([4]byte{10, 96 + byte(mid>>16), byte(mid >> 8), byte(mid)}))
		for _, bc := range []struct {
			name  string
			qname string
			qtype uint16
			rcode int
			n     int
		}{
			{"A-FQDN", svcName, TypeA, RcodeSuccess, 1},
			{"headless-3-endpoints", "headless.ns0.svc.cluster.local.", TypeA, RcodeSuccess, 3},
			{"ExternalName", "numbers-api.ns0.svc.cluster.local.", TypeA, RcodeSuccess, 5},
			{"NXDOMAIN", "nope.ns3.svc.cluster.local.", TypeA, RcodeNameError, 0},
			{"PTR", ptrName, TypePTR, RcodeSuccess, 1},
		} {
			r := s.Query(bc.qname, bc.qtype)
			if r.Rcode != bc.rcode || len(r.Answer) != bc.n {
				b.Fatalf("%s: %s", bc.name, r.Text())
			}
			b.Run(fmt.Sprintf("%s/services=%d", bc.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sinkReply = s.Query(bc.qname, bc.qtype)
				}
			})
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	for _, n := range benchSizes {
		s := benchServer(b, n)
		mid := n / 2
		p := podObj(fmt.Sprintf("ns%d", mid%10), "client", "10.244.1.1", api.PodRunning)
		st := NewStub(s, p, DefaultClusterDNSConfig())
		for _, bc := range []struct {
			name, lookup string
			queries      int
		}{
			{"glibc-short-name", fmt.Sprintf("svc%d", mid), 2},
			{"glibc-external-ndots5", "raw.githubusercontent.com", 8},
		} {
			if q := st.Lookup(bc.lookup, epoch); q.Count() != bc.queries || q.Outcome != "NOERROR" {
				b.Fatalf("%s:\n%s", bc.name, q.String())
			}
			b.Run(fmt.Sprintf("%s/services=%d", bc.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					sinkPath = st.Lookup(bc.lookup, epoch)
				}
			})
		}
	}
}

// BenchmarkIngest measures a service change: the write lock, the slim copy
// and the rebuilt answers.
func BenchmarkIngest(b *testing.B) {
	for _, n := range benchSizes {
		s := benchServer(b, n)
		svc := svcClusterIP("ns1", "churn", []string{"10.200.0.1"}, tcpHTTP)
		b.Run(fmt.Sprintf("UpsertService/services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.UpsertService(svc)
			}
		})
	}
}

// TestQueryAllocs pins the zero-allocation contract of the prebuilt path.
func TestQueryAllocs(t *testing.T) {
	s := benchServer(t, 100)
	for _, q := range []struct {
		name  string
		qtype uint16
	}{
		{"svc50.ns0.svc.cluster.local.", TypeA},
		{"svc50.ns0.svc.cluster.local.", TypeAAAA},
		{"headless.ns0.svc.cluster.local.", TypeA},
		{"numbers-api.ns0.svc.cluster.local.", TypeA},
		{"nope.ns3.svc.cluster.local.", TypeA},
		{"nope.svc.cluster.local.", TypeA},
		{"nope.cluster.local.", TypeA},
		{ReverseName(netip.MustParseAddr("10.96.0.50")), TypePTR},
	} {
		if n := testing.AllocsPerRun(100, func() { sinkReply = s.Query(q.name, q.qtype) }); n != 0 {
			t.Errorf("Query(%s %s) allocates %.1f times", q.name, TypeString(q.qtype), n)
		}
	}
}
