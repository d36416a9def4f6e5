package main

import (
	"fmt"
	"io"
)

func init() {
	register(command{
		name:    "rules",
		summary: "the rules a node's kube-proxy has programmed",
		run:     runRules,
	})
}

const rulesDescription = `Print the IPv4 rules kube-proxy has programmed on NODE once the cluster has
settled, in the form its mode shows them: iptables-save output (iptables),
nft list table ip kube-proxy (nftables), or ipvsadm -Ln (ipvs). NODE may be
left out on a cluster of one node.

Exit status: 0 on success, 1 on any error (bad flags, manifests that do not
apply, an unknown node).`

func runRules(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	var pf proxyFlags
	fs := newFlagSet("rules", "[NODE] -f MANIFESTS... [--proxy-mode iptables|nftables|ipvs]", rulesDescription, stderr)
	cf.register(fs)
	pf.register(fs)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) > 1 {
		return fail(stderr, fmt.Errorf("rules takes one NODE, got %d arguments (see kubesim rules -h)", len(pos)))
	}
	cfg, err := pf.config(&cf)
	if err != nil {
		return fail(stderr, err)
	}
	c, err := cf.buildWith(cfg)
	if err != nil {
		return fail(stderr, err)
	}
	var node string
	if len(pos) == 1 {
		node = pos[0]
	}
	if node, err = pickNode(c, node); err != nil {
		return fail(stderr, err)
	}
	rules, err := c.Rules(node)
	if err != nil {
		return fail(stderr, err)
	}
	io.WriteString(stdout, rules)
	return exitOK
}
