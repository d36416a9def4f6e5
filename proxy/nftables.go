package proxy

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

type nftAct uint8

const (
	actNone nftAct = iota
	actJump
	actGoto
	actVmap   // lookup in a named verdict map
	actNumgen // numgen random mod n vmap { ... }
	actDrop
	actReject
	actReturn
	actMarkOr
	actMarkXor
	actMasquerade
	actDNAT
	actUpdate // update @affinity set
)

type vmapKey uint8

const (
	keyAddrProtoPort vmapKey = iota // ip daddr . meta l4proto . th dport
	keyProtoPort                    // meta l4proto . th dport
)

// nftRule is one rule, as `nft list` prints it, with the parts the tracer
// evaluates.
type nftRule struct {
	text string

	ctNew         bool
	daddr         netip.Prefix
	daddrNeg      bool
	daddrSet      string // ip daddr @set
	daddrAny      []netip.Prefix
	saddr         []netip.Prefix
	saddrNeg      bool
	saddrSet      string // ip saddr @set
	fibDaddrLocal bool
	fibSaddrLocal bool
	l4            Protocol
	dport         uint16

	act     nftAct
	target  string
	vmap    string
	key     vmapKey
	numgen  []string
	epOf    []netip.AddrPort // numgen: endpoint of each entry; affinity goto: [endpoint]
	dnat    netip.AddrPort
	comment string
}

type nftElem struct {
	addr    netip.Addr // key parts used for sorting and lookups
	proto   Protocol
	port    uint16
	key     string
	comment string
	value   string
}

type nftSet struct {
	name     string
	isMap    bool
	typ      string
	comment  string
	dynamic  bool
	timeout  int
	elems    []nftElem
	perLine  int // elements per line in a listing: 2 for addresses, 1 otherwise
	elemKeys map[string]bool
}

type nftChain struct {
	name     string
	hookList string // "type filter hook input priority -110; policy accept;"
	hookAdd  string // "type filter hook input priority -110 ;"
	comment  string
	rules    []*nftRule
}

// nftTable is kube-proxy's table for one family on one node.
type nftTable struct {
	fam    family
	sets   []*nftSet
	chains []*nftChain
	byName map[string]*nftChain
	setBy  map[string]*nftSet
}

func (t *nftTable) ipX() string {
	if t.fam == fam6 {
		return "ip6"
	}
	return "ip"
}

func (t *nftTable) family() string { return t.ipX() }

func (t *nftTable) chain(name string) *nftChain {
	if c := t.byName[name]; c != nil {
		return c
	}
	c := &nftChain{name: name}
	t.chains = append(t.chains, c)
	t.byName[name] = c
	return c
}

func (t *nftTable) set(s *nftSet) *nftSet {
	if old := t.setBy[s.name]; old != nil {
		return old
	}
	s.elemKeys = make(map[string]bool)
	t.sets = append(t.sets, s)
	t.setBy[s.name] = s
	return s
}

func (s *nftSet) add(e nftElem) {
	if s.elemKeys[e.key] {
		return
	}
	s.elemKeys[e.key] = true
	s.elems = append(s.elems, e)
}

func (t *nftTable) rule(chain string, r *nftRule) {
	c := t.chain(chain)
	c.rules = append(c.rules, r)
}

