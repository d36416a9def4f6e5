package wire

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// testServer is a small cluster: the lab's services plus a few record forms.
func testServer() *dns.Server {
	cfg := dns.KubeadmConfig()
	cfg.Clock = func() time.Time { return epoch }
	s := dns.NewServer(cfg)
	s.SetUpstream(dns.DefaultUpstream())
	for _, n := range []string{"default", "kube-system", "testns"} {
		o := &api.Namespace{}
		o.Name = n
		s.UpsertNamespace(o)
	}
	svc := func(ns, name string, ips []string, ports ...api.ServicePort) {
		o := &api.Service{}
		o.Namespace, o.Name = ns, name
		o.Spec.ClusterIP, o.Spec.ClusterIPs, o.Spec.Ports = ips[0], ips, ports
		s.UpsertService(o)
	}
	svc("default", "kubernetes", []string{"10.96.0.1"}, api.ServicePort{Name: "https", Protocol: "TCP", Port: 443})
	svc("kube-system", "kube-dns", []string{"10.96.0.10"}, api.ServicePort{Name: "dns", Protocol: "UDP", Port: 53},
		api.ServicePort{Name: "dns-tcp", Protocol: "TCP", Port: 53}, api.ServicePort{Name: "metrics", Protocol: "TCP", Port: 9153})
	svc("testns", "svc1", []string{"10.0.0.1"}, api.ServicePort{Name: "http", Protocol: "TCP", Port: 80})
	svc("testns", "svc6", []string{"1234:abcd::1"}, api.ServicePort{Name: "http", Protocol: "TCP", Port: 80})
	svc("testns", "big", []string{"None"}, api.ServicePort{Name: "http", Protocol: "TCP", Port: 80})
	es := &api.EndpointSlice{}
	es.Namespace, es.Name = "testns", "big-1"
	es.Labels = map[string]string{api.LabelServiceName: "big"}
	es.AddressType = api.AddressTypeIPv4
	es.Ports = []api.EndpointSlicePort{{Name: ptr("http"), Protocol: ptr(api.ProtocolTCP), Port: ptr(int32(80))}}
	for i := 0; i < 60; i++ {
		es.Endpoints = append(es.Endpoints, api.Endpoint{Addresses: []netip.Addr{netip.AddrFrom4([4]byte{10, 3, 0, byte(i + 1)})}})
	}
	s.UpsertEndpointSlice(es)
	ext := func(name, target string) {
		o := &api.Service{}
		o.Namespace, o.Name = "default", name
		o.Spec.Type, o.Spec.ExternalName = api.ServiceTypeExternalName, target
		s.UpsertService(o)
	}
	ext("numbers-api", "raw.githubusercontent.com")
	ext("dangling", "nowhere.example")
	s.MarkSynced()
	return s
}

