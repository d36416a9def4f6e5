package proxy

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Mode is kube-proxy's proxy mode.
type Mode string

// The proxy modes kubesim simulates.
const (
	ModeIPTables Mode = "iptables"
	ModeNFTables Mode = "nftables"
	ModeIPVS     Mode = "ipvs"
)

// ParseMode reads a --proxy-mode value; "" means iptables, kube-proxy's
// default on Linux.
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(strings.TrimSpace(s))) {
	case "", ModeIPTables:
		return ModeIPTables, nil
	case ModeNFTables:
		return ModeNFTables, nil
	case ModeIPVS:
		return ModeIPVS, nil
	}
	return "", fmt.Errorf("proxy: invalid proxy mode %q: must be one of iptables, nftables, ipvs", s)
}

// DetectLocal selects kube-proxy's local-traffic detector, which decides
// which sources count as pods.
type DetectLocal string

// Local-traffic detector modes.
const (
	// DetectLocalClusterCIDR treats sources inside Config.ClusterCIDRs as pods
	// (kube-proxy's default). With no cluster CIDR of a family, that family has
	// no detector.
	DetectLocalClusterCIDR DetectLocal = "ClusterCIDR"
	// DetectLocalNodeCIDR treats sources inside the node's spec.podCIDRs as pods.
	DetectLocalNodeCIDR DetectLocal = "NodeCIDR"
	// DetectLocalNone switches the detector off: no source counts as a pod.
	DetectLocalNone DetectLocal = "None"
)

// Defaults applied to a zero Config.
const (
	DefaultMinSyncPeriod       = time.Second
	DefaultSyncLatency         = 100 * time.Millisecond
	DefaultAffinityTimeout     = 10800 * time.Second
	DefaultConntrackTCPTimeout = 24 * time.Hour
	DefaultConntrackUDPTimeout = 30 * time.Second
	// DefaultConntrackSCTPTimeout is the kernel's established SCTP timeout.
	DefaultConntrackSCTPTimeout = 210 * time.Second
)

// Config configures every node's kube-proxy. The zero Config is kube-proxy's
// default configuration in iptables mode with no local-traffic detector.
type Config struct {
	// Mode is the proxy mode; "" means iptables.
	Mode Mode
	// ClusterCIDRs are the pod networks (--cluster-cidr), used by the
	// ClusterCIDR local-traffic detector. At most one per family is used.
	ClusterCIDRs []netip.Prefix
	// DetectLocal selects the local-traffic detector; "" means ClusterCIDR.
	DetectLocal DetectLocal
	// MasqueradeAll SNATs all traffic sent to cluster IPs (--masquerade-all).
	MasqueradeAll bool
	// NodePortAddresses restricts the node addresses that accept node ports
	// (--nodeport-addresses). Empty means the mode's default: every local
	// address in iptables and IPVS mode, the node's primary IPs in nftables
	// mode. Prefixes of one family leave the other family unrestricted, as
	// in kube-proxy.
	NodePortAddresses []netip.Prefix
	// NoLocalhostNodePorts turns off iptables mode's node ports on 127.0.0.1
	// (--iptables-localhost-nodeports=false).
	NoLocalhostNodePorts bool
	// ServiceCIDRs are the service IP ranges; in nftables mode packets to an
	// unallocated address inside them are dropped.
	ServiceCIDRs []netip.Prefix
	// MinSyncPeriod is kube-proxy's --*-min-sync-period: the least time
	// between the end of one sync and the start of the next. Zero means 1s; a
	// negative value means no minimum.
	MinSyncPeriod time.Duration
	// SyncLatency is how long a sync takes, from reading the pending changes
	// to the rules being in place, unless SetSyncLatency overrides it for a
	// node. Zero means DefaultSyncLatency; negative means instantaneous.
	SyncLatency time.Duration
	// IPVSScheduler is the IPVS scheduler; only "rr" (the default) is modelled.
	IPVSScheduler string
	// Conntrack timeouts: how long an idle flow keeps its entry. Zero means
	// the Default* constants.
	ConntrackTCPTimeout  time.Duration
	ConntrackUDPTimeout  time.Duration
	ConntrackSCTPTimeout time.Duration
}

