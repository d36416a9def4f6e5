package kubesim_test

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns/wire"
)

var updateCatalogue = flag.Bool("update-catalogue", false, "print the errors the bad-input catalogue gets, to paste into it")

// badInput is one named bad input: a manifest Cluster.Apply must refuse
// with exactly the error want, leaving the cluster as it was.
type badInput struct {
	name  string
	cfg   func(*kubesim.Config) // cluster configuration, if not the default
	setup string                // applied (and settled) first; must succeed
	input string                // the bad manifest
	want  string                // the exact error
}

func svcYAML(name, spec string) string {
	return "apiVersion: v1\nkind: Service\nmetadata:\n  name: " + name + "\nspec:\n" + spec
}

const okPorts = "  ports:\n  - port: 80\n"

func deployYAML(name, selector, labels, extra string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + name + `
spec:
  selector:
` + selector + `
  template:
    metadata:
      labels:
` + labels + `
    spec:
      containers:
      - name: app
        image: nginx
` + extra
}

func podYAML(name, spec string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\nspec:\n  containers:\n  - name: app\n    image: nginx\n" + spec
}

// deepYAML nests flow sequences n deep.
func deepYAML(n int) string {
	return "apiVersion: v1\nkind: ConfigMap\ndata: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n"
}

// hugeYAML is a manifest just over 10 MiB: a Service with an enormous
// annotation.
func hugeYAML() string {
	return svcYAML("huge", okPorts) + "---\n# " + strings.Repeat("x", 10<<20) + "\n"
}

// bigAnnotation is a valid-looking manifest under the size limit whose
// annotations exceed the API's 256 KiB.
func bigAnnotation() string {
	return "apiVersion: v1\nkind: Service\nmetadata:\n  name: big\n  annotations:\n    a: " + strings.Repeat("y", 300<<10) + "\nspec:\n" + okPorts
}

// billionLaughs expands YAML aliases exponentially.
func billionLaughs() string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Service\nmetadata:\n  name: lol\n  annotations:\n    a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "    a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("spec:\n" + okPorts)
	return b.String()
}

func tinyServiceCIDR(c *kubesim.Config) {
	c.ServiceCIDRs = []netip.Prefix{netip.MustParsePrefix("10.96.0.0/29")}
	c.DNSServiceIP = netip.MustParseAddr("10.96.0.2")
}

func tinyNodePorts(c *kubesim.Config) {
	c.NodePortRange = api.PortRange{Base: 30000, Size: 2}
}

