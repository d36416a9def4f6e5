package proxy

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

func FuzzParseCIDRList(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "192.168.0.0/16, 2001:db8::/64", "1.2.3.4/32,,", "x", "0.0.0.0/0", " 10.0.0.0/8 ,::/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseCIDRList(s)
		if err != nil {
			return
		}
		// The rendered list parses back to the same prefixes.
		parts := make([]string, len(ps))
		for i, p := range ps {
			if !p.IsValid() {
				t.Fatalf("ParseCIDRList(%q) returned an invalid prefix", s)
			}
			parts[i] = p.String()
		}
		again, err := ParseCIDRList(strings.Join(parts, ","))
		if err != nil || !slices.Equal(again, ps) {
			t.Fatalf("round trip of %q: %v %v", s, again, err)
		}
	})
}

func FuzzParsePacket(f *testing.F) {
	for _, s := range []string{
		"10.0.0.2 -> 172.30.0.41:80", "10.0.0.2:5000 -> 172.30.0.41:53/udp", "[2001:db8::1]:1 -> [2001:db8::2]:2/sctp",
		"2001:db8::1 -> [2001:db8::2]:80", "->", "1.2.3.4 -> 1.2.3.4", "1.2.3.4 -> [::1]:80", "::ffff:1.2.3.4 -> 1.2.3.4:1/TCP",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePacket(s)
		if err != nil {
			return
		}
		again, err := ParsePacket(p.String())
		if err != nil || again != p {
			t.Fatalf("round trip of %q via %q: %+v %v", s, p.String(), again, err)
		}
	})
}

func FuzzParseHostPort(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "10.0.0.1:80", "[::1]:80", "::1", "fe80::1%eth0", "", "1.2.3.4:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ap, err := ParseHostPort(s)
		if err != nil {
			return
		}
		if !ap.Addr().IsValid() || ap.Addr().Is4In6() || ap.Addr().Zone() != "" {
			t.Fatalf("ParseHostPort(%q) = %v", s, ap)
		}
	})
}

// randomCluster loads a random but valid cluster: services of every type
// with random policies, ports, external IPs, LB IPs, source ranges and
// affinity, and random endpoints with random conditions, nodes and hints.
func randomCluster(r *rand.Rand, p *Proxy) (dsts []netip.AddrPort, eps []netip.Addr) {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	nsvc := 1 + r.IntN(6)
	for i := range nsvc {
		name := "svc" + itoa(i)
		cip := "172.30.0." + itoa(i+1)
		typ := []api.ServiceType{api.ServiceTypeClusterIP, api.ServiceTypeNodePort, api.ServiceTypeLoadBalancer}[r.IntN(3)]
		s := mkSvc("ns/"+name, cip, withType(typ))
		if r.IntN(4) == 0 {
			s.Spec.Type = api.ServiceTypeExternalName
		}
		if r.IntN(8) == 0 {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		}
		ports := []struct {
			name  string
			proto api.Protocol
			port  int32
		}{{"http", api.ProtocolTCP, 80}, {"dns", api.ProtocolUDP, 53}, {"https", api.ProtocolTCP, 443}}
		var slicePorts []slicePortSpec
		for j, pt := range ports {
			if j > 0 && r.IntN(2) == 0 {
				continue
			}
			np := int32(0)
			if typ != api.ServiceTypeClusterIP {
				np = int32(30000 + i*10 + j)
				dsts = append(dsts, netip.AddrPortFrom(netip.MustParseAddr("192.168.0.2"), uint16(np)),
					netip.AddrPortFrom(netip.MustParseAddr("192.168.1.2"), uint16(np)),
					netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(np)))
			}
			withPort(pt.name, pt.proto, pt.port, np)(s)
			slicePorts = append(slicePorts, sp(pt.name, pt.proto, pt.port+8000))
			dsts = append(dsts, netip.AddrPortFrom(netip.MustParseAddr(cip), uint16(pt.port)))
		}
		dsts = append(dsts, netip.AddrPortFrom(netip.MustParseAddr(cip), 81))
		if r.IntN(3) == 0 {
			ip := "192.168.99." + itoa(i+1)
			withExternalIPs(ip)(s)
			dsts = append(dsts, netip.AddrPortFrom(netip.MustParseAddr(ip), 80), netip.AddrPortFrom(netip.MustParseAddr(ip), 53))
		}
		if typ == api.ServiceTypeLoadBalancer {
			ip := "1.2.3." + itoa(i+1)
			if r.IntN(5) == 0 {
				withLBProxyMode(ip)(s)
			} else {
				withLB(ip)(s)
			}
			dsts = append(dsts, netip.AddrPortFrom(netip.MustParseAddr(ip), 80))
			if r.IntN(2) == 0 {
				withSourceRanges(pick("203.0.113.0/25", " 192.168.0.0/16", "10.0.0.0/8", "bogus"))(s)
			}
		}
		if r.IntN(2) == 0 {
			hc := int32(0)
			if typ == api.ServiceTypeLoadBalancer {
				hc = int32(31000 + i)
				dsts = append(dsts, netip.AddrPortFrom(netip.MustParseAddr("192.168.0.2"), uint16(hc)))
			}
			withETPLocal(hc)(s)
		}
		if r.IntN(4) == 0 {
			withITPLocal()(s)
		}
		if r.IntN(4) == 0 {
			withAffinity(int32(r.IntN(100)))(s)
		}
		p.UpsertService(s)

		var es []epSpec
		for k := range r.IntN(5) {
			ip := "10.180." + itoa(r.IntN(2)) + "." + itoa(i*10+k+1)
			node := pick("node1", "node2", "")
			e := ep(ip, node)
			switch r.IntN(5) {
			case 0:
				e = terminatingEP(ip, node, r.IntN(2) == 0)
			case 1:
				e = notReadyEP(ip, node)
			}
			if r.IntN(3) == 0 {
				e = e.zone(pick("zone-a", "zone-b"))
			}
			es = append(es, e)
			eps = append(eps, netip.MustParseAddr(ip))
		}
		if len(slicePorts) > 0 {
			p.UpsertEndpointSlice(mkSlice("ns/"+name+"-x", name, slicePorts, es...))
		}
	}
	dsts = append(dsts, netip.MustParseAddrPort("172.30.9.9:80"), netip.MustParseAddrPort("8.8.8.8:53"))
	p.SyncAll()
	return dsts, eps
}

