package podnet

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
)

// Modelled network costs. They are plausible, fixed values, not
// measurements: they order events and add up to the durations that clients
// print ("after 0 ms", ping's round trips).
const (
	// rttLocal is a round trip inside a pod (loopback) or to its node.
	rttLocal = 30 * time.Microsecond
	// rttSameNode is a round trip between two pods on one node's bridge.
	rttSameNode = 100 * time.Microsecond
	// rttOtherNode is a round trip between pods on different nodes.
	rttOtherNode = 600 * time.Microsecond
	// rttOutside is a round trip to a host in the outside world.
	rttOutside = 10 * time.Millisecond
	// synTimeout is how long Linux tries to open a TCP connection nobody
	// answers: tcp_syn_retries=6 retransmissions backing off from 1 s
	// (1+2+4+8+16+32+64 s) before connect fails with ETIMEDOUT.
	synTimeout = 127 * time.Second
	// arpTimeout is how long the node tries to resolve an address of its pod
	// network that no pod holds (three ARP probes a second apart) before the
	// sender gets EHOSTUNREACH.
	arpTimeout = 3 * time.Second
)

// The ephemeral port range of a Linux pod (net.ipv4.ip_local_port_range).
const (
	ephemeralLow  = 32768
	ephemeralHigh = 60999
)

// PeerKind says what holds an address, as seen from a pod.
type PeerKind string

// The kinds of peer.
const (
	// PeerNone: nothing answers; packets are lost.
	PeerNone PeerKind = "none"
	// PeerSelf: the pod itself, over loopback or its own address.
	PeerSelf PeerKind = "self"
	// PeerPod: a running pod.
	PeerPod PeerKind = "pod"
	// PeerNode: a node's own address.
	PeerNode PeerKind = "node"
	// PeerProxy: kube-proxy's health-check server on the pod's node.
	PeerProxy PeerKind = "kube-proxy"
	// PeerOutside: a host of the outside world (the upstream DNS zone).
	PeerOutside PeerKind = "outside"
	// PeerNoHost: an address of the pod network that no pod holds.
	PeerNoHost PeerKind = "no host"
)

// Peer is what holds an address.
type Peer struct {
	Kind PeerKind `json:"kind"`
	// Namespace and Name name the pod (PeerPod, PeerSelf) or, in Name, the
	// node (PeerNode, PeerProxy) or outside host (PeerOutside).
	Namespace string     `json:"namespace,omitempty"`
	Name      string     `json:"name,omitempty"`
	Addr      netip.Addr `json:"addr"`

	pod *api.Pod
}

// String describes the peer: "pod default/numbers-api-7c599bfcf6-fd4qz
// (10.1.0.33)".
func (p Peer) String() string {
	switch p.Kind {
	case PeerPod, PeerSelf:
		return fmt.Sprintf("%s %s/%s (%s)", p.Kind, p.Namespace, p.Name, p.Addr)
	case PeerNode, PeerProxy:
		return fmt.Sprintf("%s on node %s (%s)", p.Kind, p.Name, p.Addr)
	case PeerOutside:
		return fmt.Sprintf("%s (%s), outside the cluster", p.Name, p.Addr)
	case PeerNoHost:
		return fmt.Sprintf("no pod holds %s", p.Addr)
	}
	return fmt.Sprintf("nothing answers at %s", p.Addr)
}

// peerAt says what holds address a, as seen from pod from.
func (e *Env) peerAt(a netip.Addr, from *api.Pod) Peer {
	a = a.Unmap()
	if a.IsLoopback() || ownsAddr(from, a) {
		return Peer{Kind: PeerSelf, Namespace: from.Namespace, Name: from.Name, Addr: a, pod: from}
	}
	if p := e.podByIP(a); p != nil {
		if running(p) {
			return Peer{Kind: PeerPod, Namespace: p.Namespace, Name: p.Name, Addr: a, pod: p}
		}
		return Peer{Kind: PeerNoHost, Addr: a}
	}
	if n := e.nodeByIP(a); n != nil {
		return Peer{Kind: PeerNode, Name: n.Name, Addr: a}
	}
	if name, ok := e.outside(a); ok {
		return Peer{Kind: PeerOutside, Name: name, Addr: a}
	}
	if e.inClusterCIDR(a) {
		return Peer{Kind: PeerNoHost, Addr: a}
	}
	return Peer{Kind: PeerNone, Addr: a}
}

