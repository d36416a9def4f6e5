package proxy

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

// webCluster is one node with a service of n endpoints on TCP 80 and UDP 53.
func webCluster(t testing.TB, m Mode, n int, opts ...svcOpt) (*Proxy, *sim.Loop, *Node) {
	t.Helper()
	loop := sim.New(t0, 7)
	p, err := New(loop, baseConfig(m))
	if err != nil {
		t.Fatal(err)
	}
	p.UpsertNode(mkNode("n1", "", "192.168.0.2"))
	opts = append([]svcOpt{withPort("http", api.ProtocolTCP, 80, 0), withPort("dns", api.ProtocolUDP, 53, 0)}, opts...)
	p.UpsertService(mkSvc("ns/web", "172.30.0.10", opts...))
	setEndpoints(p, n)
	p.SyncAll()
	return p, loop, p.Node("n1")
}

func setEndpoints(p *Proxy, n int) {
	var eps []epSpec
	for i := range n {
		eps = append(eps, ep("10.180.0."+itoa(i+1), "n1"))
	}
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web",
		[]slicePortSpec{sp("http", api.ProtocolTCP, 8080), sp("dns", api.ProtocolUDP, 5353)}, eps...))
}

func TestConntrackKeepsEstablishedTCPFlows(t *testing.T) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			p, loop, n := webCluster(t, m, 3)
			pkt := mustPacket(t, "10.180.1.5:40000 -> 172.30.0.10:80")
			first := n.Route(loop.Now(), pkt)
			if first.Verdict != VerdictForward || first.Established {
				t.Fatalf("first packet: %+v", first)
			}
			// Same tuple, rules unchanged: the established entry decides.
			again := n.Route(loop.Now(), pkt)
			if !again.Established || again.Chosen != first.Chosen {
				t.Fatalf("second packet: %+v, want established to %v", again, first.Chosen)
			}
			// Remove the chosen endpoint and sync.
			var keep []epSpec
			for i := range 3 {
				a := "10.180.0." + itoa(i+1)
				if a != first.Chosen.Addr().String() {
					keep = append(keep, ep(a, "n1"))
				}
			}
			p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 8080), sp("dns", api.ProtocolUDP, 5353)}, keep...))
			p.SyncAll()
			r := n.Route(loop.Now(), pkt)
			if m == ModeIPVS {
				// expire_nodest_conn: the connection is expired and dropped.
				if r.Verdict != VerdictDrop || r.Reason != ReasonNoDestination {
					t.Fatalf("IPVS after endpoint removal: %+v, want drop (no destination)", r)
				}
				return
			}
			if !r.Established || r.Chosen != first.Chosen {
				t.Fatalf("after endpoint removal: %+v, want established flow kept on %v", r, first.Chosen)
			}
			// A new connection from another port uses the new rules.
			r = n.Route(loop.Now(), mustPacket(t, "10.180.1.5:40001 -> 172.30.0.10:80"))
			if r.Established || r.Chosen == first.Chosen || r.Endpoints.Len() != 2 {
				t.Fatalf("new connection: %+v", r)
			}
		})
	}
}

func TestConntrackUDPCleanupOnSync(t *testing.T) {
	p, loop, n := webCluster(t, ModeIPTables, 2)
	pkt := mustPacket(t, "10.180.1.5:40000 -> 172.30.0.10:53/udp")
	first := n.Route(loop.Now(), pkt)
	if first.Verdict != VerdictForward {
		t.Fatal(first)
	}
	other := "10.180.0.1"
	if first.Chosen.Addr().String() == other {
		other = "10.180.0.2"
	}
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 8080), sp("dns", api.ProtocolUDP, 5353)}, ep(other, "n1")))
	// Not synced yet: the stale entry still answers.
	if r := n.Route(loop.Now(), pkt); !r.Established {
		t.Fatalf("before sync: %+v, want established", r)
	}
	loop.RunFor(5 * time.Second)
	// kube-proxy deleted the UDP entry of the removed endpoint at its sync.
	r := n.Route(loop.Now(), pkt)
	if r.Established || r.Chosen.Addr().String() != other {
		t.Fatalf("after sync: %+v, want a new flow to %s", r, other)
	}
}

