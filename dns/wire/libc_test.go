package wire

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
)

// The tests in this file run real resolvers (glibc's and musl's getaddrinfo,
// busybox nslookup) inside a private network and mount namespace, where the
// test binary serves the simulated cluster DNS on 127.0.0.1:53 and a
// resolv.conf written by kubelet's rules is bound over /etc/resolv.conf. The
// server logs every question it gets; the log must be the path the
// simulated resolver predicts.

func TestMain(m *testing.M) {
	if addr := os.Getenv("KUBESIM_DNS_HELPER"); addr != "" {
		os.Exit(helper(addr, os.Getenv("KUBESIM_DNS_LOG")))
	}
	os.Exit(m.Run())
}

// helper serves testServer at addr, appending "name TYPE RCODE" per question
// to logPath, until SIGTERM.
func helper(addr, logPath string) int {
	s := testServer()
	f, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	h := mdns.HandlerFunc(func(w mdns.ResponseWriter, req *mdns.Msg) {
		m := Answer(s, clientAddr(w.RemoteAddr()), req)
		if m == nil {
			return
		}
		Scrub(m, req, w.RemoteAddr().Network() == "udp", false)
		if len(req.Question) == 1 {
			q := req.Question[0]
			mu.Lock()
			fmt.Fprintf(f, "%s %s %s\n", strings.TrimSuffix(q.Name, "."), mdns.TypeToString[q.Qtype], mdns.RcodeToString[m.Rcode])
			f.Sync()
			mu.Unlock()
		}
		w.WriteMsg(m)
	})
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	u := &mdns.Server{PacketConn: pc, Handler: h}
	tc := &mdns.Server{Listener: ln, Handler: h}
	go u.ActivateAndServe()
	go tc.ActivateAndServe()
	os.WriteFile(logPath+".ready", nil, 0o644)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	u.Shutdown()
	tc.Shutdown()
	return 0
}

const getaddrinfoC = `#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>

int main(int argc, char **argv) {
	struct addrinfo hints, *res, *p;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	int rc = getaddrinfo(argv[1], NULL, &hints, &res);
	if (rc != 0) {
		const char *n = "EAI_OTHER";
		if (rc == EAI_NONAME) n = "EAI_NONAME";
		if (rc == EAI_AGAIN) n = "EAI_AGAIN";
		if (rc == EAI_FAIL) n = "EAI_FAIL";
#ifdef EAI_NODATA
		if (rc == EAI_NODATA) n = "EAI_NODATA";
#endif
		printf("error %s\n", n);
		return 1;
	}
	for (p = res; p; p = p->ai_next) {
		char buf[64];
		void *a = p->ai_family == AF_INET ? (void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
		                                  : (void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;
		inet_ntop(p->ai_family, a, buf, sizeof buf);
		printf("%s\n", buf);
	}
	return 0;
}
`

// buildGetaddrinfo compiles the probe with cc (gcc for glibc, musl-gcc).
func buildGetaddrinfo(t *testing.T, cc string) string {
	t.Helper()
	path := needTool(t, cc)
	dir := t.TempDir()
	src := filepath.Join(dir, "gai.c")
	if err := os.WriteFile(src, []byte(getaddrinfoC), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "gai-"+cc)
	if out, err := exec.Command(path, "-static", "-O1", "-o", bin, src).CombinedOutput(); err != nil {
		if cc == "gcc" { // a static glibc binary warns about NSS; build it dynamic
			if out2, err2 := exec.Command(path, "-O1", "-o", bin, src).CombinedOutput(); err2 != nil {
				t.Fatalf("%s: %v\n%s\n%s", cc, err2, out, out2)
			}
			return bin
		}
		t.Fatalf("%s: %v\n%s", cc, err, out)
	}
	return bin
}

// inNamespace runs command with resolvConf as /etc/resolv.conf and the
// simulated DNS on 127.0.0.1:53, returning its output and the server's log.
func inNamespace(t *testing.T, resolvConf string, command ...string) (string, []string) {
	t.Helper()
	needTool(t, "unshare")
	needTool(t, "ip")
	dir := t.TempDir()
	rc := filepath.Join(dir, "resolv.conf")
	logPath := filepath.Join(dir, "queries.log")
	if err := os.WriteFile(rc, []byte(resolvConf), 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(command))
	for i, c := range command {
		quoted[i] = "'" + strings.ReplaceAll(c, "'", `'\''`) + "'"
	}
	script := fmt.Sprintf(`set -e
ip link set lo up
mount --bind %[1]s /etc/resolv.conf
KUBESIM_DNS_HELPER=127.0.0.1:53 KUBESIM_DNS_LOG=%[2]s %[3]s -test.run='^$' &
pid=$!
i=0
while [ ! -e %[2]s.ready ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done
set +e
%[4]s
echo "exit=$?"
kill $pid
wait $pid 2>/dev/null || true
`, rc, logPath, self, strings.Join(quoted, " "))
	out, err := exec.Command("unshare", "-n", "-m", "sh", "-c", script).CombinedOutput()
	if err != nil {
		cannotRun(t, fmt.Sprintf("unshare -n -m failed (needs root or user namespaces): %v\n%s", err, out))
	}
	f, err := os.Open(logPath)
	if err != nil {
		t.Fatalf("no query log: %v\n%s", err, out)
	}
	defer f.Close()
	var log []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		log = append(log, sc.Text())
	}
	return string(out), log
}