func startTest(t *testing.T) (*dns.Server, *Server) {
	t.Helper()
	s := testServer()
	w, err := Start(s, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, w
}

var cases = []struct {
	name  string
	qtype uint16
}{
	{"svc1.testns.svc.cluster.local.", mdns.TypeA},
	{"SVC1.TestNS.svc.cluster.local.", mdns.TypeA},
	{"svc1.testns.svc.cluster.local.", mdns.TypeAAAA},
	{"svc6.testns.svc.cluster.local.", mdns.TypeAAAA},
	{"_http._tcp.svc1.testns.svc.cluster.local.", mdns.TypeSRV},
	{"kube-dns.kube-system.svc.cluster.local.", mdns.TypeSRV},
	{"numbers-api.default.svc.cluster.local.", mdns.TypeA},
	{"numbers-api.default.svc.cluster.local.", mdns.TypeAAAA},
	{"dangling.default.svc.cluster.local.", mdns.TypeA},
	{"nope.default.svc.cluster.local.", mdns.TypeA},
	{"nope.svc.cluster.local.", mdns.TypeA},
	{"1.0.0.10.in-addr.arpa.", mdns.TypePTR},
	{"8.8.8.8.in-addr.arpa.", mdns.TypePTR},
	{"dns-version.cluster.local.", mdns.TypeTXT},
	{"cluster.local.", mdns.TypeSOA},
	{"cluster.local.", mdns.TypeNS},
	{"raw.githubusercontent.com.", mdns.TypeA},
	{"nope.example.", mdns.TypeA},
	{"10-1-2-3.default.pod.cluster.local.", mdns.TypeA},
}

// TestWireMatchesMemory asks every question over UDP and TCP with a real
// client and checks the reply is the in-memory one.
func TestWireMatchesMemory(t *testing.T) {
	s, w := startTest(t)
	for _, proto := range []string{"udp", "tcp"} {
		c := &mdns.Client{Net: proto, Timeout: 2 * time.Second}
		for _, tc := range cases {
			m := new(mdns.Msg)
			m.SetQuestion(tc.name, tc.qtype)
			m.SetEdns0(1232, false)
			r, _, err := c.Exchange(m, w.Addr())
			if err != nil {
				t.Fatalf("%s %s: %v", proto, tc.name, err)
			}
			want := s.QueryFrom(netip.MustParseAddr("127.0.0.1"), tc.name, tc.qtype)
			if r.Rcode != want.Rcode || r.Authoritative != want.Authoritative || r.RecursionAvailable != want.RecursionAvailable || r.Truncated {
				t.Errorf("%s %s %s: header rcode=%d aa=%v ra=%v tc=%v, want %s", proto, tc.name, mdns.TypeToString[tc.qtype],
					r.Rcode, r.Authoritative, r.RecursionAvailable, r.Truncated, want.Text())
			}
			if r.Question[0].Name != tc.name {
				t.Errorf("question echoed as %q", r.Question[0].Name)
			}
			for _, sec := range []struct {
				got  []mdns.RR
				want []dns.RR
			}{{r.Answer, want.Answer}, {r.Ns, want.Authority}, {withoutOPT(r.Extra), want.Additional}} {
				var got []string
				for _, rr := range sec.got {
					x, ok := FromWire(rr)
					if !ok {
						t.Fatalf("unexpected %v", rr)
					}
					got = append(got, x.String())
				}
				var exp []string
				for _, rr := range sec.want {
					exp = append(exp, rr.String())
				}
				if !slices.Equal(got, exp) {
					t.Errorf("%s %s %s:\ngot  %q\nwant %q", proto, tc.name, mdns.TypeToString[tc.qtype], got, exp)
				}
			}
			// the size dig reports is the in-memory computation
			opt := 11
			if got, want := r.Len(), dns.WireLen(want, false)+opt; got != want && !r.Compress {
				t.Errorf("%s %s: wire length %d, WireLen %d", proto, tc.name, got, want)
			}
			r.Compress = true
			if got, want := r.Len(), dns.WireLen(want, true)+opt; got != want {
				t.Errorf("%s %s: compressed length %d, WireLen %d", proto, tc.name, got, want)
			}
		}
	}
}

func withoutOPT(rrs []mdns.RR) []mdns.RR {
	var out []mdns.RR
	for _, rr := range rrs {
		if rr.Header().Rrtype != mdns.TypeOPT {
			out = append(out, rr)
		}
	}
	return out
}

func TestWireProtocol(t *testing.T) {
	_, w := startTest(t)
	udp := &mdns.Client{Net: "udp", Timeout: 2 * time.Second}
	// the cookie comes back, as CoreDNS echoes the request's OPT
	m := new(mdns.Msg)
	m.SetQuestion("svc1.testns.svc.cluster.local.", mdns.TypeA)
	o := &mdns.OPT{Hdr: mdns.RR_Header{Name: ".", Rrtype: mdns.TypeOPT}}
	o.SetUDPSize(1232)
	o.Option = append(o.Option, &mdns.EDNS0_COOKIE{Code: mdns.EDNS0COOKIE, Cookie: "0102030405060708"}, &mdns.EDNS0_SUBNET{Code: mdns.EDNS0SUBNET, Family: 1, SourceNetmask: 24, Address: []byte{10, 0, 0, 0}})
	m.Extra = append(m.Extra, o)
	r, _, err := udp.Exchange(m, w.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ro := r.IsEdns0()
	if ro == nil || len(ro.Option) != 1 || ro.Option[0].(*mdns.EDNS0_COOKIE).Cookie != "0102030405060708" {
		t.Errorf("OPT not echoed as CoreDNS does: %v", ro)
	}
	// 60 endpoints do not fit 512 bytes: truncated over UDP, whole over TCP
	m = new(mdns.Msg)
	m.SetQuestion("big.testns.svc.cluster.local.", mdns.TypeA)
	r, _, err = udp.Exchange(m, w.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Truncated || len(r.Answer) >= 60 {
		t.Errorf("UDP without EDNS: tc=%v, %d answers", r.Truncated, len(r.Answer))
	}
	tcp := &mdns.Client{Net: "tcp", Timeout: 2 * time.Second}
	r, _, err = tcp.Exchange(m, w.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if r.Truncated || len(r.Answer) != 60 {
		t.Errorf("TCP: tc=%v, %d answers", r.Truncated, len(r.Answer))
	}
	// errors a front end gives
	m = new(mdns.Msg)
	m.SetQuestion("svc1.testns.svc.cluster.local.", mdns.TypeA)
	m.Question = append(m.Question, m.Question[0])
	if r, _, err = udp.Exchange(m, w.Addr()); err != nil || r.Rcode != mdns.RcodeFormatError {
		t.Errorf("two questions: %v %v", r, err)
	}
	m = new(mdns.Msg)
	m.SetQuestion("svc1.testns.svc.cluster.local.", mdns.TypeA)
	m.Question[0].Qclass = mdns.ClassCHAOS
	if r, _, err = udp.Exchange(m, w.Addr()); err != nil || r.Rcode != mdns.RcodeRefused {
		t.Errorf("class CH: %v %v", r, err)
	}
	m = new(mdns.Msg)
	m.SetQuestion("svc1.testns.svc.cluster.local.", mdns.TypeA)
	m.Opcode = mdns.OpcodeStatus
	if r, _, err = udp.Exchange(m, w.Addr()); err != nil || r.Rcode != mdns.RcodeNotImplemented {
		t.Errorf("opcode STATUS: %v %v", r, err)
	}
	m = new(mdns.Msg)
	m.SetQuestion("cluster.local.", mdns.TypeAXFR)
	if r, _, err = tcp.Exchange(m, w.Addr()); err != nil || r.Rcode != mdns.RcodeRefused {
		t.Errorf("AXFR: %v %v", r, err)
	}
}

// TestWireConcurrent queries from many goroutines while the cluster
// changes: run with -race.
func TestWireConcurrent(t *testing.T) {
	s, w := startTest(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			o := &api.Service{}
			o.Namespace, o.Name = "testns", fmt.Sprintf("churn%d", i%5)
			o.Spec.ClusterIP = fmt.Sprintf("10.0.5.%d", i%200+1)
			o.Spec.Ports = []api.ServicePort{{Name: "http", Protocol: "TCP", Port: 80}}
			s.UpsertService(o)
			if i%3 == 0 {
				s.DeleteService("testns", o.Name)
			}
			s.Upstream().Fail("raw.githubusercontent.com")
			s.Upstream().Heal("raw.githubusercontent.com")
		}
	}()
	var qwg sync.WaitGroup
	for g := 0; g < 8; g++ {
		qwg.Add(1)
		go func() {
			defer qwg.Done()
			c := &mdns.Client{Net: "udp", Timeout: 2 * time.Second}
			for i := 0; i < 50; i++ {
				tc := cases[(g+i)%len(cases)]
				m := new(mdns.Msg)
				m.SetQuestion(tc.name, tc.qtype)
				if _, _, err := c.Exchange(m, w.Addr()); err != nil {
					t.Error(err)
					return
				}
				s.Query(fmt.Sprintf("churn%d.testns.svc.cluster.local.", i%5), dns.TypeA)
			}
		}()
	}
	qwg.Wait()
	close(stop)
	wg.Wait()
}

func TestWireShutdown(t *testing.T) {
	w, err := Start(testServer(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := w.Addr()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := w.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal("second close:", err)
	}
	c := &mdns.Client{Net: "tcp", Timeout: 300 * time.Millisecond}
	m := new(mdns.Msg)
	m.SetQuestion("svc1.testns.svc.cluster.local.", mdns.TypeA)
	if _, _, err := c.Exchange(m, addr); err == nil {
		t.Error("still answering after shutdown")
	}
	if _, err := Start(nil, "127.0.0.1:0"); err == nil {
		t.Error("nil server accepted")
	}
	if _, err := Start(testServer(), "no-port"); err == nil {
		t.Error("bad address accepted")
	}
}

// needTool finds an external program; a test that cannot run skips, except
// under CI=true, where it fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		cannotRun(t, fmt.Sprintf("%s not installed (apt-get install -y bind9-dnsutils busybox musl-tools iproute2)", name))
	}
	return p
}

func cannotRun(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot run under CI=true: %s", why)
	}
	t.Skip(why)
}

// normalizeDig drops what differs between runs and between the simulated
// pod and a dig pointed at the test server: the id, the timings, the server
// line and the banner's arguments.
func normalizeDig(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "; <<>> DiG"), strings.HasPrefix(l, "; (1 server found)"),
			strings.HasPrefix(l, ";; Query time:"), strings.HasPrefix(l, ";; SERVER:"), strings.HasPrefix(l, ";; WHEN:"):
			continue
		case strings.HasPrefix(l, ";; ->>HEADER<<-"):
			l = l[:strings.LastIndex(l, "id: ")] + "id: X"
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestDigMatchesPrinter runs the real dig against the wire server and checks
// that the simulated dig printer prints the same thing.
func TestDigMatchesPrinter(t *testing.T) {
	dig := needTool(t, "dig")
	s, w := startTest(t)
	host, port, _ := strings.Cut(w.Addr(), ":")
	pod := &api.Pod{}
	pod.Namespace, pod.Name = "default", "sleep-1"
	st := dns.NewStub(s, pod, dns.DefaultClusterDNSConfig())
	for _, tc := range cases {
		args := []string{"@" + host, "-p", port, "+nocookie", tc.name, mdns.TypeToString[tc.qtype]}
		out, err := exec.Command(dig, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dig %v: %v\n%s", args, err, out)
		}
		sim, _ := st.Dig(tc.name, tc.qtype, epoch, dns.DigOptions{})
		if got, want := normalizeDig(sim), normalizeDig(string(out)); got != want {
			t.Errorf("dig %s %s:\nsimulated:\n%s\nreal:\n%s", tc.name, mdns.TypeToString[tc.qtype], got, want)
		}
		short, err := exec.Command(dig, "@"+host, "-p", port, "+short", tc.name, mdns.TypeToString[tc.qtype]).CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		simShort, _ := st.Dig(tc.name, tc.qtype, epoch, dns.DigOptions{Short: true})
		if simShort != string(short) {
			t.Errorf("dig +short %s:\nsimulated %q\nreal      %q", tc.name, simShort, short)
		}
	}
}

// replyBlocks splits nslookup output into its reply blocks, sorted (real
// replies arrive in whatever order the sockets deliver them).
func replyBlocks(out string) []string {
	_, body, _ := strings.Cut(out, "\n\n")
	var blocks []string
	var cur []string
	for _, l := range strings.Split(body, "\n") {
		if l == "" {
			blocks = append(blocks, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	slices.Sort(blocks)
	return blocks
}

// TestBusyboxMatchesPrinter runs busybox nslookup against the wire server
// for names with a dot (no search list: the server is given on the command
// line) and checks the simulated printer prints the same replies.
func TestBusyboxMatchesPrinter(t *testing.T) {
	bb := needTool(t, "busybox")
	s, w := startTest(t)
	host, port, _ := strings.Cut(w.Addr(), ":")
	pod := &api.Pod{}
	pod.Namespace, pod.Name = "default", "sleep-1"
	st := dns.NewStub(s, pod, dns.DefaultClusterDNSConfig())
	for _, name := range []string{"svc1.testns.svc.cluster.local", "svc6.testns.svc.cluster.local", "numbers-api.default.svc.cluster.local",
		"nope.default.svc.cluster.local", "raw.githubusercontent.com", "dangling.default.svc.cluster.local", "10.0.0.1"} {
		cmd := exec.Command(bb, "nslookup", "-port="+port, name, host)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		sim := st.Nslookup(name, epoch)
		if !strings.HasPrefix(string(out), "Server:\t\t"+host+"\nAddress:\t"+host+":"+port+"\n\n") {
			t.Errorf("header: %q", out)
		}
		if got, want := replyBlocks(sim.Output), replyBlocks(string(out)); !slices.Equal(got, want) {
			t.Errorf("nslookup %s:\nsimulated:\n%s\nreal:\n%s", name, sim.Output, out)
		}
		if sim.ExitCode != code {
			t.Errorf("nslookup %s: exit %d, real %d", name, sim.ExitCode, code)
		}
	}
}