func TestConntrackTimeoutsAndFlowModes(t *testing.T) {
	_, loop, n := webCluster(t, ModeIPTables, 10)
	udp := mustPacket(t, "10.180.1.5:40000 -> 172.30.0.10:53/udp")
	first := n.Route(loop.Now(), udp)
	if r := n.Route(loop.Now().Add(29*time.Second), udp); !r.Established {
		t.Fatalf("UDP after 29s idle: %+v, want established", r)
	}
	// Each packet refreshes the entry: 29s after the last one it still lives.
	if r := n.Route(loop.Now().Add(58*time.Second), udp); !r.Established {
		t.Fatalf("UDP after 29s idle again: %+v, want established", r)
	}
	if r := n.Route(loop.Now().Add(89*time.Second), udp); r.Established {
		t.Fatalf("UDP after 31s idle: %+v, want a new flow", r)
	}
	_ = first

	tcp := mustPacket(t, "10.180.1.5:40000 -> 172.30.0.10:80")
	a := n.Route(loop.Now(), tcp)
	if r := n.Route(loop.Now().Add(23*time.Hour), tcp); !r.Established || r.Chosen != a.Chosen {
		t.Fatalf("TCP after 23h: %+v", r)
	}
	// FlowProbe records nothing.
	before := n.Flows()
	pr := tcp
	pr.Src = netip.MustParseAddrPort("10.180.1.6:1")
	pr.Flow = FlowProbe
	n.Route(loop.Now(), pr)
	n.Route(loop.Now(), pr)
	if n.Flows() != before {
		t.Fatalf("probe created conntrack entries: %d -> %d", before, n.Flows())
	}
	// FlowNew ignores the existing entry; CloseFlow removes it.
	nw := tcp
	nw.Flow = FlowNew
	if r := n.Route(loop.Now(), nw); r.Established {
		t.Fatalf("FlowNew answered from conntrack: %+v", r)
	}
	n.CloseFlow(tcp)
	if r := n.Route(loop.Now(), tcp); r.Established {
		t.Fatalf("after CloseFlow: %+v, want a new flow", r)
	}
	n.ExpireFlows(loop.Now().Add(48 * time.Hour))
	if n.Flows() != 0 {
		t.Fatalf("%d flows left after expiry", n.Flows())
	}
}

func TestClientIPAffinity(t *testing.T) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			_, loop, n := webCluster(t, m, 10, withAffinity(60))
			now := loop.Now()
			first := n.Route(now, mustPacket(t, "10.180.1.5:40000 -> 172.30.0.10:80"))
			if first.Affinity {
				t.Fatalf("first connection reports affinity")
			}
			// New connections (new source ports) within the timeout stick;
			// each one refreshes the timer.
			for i := 1; i <= 5; i++ {
				now = now.Add(50 * time.Second)
				r := n.Route(now, mustPacket(t, "10.180.1.5:"+itoa(40000+i)+" -> 172.30.0.10:80"))
				if !r.Affinity || r.Chosen != first.Chosen {
					t.Fatalf("connection %d at +%v: %+v, want affinity to %v", i, now.Sub(t0), r, first.Chosen)
				}
			}
			// Another client is balanced independently.
			other := n.Route(now, mustPacket(t, "10.180.1.6:40000 -> 172.30.0.10:80"))
			if other.Affinity {
				t.Fatalf("other client reports affinity")
			}
			// After the timeout the record has expired.
			now = now.Add(61 * time.Second)
			if r := n.Route(now, mustPacket(t, "10.180.1.5:50000 -> 172.30.0.10:80")); r.Affinity {
				t.Fatalf("after timeout: %+v, want no affinity", r)
			}
		})
	}
}

func TestEndpointChoiceIsUniform(t *testing.T) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables} {
		_, loop, n := webCluster(t, m, 10)
		n.SetRand(rand.New(rand.NewPCG(1, 2)))
		counts := map[netip.AddrPort]int{}
		const draws = 20000
		pkt := mustPacket(t, "10.180.1.5:1 -> 172.30.0.10:80")
		pkt.Flow = FlowProbe
		for range draws {
			counts[n.Route(loop.Now(), pkt).Chosen]++
		}
		if len(counts) != 10 {
			t.Fatalf("%s: %d endpoints chosen, want 10", m, len(counts))
		}
		chi := 0.0
		for _, c := range counts {
			d := float64(c) - draws/10
			chi += d * d / (draws / 10)
		}
		if chi > 27.9 { // chi-square, 9 degrees of freedom, p = 0.001
			t.Errorf("%s: chi-square %.1f: not uniform: %v", m, chi, counts)
		}
	}
}

