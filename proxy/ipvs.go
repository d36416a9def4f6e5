package proxy

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ipvsVS is one IPVS virtual server and its real servers.
type ipvsVS struct {
	proto   Protocol
	addr    netip.AddrPort
	persist int
	dests   []Endpoint
	st      *spState
}

// ipvsServers lists the virtual servers kube-proxy's IPVS mode programs on
// the node for one family: cluster IPs, external IPs, LB VIPs and node ports
// on every node-port address.
func (n *Node) ipvsServers(f family) []ipvsVS {
	var out []ipvsVS
	npAddrs := n.ipvsNodePortAddrs(f)
	for _, vp := range n.viewPorts(f, nil) {
		st := vp.st
		persist := 0
		if st.svc.affinity {
			persist = st.svc.stickySeconds
		}
		proto := st.rec.name.Protocol
		internal := st.clusterSet(n.id, n.zone)
		if st.svc.iTPLocal {
			internal = st.localSet(n.id)
		}
		external := st.clusterSet(n.id, n.zone)
		if st.svc.eTPLocal {
			external = st.localSet(n.id)
		}
		if !st.hasAny {
			internal, external = nil, nil
		}
		add := func(a netip.Addr, port uint16, dests []Endpoint) {
			out = append(out, ipvsVS{proto: proto, addr: netip.AddrPortFrom(a, port), persist: persist, dests: dests, st: st})
		}
		add(st.svc.clusterIP, st.port, internal)
		for _, a := range st.svc.externalIPs {
			add(a, st.port, external)
		}
		for _, a := range st.svc.lbVIPs {
			add(a, st.port, external)
		}
		if st.nodePort != 0 {
			for _, a := range npAddrs {
				add(a, st.nodePort, external)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b ipvsVS) int {
		if c := cmp.Compare(a.proto, b.proto); c != 0 {
			return c
		}
		if c := a.addr.Addr().Compare(b.addr.Addr()); c != 0 {
			return c
		}
		return cmp.Compare(a.addr.Port(), b.addr.Port())
	})
	return out
}

// ipvsNodePortAddrs returns the addresses IPVS creates node-port virtual
// servers on: the node's addresses (or those inside --nodeport-addresses),
// never loopback.
func (n *Node) ipvsNodePortAddrs(f family) []netip.Addr {
	matchAll, _, _ := n.nodePortConfig(ModeIPVS, f)
	var out []netip.Addr
	if matchAll {
		for _, a := range n.addrs {
			if famOf(a) == f {
				out = append(out, a)
			}
		}
	} else {
		for _, a := range n.nodePortIPs(ModeIPVS, f) {
			if !a.IsLoopback() {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out
}

// ipvsList renders the virtual servers as `ipvsadm -Ln` prints them.
func (n *Node) ipvsList(f family) string {
	var b strings.Builder
	b.WriteString("IP Virtual Server version 1.2.1 (size=4096)\n")
	b.WriteString("Prot LocalAddress:Port Scheduler Flags\n")
	b.WriteString("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n")
	for _, vs := range n.ipvsServers(f) {
		fmt.Fprintf(&b, "%s  %s %s", strings.ToUpper(vs.proto.String()), vs.addr, n.p.cfg.IPVSScheduler)
		if vs.persist > 0 {
			fmt.Fprintf(&b, " persistent %d", vs.persist)
		}
		b.WriteByte('\n')
		for _, d := range vs.dests {
			w := 1
			if !d.Ready {
				w = 0
			}
			fmt.Fprintf(&b, "  -> %-28s %-7s %-6d %-10d %d\n", d.Addr.String(), "Masq", w, 0, 0)
		}
	}
	return b.String()
}

// explainIPVS describes the lookups IPVS mode makes for a decision: the
// iptables rules that mark traffic for masquerading (ipset matches, one rule
// each) and the IPVS virtual-server hash lookup.
func (n *Node) explainIPVS(pkt Packet, r Result) (rules []string, cost int) {
	proto := pkt.Proto.norm()
	dst := netip.AddrPortFrom(pkt.Dst.Addr().Unmap(), pkt.Dst.Port())
	// KUBE-SERVICES in IPVS mode is a short, fixed list of ipset matches.
	cost = 5
	switch r.Target {
	case TargetClusterIP:
		if r.Masquerade && !r.Affinity {
			rules = append(rules, `-t nat -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ`)
		}
	case TargetExternalIP:
		rules = append(rules, `-t nat -A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ`)
	case TargetLoadBalancerIP:
		rules = append(rules, `-t nat -A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER`)
		if r.Reason == ReasonSourceRange {
			rules = append(rules, `-t nat -A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL`,
				`-t filter -A KUBE-SOURCE-RANGES-FIREWALL -j DROP`)
			return rules, cost + 3
		}
	case TargetNodePort:
		rules = append(rules, `-t nat -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT`)
	case TargetClusterIPRange:
		rules = append(rules, `-t filter -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT`)
		return rules, cost + 6
	case TargetHealthCheck:
		rules = append(rules, "kube-proxy health server: "+pkt.Dst.String())
		return rules, cost + 1
	case TargetNone:
		return nil, cost
	}
	cost++ // the IPVS service lookup
	vs := fmt.Sprintf("IPVS %s %s %s", strings.ToUpper(proto.String()), dst, n.p.cfg.IPVSScheduler)
	switch r.Verdict {
	case VerdictForward:
		rules = append(rules, vs+" -> "+r.Chosen.String()+" Masq")
		if r.Masquerade {
			rules = append(rules, `-t nat -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE --random-fully`)
		}
	case VerdictReject:
		rules = append(rules, vs+": no destination: ICMP port unreachable")
	case VerdictDrop:
		rules = append(rules, vs+": no local destination: dropped")
	}
	return rules, cost
}
