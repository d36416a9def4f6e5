package main

import (
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
)

func init() {
	register(command{
		name:    "route",
		summary: "where a node's kube-proxy rules send a packet, and why",
		run:     runRoute,
	})
}

const routeDescription = `Route the first packet of a connection from --src to --dst:--port through
the rules kube-proxy has programmed on --node, and print the verdict, the
endpoints eligible on that node, the one chosen, whether the packet is
masqueraded, and the rules it walked. With -o json the result is an object
with verdict (forward, drop, reject, accept or none), endpoints, chosen,
masquerade, rules and cost (the number of rules evaluated).

--node may be left out on a cluster of one node. --dst may carry the port
(IP:PORT) instead of --port.

Exit status: 0 whenever a decision was made, whatever the verdict; 1 on any
error (bad flags, manifests that do not apply, an unknown node).`

// proxyFlags are kube-proxy's flags, shared by route and rules; they map onto
// kubesim.Config.Proxy and so apply to every node.
type proxyFlags struct {
	mode                 string
	masqueradeAll        bool
	noLocalDetector      bool
	nodePortAddresses    string
	noLocalhostNodePorts bool
}

func (pf *proxyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&pf.mode, "proxy-mode", "iptables", "kube-proxy's mode: iptables, nftables or ipvs")
	fs.BoolVar(&pf.masqueradeAll, "masquerade-all", false, "SNAT all traffic to cluster IPs (kube-proxy --masquerade-all)")
	fs.BoolVar(&pf.noLocalDetector, "no-local-detector", false, "no local-traffic detector (--detect-local-mode=None instead of ClusterCIDR)")
	fs.StringVar(&pf.nodePortAddresses, "nodeport-addresses", "", "comma-separated CIDRs of the node addresses that accept node ports (kube-proxy --nodeport-addresses)")
	fs.BoolVar(&pf.noLocalhostNodePorts, "no-localhost-nodeports", false, "no node ports on 127.0.0.1 in iptables mode (--iptables-localhost-nodeports=false)")
}

// config returns the cluster configuration with the proxy flags applied.
func (pf *proxyFlags) config(cf *clusterFlags) (kubesim.Config, error) {
	cfg, err := cf.config()
	if err != nil {
		return cfg, err
	}
	mode, err := proxy.ParseMode(pf.mode)
	if err != nil {
		return cfg, fmt.Errorf("--proxy-mode: %w", err)
	}
	cfg.Proxy.Mode = mode
	cfg.Proxy.MasqueradeAll = pf.masqueradeAll
	if pf.noLocalDetector {
		cfg.Proxy.DetectLocal = proxy.DetectLocalNone
	}
	if cfg.Proxy.NodePortAddresses, err = proxy.ParseCIDRList(pf.nodePortAddresses); err != nil {
		return cfg, fmt.Errorf("--nodeport-addresses: %w", err)
	}
	cfg.Proxy.NoLocalhostNodePorts = pf.noLocalhostNodePorts
	return cfg, nil
}

// pickNode returns the node named, or the only node when none is named.
func pickNode(c *kubesim.Cluster, name string) (string, error) {
	if name != "" {
		return name, nil
	}
	var nodes []string
	for _, n := range kubesim.ListOf[*api.Node](c, "", api.Everything()) {
		nodes = append(nodes, n.Name)
	}
	if len(nodes) != 1 {
		return "", fmt.Errorf("--node is required on a cluster of %d nodes (%s)", len(nodes), join(nodes))
	}
	return nodes[0], nil
}

// routePacket builds the packet from the flags.
func routePacket(src, dst string, port int, proto string) (proxy.Packet, error) {
	var pkt proxy.Packet
	if src == "" {
		return pkt, fmt.Errorf("--src is required: the packet's source address, IP or IP:PORT")
	}
	if dst == "" {
		return pkt, fmt.Errorf("--dst is required: the packet's destination address")
	}
	s, err := proxy.ParseHostPort(src)
	if err != nil {
		return pkt, fmt.Errorf("invalid --src: %v", err)
	}
	d, err := proxy.ParseHostPort(dst)
	if err != nil {
		return pkt, fmt.Errorf("invalid --dst: %v", err)
	}
	switch {
	case port < 0 || port > 65535:
		return pkt, fmt.Errorf("invalid --port %d: must be between 1 and 65535, inclusive", port)
	case port != 0 && d.Port() != 0 && int(d.Port()) != port:
		return pkt, fmt.Errorf("--dst %s and --port %d disagree", dst, port)
	case port != 0:
		d = netip.AddrPortFrom(d.Addr(), uint16(port))
	case d.Port() == 0:
		return pkt, fmt.Errorf("--port is required: the destination port")
	}
	if s.Addr().Is4() != d.Addr().Is4() {
		return pkt, fmt.Errorf("--src %s and --dst %s are of different IP families", s.Addr(), d.Addr())
	}
	p, err := proxy.ParseProtocol(proto)
	if err != nil {
		return pkt, fmt.Errorf("invalid --proto %q: want tcp, udp or sctp", proto)
	}
	return proxy.Packet{Src: s, Dst: d, Proto: p}, nil
}

