package proxy

// Packet tracers: they walk a packet through the rules kubesim renders, the
// way netfilter would, counting every rule evaluated. Explain uses them to
// show the rules a decision passed; the tests use them as an independent
// oracle for the fast path (every behaviour the fast path implements by hand
// must also come out of the rendered rules).

import (
	"net/netip"
)

// traceState is a packet in flight through netfilter.
type traceState struct {
	n        *Node
	src, dst netip.Addr
	dport    uint16
	proto    Protocol
	srcLocal bool

	// oracle: which endpoint the probabilistic rules pick, and whether an
	// affinity record exists for it.
	chosen   netip.AddrPort
	affinity bool

	mark    bool
	masq    bool // the mark was set when the packet reached POSTROUTING
	dnat    netip.AddrPort
	verdict Verdict
	hcHit   bool

	cost  int
	rules []string
	depth int
}

func (ts *traceState) dnatted() bool { return ts.dnat.IsValid() }

func (ts *traceState) note(s string) {
	if ts.rules != nil {
		ts.rules = append(ts.rules, s)
	}
}

func (ts *traceState) outcome() Verdict {
	switch {
	case ts.verdict == VerdictDrop || ts.verdict == VerdictReject:
		return ts.verdict
	case ts.dnatted():
		return VerdictForward
	case ts.hcHit:
		return VerdictAccept
	}
	return VerdictNone
}

// ---- iptables ----

func (ts *traceState) iptMatches(r *iptRule) bool {
	if r.src.IsValid() && r.src.Contains(ts.src) == r.srcNeg {
		return false
	}
	if r.dst.IsValid() && r.dst.Contains(ts.dst) == r.dstNeg {
		return false
	}
	if r.proto != 0 && r.proto != ts.proto {
		return false
	}
	for _, m := range r.m {
		switch m.kind {
		case mL4:
			if m.n != 0 && uint16(m.n) != ts.dport {
				return false
			}
		case mAddrtypeDst:
			if !ts.n.isLocal(ts.dst) {
				return false
			}
		case mAddrtypeSrc:
			if !ts.srcLocal {
				return false
			}
		case mStatistic:
			if r.sepOf != ts.chosen {
				return false
			}
		case mRecentCheck:
			if !ts.affinity || r.sepOf != ts.chosen {
				return false
			}
		case mConntrack:
			var match bool
			switch m.s {
			case "NEW":
				match = true
			case "RELATED,ESTABLISHED,DNAT":
				match = ts.dnatted()
			default:
				match = false
			}
			if match == m.neg {
				return false
			}
		case mMark:
			if ts.mark == m.neg {
				return false
			}
		}
	}
	return true
}

// iptWalk evaluates a chain; it reports whether a terminating target ended
// the table's traversal.
func (ts *traceState) iptWalk(rs *iptRuleset, t iptTable, chain string) bool {
	ts.depth++
	defer func() { ts.depth-- }()
	if ts.depth > 32 {
		return false
	}
	for _, r := range rs.chains[t][chain] {
		ts.cost++
		if !ts.iptMatches(r) {
			continue
		}
		if r.jump != "" {
			ts.note(r.String())
		}
		switch r.jump {
		case "":
		case "RETURN":
			return false
		case "ACCEPT":
			if t == tFilter && chain == "KUBE-NODEPORTS" {
				ts.hcHit = true
			}
			return true
		case "DROP":
			ts.verdict = VerdictDrop
			return true
		case "REJECT":
			ts.verdict = VerdictReject
			return true
		case "DNAT":
			ts.dnat = r.dnat
			ts.dst, ts.dport = r.dnat.Addr(), r.dnat.Port()
			return true
		case "MARK":
			ts.mark = !r.xor
		case "MASQUERADE":
			return true
		default:
			if ts.iptWalk(rs, t, r.jump) {
				return true
			}
		}
	}
	return false
}

func (ts *traceState) traceIPTables(rs *iptRuleset) {
	done := func() bool { return ts.verdict == VerdictDrop || ts.verdict == VerdictReject }
	if ts.srcLocal {
		ts.iptWalk(rs, tNAT, "OUTPUT")
		ts.iptWalk(rs, tFilter, "OUTPUT")
		if !done() && ts.n.isLocal(ts.dst) {
			ts.iptWalk(rs, tFilter, "INPUT")
		}
	} else {
		ts.iptWalk(rs, tNAT, "PREROUTING")
		if ts.n.isLocal(ts.dst) {
			ts.iptWalk(rs, tFilter, "INPUT")
		} else {
			ts.iptWalk(rs, tFilter, "FORWARD")
		}
	}
	ts.masq = ts.mark
	if !done() && ts.dnatted() {
		ts.iptWalk(rs, tNAT, "POSTROUTING")
	}
}

// ---- nftables ----

func (ts *traceState) nftElemLookup(t *nftTable, set string, key vmapKey) *nftElem {
	s := t.setBy[set]
	if s == nil {
		return nil
	}
	for i := range s.elems {
		e := &s.elems[i]
		if e.proto != ts.proto || e.port != ts.dport {
			continue
		}
		if key == keyAddrProtoPort && e.addr != ts.dst {
			continue
		}
		return e
	}
	return nil
}

