package dns

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDig(t *testing.T) {
	s := labServer()
	labHeadless(s)
	st := NewStub(s, labPod("sleep-1"), DefaultClusterDNSConfig())
	out, r := st.Dig("numbers-api.default.svc.cluster.local", TypeA, epoch, DigOptions{Rand: rand.New(rand.NewPCG(1, 2))})
	want := `
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> numbers-api.default.svc.cluster.local
;; global options: +cmd
;; Got answer:
;; WARNING: .local is reserved for Multicast DNS
;; You are currently testing what happens when an mDNS query is leaked to DNS
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 62736
;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1
;; WARNING: recursion requested but not available

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
; COOKIE: 6c889a50bc798e99 (echoed)
;; QUESTION SECTION:
;numbers-api.default.svc.cluster.local. IN A

;; ANSWER SECTION:
numbers-api.default.svc.cluster.local. 30 IN A	10.106.142.227

;; Query time: 0 msec
;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)
;; WHEN: Fri Jan 02 03:04:05 UTC 2026
;; MSG SIZE  rcvd: 131

`
	if out != want {
		t.Errorf("dig:\n%s\nwant:\n%s", out, want)
	}
	if r.Rcode != RcodeSuccess {
		t.Errorf("reply %s", r.Text())
	}

	out, _ = st.Dig("nope.default.svc.cluster.local", TypeAAAA, epoch, DigOptions{})
	for _, line := range []string{
		";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 0",
		";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1",
		";nope.default.svc.cluster.local.\tIN\tAAAA",
		"\n;; AUTHORITY SECTION:\ncluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1767323045 7200 1800 86400 30\n",
		";; MSG SIZE  rcvd: 152",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("NXDOMAIN dig lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "COOKIE") {
		t.Error("no Rand, no cookie")
	}

	out, _ = st.Dig("raw.githubusercontent.com", TypeA, epoch, DigOptions{})
	for _, line := range []string{
		";; flags: qr rd ra; QUERY: 1, ANSWER: 4, AUTHORITY: 0, ADDITIONAL: 1\n\n",
		"raw.githubusercontent.com. 300\tIN\tA\t185.199.108.133\n",
		";; Query time: 10 msec",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("external dig lacks %q:\n%s", line, out)
		}
	}
	if strings.Contains(out, "WARNING") {
		t.Errorf("no warnings for a recursive answer outside .local:\n%s", out)
	}

	short, _ := st.Dig("numbers-api", TypeA, epoch, DigOptions{Short: true, Search: true})
	if short != "10.106.142.227\n" {
		t.Errorf("+short +search: %q", short)
	}
	short, _ = st.Dig("numbers-api", TypeA, epoch, DigOptions{Short: true})
	if short != "" {
		t.Errorf("+short without +search asks numbers-api. and gets NXDOMAIN: %q", short)
	}
	short, _ = st.Dig("kube-dns.kube-system.svc.cluster.local", TypeSRV, epoch, DigOptions{Short: true})
	if short != "0 33 53 kube-dns.kube-system.svc.cluster.local.\n0 33 9153 kube-dns.kube-system.svc.cluster.local.\n" {
		t.Errorf("SRV +short: %q", short)
	}
}

func TestBindColumns(t *testing.T) {
	for _, tt := range []struct {
		rr   string
		want string
	}{
		{"example.com. 86400 IN A 93.184.216.34", "example.com.\t\t86400\tIN\tA\t93.184.216.34"},
		{"kube-dns.kube-system.svc.cluster.local. 5 IN A 10.96.0.10", "kube-dns.kube-system.svc.cluster.local.\t5 IN A\t10.96.0.10"},
		{"numbers-api.default.svc.cluster.local. 5 IN CNAME raw.githubusercontent.com.", "numbers-api.default.svc.cluster.local. 5 IN CNAME raw.githubusercontent.com."},
		{"raw.githubusercontent.com. 300 IN A 185.199.108.133", "raw.githubusercontent.com. 300\tIN\tA\t185.199.108.133"},
	} {
		if got := bindRR(MustParseRR(tt.rr)); got != tt.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.rr, got, tt.want)
		}
	}
	for _, tt := range []struct {
		q    Question
		want string
	}{
		{Question{"numbers-api.default.svc.cluster.local.", TypeA}, ";numbers-api.default.svc.cluster.local. IN A"},
		{Question{"kube-dns.kube-system.svc.cluster.local.", TypeA}, ";kube-dns.kube-system.svc.cluster.local.\tIN A"},
		{Question{"nope.default.svc.cluster.local.", TypeAAAA}, ";nope.default.svc.cluster.local.\tIN\tAAAA"},
	} {
		if got := bindQuestion(tt.q); got != tt.want {
			t.Errorf("%v:\ngot  %q\nwant %q", tt.q, got, tt.want)
		}
	}
}
