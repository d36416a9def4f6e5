package proxy

import (
	"encoding/json"
	"io"
	"net/netip"
	"time"
)

// Decision is a routing decision with its explanation, ready to print as
// JSON (`kubesim route -o json`).
type Decision struct {
	// Verdict is forward, drop, reject, accept or none.
	Verdict Verdict `json:"verdict"`
	// Endpoints are the eligible endpoints ("ip:port"), in kube-proxy's order.
	Endpoints []string `json:"endpoints"`
	// Chosen is the endpoint the packet is DNATed to, or "".
	Chosen string `json:"chosen"`
	// Masquerade reports whether the packet is SNATed to the node's address.
	Masquerade bool `json:"masquerade"`
	// Rules are the rules (iptables), chain rules and map lookups (nftables)
	// or lookups (IPVS) the packet matched, in order.
	Rules []string `json:"rules"`
	// Cost is the number of rules evaluated, matched or not: iptables walks
	// KUBE-SERVICES linearly, nftables and IPVS look services up in hash maps.
	Cost int `json:"cost"`

	Mode        Mode         `json:"mode"`
	Node        string       `json:"node"`
	Packet      string       `json:"packet"`
	Service     string       `json:"service,omitempty"`
	Target      Target       `json:"target,omitempty"`
	Reason      Reason       `json:"reason,omitempty"`
	Established bool         `json:"established,omitempty"`
	Affinity    bool         `json:"affinity,omitempty"`
	HealthCheck *HealthCheck `json:"healthCheck,omitempty"`
}

// WriteJSON writes the decision as indented JSON followed by a newline,
// without escaping "<", ">" and "&" (rule comments contain "->").
func (d Decision) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// HealthCheck is kube-proxy's answer on a health-check node port.
type HealthCheck struct {
	Service        string `json:"service"`
	LocalEndpoints int    `json:"localEndpoints"`
	StatusCode     int    `json:"statusCode"` // 200 with local endpoints, else 503
}

// Explain routes pkt like Route (with the same effects on conntrack, affinity
// and the random stream) and explains the decision: the rules the packet
// walked in the configured mode and how many were evaluated. It allocates;
// Route is the fast path.
func (n *Node) Explain(now time.Time, pkt Packet) Decision {
	if n == nil {
		return Decision{Verdict: VerdictNone, Endpoints: []string{}, Rules: []string{}}
	}
	r := n.Route(now, pkt)
	d := Decision{
		Verdict: r.Verdict, Endpoints: r.Endpoints.Strings(), Masquerade: r.Masquerade,
		Mode: n.p.cfg.Mode, Node: n.name, Packet: pkt.String(),
		Target: r.Target, Reason: r.Reason, Established: r.Established, Affinity: r.Affinity,
		Rules: []string{},
	}
	if r.Chosen.IsValid() {
		d.Chosen = r.Chosen.String()
	}
	if svc := r.Service(); svc != (ServicePortName{}) {
		d.Service = svc.String()
	}
	if r.Verdict == VerdictAccept {
		hc := &HealthCheck{Service: r.Service().Namespace + "/" + r.Service().Name, LocalEndpoints: r.HealthLocalEndpoints, StatusCode: 503}
		if r.HealthLocalEndpoints > 0 {
			hc.StatusCode = 200
		}
		d.HealthCheck = hc
	}
	if r.Reason == ReasonInvalidPacket {
		return d
	}
	if r.Established {
		d.Rules = append(d.Rules, "conntrack: established flow "+pkt.String()+" -> "+d.Chosen)
		d.Cost = 1
		return d
	}
	if r.Reason == ReasonNoDestination {
		d.Rules = append(d.Rules, "IPVS: real server of established flow removed (expire_nodest_conn)")
		d.Cost = 1
		return d
	}
	f := famOf(pkt.Dst.Addr().Unmap())
	only := r.rec
	if only == nil {
		only = noRecord // build the shared chains only
	}
	switch n.p.cfg.Mode {
	case ModeIPVS:
		d.Rules, d.Cost = n.explainIPVS(pkt, r)
		if d.Rules == nil {
			d.Rules = []string{}
		}
	case ModeNFTables:
		ts := n.newTrace(pkt, r.Chosen, r.Affinity, true)
		ts.traceNFT(n.buildNFT(f, only))
		d.Rules, d.Cost = ts.rules, ts.cost
	default:
		ts := n.newTrace(pkt, r.Chosen, r.Affinity, true)
		ts.traceIPTables(n.buildIPTables(f, only))
		d.Rules, d.Cost = ts.rules, ts.cost
	}
	return d
}

// HealthCheckResponse answers what kube-proxy's health server on this node
// says for a service with externalTrafficPolicy Local: the number of local
// ready endpoints (over all the service's ports) and 200 or 503. ok is false
// if the service has no health-check node port on this node's view.
func (n *Node) HealthCheckResponse(namespace, name string) (hc HealthCheck, ok bool) {
	for f := fam4; f <= fam6; f++ {
		for _, he := range n.p.hcPorts {
			t := he.chain.at(n.ver)
			if t == nil || t.svc.ns != namespace || t.svc.name != name || t.recs[0].fam != f {
				continue
			}
			hc = HealthCheck{Service: namespace + "/" + name, LocalEndpoints: n.localReadyEndpoints(t), StatusCode: 503}
			if hc.LocalEndpoints > 0 {
				hc.StatusCode = 200
			}
			return hc, true
		}
	}
	return HealthCheck{}, false
}

// noRecord is a record no service has: building rules "only" for it builds
// just the shared chains.
var noRecord = &spRecord{}

// traceOutcome is what a tracer run concluded, for differential tests.
type traceOutcome struct {
	verdict Verdict
	dnat    netip.AddrPort
	masq    bool
}

// traceWith walks pkt through the rendered rules of the configured mode with
// the probabilistic rules forced to pick chosen.
func (n *Node) traceWith(pkt Packet, chosen netip.AddrPort, affinity bool) traceOutcome {
	return n.newTracer(famOf(pkt.Dst.Addr().Unmap())).trace(pkt, chosen, affinity)
}

// tracer holds a node's rendered rules for repeated traces.
type tracer struct {
	n   *Node
	ipt *iptRuleset
	nft *nftTable
}

func (n *Node) newTracer(f family) *tracer {
	t := &tracer{n: n}
	if n.p.cfg.Mode == ModeNFTables {
		t.nft = n.buildNFT(f, nil)
	} else {
		t.ipt = n.buildIPTables(f, nil)
	}
	return t
}

func (t *tracer) trace(pkt Packet, chosen netip.AddrPort, affinity bool) traceOutcome {
	ts := t.n.newTrace(pkt, chosen, affinity, false)
	if t.nft != nil {
		ts.traceNFT(t.nft)
	} else {
		ts.traceIPTables(t.ipt)
	}
	return traceOutcome{verdict: ts.outcome(), dnat: ts.dnat, masq: ts.masq}
}
