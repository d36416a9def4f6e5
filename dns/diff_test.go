package dns

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// reference answers through the reference path only, never the prebuilt
// answers: the slow, obviously-CoreDNS path the fast one must agree with.
func (s *Server) reference(name string, qtype uint16) Reply {
	ni := scanName(name)
	if !ni.valid {
		return Reply{Question: Question{Name: name, Type: qtype}, Rcode: RcodeFormatError}
	}
	qname := fqdn(name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var r Reply
	s.dispatch(qname, lowerASCII(qname), qtype, netip.Addr{}, 0, &r)
	return r
}

func sameReply(a, b Reply) bool {
	return a.Rcode == b.Rcode && a.Authoritative == b.Authoritative && a.Question == b.Question &&
		a.Latency == b.Latency && rrLines(a.Answer) == rrLines(b.Answer) &&
		rrLines(a.Authority) == rrLines(b.Authority) && rrLines(a.Additional) == rrLines(b.Additional)
}

var diffTypes = []uint16{TypeA, TypeAAAA, TypeCNAME, TypeSRV, TypePTR, TypeTXT, TypeMX, TypeHINFO, TypeNS, TypeSOA, TypeANY, TypeAXFR}

var diffConfigs = map[string]func(*Config){
	"default":          nil,
	"kubeadm":          func(c *Config) { k := KubeadmConfig(); k.Clock = c.Clock; *c = k },
	"ignoreEmpty":      func(c *Config) { c.IgnoreEmptyService = true },
	"endpointPodNames": func(c *Config) { c.EndpointPodNames = true },
	"namespaces":       func(c *Config) { c.Namespaces = []string{"testns", "kube-system"} },
	"noEndpoints":      func(c *Config) { c.NoEndpoints = true },
	"verified":         func(c *Config) { c.Pods = PodsVerified },
}

// TestFastMatchesReference checks every prebuilt answer against the
// reference path, under every option set.
func TestFastMatchesReference(t *testing.T) {
	keys := make([]string, 0, len(diffConfigs))
	for k := range diffConfigs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		t.Run(k, func(t *testing.T) {
			s := newTestServer(t, diffConfigs[k])
			s.mu.RLock()
			names := make([]string, 0, len(s.names))
			for n := range s.names {
				names = append(names, n)
			}
			s.mu.RUnlock()
			slices.Sort(names)
			if len(names) < 20 {
				t.Fatalf("only %d prebuilt names", len(names))
			}
			fast := 0
			for _, n := range names {
				for _, qt := range diffTypes {
					got, want := s.Query(n, qt), s.reference(n, qt)
					if !sameReply(got, want) {
						t.Errorf("%s %s:\nfast:\n%s\nreference:\n%s", n, TypeString(qt), got.Text(), want.Text())
					}
					s.mu.RLock()
					if e := s.names[n]; e != nil {
						if res := e.slot(qt); res != nil && res.rcode == RcodeSuccess {
							fast++
						}
					}
					s.mu.RUnlock()
				}
			}
			if fast < len(names) {
				t.Errorf("only %d fast answers for %d names", fast, len(names))
			}
		})
	}
}

// TestRandomNamesMatchReference builds names from the cluster's own labels
// and checks the public path against the reference path, in lower and mixed
// case.
func TestRandomNamesMatchReference(t *testing.T) {
	s := newTestServer(t, func(c *Config) { c.EndpointPodNames = true })
	labels := []string{"svc1", "hdls1", "testns", "svc", "pod", "cluster", "local", "_http", "_tcp", "http", "tcp",
		"dup-name", "172-0-0-2", "external", "default", "kubernetes", "in-addr", "arpa", "10", "0", "1", "*", "x",
		"dns-version", "ns", "dns", "1-2-3-4", "ep1a", "kube-dns", "kube-system", "_dns", "_udp", "hdls1-pod-b"}
	rnd := rand.New(rand.NewPCG(42, 42))
	for i := 0; i < 4000; i++ {
		n := 1 + rnd.IntN(6)
		parts := make([]string, n)
		for j := range parts {
			parts[j] = labels[rnd.IntN(len(labels))]
		}
		var name string
		switch rnd.IntN(4) {
		case 0:
			name = strings.Join(parts, ".") + "."
		case 1:
			name = strings.Join(parts, ".") + ".cluster.local."
		case 2:
			name = strings.Join(parts, ".") + ".testns.svc.cluster.local."
		default:
			name = strings.Join(parts, ".") + ".in-addr.arpa."
		}
		if rnd.IntN(5) == 0 {
			name = strings.ToUpper(name[:len(name)/2]) + name[len(name)/2:]
		}
		qt := diffTypes[rnd.IntN(len(diffTypes))]
		got, want := s.Query(name, qt), s.reference(name, qt)
		if !sameReply(got, want) {
			t.Fatalf("%s %s:\nquery:\n%s\nreference:\n%s", name, TypeString(qt), got.Text(), want.Text())
		}
	}
}