// buildNFT computes the kube-proxy table nftables mode writes on this node
// for one family. With only set, other services' chains are left out.
func (n *Node) buildNFT(f family, only *spRecord) *nftTable {
	t := &nftTable{fam: f, byName: make(map[string]*nftChain), setBy: make(map[string]*nftSet)}
	ipX := t.ipX()
	addrType := "ipv4_addr"
	addrPerLine := 2 // nft wraps lists of IPv4 addresses every two elements
	noLocalhost := netip.MustParsePrefix("127.0.0.0/8")
	noLocalhostText := "ip daddr != 127.0.0.0/8"
	if f == fam6 {
		addrType = "ipv6_addr"
		addrPerLine = 1
		noLocalhost = netip.MustParsePrefix("::1/128")
		noLocalhostText = "ip6 daddr != ::1"
	}
	// Base chains, as kube-proxy (v1.34 and later) creates them: firewalling
	// before DNAT, everything else at filter priority, after DNAT.
	base := []struct{ name, typ, hook, list, add string }{
		{"filter-prerouting-pre-dnat", "filter", "prerouting", "dstnat - 10", "-110"},
		{"filter-output-pre-dnat", "filter", "output", "-110", "-110"},
		{"filter-input", "filter", "input", "filter", "0"},
		{"filter-forward", "filter", "forward", "filter", "0"},
		{"filter-output", "filter", "output", "filter", "0"},
		{"nat-prerouting", "nat", "prerouting", "dstnat", "-100"},
		{"nat-output", "nat", "output", "-100", "-100"},
		{"nat-postrouting", "nat", "postrouting", "srcnat", "100"},
	}
	for _, b := range base {
		c := t.chain(b.name)
		c.hookList = "type " + b.typ + " hook " + b.hook + " priority " + b.list + "; policy accept;"
		c.hookAdd = "type " + b.typ + " hook " + b.hook + " priority " + b.add + " ;"
	}
	jumps := []struct{ dst, src string }{
		{"nodeport-endpoints-check", "filter-input"},
		{"service-endpoints-check", "filter-input"},
		{"service-endpoints-check", "filter-forward"},
		{"service-endpoints-check", "filter-output"},
		{"firewall-check", "filter-prerouting-pre-dnat"},
		{"firewall-check", "filter-output-pre-dnat"},
		{"services", "nat-output"},
		{"services", "nat-prerouting"},
		{"masquerading", "nat-postrouting"},
		{"cluster-ips-check", "filter-forward"},
		{"cluster-ips-check", "filter-output"},
	}
	for _, j := range jumps {
		t.chain(j.dst)
		r := &nftRule{act: actJump, target: j.dst}
		if strings.HasPrefix(j.src, "filter-") {
			r.ctNew = true
			r.text = "ct state new jump " + j.dst
		} else {
			r.text = "jump " + j.dst
		}
		t.rule(j.src, r)
	}
	t.chain("mark-for-masquerade")
	t.rule("mark-for-masquerade", &nftRule{text: "meta mark set meta mark | 0x00004000", act: actMarkOr})
	t.rule("masquerading", &nftRule{text: "meta mark & 0x00004000 == 0x00000000 return", act: actReturn})
	t.rule("masquerading", &nftRule{text: "meta mark set meta mark ^ 0x00004000", act: actMarkXor})
	t.rule("masquerading", &nftRule{text: "masquerade fully-random", act: actMasquerade})

	clusterIPs := t.set(&nftSet{name: "cluster-ips", typ: addrType, comment: "Active ClusterIPs", perLine: addrPerLine})
	t.rule("cluster-ips-check", &nftRule{
		text:     ipX + " daddr @cluster-ips reject comment \"Reject traffic to invalid ports of ClusterIPs\"",
		daddrSet: "cluster-ips", act: actReject, comment: "Reject traffic to invalid ports of ClusterIPs",
	})
	if cidrs := n.p.serviceCIDRs[f]; len(cidrs) > 0 {
		t.rule("cluster-ips-check", &nftRule{
			text:     ipX + " daddr " + nftAnonSet(cidrs) + " drop comment \"Drop traffic to unallocated ClusterIPs\"",
			daddrAny: cidrs, act: actDrop, comment: "Drop traffic to unallocated ClusterIPs",
		})
	}
	matchAll, _, _ := n.nodePortConfig(ModeNFTables, f)
	var nodePortIPs *nftSet
	if !matchAll {
		nodePortIPs = t.set(&nftSet{name: "nodeport-ips", typ: addrType, comment: "IPs that accept NodePort traffic", perLine: addrPerLine})
		for _, a := range n.nodePortIPs(ModeNFTables, f) {
			if a.IsLoopback() {
				continue
			}
			nodePortIPs.add(nftElem{addr: a, key: a.String()})
		}
	}
	noEPServices := t.set(&nftSet{name: "no-endpoint-services", isMap: true,
		typ: addrType + " . inet_proto . inet_service : verdict", comment: "vmap to drop or reject packets to services with no endpoints", perLine: 1})
	noEPNodePorts := t.set(&nftSet{name: "no-endpoint-nodeports", isMap: true,
		typ: "inet_proto . inet_service : verdict", comment: "vmap to drop or reject packets to service nodeports with no endpoints", perLine: 1})
	rc := t.chain("reject-chain")
	rc.comment = "helper for @no-endpoint-services / @no-endpoint-nodeports"
	t.rule("reject-chain", &nftRule{text: "reject", act: actReject})
	t.rule("service-endpoints-check", &nftRule{text: ipX + " daddr . meta l4proto . th dport vmap @no-endpoint-services",
		act: actVmap, vmap: "no-endpoint-services", key: keyAddrProtoPort})
	if matchAll {
		t.rule("nodeport-endpoints-check", &nftRule{text: noLocalhostText + " meta l4proto . th dport vmap @no-endpoint-nodeports",
			daddr: noLocalhost, daddrNeg: true, act: actVmap, vmap: "no-endpoint-nodeports", key: keyProtoPort})
	} else {
		t.rule("nodeport-endpoints-check", &nftRule{text: ipX + " daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports",
			daddrSet: "nodeport-ips", act: actVmap, vmap: "no-endpoint-nodeports", key: keyProtoPort})
	}
	firewallIPs := t.set(&nftSet{name: "firewall-ips", isMap: true,
		typ: addrType + " . inet_proto . inet_service : verdict", comment: "destinations that are subject to LoadBalancerSourceRanges", perLine: 1})
	t.rule("firewall-check", &nftRule{text: ipX + " daddr . meta l4proto . th dport vmap @firewall-ips",
		act: actVmap, vmap: "firewall-ips", key: keyAddrProtoPort})
	serviceIPs := t.set(&nftSet{name: "service-ips", isMap: true,
		typ: addrType + " . inet_proto . inet_service : verdict", comment: "ClusterIP, ExternalIP and LoadBalancer IP traffic", perLine: 1})
	serviceNodePorts := t.set(&nftSet{name: "service-nodeports", isMap: true,
		typ: "inet_proto . inet_service : verdict", comment: "NodePort traffic", perLine: 1})
	t.rule("services", &nftRule{text: ipX + " daddr . meta l4proto . th dport vmap @service-ips",
		act: actVmap, vmap: "service-ips", key: keyAddrProtoPort})
	if matchAll {
		t.rule("services", &nftRule{text: "fib daddr type local " + noLocalhostText + " meta l4proto . th dport vmap @service-nodeports",
			fibDaddrLocal: true, daddr: noLocalhost, daddrNeg: true, act: actVmap, vmap: "service-nodeports", key: keyProtoPort})
	} else {
		t.rule("services", &nftRule{text: ipX + " daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports",
			daddrSet: "nodeport-ips", act: actVmap, vmap: "service-nodeports", key: keyProtoPort})
	}

	detector := n.detect[f]
	masqAll := n.p.cfg.MasqueradeAll
	elem3 := func(a netip.Addr, p Protocol, port uint16) nftElem {
		return nftElem{addr: a, proto: p, port: port, key: a.String() + " . " + p.String() + " . " + strconv.Itoa(int(port))}
	}
	elem2 := func(p Protocol, port uint16) nftElem {
		return nftElem{proto: p, port: port, key: p.String() + " . " + strconv.Itoa(int(port))}
	}
	for _, vp := range n.viewPorts(f, only) {
		st, rec := vp.st, vp.st.rec
		proto := rec.name.Protocol
		name := rec.str
		full := only == nil || only == rec
		nb := rec.nftBaseName()
		clusterChain, localChain := "service-"+nb, "local-"+nb
		extChain, fwChain := "external-"+nb, "firewall-"+nb
		if full {
			for _, ep := range vp.reachable {
				t.chain("endpoint-" + rec.nftEndpointBase(ep))
			}
			if vp.usesClusterChain {
				t.chain(clusterChain)
			}
			if vp.usesLocalChain {
				t.chain(localChain)
			}
			if vp.usesExtChain {
				t.chain(extChain)
			}
		}
		internalChain := clusterChain
		if st.svc.iTPLocal {
			internalChain = localChain
		}
		externalPolicyChain := clusterChain
		if st.svc.eTPLocal {
			externalPolicyChain = localChain
		}
		var intVerdict, extVerdict string
		if !st.hasAny {
			intVerdict, extVerdict = "goto reject-chain", "goto reject-chain"
		} else {
			if !vp.hasInternal {
				intVerdict = "drop"
			}
			if !vp.hasExternal {
				extVerdict = "drop"
			}
		}
		usesFW := len(st.svc.lbVIPs) > 0 && len(st.svc.sourceRanges) > 0
		if usesFW && full {
			t.chain(fwChain)
		}

		clusterIPs.add(nftElem{addr: st.svc.clusterIP, key: st.svc.clusterIP.String()})
		if vp.hasInternal {
			e := elem3(st.svc.clusterIP, proto, st.port)
			e.value = "goto " + internalChain
			serviceIPs.add(e)
		} else {
			e := elem3(st.svc.clusterIP, proto, st.port)
			e.value, e.comment = intVerdict, name
			noEPServices.add(e)
		}
		for _, a := range st.svc.externalIPs {
			if st.hasAny {
				e := elem3(a, proto, st.port)
				e.value = "goto " + extChain
				serviceIPs.add(e)
			}
			if !vp.hasExternal {
				e := elem3(a, proto, st.port)
				e.value, e.comment = extVerdict, name
				noEPServices.add(e)
			}
		}
		for _, a := range st.svc.lbVIPs {
			if st.hasAny {
				e := elem3(a, proto, st.port)
				e.value = "goto " + extChain
				serviceIPs.add(e)
			}
			if usesFW {
				e := elem3(a, proto, st.port)
				e.value = "goto " + fwChain
				firewallIPs.add(e)
			}
		}
		if !vp.hasExternal {
			for _, a := range st.svc.lbVIPs {
				e := elem3(a, proto, st.port)
				e.value, e.comment = extVerdict, name
				noEPServices.add(e)
			}
		}
		if st.nodePort != 0 {
			if st.hasAny {
				e := elem2(proto, st.nodePort)
				e.value = "goto " + extChain
				serviceNodePorts.add(e)
			}
			if !vp.hasExternal {
				e := elem2(proto, st.nodePort)
				e.value, e.comment = extVerdict, name
				noEPNodePorts.add(e)
			}
		}
		if !full {
			continue
		}

		if vp.hasInternal {
			match := ipX + " daddr " + st.svc.clusterIP.String()
			if masqAll {
				t.rule(internalChain, &nftRule{text: match + " jump mark-for-masquerade",
					daddr: hostPrefix(st.svc.clusterIP), act: actJump, target: "mark-for-masquerade"})
			} else if detector.IsValid() {
				t.rule(internalChain, &nftRule{text: match + " " + ipX + " saddr != " + detector.String() + " jump mark-for-masquerade",
					daddr: hostPrefix(st.svc.clusterIP), saddr: []netip.Prefix{detector}, saddrNeg: true,
					act: actJump, target: "mark-for-masquerade"})
			}
		}
		if vp.usesExtChain {
			if !st.svc.eTPLocal {
				t.rule(extChain, &nftRule{text: "jump mark-for-masquerade", act: actJump, target: "mark-for-masquerade"})
			} else {
				if detector.IsValid() {
					t.rule(extChain, &nftRule{text: ipX + " saddr " + detector.String() + " goto " + clusterChain + " comment \"short-circuit pod traffic\"",
						saddr: []netip.Prefix{detector}, act: actGoto, target: clusterChain, comment: "short-circuit pod traffic"})
				}
				t.rule(extChain, &nftRule{text: "fib saddr type local jump mark-for-masquerade comment \"masquerade local traffic\"",
					fibSaddrLocal: true, act: actJump, target: "mark-for-masquerade", comment: "masquerade local traffic"})
				t.rule(extChain, &nftRule{text: "fib saddr type local goto " + clusterChain + " comment \"short-circuit local traffic\"",
					fibSaddrLocal: true, act: actGoto, target: clusterChain, comment: "short-circuit local traffic"})
			}
			if vp.hasExternal {
				t.rule(extChain, &nftRule{text: "goto " + externalPolicyChain, act: actGoto, target: externalPolicyChain})
			}
		}
		if usesFW {
			sources := slices.Clone(st.svc.sourceRanges)
			allowNode := false
			for _, pf := range st.svc.sourceRanges {
				if n.primary[f].IsValid() && pf.Contains(n.primary[f]) {
					allowNode = true
				}
			}
			if allowNode {
				for _, a := range st.svc.lbVIPs {
					sources = append(sources, hostPrefix(a))
				}
			}
			t.rule(fwChain, &nftRule{text: ipX + " saddr != " + nftAnonSet(sources) + " drop",
				saddr: sources, saddrNeg: true, act: actDrop})
		}
		if st.svc.affinity {
			for _, ep := range vp.reachable {
				t.set(&nftSet{name: "affinity-" + rec.nftEndpointBase(ep), typ: addrType, dynamic: true, timeout: st.svc.stickySeconds})
			}
		}
		if vp.usesClusterChain {
			nftServiceToEndpoints(t, st, clusterChain, vp.cluster)
		}
		if vp.usesLocalChain {
			nftServiceToEndpoints(t, st, localChain, vp.local)
		}
		for _, ep := range vp.reachable {
			eb := rec.nftEndpointBase(ep)
			chain := "endpoint-" + eb
			t.rule(chain, &nftRule{text: ipX + " saddr " + ep.Addr.Addr().String() + " jump mark-for-masquerade",
				saddr: []netip.Prefix{hostPrefix(ep.Addr.Addr())}, act: actJump, target: "mark-for-masquerade"})
			if st.svc.affinity {
				t.rule(chain, &nftRule{text: "update @affinity-" + eb + " { " + ipX + " saddr }", act: actUpdate})
			}
			t.rule(chain, &nftRule{text: "meta l4proto " + proto.String() + " dnat to " + ep.Addr.String(), act: actDNAT, dnat: ep.Addr})
		}
	}
	return t
}

