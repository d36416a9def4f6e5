package proxy

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// flowExpect is one expected outcome: a verdict and, for forwards, the
// eligible endpoints and the masquerade bit (hairpin masquerading, when the
// chosen endpoint is the source, is added by the checker).
type flowExpect struct {
	verdict Verdict
	eps     []string
	masq    bool
}

func parseExpect(t *testing.T, s string) flowExpect {
	t.Helper()
	s = strings.TrimSpace(s)
	switch s {
	case "none":
		return flowExpect{verdict: VerdictNone}
	case "DROP":
		return flowExpect{verdict: VerdictDrop}
	case "REJECT":
		return flowExpect{verdict: VerdictReject}
	case "ACCEPT":
		return flowExpect{verdict: VerdictAccept}
	}
	e := flowExpect{verdict: VerdictForward}
	if rest, ok := strings.CutSuffix(s, "(masq)"); ok {
		e.masq, s = true, strings.TrimSpace(rest)
	}
	for _, x := range strings.Split(s, ",") {
		e.eps = append(e.eps, strings.TrimSpace(x))
	}
	return e
}

// flowTable holds packet-flow lines "[MODES: ]SRC -> DST:PORT[/PROTO] => RESULT".
// A line without a mode prefix applies to every mode; a prefixed line
// overrides it for the modes it names ("nftables,ipvs: ...").
type flowTable struct {
	order []string
	want  map[string]map[Mode]flowExpect
	line  map[string]int
}

func parseFlows(t *testing.T, lines []string) *flowTable {
	t.Helper()
	ft := &flowTable{want: map[string]map[Mode]flowExpect{}, line: map[string]int{}}
	all := []Mode{ModeIPTables, ModeNFTables, ModeIPVS}
	for i, l := range lines {
		modes := all
		if m, rest, ok := strings.Cut(l, ": "); ok && !strings.Contains(m, "->") {
			modes = nil
			for _, x := range strings.Split(m, ",") {
				mode, err := ParseMode(x)
				if err != nil {
					t.Fatalf("line %d %q: %v", i, l, err)
				}
				modes = append(modes, mode)
			}
			l = rest
		}
		pkt, res, ok := strings.Cut(l, "=>")
		if !ok {
			t.Fatalf("line %d %q: missing =>", i, l)
		}
		pkt = strings.TrimSpace(pkt)
		if _, err := ParsePacket(pkt); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if ft.want[pkt] == nil {
			ft.want[pkt] = map[Mode]flowExpect{}
			ft.order = append(ft.order, pkt)
			ft.line[pkt] = i
		}
		e := parseExpect(t, res)
		for _, m := range modes {
			ft.want[pkt][m] = e
		}
	}
	return ft
}

// checkFlows routes every packet of the table on the node (as probes) and
// checks the fast path's answer; for iptables and nftables it also walks the
// packet through the rendered rules, for every expected endpoint, and checks
// that the rules agree.
func checkFlows(t *testing.T, n *Node, ft *flowTable) {
	t.Helper()
	mode := n.p.cfg.Mode
	for _, ps := range ft.order {
		want, ok := ft.want[ps][mode]
		if !ok {
			continue
		}
		pkt, _ := ParsePacket(ps)
		pkt.Flow = FlowProbe
		r := n.Route(t0, pkt)
		where := "flow " + itoa(ft.line[ps]) + " [" + string(mode) + "] " + ps
		if r.Verdict != want.verdict {
			t.Errorf("%s: verdict %v (%v), want %v", where, r.Verdict, r.Reason, want.verdict)
			continue
		}
		if want.verdict != VerdictForward {
			checkTrace(t, n, pkt, netip.AddrPort{}, want, where)
			continue
		}
		if got := r.Endpoints.Strings(); !slices.Equal(got, want.eps) {
			t.Errorf("%s: endpoints %v, want %v", where, got, want.eps)
		}
		if !slices.Contains(want.eps, r.Chosen.String()) {
			t.Errorf("%s: chose %v, not eligible", where, r.Chosen)
		}
		hairpin := r.Chosen.Addr() == pkt.Src.Addr()
		if r.Masquerade != (want.masq || hairpin) {
			t.Errorf("%s: masquerade %v, want %v", where, r.Masquerade, want.masq || hairpin)
		}
		for _, e := range want.eps {
			checkTrace(t, n, pkt, netip.MustParseAddrPort(e), want, where)
		}
	}
}

