package dns

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
)

// slowNameValid is an obviously correct check of a presentation-format name:
// decode it into labels, then apply RFC 1035's limits.
func slowNameValid(s string) bool {
	if s == "" {
		return false
	}
	if s == "." {
		return true
	}
	var labels [][]byte
	var cur []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return false
			}
			if s[i+1] >= '0' && s[i+1] <= '9' {
				if i+3 >= len(s) || s[i+2] < '0' || s[i+2] > '9' || s[i+3] < '0' || s[i+3] > '9' {
					return false
				}
				v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
				if v > 255 {
					return false
				}
				cur = append(cur, byte(v))
				i += 3
			} else {
				cur = append(cur, s[i+1])
				i++
			}
		case c == '.':
			if len(cur) == 0 {
				return false
			}
			labels = append(labels, cur)
			cur = nil
		default:
			cur = append(cur, c)
		}
	}
	if len(cur) > 0 {
		labels = append(labels, cur)
	}
	wire := 1
	for _, l := range labels {
		if len(l) > 63 {
			return false
		}
		wire += 1 + len(l)
	}
	return wire <= 255
}

var fuzzServer *Server

func fuzzTarget(t testing.TB) *Server {
	if fuzzServer == nil {
		fuzzServer = newTestServer(t, func(c *Config) {
			c.Pods = PodsVerified
			c.AutoPath = true
			c.Fallthrough = []string{"ip6.arpa."}
		})
	}
	return fuzzServer
}

