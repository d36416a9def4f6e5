package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/dns"
	mdns "github.com/miekg/dns"
)

// startDNS builds the cluster serve-dns would from args and serves it on a
// free loopback port until the test ends; it returns the address.
func startDNS(t *testing.T, args ...string) string {
	t.Helper()
	var errb bytes.Buffer
	srv, _, code := setupServeDNS(args, &errb)
	if srv == nil {
		t.Fatalf("serve-dns %v: exit %d: %s", args, code, errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveDNS(ctx, srv, "127.0.0.1:0", func(a string) { addrc <- a })
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		cancel()
		t.Fatalf("serveDNS: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return addr
}

// exchange asks one question over net ("udp" or "tcp").
func exchange(t *testing.T, addr, network, name string, qtype uint16) *mdns.Msg {
	t.Helper()
	c := &mdns.Client{Net: network, Timeout: 2 * time.Second}
	m := new(mdns.Msg)
	m.SetQuestion(mdns.Fqdn(name), qtype)
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, mdns.TypeToString[qtype], err)
	}
	return r
}

// answers renders a reply's answer section without TTLs, one record a line,
// or its rcode when it is not NOERROR.
func answers(r *mdns.Msg) string {
	if r.Rcode != mdns.RcodeSuccess {
		return mdns.RcodeToString[r.Rcode]
	}
	var lines []string
	for _, rr := range r.Answer {
		h := rr.Header()
		lines = append(lines, h.Name+" "+mdns.TypeToString[h.Rrtype]+" "+strings.TrimSpace(strings.TrimPrefix(rr.String(), h.String())))
	}
	return strings.Join(lines, "\n")
}

// clusterIP asks the server for a service's address.
func clusterIP(t *testing.T, addr, name string) string {
	t.Helper()
	r := exchange(t, addr, "udp", name, mdns.TypeA)
	if len(r.Answer) != 1 {
		t.Fatalf("%s: %v", name, r)
	}
	return r.Answer[0].(*mdns.A).A.String()
}

// TestServeDNSMiekg queries the served cluster with the miekg/dns client
// over UDP and TCP.
func TestServeDNSMiekg(t *testing.T) {
	zone := writeManifest(t, "upstream.zone", "$ORIGIN example.org.\n$TTL 60\n@ IN A 192.0.2.10\nwww IN CNAME @\n")
	addr := startDNS(t, "-f", lab("numbers"), "-f", lab("numbers-services/api-service-externalName.yaml"), "-f", "testdata/manifests/headless.yaml", "--upstream-zone", zone, "--ttl", "10")
	web := clusterIP(t, addr, "numbers-web.default.svc.cluster.local")
	tests := []struct {
		name  string
		qtype uint16
		want  string
	}{
		{"numbers-web.default.svc.cluster.local", mdns.TypeA, "numbers-web.default.svc.cluster.local. A " + web},
		{"NUMBERS-WEB.default.svc.cluster.local", mdns.TypeA, "NUMBERS-WEB.default.svc.cluster.local. A " + web},
		{"numbers-web.default.svc.cluster.local", mdns.TypeAAAA, ""},
		{"missing.default.svc.cluster.local", mdns.TypeA, "NXDOMAIN"},
		{"numbers-api.default.svc.cluster.local", mdns.TypeCNAME, "numbers-api.default.svc.cluster.local. CNAME raw.githubusercontent.com."},
		{"10-1-0-99.default.pod.cluster.local", mdns.TypeA, "10-1-0-99.default.pod.cluster.local. A 10.1.0.99"},
		{"www.example.org", mdns.TypeA, "www.example.org. CNAME example.org.\nexample.org. A 192.0.2.10"},
		{"nowhere.example.org", mdns.TypeA, "NXDOMAIN"},
		{mustReverse(t, web), mdns.TypePTR, mustReverse(t, web) + " PTR numbers-web.default.svc.cluster.local."},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tt := range tests {
			t.Run(network+"/"+tt.name+"/"+mdns.TypeToString[tt.qtype], func(t *testing.T) {
				r := exchange(t, addr, network, tt.name, tt.qtype)
				if got := answers(r); got != tt.want {
					t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
				}
				if tt.want != "" && tt.want != "NXDOMAIN" && strings.HasSuffix(tt.name, "cluster.local") && r.Answer[0].Header().Ttl != 10 {
					t.Errorf("TTL %d, want 10 (--ttl)", r.Answer[0].Header().Ttl)
				}
			})
		}
	}
}

func mustReverse(t *testing.T, ip string) string {
	t.Helper()
	r, err := mdns.ReverseAddr(ip)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestServeDNSOptions checks that each kubernetes-plugin flag reaches the
// served DNS.
func TestServeDNSOptions(t *testing.T) {
	base := []string{"-f", "testdata/manifests/headless.yaml", "-f", "testdata/manifests/no-endpoints.yaml"}
	tests := []struct {
		name  string
		flags []string
		check func(t *testing.T, addr string)
	}{
		{"pods insecure answers any address", nil, func(t *testing.T, addr string) {
			if got := answers(exchange(t, addr, "udp", "10-1-0-99.default.pod.cluster.local", mdns.TypeA)); !strings.HasSuffix(got, "10.1.0.99") {
				t.Errorf("got %s", got)
			}
		}},
		{"pods verified answers only real pods", []string{"--pods", "verified"}, func(t *testing.T, addr string) {
			if got := answers(exchange(t, addr, "udp", "10-1-0-99.default.pod.cluster.local", mdns.TypeA)); got != "NXDOMAIN" {
				t.Errorf("no such pod: got %s", got)
			}
			db := exchange(t, addr, "udp", "db.default.svc.cluster.local", mdns.TypeA)
			ip := strings.ReplaceAll(db.Answer[0].(*mdns.A).A.String(), ".", "-")
			if got := answers(exchange(t, addr, "udp", ip+".default.pod.cluster.local", mdns.TypeA)); got == "NXDOMAIN" {
				t.Errorf("real pod %s: got NXDOMAIN", ip)
			}
		}},
		{"pods disabled", []string{"--pods", "disabled"}, func(t *testing.T, addr string) {
			if got := answers(exchange(t, addr, "udp", "10-1-0-99.default.pod.cluster.local", mdns.TypeA)); got != "NXDOMAIN" {
				t.Errorf("got %s", got)
			}
		}},
		{"empty service answers by default", nil, func(t *testing.T, addr string) {
			if got := answers(exchange(t, addr, "udp", "orphan.default.svc.cluster.local", mdns.TypeA)); !strings.HasSuffix(got, "10.96.100.100") {
				t.Errorf("got %s", got)
			}
		}},
		{"ignore empty service", []string{"--ignore-empty-service"}, func(t *testing.T, addr string) {
			if got := answers(exchange(t, addr, "udp", "orphan.default.svc.cluster.local", mdns.TypeA)); got != "NXDOMAIN" {
				t.Errorf("got %s", got)
			}
		}},
		{"endpoint names from addresses by default", nil, func(t *testing.T, addr string) {
			if got := podPTR(t, addr); !strings.HasPrefix(got, "10-1-0-") {
				t.Errorf("PTR %s, want the dashed address", got)
			}
		}},
		{"endpoint pod names", []string{"--endpoint-pod-names"}, func(t *testing.T, addr string) {
			if got := podPTR(t, addr); !strings.HasPrefix(got, "db-") {
				t.Errorf("PTR %s, want the pod's name", got)
			}
		}},
		// kubeadm's "fallthrough in-addr.arpa ip6.arpa": an address the
		// cluster does not own is asked of the outside world.
		{"reverse zones fall through", nil, func(t *testing.T, addr string) {
			r := exchange(t, addr, "udp", "8.8.8.8.in-addr.arpa", mdns.TypePTR)
			if r.Rcode != mdns.RcodeNameError || r.Authoritative {
				t.Errorf("want a forwarded NXDOMAIN (aa clear), got %v", r)
			}
		}},
		{"ttl 0", []string{"--ttl", "0"}, func(t *testing.T, addr string) {
			r := exchange(t, addr, "udp", "orphan.default.svc.cluster.local", mdns.TypeA)
			if len(r.Answer) != 1 || r.Answer[0].Header().Ttl != 0 {
				t.Errorf("got %v", r.Answer)
			}
		}},
		{"ttl default 30, as kubeadm's Corefile", nil, func(t *testing.T, addr string) {
			r := exchange(t, addr, "udp", "orphan.default.svc.cluster.local", mdns.TypeA)
			if len(r.Answer) != 1 || r.Answer[0].Header().Ttl != 30 {
				t.Errorf("got %v", r.Answer)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, startDNS(t, append(base, tt.flags...)...))
		})
	}
}

// podPTR returns the first label of the PTR name of a db pod's address.
func podPTR(t *testing.T, addr string) string {
	t.Helper()
	db := exchange(t, addr, "udp", "db.default.svc.cluster.local", mdns.TypeA)
	if len(db.Answer) == 0 {
		t.Fatalf("db: %v", db)
	}
	r := exchange(t, addr, "udp", mustReverse(t, db.Answer[0].(*mdns.A).A.String()), mdns.TypePTR)
	if len(r.Answer) != 1 {
		t.Fatalf("PTR: %v", r)
	}
	return r.Answer[0].(*mdns.PTR).Ptr
}

// TestServeDNSDig queries the server with BIND's dig, over UDP and TCP.
func TestServeDNSDig(t *testing.T) {
	dig := needTool(t, "dig", "bind9-dnsutils")
	addr := startDNS(t, "-f", lab("numbers"))
	host, port := splitAddr(t, addr)
	api := clusterIP(t, addr, "numbers-api.default.svc.cluster.local")
	tests := []struct {
		args []string
		want []string // substrings of dig's output
	}{
		{[]string{"+short", "numbers-api.default.svc.cluster.local"}, []string{api + "\n"}},
		{[]string{"+short", "+tcp", "numbers-api.default.svc.cluster.local"}, []string{api + "\n"}},
		{[]string{"numbers-api.default.svc.cluster.local"}, []string{"status: NOERROR", "flags: qr aa rd;", "numbers-api.default.svc.cluster.local. 30 IN A\t" + api}},
		{[]string{"nope.default.svc.cluster.local"}, []string{"status: NXDOMAIN", "cluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local."}},
		{[]string{"+short", "-x", api}, []string{"numbers-api.default.svc.cluster.local.\n"}},
		{[]string{"+short", "raw.githubusercontent.com"}, []string{"185.199.108.133\n"}},
		{[]string{"+short", "kubernetes.default.svc.cluster.local", "SRV"}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"@" + host, "-p", port, "+time=2", "+tries=1"}, tt.args...)
			out, err := exec.Command(dig, args...).CombinedOutput()
			if err != nil {
				t.Fatalf("dig %v: %v\n%s", args, err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("dig %v: output lacks %q:\n%s", args, w, out)
				}
			}
		})
	}
}