// podConf is the resolv.conf kubelet writes for a pod in default, pointed at
// the helper.
func podConf(opts ...api.PodDNSConfigOption) (dns.ResolvConf, string) {
	pod := &api.Pod{}
	pod.Namespace, pod.Name = "default", "probe"
	if len(opts) > 0 {
		pod.Spec.DNSConfig = &api.PodDNSConfig{Options: opts}
	}
	rc, _ := dns.PodResolvConf(pod, dns.DefaultClusterDNSConfig())
	real := rc
	real.Nameservers = []string{"127.0.0.1"}
	return rc, real.String()
}

// candidates turns a list of "name TYPE RCODE" lines into the names asked, in
// order, each with its set of "TYPE RCODE": parallel A and AAAA queries may
// reach the server in either order.
func candidates(lines []string) []string {
	var names []string
	parts := map[string][]string{}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		n := strings.ToLower(f[0])
		if len(names) == 0 || names[len(names)-1] != n {
			names = append(names, n)
		}
		parts[n] = append(parts[n], f[1]+" "+f[2])
	}
	var out []string
	for _, n := range names {
		p := parts[n]
		slices.Sort(p)
		out = append(out, n+": "+strings.Join(p, ", "))
	}
	return out
}

func modelLines(p dns.Path) []string {
	var out []string
	for _, q := range p.Queries {
		out = append(out, q.Name+" "+q.Type.String()+" "+q.Rcode.String())
	}
	return out
}

// TestRealGetaddrinfo checks the glibc and musl models against the real
// libraries, query by query.
func TestRealGetaddrinfo(t *testing.T) {
	ndots1 := api.PodDNSConfigOption{Name: "ndots", Value: ptr("1")}
	s := testServer()
	for _, lib := range []struct {
		cc       string
		resolver dns.Resolver
	}{{"gcc", dns.Glibc}, {"musl-gcc", dns.Musl}} {
		t.Run(string(lib.resolver), func(t *testing.T) {
			bin := buildGetaddrinfo(t, lib.cc)
			for _, tc := range []struct {
				name string
				opts []api.PodDNSConfigOption
			}{
				{"kubernetes", nil},
				{"svc1.testns", nil},
				{"svc6.testns", nil},
				{"raw.githubusercontent.com", nil},
				{"raw.githubusercontent.com.", nil},
				{"nope", nil},
				{"testns", nil}, // NODATA under svc.cluster.local: glibc goes on, musl stops
				{"dangling", nil},
				{"numbers-api", nil},
				{"svc1.testns", []api.PodDNSConfigOption{ndots1}},
				{"raw.githubusercontent.com", []api.PodDNSConfigOption{ndots1}},
			} {
				t.Run(fmt.Sprintf("%s ndots=%d", tc.name, 5-4*len(tc.opts)), func(t *testing.T) {
					model, conf := podConf(tc.opts...)
					out, log := inNamespace(t, conf, bin, tc.name)
					st := dns.Stub{Server: s, Conf: model, Resolver: lib.resolver}
					p := st.Lookup(tc.name, epoch)
					if got, want := candidates(modelLines(p)), candidates(log); !slices.Equal(got, want) {
						t.Errorf("queries:\nmodel:\n%s\nreal:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
					var real []string
					for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
						if !strings.HasPrefix(l, "exit=") {
							real = append(real, l)
						}
					}
					var sim []string
					if p.Outcome == "NOERROR" {
						for _, a := range p.Addresses {
							sim = append(sim, a.String())
						}
					} else {
						e := p.Error
						if lib.resolver == dns.Musl && e == "EAI_NODATA" && oldMusl(t) {
							e = "EAI_NONAME" // musl before 1.2.4
						}
						sim = []string{"error " + e}
					}
					slices.Sort(real)
					slices.Sort(sim)
					if !slices.Equal(real, sim) {
						t.Errorf("result: model %q, real %q", sim, real)
					}
				})
			}
		})
	}
}

// TestRealBusyboxSearch runs busybox nslookup with a search list: six
// queries for a short name, in the order the model sends them.
func TestRealBusyboxSearch(t *testing.T) {
	bb := needTool(t, "busybox")
	s := testServer()
	for _, name := range []string{"numbers-api", "kubernetes", "nope", "svc1.testns"} {
		t.Run(name, func(t *testing.T) {
			model, conf := podConf()
			out, log := inNamespace(t, conf, bb, "nslookup", name)
			st := dns.Stub{Server: s, Conf: model}
			sim := st.Nslookup(name, epoch)
			// busybox sends all queries at once and the helper answers them
			// concurrently: compare the sets
			got, want := modelLines(sim.Path), slices.Clone(log)
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("queries:\nmodel:\n%s\nreal:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			body, exit, _ := strings.Cut(out, "exit=")
			if got, want := replyBlocks(sim.Output), replyBlocks(body); !slices.Equal(got, want) {
				t.Errorf("output:\nmodel:\n%s\nreal:\n%s", sim.Output, body)
			}
			if fmt.Sprint(sim.ExitCode) != strings.TrimSpace(exit) {
				t.Errorf("exit %d, real %s", sim.ExitCode, exit)
			}
		})
	}
}

// oldMusl reports whether the installed musl predates 1.2.4, which answers
// EAI_NONAME where newer ones answer EAI_NODATA.
func oldMusl(t *testing.T) bool {
	for _, p := range []string{"/usr/lib/x86_64-linux-musl/libc.so", "/lib/ld-musl-x86_64.so.1", "/usr/lib/musl/lib/libc.so"} {
		out, _ := exec.Command(p).CombinedOutput()
		if _, v, ok := strings.Cut(string(out), "Version "); ok {
			v = strings.Fields(v)[0]
			var a, b, c int
			fmt.Sscanf(v, "%d.%d.%d", &a, &b, &c)
			return a < 1 || (a == 1 && (b < 2 || (b == 2 && c < 4)))
		}
	}
	t.Log("musl version unknown; assuming 1.2.4 or later")
	return false
}