// FuzzQuery checks the query path on any name: no panic, FORMERR exactly
// for names that cannot be encoded, otherwise the reference path's answer,
// the question echoed, and the same answer in any letter case.
func FuzzQuery(f *testing.F) {
	for _, seed := range []string{
		"svc1.testns.svc.cluster.local.", "SVC1.TESTNS.svc.cluster.local", "_http._tcp.hdls1.testns.svc.cluster.local.",
		"a..b.cluster.local.", "", ".", "..", strings.Repeat("a", 64) + ".cluster.local.", strings.Repeat("abcdefgh.", 30),
		`a\.b.svc.cluster.local.`, `a\065.testns.svc.cluster.local.`, `\`, `a\25`, "1.0.0.10.in-addr.arpa.",
		ReverseName(netip.MustParseAddr("1234:abcd::1")), "10-1-1-20.testns.pod.cluster.local.", "dns-version.cluster.local.",
		"external.testns.svc.cluster.local.", "x.y.z.w.v.u.svc.cluster.local.", "raw.githubusercontent.com",
		"ns.dns.cluster.local.", "cluster.local.", "svc1.other.testns.svc.cluster.local.",
	} {
		f.Add(seed, uint16(TypeA), true)
		f.Add(seed, uint16(TypeSRV), false)
	}
	f.Fuzz(func(t *testing.T, name string, qtype uint16, fromPod bool) {
		s := fuzzTarget(t)
		var client netip.Addr
		if fromPod {
			client = netip.MustParseAddr("10.1.1.20")
		}
		r := s.QueryFrom(client, name, qtype)
		valid := slowNameValid(name)
		if !valid {
			if r.Rcode != RcodeFormatError {
				t.Fatalf("%q: invalid name answered %s", name, RcodeString(r.Rcode))
			}
			return
		}
		if r.Rcode == RcodeFormatError {
			t.Fatalf("%q: valid name answered FORMERR", name)
		}
		if want := fqdn(name); r.Question.Name != want || r.Question.Type != qtype {
			t.Fatalf("%q: question echoed as %v", name, r.Question)
		}
		if !fromPod {
			if ref := s.reference(name, qtype); !sameReply(r, ref) {
				t.Fatalf("%q %s: fast and reference differ:\n%s\n%s", name, TypeString(qtype), r.Text(), ref.Text())
			}
		}
		switch r.Rcode {
		case RcodeSuccess, RcodeNameError, RcodeRefused:
		case RcodeServerFailure:
			if !fromPod { // autopath answers SERVFAIL for the search domain itself
				if ref := s.reference(name, qtype); ref.Rcode != RcodeServerFailure {
					t.Fatalf("%q: SERVFAIL from a synced server", name)
				}
			}
		default:
			t.Fatalf("%q: rcode %d", name, r.Rcode)
		}
		for _, rr := range append(append(append([]RR{}, r.Answer...), r.Authority...), r.Additional...) {
			if !slowNameValid(rr.Name) {
				t.Fatalf("%q: record with a bad owner %q", name, rr.Name)
			}
		}
		// ns.dns.<zone> matches only when the zone is asked in lower case: a
		// CoreDNS quirk (isDefaultNS compares the folded name with the zone
		// as spelled) the simulator keeps
		if !strings.Contains(name, `\`) && !strings.HasPrefix(lowerASCII(name), "ns.dns.") {
			up := s.QueryFrom(client, upperASCII(name), qtype)
			if up.Rcode != r.Rcode || len(up.Answer) != len(r.Answer) || len(up.Authority) != len(r.Authority) {
				t.Fatalf("%q: case changes the answer:\n%s\n%s", name, r.Text(), up.Text())
			}
			for i := range up.Answer {
				a, b := up.Answer[i], r.Answer[i]
				a.Name, b.Name, a.Target, b.Target, a.Mbox, b.Mbox = "", "", lowerASCII(a.Target), lowerASCII(b.Target), "", ""
				if a != b {
					t.Fatalf("%q: case changes record %d:\n%s\n%s", name, i, up.Answer[i], r.Answer[i])
				}
			}
		}
	})
}

// FuzzParseZone checks the zone-file parser: no panic, and every record it
// accepts renders to text that parses back to the same record.
func FuzzParseZone(f *testing.F) {
	for _, seed := range []string{
		"$ORIGIN example.com.\n$TTL 1h\n@ IN SOA ns hm (1 2 3 4 5)\nwww 60 IN A 192.0.2.1\n IN AAAA ::1\napi CNAME www\n",
		"a.example. 30 IN TXT \"x\\\"y\" \"z\"\n", "x. IN SRV 1 2 3 y.\n", "; comment only\n", "$INCLUDE x\n",
		"a IN A 1.2.3.4", "( a. IN A 1.2.3.4 )", "\"", "a. 1w2d IN MX 10 b.", "a\\.b.example. IN A 1.1.1.1",
	} {
		f.Add(seed, "example.org")
	}
	f.Fuzz(func(t *testing.T, text, origin string) {
		rrs, err := ParseZone(text, origin)
		if err != nil {
			return
		}
		for _, rr := range rrs {
			if !slowNameValid(rr.Name) || !strings.HasSuffix(rr.Name, ".") {
				t.Fatalf("accepted owner %q", rr.Name)
			}
			back, err := ParseRR(rr.String())
			if err != nil {
				t.Fatalf("%q does not parse back: %v", rr.String(), err)
			}
			if !sameRR(back, rr) {
				t.Fatalf("round trip:\n%q\n%q", rr.String(), back.String())
			}
		}
		u := NewUpstream()
		if err := u.Add(rrs...); err == nil {
			for _, rr := range rrs {
				u.Query(rr.Name, rr.Type)
				u.Query(rr.Name, TypeA)
			}
		}
	})
}

// FuzzResolvConf feeds arbitrary node resolv.conf text and dnsConfig
// entries through kubelet's rules and the three resolvers: no panic, the
// limits hold, a warning accompanies every trim, and no lookup sends more
// queries than its search list allows.
func FuzzResolvConf(f *testing.F) {
	f.Add("nameserver 10.0.0.1\nsearch a.example b.example\noptions ndots:2\n", "1.1.1.1 8.8.8.8 9.9.9.9 4.4.4.4", "x.example y.example", "ndots:1 timeout:2", "svc1", uint8(0))
	f.Add("search "+strings.Repeat("d.example ", 40), "", strings.Repeat("long-domain-name.example ", 100), "ndots:99", "raw.githubusercontent.com", uint8(1))
	f.Add("", "not-an-ip", ". .. a..b", ":5 ndots:", "a.b.c.d.e.f.", uint8(2))
	f.Add("# c\nnameserver\nsearch\n", "::1", "cluster.local", "no-tld-query", "nope", uint8(3))
	f.Fuzz(func(t *testing.T, host, nameservers, searches, options, name string, policy uint8) {
		s := fuzzTarget(t)
		hostConf := ParseResolvConf(host)
		cfg := DefaultClusterDNSConfig()
		cfg.HostResolvConf = &hostConf
		p := podObj("testns", "client", "10.1.1.20", api.PodRunning)
		p.Spec.DNSPolicy = []api.DNSPolicy{api.DNSClusterFirst, api.DNSDefault, api.DNSNone, api.DNSClusterFirstWithHostNet, ""}[int(policy)%5]
		p.Spec.HostNetwork = policy&8 != 0
		dc := &api.PodDNSConfig{Nameservers: strings.Fields(nameservers), Searches: strings.Fields(searches)}
		for _, o := range strings.Fields(options) {
			n, v, ok := strings.Cut(o, ":")
			opt := api.PodDNSConfigOption{Name: n}
			if ok {
				opt.Value = &v
			}
			dc.Options = append(dc.Options, opt)
		}
		p.Spec.DNSConfig = dc
		_ = ValidatePodDNS(&p.Spec)
		rc, warns := PodResolvConf(p, cfg)
		if len(rc.Nameservers) > MaxDNSNameservers || len(rc.Searches) > MaxDNSSearchPaths || len(strings.Join(rc.Searches, " ")) > MaxDNSSearchListChars {
			t.Fatalf("limits broken: %+v", rc)
		}
		for _, d := range rc.Searches {
			if len(d) > 253 {
				t.Fatalf("long domain kept: %q", d)
			}
		}
		merged := len(omitDuplicates(append(append([]string{}, hostConf.Nameservers...), dc.Nameservers...)))
		if merged > MaxDNSNameservers+1 && len(warns) == 0 && p.Spec.DNSPolicy != api.DNSClusterFirst && p.Spec.DNSPolicy != "" {
			t.Fatalf("nameservers trimmed without a warning: %+v", rc)
		}
		_ = rc.String()
		for _, r := range []Resolver{Glibc, Musl, Busybox} {
			st := Stub{Server: s, Conf: rc, Resolver: r, PodIP: p.Status.PodIP}
			path := st.Lookup(name, epoch)
			limit := 2 * (len(rc.Searches) + 2)
			if r == Busybox {
				limit = 2 * (len(rc.Searches) + 1) * 3 // SERVFAIL retries
			}
			if len(path.Queries) > limit {
				t.Fatalf("%s sent %d queries for %q with %d search domains", r, len(path.Queries), name, len(rc.Searches))
			}
			if path.Outcome == "" {
				t.Fatalf("%s: no outcome for %q", r, name)
			}
		}
	})
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// FuzzName checks name parsing on its own: the fast canonical check, the
// full scan and the slow decoder agree, lower-casing keeps validity, and
// reverse names round-trip.
func FuzzName(f *testing.F) {
	for _, seed := range []string{"svc1.testns.svc.cluster.local.", "A.b", "", ".", "a..b", `a\.b.`, `\065.`, `a\`, strings.Repeat("x", 63) + ".",
		"1.0.0.10.in-addr.arpa.", ReverseName(netip.MustParseAddr("2001:db8::1")), "256.0.0.10.in-addr.arpa.", "01.0.0.10.in-addr.arpa."} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ni := scanName(name)
		if ni.valid != slowNameValid(name) {
			t.Fatalf("%q: scanName valid=%v, slow=%v", name, ni.valid, slowNameValid(name))
		}
		if canonicalName(name) && !(ni.valid && ni.lower && ni.fqdn && !ni.escaped) {
			t.Fatalf("%q: canonicalName accepts what scanName does not: %+v", name, ni)
		}
		if ni.valid && ni.lower && ni.fqdn && !ni.escaped && name != "." && !canonicalName(name) {
			t.Fatalf("%q: canonicalName rejects a canonical name", name)
		}
		if ni.valid && scanName(lowerASCII(name)).valid != true {
			t.Fatalf("%q: lower-casing breaks it", name)
		}
		var segs [6]string
		if n := lastLabels(strings.TrimSuffix(name, "."), &segs); n > 6 || n < 0 {
			t.Fatalf("%q: %d labels", name, n)
		}
		if a, ok := addrFromReverse(lowerASCII(name)); ok {
			if back := ReverseName(a); !strings.EqualFold(back, name) && a.Is4() == strings.HasSuffix(lowerASCII(name), ip4arpa) {
				t.Fatalf("%q -> %v -> %q", name, a, back)
			}
		}
	})
}
