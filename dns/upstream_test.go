package dns

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseZone(t *testing.T) {
	rrs, err := ParseZone(`; the outside world
$ORIGIN example.com.
$TTL 1h
@        IN  SOA ns1 hostmaster ( 2024010101 ; serial
                 2h 30m 1w 5m )
@            NS   ns1
ns1      60  IN A 192.0.2.1
www      IN  60  A 192.0.2.2 ; class before TTL
         IN  AAAA 2001:db8::2
api          CNAME www
mail.other.test. 120 IN A 192.0.2.3
txt          TXT  "hello \"world\"" "again"
_sip._tcp    SRV  10 60 5060 sip
             MX   10 mail.other.test.
$ORIGIN sub.example.com.
x            A    192.0.2.4
`, "")
	if err != nil {
		t.Fatal(err)
	}
	want := zoneText(t,
		"example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 1800 604800 300",
		"example.com. 3600 IN NS ns1.example.com.",
		"ns1.example.com. 60 IN A 192.0.2.1",
		"www.example.com. 60 IN A 192.0.2.2",
		"www.example.com. 3600 IN AAAA 2001:db8::2",
		"api.example.com. 3600 IN CNAME www.example.com.",
		"mail.other.test. 120 IN A 192.0.2.3",
		`txt.example.com. 3600 IN TXT "hello \"world\"again"`,
		"_sip._tcp.example.com. 3600 IN SRV 10 60 5060 sip.example.com.",
		"_sip._tcp.example.com. 3600 IN MX 10 mail.other.test.",
		"x.sub.example.com. 3600 IN A 192.0.2.4",
	)
	if got := rrLines(rrs); got != want {
		t.Errorf("got:\n%swant:\n%s", got, want)
	}
	// without $TTL a record inherits the last TTL given
	rrs, err = ParseZone("a 30 IN A 192.0.2.1\nb IN A 192.0.2.2\n", "example.org")
	if err != nil || rrLines(rrs) != zoneText(t, "a.example.org. 30 IN A 192.0.2.1", "b.example.org. 30 IN A 192.0.2.2") {
		t.Errorf("inherited TTL: %v\n%s", err, rrLines(rrs))
	}
}

func TestParseZoneErrors(t *testing.T) {
	for _, tt := range []struct{ text, origin, want string }{
		{"www IN A 192.0.2.1", "", `dns: zone line 1: relative name "www" without an origin`},
		{"www. IN A 300.1.1.1", "", `dns: zone line 1: bad A address "300.1.1.1"`},
		{"www. IN AAAA 192.0.2.1", "", `dns: zone line 1: bad AAAA address "192.0.2.1"`},
		{"www. IN MXX 10 x.", "", `dns: zone line 1: unknown record type "MXX"`},
		{"www. CH A 192.0.2.1", "", "dns: zone line 1: class CH is not supported"},
		{"$INCLUDE other.zone", "", "dns: zone line 1: unsupported directive $INCLUDE"},
		{"www. IN A ( 192.0.2.1", "", "dns: zone line 1: unbalanced '('"},
		{"a. IN A 192.0.2.1\n\nwww. IN TXT \"open", "", "dns: zone line 3: unterminated string"},
		{"  IN A 192.0.2.1", "example.com", "dns: zone line 1: no owner for the record"},
		{"www. IN SRV 1 2 x.", "", "dns: zone line 1: SRV wants 4 fields, found 3"},
		{"$TTL abc", "", `dns: zone line 1: bad TTL "abc"`},
		{"www. 1x IN A 192.0.2.1", "", `dns: zone line 1: bad TTL "1x"`},
		{strings.Repeat("a", 64) + ". IN A 192.0.2.1", "", `dns: zone line 1: bad name "` + strings.Repeat("a", 64) + `."`},
	} {
		_, err := ParseZone(tt.text, tt.origin)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseZone(%q): %v, want %s", tt.text, err, tt.want)
		}
	}
}

func TestRRText(t *testing.T) {
	for _, l := range []string{
		"numbers-api.default.svc.cluster.local.\t5\tIN\tA\t10.106.142.227",
		"a.example.\t5\tIN\tAAAA\t2001:db8::1",
		"a.example.\t5\tIN\tSRV\t0 16 80 b.example.",
		"a.example.\t28800\tIN\tTXT\t\"1.1.0\"",
		"cluster.local.\t5\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5",
		"1.0.0.10.in-addr.arpa.\t5\tIN\tPTR\tsvc1.testns.svc.cluster.local.",
	} {
		rr, err := ParseRR(l)
		if err != nil {
			t.Fatal(err)
		}
		if rr.String() != l {
			t.Errorf("round trip:\n%q\n%q", rr.String(), l)
		}
		b, _ := json.Marshal(rr)
		var back RR
		if err := json.Unmarshal(b, &back); err != nil || back != rr {
			t.Errorf("JSON round trip of %q: %v", l, err)
		}
	}
	if _, err := ParseRR("a.example. 5 IN A 1.2.3.4\nb.example. 5 IN A 1.2.3.4"); err == nil {
		t.Error("two records accepted")
	}
	for ty, s := range map[uint16]string{TypeA: "A", 99: "TYPE99", TypeANY: "ANY"} {
		if TypeString(ty) != s {
			t.Errorf("TypeString(%d) = %s", ty, TypeString(ty))
		}
		if v, ok := ParseType(strings.ToLower(s)); !ok || v != ty {
			t.Errorf("ParseType(%s) = %d %v", s, v, ok)
		}
	}
	if RcodeString(3) != "NXDOMAIN" || RcodeString(99) != "RCODE99" {
		t.Error("RcodeString")
	}
}

