package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestResolveGolden pins the text and JSON forms of typical lookups.
func TestResolveGolden(t *testing.T) {
	sleep, numbers := lab("sleep"), lab("numbers")
	tests := []struct {
		name string
		args []string
	}{
		{"resolve-service", []string{"resolve", "-f", sleep, "-f", numbers, "--pod", "deploy/sleep-1", "numbers-api"}},
		// Flags after the name, A only, as JSON.
		{"resolve-service-inet-json", []string{"resolve", "-f", sleep, "-f", numbers, "numbers-api", "--pod", "default/deploy/sleep-1", "--family", "inet", "-o", "json"}},
		// An outside name walks the whole search path first (ndots:5).
		{"resolve-external-glibc", []string{"resolve", "-f", sleep, "--pod", "deploy/sleep-1", "--resolver", "glibc", "raw.githubusercontent.com"}},
		{"resolve-externalname", []string{"resolve", "-f", sleep, "-f", lab("numbers-services/api-service-externalName.yaml"), "--pod", "deploy/sleep-1", "--family", "inet", "numbers-api"}},
		{"resolve-headless", []string{"resolve", "-f", "testdata/manifests/headless.yaml", "--pod", "deploy/db", "db"}},
		{"resolve-busybox", []string{"resolve", "-f", sleep, "-f", numbers, "--pod", "deploy/sleep-1", "--resolver", "busybox", "numbers-web"}},
		{"resolve-nxdomain", []string{"resolve", "-f", sleep, "--pod", "deploy/sleep-1", "--family", "inet", "no-such-service"}},
		{"resolve-dnsconfig-warning", []string{"resolve", "-f", "testdata/manifests/dnsconfig.yaml", "--pod", "custom-dns", "kubernetes.default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(tt.args...)
			goldenCheck(t, tt.name, transcript(tt.args, out, errOut, code))
		})
	}
}