func checkTrace(t *testing.T, n *Node, pkt Packet, chosen netip.AddrPort, want flowExpect, where string) {
	t.Helper()
	if n.p.cfg.Mode == ModeIPVS {
		return
	}
	got := n.traceWith(pkt, chosen, false)
	if got.verdict != want.verdict {
		t.Errorf("%s: rules trace verdict %v, want %v", where, got.verdict, want.verdict)
		return
	}
	if want.verdict != VerdictForward {
		return
	}
	if got.dnat != chosen {
		t.Errorf("%s: rules trace cannot reach %v (DNAT to %v)", where, chosen, got.dnat)
	}
	if wm := want.masq || chosen.Addr() == pkt.Src.Addr(); got.masq != wm {
		t.Errorf("%s: rules trace to %v: masquerade %v, want %v", where, chosen, got.masq, wm)
	}
}

// The base packet-flow table over loadFixture, for node1 (192.168.0.2 and
// 192.168.1.2, zone-a).
var baseFlows = []string{
	// ClusterIP: pods keep their source, everything else is masqueraded.
	"10.180.0.100 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
	"10.180.1.100 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
	"192.168.0.2 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80 (masq)",
	"203.0.113.2 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80 (masq)",
	"10.180.0.1:5000 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
	// Wrong port or protocol on a live cluster IP; unallocated service IP.
	"10.180.0.100 -> 172.30.0.41:81 => none",
	"nftables,ipvs: 10.180.0.100 -> 172.30.0.41:81 => REJECT",
	"10.180.0.100 -> 172.30.0.41:80/udp => none",
	"nftables,ipvs: 10.180.0.100 -> 172.30.0.41:80/udp => REJECT",
	"10.180.0.100 -> 172.30.0.99:80 => none",
	"nftables: 10.180.0.100 -> 172.30.0.99:80 => DROP",
	"10.180.0.100 -> 8.8.8.8:53/udp => none",

	// eTP=Local LoadBalancer: cluster IP uses all endpoints.
	"10.180.0.100 -> 172.30.0.42:80 => 10.180.0.2:80, 10.180.1.2:80",
	"203.0.113.2 -> 172.30.0.42:80 => 10.180.0.2:80, 10.180.1.2:80 (masq)",
	// External clients get the local endpoint, source preserved.
	"203.0.113.2 -> 192.168.0.2:3001 => 10.180.0.2:80",
	"203.0.113.2 -> 192.168.1.2:3001 => 10.180.0.2:80",
	"nftables: 203.0.113.2 -> 192.168.1.2:3001 => none",
	"203.0.113.2 -> 192.168.99.22:80 => 10.180.0.2:80",
	"203.0.113.2 -> 1.2.3.4:80 => 10.180.0.2:80",
	// Pods and the node short-circuit to all endpoints (not in IPVS).
	"10.180.0.100 -> 192.168.0.2:3001 => 10.180.0.2:80, 10.180.1.2:80",
	"10.180.1.100 -> 1.2.3.4:80 => 10.180.0.2:80, 10.180.1.2:80",
	"10.180.0.100 -> 192.168.99.22:80 => 10.180.0.2:80, 10.180.1.2:80",
	"ipvs: 10.180.0.100 -> 192.168.0.2:3001 => 10.180.0.2:80",
	"ipvs: 10.180.1.100 -> 1.2.3.4:80 => 10.180.0.2:80",
	"ipvs: 10.180.0.100 -> 192.168.99.22:80 => 10.180.0.2:80",
	"192.168.0.2 -> 192.168.0.2:3001 => 10.180.0.2:80, 10.180.1.2:80 (masq)",
	"192.168.1.2 -> 1.2.3.4:80 => 10.180.0.2:80, 10.180.1.2:80 (masq)",
	"ipvs: 192.168.0.2 -> 192.168.0.2:3001 => 10.180.0.2:80",
	"ipvs: 192.168.1.2 -> 1.2.3.4:80 => 10.180.0.2:80",
	// Localhost node ports: iptables only.
	"127.0.0.1 -> 127.0.0.1:3001 => 10.180.0.2:80, 10.180.1.2:80 (masq)",
	"nftables,ipvs: 127.0.0.1 -> 127.0.0.1:3001 => none",
	// Health-check node port.
	"203.0.113.2 -> 192.168.0.2:30000 => ACCEPT",
	"203.0.113.2 -> 192.168.0.2:30000/udp => none",

	// eTP=Cluster NodePort: always masqueraded.
	"203.0.113.2 -> 192.168.0.2:3003 => 10.180.1.3:80 (masq)",
	"10.180.0.100 -> 192.168.0.2:3003 => 10.180.1.3:80 (masq)",
	"127.0.0.1 -> 127.0.0.1:3003 => 10.180.1.3:80 (masq)",
	"nftables,ipvs: 127.0.0.1 -> 127.0.0.1:3003 => none",
	"203.0.113.2 -> 192.168.0.3:3003 => none",
	"203.0.113.2 -> 192.168.0.2:3004 => none",

	// No endpoints at all: REJECT on every address.
	"10.180.0.100 -> 172.30.0.44:80 => REJECT",
	"203.0.113.2 -> 192.168.99.33:80 => REJECT",

	// loadBalancerSourceRanges apply to the LB IP only, pods included.
	"203.0.113.2 -> 5.6.7.8:80 => 10.180.1.5:80 (masq)",
	"203.0.113.130 -> 5.6.7.8:80 => DROP",
	"10.180.0.100 -> 5.6.7.8:80 => DROP",
	"192.168.0.2 -> 5.6.7.8:80 => DROP",
	"203.0.113.130 -> 192.168.0.2:3002 => 10.180.1.5:80 (masq)",

	// iTP=Local with endpoints only elsewhere: DROP.
	"10.180.0.100 -> 172.30.0.46:80 => DROP",

	// eTP=Local node port with no local endpoint.
	"203.0.113.2 -> 192.168.0.2:3007 => DROP",
	"10.180.0.100 -> 192.168.0.2:3007 => 10.180.1.7:80",
	"192.168.0.2 -> 192.168.0.2:3007 => 10.180.1.7:80 (masq)",
	"ipvs: 10.180.0.100 -> 192.168.0.2:3007 => DROP",
	"ipvs: 192.168.0.2 -> 192.168.0.2:3007 => DROP",
	"10.180.0.100 -> 172.30.0.47:80 => 10.180.1.7:80",

	// Terminating fallback: serving terminating endpoints only.
	"10.180.0.100 -> 172.30.0.48:80 => 10.180.0.8:80",

	// UDP and TCP on one port number are independent; hairpin masquerades.
	"10.180.0.100 -> 172.30.0.49:53/udp => 10.180.0.9:53",
	"10.180.0.100 -> 172.30.0.49:53/tcp => 10.180.0.9:53",
	"10.180.0.9 -> 172.30.0.49:53/udp => 10.180.0.9:53 (masq)",
	"10.180.0.100 -> 172.30.0.49:53/sctp => none",
	"nftables,ipvs: 10.180.0.100 -> 172.30.0.49:53/sctp => REJECT",

	// Headless services are not proxied.
	"10.180.0.100 -> 10.180.0.10:80 => none",

	// Zone hints: node1 is in zone-a.
	"10.180.0.100 -> 172.30.0.51:80 => 10.180.0.11:80, 10.180.1.12:80",

	// ipMode Proxy LB IPs are not programmed; the node port is.
	"203.0.113.2 -> 9.10.11.12:80 => none",
	"203.0.113.2 -> 192.168.0.2:3012 => 10.180.1.12:80 (masq)",
}

