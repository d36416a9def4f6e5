package podnet_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/internal/textdiff"
	"github.com/kubesim/kubesim/kubectl"
	"github.com/kubesim/kubesim/podnet"
	"github.com/kubesim/kubesim/script"
)

// update rewrites testdata/*.golden instead of comparing with them; review
// the diff before committing.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// ch03 holds the chapter 3 manifests.
var ch03 = filepath.Join("..", "examples", "ch03")

// newLab returns a kubectl runner whose pods have podnet's tools, on a
// cluster running the chapter's sleep and numbers deployments and their
// ClusterIP and LoadBalancer services, settled.
func newLab(t testing.TB) (*kubectl.Runner, *podnet.Env) {
	t.Helper()
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sleep/sleep1.yaml", "sleep/sleep2.yaml", "sleep/sleep2-service.yaml",
		"numbers/api.yaml", "numbers/web.yaml", "numbers/api-service.yaml", "numbers/web-service.yaml"} {
		b, err := os.ReadFile(filepath.Join(ch03, f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Apply(b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	env := podnet.New(c)
	r := kubectl.New(c)
	r.ThinkTime = time.Second // the pace the golden transcript was written at
	r.Dir = ch03
	r.Exec = env
	return r, env
}

// transcript runs a script and renders it as a terminal shows it, standard
// error lines marked "! " so that the golden file pins which stream each
// line went to, and non-zero statuses as [exit N].
func transcript(t *testing.T, r *kubectl.Runner, src string) string {
	t.Helper()
	cmds, err := script.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, c := range cmds {
		fmt.Fprintf(&b, "$ %s\n", c.Text)
		var out, errb bytes.Buffer
		status := r.Run(c, &out, &errb)
		b.Write(out.Bytes())
		if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			b.WriteString("%\n")
		}
		for _, l := range strings.SplitAfter(errb.String(), "\n") {
			if l != "" {
				b.WriteString("! " + strings.TrimSuffix(l, "\n") + "\n")
			}
		}
		if status != 0 {
			fmt.Fprintf(&b, "[exit %d]\n", status)
		}
	}
	return b.String()
}

// TestToolsGolden pins every tool's output, byte for byte, on the chapter's
// cluster: testdata/tools.script against testdata/tools.golden.
func TestToolsGolden(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "tools.script"))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := newLab(t)
	got := transcript(t, r, string(src))
	textdiff.Golden(t, filepath.Join("testdata", "tools.golden"), got, *update)
}

// TestDeterministic runs the tools' script twice on fresh clusters: the
// transcripts must be identical.
func TestDeterministic(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "tools.script"))
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := newLab(t)
	r2, _ := newLab(t)
	a, b := transcript(t, r1, string(src)), transcript(t, r2, string(src))
	if a != b {
		t.Errorf("two runs differ:\n%s", textdiff.Lines(a, b))
	}
}