func (ts *traceState) nftInSet(t *nftTable, set string, a netip.Addr) bool {
	s := t.setBy[set]
	if s == nil {
		return false
	}
	for i := range s.elems {
		if s.elems[i].addr == a {
			return true
		}
	}
	return false
}

func (ts *traceState) nftMatches(t *nftTable, r *nftRule) bool {
	if r.daddr.IsValid() && r.daddr.Contains(ts.dst) == r.daddrNeg {
		return false
	}
	if r.daddrAny != nil {
		in := false
		for _, p := range r.daddrAny {
			if p.Contains(ts.dst) {
				in = true
			}
		}
		if !in {
			return false
		}
	}
	if r.daddrSet != "" && !ts.nftInSet(t, r.daddrSet, ts.dst) {
		return false
	}
	if r.saddr != nil {
		in := false
		for _, p := range r.saddr {
			if p.Contains(ts.src) {
				in = true
			}
		}
		if in == r.saddrNeg {
			return false
		}
	}
	if r.saddrSet != "" && (!ts.affinity || len(r.epOf) == 0 || r.epOf[0] != ts.chosen) {
		return false
	}
	if r.fibDaddrLocal && !ts.n.isLocal(ts.dst) {
		return false
	}
	if r.fibSaddrLocal && !ts.srcLocal {
		return false
	}
	if r.l4 != 0 && (r.l4 != ts.proto || r.dport != ts.dport) {
		return false
	}
	return true
}

// nftVerdict applies a verdict string from a map element.
func (ts *traceState) nftVerdict(t *nftTable, v string) bool {
	switch {
	case v == "drop":
		ts.verdict = VerdictDrop
		return true
	case v == "accept":
		return true
	case len(v) > 5 && v[:5] == "goto ":
		return ts.nftWalk(t, v[5:])
	case len(v) > 5 && v[:5] == "jump ":
		return ts.nftWalk(t, v[5:])
	}
	return false
}

// nftWalk evaluates a chain; it reports whether a terminal verdict ended the
// hook's evaluation.
func (ts *traceState) nftWalk(t *nftTable, chain string) bool {
	ts.depth++
	defer func() { ts.depth-- }()
	c := t.byName[chain]
	if c == nil || ts.depth > 32 {
		return false
	}
	for _, r := range c.rules {
		ts.cost++
		if !ts.nftMatches(t, r) {
			continue
		}
		switch r.act {
		case actVmap:
			e := ts.nftElemLookup(t, r.vmap, r.key)
			if e == nil {
				continue
			}
			ts.note(chain + ": " + r.text + " => " + e.key + " : " + e.value)
			return ts.nftVerdict(t, e.value)
		case actNumgen:
			i := 0
			for j, ep := range r.epOf {
				if ep == ts.chosen {
					i = j
				}
			}
			ts.note(chain + ": " + r.text + " => " + itoa(i))
			return ts.nftWalk(t, r.numgen[i])
		}
		ts.note(chain + ": " + r.text)
		switch r.act {
		case actJump:
			if ts.nftWalk(t, r.target) {
				return true
			}
		case actGoto:
			return ts.nftWalk(t, r.target)
		case actDrop:
			ts.verdict = VerdictDrop
			return true
		case actReject:
			ts.verdict = VerdictReject
			return true
		case actReturn:
			return false
		case actMarkOr:
			ts.mark = true
		case actMarkXor:
			ts.mark = false
		case actMasquerade:
			return true
		case actDNAT:
			ts.dnat = r.dnat
			ts.dst, ts.dport = r.dnat.Addr(), r.dnat.Port()
			return true
		}
	}
	return false
}

func (ts *traceState) traceNFT(t *nftTable) {
	done := func() bool { return ts.verdict == VerdictDrop || ts.verdict == VerdictReject }
	hooks := []string{"filter-prerouting-pre-dnat", "nat-prerouting"}
	if ts.srcLocal {
		hooks = []string{"filter-output-pre-dnat", "nat-output", "filter-output"}
	}
	for _, h := range hooks {
		ts.nftWalk(t, h)
		if done() {
			return
		}
	}
	if ts.n.isLocal(ts.dst) {
		ts.nftWalk(t, "filter-input")
	} else if !ts.srcLocal {
		ts.nftWalk(t, "filter-forward")
	}
	ts.masq = ts.mark
	if !done() && ts.dnatted() {
		ts.nftWalk(t, "nat-postrouting")
	}
	if !done() && !ts.dnatted() && ts.proto == TCP && ts.n.isLocal(ts.dst) {
		// kube-proxy's health server listens on health-check node ports.
		if he := ts.n.p.hcPorts[hkey{port: ts.dport, fam: famOf(ts.dst)}]; he != nil && he.chain.at(ts.n.ver) != nil {
			ts.hcHit = true
		}
	}
}

// newTrace prepares a trace of pkt on the node.
func (n *Node) newTrace(pkt Packet, chosen netip.AddrPort, affinity, withRules bool) *traceState {
	src, dst := pkt.Src.Addr().Unmap(), pkt.Dst.Addr().Unmap()
	ts := &traceState{
		n: n, src: src, dst: dst, dport: pkt.Dst.Port(), proto: pkt.Proto.norm(),
		srcLocal: n.isLocal(src), chosen: chosen, affinity: affinity,
	}
	if withRules {
		ts.rules = make([]string, 0, 16)
	}
	return ts
}