func nftServiceToEndpoints(t *nftTable, st *spState, chain string, eps []Endpoint) {
	rec := st.rec
	ipX := t.ipX()
	if st.svc.affinity {
		for _, ep := range eps {
			eb := rec.nftEndpointBase(ep)
			t.rule(chain, &nftRule{text: ipX + " saddr @affinity-" + eb + " goto endpoint-" + eb,
				saddrSet: "affinity-" + eb, act: actGoto, target: "endpoint-" + eb, epOf: []netip.AddrPort{ep.Addr}})
		}
	}
	r := &nftRule{act: actNumgen}
	var b strings.Builder
	b.WriteString("numgen random mod " + strconv.Itoa(len(eps)) + " vmap { ")
	for i, ep := range eps {
		if i > 0 {
			b.WriteString(", ")
		}
		target := "endpoint-" + rec.nftEndpointBase(ep)
		b.WriteString(strconv.Itoa(i) + " : goto " + target)
		r.numgen = append(r.numgen, target)
		r.epOf = append(r.epOf, ep.Addr)
	}
	b.WriteString(" }")
	r.text = b.String()
	t.rule(chain, r)
}

// nftAnonSet renders an anonymous interval set as nft lists it: sorted, and
// without braces when it has one element.
func nftAnonSet(ps []netip.Prefix) string {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, comparePrefix)
	ps = slices.Compact(ps)
	parts := make([]string, len(ps))
	for i, p := range ps {
		if p.Bits() == p.Addr().BitLen() {
			parts[i] = p.Addr().String()
		} else {
			parts[i] = p.String()
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

func compareElems(a, b nftElem) int {
	if c := a.addr.Compare(b.addr); c != 0 {
		return c
	}
	if c := cmp.Compare(a.proto.String(), b.proto.String()); c != 0 {
		return c
	}
	return cmp.Compare(a.port, b.port)
}

// nftTime renders seconds as nft does ("3h", "1m30s").
func nftTime(sec int) string {
	if sec == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		s    int
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if sec >= u.s {
			b.WriteString(strconv.Itoa(sec / u.s))
			b.WriteString(u.name)
			sec %= u.s
		}
	}
	return b.String()
}

// list renders the table as `nft list table` prints it. Set elements are
// sorted (the kernel lists hash sets in hash order).
func (t *nftTable) list() string {
	var b strings.Builder
	b.WriteString("table " + t.family() + " kube-proxy {\n")
	b.WriteString("\tcomment \"rules for kube-proxy\"\n")
	first := true
	sep := func() {
		if !first {
			b.WriteByte('\n')
		}
		first = false
	}
	for _, s := range t.sets {
		sep()
		kind := "set"
		if s.isMap {
			kind = "map"
		}
		b.WriteString("\t" + kind + " " + s.name + " {\n")
		b.WriteString("\t\ttype " + s.typ + "\n")
		if s.dynamic {
			b.WriteString("\t\tsize 65535\n")
			b.WriteString("\t\tflags dynamic,timeout\n")
			b.WriteString("\t\ttimeout " + nftTime(s.timeout) + "\n")
		}
		if s.comment != "" {
			b.WriteString("\t\tcomment \"" + s.comment + "\"\n")
		}
		if len(s.elems) > 0 {
			elems := slices.Clone(s.elems)
			slices.SortStableFunc(elems, compareElems)
			b.WriteString("\t\telements = { ")
			for i, e := range elems {
				if i > 0 {
					if i%s.perLine == 0 {
						b.WriteString(",\n\t\t\t     ")
					} else {
						b.WriteString(", ")
					}
				}
				b.WriteString(e.key)
				if e.comment != "" {
					b.WriteString(" comment \"" + e.comment + "\"")
				}
				if e.value != "" {
					b.WriteString(" : " + e.value)
				}
			}
			b.WriteString(" }\n")
		}
		b.WriteString("\t}\n")
	}
	for _, c := range t.chains {
		sep()
		b.WriteString("\tchain " + c.name + " {\n")
		if c.comment != "" {
			b.WriteString("\t\tcomment \"" + c.comment + "\"\n")
		}
		if c.hookList != "" {
			b.WriteString("\t\t" + c.hookList + "\n")
		}
		for _, r := range c.rules {
			b.WriteString("\t\t" + r.text + "\n")
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// script renders the table as an `nft -f` transaction that creates it.
func (t *nftTable) script() string {
	var b strings.Builder
	tbl := t.family() + " kube-proxy"
	b.WriteString("add table " + tbl + " { comment \"rules for kube-proxy\" ; }\n")
	for _, c := range t.chains {
		b.WriteString("add chain " + tbl + " " + c.name)
		switch {
		case c.hookAdd != "":
			b.WriteString(" { " + c.hookAdd + " }")
		case c.comment != "":
			b.WriteString(" { comment \"" + c.comment + "\" ; }")
		}
		b.WriteByte('\n')
	}
	for _, s := range t.sets {
		kind := "set"
		if s.isMap {
			kind = "map"
		}
		b.WriteString("add " + kind + " " + tbl + " " + s.name + " { type " + s.typ + " ;")
		if s.dynamic {
			b.WriteString(" flags dynamic,timeout ; timeout " + strconv.Itoa(s.timeout) + "s ;")
		}
		if s.comment != "" {
			b.WriteString(" comment \"" + s.comment + "\" ;")
		}
		b.WriteString(" }\n")
		for _, e := range s.elems {
			b.WriteString("add element " + tbl + " " + s.name + " { " + e.key)
			if e.comment != "" {
				b.WriteString(" comment \"" + e.comment + "\"")
			}
			if e.value != "" {
				b.WriteString(" : " + e.value)
			}
			b.WriteString(" }\n")
		}
	}
	for _, c := range t.chains {
		for _, r := range c.rules {
			b.WriteString("add rule " + tbl + " " + c.name + " " + r.text + "\n")
		}
	}
	return b.String()
}