func TestIPVSRoundRobin(t *testing.T) {
	_, loop, n := webCluster(t, ModeIPVS, 3)
	pkt := mustPacket(t, "10.180.1.5:1 -> 172.30.0.10:80")
	pkt.Flow = FlowProbe
	var got []string
	for range 6 {
		got = append(got, n.Route(loop.Now(), pkt).Chosen.String())
	}
	want := []string{"10.180.0.1:8080", "10.180.0.2:8080", "10.180.0.3:8080", "10.180.0.1:8080", "10.180.0.2:8080", "10.180.0.3:8080"}
	if !slices.Equal(got, want) {
		t.Errorf("rr order %v, want %v", got, want)
	}
}

func TestDeterministicChoices(t *testing.T) {
	run := func() []string {
		_, loop, n := webCluster(t, ModeIPTables, 10)
		var out []string
		for i := range 50 {
			out = append(out, n.Route(loop.Now(), mustPacket(t, "10.180.1.5:"+itoa(1000+i)+" -> 172.30.0.10:80")).Chosen.String())
		}
		return out
	}
	if a, b := run(), run(); !slices.Equal(a, b) {
		t.Errorf("same seed, different choices:\n%v\n%v", a, b)
	}
}

func TestTopologyHints(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	p.UpsertNode(mkNode("n1", "zone-a", "192.168.0.2"))
	p.UpsertNode(mkNode("n2", "zone-c", "192.168.0.3"))
	p.UpsertNode(mkNode("n3", "", "192.168.0.4"))
	port := []slicePortSpec{sp("p", api.ProtocolTCP, 80)}
	add := func(name, cip string, eps ...epSpec) {
		p.UpsertService(mkSvc("ns/"+name, cip, withPort("p", api.ProtocolTCP, 80, 0)))
		p.UpsertEndpointSlice(mkSlice("ns/"+name+"-1", name, port, eps...))
	}
	add("zones", "172.30.0.1", ep("10.0.0.1", "n1").zone("zone-a"), ep("10.0.0.2", "n2").zone("zone-b"))
	add("missing", "172.30.0.2", ep("10.0.0.1", "n1").zone("zone-a"), ep("10.0.0.2", "n2"))
	add("nodes", "172.30.0.3", ep("10.0.0.1", "n1").forNodes("n1").zone("zone-a"), ep("10.0.0.2", "n2").forNodes("n2").zone("zone-a"))
	add("notready", "172.30.0.4", ep("10.0.0.1", "n1").zone("zone-a"), notReadyEP("10.0.0.2", "n2"), ep("10.0.0.3", "n2").zone("zone-b"))
	p.SyncAll()
	cases := []struct {
		node, dst, want string
	}{
		{"n1", "172.30.0.1", "10.0.0.1:80"},
		{"n2", "172.30.0.1", "10.0.0.1:80,10.0.0.2:80"}, // no hint for zone-c: no filtering
		{"n3", "172.30.0.1", "10.0.0.1:80,10.0.0.2:80"}, // node without zone label
		{"n1", "172.30.0.2", "10.0.0.1:80,10.0.0.2:80"}, // an endpoint lacks a hint
		{"n1", "172.30.0.3", "10.0.0.1:80"},             // node hints win over zone hints
		{"n2", "172.30.0.3", "10.0.0.2:80"},
		{"n3", "172.30.0.3", "10.0.0.1:80,10.0.0.2:80"}, // no node hint for n3, no zone
		{"n1", "172.30.0.4", "10.0.0.1:80"},             // unready endpoints need no hint
	}
	for _, c := range cases {
		r := probe(t, p.Node(c.node), loop.Now(), "10.9.9.9 -> "+c.dst+":80")
		if got := joinStrings(r.Endpoints.Strings()); got != c.want {
			t.Errorf("%s -> %s: %s, want %s", c.node, c.dst, got, c.want)
		}
	}
}