func TestPacketFlows(t *testing.T) {
	ft := parseFlows(t, baseFlows)
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			p, _ := newTestProxy(t, baseConfig(m))
			loadFixture(p)
			checkFlows(t, p.Node("node1"), ft)
		})
	}
}

func TestPacketFlowsMasqueradeAll(t *testing.T) {
	ft := parseFlows(t, []string{
		"10.180.0.100 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80 (masq)",
		"192.168.0.2 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80 (masq)",
		// masqueradeAll does not change external traffic with eTP=Local.
		"203.0.113.2 -> 192.168.0.2:3001 => 10.180.0.2:80",
		"10.180.0.100 -> 192.168.0.2:3001 => 10.180.0.2:80, 10.180.1.2:80",
		"ipvs: 10.180.0.100 -> 192.168.0.2:3001 => 10.180.0.2:80",
	})
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			cfg := baseConfig(m)
			cfg.MasqueradeAll = true
			p, _ := newTestProxy(t, cfg)
			loadFixture(p)
			checkFlows(t, p.Node("node1"), ft)
		})
	}
}

func TestPacketFlowsNoLocalDetector(t *testing.T) {
	ft := parseFlows(t, []string{
		// Cluster IP traffic is never masqueraded without a detector.
		"10.180.0.100 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
		"192.168.0.2 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
		"203.0.113.2 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
		// Pods lose the eTP=Local short-circuit; the node keeps it.
		"10.180.0.100 -> 192.168.0.2:3001 => 10.180.0.2:80",
		"10.180.0.100 -> 192.168.0.2:3007 => DROP",
		"192.168.0.2 -> 192.168.0.2:3001 => 10.180.0.2:80, 10.180.1.2:80 (masq)",
		"ipvs: 192.168.0.2 -> 192.168.0.2:3001 => 10.180.0.2:80",
		"ipvs: 192.168.0.2 -> 192.168.0.2:3007 => DROP",
		// Hairpin still masquerades.
		"10.180.0.9 -> 172.30.0.49:53/udp => 10.180.0.9:53 (masq)",
	})
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			cfg := baseConfig(m)
			cfg.DetectLocal = DetectLocalNone
			p, _ := newTestProxy(t, cfg)
			loadFixture(p)
			checkFlows(t, p.Node("node1"), ft)
		})
	}
}

