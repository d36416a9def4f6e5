package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// numbersAPI looks up the cluster IP the numbers lab gives numbers-api, so
// that tests do not hard-code an address the seed chose.
func numbersAPI(t *testing.T, files ...string) string {
	t.Helper()
	args := []string{"resolve", "--pod", "deploy/sleep-1", "--family", "inet", "-o", "json", "numbers-api.default.svc.cluster.local."}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	out, errOut, code := kubesimRun(args...)
	if code != 0 {
		t.Fatalf("resolve: exit %d: %s", code, errOut)
	}
	var p struct{ Addresses []string }
	if err := json.Unmarshal([]byte(out), &p); err != nil || len(p.Addresses) != 1 {
		t.Fatalf("resolve: %v: %s", err, out)
	}
	return p.Addresses[0]
}

// TestRouteGolden pins the readable and JSON forms in each proxy mode.
func TestRouteGolden(t *testing.T) {
	sleep, numbers, nodePort := lab("sleep"), lab("numbers"), lab("numbers-services/web-service-nodePort.yaml")
	vip := numbersAPI(t, sleep, numbers)
	base := []string{"route", "-f", sleep, "-f", numbers, "-f", nodePort}
	tests := []struct {
		name string
		args []string
	}{
		{"route-clusterip-iptables", []string{"--node", "docker-desktop", "--src", "10.1.0.99:40000", "--dst", vip, "--port", "80"}},
		{"route-clusterip-nftables", []string{"--src", "10.1.0.99:40000", "--dst", vip, "--port", "80", "--proxy-mode", "nftables"}},
		{"route-clusterip-ipvs", []string{"--src", "10.1.0.99:40000", "--dst", vip + ":80", "--proxy-mode", "ipvs"}},
		{"route-clusterip-json", []string{"--src", "10.1.0.99", "--dst", vip, "--port", "80", "-o", "json"}},
		// From outside the pod network: kube-proxy masquerades.
		{"route-clusterip-from-host", []string{"--src", "192.168.65.3:40000", "--dst", vip, "--port", "80"}},
		{"route-nodeport", []string{"--src", "192.168.65.1:50000", "--dst", "192.168.65.3", "--port", "30080"}},
		{"route-nodeport-nftables-json", []string{"--src", "192.168.65.1:50000", "--dst", "192.168.65.3", "--port", "30080", "--proxy-mode", "nftables", "-o", "json"}},
		{"route-wrong-port-nftables", []string{"--src", "10.1.0.99", "--dst", vip, "--port", "81", "--proxy-mode", "nftables"}},
		{"route-not-a-service", []string{"--src", "10.1.0.99", "--dst", "10.1.0.4", "--port", "80"}},
		{"route-udp-dns", []string{"--src", "10.1.0.99:33333", "--dst", "10.96.0.10", "--port", "53", "--proto", "udp"}},
		{"route-sctp-not-a-service-port", []string{"--src", "10.1.0.99", "--dst", "10.96.0.1", "--port", "443", "--proto", "sctp"}},
		{"route-no-endpoints", []string{"-f", "testdata/manifests/no-endpoints.yaml", "--src", "10.1.0.99", "--dst", "10.96.100.100", "--port", "8080"}},
		{"route-no-endpoints-nftables", []string{"-f", "testdata/manifests/no-endpoints.yaml", "--src", "10.1.0.99", "--dst", "10.96.100.100", "--port", "8080", "--proxy-mode", "nftables"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(slices.Clone(base), tt.args...)
			out, errOut, code := kubesimRun(args...)
			// The transcript names the address symbolically: the golden
			// holds what the route found, not what the seed chose.
			got := strings.ReplaceAll(transcript(args, out, errOut, code), vip, "NUMBERS_API_IP")
			goldenCheck(t, tt.name, got)
		})
	}
}

