package proxy

import (
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// Protocol is a transport protocol, numbered as in the IP header. The zero
// value is read as TCP, so a Packet literal without Proto is a TCP packet.
type Protocol uint8

// The protocols a Service port can use.
const (
	TCP  Protocol = 6
	UDP  Protocol = 17
	SCTP Protocol = 132
)

// norm maps the zero value to TCP.
func (p Protocol) norm() Protocol {
	if p == 0 {
		return TCP
	}
	return p
}

// valid reports whether p is TCP, UDP, SCTP or the zero value.
func (p Protocol) valid() bool {
	switch p {
	case 0, TCP, UDP, SCTP:
		return true
	}
	return false
}

// String returns "tcp", "udp" or "sctp" (lower case, as iptables and nftables
// write it), or "proto(N)" for any other number.
func (p Protocol) String() string {
	switch p.norm() {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case SCTP:
		return "sctp"
	}
	return "proto(" + strconv.Itoa(int(p)) + ")"
}

// protocolFromAPI converts an API protocol; empty means TCP, as the API
// server defaults it. ok is false for anything else.
func protocolFromAPI(p api.Protocol) (Protocol, bool) {
	switch p {
	case "", api.ProtocolTCP:
		return TCP, true
	case api.ProtocolUDP:
		return UDP, true
	case api.ProtocolSCTP:
		return SCTP, true
	}
	return 0, false
}

// FlowMode says how Route treats a packet with respect to connection tracking.
type FlowMode uint8

const (
	// FlowAuto is what the kernel does: a packet whose 5-tuple has a live
	// conntrack entry belongs to that established flow and keeps its
	// endpoint, whatever the rules say now; any other packet starts a new
	// connection, which the rules decide and conntrack then remembers.
	FlowAuto FlowMode = iota
	// FlowNew declares a new connection (for example a fresh SYN reusing a
	// source port): any entry for the tuple is discarded, the rules decide,
	// and the new decision is remembered.
	FlowNew
	// FlowProbe asks what the rules would do with a new connection without
	// recording anything: no conntrack entry and no affinity update. It
	// still draws from the node's random stream.
	FlowProbe
)

// Packet is the first packet of a flow as a node's kube-proxy rules see it.
type Packet struct {
	Src   netip.AddrPort // source; the port may be zero
	Dst   netip.AddrPort // destination address and port
	Proto Protocol       // zero means TCP
	Flow  FlowMode
}

// String renders the packet as "src -> dst/proto", the form ParsePacket reads.
func (p Packet) String() string {
	var b strings.Builder
	if p.Src.Port() == 0 {
		b.WriteString(p.Src.Addr().String())
	} else {
		b.WriteString(p.Src.String())
	}
	b.WriteString(" -> ")
	b.WriteString(p.Dst.String())
	b.WriteByte('/')
	b.WriteString(p.Proto.String())
	return b.String()
}

// Verdict is what a node does with a packet.
type Verdict uint8

// Verdicts. The zero value is VerdictNone: the destination is not a service
// address and the packet is routed unchanged.
const (
	VerdictNone    Verdict = iota // not intercepted; routed unchanged
	VerdictForward                // DNAT to one endpoint
	VerdictDrop                   // silently dropped
	VerdictReject                 // ICMP port unreachable (TCP reset for TCP in nftables)
	VerdictAccept                 // accepted locally: kube-proxy's health-check node port
)

var verdictNames = [...]string{"none", "forward", "drop", "reject", "accept"}

// String returns "none", "forward", "drop", "reject" or "accept".
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "verdict(" + strconv.Itoa(int(v)) + ")"
}

// MarshalText writes the String form, so a Verdict is a JSON string.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Target says which kind of service address a packet's destination matched.
type Target uint8

// Targets.
const (
	TargetNone           Target = iota // no service address
	TargetClusterIP                    // the service's cluster IP
	TargetExternalIP                   // one of spec.externalIPs
	TargetLoadBalancerIP               // a status.loadBalancer.ingress IP (ipMode VIP)
	TargetNodePort                     // a node port on a node-port address of this node
	TargetHealthCheck                  // the service's healthCheckNodePort
	TargetClusterIPRange               // a live cluster IP on an undefined port, or an unallocated address of the service CIDR
)

var targetNames = [...]string{"", "clusterIP", "externalIP", "loadBalancerIP", "nodePort", "healthCheckNodePort", "serviceCIDR"}

// String names the target as the Service API does ("clusterIP", "nodePort", ...),
// or "" for TargetNone.
func (t Target) String() string {
	if int(t) < len(targetNames) {
		return targetNames[t]
	}
	return "target(" + strconv.Itoa(int(t)) + ")"
}

// MarshalText writes the String form.
func (t Target) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Reason explains a verdict other than a plain forward.
type Reason uint8

