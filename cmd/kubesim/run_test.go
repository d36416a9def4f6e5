package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/internal/textdiff"
)

// labScript is the replay of the chapter 3 lab.
var labScript = lab("lab.kubesim")

// TestLabGolden pins the transcript of the lab replay for the default seed.
func TestLabGolden(t *testing.T) {
	out, errOut, code := kubesimRun("run", labScript)
	if code != 0 || errOut != "" {
		t.Fatalf("kubesim run %s: exit %d, stderr %q", labScript, code, errOut)
	}
	goldenCheck(t, "lab", out)
}

// step is one command of a transcript and what it printed.
type step struct {
	text, output string
}

// steps splits a kubesim run transcript at its "$ " lines.
func steps(transcript string) []step {
	var cmds []step
	for _, line := range strings.SplitAfter(transcript, "\n") {
		if text, ok := strings.CutPrefix(line, "$ "); ok {
			cmds = append(cmds, step{text: strings.TrimSuffix(text, "\n")})
			continue
		}
		if len(cmds) > 0 {
			cmds[len(cmds)-1].output += line
		}
	}
	return cmds
}

// TestLabFacts checks, command by command, what the replay must show to match
// the real session of LAB-ch03.md: names, types, fixed addresses, ports,
// ages, <none> where the real one has <none>, and busybox nslookup's misses
// and hits in their order. A regenerated golden file cannot lose these.
func TestLabFacts(t *testing.T) {
	out, _, _ := kubesimRun("run", labScript)
	cmds := steps(out)
	// The session starts at its first "kubectl delete svc numbers-api".
	start := -1
	for i, c := range cmds {
		if c.text == "kubectl delete svc numbers-api" {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("no session in the transcript:\n%s", out)
	}
	session := cmds[start:]
	wantSession := []string{
		"kubectl delete svc numbers-api",
		"kubectl apply -f numbers-services/api-service-externalName.yaml",
		"kubectl get svc numbers-api",
		"kubectl exec deploy/numbers-api -- sh -c 'nslookup numbers-api'",
		"kubectl delete svc numbers-api", // implied by the session's "created"; see lab.kubesim
		"kubectl apply -f numbers-services/api-service-headless.yaml",
		"kubectl get svc numbers-api",
		"kubectl get endpoints numbers-api",
		"kubectl get endpoints sleep-2",
		"kubectl delete pods -l app=sleep-2",
		"kubectl get endpoints sleep-2",
		"kubectl delete deploy sleep-2",
		"kubectl get endpoints sleep-2",
		"kubectl get svc --namespace default",
		"kubectl get svc -n kube-system",
		`kubectl exec deploy/sleep-1 -- sh -c 'nslookup numbers-api.default.svc.cluster.local | grep "^[^*]"'`,
		`kubectl exec deploy/sleep-1 -- sh -c 'nslookup kube-dns.kube-system.svc.cluster.local | grep "^[^*]"'`,
	}
	if len(session) != len(wantSession) {
		t.Fatalf("the session has %d commands, want %d", len(session), len(wantSession))
	}
	for i, want := range wantSession {
		if session[i].text != want {
			t.Errorf("session command %d = %q, want %q", i+1, session[i].text, want)
		}
	}
	tests := []struct {
		cmd  int    // index in the session
		what string // the fact, for failures
		re   string // must match the command's output
	}{
		{0, "delete", `^service "numbers-api" deleted\n$`},
		{1, "ExternalName created", `^service/numbers-api created\n$`},
		{2, "ExternalName row", `(?m)^NAME          TYPE           CLUSTER-IP   EXTERNAL-IP                 PORT\(S\)   AGE\nnumbers-api   ExternalName   <none>       raw\.githubusercontent\.com   <none>    \ds\n$`},
		{3, "nslookup header", "^Server:\t\t10\\.96\\.0\\.10\nAddress:\t10\\.96\\.0\\.10:53\n\n"},
		{3, "NXDOMAIN for cluster.local first, A and AAAA, then svc.cluster.local",
			`\*\* server can't find numbers-api\.cluster\.local: NXDOMAIN\n\n\*\* server can't find numbers-api\.cluster\.local: NXDOMAIN\n\n\*\* server can't find numbers-api\.svc\.cluster\.local: NXDOMAIN\n\n\*\* server can't find numbers-api\.svc\.cluster\.local: NXDOMAIN\n\n`},
		{3, "CNAME then the four A records",
			"numbers-api\\.default\\.svc\\.cluster\\.local\tcanonical name = raw\\.githubusercontent\\.com\n(Name:\traw\\.githubusercontent\\.com\nAddress: 185\\.199\\.1(08|09|10|11)\\.133\n){4}\n"},
		{3, "CNAME then the four AAAA records",
			"numbers-api\\.default\\.svc\\.cluster\\.local\tcanonical name = raw\\.githubusercontent\\.com\n(Name:\traw\\.githubusercontent\\.com\nAddress: 2606:50c0:800[0-3]::154\n){4}\n"},
		{5, "headless created", `^service/numbers-api created\nendpoints/numbers-api created\n$`},
		{6, "headless is a ClusterIP with an address", `(?m)^numbers-api   ClusterIP   10\.\d+\.\d+\.\d+ +<none>        80/TCP    0s$`},
		{7, "hand-written endpoint", `(?m)^numbers-api   192\.168\.123\.234:80   \ds$`},
		{8, "sleep-2 has its pod", `(?m)^sleep-2   10\.1\.0\.\d+:80   \d+m$`},
		{9, "pod deleted", `^pod "sleep-2-[a-z0-9]+-[a-z0-9]{5}" deleted\n$`},
		{10, "no endpoints right after the delete", `(?m)^sleep-2   <none>      \d+m$`},
		{11, "deployment deleted", `^deployment\.apps "sleep-2" deleted\n$`},
		{12, "the Endpoints object stays, empty", `(?m)^sleep-2   <none>      \d+m$`},
		{13, "kubernetes", `(?m)^kubernetes    ClusterIP      10\.96\.0\.1        <none>        443/TCP          4h53m$`},
		{13, "numbers-api", `(?m)^numbers-api   ClusterIP      10\.\d+\.\d+\.\d+ +<none>        80/TCP           \d+s$`},
		{13, "numbers-web on localhost", `(?m)^numbers-web   LoadBalancer   10\.\d+\.\d+\.\d+ +localhost     8080:3\d{4}/TCP   4h52m$`},
		{13, "sleep-2", `(?m)^sleep-2       ClusterIP      10\.\d+\.\d+\.\d+ +<none>        80/TCP           74m$`},
		{14, "kube-dns", "(?m)^NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT\\(S\\)                  AGE\nkube-dns   ClusterIP   10\\.96\\.0\\.10   <none>        53/UDP,53/TCP,9153/TCP   4h53m\n$"},
		{15, "FQDN hit, through grep", "^Server:\t\t10\\.96\\.0\\.10\nAddress:\t10\\.96\\.0\\.10:53\nName:\tnumbers-api\\.default\\.svc\\.cluster\\.local\nAddress: 10\\.\\d+\\.\\d+\\.\\d+\n$"},
		{16, "kube-dns by its FQDN", "^Server:\t\t10\\.96\\.0\\.10\nAddress:\t10\\.96\\.0\\.10:53\nName:\tkube-dns\\.kube-system\\.svc\\.cluster\\.local\nAddress: 10\\.96\\.0\\.10\n$"},
	}
	for _, tt := range tests {
		got := session[tt.cmd].output
		if !regexp.MustCompile(tt.re).MatchString(got) {
			t.Errorf("%s: $ %s printed\n%s\nwant it to match %s", tt.what, session[tt.cmd].text, got, tt.re)
		}
	}
	// The headless Service's address is the one the FQDN resolves to.
	ip := regexp.MustCompile(`numbers-api   ClusterIP   (10\.\S+)`).FindStringSubmatch(session[6].output)
	if ip == nil || !strings.Contains(session[15].output, "Address: "+ip[1]+"\n") {
		t.Errorf("nslookup does not answer the headless Service's cluster IP %v:\n%s", ip, session[15].output)
	}
}

// TestRunDeterministic: two runs of the lab print the same bytes.
func TestRunDeterministic(t *testing.T) {
	a, _, _ := kubesimRun("run", labScript)
	b, _, _ := kubesimRun("run", labScript)
	if a != b {
		t.Errorf("two runs differ:\n%s", textdiff.Lines(a, b))
	}
}

// TestRun checks the command line of kubesim run: flags, errors and exit
// statuses.
func TestRun(t *testing.T) {
	bad := writeManifest(t, "bad.kubesim", "kubectl get pods\nkubectl get 'pods\n")
	failing := writeManifest(t, "failing.kubesim", "kubectl get svc nope\nkubectl get svc kubernetes -o name\n")
	paced := writeManifest(t, "paced.kubesim", "#!/usr/bin/env -S kubesim run --think-time=10s\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\nEOF\nkubectl get ns lab\n")
	badShebang := writeManifest(t, "badshebang.kubesim", "#!/usr/bin/env -S kubesim run --bogus\nkubectl get ns\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring of stdout
		stderr string // substring of stderr; "" means empty
	}{
		{"parse error names the line", []string{"run", bad}, 2, "", "bad.kubesim:2: unterminated single-quoted string"},
		{"missing script", []string{"run", "/nonexistent/x.kubesim"}, 2, "", "cannot read script /nonexistent/x.kubesim: no such file or directory"},
		{"no script", []string{"run"}, 2, "", "want exactly one SCRIPT, got 0"},
		{"bad flag", []string{"run", "--bogus", bad}, 1, "", "flag provided but not defined: -bogus"},
		{"negative think time", []string{"run", "--think-time=-1s", failing}, 2, "", "--think-time -1s is negative"},
		{"failures are shown and the script goes on", []string{"run", failing}, 0,
			"$ kubectl get svc nope\nError from server (NotFound): services \"nope\" not found\n$ kubectl get svc kubernetes -o name\nservice/kubernetes\n", ""},
		{"stop on error", []string{"run", "--stop-on-error", failing}, 1, "$ kubectl get svc nope\nError from server (NotFound): services \"nope\" not found\n", ""},
		{"the #! line sets the pace", []string{"run", paced}, 0, "lab    Active   10s\n", ""},
		{"the command line overrides the #! line", []string{"run", "--think-time=2s", paced}, 0, "lab    Active   2s\n", ""},
		{"bad #! flags", []string{"run", badShebang}, 2, "", "badshebang.kubesim:1: bad flags in the #! line"},
		{"manifests before the script", []string{"run", "-f", lab("sleep/sleep2-service.yaml"), failing}, 0, "service/kubernetes\n", ""},
		{"seed", []string{"run", "--seed", "7", failing}, 0, "service/kubernetes", ""},
		{"bad platform", []string{"run", "--platform", "minikube", failing}, 1, "", "unknown platform \"minikube\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.stdout) {
				t.Errorf("stdout = %q, want it to contain %q", out, tt.stdout)
			}
			if tt.stderr == "" && errOut != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr = %q, want %q", errOut, tt.stderr)
			}
			if strings.Contains(out, "\n$ kubectl get svc kubernetes") && tt.code == 1 {
				t.Error("--stop-on-error went on")
			}
		})
	}
}

// TestRunStdin reads the script from standard input.
func TestRunStdin(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"run", "-"}, strings.NewReader("kubectl get pod -A -o jsonpath='{.items[0].metadata.namespace}'\n"), &out, &errb)
	want := "$ kubectl get pod -A -o jsonpath='{.items[0].metadata.namespace}'\nkube-system%\n"
	if code != 0 || out.String() != want || errb.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want stdout %q", code, out.String(), errb.String(), want)
	}
}
