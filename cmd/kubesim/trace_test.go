package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTraceGolden pins the hop-by-hop explanation of typical requests: a
// Service forwarding to its pod, a pod that listens on nothing, and the
// book's "headless" Service whose endpoint does not exist.
func TestTraceGolden(t *testing.T) {
	sleep, numbers := lab("sleep"), lab("numbers")
	tests := []struct {
		name string
		args []string
	}{
		{"trace-service", []string{"trace", "-f", sleep, "-f", numbers, "deploy/sleep-1", "http://numbers-api/rng"}},
		{"trace-refused", []string{"trace", "-f", sleep, "default/deploy/sleep-1", "sleep-2"}},
		{"trace-headless", []string{"trace", "--script", labScript, "deploy/sleep-1", "http://numbers-api/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(tt.args...)
			goldenCheck(t, tt.name, transcript(tt.args, out, errOut, code))
		})
	}
}

// TestTrace checks trace's exit statuses, errors and JSON form.
func TestTrace(t *testing.T) {
	sleep, numbers := lab("sleep"), lab("numbers")
	bad := writeManifest(t, "bad.kubesim", "kubectl get 'pods\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring; "" means empty
	}{
		{"answered", []string{"-f", sleep, "-f", numbers, "deploy/sleep-1", "numbers-api"}, 0, "answer: HTTP/1.1 200 OK", ""},
		{"refused", []string{"-f", sleep, "deploy/sleep-1", "sleep-2"}, 2, "connection refused", ""},
		{"unresolved", []string{"-f", sleep, "deploy/sleep-1", "http://nope/"}, 2, "fail: could not resolve host nope", ""},
		{"no such pod", []string{"-f", sleep, "nope", "sleep-2"}, 1, "", `Error from server (NotFound): pods "nope" not found`},
		{"bad URL", []string{"-f", sleep, "deploy/sleep-1", "ftp://sleep-2"}, 1, "", `protocol "ftp" not supported`},
		{"one argument", []string{"-f", sleep, "deploy/sleep-1"}, 1, "", "trace takes POD and URL, got 1"},
		{"bad output", []string{"-f", sleep, "-o", "yaml", "deploy/sleep-1", "sleep-2"}, 1, "", `output format "yaml"`},
		{"bad script", []string{"--script", bad, "deploy/sleep-1", "sleep-2"}, 2, "", "bad.kubesim:1: unterminated single-quoted string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(append([]string{"trace"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.stdout)
			}
			if tt.stderr == "" && errOut != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr = %q, want %q", errOut, tt.stderr)
			}
		})
	}

	out, _, code := kubesimRun("trace", "-f", sleep, "-f", numbers, "-o", "json", "deploy/sleep-1", "http://numbers-api/rng")
	var got struct {
		Outcome string
		Route   struct{ Verdict, Chosen string }
		Peer    struct{ Kind string }
		Lookup  struct{ Queries []any }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("-o json: exit %d, %v\n%s", code, err, out)
	}
	if got.Outcome != "connected" || got.Route.Verdict != "forward" || got.Peer.Kind != "pod" || len(got.Lookup.Queries) != 2 {
		t.Errorf("-o json: %+v", got)
	}
}
