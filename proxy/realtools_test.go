package proxy

// Tests against the real netfilter tools. They skip, saying why, where the
// tools are missing or cannot run (no CAP_NET_ADMIN, no network namespaces),
// except that with CI=true an installed iptables-restore or nft that cannot
// run is a failure: CI machines are expected to be able to run them.

import (
	"bytes"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/internal/textdiff"
)

// ruleVariants are configurations whose rules the real tools must accept.
func ruleVariants() map[string]Config {
	v := map[string]Config{}
	v["default"] = baseConfig(ModeIPTables)
	c := baseConfig(ModeIPTables)
	c.MasqueradeAll = true
	v["masquerade-all"] = c
	c = baseConfig(ModeIPTables)
	c.DetectLocal = DetectLocalNone
	v["no-local-detector"] = c
	c = baseConfig(ModeIPTables)
	c.NodePortAddresses = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/24"), netip.MustParsePrefix("127.0.0.0/8")}
	v["nodeport-addresses"] = c
	c = baseConfig(ModeIPTables)
	c.NoLocalhostNodePorts = true
	v["no-localhost-nodeports"] = c
	return v
}

// needTool finds a tool and checks that it can run by feeding it known-good
// input; it skips (or, with CI=true, fails) if it cannot.
func needTool(t *testing.T, name string, probe func() error) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed: skipping (apt-get install iptables nftables)", name)
	}
	if err := probe(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is installed but cannot run here (CI=true requires it): %v", name, err)
		}
		t.Skipf("%s is installed but cannot run here (needs CAP_NET_ADMIN?): %v", name, err)
	}
}

func run(stdin string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), &toolError{err: err, stderr: errb.String()}
	}
	return out.String(), nil
}

type toolError struct {
	err    error
	stderr string
}

func (e *toolError) Error() string { return e.err.Error() + ": " + strings.TrimSpace(e.stderr) }

const trivialIPTables = "*filter\n:KUBESIM-PROBE - [0:0]\n-A KUBESIM-PROBE -j RETURN\nCOMMIT\n"

func TestIPTablesRestoreAcceptsRules(t *testing.T) {
	needTool(t, "iptables-restore", func() error {
		_, err := run(trivialIPTables, "iptables-restore", "--test")
		return err
	})
	for name, cfg := range ruleVariants() {
		p, _ := newTestProxy(t, cfg)
		loadFixture(p)
		for _, node := range p.Nodes() {
			rules := p.Node(node).Rules()
			if _, err := run(rules, "iptables-restore", "--test"); err != nil {
				t.Errorf("%s/%s: iptables-restore --test rejected the rules: %v\n%s", name, node, err, rules)
			}
		}
	}
}

// netns runs a shell script in a fresh network namespace, so that loading
// rules cannot disturb the host.
func netns(t *testing.T, script string) string {
	t.Helper()
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed: cannot create a network namespace")
	}
	var lastErr error
	for _, args := range [][]string{{"-n"}, {"-rn"}} {
		if _, err := run("", "unshare", append(args, "true")...); err != nil {
			lastErr = err
			continue
		}
		out, err := run("", "unshare", append(args, "sh", "-c", script)...)
		if err != nil {
			t.Fatalf("in a network namespace: %v\n%s", err, script)
		}
		return out
	}
	t.Skipf("cannot create a network namespace here: %v", lastErr)
	return ""
}

// TestIPTablesRoundTrip loads the rendered rules into a scratch network
// namespace and checks that iptables-save prints them back byte for byte:
// the view is exactly what `iptables-save` shows on such a node.
func TestIPTablesRoundTrip(t *testing.T) {
	needTool(t, "iptables-restore", func() error {
		_, err := run(trivialIPTables, "iptables-restore", "--test")
		return err
	})
	dir := t.TempDir()
	for name, cfg := range ruleVariants() {
		p, _ := newTestProxy(t, cfg)
		loadFixture(p)
		rules := p.Node("node1").Rules()
		file := dir + "/" + name + ".rules"
		if err := os.WriteFile(file, []byte(rules), 0o644); err != nil {
			t.Fatal(err)
		}
		saved := netns(t, "iptables-restore "+file+" && iptables-save")
		var kept []string
		for _, l := range strings.SplitAfter(saved, "\n") {
			if !strings.HasPrefix(l, "#") && l != "" {
				kept = append(kept, l)
			}
		}
		if got := strings.Join(kept, ""); got != rules {
			t.Errorf("%s: iptables-save differs from the rendered view:\n%s", name, textdiff.Lines(rules, got))
		}
	}
}

// TestIPTablesLegacyRoundTrip does the same with the legacy (x_tables)
// backend, whose iptables-save lists tables in another order.
func TestIPTablesLegacyRoundTrip(t *testing.T) {
	needTool(t, "iptables-legacy-restore", func() error {
		_, err := run(trivialIPTables, "iptables-legacy-restore", "--test")
		return err
	})
	p, _ := newTestProxy(t, baseConfig(ModeIPTables))
	loadFixture(p)
	rules := p.Node("node1").Rules()
	file := t.TempDir() + "/legacy.rules"
	os.WriteFile(file, []byte(rules), 0o644)
	saved := netns(t, "iptables-legacy-restore "+file+" && iptables-legacy-save")
	want, got := tableBlocks(rules), tableBlocks(saved)
	for name, block := range want {
		if got[name] != block {
			t.Errorf("table %s differs:\n%s", name, textdiff.Lines(block, got[name]))
		}
	}
	if len(got) != len(want) {
		t.Errorf("iptables-legacy-save lists %d tables, want %d", len(got), len(want))
	}
}

