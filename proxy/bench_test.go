package proxy

import (
	"encoding/binary"
	"net/netip"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

func addrFromUint(base netip.Addr, off uint32) netip.Addr {
	b := base.As4()
	v := binary.BigEndian.Uint32(b[:]) + off
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

var (
	benchSvcBase = netip.MustParseAddr("172.30.0.0")
	benchEPBase  = netip.MustParseAddr("10.128.0.0")
)

// clusterObjects builds nsvc ClusterIP services, each with one port (plus a
// node port and eTP=Local when nodePorts is set) and neps endpoints spread
// over nodes node-0..node-(nodes-1).
func clusterObjects(nsvc, neps, nodes int, nodePorts bool) ([]*api.Service, []*api.EndpointSlice) {
	svcs := make([]*api.Service, nsvc)
	slices := make([]*api.EndpointSlice, nsvc)
	for i := range nsvc {
		name := "svc-" + strconv.Itoa(i)
		opts := []svcOpt{withPort("http", api.ProtocolTCP, 80, 0)}
		if nodePorts {
			opts = []svcOpt{withType(api.ServiceTypeNodePort), withPort("http", api.ProtocolTCP, 80, int32(30000+i%2768)), withETPLocal(0)}
		}
		svcs[i] = mkSvc("ns/"+name, addrFromUint(benchSvcBase, uint32(i+1)).String(), opts...)
		eps := make([]epSpec, neps)
		for j := range neps {
			eps[j] = ep(addrFromUint(benchEPBase, uint32(i*neps+j+1)).String(), "node-"+strconv.Itoa((i*neps+j)%max(nodes, 1)))
		}
		slices[i] = mkSlice("ns/"+name+"-abc", name, []slicePortSpec{sp("http", api.ProtocolTCP, 8080)}, eps...)
	}
	return svcs, slices
}

func bigProxy(tb testing.TB, m Mode, nsvc, neps, nodes int, nodePorts bool) (*Proxy, *sim.Loop) {
	tb.Helper()
	loop := sim.New(t0, 1)
	p, err := New(loop, baseConfig(m))
	if err != nil {
		tb.Fatal(err)
	}
	svcs, slices := clusterObjects(nsvc, neps, nodes, nodePorts)
	for i := range svcs {
		p.UpsertService(svcs[i])
		p.UpsertEndpointSlice(slices[i])
	}
	for i := range nodes {
		p.UpsertNode(mkNode("node-"+strconv.Itoa(i), "", addrFromUint(netip.MustParseAddr("192.168.0.0"), uint32(i+1)).String()))
	}
	p.SyncAll()
	runtime.GC() // keep the setup's garbage out of the measurements
	return p, loop
}

var sinkResult Result

// BenchmarkRoute routes a new connection to a ClusterIP service with 10
// endpoints; the source port cycles over 1024 values so that conntrack
// entries are replaced, not accumulated.
func BenchmarkRoute(b *testing.B) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		for _, nsvc := range []int{100, 10000} {
			b.Run(string(m)+"/clusterIP/services="+strconv.Itoa(nsvc), func(b *testing.B) {
				p, loop := bigProxy(b, m, nsvc, 10, 1, false)
				n := p.Node("node-0")
				now := loop.Now()
				pkt := Packet{
					Src:  netip.MustParseAddrPort("10.200.0.1:1"),
					Dst:  netip.AddrPortFrom(addrFromUint(benchSvcBase, uint32(nsvc/2)), 80),
					Flow: FlowNew,
				}
				for i := range 1024 {
					pkt.Src = netip.AddrPortFrom(pkt.Src.Addr(), uint16(i+1))
					sinkResult = n.Route(now, pkt)
				}
				if sinkResult.Verdict != VerdictForward || sinkResult.Endpoints.Len() != 10 {
					b.Fatalf("%+v", sinkResult)
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					pkt.Src = netip.AddrPortFrom(pkt.Src.Addr(), uint16(i&1023+1))
					sinkResult = n.Route(now, pkt)
					i++
				}
			})
		}
	}
	b.Run("iptables/clusterIP/established", func(b *testing.B) {
		p, loop := bigProxy(b, ModeIPTables, 10000, 10, 1, false)
		n := p.Node("node-0")
		pkt := Packet{Src: netip.MustParseAddrPort("10.200.0.1:1"), Dst: netip.AddrPortFrom(addrFromUint(benchSvcBase, 5000), 80)}
		now := loop.Now()
		n.Route(now, pkt)
		b.ReportAllocs()
		for b.Loop() {
			sinkResult = n.Route(now, pkt)
		}
		if !sinkResult.Established {
			b.Fatal(sinkResult)
		}
	})
	b.Run("iptables/clusterIP/probe", func(b *testing.B) {
		p, loop := bigProxy(b, ModeIPTables, 10000, 10, 1, false)
		n := p.Node("node-0")
		pkt := Packet{Src: netip.MustParseAddrPort("10.200.0.1:1"), Dst: netip.AddrPortFrom(addrFromUint(benchSvcBase, 5000), 80), Flow: FlowProbe}
		now := loop.Now()
		b.ReportAllocs()
		for b.Loop() {
			sinkResult = n.Route(now, pkt)
		}
	})
	b.Run("iptables/nodePort-local/services=10000", func(b *testing.B) {
		// 10 endpoints over 10 nodes: the node under test has one local endpoint.
		p, loop := bigProxy(b, ModeIPTables, 10000, 10, 10, true)
		n := p.Node("node-3")
		now := loop.Now()
		pkt := Packet{Src: netip.MustParseAddrPort("203.0.113.2:1"), Dst: netip.MustParseAddrPort("192.168.0.4:32500"), Flow: FlowNew}
		for i := range 1024 {
			pkt.Src = netip.AddrPortFrom(pkt.Src.Addr(), uint16(i+1))
			sinkResult = n.Route(now, pkt)
		}
		if sinkResult.Verdict != VerdictForward || sinkResult.Endpoints.Len() != 1 || sinkResult.Target != TargetNodePort {
			b.Fatalf("%+v", sinkResult)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			pkt.Src = netip.AddrPortFrom(pkt.Src.Addr(), uint16(i&1023+1))
			sinkResult = n.Route(now, pkt)
			i++
		}
	})
}

