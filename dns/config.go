package dns

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"
)

// PodMode is the kubernetes plugin's pods option: how it answers
// a-b-c-d.<namespace>.pod.<zone>.
type PodMode string

// The three pod modes.
const (
	// PodsDisabled answers every pod name with NXDOMAIN (the plugin default).
	PodsDisabled PodMode = "disabled"
	// PodsInsecure echoes the address spelled by the label when the namespace
	// exists, without checking that such a pod exists (kubeadm's Corefile).
	PodsInsecure PodMode = "insecure"
	// PodsVerified answers only when a pod with that address exists in that
	// namespace. It is required by autopath.
	PodsVerified PodMode = "verified"
)

// Modelled costs. Times are virtual; they order replies and sum up what a
// lookup costs, they do not claim to predict a real server's latency.
const (
	// DefaultUpstreamRTT is a round trip from the cluster DNS to the outside
	// resolver (CoreDNS's forward plugin).
	DefaultUpstreamRTT = 10 * time.Millisecond
	// DefaultPodRTT is a round trip from a pod to the cluster DNS service.
	DefaultPodRTT = 200 * time.Microsecond
	// DefaultNodeLocalRTT is a round trip from a pod to the node-local cache.
	DefaultNodeLocalRTT = 50 * time.Microsecond

	costReject    = 20 * time.Microsecond // the name was refused by the zone parser
	costNamespace = 25 * time.Microsecond // a namespace was looked up
	costService   = 30 * time.Microsecond // a service was looked up
	costEndpoints = 35 * time.Microsecond // endpoints were walked
	costForward   = 20 * time.Microsecond // CoreDNS's own part of a forwarded query
	costCacheHit  = 10 * time.Microsecond // an answer served from a cache
	sendGap       = time.Microsecond      // between two datagrams a client sends back to back
)

// Config is the Corefile of the cluster DNS: the kubernetes plugin's zone and
// options, plus the parts of the server block the simulator models. The zero
// Config is CoreDNS's kubernetes plugin with its defaults for zone
// cluster.local; see DefaultConfig and KubeadmConfig.
type Config struct {
	// Zone is the cluster domain; "" means "cluster.local.".
	Zone string `json:"zone,omitempty"`
	// ReverseZones are the reverse zones the plugin also serves. nil means
	// in-addr.arpa. and ip6.arpa. (as kubeadm writes them); a non-nil empty
	// slice serves none.
	ReverseZones []string `json:"reverseZones,omitempty"`
	// TTL is the ttl option for every answer and the SOA minimum. 0 means the
	// default, 5; a negative value means 0. CoreDNS allows 0 to 3600.
	TTL int `json:"ttl,omitempty"`
	// Pods is the pods option; "" means disabled.
	Pods PodMode `json:"pods,omitempty"`
	// EndpointPodNames names endpoints without a hostname after their pod.
	EndpointPodNames bool `json:"endpointPodNames,omitempty"`
	// IgnoreEmptyService answers NXDOMAIN for ClusterIP services without a
	// ready endpoint ("ignore empty_service").
	IgnoreEmptyService bool `json:"ignoreEmptyService,omitempty"`
	// NoEndpoints stops watching endpoints ("noendpoints"): headless services
	// and endpoint names no longer resolve.
	NoEndpoints bool `json:"noEndpoints,omitempty"`
	// Namespaces, when not empty, is the only namespaces exposed.
	Namespaces []string `json:"namespaces,omitempty"`
	// Fallthrough lists zones whose NXDOMAIN answers are passed on to the
	// outside world instead ("fallthrough in-addr.arpa ip6.arpa"). "." means
	// every zone.
	Fallthrough []string `json:"fallthrough,omitempty"`
	// AutoPath turns on "autopath @kubernetes": server-side search path
	// completion for queries whose source is a running pod. Like CoreDNS it
	// needs Pods set to PodsVerified and has no effect otherwise.
	AutoPath bool `json:"autoPath,omitempty"`
	// AutoPathSearch is CoreDNS's own resolv.conf search list, which autopath
	// tries after the cluster domains.
	AutoPathSearch []string `json:"autoPathSearch,omitempty"`
	// ServiceIPs are the cluster IPs of the DNS service (kube-dns). A stub
	// resolver whose nameserver is one of them reaches this server; any other
	// nameserver is the outside world. Empty means every nameserver reaches
	// this server.
	ServiceIPs []netip.Addr `json:"serviceIPs,omitempty"`
	// LocalIPs are the addresses of the CoreDNS pods; the apex NS records
	// name the services whose endpoints hold them. Empty means 127.0.0.1.
	LocalIPs []netip.Addr `json:"localIPs,omitempty"`
	// UpstreamRTT is the modelled round trip to the outside world; 0 means
	// DefaultUpstreamRTT.
	UpstreamRTT time.Duration `json:"upstreamRTT,omitempty"`
	// Clock is the virtual clock; the SOA serial is the Unix time of the last
	// change. Without a clock the serial counts changes.
	Clock func() time.Time `json:"-"`
	// LoadBalance, when set, shuffles A and AAAA records in every answer as
	// CoreDNS's loadbalance plugin does, drawing from this source. Answers
	// then cost an allocation.
	LoadBalance *rand.Rand `json:"-"`
}

// DefaultConfig returns the kubernetes plugin's own defaults for
// cluster.local: ttl 5, pods disabled, no fallthrough, and the DNS service at
// 10.96.0.10.
func DefaultConfig() Config {
	return Config{
		Zone:       "cluster.local.",
		TTL:        5,
		Pods:       PodsDisabled,
		ServiceIPs: []netip.Addr{netip.MustParseAddr("10.96.0.10")},
	}
}

// KubeadmConfig returns the Corefile kubeadm (and Docker Desktop) installs:
//
//	kubernetes cluster.local in-addr.arpa ip6.arpa {
//	   pods insecure
//	   fallthrough in-addr.arpa ip6.arpa
//	   ttl 30
//	}
func KubeadmConfig() Config {
	c := DefaultConfig()
	c.TTL = 30
	c.Pods = PodsInsecure
	c.Fallthrough = []string{"in-addr.arpa.", "ip6.arpa."}
	return c
}

// normalize fills defaults and folds names to lower-case FQDNs.
func (c Config) normalize() Config {
	n := c
	if n.Zone == "" {
		n.Zone = "cluster.local."
	}
	n.Zone = lowerASCII(fqdn(n.Zone))
	if n.ReverseZones == nil {
		n.ReverseZones = []string{"in-addr.arpa.", "ip6.arpa."}
	} else {
		n.ReverseZones = normZones(n.ReverseZones)
	}
	switch {
	case n.TTL == 0:
		n.TTL = 5
	case n.TTL < 0:
		n.TTL = 0
	case n.TTL > 3600:
		n.TTL = 3600
	}
	if n.Pods == "" {
		n.Pods = PodsDisabled
	}
	n.Namespaces = slices.Clone(n.Namespaces)
	n.Fallthrough = normZones(n.Fallthrough)
	n.AutoPathSearch = normZones(n.AutoPathSearch)
	n.ServiceIPs = slices.Clone(n.ServiceIPs)
	n.LocalIPs = slices.Clone(n.LocalIPs)
	if n.UpstreamRTT == 0 {
		n.UpstreamRTT = DefaultUpstreamRTT
	}
	return n
}

func normZones(zs []string) []string {
	out := make([]string, 0, len(zs))
	for _, z := range zs {
		if z == "" {
			continue
		}
		out = append(out, lowerASCII(fqdn(z)))
	}
	return out
}
