package dns

import (
	"net/netip"
	"strings"
	"testing"
)

// tcase is CoreDNS's test.Case: a question and the expected reply, records
// written as zone-file text, in the order the server sends them.
type tcase struct {
	qname  string
	qtype  uint16
	rcode  int
	answer []string
	ns     []string
	extra  []string
	noAA   bool // the reply comes from the outside world
}

const soaLine = "cluster.local.	5	IN	SOA	ns.dns.cluster.local. hostmaster.cluster.local. 1767323045 7200 1800 86400 5"

func runCases(t *testing.T, s *Server, cases []tcase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.qname+"/"+TypeString(tc.qtype), func(t *testing.T) {
			r := s.Query(tc.qname, tc.qtype)
			checkReply(t, r, tc)
		})
	}
}

func checkReply(t *testing.T, r Reply, tc tcase) {
	t.Helper()
	if r.Rcode != tc.rcode {
		t.Errorf("rcode = %s, want %s\n%s", RcodeString(r.Rcode), RcodeString(tc.rcode), r.Text())
	}
	if r.Question.Name != fqdn(tc.qname) || r.Question.Type != tc.qtype {
		t.Errorf("question = %v, want %s %s", r.Question, tc.qname, TypeString(tc.qtype))
	}
	if r.Authoritative == tc.noAA && tc.rcode != RcodeRefused && tc.rcode != RcodeFormatError {
		t.Errorf("aa = %v, want %v", r.Authoritative, !tc.noAA)
	}
	for _, sec := range []struct {
		name string
		got  []RR
		want []string
	}{{"answer", r.Answer, tc.answer}, {"authority", r.Authority, tc.ns}, {"additional", r.Additional, tc.extra}} {
		if got, want := rrLines(sec.got), zoneText(t, sec.want...); got != want {
			t.Errorf("%s section:\ngot:\n%swant:\n%s", sec.name, got, want)
		}
	}
}