func TestUpstream(t *testing.T) {
	u := testUpstream(t)
	if err := u.AddZone("$ORIGIN example.net.\n@ 300 IN SOA ns hostmaster 1 2 3 4 60\nloop1 60 IN CNAME loop2\nloop2 60 IN CNAME loop1\nwww 60 IN A 192.0.2.99\n", ""); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []tcase{
		{qname: "ext.interwebs.test.", qtype: TypeA, noAA: true, answer: []string{"ext.interwebs.test. 60 IN A 192.0.2.10"}},
		{qname: "EXT.interwebs.test.", qtype: TypeA, noAA: true, answer: []string{"EXT.interwebs.test. 60 IN A 192.0.2.10"}},
		{qname: "interwebs.test.", qtype: TypeA, noAA: true},
		{qname: "test.", qtype: TypeA, noAA: true},
		{qname: ".", qtype: TypeNS, noAA: true},
		{qname: "nope.interwebs.test.", qtype: TypeA, rcode: RcodeNameError, noAA: true},
		{qname: "alias.interwebs.test.", qtype: TypeCNAME, noAA: true, answer: []string{"alias.interwebs.test. 60 IN CNAME ext.interwebs.test."}},
		{qname: "alias.interwebs.test.", qtype: TypeAAAA, noAA: true, answer: []string{
			"alias.interwebs.test. 60 IN CNAME ext.interwebs.test.",
			"ext.interwebs.test. 60 IN AAAA 2001:db8::10",
		}},
		{qname: "nope.example.net.", qtype: TypeA, rcode: RcodeNameError, noAA: true, ns: []string{"example.net. 300 IN SOA ns.example.net. hostmaster.example.net. 1 2 3 4 60"}},
		{qname: "www.example.net.", qtype: TypeTXT, noAA: true, ns: []string{"example.net. 300 IN SOA ns.example.net. hostmaster.example.net. 1 2 3 4 60"}},
		{qname: "loop1.example.net.", qtype: TypeA, rcode: RcodeServerFailure, noAA: true},
	} {
		r := u.Query(tc.qname, tc.qtype)
		if !r.RecursionAvailable {
			t.Errorf("%s: RA not set", tc.qname)
		}
		checkReply(t, r, tc)
	}
	if err := u.AddZone("ext.interwebs.test. 60 IN CNAME other.test.", ""); err == nil {
		t.Error("CNAME and other data accepted")
	}
	if err := u.AddZone("alias.interwebs.test. 60 IN A 192.0.2.1", ""); err == nil {
		t.Error("data next to a CNAME accepted")
	}
	gen := u.Gen()
	u.Fail("alias.interwebs.test")
	if u.Gen() == gen {
		t.Error("Fail must change the generation")
	}
	if r := u.Query("alias.interwebs.test.", TypeA); r.Rcode != RcodeServerFailure {
		t.Errorf("failing: %s", r.Text())
	}
	u.Heal("alias.interwebs.test")
	u.Fail("ext.interwebs.test")
	if r := u.Query("alias.interwebs.test.", TypeA); r.Rcode != RcodeServerFailure {
		t.Errorf("failing target: %s", r.Text())
	}
	if n := u.Remove("ext.interwebs.test", TypeANY); n != 2 {
		t.Errorf("removed %d", n)
	}
	if r := u.Query("ext.interwebs.test.", TypeA); r.Rcode != RcodeServerFailure {
		t.Errorf("still failing after removal: %s", r.Text())
	}
	u.Heal("ext.interwebs.test")
	if r := u.Query("ext.interwebs.test.", TypeA); r.Rcode != RcodeNameError {
		t.Errorf("removed: %s", r.Text())
	}
	if !strings.HasPrefix(DefaultUpstream().String(), "raw.githubusercontent.com.\t300\tIN\tA\t185.199.108.133\n") {
		t.Errorf("default upstream:\n%s", DefaultUpstream().String())
	}
	if r := u.Query("a..b", TypeA); r.Rcode != RcodeFormatError {
		t.Errorf("malformed: %s", r.Text())
	}
}
