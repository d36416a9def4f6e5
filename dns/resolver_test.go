package dns

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
)

// pathSummary renders a path compactly: one "name TYPE rcode" per query,
// then the outcome, error and addresses.
func pathSummary(p Path) string {
	var b strings.Builder
	for _, q := range p.Queries {
		rc := q.Rcode.String()
		if q.Rcode == RcodeSuccess && len(q.Answers) == 0 {
			rc = "NODATA"
		}
		if q.Rcode == NoReply {
			rc = "-"
		}
		b.WriteString(q.Name + " " + q.Type.String() + " " + rc)
		if q.Via != "" {
			b.WriteString(" (" + q.Via + ")")
		}
		b.WriteString("\n")
	}
	b.WriteString("=> " + p.Outcome)
	if p.Error != "" {
		b.WriteString(" " + p.Error)
	}
	for _, a := range p.Addresses {
		b.WriteString(" " + a.String())
	}
	return b.String()
}

func testStub(s *Server, r Resolver, mod func(*api.Pod)) Stub {
	p := podObj("testns", "client", "10.1.1.20", api.PodRunning)
	if mod != nil {
		mod(p)
	}
	st := NewStub(s, p, DefaultClusterDNSConfig())
	st.Resolver = r
	return st
}

func withOptions(opts ...api.PodDNSConfigOption) func(*api.Pod) {
	return func(p *api.Pod) {
		p.Spec.DNSConfig = &api.PodDNSConfig{Options: opts}
	}
}