// TestResolveExitStatus checks getent's convention: 0 resolved, 2 did not
// resolve, 1 anything else; and the wording of the errors.
func TestResolveExitStatus(t *testing.T) {
	sleep := lab("sleep")
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string // substring of stderr; "" means stderr must be empty
		noStdout bool
	}{
		{"resolves", []string{"-f", sleep, "--pod", "deploy/sleep-1", "sleep-2"}, 0, "", false},
		{"nxdomain", []string{"-f", sleep, "--pod", "deploy/sleep-1", "nope"}, 2, "", false},
		{"missing pod", []string{"-f", sleep, "--pod", "x", "sleep-2"}, 1, "Error from server (NotFound): pods \"x\" not found\n", true},
		{"missing pod in namespace", []string{"-f", sleep, "--pod", "kube-system/x", "sleep-2"}, 1, "Error from server (NotFound): pods \"x\" not found\n", true},
		{"missing deployment", []string{"-f", sleep, "--pod", "deploy/x", "sleep-2"}, 1, "Error from server (NotFound): deployments.apps \"x\" not found\n", true},
		{"pod without IP", []string{"-f", "testdata/manifests/pending.yaml", "--pod", "stuck", "kubernetes"}, 1, "error: pod default/stuck has no IP yet (phase Pending)\n", true},
		{"no pod flag", []string{"-f", sleep, "sleep-2"}, 1, "--pod is required", true},
		{"no name", []string{"-f", sleep, "--pod", "deploy/sleep-1"}, 1, "exactly one NAME, got 0", true},
		{"two names", []string{"-f", sleep, "--pod", "deploy/sleep-1", "a", "b"}, 1, "exactly one NAME, got 2", true},
		{"bad family", []string{"-f", sleep, "--pod", "deploy/sleep-1", "--family", "inet4", "a"}, 1, `invalid --family "inet4"`, true},
		{"bad resolver", []string{"-f", sleep, "--pod", "deploy/sleep-1", "--resolver", "uclibc", "a"}, 1, `invalid --resolver "uclibc"`, true},
		{"bad output", []string{"-f", sleep, "--pod", "deploy/sleep-1", "-o", "yaml", "a"}, 1, `output format "yaml"`, true},
		{"bad pod ref", []string{"-f", sleep, "--pod", "a/b/c/d", "a"}, 1, `invalid pod reference "a/b/c/d"`, true},
		{"bad pod kind", []string{"-f", sleep, "--pod", "default/svc/sleep-2", "a"}, 1, `the resource type "svc"`, true},
		{"unknown flag", []string{"-f", sleep, "--pod", "deploy/sleep-1", "--bogus", "a"}, 1, "flag provided but not defined: -bogus", true},
		{"missing file", []string{"-f", "nope.yaml", "--pod", "x", "a"}, 1, `error: the path "nope.yaml" does not exist`, true},
		{"help", []string{"-h"}, 0, "Exit status, as getent's", true},
		// "--" ends the flags: a name may start with a dash.
		{"double dash", []string{"-f", sleep, "--pod", "deploy/sleep-1", "--", "-x"}, 2, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(append([]string{"resolve"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			switch {
			case tt.stderr == "" && errOut != "":
				t.Errorf("stderr = %q, want nothing", errOut)
			case !strings.Contains(errOut, tt.stderr):
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.stderr)
			}
			if tt.noStdout && out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

// TestResolveJSONContract checks the field names other tools read.
func TestResolveJSONContract(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		queries   []string // "name TYPE RCODE"
		outcome   string
		addresses int
		warning   string // a warning reason that must be present
	}{
		{
			name:      "unspec asks A and AAAA",
			args:      []string{"-f", lab("sleep"), "--pod", "deploy/sleep-1", "--resolver", "glibc", "sleep-2.default.svc.cluster.local."},
			queries:   []string{"sleep-2.default.svc.cluster.local A NOERROR", "sleep-2.default.svc.cluster.local AAAA NOERROR"},
			outcome:   "NOERROR",
			addresses: 1,
		},
		{
			name:      "inet asks A only",
			args:      []string{"-f", lab("sleep"), "--pod", "deploy/sleep-1", "--resolver", "glibc", "--family", "inet", "sleep-2.default.svc.cluster.local."},
			queries:   []string{"sleep-2.default.svc.cluster.local A NOERROR"},
			outcome:   "NOERROR",
			addresses: 1,
		},
		{
			name:    "nxdomain",
			args:    []string{"-f", lab("sleep"), "--pod", "deploy/sleep-1", "--resolver", "musl", "--family", "inet", "x.example."},
			queries: []string{"x.example A NXDOMAIN"},
			outcome: "NXDOMAIN",
		},
		{
			name:      "kubelet warnings",
			args:      []string{"-f", "testdata/manifests/dnsconfig.yaml", "--pod", "custom-dns", "--family", "inet", "kubernetes.default.svc.cluster.local"},
			queries:   []string{"kubernetes.default.svc.cluster.local A NOERROR"},
			outcome:   "NOERROR",
			addresses: 1,
			warning:   "DNSConfigForming",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, _ := kubesimRun(append(append([]string{"resolve"}, tt.args...), "-o", "json")...)
			if errOut != "" {
				t.Fatalf("stderr: %s", errOut)
			}
			var got struct {
				Queries []struct {
					Name    string    `json:"name"`
					Type    string    `json:"type"`
					Rcode   string    `json:"rcode"`
					Answers *[]string `json:"answers"`
				} `json:"queries"`
				Outcome    string   `json:"outcome"`
				Addresses  []string `json:"addresses"`
				ResolvConf *struct {
					Nameservers []string `json:"nameservers"`
					Searches    []string `json:"searches"`
					Options     []string `json:"options"`
				} `json:"resolvConf"`
				Warnings []struct {
					Reason  string `json:"reason"`
					Message string `json:"message"`
				} `json:"warnings"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var qs []string
			for _, q := range got.Queries {
				qs = append(qs, q.Name+" "+q.Type+" "+q.Rcode)
			}
			if strings.Join(qs, "\n") != strings.Join(tt.queries, "\n") {
				t.Errorf("queries:\n%s\nwant:\n%s", strings.Join(qs, "\n"), strings.Join(tt.queries, "\n"))
			}
			if got.Outcome != tt.outcome || len(got.Addresses) != tt.addresses {
				t.Errorf("outcome %s with %d addresses, want %s with %d", got.Outcome, len(got.Addresses), tt.outcome, tt.addresses)
			}
			if got.ResolvConf == nil || len(got.ResolvConf.Nameservers) == 0 {
				t.Errorf("resolvConf missing or without nameservers: %s", out)
			}
			if tt.warning != "" && (len(got.Warnings) == 0 || got.Warnings[0].Reason != tt.warning) {
				t.Errorf("warnings = %+v, want %s", got.Warnings, tt.warning)
			}
			if !strings.Contains(out, `"answers"`) || !strings.Contains(out, `"warnings"`) && tt.warning != "" {
				t.Errorf("missing answers or warnings fields:\n%s", out)
			}
		})
	}
}

// TestParseInterleaved checks that flags may come before, between and after
// the positional arguments, and that "--" ends them.
func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args []string
		pos  string
		pod  string
		err  bool
	}{
		{[]string{"name"}, "name", "", false},
		{[]string{"--pod", "p", "name"}, "name", "p", false},
		{[]string{"name", "--pod", "p"}, "name", "p", false},
		{[]string{"a", "--pod", "p", "b"}, "a b", "p", false},
		{[]string{"--pod=p", "--", "--pod", "x"}, "--pod x", "p", false},
		{[]string{"a", "-", "b"}, "a - b", "", false},
		{[]string{"a", "--pod"}, "", "", true},
		{[]string{"--nope", "a"}, "", "", true},
		{nil, "", "", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var errb strings.Builder
			fs := newFlagSet("test", "", "", &errb)
			pod := fs.String("pod", "", "")
			pos, err := parseInterleaved(fs, tt.args)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err == nil && (strings.Join(pos, " ") != tt.pos || *pod != tt.pod) {
				t.Errorf("positional %q pod %q, want %q %q", pos, *pod, tt.pos, tt.pod)
			}
		})
	}
}