// TestRecords covers every record form of DNS.md §1-§2 with the plugin's
// defaults.
func TestRecords(t *testing.T) {
	s := newTestServer(t, nil)
	runCases(t, s, []tcase{
		// schema
		{qname: "dns-version.cluster.local.", qtype: TypeTXT, answer: []string{`dns-version.cluster.local. 28800 IN TXT "1.1.0"`}},
		{qname: "dns-version.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		// ClusterIP, v4, v6, dual-stack
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeAAAA, ns: []string{soaLine}},
		{qname: "svcempty.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.2"}},
		{qname: "svc6.testns.svc.cluster.local.", qtype: TypeAAAA, answer: []string{"svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1"}},
		{qname: "svc6.testns.svc.cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "dual.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"dual.testns.svc.cluster.local. 5 IN A 10.0.0.3"}},
		{qname: "dual.testns.svc.cluster.local.", qtype: TypeAAAA, answer: []string{"dual.testns.svc.cluster.local. 5 IN AAAA fd00::3"}},
		{qname: "kubernetes.default.svc.cluster.local.", qtype: TypeA, answer: []string{"kubernetes.default.svc.cluster.local. 5 IN A 10.96.0.1"}},
		// SRV on named ports
		{qname: "_http._tcp.svc1.testns.svc.cluster.local.", qtype: TypeSRV,
			answer: []string{"_http._tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local."},
			extra:  []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "http.tcp.svc1.testns.svc.cluster.local.", qtype: TypeSRV, // the underscores are optional
			answer: []string{"http.tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local."},
			extra:  []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "_http._tcp.svc1.testns.svc.cluster.local.", qtype: TypeA, // a port name is a name for the service too
			answer: []string{"_http._tcp.svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "_https._tcp.svc1.testns.svc.cluster.local.", qtype: TypeSRV, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "_._tcp.svc1.testns.svc.cluster.local.", qtype: TypeSRV, // "_" alone matches any port name
			answer: []string{"_._tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local."},
			extra:  []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "_http._udp.svc1.testns.svc.cluster.local.", qtype: TypeSRV, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeSRV,
			answer: []string{"svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local."},
			extra:  []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "dual.testns.svc.cluster.local.", qtype: TypeSRV,
			answer: []string{"dual.testns.svc.cluster.local. 5 IN SRV 0 50 80 dual.testns.svc.cluster.local."},
			extra: []string{"dual.testns.svc.cluster.local. 5 IN A 10.0.0.3",
				"dual.testns.svc.cluster.local. 5 IN AAAA fd00::3"}},
		{qname: "kube-dns.kube-system.svc.cluster.local.", qtype: TypeSRV,
			answer: []string{
				"kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.",
				"kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.",
			},
			extra: []string{"kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10"}},
		{qname: "_dns._udp.kube-dns.kube-system.svc.cluster.local.", qtype: TypeSRV,
			answer: []string{"_dns._udp.kube-dns.kube-system.svc.cluster.local. 5 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local."},
			extra:  []string{"kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10"}},
		// headless
		{qname: "hdls1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2",
			"hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3",
			"hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4",
			"hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.5",
		}},
		{qname: "hdls1.testns.svc.cluster.local.", qtype: TypeAAAA, answer: []string{
			"hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1",
			"hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2",
		}},
		{qname: "hdlsempty.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "hdlsprtls.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20"}},
		{qname: "hdlsprtls.testns.svc.cluster.local.", qtype: TypeSRV, ns: []string{soaLine}},
		{qname: "*.*.hdlsprtls.testns.svc.cluster.local.", qtype: TypeSRV, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "_http._tcp.hdls1.testns.svc.cluster.local.", qtype: TypeSRV,
			answer: []string{
				"_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 172-0-0-2.hdls1.testns.svc.cluster.local.",
				"_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 172-0-0-3.hdls1.testns.svc.cluster.local.",
				"_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 dup-name.hdls1.testns.svc.cluster.local.",
				"_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 5678-abcd--1.hdls1.testns.svc.cluster.local.",
				"_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 5678-abcd--2.hdls1.testns.svc.cluster.local.",
			},
			extra: []string{
				"172-0-0-2.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2",
				"172-0-0-3.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.3",
				"dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4",
				"dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.5",
				"5678-abcd--1.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1",
				"5678-abcd--2.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2",
			}},
		// endpoint names
		{qname: "172-0-0-2.hdls1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"172-0-0-2.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.2"}},
		{qname: "dup-name.hdls1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.4",
			"dup-name.hdls1.testns.svc.cluster.local. 5 IN A 172.0.0.5",
		}},
		{qname: "5678-abcd--1.hdls1.testns.svc.cluster.local.", qtype: TypeAAAA, answer: []string{"5678-abcd--1.hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1"}},
		{qname: "5678-abcd--1.hdls1.testns.svc.cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "172-0-0-20.hdlsprtls.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"172-0-0-20.hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20"}},
		{qname: "ep1a.svc1.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"ep1a.svc1.testns.svc.cluster.local. 5 IN A 172.0.0.1"}},
		{qname: "172-0-0-9.svc1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}}, // not ready
		{qname: "hdls1-pod-b.hdls1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "bogusendpoint.hdls1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "bogusendpoint.svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "web-0.web-0-sub.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"web-0.web-0-sub.testns.svc.cluster.local. 5 IN A 10.1.1.10"}},
		// ExternalName
		{qname: "external.testns.svc.cluster.local.", qtype: TypeCNAME, answer: []string{"external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test."}},
		{qname: "external.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.",
			"ext.interwebs.test. 60 IN A 192.0.2.10",
		}},
		{qname: "external.testns.svc.cluster.local.", qtype: TypeAAAA, answer: []string{
			"external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.",
			"ext.interwebs.test. 60 IN AAAA 2001:db8::10",
		}},
		{qname: "external-to-service.testns.svc.cluster.local.", qtype: TypeA, answer: []string{
			"external-to-service.testns.svc.cluster.local. 5 IN CNAME svc1.testns.svc.cluster.local.",
			"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1",
		}},
		// in-zone target without an AAAA: CoreDNS drops the CNAME too
		{qname: "external-to-service.testns.svc.cluster.local.", qtype: TypeAAAA, ns: []string{soaLine}},
		{qname: "external-ip.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "dangling.testns.svc.cluster.local.", qtype: TypeA, answer: []string{"dangling.testns.svc.cluster.local. 5 IN CNAME nowhere.example."}},
		{qname: "external.testns.svc.cluster.local.", qtype: TypeSRV, ns: []string{soaLine}},
		{qname: "_http._tcp.external.testns.svc.cluster.local.", qtype: TypeSRV, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "external.testns.svc.cluster.local.", qtype: TypeTXT, ns: []string{soaLine}},
		{qname: "foo.external.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		// PTR
		{qname: "1.0.0.10.in-addr.arpa.", qtype: TypePTR, answer: []string{"1.0.0.10.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local."}},
		{qname: "10.0.96.10.in-addr.arpa.", qtype: TypePTR, answer: []string{"10.0.96.10.in-addr.arpa. 5 IN PTR kube-dns.kube-system.svc.cluster.local."}},
		{qname: ReverseName(netip.MustParseAddr("1234:abcd::1")), qtype: TypePTR, answer: []string{ReverseName(netip.MustParseAddr("1234:abcd::1")) + " 5 IN PTR svc6.testns.svc.cluster.local."}},
		{qname: "2.0.0.172.in-addr.arpa.", qtype: TypePTR, answer: []string{"2.0.0.172.in-addr.arpa. 5 IN PTR 172-0-0-2.hdls1.testns.svc.cluster.local."}},
		{qname: "4.0.0.172.in-addr.arpa.", qtype: TypePTR, answer: []string{"4.0.0.172.in-addr.arpa. 5 IN PTR dup-name.hdls1.testns.svc.cluster.local."}},
		{qname: "10.1.1.10.in-addr.arpa.", qtype: TypePTR, answer: []string{"10.1.1.10.in-addr.arpa. 5 IN PTR web-0.web-0-sub.testns.svc.cluster.local."}},
		{qname: "2.0.1.10.in-addr.arpa.", qtype: TypePTR, answer: []string{"2.0.1.10.in-addr.arpa. 5 IN PTR 10-1-0-2.kube-dns.kube-system.svc.cluster.local."}},
		{qname: "9.0.0.172.in-addr.arpa.", qtype: TypePTR, rcode: RcodeNameError, ns: []string{"in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1767323045 7200 1800 86400 5"}},
		{qname: "8.8.8.8.in-addr.arpa.", qtype: TypePTR, rcode: RcodeNameError, ns: []string{"in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1767323045 7200 1800 86400 5"}},
		{qname: "0.0.10.in-addr.arpa.", qtype: TypePTR, rcode: RcodeNameError, ns: []string{"in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1767323045 7200 1800 86400 5"}},
		{qname: "1.0.0.10.in-addr.arpa.", qtype: TypeA, rcode: RcodeNameError, ns: []string{"in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1767323045 7200 1800 86400 5"}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypePTR, ns: []string{soaLine}},
		// pods are disabled by default
		{qname: "10-1-1-20.testns.pod.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		// negatives: NXDOMAIN and NODATA as CoreDNS decides them
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeAAAA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc0.svc-nons.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "testns.svc.cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "nons.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc.cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "pod.cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "foo.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "foo.cluster.local.", qtype: TypeNS, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "a.b.c.svc1.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc1.*.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "*.testns.svc.cluster.local.", qtype: TypeA, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeHINFO, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeMX, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeTXT, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeCNAME, ns: []string{soaLine}},
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeHINFO, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeTXT, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc1.testns.svc.cluster.local.", qtype: TypeSOA, ns: []string{soaLine}},
		{qname: "svc0.testns.svc.cluster.local.", qtype: TypeSOA, ns: []string{soaLine}}, // SOA below the apex is always NODATA
		// apex
		{qname: "cluster.local.", qtype: TypeSOA, answer: []string{soaLine}},
		{qname: "cluster.local.", qtype: TypeA, ns: []string{soaLine}},
		{qname: "cluster.local.", qtype: TypeHINFO, ns: []string{soaLine}},
		{qname: "cluster.local.", qtype: TypeSRV, ns: []string{soaLine}},
		{qname: "cluster.local.", qtype: TypeTXT, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "svc.cluster.local.", qtype: TypeTXT, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "testns.svc.cluster.local.", qtype: TypeTXT, rcode: RcodeNameError, ns: []string{soaLine}},
		{qname: "cluster.local.", qtype: TypeNS, answer: []string{"cluster.local. 5 IN NS ns.dns.cluster.local."}, extra: []string{"ns.dns.cluster.local. 5 IN A 127.0.0.1"}},
		{qname: "ns.dns.cluster.local.", qtype: TypeA, answer: []string{"ns.dns.cluster.local. 5 IN A 127.0.0.1"}},
		{qname: "cluster.local.", qtype: TypeAXFR, rcode: RcodeRefused},
		{qname: "cluster.local.", qtype: TypeIXFR, rcode: RcodeRefused},
		// the outside world
		{qname: "raw.githubusercontent.com.", qtype: TypeA, noAA: true, answer: []string{
			"raw.githubusercontent.com. 300 IN A 185.199.108.133",
			"raw.githubusercontent.com. 300 IN A 185.199.109.133",
			"raw.githubusercontent.com. 300 IN A 185.199.110.133",
			"raw.githubusercontent.com. 300 IN A 185.199.111.133",
		}},
		{qname: "githubusercontent.com.", qtype: TypeA, noAA: true},
		{qname: "nowhere.example.", qtype: TypeA, rcode: RcodeNameError, noAA: true},
		{qname: "alias.interwebs.test.", qtype: TypeA, noAA: true, answer: []string{
			"alias.interwebs.test. 60 IN CNAME ext.interwebs.test.",
			"ext.interwebs.test. 60 IN A 192.0.2.10",
		}},
	})
}

// TestCase checks that names match in any case and are echoed as asked
// (CoreDNS handler_case_test).
func TestCase(t *testing.T) {
	s := newTestServer(t, nil)
	upperSOA := "CLUSTER.LOCAL.	5	IN	SOA	ns.dns.CLUSTER.LOCAL. hostmaster.CLUSTER.LOCAL. 1767323045 7200 1800 86400 5"
	runCases(t, s, []tcase{
		{qname: "SVC1.TestNS.svc.Cluster.Local.", qtype: TypeA, answer: []string{"SVC1.TestNS.svc.Cluster.Local. 5 IN A 10.0.0.1"}},
		{qname: "svc1.testns.svc.cluster.local", qtype: TypeA, answer: []string{"svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1"}},
		{qname: "_HTTP._TCP.svc1.testns.svc.CLUSTER.LOCAL.", qtype: TypeSRV,
			answer: []string{"_HTTP._TCP.svc1.testns.svc.CLUSTER.LOCAL. 5 IN SRV 0 100 80 svc1.testns.svc.CLUSTER.LOCAL."},
			extra:  []string{"svc1.testns.svc.CLUSTER.LOCAL. 5 IN A 10.0.0.1"}},
		{qname: "nope.testns.svc.CLUSTER.LOCAL.", qtype: TypeA, rcode: RcodeNameError, ns: []string{upperSOA}},
		{qname: "SVC1.testns.svc.CLUSTER.LOCAL.", qtype: TypeAAAA, ns: []string{upperSOA}},
		{qname: "External.TestNS.svc.cluster.local.", qtype: TypeA, answer: []string{
			"External.TestNS.svc.cluster.local. 5 IN CNAME ext.interwebs.test.",
			"ext.interwebs.test. 60 IN A 192.0.2.10",
		}},
		{qname: "1.0.0.10.IN-ADDR.ARPA.", qtype: TypePTR, answer: []string{"1.0.0.10.IN-ADDR.ARPA. 5 IN PTR svc1.testns.svc.cluster.local."}},
		{qname: "RAW.githubusercontent.com.", qtype: TypeAAAA, noAA: true, answer: []string{
			"RAW.githubusercontent.com. 300 IN AAAA 2606:50c0:8000::154",
			"RAW.githubusercontent.com. 300 IN AAAA 2606:50c0:8001::154",
			"RAW.githubusercontent.com. 300 IN AAAA 2606:50c0:8002::154",
			"RAW.githubusercontent.com. 300 IN AAAA 2606:50c0:8003::154",
		}},
	})
}

// TestMalformed checks names that cannot be encoded on the wire.
func TestMalformed(t *testing.T) {
	s := newTestServer(t, nil)
	long := strings.Repeat("a", 64)
	var b strings.Builder
	for b.Len() < 260 {
		b.WriteString("abcdefghi.")
	}
	for _, n := range []string{"", "a..cluster.local.", ".cluster.local.", long + ".cluster.local.", b.String(), "..", "a\\", "a\\12.cluster.local.", "a\\999.b."} {
		r := s.Query(n, TypeA)
		if r.Rcode != RcodeFormatError {
			t.Errorf("Query(%q) rcode = %s, want FORMERR", n, RcodeString(r.Rcode))
		}
	}
	// the limits themselves are fine
	ok63 := strings.Repeat("a", 63) + ".testns.svc.cluster.local."
	if r := s.Query(ok63, TypeA); r.Rcode != RcodeNameError {
		t.Errorf("63-octet label: rcode %s, want NXDOMAIN", RcodeString(r.Rcode))
	}
	if r := s.Query(".", TypeA); r.Rcode != RcodeSuccess {
		t.Errorf("root: rcode %s, want NOERROR", RcodeString(r.Rcode))
	}
	// an escaped dot is part of a label: one label "a.b", an unknown namespace
	if r := s.Query(`a\.b.svc.cluster.local.`, TypeA); r.Rcode != RcodeNameError {
		t.Errorf("escaped dot: rcode %s, want NXDOMAIN", RcodeString(r.Rcode))
	}
	if r := s.Query(`testns\.svc.cluster.local.`, TypeA); r.Rcode != RcodeNameError {
		t.Errorf("escaped dot before svc: rcode %s, want NXDOMAIN", RcodeString(r.Rcode))
	}
}