// TestServeDNSBusybox queries the server with busybox's nslookup, which
// asks for A and AAAA at once and prints both.
func TestServeDNSBusybox(t *testing.T) {
	busybox := needTool(t, "busybox", "busybox")
	if out, _ := exec.Command(busybox, "nslookup").CombinedOutput(); !strings.Contains(string(out), "nslookup") {
		cannotRun(t, "this busybox has no nslookup applet")
	}
	addr := startDNS(t, "-f", lab("numbers"))
	web := clusterIP(t, addr, "numbers-web.default.svc.cluster.local")
	tests := []struct {
		name string
		code int
		want []string
	}{
		{"numbers-web.default.svc.cluster.local", 0, []string{"Server:\t\t" + addr, "Name:\tnumbers-web.default.svc.cluster.local\nAddress: " + web + "\n"}},
		{"raw.githubusercontent.com", 0, []string{"Address: 185.199.108.133", "Address: 2606:50c0:8000::154"}},
		{"missing.default.svc.cluster.local", 1, []string{"** server can't find missing.default.svc.cluster.local: NXDOMAIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, busybox, "nslookup", tt.name, addr)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d:\n%s", code, tt.code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func splitAddr(t *testing.T, addr string) (host, port string) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		t.Fatalf("address %q has no port", addr)
	}
	return addr[:i], addr[i+1:]
}

// TestServeDNSErrors checks the flags' errors: exit 1 before anything is
// served.
func TestServeDNSErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"bad pods", []string{"--pods", "all"}, `invalid --pods "all"`},
		{"ttl too high", []string{"--ttl", "3601"}, "invalid --ttl 3601"},
		{"ttl negative", []string{"--ttl", "-1"}, "invalid --ttl -1"},
		{"bad listen", []string{"--listen", "nowhere"}, "missing port in address"},
		{"positional", []string{"extra"}, "serve-dns takes no arguments"},
		{"missing zone file", []string{"--upstream-zone", "testdata/none.zone"}, "--upstream-zone"},
		{"bad zone file", []string{"--upstream-zone", "testdata/manifests/headless.yaml"}, "--upstream-zone testdata/manifests/headless.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			var code int
			if tt.name == "bad listen" {
				// Only serving finds a bad address.
				code = run(append([]string{"serve-dns"}, tt.args...), strings.NewReader(""), &out, &errb)
			} else {
				// Setup alone, so that a regression cannot start a
				// server that blocks the test.
				var srv *dns.Server
				srv, _, code = setupServeDNS(tt.args, &errb)
				if srv != nil {
					t.Fatalf("setup accepted %v", tt.args)
				}
			}
			if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out.String(), errb.String(), tt.stderr)
			}
		})
	}
}