func runRoute(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	var pf proxyFlags
	var node, src, dst, proto, output string
	var port int
	fs := newFlagSet("route", "-f MANIFESTS... --node NAME --src IP[:PORT] --dst IP --port N [flags]", routeDescription, stderr)
	cf.register(fs)
	pf.register(fs)
	fs.StringVar(&node, "node", "", "the node whose rules the packet meets (default: the only node)")
	fs.StringVar(&src, "src", "", "source address, IP or IP:PORT (required)")
	fs.StringVar(&dst, "dst", "", "destination address, IP or IP:PORT (required)")
	fs.IntVar(&port, "port", 0, "destination port (required unless --dst has one)")
	fs.StringVar(&proto, "proto", "tcp", "protocol: tcp, udp or sctp")
	fs.StringVar(&output, "o", "", "output format: json, or empty for text")
	fs.StringVar(&output, "output", "", "same as -o")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) != 0 {
		return fail(stderr, fmt.Errorf("route takes no arguments, got %q (see kubesim route -h)", pos))
	}
	pkt, err := routePacket(src, dst, port, proto)
	if err != nil {
		return fail(stderr, err)
	}
	if err := checkOutput(output, "", "json"); err != nil {
		return fail(stderr, err)
	}
	cfg, err := pf.config(&cf)
	if err != nil {
		return fail(stderr, err)
	}
	c, err := cf.buildWith(cfg)
	if err != nil {
		return fail(stderr, err)
	}
	if node, err = pickNode(c, node); err != nil {
		return fail(stderr, err)
	}
	d, err := c.Explain(node, pkt)
	if err != nil {
		return fail(stderr, err)
	}
	if output == "json" {
		if err := d.WriteJSON(stdout); err != nil {
			return fail(stderr, err)
		}
		return exitOK
	}
	io.WriteString(stdout, formatDecision(d))
	return exitOK
}

// formatDecision renders a decision for people: what the packet hit, what
// happened to it, and the rules behind that.
func formatDecision(d proxy.Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "packet:     %s on node %s (%s mode)\n", d.Packet, d.Node, d.Mode)
	if d.Service != "" {
		fmt.Fprintf(&b, "service:    %s (%s)\n", d.Service, d.Target)
	} else if d.Target != proxy.TargetNone {
		fmt.Fprintf(&b, "service:    none (the destination is in the service CIDR)\n")
	} else {
		fmt.Fprintf(&b, "service:    none: the destination is no service address\n")
	}
	b.WriteString("verdict:    " + d.Verdict.String())
	switch {
	case d.Chosen != "":
		b.WriteString(" to " + d.Chosen)
	case d.Verdict == proxy.VerdictNone:
		b.WriteString(" (routed unchanged)")
	}
	if d.Reason != proxy.ReasonNone {
		b.WriteString(" (" + d.Reason.String() + ")")
	}
	switch {
	case d.Established:
		b.WriteString(", by an established connection")
	case d.Affinity:
		b.WriteString(", by session affinity")
	}
	b.WriteString("\n")
	if d.HealthCheck != nil {
		fmt.Fprintf(&b, "health:     %d (%d local endpoints of %s)\n", d.HealthCheck.StatusCode, d.HealthCheck.LocalEndpoints, d.HealthCheck.Service)
	}
	if len(d.Endpoints) > 0 || d.Verdict == proxy.VerdictForward {
		fmt.Fprintf(&b, "endpoints:  %s\n", strings.Join(d.Endpoints, " "))
	}
	masq := "no"
	if d.Masquerade {
		masq = "yes, SNAT to the node's address"
	}
	fmt.Fprintf(&b, "masquerade: %s\n", masq)
	fmt.Fprintf(&b, "rules:      %d evaluated, %d matched\n", d.Cost, len(d.Rules))
	for _, r := range d.Rules {
		b.WriteString("  " + r + "\n")
	}
	return b.String()
}