// ownsAddr reports whether a is one of the pod's addresses.
func ownsAddr(p *api.Pod, a netip.Addr) bool {
	if p.Status.PodIP == a {
		return true
	}
	for _, ip := range p.Status.PodIPs {
		if ip.IP == a {
			return true
		}
	}
	return false
}

// podAddr returns the pod's address of a's family.
func podAddr(p *api.Pod, a netip.Addr) (netip.Addr, bool) {
	if a.IsLoopback() {
		return a, true
	}
	cands := []netip.Addr{p.Status.PodIP}
	for _, ip := range p.Status.PodIPs {
		cands = append(cands, ip.IP)
	}
	for _, c := range cands {
		if c.IsValid() && c.Is4() == a.Is4() {
			return c, true
		}
	}
	return netip.Addr{}, false
}

// rttTo is the modelled round trip from pod from to a peer.
func rttTo(from *api.Pod, p Peer) time.Duration {
	switch p.Kind {
	case PeerSelf, PeerProxy:
		return rttLocal
	case PeerPod:
		if p.pod != nil && p.pod.Spec.NodeName != from.Spec.NodeName {
			return rttOtherNode
		}
		return rttSameNode
	case PeerNode:
		if p.Name != from.Spec.NodeName {
			return rttOtherNode
		}
		return rttLocal
	case PeerOutside:
		return rttOutside
	}
	return 0
}

// Outcome is how a connection attempt ended.
type Outcome string

// The outcomes of a connection.
const (
	// Connected: the peer accepted the connection.
	Connected Outcome = "connected"
	// Unresolved: the name did not resolve to an address.
	Unresolved Outcome = "could not resolve host"
	// Refused: a TCP reset or an ICMP port-unreachable came back, from the
	// peer (nothing listens on the port) or from kube-proxy's REJECT rule
	// (the service has no endpoints).
	Refused Outcome = "connection refused"
	// TimedOut: nothing came back (kube-proxy dropped the packet, or nothing
	// holds the address) until the client gave up.
	TimedOut Outcome = "connection timed out"
	// NoRoute: the node found no host for an address of its pod network.
	NoRoute Outcome = "no route to host"
	// Unreachable: the pod has no address of the destination's family.
	Unreachable Outcome = "network is unreachable"
)

// errnoText is the C library's text for the errno behind an outcome, as
// busybox and curl 7 print it (musl and glibc agree on these).
func errnoText(o Outcome) string {
	switch o {
	case Refused:
		return "Connection refused"
	case TimedOut:
		return "Connection timed out"
	case NoRoute:
		return "No route to host"
	case Unreachable:
		return "Network is unreachable"
	}
	return string(o)
}

// conn is one TCP connection attempt from a pod: the packet the pod sent,
// what its node's kube-proxy did with it, who it reached and how it ended.
type conn struct {
	src, dst netip.AddrPort // as sent
	// to is where the packet went after kube-proxy: dst, or the endpoint it
	// was DNATed to.
	to netip.AddrPort
	// routed reports that the packet left the pod and met its node's rules,
	// whose verdict is verdict.
	routed  bool
	verdict proxy.Verdict
	// service is the service port the destination belongs to, and local the
	// local endpoints kube-proxy's health server counts, for a health check.
	service string
	local   int
	// decision is the node's decision explained, when the caller asked for
	// it (Trace).
	decision *proxy.Decision
	peer     Peer
	outcome  Outcome
	// elapsed is how long the attempt took, until it was connected or failed
	// (before any client timeout).
	elapsed time.Duration
}