// BenchmarkBuildTable builds the routing tables for 10,000 services of 10
// endpoints from their Service and EndpointSlice objects.
func BenchmarkBuildTable(b *testing.B) {
	svcs, slices := clusterObjects(10000, 10, 100, false)
	b.ReportAllocs()
	for b.Loop() {
		loop := sim.New(t0, 1)
		p, _ := New(loop, baseConfig(ModeIPTables))
		for i := range svcs {
			p.UpsertService(svcs[i])
			p.UpsertEndpointSlice(slices[i])
		}
	}
}

// BenchmarkEndpointChange changes one service's endpoints on the 10,000
// service table: cost proportional to the change, not to the table.
func BenchmarkEndpointChange(b *testing.B) {
	for _, nodes := range []int{1, 1000} {
		b.Run("nodes="+strconv.Itoa(nodes), func(b *testing.B) {
			p, loop := bigProxy(b, ModeIPTables, 10000, 10, nodes, false)
			_, slices := clusterObjects(10000, 10, nodes, false)
			a := slices[4242]
			c := mkSlice("ns/svc-4242-abc", "svc-4242", []slicePortSpec{sp("http", api.ProtocolTCP, 8080)},
				ep("10.99.0.1", "node-0"), ep("10.99.0.2", "node-0"), ep("10.99.0.3", "node-0"))
			loop.RunFor(10 * time.Second)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i%2 == 0 {
					p.UpsertEndpointSlice(c)
				} else {
					p.UpsertEndpointSlice(a)
				}
				i++
				if i%64 == 0 {
					b.StopTimer()
					loop.RunFor(10 * time.Second) // let every node sync, so history is pruned
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkRenderRules renders a node's rules for 10,000 services.
func BenchmarkRenderRules(b *testing.B) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		b.Run(string(m), func(b *testing.B) {
			p, _ := bigProxy(b, m, 10000, 10, 1, false)
			n := p.Node("node-0")
			b.ReportAllocs()
			for b.Loop() {
				_ = n.Rules()
			}
		})
	}
}

// BenchmarkExplain explains one packet on the 10,000 service table.
func BenchmarkExplain(b *testing.B) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		b.Run(string(m), func(b *testing.B) {
			p, loop := bigProxy(b, m, 10000, 10, 1, false)
			n := p.Node("node-0")
			pkt := Packet{Src: netip.MustParseAddrPort("10.200.0.1:1"), Dst: netip.AddrPortFrom(addrFromUint(benchSvcBase, 9999), 80), Flow: FlowProbe}
			b.ReportAllocs()
			for b.Loop() {
				_ = n.Explain(loop.Now(), pkt)
			}
		})
	}
}

func TestRouteNoAllocs(t *testing.T) {
	p, loop := bigProxy(t, ModeIPTables, 100, 10, 10, true)
	cases := []struct {
		node string
		pkt  Packet
	}{
		{"node-0", Packet{Src: netip.MustParseAddrPort("10.200.0.1:1"), Dst: netip.AddrPortFrom(addrFromUint(benchSvcBase, 50), 80), Flow: FlowNew}},
		{"node-3", Packet{Src: netip.MustParseAddrPort("203.0.113.2:1"), Dst: netip.MustParseAddrPort("192.168.0.4:30050"), Flow: FlowNew}},
		{"node-0", Packet{Src: netip.MustParseAddrPort("10.200.0.1:1"), Dst: netip.AddrPortFrom(addrFromUint(benchSvcBase, 50), 80)}},
		{"node-0", Packet{Src: netip.MustParseAddrPort("10.200.0.1:1"), Dst: netip.MustParseAddrPort("8.8.8.8:53"), Proto: UDP}},
	}
	for _, c := range cases {
		n := p.Node(c.node)
		n.Route(loop.Now(), c.pkt)
		if a := testing.AllocsPerRun(100, func() { sinkResult = n.Route(loop.Now(), c.pkt) }); a != 0 {
			t.Errorf("%s %v: %v allocations per Route", c.node, c.pkt, a)
		}
	}
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestMemoryPerNode measures what each node adds to a 10,000-service table:
// it must be a small constant, not proportional to the services.
func TestMemoryPerNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-service table and 5,000 nodes")
	}
	const nsvc, nodes = 10000, 5000
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	svcs, slices := clusterObjects(nsvc, 10, nodes, false)
	before := heapInUse()
	for i := range svcs {
		p.UpsertService(svcs[i])
		p.UpsertEndpointSlice(slices[i])
	}
	svcs, slices = nil, nil
	table := heapInUse() - before
	before = heapInUse()
	for i := range nodes {
		p.UpsertNode(mkNode("node-"+strconv.Itoa(i), "", addrFromUint(netip.MustParseAddr("192.168.0.0"), uint32(i+1)).String()))
	}
	if _, err := loop.RunUntilIdle(0); err != nil {
		t.Fatal(err)
	}
	perNode := float64(heapInUse()-before) / nodes
	t.Logf("table for %d services x 10 endpoints: %.1f MiB; heap per node added: %.0f bytes", nsvc, float64(table)/(1<<20), perNode)
	if perNode > 4096 {
		t.Errorf("each node adds %.0f bytes: per-node state grows with the cluster", perNode)
	}
	runtime.KeepAlive(p)
}

// BenchmarkHeapPerNode reports the heap each node adds to a 10,000-service
// table (run with -benchtime=1x).
func BenchmarkHeapPerNode(b *testing.B) {
	const nsvc, nodes = 10000, 5000
	svcs, slices := clusterObjects(nsvc, 10, nodes, false)
	for b.Loop() {
		b.StopTimer()
		loop := sim.New(t0, 1)
		p, _ := New(loop, baseConfig(ModeIPTables))
		for i := range svcs {
			p.UpsertService(svcs[i])
			p.UpsertEndpointSlice(slices[i])
		}
		before := heapInUse()
		b.StartTimer()
		for i := range nodes {
			p.UpsertNode(mkNode("node-"+strconv.Itoa(i), "", addrFromUint(netip.MustParseAddr("192.168.0.0"), uint32(i+1)).String()))
		}
		if _, err := loop.RunUntilIdle(0); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(heapInUse()-before)/nodes, "B/node")
		runtime.KeepAlive(p)
		b.StartTimer()
	}
}
