package proxy

import (
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// iptables tables, in the order iptables-save prints them.
type iptTable uint8

const (
	tMangle iptTable = iota
	tFilter
	tNAT
)

var iptTableNames = [...]string{"mangle", "filter", "nat"}

var iptBuiltins = [...][]string{
	tMangle: {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"},
	tFilter: {"INPUT", "FORWARD", "OUTPUT"},
	tNAT:    {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"},
}

type matchKind uint8

const (
	mComment matchKind = iota
	mL4                // -m tcp [--dport N]
	mAddrtypeDst
	mAddrtypeSrc
	mStatistic
	mRecentCheck
	mRecentSet
	mConntrack
	mMark
)

type iptMatch struct {
	kind matchKind
	s    string
	n    int
	neg  bool
}

// iptRule is one rule in a structured form that renders as iptables-save
// prints it and that the tracer can evaluate.
type iptRule struct {
	table  iptTable
	chain  string
	src    netip.Prefix
	srcNeg bool
	dst    netip.Prefix
	dstNeg bool
	proto  Protocol
	m      []iptMatch
	jump   string // target: a chain or ACCEPT, DROP, REJECT, RETURN, DNAT, MARK, MASQUERADE; "" for none
	opts   string // target options, rendered
	dnat   netip.AddrPort
	sepOf  netip.AddrPort // the endpoint whose KUBE-SEP chain a dispatch rule jumps to
	xor    bool           // MARK --xor-mark
}

// iptRuleset is one family's rules for one node.
type iptRuleset struct {
	fam    family
	chains [3]map[string][]*iptRule
	order  [3][]string // user chains in creation order
}

func newIPTRuleset(f family) *iptRuleset {
	rs := &iptRuleset{fam: f}
	for t := range rs.chains {
		rs.chains[t] = make(map[string][]*iptRule)
		for _, b := range iptBuiltins[t] {
			rs.chains[t][b] = nil
		}
	}
	return rs
}

func (rs *iptRuleset) chain(t iptTable, name string) {
	if _, ok := rs.chains[t][name]; !ok {
		rs.chains[t][name] = nil
		rs.order[t] = append(rs.order[t], name)
	}
}

func (rs *iptRuleset) add(r *iptRule) {
	rs.chain(r.table, r.chain)
	rs.chains[r.table][r.chain] = append(rs.chains[r.table][r.chain], r)
}

func (rs *iptRuleset) prepend(r *iptRule) {
	rs.chain(r.table, r.chain)
	rs.chains[r.table][r.chain] = append([]*iptRule{r}, rs.chains[r.table][r.chain]...)
}

func hostPrefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }

func comment(s string) iptMatch  { return iptMatch{kind: mComment, s: s} }
func l4(dport uint16) iptMatch   { return iptMatch{kind: mL4, n: int(dport)} }
func ctstate(s string) iptMatch  { return iptMatch{kind: mConntrack, s: s} }
func addrtypeDstLocal() iptMatch { return iptMatch{kind: mAddrtypeDst, s: "LOCAL"} }
func addrtypeSrcLocal() iptMatch { return iptMatch{kind: mAddrtypeSrc, s: "LOCAL"} }
func withComment(on bool, s string) []iptMatch {
	if !on {
		return nil
	}
	return []iptMatch{comment(s)}
}

// iptProbability is kube-proxy's "%0.10f" probability 1/n.
func iptProbability(n int) string { return strconv.FormatFloat(1/float64(n), 'f', 10, 64) }

// iptSavedProbability is how iptables-save prints a probability: xt_statistic
// stores it as a 31-bit fraction and prints it back with 11 decimals.
func iptSavedProbability(s string) string {
	p, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	v := math.Round(p * 0x80000000)
	return strconv.FormatFloat(v/0x80000000, 'f', 11, 64)
}

const nodePortsComment = "kubernetes service nodeports; NOTE: this must be the last rule in this chain"

// buildIPTables computes the rules kube-proxy in iptables mode writes on
// this node for one family. With only set, the per-service chains of other
// services are left out (the shared chains stay complete), which is all an
// explanation needs.
func (n *Node) buildIPTables(f family, only *spRecord) *iptRuleset {
	rs := newIPTRuleset(f)
	mark := "0x4000/0x4000"
	localhostNP := n.localhostNodePorts(f)

	// Chains created by kube-proxy's iptables monitor.
	for t := tMangle; t <= tNAT; t++ {
		rs.chain(t, "KUBE-PROXY-CANARY")
	}
	// Jump rules from the built-in chains, each prepended in turn as
	// kube-proxy's EnsureRule(Prepend, ...) does on a fresh node.
	type jump struct {
		t        iptTable
		dst, src string
		comment  string
		newOnly  bool
	}
	jumps := []jump{
		{tFilter, "KUBE-EXTERNAL-SERVICES", "INPUT", "kubernetes externally-visible service portals", true},
		{tFilter, "KUBE-EXTERNAL-SERVICES", "FORWARD", "kubernetes externally-visible service portals", true},
		{tFilter, "KUBE-NODEPORTS", "INPUT", "kubernetes health check service ports", false},
		{tFilter, "KUBE-SERVICES", "FORWARD", "kubernetes service portals", true},
		{tFilter, "KUBE-SERVICES", "OUTPUT", "kubernetes service portals", true},
		{tFilter, "KUBE-FORWARD", "FORWARD", "kubernetes forwarding rules", false},
		{tFilter, "KUBE-PROXY-FIREWALL", "INPUT", "kubernetes load balancer firewall", true},
		{tFilter, "KUBE-PROXY-FIREWALL", "OUTPUT", "kubernetes load balancer firewall", true},
		{tFilter, "KUBE-PROXY-FIREWALL", "FORWARD", "kubernetes load balancer firewall", true},
		{tNAT, "KUBE-SERVICES", "OUTPUT", "kubernetes service portals", false},
		{tNAT, "KUBE-SERVICES", "PREROUTING", "kubernetes service portals", false},
		{tNAT, "KUBE-POSTROUTING", "POSTROUTING", "kubernetes postrouting rules", false},
		{tFilter, "KUBE-FIREWALL", "INPUT", "", false},
		{tFilter, "KUBE-FIREWALL", "OUTPUT", "", false},
	}
	for _, j := range jumps {
		rs.chain(j.t, j.dst)
		r := &iptRule{table: j.t, chain: j.src, jump: j.dst}
		if j.newOnly {
			r.m = append(r.m, ctstate("NEW"))
		}
		if j.comment != "" {
			r.m = append(r.m, comment(j.comment))
		}
		rs.prepend(r)
	}
	for _, c := range []string{"KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-NODEPORTS", "KUBE-PROXY-FIREWALL"} {
		rs.chain(tFilter, c)
	}
	for _, c := range []string{"KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"} {
		rs.chain(tNAT, c)
	}
	rs.add(&iptRule{table: tNAT, chain: "KUBE-POSTROUTING", m: []iptMatch{{kind: mMark, s: mark, neg: true}}, jump: "RETURN"})
	rs.add(&iptRule{table: tNAT, chain: "KUBE-POSTROUTING", jump: "MARK", opts: "--set-xmark 0x4000/0x0", xor: true})
	rs.add(&iptRule{table: tNAT, chain: "KUBE-POSTROUTING", m: []iptMatch{comment("kubernetes service traffic requiring SNAT")}, jump: "MASQUERADE", opts: "--random-fully"})
	rs.add(&iptRule{table: tNAT, chain: "KUBE-MARK-MASQ", jump: "MARK", opts: "--set-xmark " + mark})
	if f == fam4 && localhostNP {
		rs.add(&iptRule{
			table: tFilter, chain: "KUBE-FIREWALL",
			dst: netip.MustParsePrefix("127.0.0.0/8"), src: netip.MustParsePrefix("127.0.0.0/8"), srcNeg: true,
			m:    []iptMatch{comment("block incoming localnet connections"), {kind: mConntrack, s: "RELATED,ESTABLISHED,DNAT", neg: true}},
			jump: "DROP",
		})
	}

	vps := n.viewPorts(f, only)
	total := 0
	for i := range vps {
		total += len(vps[i].st.eps)
	}
	comments := total <= 1000 // kube-proxy's large-cluster mode drops per-endpoint comments
	detector := n.detect[f]
	masqAll := n.p.cfg.MasqueradeAll
	reject := "--reject-with icmp-port-unreachable"
	if f == fam6 {
		reject = "--reject-with icmp6-port-unreachable"
	}
	for i := range vps {
		vp := &vps[i]
		st, rec := vp.st, vp.st.rec
		name := rec.str
		proto := rec.name.Protocol
		full := only == nil || only == rec

		clusterChain, localChain := rec.svcChain(), rec.svlChain()
		internalChain := clusterChain
		if st.svc.iTPLocal {
			internalChain = localChain
		}
		externalPolicyChain := clusterChain
		if st.svc.eTPLocal {
			externalPolicyChain = localChain
		}
		extChain := rec.extChain()
		lbChain := extChain
		usesFW := st.hasAny && len(st.svc.lbVIPs) > 0 && len(st.svc.sourceRanges) > 0
		if usesFW {
			lbChain = rec.fwChain()
		}
		var intTarget, intComment, extTarget, extComment string
		if !st.hasAny {
			intTarget, intComment = "REJECT", name+" has no endpoints"
			extTarget, extComment = "REJECT", intComment
		} else {
			if !vp.hasInternal {
				intTarget, intComment = "DROP", name+" has no local endpoints"
			}
			if !vp.hasExternal {
				extTarget, extComment = "DROP", name+" has no local endpoints"
			}
		}
		rejectOpts := func(t string) string {
			if t == "REJECT" {
				return reject
			}
			return ""
		}

		cip := hostPrefix(st.svc.clusterIP)
		if vp.hasInternal {
			rs.add(&iptRule{table: tNAT, chain: "KUBE-SERVICES", dst: cip, proto: proto,
				m: []iptMatch{comment(name + " cluster IP"), l4(st.port)}, jump: internalChain})
		} else {
			rs.add(&iptRule{table: tFilter, chain: "KUBE-SERVICES", dst: cip, proto: proto,
				m: []iptMatch{comment(intComment), l4(st.port)}, jump: intTarget, opts: rejectOpts(intTarget)})
		}
		for _, a := range st.svc.externalIPs {
			if st.hasAny {
				rs.add(&iptRule{table: tNAT, chain: "KUBE-SERVICES", dst: hostPrefix(a), proto: proto,
					m: []iptMatch{comment(name + " external IP"), l4(st.port)}, jump: extChain})
			}
			if !vp.hasExternal {
				rs.add(&iptRule{table: tFilter, chain: "KUBE-EXTERNAL-SERVICES", dst: hostPrefix(a), proto: proto,
					m: []iptMatch{comment(extComment), l4(st.port)}, jump: extTarget, opts: rejectOpts(extTarget)})
			}
		}
		for _, a := range st.svc.lbVIPs {
			if st.hasAny {
				rs.add(&iptRule{table: tNAT, chain: "KUBE-SERVICES", dst: hostPrefix(a), proto: proto,
					m: []iptMatch{comment(name + " loadbalancer IP"), l4(st.port)}, jump: lbChain})
			}
			if usesFW {
				rs.add(&iptRule{table: tFilter, chain: "KUBE-PROXY-FIREWALL", dst: hostPrefix(a), proto: proto,
					m: []iptMatch{comment(name + " traffic not accepted by " + rec.fwChain()), l4(st.port)}, jump: "DROP"})
			}
		}
		if !vp.hasExternal {
			for _, a := range st.svc.lbVIPs {
				rs.add(&iptRule{table: tFilter, chain: "KUBE-EXTERNAL-SERVICES", dst: hostPrefix(a), proto: proto,
					m: []iptMatch{comment(extComment), l4(st.port)}, jump: extTarget, opts: rejectOpts(extTarget)})
			}
		}
		if st.nodePort != 0 {
			if st.hasAny {
				rs.add(&iptRule{table: tNAT, chain: "KUBE-NODEPORTS", proto: proto,
					m: []iptMatch{comment(name), l4(st.nodePort)}, jump: extChain})
			}
			if !vp.hasExternal {
				rs.add(&iptRule{table: tFilter, chain: "KUBE-EXTERNAL-SERVICES", proto: proto,
					m: []iptMatch{comment(extComment), addrtypeDstLocal(), l4(st.nodePort)}, jump: extTarget, opts: rejectOpts(extTarget)})
			}
		}
		if st.svc.hcNodePort != 0 {
			rs.add(&iptRule{table: tFilter, chain: "KUBE-NODEPORTS", proto: TCP,
				m: []iptMatch{comment(name + " health check node port"), l4(st.svc.hcNodePort)}, jump: "ACCEPT"})
		}
		if !full {
			continue
		}

		if vp.hasInternal {
			if masqAll {
				rs.add(&iptRule{table: tNAT, chain: internalChain, dst: cip, proto: proto,
					m: []iptMatch{comment(name + " cluster IP"), l4(st.port)}, jump: "KUBE-MARK-MASQ"})
			} else if detector.IsValid() {
				rs.add(&iptRule{table: tNAT, chain: internalChain, dst: cip, proto: proto, src: detector, srcNeg: true,
					m: []iptMatch{comment(name + " cluster IP"), l4(st.port)}, jump: "KUBE-MARK-MASQ"})
			}
		}
		if vp.usesExtChain {
			rs.chain(tNAT, extChain)
			if !st.svc.eTPLocal {
				rs.add(&iptRule{table: tNAT, chain: extChain,
					m: []iptMatch{comment("masquerade traffic for " + name + " external destinations")}, jump: "KUBE-MARK-MASQ"})
			} else {
				if detector.IsValid() {
					rs.add(&iptRule{table: tNAT, chain: extChain, src: detector,
						m: []iptMatch{comment("pod traffic for " + name + " external destinations")}, jump: clusterChain})
				}
				rs.add(&iptRule{table: tNAT, chain: extChain,
					m: []iptMatch{comment("masquerade LOCAL traffic for " + name + " external destinations"), addrtypeSrcLocal()}, jump: "KUBE-MARK-MASQ"})
				rs.add(&iptRule{table: tNAT, chain: extChain,
					m: []iptMatch{comment("route LOCAL traffic for " + name + " external destinations"), addrtypeSrcLocal()}, jump: clusterChain})
			}
			if vp.hasExternal {
				rs.add(&iptRule{table: tNAT, chain: extChain, jump: externalPolicyChain})
			}
		}
		if usesFW {
			fw := rec.fwChain()
			rs.chain(tNAT, fw)
			allowNode := false
			for _, pf := range st.svc.sourceRanges {
				rs.add(&iptRule{table: tNAT, chain: fw, src: pf, m: []iptMatch{comment(name + " loadbalancer IP")}, jump: extChain})
				if n.primary[f].IsValid() && pf.Contains(n.primary[f]) {
					allowNode = true
				}
			}
			if allowNode {
				for _, a := range st.svc.lbVIPs {
					rs.add(&iptRule{table: tNAT, chain: fw, src: hostPrefix(a), m: []iptMatch{comment(name + " loadbalancer IP")}, jump: extChain})
				}
			}
			rs.add(&iptRule{table: tNAT, chain: fw, m: []iptMatch{comment("other traffic to " + name + " will be dropped by KUBE-PROXY-FIREWALL")}})
		}
		if vp.usesClusterChain {
			rs.chain(tNAT, clusterChain)
			writeServiceToEndpoints(rs, st, clusterChain, vp.cluster, comments)
		}
		if vp.usesLocalChain {
			rs.chain(tNAT, localChain)
			writeServiceToEndpoints(rs, st, localChain, vp.local, comments)
		}
		for _, ep := range vp.reachable {
			sep := rec.sepChain(ep)
			rs.chain(tNAT, sep)
			rs.add(&iptRule{table: tNAT, chain: sep, src: hostPrefix(ep.Addr.Addr()),
				m: withComment(comments, name), jump: "KUBE-MARK-MASQ"})
			m := withComment(comments, name)
			if st.svc.affinity {
				m = append(m, iptMatch{kind: mRecentSet, s: sep})
			}
			m = append(m, l4(0))
			rs.add(&iptRule{table: tNAT, chain: sep, proto: proto, m: m, jump: "DNAT",
				opts: "--to-destination " + ep.Addr.String(), dnat: ep.Addr})
		}
	}

	// The node-port dispatch must be the last rule of KUBE-SERVICES.
	matchAll, _, _ := n.nodePortConfig(ModeIPTables, f)
	if matchAll {
		r := &iptRule{table: tNAT, chain: "KUBE-SERVICES", m: []iptMatch{comment(nodePortsComment), addrtypeDstLocal()}, jump: "KUBE-NODEPORTS"}
		if f == fam6 {
			r.dst, r.dstNeg = netip.MustParsePrefix("::1/128"), true
		} else if !localhostNP {
			r.dst, r.dstNeg = netip.MustParsePrefix("127.0.0.0/8"), true
		}
		rs.add(r)
	} else {
		for _, a := range n.nodePortIPs(ModeIPTables, f) {
			if a.IsLoopback() && (f == fam6 || !localhostNP) {
				continue
			}
			rs.add(&iptRule{table: tNAT, chain: "KUBE-SERVICES", dst: hostPrefix(a), m: []iptMatch{comment(nodePortsComment)}, jump: "KUBE-NODEPORTS"})
		}
	}
	rs.add(&iptRule{table: tFilter, chain: "KUBE-FORWARD", m: []iptMatch{ctstate("INVALID")}, jump: "DROP"})
	rs.add(&iptRule{table: tFilter, chain: "KUBE-FORWARD", m: []iptMatch{comment("kubernetes forwarding rules"), {kind: mMark, s: mark}}, jump: "ACCEPT"})
	rs.add(&iptRule{table: tFilter, chain: "KUBE-FORWARD", m: []iptMatch{comment("kubernetes forwarding conntrack rule"), ctstate("RELATED,ESTABLISHED")}, jump: "ACCEPT"})
	return rs
}

// writeServiceToEndpoints writes a policy chain: affinity checks, then one
// probabilistic jump per endpoint with the last one unconditional.
func writeServiceToEndpoints(rs *iptRuleset, st *spState, chain string, eps []Endpoint, comments bool) {
	rec := st.rec
	if st.svc.affinity {
		for _, ep := range eps {
			sep := rec.sepChain(ep)
			m := withComment(comments, rec.str+" -> "+ep.Addr.String())
			m = append(m, iptMatch{kind: mRecentCheck, s: sep, n: st.svc.stickySeconds})
			rs.add(&iptRule{table: tNAT, chain: chain, m: m, jump: sep, sepOf: ep.Addr})
		}
	}
	for i, ep := range eps {
		sep := rec.sepChain(ep)
		m := withComment(comments, rec.str+" -> "+ep.Addr.String())
		if i < len(eps)-1 {
			m = append(m, iptMatch{kind: mStatistic, s: iptProbability(len(eps) - i)})
		}
		rs.add(&iptRule{table: tNAT, chain: chain, m: m, jump: sep, sepOf: ep.Addr})
	}
}

// render writes the ruleset as iptables-save prints it, without the
// "# Generated by" comment lines.
func (rs *iptRuleset) render(b *strings.Builder) {
	for t := tMangle; t <= tNAT; t++ {
		b.WriteString("*" + iptTableNames[t] + "\n")
		for _, c := range iptBuiltins[t] {
			b.WriteString(":" + c + " ACCEPT [0:0]\n")
		}
		user := slices.Clone(rs.order[t])
		slices.Sort(user)
		for _, c := range user {
			b.WriteString(":" + c + " - [0:0]\n")
		}
		for _, c := range iptBuiltins[t] {
			for _, r := range rs.chains[t][c] {
				r.render(b, rs.fam)
				b.WriteByte('\n')
			}
		}
		for _, c := range user {
			for _, r := range rs.chains[t][c] {
				r.render(b, rs.fam)
				b.WriteByte('\n')
			}
		}
		b.WriteString("COMMIT\n")
	}
}

// render writes one rule in iptables-save's canonical form.
func (r *iptRule) render(b *strings.Builder, f family) {
	b.WriteString("-A ")
	b.WriteString(r.chain)
	if r.src.IsValid() {
		if r.srcNeg {
			b.WriteString(" !")
		}
		b.WriteString(" -s ")
		b.WriteString(r.src.String())
	}
	if r.dst.IsValid() {
		if r.dstNeg {
			b.WriteString(" !")
		}
		b.WriteString(" -d ")
		b.WriteString(r.dst.String())
	}
	if r.proto != 0 {
		b.WriteString(" -p ")
		b.WriteString(r.proto.String())
	}
	mask := "255.255.255.255"
	if f == fam6 {
		mask = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
	}
	for _, m := range r.m {
		switch m.kind {
		case mComment:
			b.WriteString(` -m comment --comment "`)
			b.WriteString(strings.ReplaceAll(m.s, `"`, `\"`))
			b.WriteByte('"')
		case mL4:
			b.WriteString(" -m ")
			b.WriteString(r.proto.String())
			if m.n != 0 {
				b.WriteString(" --dport ")
				b.WriteString(strconv.Itoa(m.n))
			}
		case mAddrtypeDst:
			b.WriteString(" -m addrtype --dst-type ")
			b.WriteString(m.s)
		case mAddrtypeSrc:
			b.WriteString(" -m addrtype --src-type ")
			b.WriteString(m.s)
		case mStatistic:
			b.WriteString(" -m statistic --mode random --probability ")
			b.WriteString(iptSavedProbability(m.s))
		case mRecentCheck:
			b.WriteString(" -m recent --rcheck --seconds ")
			b.WriteString(strconv.Itoa(m.n))
			b.WriteString(" --reap --name ")
			b.WriteString(m.s)
			b.WriteString(" --mask " + mask + " --rsource")
		case mRecentSet:
			b.WriteString(" -m recent --set --name ")
			b.WriteString(m.s)
			b.WriteString(" --mask " + mask + " --rsource")
		case mConntrack:
			b.WriteString(" -m conntrack")
			if m.neg {
				b.WriteString(" !")
			}
			b.WriteString(" --ctstate ")
			b.WriteString(m.s)
		case mMark:
			b.WriteString(" -m mark")
			if m.neg {
				b.WriteString(" !")
			}
			b.WriteString(" --mark ")
			b.WriteString(m.s)
		}
	}
	if r.jump != "" {
		b.WriteString(" -j ")
		b.WriteString(r.jump)
		if r.opts != "" {
			b.WriteByte(' ')
			b.WriteString(r.opts)
		}
	}
}

func (r *iptRule) String() string {
	var b strings.Builder
	fam := fam4
	if (r.dst.IsValid() && r.dst.Addr().Is6()) || (r.src.IsValid() && r.src.Addr().Is6()) || r.dnat.Addr().Is6() {
		fam = fam6
	}
	b.WriteString("-t " + iptTableNames[r.table] + " ")
	r.render(&b, fam)
	return b.String()
}