// TestExec checks the facts each tool must get right — exit statuses, which
// stream a message goes to, the exact error wording — independently of the
// golden file, so that a regenerated golden cannot lose them.
func TestExec(t *testing.T) {
	r, _ := newLab(t)
	tests := []struct {
		name   string
		cmd    string
		status int
		stdout string // substring of stdout; "-" means stdout must be empty
		stderr string // substring of stderr; "-" means stderr must be empty
	}{
		{"resolv.conf", `kubectl exec deploy/sleep-1 -- cat /etc/resolv.conf`, 0,
			"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", "-"},
		{"missing file", `kubectl exec deploy/sleep-1 -- cat /etc/shadow`, 1, "-", "cat: can't open '/etc/shadow': No such file or directory"},
		{"nslookup hit", `kubectl exec deploy/sleep-1 -- sh -c 'nslookup numbers-api | grep "^[^*]"'`, 0,
			"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\nName:\tnumbers-api.default.svc.cluster.local\nAddress: 10.", "-"},
		{"nslookup miss", `kubectl exec deploy/sleep-1 -- nslookup nope`, 1, "** server can't find nope.default.svc.cluster.local: NXDOMAIN", "command terminated with exit code 1"},
		{"ping pod", `kubectl exec deploy/sleep-1 -- ping -c 2 sleep-1-x`, 1, "-", "ping: bad address 'sleep-1-x'"},
		{"ping cluster IP", `kubectl exec deploy/sleep-1 -- ping -c 1 sleep-2`, 1,
			"PING sleep-2 (10.", "command terminated with exit code 1"},
		{"ping cluster IP loss", `kubectl exec deploy/sleep-1 -- ping -c 1 sleep-2`, 1,
			"\n--- sleep-2 ping statistics ---\n1 packets transmitted, 0 packets received, 100% packet loss\n", "-x"},
		{"ping without count", `kubectl exec deploy/sleep-1 -- ping sleep-2`, 1, "-", "ping: kubesim needs -c COUNT"},
		{"curl service", `kubectl exec deploy/sleep-1 -- curl -s http://numbers-api/`, 0, "numbers-api-", "-"},
		{"curl rng", `kubectl exec deploy/sleep-1 -- curl -s http://numbers-api/rng`, 0, "", "-"},
		{"curl refused", `kubectl exec deploy/sleep-1 -- curl sleep-2`, 7, "-",
			"curl: (7) Failed to connect to sleep-2 port 80 after 0 ms: Connection refused\ncommand terminated with exit code 7"},
		{"curl unresolved", `kubectl exec deploy/sleep-1 -- curl -sS nope`, 6, "-", "curl: (6) Could not resolve host: nope\n"},
		{"curl silent", `kubectl exec deploy/sleep-1 -- curl -s nope`, 6, "-", "command terminated with exit code 6\n"},
		{"wget service", `kubectl exec deploy/sleep-1 -- wget -qO- http://numbers-web:8080`, 0, "numbers-web-", "-"},
		{"wget refused", `kubectl exec deploy/sleep-1 -- wget -qO- sleep-2`, 1, "-",
			"wget: can't connect to remote host (10."},
		{"wget refused text", `kubectl exec deploy/sleep-1 -- wget -qO- sleep-2`, 1, "-", "): Connection refused\n"},
		{"wget unresolved", `kubectl exec deploy/sleep-1 -- wget -qO- nope`, 1, "-", "wget: bad address 'nope'\n"},
		{"wget verbose", `kubectl exec deploy/sleep-1 -- wget -O- numbers-web:8080`, 0, "numbers-web-",
			"Connecting to numbers-web:8080 (10."},
		{"no curl in the API image", `kubectl exec deploy/numbers-api -- curl numbers-api`, 126,
			`exec: "curl": executable file not found in $PATH`, "command terminated with exit code 126"},
		{"no dig in the sleep image", `kubectl exec deploy/sleep-1 -- dig numbers-api`, 126,
			`exec: "dig": executable file not found in $PATH`, "-x"},
		{"nothing in coredns", `kubectl exec -n kube-system deploy/coredns -- nslookup x`, 126,
			`exec: "nslookup": executable file not found in $PATH`, "-x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := script.Parse(tt.cmd)
			if err != nil {
				t.Fatal(err)
			}
			var out, errb bytes.Buffer
			status := r.Run(cmds[0], &out, &errb)
			if status != tt.status {
				t.Errorf("status %d, want %d\nstdout: %q\nstderr: %q", status, tt.status, out.String(), errb.String())
			}
			check := func(stream, got, want string) {
				switch want {
				case "-x":
				case "-":
					if got != "" {
						t.Errorf("%s = %q, want it empty", stream, got)
					}
				default:
					if !strings.Contains(got, want) {
						t.Errorf("%s = %q, want it to contain %q", stream, got, want)
					}
				}
			}
			check("stdout", out.String(), tt.stdout)
			check("stderr", errb.String(), tt.stderr)
		})
	}
}

// TestLoadBalancing sends many requests to a Service with three endpoints:
// every endpoint answers some, as kube-proxy's uniform choice spreads them.
func TestLoadBalancing(t *testing.T) {
	r, _ := newLab(t)
	for _, line := range []string{"kubectl scale deploy numbers-api --replicas=3", "kubectl wait --for=condition=Ready pod -l app=numbers-api", "sleep 2"} {
		cmds, _ := script.Parse(line)
		if st := r.Run(cmds[0], new(bytes.Buffer), new(bytes.Buffer)); st != 0 {
			t.Fatalf("%s: status %d", line, st)
		}
	}
	seen := map[string]int{}
	for range 60 {
		var out bytes.Buffer
		st := r.RunArgs([]string{"kubectl", "exec", "deploy/sleep-1", "--", "curl", "-s", "http://numbers-api/"}, nil, &out, new(bytes.Buffer))
		if st != 0 {
			t.Fatalf("curl: status %d", st)
		}
		seen[strings.Fields(out.String())[0]]++
	}
	if len(seen) != 3 {
		t.Errorf("answers came from %d pods, want 3: %v", len(seen), seen)
	}
}