var catalogue = []badInput{
	// Malformed YAML and JSON.
	{name: "tab indentation", input: "apiVersion: v1\nkind: Service\nmetadata:\n\tname: web\n"},
	{name: "unclosed quote", input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"web\n"},
	{name: "unclosed flow mapping", input: "apiVersion: v1\nkind: Service\nmetadata: {name: web\n"},
	{name: "duplicate key", input: "apiVersion: v1\nkind: Service\nkind: Pod\nmetadata:\n  name: web\n"},
	{name: "sequence at top level", input: "- apiVersion: v1\n  kind: Service\n"},
	{name: "scalar document", input: "hello world\n"},
	{name: "bad indentation", input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n   labels: {}\n"},
	{name: "binary garbage", input: "\x00\x01\x02\xff\xfe"},
	{name: "invalid UTF-8", input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: \xff\xfe\n"},
	{name: "JSON syntax error", input: `{"apiVersion": "v1" "kind": "Service", "metadata": {"name": "web"}}`},
	{name: "JSON with a trailing comma", input: `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},}`},
	{name: "JSON number out of range", input: `{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"ports": [{"port": 1e99}]}}`},
	{name: "deeply nested YAML", input: deepYAML(5000)},
	{name: "nesting just over the limit", input: "apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    a: " + strings.Repeat("[", 101) + strings.Repeat("]", 101) + "\n"},
	{name: "10 MB manifest", input: hugeYAML()},
	{name: "alias bomb", input: billionLaughs()},
	// Kinds and API versions.
	{name: "missing kind", input: "apiVersion: v1\nmetadata:\n  name: web\n"},
	{name: "missing apiVersion", input: "kind: Service\nmetadata:\n  name: web\n"},
	{name: "unknown kind", input: "apiVersion: v1\nkind: Widget\nmetadata:\n  name: web\n"},
	{name: "kind in the wrong group", input: "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: web\n"},
	{name: "unknown version", input: "apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: web\n"},
	{name: "lower-case kind", input: "apiVersion: v1\nkind: service\nmetadata:\n  name: web\n"},
	{name: "unknown field", input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  portz: []\n"},
	{name: "port as a word", input: svcYAML("web", "  ports:\n  - port: eighty\n")},
	{name: "ports as a string", input: svcYAML("web", "  ports: \"80\"\n")},
	// Names.
	{name: "upper-case name", input: svcYAML("Web", okPorts)},
	{name: "underscore in name", input: svcYAML("web_1", okPorts)},
	{name: "service name starting with a digit", input: svcYAML("1web", okPorts)},
	{name: "name of 64 characters", input: svcYAML(strings.Repeat("a", 64), okPorts)},
	{name: "empty name", input: "apiVersion: v1\nkind: Service\nmetadata: {}\nspec:\n" + okPorts},
	{name: "invalid namespace name", input: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Team_A\n"},
	{name: "object in a missing namespace", input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: nowhere\nspec:\n" + okPorts},
	{name: "generateName with apply", input: "apiVersion: v1\nkind: Service\nmetadata:\n  generateName: web-\nspec:\n" + okPorts},
	{name: "label value with a space", input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    app: my app\nspec:\n" + okPorts},
	{name: "annotations over 256 KiB", input: bigAnnotation()},
	// Ports.
	{name: "port 0", input: svcYAML("web", "  ports:\n  - port: 0\n")},
	{name: "port 65536", input: svcYAML("web", "  ports:\n  - port: 65536\n")},
	{name: "targetPort 70000", input: svcYAML("web", "  ports:\n  - port: 80\n    targetPort: 70000\n")},
	{name: "named targetPort too long", input: svcYAML("web", "  ports:\n  - port: 80\n    targetPort: a-very-long-port-name\n")},
	{name: "nodePort below the range", input: svcYAML("web", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 29999\n")},
	{name: "nodePort above the range", input: svcYAML("web", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 40000\n")},
	{name: "nodePort on a ClusterIP service", input: svcYAML("web", "  ports:\n  - port: 80\n    nodePort: 30080\n")},
	{name: "duplicate port", input: svcYAML("web", "  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 80\n")},
	{name: "two unnamed ports", input: svcYAML("web", "  ports:\n  - port: 80\n  - port: 81\n")},
	{name: "unsupported protocol", input: svcYAML("web", "  ports:\n  - port: 80\n    protocol: ICMP\n")},
	{name: "containerPort 0", input: podYAML("p", "    ports:\n    - containerPort: 0\n")},
	// Cluster IPs, node ports and their conflicts.
	{name: "clusterIP outside the service range", input: svcYAML("web", "  clusterIP: 10.200.0.10\n"+okPorts)},
	{name: "clusterIP not an address", input: svcYAML("web", "  clusterIP: ten.0.0.1\n"+okPorts)},
	{name: "clusterIP of the kubernetes service", input: svcYAML("web", "  clusterIP: 10.96.0.1\n"+okPorts)},
	{name: "clusterIP taken by an earlier apply", setup: svcYAML("first", "  clusterIP: 10.96.5.5\n"+okPorts), input: svcYAML("second", "  clusterIP: 10.96.5.5\n"+okPorts)},
	{name: "same clusterIP twice in one batch", input: svcYAML("a", "  clusterIP: 10.96.5.6\n"+okPorts) + "---\n" + svcYAML("b", "  clusterIP: 10.96.5.6\n"+okPorts)},
	{name: "nodePort taken by an earlier apply", setup: svcYAML("first", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n"), input: svcYAML("second", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30080\n")},
	{name: "same nodePort twice in one batch", input: svcYAML("a", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30081\n") + "---\n" + svcYAML("b", "  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 30081\n")},
	{name: "ExternalName with a cluster IP", input: svcYAML("ext", "  type: ExternalName\n  externalName: example.com\n  clusterIP: 10.96.7.7\n")},
	{name: "ExternalName without a name", input: svcYAML("ext", "  type: ExternalName\n")},
	{name: "ExternalName that is not a host name", input: svcYAML("ext", "  type: ExternalName\n  externalName: not a host!\n")},
	{name: "headless NodePort", input: svcYAML("web", "  type: NodePort\n  clusterIP: None\n"+okPorts)},
	{name: "Local traffic policy on a ClusterIP service", input: svcYAML("web", "  externalTrafficPolicy: Local\n"+okPorts)},
	{name: "bad load balancer source range", input: svcYAML("web", "  type: LoadBalancer\n  loadBalancerSourceRanges: [\"10.0.0.0/33\"]\n"+okPorts)},
	{name: "cluster IPs exhausted", cfg: tinyServiceCIDR,
		setup: svcYAML("a", okPorts) + "---\n" + svcYAML("b", okPorts) + "---\n" + svcYAML("c", okPorts) + "---\n" + svcYAML("d", okPorts),
		input: svcYAML("e", okPorts)},
	{name: "node ports exhausted", cfg: tinyNodePorts,
		setup: svcYAML("a", "  type: NodePort\n"+okPorts) + "---\n" + svcYAML("b", "  type: NodePort\n"+okPorts),
		input: svcYAML("c", "  type: NodePort\n"+okPorts)},
	// Selectors and labels.
	{name: "selector that does not match the template", input: deployYAML("web", "    matchLabels: {app: web}", "        app: api", "")},
	{name: "selector operator that does not parse", input: deployYAML("web", "    matchExpressions:\n    - {key: app, operator: Like, values: [web]}", "        app: web", "")},
	{name: "selector key that does not parse", input: deployYAML("web", "    matchLabels: {\"a/b/c\": web}", "        \"a/b/c\": web", "")},
	{name: "empty selector", input: deployYAML("web", "    {}", "        app: web", "")},
	{name: "service selector with a bad value", input: svcYAML("web", "  selector: {app: \"-web\"}\n"+okPorts)},
	// Batches.
	{name: "the same object twice in one file", input: svcYAML("web", okPorts) + "---\n" + svcYAML("web", okPorts)},
	{name: "one bad object among good ones", input: svcYAML("good", okPorts) + "---\n" + svcYAML("Bad", okPorts) + "---\n" + svcYAML("good2", okPorts)},
	{name: "changed deployment selector", setup: deployYAML("web", "    matchLabels: {app: web}", "        app: web", ""),
		input: deployYAML("web", "    matchLabels: {app: web, v: \"2\"}", "        app: web\n        v: \"2\"", "")},
	// Pods, endpoints and slices.
	{name: "dnsPolicy None without dnsConfig", input: podYAML("p", "  dnsPolicy: None\n")},
	{name: "four DNS nameservers", input: podYAML("p", "  dnsConfig:\n    nameservers: [1.1.1.1, 1.0.0.1, 8.8.8.8, 8.8.4.4]\n")},
	{name: "Endpoints with a bad address", input: "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets:\n- addresses:\n  - ip: 10.0.0.300\n"},
	{name: "EndpointSlice with an unknown address type", input: "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-1\naddressType: IPv5\nendpoints: []\n"},
}

func TestBadInputCatalogue(t *testing.T) {
	if len(catalogue)+len(badPackets) < 50 {
		t.Fatalf("the catalogue has %d inputs, want at least 50", len(catalogue)+len(badPackets))
	}
	names := map[string]bool{}
	for _, tc := range catalogue {
		if names[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			cfg := kubesim.Config{Seed: 7}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			c, err := kubesim.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.setup != "" {
				if _, err := c.Apply([]byte(tc.setup)); err != nil {
					t.Fatalf("setup: %v", err)
				}
				settle(t, c)
			}
			before := c.Snapshot()
			start := time.Now()
			res, err := c.Apply([]byte(tc.input))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if err == nil {
				t.Fatalf("accepted: %v", res)
			}
			got := err.Error()
			if *updateCatalogue {
				fmt.Printf("\t%q: %q,\n", tc.name, got)
			} else if want := catalogueWant[tc.name]; got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
			if after := c.Snapshot(); !bytes.Equal(before, after) {
				t.Errorf("the refused input changed the cluster:\n%s", firstDiff(before, after))
			}
		})
	}
}

// firstDiff shows the first differing line of two snapshots.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  before: %.300s\n  after:  %.300s", i+1, x, y)
		}
	}
	return "(equal)"
}

// badPacket is a malformed DNS message sent to the wire server over UDP, and
// what comes back: an rcode name, or "" for no reply at all.
type badPacket struct {
	name string
	msg  []byte
	want string
}

// header builds a DNS header: id 0x1234, the given flags and section counts.
func header(flags uint16, qd, an, ns, ar uint16) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint16(b[0:], 0x1234)
	binary.BigEndian.PutUint16(b[2:], flags)
	binary.BigEndian.PutUint16(b[4:], qd)
	binary.BigEndian.PutUint16(b[6:], an)
	binary.BigEndian.PutUint16(b[8:], ns)
	binary.BigEndian.PutUint16(b[10:], ar)
	return b
}

// question encodes name (dot-separated labels) with a type and class.
func question(name string, qtype, class uint16) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = append(b, 0)
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(b, qtype), class)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

const rd = 0x0100

var badPackets = []badPacket{
	{name: "empty datagram", msg: nil, want: ""},
	{name: "short header", msg: []byte{0x12, 0x34, 0x01}, want: ""},
	{name: "header without a question", msg: header(rd, 0, 0, 0, 0), want: "FORMERR"},
	{name: "two questions", msg: cat(header(rd, 2, 0, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1), question("kube-dns.kube-system.svc.cluster.local", 1, 1)), want: "FORMERR"},
	{name: "question count larger than the message", msg: cat(header(rd, 3, 0, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1)), want: "FORMERR"},
	{name: "truncated question", msg: header(rd, 1, 0, 0, 0)[:12:12], want: "FORMERR"},
	{name: "name cut in the middle", msg: cat(header(rd, 1, 0, 0, 0), []byte{10, 'k', 'u', 'b'}), want: "FORMERR"},
	{name: "compression pointer loop", msg: cat(header(rd, 1, 0, 0, 0), []byte{0xc0, 12, 0, 1, 0, 1}), want: "FORMERR"},
	{name: "label of 64 octets", msg: cat(header(rd, 1, 0, 0, 0), []byte{64}, bytes.Repeat([]byte{'a'}, 64), []byte{0, 0, 1, 0, 1}), want: "FORMERR"},
	{name: "a response, not a query", msg: cat(header(0x8000|rd, 1, 0, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1)), want: ""},
	{name: "opcode STATUS", msg: cat(header(2<<11|rd, 1, 0, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1)), want: "NOTIMP"},
	{name: "class CHAOS", msg: cat(header(rd, 1, 0, 0, 0), question("version.bind", 16, 3)), want: "REFUSED"},
	{name: "zone transfer", msg: cat(header(rd, 1, 0, 0, 0), question("cluster.local", 252, 1)), want: "REFUSED"},
	{name: "trailing garbage after the question", msg: cat(header(rd, 1, 0, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1), []byte{0xde, 0xad}), want: "NOERROR"},
	{name: "answer count set on a query", msg: cat(header(rd, 1, 5, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1)), want: "FORMERR"},
}

// TestBadPacketCatalogue sends malformed messages to the wire server: no
// panic, no hang, the reply (or silence) a DNS server gives, and the server
// still answers afterwards.
func TestBadPacketCatalogue(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := wire.Start(c.DNS(), "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen: %v", err)
	}
	defer srv.Close()
	before := c.Snapshot()
	for _, tc := range badPackets {
		t.Run(tc.name, func(t *testing.T) {
			got := exchangeRaw(t, srv.Addr(), tc.msg)
			if *updateCatalogue {
				fmt.Printf("\t%q: %q,\n", tc.name, got)
				return
			}
			if got != tc.want {
				t.Errorf("reply %q, want %q", got, tc.want)
			}
		})
	}
	if got := exchangeRaw(t, srv.Addr(), cat(header(rd, 1, 0, 0, 0), question("kubernetes.default.svc.cluster.local", 1, 1))); got != "NOERROR" {
		t.Errorf("a good query after the bad ones: %q", got)
	}
	if after := c.Snapshot(); !bytes.Equal(before, after) {
		t.Errorf("bad packets changed the cluster:\n%s", firstDiff(before, after))
	}
}

// exchangeRaw sends msg over UDP and returns the reply's rcode name, or ""
// when nothing comes back within a short wait.
func exchangeRaw(t *testing.T, addr string, msg []byte) string {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 65535)
	n, err := conn.Read(buf)
	if err != nil {
		return ""
	}
	if n < 4 {
		return fmt.Sprintf("short reply (%d bytes)", n)
	}
	names := []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}
	rc := int(buf[3] & 0xf)
	if rc < len(names) {
		return names[rc]
	}
	return fmt.Sprintf("RCODE%d", rc)
}

// catalogueWant is the exact error each bad input gets (regenerate with
// go test -run 'TestBadInputCatalogue' -update-catalogue, then review).
var catalogueWant = map[string]string{
	"tab indentation":                             "document 1 (line 1): error converting YAML to JSON: yaml: line 4: found character that cannot start any token",
	"unclosed quote":                              "document 1 (line 1): error converting YAML to JSON: yaml: line 5: found unexpected end of stream",
	"unclosed flow mapping":                       "document 1 (line 1): error converting YAML to JSON: yaml: line 3: did not find expected ',' or '}'",
	"duplicate key":                               "document 1 (line 1): error converting YAML to JSON: yaml: unmarshal errors:\n  line 3: key \"kind\" already set in map",
	"sequence at top level":                       "document 1 (line 1): document is array, not an object with apiVersion and kind",
	"scalar document":                             "document 1 (line 1): document is string \"hello world\", not an object with apiVersion and kind",
	"bad indentation":                             "document 1 (line 1): error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context",
	"binary garbage":                              "document 1 (line 1): error converting YAML to JSON: yaml: control characters are not allowed",
	"invalid UTF-8":                               "document 1 (line 1): error converting YAML to JSON: yaml: invalid leading UTF-8 octet",
	"JSON syntax error":                           "document 1 (line 1): error converting YAML to JSON: yaml: did not find expected ',' or '}'",
	"JSON with a trailing comma":                  "Service \"web\" is invalid: spec.ports: Required value",
	"JSON number out of range":                    "document 1 (line 1, Service \"web\"): Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal number 1e+99 into Go struct field spec.ports[0].port of type int32",
	"deeply nested YAML":                          "document 1 (line 1): document nests objects and lists deeper than 100 levels",
	"nesting just over the limit":                 "document 1 (line 1): document nests objects and lists deeper than 100 levels",
	"10 MB manifest":                              "manifest is 10485847 bytes; the limit is 10485760 bytes (10 MiB)",
	"alias bomb":                                  "document 1 (line 1): error converting YAML to JSON: yaml: document contains excessive aliasing",
	"missing kind":                                "document 1 (line 1): Object 'Kind' is missing in '{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web\"}}'",
	"missing apiVersion":                          "document 1 (line 1, Service \"web\"): Object 'apiVersion' is missing in '{\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"}}'",
	"unknown kind":                                "document 1 (line 1, Widget \"web\"): no matches for kind \"Widget\" in version \"v1\"",
	"kind in the wrong group":                     "document 1 (line 1, Deployment \"web\"): no matches for kind \"Deployment\" in version \"v1\"",
	"unknown version":                             "document 1 (line 1, Deployment \"web\"): no matches for kind \"Deployment\" in version \"apps/v2\"",
	"lower-case kind":                             "document 1 (line 1, service \"web\"): no matches for kind \"service\" in version \"v1\"",
	"unknown field":                               "document 1 (line 1, Service \"web\"): Service in version \"v1\" cannot be handled as a Service: strict decoding error: unknown field \"spec.portz\"",
	"port as a word":                              "document 1 (line 1, Service \"web\"): Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal string \"eighty\" into Go struct field spec.ports[0].port of type int32",
	"ports as a string":                           "document 1 (line 1, Service \"web\"): Service in version \"v1\" cannot be handled as a Service: json: cannot unmarshal string \"80\" into Go struct field spec.ports of type []api.ServicePort",
	"upper-case name":                             "Service \"Web\" is invalid: metadata.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
	"underscore in name":                          "Service \"web_1\" is invalid: metadata.name: Invalid value: \"web_1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
	"service name starting with a digit":          "Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
	"name of 64 characters":                       "Service \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" is invalid: metadata.name: Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be no more than 63 characters",
	"empty name":                                  "Service \"\" is invalid: metadata.name: Required value: name or generateName is required",
	"invalid namespace name":                      "Namespace \"Team_A\" is invalid: metadata.name: Invalid value: \"Team_A\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
	"object in a missing namespace":               "namespaces \"nowhere\" not found",
	"generateName with apply":                     "service: cannot apply an object with generateName and no name: use create",
	"label value with a space":                    "Service \"web\" is invalid: metadata.labels: Invalid value: \"my app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
	"annotations over 256 KiB":                    "Service \"big\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes",
	"port 0":                                      "Service \"web\" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]",
	"port 65536":                                  "Service \"web\" is invalid: [spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive]",
	"targetPort 70000":                            "Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
	"named targetPort too long":                   "Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: \"a-very-long-port-name\": must be no more than 15 characters",
	"nodePort below the range":                    "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767",
	"nodePort above the range":                    "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767",
	"nodePort on a ClusterIP service":             "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
	"duplicate port":                              "Service \"web\" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}",
	"two unnamed ports":                           "Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]",
	"unsupported protocol":                        "Service \"web\" is invalid: spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
	"containerPort 0":                             "Pod \"p\" is invalid: spec.containers[0].ports[0].containerPort: Required value",
	"clusterIP outside the service range":         "Service \"web\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.200.0.10\"}: failed to allocate IP 10.200.0.10: the provided IP (10.200.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12",
	"clusterIP not an address":                    "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"ten.0.0.1\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
	"clusterIP of the kubernetes service":         "Service \"web\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.1\"}: failed to allocate IP 10.96.0.1: provided IP is already allocated",
	"clusterIP taken by an earlier apply":         "Service \"second\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.5.5\"}: failed to allocate IP 10.96.5.5: provided IP is already allocated",
	"same clusterIP twice in one batch":           "Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.5.6\"}: failed to allocate IP 10.96.5.6: provided IP is already allocated",
	"nodePort taken by an earlier apply":          "Service \"second\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated",
	"same nodePort twice in one batch":            "Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30081: provided port is already allocated",
	"ExternalName with a cluster IP":              "Service \"ext\" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services",
	"ExternalName without a name":                 "Service \"ext\" is invalid: spec.externalName: Required value",
	"ExternalName that is not a host name":        "Service \"ext\" is invalid: spec.externalName: Invalid value: \"not a host!\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
	"headless NodePort":                           "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
	"Local traffic policy on a ClusterIP service": "Service \"web\" is invalid: spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services",
	"bad load balancer source range":              "Service \"web\" is invalid: spec.LoadBalancerSourceRanges[0]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
	"cluster IPs exhausted":                       "Internal error occurred: failed to allocate a serviceIP: range is full",
	"node ports exhausted":                        "Internal error occurred: failed to allocate a nodePort: range is full",
	"selector that does not match the template":   "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"api\"}: `selector` does not match template `labels`",
	"selector operator that does not parse":       "Deployment.apps \"web\" is invalid: [spec.selector.matchExpressions[0].operator: Invalid value: \"Like\": not a valid selector operator, spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"app\", Operator:\"Like\", Values:[]string{\"web\"}}}}: invalid label selector]",
	"selector key that does not parse":            "Deployment.apps \"web\" is invalid: [spec.selector.matchLabels: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName'), spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"a/b/c\":\"web\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: invalid label selector]",
	"empty selector":                              "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
	"service selector with a bad value":           "Service \"web\" is invalid: spec.selector: Invalid value: \"-web\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
	"the same object twice in one file":           "service/web appears twice in one apply (objects 1 and 2); kubesim applies a batch as a whole and needs each object once",
	"one bad object among good ones":              "Service \"Bad\" is invalid: metadata.name: Invalid value: \"Bad\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
	"changed deployment selector":                 "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: api.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"v\":\"2\"}, MatchExpressions:[]api.LabelSelectorRequirement(nil)}: field is immutable",
	"dnsPolicy None without dnsConfig":            "Pod \"p\" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None",
	"four DNS nameservers":                        "Pod \"p\" is invalid: spec.dnsConfig.nameservers: Invalid value: []string{\"1.1.1.1\", \"1.0.0.1\", \"8.8.8.8\", \"8.8.4.4\"}: must not have more than 3 nameservers",
	"Endpoints with a bad address":                "document 1 (line 1, Endpoints \"web\"): Endpoints in version \"v1\" cannot be handled as a Endpoints: json: cannot unmarshal string \"10.0.0.300\" into Go struct field subsets[0].addresses[0].ip of type netip.Addr: ParseAddr(\"10.0.0.300\"): IPv4 field has value >255",
	"EndpointSlice with an unknown address type":  "EndpointSlice.discovery.k8s.io \"web-1\" is invalid: addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"",
}