// withDefaults returns c with zero fields filled in, or an error for values
// kube-proxy would reject.
func (c Config) withDefaults() (Config, error) {
	m, err := ParseMode(string(c.Mode))
	if err != nil {
		return c, err
	}
	c.Mode = m
	switch c.DetectLocal {
	case "":
		c.DetectLocal = DetectLocalClusterCIDR
	case DetectLocalClusterCIDR, DetectLocalNodeCIDR, DetectLocalNone:
	default:
		return c, fmt.Errorf("proxy: invalid local-traffic detector %q: must be one of ClusterCIDR, NodeCIDR, None", c.DetectLocal)
	}
	switch c.IPVSScheduler {
	case "":
		c.IPVSScheduler = "rr"
	case "rr":
	default:
		return c, fmt.Errorf("proxy: IPVS scheduler %q is not modelled: only rr is", c.IPVSScheduler)
	}
	for _, list := range [][]netip.Prefix{c.ClusterCIDRs, c.NodePortAddresses, c.ServiceCIDRs} {
		for _, p := range list {
			if !p.IsValid() {
				return c, errors.New("proxy: invalid (zero) prefix in Config")
			}
		}
	}
	if c.MinSyncPeriod == 0 {
		c.MinSyncPeriod = DefaultMinSyncPeriod
	} else if c.MinSyncPeriod < 0 {
		c.MinSyncPeriod = 0
	}
	if c.SyncLatency == 0 {
		c.SyncLatency = DefaultSyncLatency
	} else if c.SyncLatency < 0 {
		c.SyncLatency = 0
	}
	if c.ConntrackTCPTimeout <= 0 {
		c.ConntrackTCPTimeout = DefaultConntrackTCPTimeout
	}
	if c.ConntrackUDPTimeout <= 0 {
		c.ConntrackUDPTimeout = DefaultConntrackUDPTimeout
	}
	if c.ConntrackSCTPTimeout <= 0 {
		c.ConntrackSCTPTimeout = DefaultConntrackSCTPTimeout
	}
	return c, nil
}

// ParseProtocol reads "tcp", "udp" or "sctp" in any case; "" means TCP.
func ParseProtocol(s string) (Protocol, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "tcp":
		return TCP, nil
	case "udp":
		return UDP, nil
	case "sctp":
		return SCTP, nil
	}
	return 0, fmt.Errorf("proxy: invalid protocol %q: must be tcp, udp or sctp", s)
}

// ParseCIDRList reads a comma-separated list of CIDRs, as --nodeport-addresses
// takes them ("192.168.0.0/16,2001:db8::/64"). Spaces around items are
// ignored; empty items are errors. The empty string is an empty list.
func ParseCIDRList(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]netip.Prefix, 0, len(parts))
	for _, part := range parts {
		p, err := netip.ParsePrefix(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("proxy: ParseCIDRList(%q): invalid CIDR address: %q", s, strings.TrimSpace(part))
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseHostPort reads an address with an optional port: "10.0.0.1",
// "10.0.0.1:5000", "2001:db8::1" or "[2001:db8::1]:5000". A missing port is 0.
func ParseHostPort(s string) (netip.AddrPort, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return netip.AddrPort{}, fmt.Errorf("proxy: ParseHostPort(%q): zones are not supported", s)
		}
		return netip.AddrPortFrom(a.Unmap(), 0), nil
	}
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("proxy: ParseHostPort(%q): not an IP address or IP:port", s)
	}
	if ap.Addr().Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("proxy: ParseHostPort(%q): zones are not supported", s)
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// ParsePacket reads a packet written as "SRC -> DST:PORT[/PROTO]", where SRC
// is an address with an optional port and PROTO is tcp (the default), udp or
// sctp: "10.0.0.2 -> 172.30.0.41:80/udp". It is the form packet-flow tests and
// Packet.String use.
func ParsePacket(s string) (Packet, error) {
	src, dst, ok := strings.Cut(s, "->")
	if !ok {
		return Packet{}, fmt.Errorf("proxy: ParsePacket(%q): missing \"->\"", s)
	}
	sap, err := ParseHostPort(src)
	if err != nil {
		return Packet{}, fmt.Errorf("proxy: ParsePacket(%q): source: %w", s, err)
	}
	dst = strings.TrimSpace(dst)
	proto := TCP
	if i := strings.LastIndexByte(dst, '/'); i >= 0 {
		proto, err = ParseProtocol(dst[i+1:])
		if err != nil {
			return Packet{}, fmt.Errorf("proxy: ParsePacket(%q): %w", s, err)
		}
		dst = dst[:i]
	}
	dap, err := netip.ParseAddrPort(dst)
	if err != nil || dap.Addr().Zone() != "" {
		return Packet{}, fmt.Errorf("proxy: ParsePacket(%q): destination %q is not IP:PORT", s, dst)
	}
	dap = netip.AddrPortFrom(dap.Addr().Unmap(), dap.Port())
	if sap.Addr().Is4() != dap.Addr().Is4() {
		return Packet{}, fmt.Errorf("proxy: ParsePacket(%q): source and destination are of different IP families", s)
	}
	return Packet{Src: sap, Dst: dap, Proto: proto}, nil
}