func joinStrings(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func TestHealthCheckResponse(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	p.UpsertNode(mkNode("n1", "", "192.168.0.2"))
	p.UpsertNode(mkNode("n2", "", "192.168.0.3"))
	p.UpsertService(mkSvc("ns/lb", "172.30.0.1", withType(api.ServiceTypeLoadBalancer), withETPLocal(32000),
		withPort("a", api.ProtocolTCP, 80, 30080), withPort("b", api.ProtocolTCP, 443, 30443), withLB("1.2.3.4")))
	p.UpsertEndpointSlice(mkSlice("ns/lb-1", "lb", []slicePortSpec{sp("a", api.ProtocolTCP, 80), sp("b", api.ProtocolTCP, 443)},
		ep("10.0.0.1", "n1"), terminatingEP("10.0.0.2", "n2", true)))
	p.SyncAll()
	// Counted over both ports, as kube-proxy's health server counts them.
	if hc, ok := p.Node("n1").HealthCheckResponse("ns", "lb"); !ok || hc.LocalEndpoints != 2 || hc.StatusCode != 200 {
		t.Errorf("n1: %+v %v, want 2 local endpoints, 200", hc, ok)
	}
	// Terminating endpoints do not count, even though traffic falls back to them.
	if hc, ok := p.Node("n2").HealthCheckResponse("ns", "lb"); !ok || hc.LocalEndpoints != 0 || hc.StatusCode != 503 {
		t.Errorf("n2: %+v %v, want 0 local endpoints, 503", hc, ok)
	}
	r := probe(t, p.Node("n2"), loop.Now(), "203.0.113.2 -> 192.168.0.3:30080")
	if r.Verdict != VerdictForward || r.Chosen.String() != "10.0.0.2:80" {
		t.Errorf("n2 node port: %+v, want the local serving-terminating endpoint", r)
	}
	r = probe(t, p.Node("n2"), loop.Now(), "203.0.113.2 -> 192.168.0.3:32000")
	if r.Verdict != VerdictAccept || r.HealthLocalEndpoints != 0 {
		t.Errorf("n2 health check port: %+v", r)
	}
	if _, ok := p.Node("n1").HealthCheckResponse("ns", "nope"); ok {
		t.Errorf("health check for an unknown service")
	}
}

// TestExplainCost shows iptables' first-packet cost growing with the number
// of services while nftables and IPVS stay flat.
func TestExplainCost(t *testing.T) {
	costs := map[Mode][2]int{}
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		var c [2]int
		for i, nsvc := range []int{10, 1000} {
			loop := sim.New(t0, 1)
			p, _ := New(loop, baseConfig(m))
			p.UpsertNode(mkNode("n1", "", "192.168.0.2"))
			for s := range nsvc {
				name := "s" + itoa(s)
				cip := "172.30." + itoa(s/250) + "." + itoa(s%250+1)
				p.UpsertService(mkSvc("ns/"+name, cip, withPort("p", api.ProtocolTCP, 80, 0)))
				p.UpsertEndpointSlice(mkSlice("ns/"+name+"-1", name, []slicePortSpec{sp("p", api.ProtocolTCP, 80)}, ep("10.0.0.1", "n1")))
			}
			p.SyncAll()
			// The last service in rule order: zz sorts after every "s...".
			p.UpsertService(mkSvc("ns/zz", "172.30.200.1", withPort("p", api.ProtocolTCP, 80, 0)))
			p.UpsertEndpointSlice(mkSlice("ns/zz-1", "zz", []slicePortSpec{sp("p", api.ProtocolTCP, 80)}, ep("10.0.0.2", "n1")))
			p.SyncAll()
			d := p.Node("n1").Explain(loop.Now(), mustPacket(t, "10.180.0.1 -> 172.30.200.1:80"))
			if d.Verdict != VerdictForward {
				t.Fatalf("%s: %+v", m, d)
			}
			c[i] = d.Cost
		}
		costs[m] = c
	}
	t.Logf("first-packet cost at 10 and 1000 services: %v", costs)
	if c := costs[ModeIPTables]; c[1]-c[0] < 990 {
		t.Errorf("iptables cost %v: want growth with services", c)
	}
	for _, m := range []Mode{ModeNFTables, ModeIPVS} {
		if c := costs[m]; c[0] != c[1] {
			t.Errorf("%s cost %v: want flat", m, c)
		}
	}
}
