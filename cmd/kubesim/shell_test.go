package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/kubectl"
	"github.com/kubesim/kubesim/script"
)

// TestShell feeds the prompt its input on a pipe (no terminal: no prompt) and
// checks what it prints and how it exits.
func TestShell(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		input  string
		code   int
		stdout string // exact
		stderr string // substring; "" means empty
	}{
		{"a command", nil, "kubectl get svc kubernetes -o name\n", 0, "service/kubernetes\n", ""},
		{"no final newline", nil, "kubectl get svc kubernetes -o name", 0, "service/kubernetes\n", ""},
		{"continuation and here-document", nil,
			"kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\nEOF\nkubectl get \\\n  ns lab -o name\n", 0,
			"namespace/lab created\nnamespace/lab\n", ""},
		{"a quote across lines", nil, "kubectl get svc 'kuber\nnetes'\n", 1, "", `services "kuber\nnetes" not found`},
		{"help", nil, "help\n", 0, fmt.Sprintf(shellHelp, kubectl.DefaultThinkTime), ""},
		{"exit with a status", nil, "exit 3\nkubectl get svc\n", 3, "", ""},
		{"exit keeps the last status", nil, "kubectl get svc nope\nexit\n", 1, "", `services "nope" not found`},
		{"bad exit", nil, "exit x\n", 2, "", "exit: Illegal number: x"},
		{"end of input keeps the last status", nil, "kubectl get svc nope\n", 1, "", "NotFound"},
		{"a parse error names the line and goes on", nil, "\n# comment\nkubectl get `svc`\nkubectl get svc kubernetes -o name\n", 0,
			"service/kubernetes\n", "kubesim: line 3: backquote command substitution is not supported"},
		{"an unterminated quote at the end", nil, "kubectl get 'svc\n", 2, "", "kubesim: line 1: unterminated single-quoted string"},
		{"a dangling continuation at the end", nil, "kubectl get svc \\\n", 2, "", "unexpected end of input"},
		{"cluster flags", []string{"--platform", "k3s"}, "kubectl get svc -n kube-system -o name\n", 0,
			"service/kube-dns\nservice/metrics-server\nservice/traefik\n", ""},
		{"no arguments", []string{"x"}, "", 2, "", "unexpected argument \"x\""},
		{"the pods' tools", []string{"-f", lab("sleep")}, "kubectl exec deploy/sleep-1 -- cat /etc/resolv.conf\n", 0,
			"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"shell"}, tt.args...), strings.NewReader(tt.input), &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errb.String())
			}
			if out.String() != tt.stdout {
				t.Errorf("stdout = %q, want %q", out.String(), tt.stdout)
			}
			if tt.stderr == "" && errb.Len() > 0 || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr = %q, want %q", errb.String(), tt.stderr)
			}
		})
	}
}

// TestNoArguments starts the prompt, as kubesim with no command does.
func TestNoArguments(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(nil, strings.NewReader("kubectl get ns default -o name\n"), &out, &errb)
	if code != 0 || out.String() != "namespace/default\n" || errb.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// TestIncomplete checks when the prompt waits for more lines.
func TestIncomplete(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"kubectl get pods\n", false},
		{"kubectl get \\\n", true},
		{"kubectl get \\\\\n", false},
		{"kubectl get 'pods\n", true},
		{"kubectl get \"pods\n", true},
		{"kubectl apply -f - <<EOF\nkind: x\n", true},
		{"kubectl apply -f - <<EOF\nkind: x\nEOF\n", false},
		{"kubectl get `pods`\n", false}, // an error, not more input
	}
	for _, tt := range tests {
		if got := incomplete(tt.src); got != tt.want {
			t.Errorf("incomplete(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

func TestFlagsAloneStartTheShell(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-f", "../../examples/ch03/sleep"}, strings.NewReader("kubectl get deploy\n"), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "sleep-1") {
		t.Fatalf("kubesim -f DIR: exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
}

// TestFindPodFollowsKubectlExec checks that trace and resolve, given
// deploy/NAME, use the pod `kubectl exec deploy/NAME` runs in.
func TestFindPodFollowsKubectlExec(t *testing.T) {
	var out, errb bytes.Buffer
	src := "kubectl apply -f sleep/sleep1.yaml\nkubectl scale deploy/sleep-1 --replicas=3\nkubectl wait --for=condition=Ready pod -l app=sleep-1\nkubectl exec deploy/sleep-1 -- hostname\n"
	cf := clusterFlags{}
	c, err := cf.build()
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(c, "../../examples/ch03", kubectl.DefaultThinkTime)
	cmds, err := script.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range cmds {
		if code := r.Run(cmd, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d\n%s%s", cmd.Text, code, out.String(), errb.String())
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	execPod := lines[len(lines)-1]
	_, name, err := findPod(c, "deploy/sleep-1")
	if err != nil {
		t.Fatal(err)
	}
	if name != execPod {
		t.Errorf("findPod(deploy/sleep-1) = %s; kubectl exec ran in %s", name, execPod)
	}
}