// checkDifferential routes every (source, destination, protocol) on node1
// with the fast path and walks the same packet through the rendered rules
// for every endpoint of the service; both must agree on the verdict, the
// eligible endpoints and masquerading.
func checkDifferential(t *testing.T, seed uint64, m Mode, cfg Config) {
	r := rand.New(rand.NewPCG(seed, 99))
	cfg.Mode = m
	loop := sim.New(t0, seed)
	p, err := New(loop, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.UpsertNode(mkNode("node1", "zone-a", "192.168.0.2", "192.168.1.2"))
	p.UpsertNode(mkNode("node2", "zone-b", "192.168.0.3"))
	dsts, eps := randomCluster(r, p)
	n := p.Node("node1")
	tr := n.newTracer(fam4)
	srcs := []string{"10.180.0.200", "192.168.0.2", "127.0.0.1", "203.0.113.2", "203.0.113.130", "192.168.0.3", "1.2.3.1"}
	for _, e := range eps {
		srcs = append(srcs, e.String())
	}
	for _, s := range srcs {
		for _, d := range dsts {
			for _, proto := range []Protocol{TCP, UDP} {
				pkt := Packet{Src: netip.AddrPortFrom(netip.MustParseAddr(s), 40000), Dst: d, Proto: proto, Flow: FlowProbe}
				res := n.Route(t0, pkt)
				where := string(m) + " seed " + itoa(int(seed)) + " " + pkt.String()
				if res.Verdict != VerdictForward {
					got := tr.trace(pkt, netip.AddrPort{}, false)
					if got.verdict != res.Verdict {
						t.Fatalf("%s: fast path %v (%v), rules %v\n%s", where, res.Verdict, res.Reason, got.verdict, n.Rules())
					}
					continue
				}
				var all []Endpoint
				if res.rec != nil {
					all = res.rec.chain.at(n.ver).eps
				}
				for _, e := range all {
					got := tr.trace(pkt, e.Addr, false)
					eligible := res.Endpoints.Contains(e.Addr)
					if (got.verdict == VerdictForward && got.dnat == e.Addr) != eligible {
						t.Fatalf("%s: endpoint %v eligible=%v, but the rules reach %v (%v)\n%s", where, e.Addr, eligible, got.dnat, got.verdict, n.Rules())
					}
					if eligible {
						base := res.Masquerade && res.Chosen.Addr() != pkt.Src.Addr()
						if res.Chosen.Addr() == pkt.Src.Addr() {
							// Hairpin decided the fast path's bit; recompute the base.
							base = baseMasq(n, pkt, res)
						}
						want := base || e.Addr.Addr() == pkt.Src.Addr()
						if got.masq != want {
							t.Fatalf("%s: to %v masquerade: rules %v, fast path %v\n%s", where, e.Addr, got.masq, want, n.Rules())
						}
					}
				}
			}
		}
	}
}

// baseMasq re-derives the fast path's masquerade bit without the hairpin
// rule, by probing again from a source port that changes nothing else.
func baseMasq(n *Node, pkt Packet, res Result) bool {
	for i := range res.Endpoints.Len() {
		if res.Endpoints.At(i).Addr.Addr() != pkt.Src.Addr() {
			for range 64 {
				r := n.Route(t0, pkt)
				if r.Chosen.Addr() != pkt.Src.Addr() {
					return r.Masquerade
				}
			}
		}
	}
	// Every endpoint is the source itself: hairpin always applies.
	return true
}

func diffConfigs() []Config {
	base := baseConfig(ModeIPTables)
	noDet := base
	noDet.DetectLocal = DetectLocalNone
	masqAll := base
	masqAll.MasqueradeAll = true
	npa := base
	npa.NodePortAddresses = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/24")}
	noLo := base
	noLo.NoLocalhostNodePorts = true
	return []Config{base, noDet, masqAll, npa, noLo}
}

func TestDifferentialRandomClusters(t *testing.T) {
	seeds := 40
	if testing.Short() {
		seeds = 5
	}
	for seed := range uint64(seeds) {
		for ci, cfg := range diffConfigs() {
			for _, m := range []Mode{ModeIPTables, ModeNFTables} {
				checkDifferential(t, seed*10+uint64(ci), m, cfg)
			}
		}
	}
}

func FuzzRouteDifferential(f *testing.F) {
	f.Add(uint64(1), uint8(0), false)
	f.Add(uint64(7), uint8(2), true)
	f.Fuzz(func(t *testing.T, seed uint64, ci uint8, nft bool) {
		cfgs := diffConfigs()
		m := ModeIPTables
		if nft {
			m = ModeNFTables
		}
		checkDifferential(t, seed, m, cfgs[int(ci)%len(cfgs)])
	})
}

// FuzzUpsert feeds arbitrary field values through the ingestion path and the
// router: nothing may panic.
func FuzzUpsert(f *testing.F) {
	f.Add("10.96.0.1", "1.2.3.4", "10.0.0.0/8", "10.1.1.1", "IPv4", "TCP", int32(80), int32(30080), "Local", "ClientIP")
	f.Add("None", "", " ", "::1", "IPv6", "SCTP", int32(0), int32(-1), "", "")
	f.Fuzz(func(t *testing.T, cip, lb, rng, epIP, af, proto string, port, nodePort int32, etp, aff string) {
		loop := sim.New(t0, 1)
		p, _ := New(loop, baseConfig(ModeIPTables))
		p.UpsertNode(mkNode("n1", "z", "192.168.0.2"))
		s := mkSvc("ns/s", cip, withType(api.ServiceTypeLoadBalancer), withSourceRanges(rng))
		s.Spec.Ports = []api.ServicePort{{Name: "p", Protocol: api.Protocol(proto), Port: port, NodePort: nodePort}}
		s.Spec.ExternalTrafficPolicy = api.TrafficPolicy(etp)
		s.Spec.SessionAffinity = aff
		s.Spec.ExternalIPs = []string{lb, epIP}
		if a, err := netip.ParseAddr(lb); err == nil {
			s.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{IP: a}}
		}
		p.UpsertService(s)
		es := &api.EndpointSlice{AddressType: api.AddressType(af)}
		es.Namespace, es.Name = "ns", "s-1"
		es.Labels = map[string]string{api.LabelServiceName: "s"}
		pr := api.Protocol(proto)
		es.Ports = []api.EndpointSlicePort{{Name: ptr("p"), Protocol: &pr, Port: &port}}
		if a, err := netip.ParseAddr(epIP); err == nil {
			es.Endpoints = []api.Endpoint{{Addresses: []netip.Addr{a}, NodeName: ptr("n1")}}
		}
		p.UpsertEndpointSlice(es)
		p.SyncAll()
		n := p.Node("n1")
		for _, d := range []string{cip, lb, epIP, "192.168.0.2"} {
			a, err := netip.ParseAddr(d)
			if err != nil {
				continue
			}
			for _, dp := range []uint16{uint16(port), uint16(nodePort), 80} {
				pkt := Packet{Src: netip.MustParseAddrPort("10.0.0.9:1"), Dst: netip.AddrPortFrom(a, dp)}
				if a.Is6() {
					pkt.Src = netip.MustParseAddrPort("[fd00::9]:1")
				}
				n.Route(t0, pkt)
				n.Explain(t0, pkt)
			}
		}
		_ = n.Rules()
		_ = n.RulesFor(ModeNFTables, api.IPv6)
		_ = n.RulesFor(ModeIPVS, api.IPv4)
		p.DeleteEndpointSlice("ns", "s-1")
		p.DeleteService("ns", "s")
		p.SyncAll()
		if len(p.recList) != 0 || len(p.dispatch) != 0 || len(p.fast4) != 0 || len(p.vips) != 0 || len(p.nodePorts) != 0 || len(p.hcPorts) != 0 || len(p.services) != 0 {
			t.Fatalf("tables not empty after deleting everything: %d %d %d %d %d %d %d", len(p.recList), len(p.dispatch), len(p.fast4), len(p.vips), len(p.nodePorts), len(p.hcPorts), len(p.services))
		}
	})
}
