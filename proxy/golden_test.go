package proxy

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/internal/textdiff"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/ (review the diff before committing)")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	textdiff.Golden(t, filepath.Join("testdata", name), got, *update)
}

func TestGoldenRules(t *testing.T) {
	for name, cfg := range ruleVariants() {
		for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
			if name != "default" && m == ModeIPVS {
				continue
			}
			cfg.Mode = m
			p, _ := newTestProxy(t, cfg)
			loadFixture(p)
			golden(t, "rules/"+string(m)+"-"+name+".golden", p.Node("node1").Rules())
		}
	}
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		p := dualStackFixture(t, m)
		golden(t, "rules/"+string(m)+"-ipv6.golden", p.Node("node1").RulesFor(m, api.IPv6))
	}
}

// explainPackets are traced in the explain golden files.
var explainPackets = []string{
	"10.180.0.100 -> 172.30.0.41:80",
	"203.0.113.2 -> 172.30.0.41:80",
	"10.180.0.100 -> 172.30.0.41:81",
	"10.180.0.100 -> 172.30.0.99:80",
	"203.0.113.2 -> 192.168.0.2:3001",
	"10.180.0.100 -> 192.168.0.2:3001",
	"192.168.0.2 -> 1.2.3.4:80",
	"203.0.113.2 -> 192.168.0.2:3007",
	"10.180.0.100 -> 172.30.0.44:80",
	"10.180.0.100 -> 172.30.0.46:80",
	"203.0.113.130 -> 5.6.7.8:80",
	"203.0.113.2:40000 -> 5.6.7.8:80",
	"203.0.113.2:40001 -> 5.6.7.8:80",
	"203.0.113.2 -> 192.168.0.2:30000",
	"127.0.0.1 -> 127.0.0.1:3003",
	"10.180.0.9 -> 172.30.0.49:53/udp",
}

func TestGoldenExplain(t *testing.T) {
	for _, m := range []Mode{ModeIPTables, ModeNFTables, ModeIPVS} {
		p, _ := newTestProxy(t, baseConfig(m))
		loadFixture(p)
		n := p.Node("node1")
		var b strings.Builder
		for _, s := range explainPackets {
			pkt, err := ParsePacket(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Explain(t0, pkt).WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
		}
		golden(t, "explain/"+string(m)+".golden", b.String())
	}
}