func TestPacketFlowsNodeCIDRDetector(t *testing.T) {
	ft := parseFlows(t, []string{
		// Only node1's own pod CIDR counts as pods.
		"10.180.0.100 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80",
		"10.180.1.100 -> 172.30.0.41:80 => 10.180.0.1:80, 10.180.1.1:80 (masq)",
		"10.180.1.100 -> 1.2.3.4:80 => 10.180.0.2:80",
	})
	for _, m := range []Mode{ModeIPTables, ModeNFTables} {
		t.Run(string(m), func(t *testing.T) {
			cfg := baseConfig(m)
			cfg.DetectLocal = DetectLocalNodeCIDR
			p, _ := newTestProxy(t, cfg)
			n1 := mkNode("node1", "zone-a", "192.168.0.2", "192.168.1.2")
			n1.Spec.PodCIDR = "10.180.0.0/24"
			p.UpsertNode(n1)
			loadFixture(p)
			checkFlows(t, p.Node("node1"), ft)
		})
	}
}

func TestPacketFlowsNodePortAddresses(t *testing.T) {
	ft := parseFlows(t, []string{
		"203.0.113.2 -> 192.168.0.2:3003 => 10.180.1.3:80 (masq)",
		"203.0.113.2 -> 192.168.1.2:3003 => none",
		// iptables' filter rules for services without (local) endpoints
		// match any local address.
		"203.0.113.2 -> 192.168.1.2:3007 => none",
		"iptables: 203.0.113.2 -> 192.168.1.2:3007 => DROP",
		// A node-port address list without loopback disables localhost
		// node ports.
		"127.0.0.1 -> 127.0.0.1:3003 => none",
	})
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			cfg := baseConfig(m)
			cfg.NodePortAddresses = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/24")}
			p, _ := newTestProxy(t, cfg)
			loadFixture(p)
			checkFlows(t, p.Node("node1"), ft)
		})
	}
	// nftables with an explicit match-all list accepts every local address.
	ft = parseFlows(t, []string{
		"203.0.113.2 -> 192.168.1.2:3003 => 10.180.1.3:80 (masq)",
		"127.0.0.1 -> 127.0.0.1:3003 => none",
	})
	cfg := baseConfig(ModeNFTables)
	cfg.NodePortAddresses = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	p, _ := newTestProxy(t, cfg)
	loadFixture(p)
	checkFlows(t, p.Node("node1"), ft)
}