// tableBlocks splits iptables-save output into its tables, without comments.
func tableBlocks(s string) map[string]string {
	out := map[string]string{}
	var name string
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		switch {
		case strings.HasPrefix(l, "#") || l == "":
		case strings.HasPrefix(l, "*"):
			name = strings.TrimSpace(l[1:])
			b.Reset()
			b.WriteString(l)
		case strings.HasPrefix(l, "COMMIT"):
			b.WriteString(l)
			out[name] = b.String()
		default:
			b.WriteString(l)
		}
	}
	return out
}

func TestIP6TablesRoundTrip(t *testing.T) {
	needTool(t, "ip6tables-restore", func() error {
		_, err := run(trivialIPTables, "ip6tables-restore", "--test")
		return err
	})
	p := dualStackFixture(t, ModeIPTables)
	rules := p.Node("node1").RulesFor(ModeIPTables, api.IPv6)
	if _, err := run(rules, "ip6tables-restore", "--test"); err != nil {
		t.Fatalf("ip6tables-restore --test: %v\n%s", err, rules)
	}
	file := t.TempDir() + "/v6.rules"
	os.WriteFile(file, []byte(rules), 0o644)
	saved := netns(t, "ip6tables-restore "+file+" && ip6tables-save")
	var kept []string
	for _, l := range strings.SplitAfter(saved, "\n") {
		if !strings.HasPrefix(l, "#") && l != "" {
			kept = append(kept, l)
		}
	}
	if got := strings.Join(kept, ""); got != rules {
		t.Errorf("ip6tables-save differs from the rendered view:\n%s", textdiff.Lines(rules, got))
	}
}

const trivialNFT = "add table ip kubesim-probe\ndelete table ip kubesim-probe\n"

// TestNFTablesRoundTrip loads the kube-proxy table into a scratch network
// namespace with nft -f and checks that `nft list table` prints the rendered
// view, up to the order of set elements (the kernel lists hash sets in hash
// order, kubesim sorts them).
func TestNFTablesRoundTrip(t *testing.T) {
	needTool(t, "nft", func() error {
		_, err := run(trivialNFT, "nft", "-c", "-f", "-")
		return err
	})
	dir := t.TempDir()
	for _, fam := range []api.IPFamily{api.IPv4, api.IPv6} {
		for name, cfg := range ruleVariants() {
			cfg.Mode = ModeNFTables
			var p *Proxy
			if fam == api.IPv6 {
				p = dualStackFixture(t, ModeNFTables)
				if name != "default" {
					continue
				}
			} else {
				p, _ = newTestProxy(t, cfg)
				loadFixture(p)
			}
			n := p.Node("node1")
			script := n.NFTScript(fam)
			if _, err := run(script, "nft", "-c", "-f", "-"); err != nil {
				t.Fatalf("%s/%s: nft -c rejected the script: %v\n%s", fam, name, err, script)
			}
			file := dir + "/" + name + string(fam) + ".nft"
			os.WriteFile(file, []byte(script), 0o644)
			table := "ip"
			if fam == api.IPv6 {
				table = "ip6"
			}
			listed := netns(t, "nft -f "+file+" && nft list table "+table+" kube-proxy")
			want := n.RulesFor(ModeNFTables, fam)
			if got, want := normalizeNFTElements(listed), normalizeNFTElements(want); got != want {
				t.Errorf("%s/%s: nft list differs from the rendered view:\n%s", fam, name, textdiff.Lines(want, got))
			}
		}
	}
}

// normalizeNFTElements sorts the elements of every "elements = { ... }"
// block in place, keeping the block's layout (which positions end a line).
func normalizeNFTElements(s string) string {
	const open, wrap = "elements = { ", ",\n\t\t\t     "
	var out strings.Builder
	for {
		i := strings.Index(s, open)
		if i < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i+len(open)])
		s = s[i+len(open):]
		end := strings.Index(s, " }\n")
		block := s[:end]
		s = s[end:]
		var elems, seps []string
		for block != "" {
			j, sep := strings.Index(block, ", "), ", "
			if k := strings.Index(block, wrap); k >= 0 && (j < 0 || k < j) {
				j, sep = k, wrap
			}
			if j < 0 {
				elems = append(elems, block)
				break
			}
			elems = append(elems, block[:j])
			seps = append(seps, sep)
			block = block[j+len(sep):]
		}
		slices.Sort(elems)
		for k, e := range elems {
			if k > 0 {
				out.WriteString(seps[k-1])
			}
			out.WriteString(e)
		}
	}
}

// dualStackFixture loads a small IPv6 cluster.
func dualStackFixture(t *testing.T, m Mode) *Proxy {
	cfg := baseConfig(m)
	cfg.ClusterCIDRs = append(cfg.ClusterCIDRs, netip.MustParsePrefix("fd00:10::/64"))
	cfg.ServiceCIDRs = append(cfg.ServiceCIDRs, netip.MustParsePrefix("fd00:172:30::/112"))
	p, _ := newTestProxy(t, cfg)
	p.UpsertNode(mkNode("node1", "zone-a", "192.168.0.2", "2001:db8::2"))
	s := mkSvc("ns1/svc1", "172.30.0.41", withType(api.ServiceTypeLoadBalancer), withPort("p80", api.ProtocolTCP, 80, 3001),
		withETPLocal(30000), withLB("2001:db8:1::4"), withSourceRanges("2001:db8:2::/64"), withAffinity(60))
	s.Spec.ClusterIPs = []string{"172.30.0.41", "fd00:172:30::41"}
	p.UpsertService(s)
	p.UpsertEndpointSlice(mkSlice("ns1/svc1-v6", "svc1", tcp80, ep("fd00:10::1", "node1"), ep("fd00:10::2", "node2")))
	p.UpsertService(mkSvc("ns2/svc2", "fd00:172:30::42", withPort("p80", api.ProtocolTCP, 80, 0)))
	p.SyncAll()
	return p
}