func TestResolverPaths(t *testing.T) {
	s := newTestServer(t, nil)
	ndots1 := withOptions(api.PodDNSConfigOption{Name: "ndots", Value: ptr("1")})
	tests := []struct {
		name     string
		resolver Resolver
		family   Family
		mod      func(*api.Pod)
		lookup   string
		want     string
	}{
		{"short service name", Glibc, "", nil, "svc1", `
svc1.testns.svc.cluster.local A NOERROR
svc1.testns.svc.cluster.local AAAA NODATA
=> NOERROR 10.0.0.1`},
		{"service in another namespace", Glibc, "", nil, "svc1.other", `
svc1.other.testns.svc.cluster.local A NXDOMAIN
svc1.other.testns.svc.cluster.local AAAA NXDOMAIN
svc1.other.svc.cluster.local A NOERROR
svc1.other.svc.cluster.local AAAA NODATA
=> NOERROR 10.0.1.1`},
		{"external name under ndots:5", Glibc, "", nil, "raw.githubusercontent.com", `
raw.githubusercontent.com.testns.svc.cluster.local A NXDOMAIN
raw.githubusercontent.com.testns.svc.cluster.local AAAA NXDOMAIN
raw.githubusercontent.com.svc.cluster.local A NXDOMAIN
raw.githubusercontent.com.svc.cluster.local AAAA NXDOMAIN
raw.githubusercontent.com.cluster.local A NXDOMAIN
raw.githubusercontent.com.cluster.local AAAA NXDOMAIN
raw.githubusercontent.com A NOERROR (upstream)
raw.githubusercontent.com AAAA NOERROR (upstream)
=> NOERROR 185.199.108.133 185.199.109.133 185.199.110.133 185.199.111.133 2606:50c0:8000::154 2606:50c0:8001::154 2606:50c0:8002::154 2606:50c0:8003::154`},
		{"trailing dot", Glibc, Inet, nil, "raw.githubusercontent.com.", `
raw.githubusercontent.com A NOERROR (upstream)
=> NOERROR 185.199.108.133 185.199.109.133 185.199.110.133 185.199.111.133`},
		{"trailing dot, not found: no search", Glibc, Inet, nil, "svc1.", `
svc1 A NXDOMAIN (upstream)
=> NXDOMAIN EAI_NONAME`},
		{"ndots:1 asks as-is first", Glibc, Inet, ndots1, "raw.githubusercontent.com", `
raw.githubusercontent.com A NOERROR (upstream)
=> NOERROR 185.199.108.133 185.199.109.133 185.199.110.133 185.199.111.133`},
		{"glibc falls back to the search list after as-is", Glibc, Inet, ndots1, "svc1.testns", `
svc1.testns A NXDOMAIN (upstream)
svc1.testns.testns.svc.cluster.local A NXDOMAIN
svc1.testns.svc.cluster.local A NOERROR
=> NOERROR 10.0.0.1`},
		{"musl does not search once dots >= ndots", Musl, Inet, ndots1, "svc1.testns", `
svc1.testns A NXDOMAIN (upstream)
=> NXDOMAIN EAI_NONAME`},
		{"not found anywhere", Glibc, "", nil, "nope", `
nope.testns.svc.cluster.local A NXDOMAIN
nope.testns.svc.cluster.local AAAA NXDOMAIN
nope.svc.cluster.local A NXDOMAIN
nope.svc.cluster.local AAAA NXDOMAIN
nope.cluster.local A NXDOMAIN
nope.cluster.local AAAA NXDOMAIN
nope A NXDOMAIN (upstream)
nope AAAA NXDOMAIN (upstream)
=> NXDOMAIN EAI_NONAME`},
		{"glibc: NODATA continues the search", Glibc, Inet, nil, "svc6", `
svc6.testns.svc.cluster.local A NODATA
svc6.svc.cluster.local A NXDOMAIN
svc6.cluster.local A NXDOMAIN
svc6 A NXDOMAIN (upstream)
=> NODATA EAI_NODATA`},
		{"musl: NODATA stops the search", Musl, Inet, nil, "svc6", `
svc6.testns.svc.cluster.local A NODATA
=> NODATA EAI_NODATA`},
		{"musl finds a dual-stack name", Musl, "", nil, "dual", `
dual.testns.svc.cluster.local A NOERROR
dual.testns.svc.cluster.local AAAA NOERROR
=> NOERROR 10.0.0.3 fd00::3`},
		{"a CNAME to nowhere ends the search", Glibc, "", nil, "dangling", `
dangling.testns.svc.cluster.local A NOERROR
dangling.testns.svc.cluster.local AAAA NOERROR
=> NODATA EAI_NONAME`},
		{"an address needs no query", Glibc, "", nil, "10.0.0.1", `
=> NOERROR 10.0.0.1`},
		{"busybox: every search domain, A then AAAA", Busybox, "", nil, "svc1", `
svc1.testns.svc.cluster.local A NOERROR
svc1.svc.cluster.local A NXDOMAIN
svc1.cluster.local A NXDOMAIN
svc1.testns.svc.cluster.local AAAA NODATA
svc1.svc.cluster.local AAAA NXDOMAIN
svc1.cluster.local AAAA NXDOMAIN
=> NOERROR 10.0.0.1`},
		{"busybox: a dotted name is asked as-is only", Busybox, "", nil, "svc1.testns", `
svc1.testns A NXDOMAIN (upstream)
svc1.testns AAAA NXDOMAIN (upstream)
=> NXDOMAIN`},
		{"busybox: an address asks for its PTR", Busybox, "", nil, "10.0.0.1", `
1.0.0.10.in-addr.arpa PTR NOERROR
=> NODATA`},
		{"musl skips a search line of 255 characters or more", Musl, Inet, func(p *api.Pod) {
			p.Spec.DNSConfig = &api.PodDNSConfig{Searches: []string{strings.Repeat("a", 60) + ".example", strings.Repeat("b", 60) + ".example", strings.Repeat("c", 60) + ".example"}}
		}, "svc1", `
svc1 A NXDOMAIN (upstream)
=> NXDOMAIN EAI_NONAME`},
		{"glibc reads the same long line", Glibc, Inet, func(p *api.Pod) {
			p.Spec.DNSConfig = &api.PodDNSConfig{Searches: []string{strings.Repeat("a", 60) + ".example", strings.Repeat("b", 60) + ".example", strings.Repeat("c", 60) + ".example"}}
		}, "svc1", `
svc1.testns.svc.cluster.local A NOERROR
=> NOERROR 10.0.0.1`},
		{"Default policy asks the node's resolver", Glibc, Inet, func(p *api.Pod) { p.Spec.DNSPolicy = api.DNSDefault }, "svc1.testns.svc.cluster.local", `
svc1.testns.svc.cluster.local A NXDOMAIN (upstream)
=> NXDOMAIN EAI_NONAME`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testStub(s, tt.resolver, tt.mod)
			st.Family = tt.family
			p := st.Lookup(tt.lookup, epoch)
			if got, want := pathSummary(p), strings.TrimPrefix(tt.want, "\n"); got != want {
				t.Errorf("path:\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestResolverServfail: before the cluster DNS syncs, would-be NXDOMAIN is
// SERVFAIL; glibc walks past it, musl stops.
func TestResolverServfail(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Clock = fixedClock
	s := NewServer(cfg)
	s.SetUpstream(testUpstream(t))
	loadCluster(s)
	g := testStub(s, Glibc, nil)
	g.Family = Inet
	if got, want := pathSummary(g.Lookup("raw.githubusercontent.com", epoch)), `raw.githubusercontent.com.testns.svc.cluster.local A SERVFAIL
raw.githubusercontent.com.svc.cluster.local A SERVFAIL
raw.githubusercontent.com.cluster.local A SERVFAIL
raw.githubusercontent.com A NOERROR (upstream)
=> NOERROR 185.199.108.133 185.199.109.133 185.199.110.133 185.199.111.133`; got != want {
		t.Errorf("glibc:\n%s", got)
	}
	if got, want := pathSummary(g.Lookup("nope", epoch)), `nope.testns.svc.cluster.local A SERVFAIL
nope.svc.cluster.local A SERVFAIL
nope.cluster.local A SERVFAIL
nope A NXDOMAIN (upstream)
=> SERVFAIL EAI_AGAIN`; got != want {
		t.Errorf("glibc nope:\n%s", got)
	}
	m := testStub(s, Musl, nil)
	m.Family = Inet
	if got, want := pathSummary(m.Lookup("raw.githubusercontent.com", epoch)), `raw.githubusercontent.com.testns.svc.cluster.local A SERVFAIL
=> SERVFAIL EAI_AGAIN`; got != want {
		t.Errorf("musl:\n%s", got)
	}
}

func TestResolverTimeout(t *testing.T) {
	s := newTestServer(t, nil)
	p := podObj("testns", "client", "10.1.1.20", api.PodRunning)
	p.Spec.DNSPolicy = api.DNSDefault
	cfg := DefaultClusterDNSConfig()
	cfg.HostResolvConf = nil // kubelet --resolv-conf="": 127.0.0.1, nothing listens
	st := NewStub(s, p, cfg)
	path := st.Lookup("svc1", epoch)
	if got := pathSummary(path); got != "svc1 A -\nsvc1 AAAA -\n=> TIMEOUT EAI_AGAIN" {
		t.Errorf("glibc:\n%s", got)
	}
	if path.Elapsed != 5*time.Second {
		t.Errorf("elapsed %v", path.Elapsed)
	}
	n := st.Nslookup("svc1", epoch)
	if n.Output != ";; connection timed out; no servers could be reached\n\n" || n.ExitCode != 1 {
		t.Errorf("busybox: %q %d", n.Output, n.ExitCode)
	}
}

func TestResolverAutoPath(t *testing.T) {
	s := newTestServer(t, func(c *Config) {
		c.Pods = PodsVerified
		c.AutoPath = true
	})
	st := testStub(s, Glibc, nil)
	got := pathSummary(st.Lookup("raw.githubusercontent.com", epoch))
	want := `raw.githubusercontent.com.testns.svc.cluster.local A NOERROR (autopath)
raw.githubusercontent.com.testns.svc.cluster.local AAAA NOERROR (autopath)
=> NOERROR 185.199.108.133 185.199.109.133 185.199.110.133 185.199.111.133 2606:50c0:8000::154 2606:50c0:8001::154 2606:50c0:8002::154 2606:50c0:8003::154`
	if got != want {
		t.Errorf("autopath:\n%s", got)
	}
	// behind the node cache CoreDNS sees the node, not the pod: no autopath
	st.Cache = NewNodeCache(netip.MustParseAddr("192.168.65.3"))
	if n := st.Lookup("raw.githubusercontent.com", epoch).Count(); n != 8 {
		t.Errorf("behind the node cache: %d queries, want 8", n)
	}
}

func TestNodeCache(t *testing.T) {
	s := newTestServer(t, nil)
	st := testStub(s, Glibc, nil)
	st.Family = Inet
	st.Cache = NewNodeCache(netip.MustParseAddr("192.168.65.3"))
	first := st.Lookup("raw.githubusercontent.com", epoch)
	if got := pathSummary(first); !strings.Contains(got, "raw.githubusercontent.com A NOERROR (cache miss)") {
		t.Fatalf("first:\n%s", got)
	}
	if first.Queries[3].Authoritative {
		t.Errorf("a forwarded answer is not authoritative")
	}
	second := st.Lookup("raw.githubusercontent.com", epoch.Add(10*time.Second))
	want := `raw.githubusercontent.com.testns.svc.cluster.local A NXDOMAIN (cache miss)
raw.githubusercontent.com.svc.cluster.local A NXDOMAIN (cache miss)
raw.githubusercontent.com.cluster.local A NXDOMAIN (cache miss)
raw.githubusercontent.com A NOERROR (cache hit)
=> NOERROR 185.199.108.133 185.199.109.133 185.199.110.133 185.199.111.133`
	if got := pathSummary(second); got != want {
		t.Errorf("after 10s (cluster denials expired after 5s, success kept 30s):\n%s", got)
	}
	hit := second.Queries[3]
	if !hit.Authoritative || hit.Answers[0].TTL != 20 {
		t.Errorf("hit: aa=%v ttl=%d, want aa and 30-10=20", hit.Authoritative, hit.Answers[0].TTL)
	}
	third := st.Lookup("raw.githubusercontent.com", epoch.Add(12*time.Second))
	if third.Queries[0].Via != noteCacheHit {
		t.Errorf("denial within 5s should hit: %s", pathSummary(third))
	}
	fourth := st.Lookup("raw.githubusercontent.com", epoch.Add(41*time.Second))
	if fourth.Queries[3].Via != "cache miss" {
		t.Errorf("after 31s the success must expire: %s", pathSummary(fourth))
	}
	if third.Elapsed >= second.Elapsed {
		t.Errorf("hits should be faster: %v vs %v", third.Elapsed, second.Elapsed)
	}
	h, m := st.Cache.Stats()
	if h == 0 || m == 0 {
		t.Errorf("stats %d %d", h, m)
	}
	st.Cache.Flush()
	if st.Lookup("svc1", epoch.Add(42*time.Second)).Queries[0].Via != "cache miss" {
		t.Error("flush")
	}
}

func TestPathJSON(t *testing.T) {
	s := newTestServer(t, nil)
	st := testStub(s, Glibc, nil)
	st.Family = Inet
	p := st.Lookup("svc1", epoch)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	js := string(b)
	for _, want := range []string{
		`"queries":[{"name":"svc1.testns.svc.cluster.local","type":"A","rcode":"NOERROR","answers":["svc1.testns.svc.cluster.local.\t5\tIN\tA\t10.0.0.1"]`,
		`"outcome":"NOERROR"`, `"addresses":["10.0.0.1"]`,
		`"resolvConf":{"nameservers":["10.96.0.10"],"searches":["testns.svc.cluster.local","svc.cluster.local","cluster.local"],"options":["ndots:5"]}`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("JSON lacks %s\n%s", want, js)
		}
	}
	var back Path
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if pathSummary(back) != pathSummary(p) {
		t.Errorf("round trip:\n%s", pathSummary(back))
	}
}

func TestResolverForImage(t *testing.T) {
	for img, want := range map[string]Resolver{
		"alpine:3.15": Musl, "kiamol/ch03-sleep": Musl, "busybox:1.36-musl": Musl,
		"debian:12": Glibc, "nginx": Glibc, "busybox:1.36": Glibc,
	} {
		if got := ResolverForImage(img); got != want {
			t.Errorf("%s: %s, want %s", img, got, want)
		}
	}
}

func TestLookupEmptyNameSendsNothing(t *testing.T) {
	s := newTestServer(t, nil)
	for _, r := range []Resolver{Glibc, Musl} {
		p := testStub(s, r, nil).Lookup("", time.Time{})
		if len(p.Queries) != 0 || p.Error != "EAI_NONAME" || len(p.Addresses) != 0 {
			t.Errorf("%s: Lookup(\"\") = %d queries, error %q; want none sent and EAI_NONAME", r, len(p.Queries), p.Error)
		}
	}
}

func TestPathQueryJSONAnswersNeverNull(t *testing.T) {
	b, err := json.Marshal(PathQuery{Name: "x.", Type: QType(TypeA), Rcode: Rcode(RcodeNameError)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"answers":[]`) {
		t.Errorf("PathQuery JSON = %s, want \"answers\":[]", b)
	}
}