// TestTrace follows requests through the three kinds of kube-proxy verdict
// that matter to a client: forward, reject and a forward to nowhere.
func TestTrace(t *testing.T) {
	r, env := newLab(t)
	c := env.Cluster
	sleep1 := kubesim.ListOf[*api.Pod](c, "default", api.SelectorFromSet(map[string]string{"app": "sleep-1"}))[0]
	tr, err := env.Trace("default", sleep1.Name, "http://numbers-api/rng")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Outcome != podnet.Connected || tr.Response == nil || tr.Response.Status != 200 || tr.Peer.Kind != podnet.PeerPod {
		t.Errorf("forward: outcome %s, peer %s, response %+v", tr.Outcome, tr.Peer, tr.Response)
	}
	if tr.Lookup == nil || tr.Lookup.Count() != 2 || tr.Route == nil || len(tr.Route.Rules) == 0 {
		t.Errorf("forward: want the lookup's 2 queries and the rules walked, got %+v", tr)
	}
	for _, want := range []string{"resolve numbers-api: musl getaddrinfo", "kube-proxy on node docker-desktop (iptables): DNAT to ", "connected", "answer: HTTP/1.1 200 OK"} {
		if !strings.Contains(tr.String(), want) {
			t.Errorf("forward trace lacks %q:\n%s", want, tr)
		}
	}

	cmds, _ := script.Parse("kubectl scale deploy sleep-2 --replicas=0\nsleep 2\n")
	for _, cmd := range cmds {
		r.Run(cmd, new(bytes.Buffer), new(bytes.Buffer))
	}
	tr, err = env.Trace("default", sleep1.Name, "sleep-2")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Outcome != podnet.Refused || tr.Peer.Kind != podnet.PeerProxy || !strings.Contains(tr.String(), "reject") {
		t.Errorf("reject: outcome %s, peer %s\n%s", tr.Outcome, tr.Peer, tr)
	}

	if _, err := env.Trace("default", "nope", "http://numbers-api/"); err == nil {
		t.Error("a missing pod traces without an error")
	}
	if _, err := env.Trace("default", sleep1.Name, "gopher://numbers-api/"); err == nil {
		t.Error("a gopher URL traces without an error")
	}
}

// TestImageFor checks how image references map to what podnet knows.
func TestImageFor(t *testing.T) {
	tests := []struct {
		ref   string
		tools podnet.Tools
		app   podnet.App
	}{
		{"kiamol/ch03-sleep", podnet.Busybox | podnet.Curl, ""},
		{"docker.io/kiamol/ch03-sleep:latest", podnet.Busybox | podnet.Curl, ""},
		{"kiamol/ch03-numbers-api", podnet.Busybox, podnet.AppNumbersAPI},
		{"kiamol/ch03-numbers-web:v2", podnet.Busybox, ""},
		{"registry.k8s.io/coredns/coredns:v1.10.1", 0, podnet.AppCoreDNS},
		{"registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3", podnet.Nslookup | podnet.Dig | podnet.Ping | podnet.Cat, ""},
		{"busybox@sha256:0123", podnet.Busybox, ""},
		{"localhost:5000/team/app:1.0", podnet.Busybox, ""},
		{"", podnet.Busybox, ""},
	}
	for _, tt := range tests {
		img := podnet.ImageFor(tt.ref)
		if img.Tools != tt.tools || img.App != tt.app {
			t.Errorf("ImageFor(%q) = tools %b app %q, want %b %q", tt.ref, img.Tools, img.App, tt.tools, tt.app)
		}
	}
}

// Env is what kubectl exec runs programs with.
var _ kubectl.ExecEnv = (*podnet.Env)(nil)