func TestPacketFlowsNoLocalhostNodePorts(t *testing.T) {
	ft := parseFlows(t, []string{
		"127.0.0.1 -> 127.0.0.1:3003 => none",
		"203.0.113.2 -> 192.168.0.2:3003 => 10.180.1.3:80 (masq)",
	})
	cfg := baseConfig(ModeIPTables)
	cfg.NoLocalhostNodePorts = true
	p, _ := newTestProxy(t, cfg)
	loadFixture(p)
	checkFlows(t, p.Node("node1"), ft)
}

func TestPacketFlowsOtherNode(t *testing.T) {
	// node2 (zone-b) sees the same services with its own local endpoints.
	ft := parseFlows(t, []string{
		"203.0.113.2 -> 192.168.0.3:3001 => 10.180.1.2:80",
		"203.0.113.2 -> 192.168.0.3:3007 => 10.180.1.7:80",
		"10.180.1.100 -> 172.30.0.46:80 => 10.180.1.6:80",
		"10.180.1.100 -> 172.30.0.51:80 => 10.180.1.11:80",
		"203.0.113.2 -> 192.168.0.3:30000 => ACCEPT",
		"10.180.1.100 -> 172.30.0.48:80 => 10.180.0.8:80",
	})
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			p, _ := newTestProxy(t, baseConfig(m))
			loadFixture(p)
			checkFlows(t, p.Node("node2"), ft)
		})
	}
}

func TestPacketFlowsIPv6(t *testing.T) {
	ft := parseFlows(t, []string{
		"fd00:10::9 -> [fd00:172:30::41]:80 => [fd00:10::1]:80, [fd00:10::2]:80",
		"2001:db8::2 -> [fd00:172:30::41]:80 => [fd00:10::1]:80, [fd00:10::2]:80 (masq)",
		"2001:db8:2::7 -> [2001:db8:1::4]:80 => [fd00:10::1]:80",
		"2001:db8:3::7 -> [2001:db8:1::4]:80 => DROP",
		"2001:db8:2::7 -> [2001:db8::2]:3001 => [fd00:10::1]:80",
		"::1 -> [::1]:3001 => none",
		"fd00:10::9 -> [fd00:172:30::42]:80 => REJECT",
		"fd00:10::9 -> [fd00:172:30::41]:81 => none",
		"nftables,ipvs: fd00:10::9 -> [fd00:172:30::41]:81 => REJECT",
		"fd00:10::9 -> [fd00:172:30::99]:80 => none",
		"nftables: fd00:10::9 -> [fd00:172:30::99]:80 => DROP",
		// IPv4 still works on the dual-stack service.
		"10.180.0.9 -> 172.30.0.41:80 => REJECT",
	})
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		t.Run(string(m), func(t *testing.T) {
			checkFlows(t, dualStackFixture(t, m).Node("node1"), ft)
		})
	}
}

func TestConntrackIPv6(t *testing.T) {
	p := dualStackFixture(t, ModeIPTables)
	n := p.Node("node1")
	pkt := mustPacket(t, "[fd00:10::9]:5000 -> [fd00:172:30::41]:80")
	first := n.Route(t0, pkt)
	if again := n.Route(t0, pkt); !again.Established || again.Chosen != first.Chosen {
		t.Fatalf("IPv6 flow not tracked: %+v then %+v", first, again)
	}
	n.CloseFlow(pkt)
	if n.Flows() != 0 {
		t.Fatalf("%d flows after CloseFlow", n.Flows())
	}
}