// connect opens a TCP connection from the pod to a:port: the packet leaves
// with an ephemeral source port drawn from the pod's stream, its node's
// kube-proxy rules decide where it goes (Cluster.Route, or Cluster.Explain
// when x.explain asks for the rules walked; both choose alike), and whatever
// holds the resulting address accepts, refuses or ignores it.
func (x *execution) connect(a netip.Addr, port uint16) conn {
	p := x.pod
	a = a.Unmap()
	c := conn{dst: netip.AddrPortFrom(a, port)}
	srcIP, ok := podAddr(p, a)
	if !ok {
		c.outcome = Unreachable
		c.peer = Peer{Kind: PeerNone, Addr: a}
		return c
	}
	c.src = netip.AddrPortFrom(srcIP, uint16(ephemeralLow+x.e.stream(p).IntN(ephemeralHigh-ephemeralLow+1)))
	c.to = c.dst
	if a.IsLoopback() || ownsAddr(p, a) {
		// Traffic to itself never leaves the pod's network namespace.
		c.peer = x.e.peerAt(a, p)
		return x.deliver(c)
	}
	pkt := proxy.Packet{Src: c.src, Dst: c.dst, Proto: proxy.TCP, Flow: proxy.FlowNew}
	if x.explain {
		d, err := x.e.Cluster.Explain(p.Spec.NodeName, pkt)
		if err == nil {
			c.routed, c.decision, c.verdict, c.service = true, &d, d.Verdict, d.Service
			if to, err := netip.ParseAddrPort(d.Chosen); err == nil {
				c.to = to
			}
			if d.HealthCheck != nil {
				c.service, c.local = d.HealthCheck.Service, d.HealthCheck.LocalEndpoints
			}
		}
	} else if r, err := x.e.Cluster.Route(p.Spec.NodeName, pkt); err == nil {
		c.routed, c.verdict, c.local = true, r.Verdict, r.HealthLocalEndpoints
		if s := r.Service(); s.Name != "" {
			c.service = s.Namespace + "/" + s.Name
		}
		if r.Verdict == proxy.VerdictForward {
			c.to = r.Chosen
		}
	}
	switch c.verdict {
	case proxy.VerdictReject:
		c.peer = Peer{Kind: PeerProxy, Name: p.Spec.NodeName, Addr: p.Status.HostIP}
		c.outcome, c.elapsed = Refused, rttLocal
		return c
	case proxy.VerdictDrop:
		c.peer = Peer{Kind: PeerNone, Addr: a}
		c.outcome, c.elapsed = TimedOut, synTimeout
		return c
	case proxy.VerdictAccept:
		c.peer = Peer{Kind: PeerProxy, Name: p.Spec.NodeName, Addr: a}
		c.outcome, c.elapsed = Connected, rttLocal
		return c
	}
	c.peer = x.e.peerAt(c.to.Addr(), p)
	return x.deliver(c)
}

// deliver decides what the peer at c.to does with the connection.
func (x *execution) deliver(c conn) conn {
	rtt := rttTo(x.pod, c.peer)
	switch c.peer.Kind {
	case PeerSelf, PeerPod:
		if _, ok := x.e.server(c.peer.pod, c.to.Port()); ok {
			c.outcome = Connected
		} else {
			c.outcome = Refused
		}
		c.elapsed = rtt
	case PeerNode:
		c.outcome, c.elapsed = Refused, rtt
		if nodeListens(c.to.Port()) {
			c.outcome = Connected
		}
	case PeerOutside:
		if c.to.Port() == 80 || c.to.Port() == 443 {
			c.outcome, c.elapsed = Connected, rtt
		} else {
			// The outside world's hosts drop other ports at their firewall.
			c.outcome, c.elapsed = TimedOut, synTimeout
		}
	case PeerNoHost:
		c.outcome, c.elapsed = NoRoute, arpTimeout
	default:
		c.outcome, c.elapsed = TimedOut, synTimeout
	}
	return c
}

// nodeListens reports whether a node's own address accepts a TCP port: the
// API server's 6443 (the kubernetes Service's endpoint). Node ports are
// kube-proxy's business and never reach here.
func nodeListens(port uint16) bool {
	return port == 6443
}

// server returns the image serving TCP port on pod p, if any container
// listens there.
func (e *Env) server(p *api.Pod, port uint16) (Image, bool) {
	if p == nil {
		return Image{}, false
	}
	for _, c := range p.Spec.Containers {
		im := e.lookup(c.Image)
		if im.Ports == nil && len(c.Ports) == 0 {
			return im, true // an unknown server that declares nothing: any port
		}
		ports := im.Ports
		if ports == nil {
			for _, cp := range c.Ports {
				if cp.Protocol == "" || cp.Protocol == api.ProtocolTCP {
					ports = append(ports, cp.ContainerPort)
				}
			}
		}
		if slices.Contains(ports, int32(port)) {
			return im, true
		}
	}
	return Image{}, false
}