// TestRouteJSONContract checks the fields other tools read and that the
// proxy flags reach kube-proxy.
func TestRouteJSONContract(t *testing.T) {
	sleep, numbers := lab("sleep"), lab("numbers")
	vip := numbersAPI(t, sleep, numbers)
	tests := []struct {
		name       string
		flags      []string
		src        string
		verdict    string
		masquerade bool
		mode       string
	}{
		{"pod to service", nil, "10.1.0.99:40000", "forward", false, "iptables"},
		{"masquerade-all", []string{"--masquerade-all"}, "10.1.0.99:40000", "forward", true, "iptables"},
		{"host source is masqueraded", nil, "192.168.65.3:40000", "forward", true, "iptables"},
		// Without a local detector only --masquerade-all would SNAT a
		// source kube-proxy cannot place.
		{"no local detector", []string{"--no-local-detector"}, "192.168.65.3:40000", "forward", false, "iptables"},
		{"nftables", []string{"--proxy-mode", "nftables"}, "10.1.0.99:40000", "forward", false, "nftables"},
		{"ipvs", []string{"--proxy-mode", "ipvs", "--masquerade-all"}, "10.1.0.99:40000", "forward", true, "ipvs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"route", "-f", sleep, "-f", numbers, "--node", "docker-desktop", "--src", tt.src, "--dst", vip, "--port", "80", "-o", "json"}, tt.flags...)
			out, errOut, code := kubesimRun(args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &raw); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"verdict", "endpoints", "chosen", "masquerade", "rules", "cost"} {
				if _, ok := raw[k]; !ok {
					t.Errorf("field %q missing:\n%s", k, out)
				}
			}
			var d struct {
				Verdict    string   `json:"verdict"`
				Endpoints  []string `json:"endpoints"`
				Chosen     string   `json:"chosen"`
				Masquerade bool     `json:"masquerade"`
				Rules      []string `json:"rules"`
				Cost       int      `json:"cost"`
				Mode       string   `json:"mode"`
			}
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if d.Verdict != tt.verdict || d.Masquerade != tt.masquerade || d.Mode != tt.mode {
				t.Errorf("verdict %s masquerade %v mode %s, want %s %v %s", d.Verdict, d.Masquerade, d.Mode, tt.verdict, tt.masquerade, tt.mode)
			}
			if !slices.Contains(d.Endpoints, d.Chosen) || len(d.Rules) == 0 || d.Cost < len(d.Rules) {
				t.Errorf("chosen %q not among %v, or rules %d and cost %d inconsistent", d.Chosen, d.Endpoints, len(d.Rules), d.Cost)
			}
		})
	}
}

// TestRouteNodePortAddresses checks --nodeport-addresses and
// --no-localhost-nodeports, which decide whether a node port answers on an
// address at all.
func TestRouteNodePortAddresses(t *testing.T) {
	files := []string{"-f", lab("numbers"), "-f", lab("numbers-services/web-service-nodePort.yaml")}
	tests := []struct {
		name    string
		flags   []string
		dst     string
		verdict string
	}{
		{"node IP", nil, "192.168.65.3", "forward"},
		{"localhost", nil, "127.0.0.1", "forward"},
		{"localhost off", []string{"--no-localhost-nodeports"}, "127.0.0.1", "none"},
		{"restricted elsewhere", []string{"--nodeport-addresses", "10.0.0.0/8"}, "192.168.65.3", "none"},
		{"restricted here", []string{"--nodeport-addresses", "192.168.65.0/24, 127.0.0.0/8"}, "192.168.65.3", "forward"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"route"}, files...), "--src", "192.168.65.1:50000", "--dst", tt.dst, "--port", "30080", "-o", "json")
			out, errOut, code := kubesimRun(append(args, tt.flags...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var d struct{ Verdict string }
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatal(err)
			}
			if d.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s\n%s", d.Verdict, tt.verdict, out)
			}
		})
	}
}

// TestRouteErrors checks that bad input gets a clear error and exit 1.
func TestRouteErrors(t *testing.T) {
	sleep := lab("sleep")
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown node", []string{"--node", "nope", "--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443"}, "Error from server (NotFound): nodes \"nope\" not found\n"},
		{"no src", []string{"--dst", "10.96.0.1", "--port", "443"}, "--src is required"},
		{"no dst", []string{"--src", "10.1.0.9", "--port", "443"}, "--dst is required"},
		{"no port", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1"}, "--port is required"},
		{"bad src", []string{"--src", "10.1.0", "--dst", "10.96.0.1", "--port", "443"}, `invalid --src: proxy: ParseHostPort("10.1.0")`},
		{"bad dst", []string{"--src", "10.1.0.9", "--dst", "kubernetes", "--port", "443"}, `invalid --dst: proxy: ParseHostPort("kubernetes")`},
		{"port range", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "70000"}, "invalid --port 70000"},
		{"negative port", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "-1"}, "invalid --port -1"},
		{"ports disagree", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1:80", "--port", "443"}, "disagree"},
		{"families differ", []string{"--src", "fd00::9", "--dst", "10.96.0.1", "--port", "443"}, "different IP families"},
		{"bad proto", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443", "--proto", "icmp"}, `invalid --proto "icmp"`},
		{"bad mode", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443", "--proxy-mode", "userspace"}, "--proxy-mode"},
		{"bad nodeport addresses", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443", "--nodeport-addresses", "10.0.0.0/33"}, "--nodeport-addresses"},
		{"bad output", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443", "-o", "yaml"}, `output format "yaml"`},
		{"positional", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443", "extra"}, "route takes no arguments"},
		{"bad port syntax", []string{"--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "http"}, `invalid value "http" for flag -port`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(append([]string{"route", "-f", sleep}, tt.args...)...)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, no stdout, stderr containing %q", code, out, errOut, tt.stderr)
			}
		})
	}
}

// TestRouteNeedsNodeOnLargerClusters checks that --node may be left out on
// one node only.
func TestRouteNeedsNodeOnLargerClusters(t *testing.T) {
	node := writeManifest(t, "node.yaml", "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-2\n")
	_, errOut, code := kubesimRun("route", "-f", node, "--src", "10.1.0.9", "--dst", "10.96.0.1", "--port", "443")
	if code != 1 || !strings.Contains(errOut, "--node is required on a cluster of 2 nodes (docker-desktop, worker-2)") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
