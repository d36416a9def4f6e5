package proxy

import (
	"strings"

	"github.com/kubesim/kubesim/api"
)

// Rules returns the node's IPv4 rules as its kube-proxy in the configured
// mode has written them at its last sync: iptables-save output in iptables
// mode, `nft list table ip kube-proxy` in nftables mode, `ipvsadm -Ln` in IPVS
// mode. The text is deterministic; see the package documentation for where it
// departs from a real node's.
func (n *Node) Rules() string {
	return n.RulesFor(n.p.cfg.Mode, api.IPv4)
}

// RulesFor returns the node's rules for one mode and IP family, whatever
// mode the Proxy routes with.
func (n *Node) RulesFor(m Mode, fam api.IPFamily) string {
	f := fam4
	if fam == api.IPv6 {
		f = fam6
	}
	switch m {
	case ModeNFTables:
		return n.buildNFT(f, nil).list()
	case ModeIPVS:
		return n.ipvsList(f)
	default:
		var b strings.Builder
		n.buildIPTables(f, nil).render(&b)
		return b.String()
	}
}

// NFTScript returns the nftables transaction that creates the node's
// kube-proxy table from scratch, in the form `nft -f` reads.
func (n *Node) NFTScript(fam api.IPFamily) string {
	f := fam4
	if fam == api.IPv6 {
		f = fam6
	}
	return n.buildNFT(f, nil).script()
}