// Reasons.
const (
	ReasonNone             Reason = iota
	ReasonNoEndpoints             // the service has no usable endpoint anywhere: REJECT
	ReasonNoLocalEndpoints        // a Local traffic policy and no usable endpoint on this node: DROP
	ReasonSourceRange             // source outside loadBalancerSourceRanges: DROP
	ReasonInvalidPort             // nftables/IPVS: a live cluster IP on a port no service defines
	ReasonUnallocatedIP           // nftables: an address of the service CIDR no service owns
	ReasonHealthCheck             // kube-proxy's health server answers
	ReasonNoDestination           // IPVS: the established flow's endpoint is gone (expire_nodest_conn)
	ReasonInvalidPacket           // the packet could not be interpreted (bad address or protocol)
	ReasonLocalnet                // iptables: a loopback destination from a non-loopback source (KUBE-FIREWALL)
)

var reasonNames = [...]string{
	"", "service has no endpoints", "service has no local endpoints",
	"source not in loadBalancerSourceRanges", "port not defined on cluster IP",
	"unallocated address in service CIDR", "health check node port",
	"endpoint of established flow removed", "invalid packet",
	"localnet destination from a non-loopback source",
}

// String describes the reason in a few words, or "" for ReasonNone.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText writes the String form.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// ServicePortName identifies one port of one Service, as kube-proxy's
// ServicePortName does: the routing tables hold one entry per ServicePortName
// (and IP family).
type ServicePortName struct {
	Namespace string
	Name      string
	Port      string // the port's name; "" for a single unnamed port
	Protocol  Protocol
}

// String returns "namespace/name:port", or "namespace/name" for an unnamed
// port: the form kube-proxy writes in rule comments and hashes into chain names.
func (s ServicePortName) String() string {
	if s.Port == "" {
		return s.Namespace + "/" + s.Name
	}
	return s.Namespace + "/" + s.Name + ":" + s.Port
}

// Endpoint is one backend of a service port: an address from an EndpointSlice
// with the slice's port, its node and its conditions.
type Endpoint struct {
	Addr        netip.AddrPort
	NodeName    string
	Ready       bool
	Serving     bool
	Terminating bool
}

// String returns "ip:port" ("[ip]:port" for IPv6).
func (e Endpoint) String() string { return e.Addr.String() }

// EndpointSet is a read-only view of a sequence of endpoints shared with the
// proxy's tables. It is cheap to copy and never allocates to read. Endpoints
// are in kube-proxy's order: sorted by their "ip:port" string.
type EndpointSet struct {
	eps []Endpoint
}

// Len returns the number of endpoints.
func (s EndpointSet) Len() int { return len(s.eps) }

// At returns the i'th endpoint. It panics if i is out of range, like a slice.
func (s EndpointSet) At(i int) Endpoint { return s.eps[i] }

// All iterates over the endpoints in order.
func (s EndpointSet) All() iter.Seq2[int, Endpoint] {
	return func(yield func(int, Endpoint) bool) {
		for i, e := range s.eps {
			if !yield(i, e) {
				return
			}
		}
	}
}

// Contains reports whether ap is one of the endpoints.
func (s EndpointSet) Contains(ap netip.AddrPort) bool {
	for i := range s.eps {
		if s.eps[i].Addr == ap {
			return true
		}
	}
	return false
}

// Strings returns the endpoints as "ip:port" strings, in order. It allocates
// and never returns nil.
func (s EndpointSet) Strings() []string {
	out := make([]string, len(s.eps))
	for i := range s.eps {
		out[i] = s.eps[i].Addr.String()
	}
	return out
}

// Result is the fast path's answer for one packet. Its EndpointSet and
// strings share memory with the proxy's tables and must be treated as
// read-only.
type Result struct {
	Verdict Verdict
	Target  Target
	Reason  Reason
	// Endpoints are the endpoints eligible for this packet on this node:
	// the set the rules choose among (for a forward), after traffic policy,
	// topology and terminating fallback.
	Endpoints EndpointSet
	// Chosen is the endpoint the packet is DNATed to (forward only).
	Chosen netip.AddrPort
	// Masquerade reports whether the packet is SNATed to the node.
	Masquerade bool
	// Established reports that an existing conntrack entry decided the
	// packet, not the current rules.
	Established bool
	// Affinity reports that ClientIP session affinity chose the endpoint.
	Affinity bool
	// HealthLocalEndpoints is, for VerdictAccept, the number of local ready
	// endpoints kube-proxy's health server reports (200 if > 0, else 503).
	HealthLocalEndpoints int

	rec       *spRecord // the service port's record, for conntrack and explanations
	hc        *hcTarget // the health check answered, for VerdictAccept
	chosenIdx int       // index of Chosen in Endpoints
}

// Service returns the service port the destination belongs to: zero for
// VerdictNone and for addresses no service owns; for the health-check port,
// the service with an empty port name.
func (r Result) Service() ServicePortName {
	switch {
	case r.rec != nil:
		return r.rec.name
	case r.hc != nil:
		return ServicePortName{Namespace: r.hc.svc.ns, Name: r.hc.svc.name}
	}
	return ServicePortName{}
}
