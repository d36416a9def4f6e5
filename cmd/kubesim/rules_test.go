package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestRulesGolden pins each mode's rule dump for the numbers lab.
func TestRulesGolden(t *testing.T) {
	files := []string{"-f", lab("numbers"), "-f", lab("numbers-services/web-service-nodePort.yaml")}
	tests := []struct {
		name string
		args []string
	}{
		{"rules-iptables", []string{"docker-desktop"}},
		{"rules-nftables", []string{"--proxy-mode", "nftables", "docker-desktop"}},
		{"rules-ipvs", []string{"--proxy-mode", "ipvs"}},
		{"rules-iptables-masquerade-all", []string{"docker-desktop", "--masquerade-all", "--no-localhost-nodeports", "--nodeport-addresses", "192.168.65.0/24"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"rules"}, tt.args...), files...)
			out, errOut, code := kubesimRun(args...)
			goldenCheck(t, tt.name, transcript(args, out, errOut, code))
		})
	}
}

// TestRulesShape checks the signature lines of each mode's form, so that a
// golden rewritten by mistake still has to look like the real tool's output.
func TestRulesShape(t *testing.T) {
	tests := []struct {
		mode string
		want []string
	}{
		{"iptables", []string{"*nat\n", "-A KUBE-SERVICES -d 10.96.0.10/32 -p udp", "COMMIT\n"}},
		{"nftables", []string{"table ip kube-proxy {", "map service-ips {"}},
		{"ipvs", []string{"IP Virtual Server version", "UDP  10.96.0.10:53 rr"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			out, errOut, code := kubesimRun("rules", "--proxy-mode", tt.mode)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s rules lack %q", tt.mode, w)
				}
			}
		})
	}
}

func TestRulesErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown node", []string{"nope"}, "Error from server (NotFound): nodes \"nope\" not found\n"},
		{"two nodes", []string{"a", "b"}, "rules takes one NODE, got 2"},
		{"bad mode", []string{"--proxy-mode", "kernelspace"}, "--proxy-mode"},
		{"bad manifest", []string{"-f", "testdata/manifests/does-not-exist"}, `the path "testdata/manifests/does-not-exist" does not exist`},
		{"bad platform", []string{"--platform", "minikube"}, `unknown platform "minikube"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(append([]string{"rules"}, tt.args...)...)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, stderr containing %q", code, out, errOut, tt.stderr)
			}
		})
	}
}

// TestRulesRealTools feeds the dumps to the tools that read them:
// iptables-restore --test and nft -c parse and check the rules without
// loading them.
func TestRulesRealTools(t *testing.T) {
	tests := []struct {
		mode, tool, pkg string
		args            []string
	}{
		{"iptables", "iptables-restore", "iptables", []string{"--test"}},
		{"nftables", "nft", "nftables", []string{"-c", "-f", "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			path := needTool(t, tt.tool, tt.pkg)
			for _, extra := range [][]string{nil, {"--masquerade-all", "--no-local-detector", "--nodeport-addresses", "192.168.65.0/24"}} {
				args := append([]string{"rules", "--proxy-mode", tt.mode, "-f", lab("numbers"), "-f", lab("numbers-services/web-service-nodePort.yaml"), "-f", "testdata/manifests/no-endpoints.yaml"}, extra...)
				out, errOut, code := kubesimRun(args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				cmd := exec.Command(path, tt.args...)
				cmd.Stdin = strings.NewReader(out)
				if msg, err := cmd.CombinedOutput(); err != nil {
					if strings.Contains(string(msg), "ermission denied") || strings.Contains(string(msg), "Operation not permitted") {
						cannotRun(t, fmt.Sprintf("%s cannot run here (needs CAP_NET_ADMIN): %s", tt.tool, msg))
					}
					t.Errorf("%s %v rejects the rules of %v: %v\n%s", tt.tool, tt.args, extra, err, msg)
				}
			}
		})
	}
}
