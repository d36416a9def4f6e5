package dns

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// ResolvConf is a pod's /etc/resolv.conf: what kubelet hands the container
// runtime, which writes it out (String renders containerd's layout).
type ResolvConf struct {
	Nameservers []string `json:"nameservers"`
	Searches    []string `json:"searches"`
	Options     []string `json:"options"`
}

// String renders the file as containerd and CRI-O write it: the search line,
// then one nameserver line per server, then the options line; empty lines are
// left out.
//
//	search default.svc.cluster.local svc.cluster.local cluster.local
//	nameserver 10.96.0.10
//	options ndots:5
func (rc ResolvConf) String() string {
	var b strings.Builder
	if len(rc.Searches) > 0 {
		b.WriteString("search ")
		b.WriteString(strings.Join(rc.Searches, " "))
		b.WriteString("\n")
	}
	for _, ns := range rc.Nameservers {
		b.WriteString("nameserver ")
		b.WriteString(ns)
		b.WriteString("\n")
	}
	if len(rc.Options) > 0 {
		b.WriteString("options ")
		b.WriteString(strings.Join(rc.Options, " "))
		b.WriteString("\n")
	}
	return b.String()
}

// ParseResolvConf reads resolv.conf text as kubelet does for the node's file:
// nameserver lines accumulate, the last search line wins (trailing dots
// trimmed from its domains), the last options line wins, '#' starts a
// comment line.
func ParseResolvConf(text string) ResolvConf {
	rc := ResolvConf{Nameservers: []string{}, Searches: []string{}, Options: []string{}}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Fields(t)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) >= 2 {
				rc.Nameservers = append(rc.Nameservers, f[1])
			}
		case "search":
			rc.Searches = []string{}
			for _, s := range f[1:] {
				rc.Searches = append(rc.Searches, strings.TrimSuffix(s, "."))
			}
		case "options":
			rc.Options = slices.Clone(f[1:])
		}
	}
	return rc
}

// Option returns the value of option name ("ndots") and whether it is set;
// the last occurrence wins.
func (rc ResolvConf) Option(name string) (string, bool) {
	val, ok := "", false
	for _, o := range rc.Options {
		n, v, _ := strings.Cut(o, ":")
		if n == name {
			val, ok = v, true
		}
	}
	return val, ok
}

// ClusterDNSConfig is the kubelet configuration that shapes pods' resolv.conf.
type ClusterDNSConfig struct {
	// ClusterDomain is --cluster-domain, e.g. "cluster.local"; "" leaves the
	// cluster search domains out.
	ClusterDomain string `json:"clusterDomain"`
	// ClusterDNS is --cluster-dns: the DNS service's IPs. Empty makes
	// ClusterFirst pods fall back to Default, with a MissingClusterDNS event.
	ClusterDNS []netip.Addr `json:"clusterDNS"`
	// HostResolvConf is the node's resolv.conf (--resolv-conf). nil means the
	// flag is empty: Default pods then get 127.0.0.1 (or ::1) and search ".".
	HostResolvConf *ResolvConf `json:"hostResolvConf,omitempty"`
	// NodeIPs pick 127.0.0.1 or ::1 when HostResolvConf is nil.
	NodeIPs []netip.Addr `json:"nodeIPs,omitempty"`
}

// DefaultClusterDNSConfig is a Docker Desktop node: cluster.local, kube-dns at
// 10.96.0.10, and a node resolv.conf naming Docker's resolver 192.168.65.7
// without search domains.
func DefaultClusterDNSConfig() ClusterDNSConfig {
	return ClusterDNSConfig{
		ClusterDomain:  "cluster.local",
		ClusterDNS:     []netip.Addr{netip.MustParseAddr("10.96.0.10")},
		HostResolvConf: &ResolvConf{Nameservers: []string{"192.168.65.7"}},
	}
}

// Warning is an event kubelet records while forming a pod's resolv.conf.
type Warning struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// API and kubelet limits (k8s.io/kubernetes pkg/apis/core/validation,
// ExpandedDNSConfig GA since 1.28).
const (
	MaxDNSNameservers     = 3
	MaxDNSSearchPaths     = 32
	MaxDNSSearchListChars = 2048
	maxSearchDomainLen    = 253
)

// PodResolvConf returns the resolv.conf kubelet writes for pod, following
// kubelet's GetPodDNS: the dnsPolicy picks a base (ClusterFirst: the cluster
// DNS, the cluster search domains then the node's, ndots:5; Default: the
// node's file; None: nothing; ClusterFirst on the host network: Default),
// dnsConfig is merged onto it, and the result is trimmed to 3 nameservers,
// 32 search domains of at most 253 characters and a 2048-character search
// line, each trim reported as a DNSConfigForming warning.
//
// Options are merged by name as kubelet does; kubelet rebuilds them from a
// Go map, so their order is not stable there. Here they keep the base order,
// with new options appended in dnsConfig order.
func PodResolvConf(pod *api.Pod, cfg ClusterDNSConfig) (ResolvConf, []Warning) {
	var warns []Warning
	rc := ResolvConf{}
	if cfg.HostResolvConf != nil {
		h := *cfg.HostResolvConf
		rc.Nameservers = slices.Clone(h.Nameservers)
		for _, s := range h.Searches {
			rc.Searches = append(rc.Searches, strings.TrimSuffix(s, "."))
		}
		rc.Options = slices.Clone(h.Options)
	}
	policy := pod.Spec.DNSPolicy
	if policy == "" {
		policy = api.DNSClusterFirst
	}
	useHost := false
	switch policy {
	case api.DNSNone:
		rc = ResolvConf{}
	case api.DNSClusterFirst, api.DNSClusterFirstWithHostNet:
		if policy == api.DNSClusterFirst && pod.Spec.HostNetwork {
			useHost = true
			break
		}
		if len(cfg.ClusterDNS) == 0 {
			msg := fmt.Sprintf("kubelet does not have ClusterDNS IP configured and cannot create Pod using %q policy. Falling back to %q policy.", api.DNSClusterFirst, api.DNSDefault)
			warns = append(warns, Warning{Reason: "MissingClusterDNS", Message: fmt.Sprintf("pod: %q. %s", pod.Name+"_"+pod.Namespace+"("+pod.UID+")", msg)})
			useHost = true
			break
		}
		rc.Nameservers = nil
		for _, ip := range cfg.ClusterDNS {
			rc.Nameservers = append(rc.Nameservers, ip.String())
		}
		domain := strings.TrimSuffix(cfg.ClusterDomain, ".")
		if domain != "" {
			cluster := []string{pod.Namespace + ".svc." + domain, "svc." + domain, domain}
			rc.Searches = omitDuplicates(append(cluster, rc.Searches...))
		}
		rc.Options = []string{"ndots:5"}
	default:
		useHost = true
	}
	if useHost && cfg.HostResolvConf == nil {
		rc.Nameservers = nil
		for _, ip := range cfg.NodeIPs {
			if ip.Is6() && !ip.Is4In6() {
				rc.Nameservers = append(rc.Nameservers, "::1")
			} else {
				rc.Nameservers = append(rc.Nameservers, "127.0.0.1")
			}
		}
		if len(rc.Nameservers) == 0 {
			rc.Nameservers = []string{"127.0.0.1"}
		}
		rc.Searches = []string{"."}
	}
	if dc := pod.Spec.DNSConfig; dc != nil {
		rc.Nameservers = omitDuplicates(append(rc.Nameservers, dc.Nameservers...))
		rc.Searches = omitDuplicates(append(rc.Searches, dc.Searches...))
		rc.Options = mergeOptions(rc.Options, dc.Options)
	}
	if len(rc.Nameservers) > MaxDNSNameservers {
		rc.Nameservers = rc.Nameservers[:MaxDNSNameservers]
		warns = append(warns, Warning{Reason: "DNSConfigForming", Message: "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: " + strings.Join(rc.Nameservers, " ")})
	}
	var cut bool
	rc.Searches, cut = fitSearches(rc.Searches)
	if cut {
		warns = append(warns, Warning{Reason: "DNSConfigForming", Message: "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: " + strings.Join(rc.Searches, " ")})
	}
	if rc.Nameservers == nil {
		rc.Nameservers = []string{}
	}
	if rc.Searches == nil {
		rc.Searches = []string{}
	}
	if rc.Options == nil {
		rc.Options = []string{}
	}
	return rc, warns
}

// fitSearches is kubelet's formDNSSearchFitsLimits.
func fitSearches(s []string) ([]string, bool) {
	cut := false
	if len(s) > MaxDNSSearchPaths {
		s = s[:MaxDNSSearchPaths]
		cut = true
	}
	out := s[:0:0]
	for _, d := range s {
		if len(d) > maxSearchDomainLen {
			cut = true
			continue
		}
		out = append(out, d)
	}
	if l := len(strings.Join(out, " ")); l > MaxDNSSearchListChars {
		n, cutLen := 0, 0
		for i := len(out) - 1; i >= 0; i-- {
			cutLen += len(out[i]) + 1
			n++
			if l-cutLen <= MaxDNSSearchListChars {
				break
			}
		}
		out = out[:len(out)-n]
		cut = true
	}
	return out, cut
}

func omitDuplicates(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func mergeOptions(base []string, extra []api.PodDNSConfigOption) []string {
	type opt struct{ name, val string }
	var opts []opt
	set := func(n, v string) {
		for i := range opts {
			if opts[i].name == n {
				opts[i].val = v
				return
			}
		}
		opts = append(opts, opt{n, v})
	}
	for _, o := range base {
		n, v, _ := strings.Cut(o, ":")
		set(n, v)
	}
	for _, o := range extra {
		v := ""
		if o.Value != nil {
			v = *o.Value
		}
		set(o.Name, v)
	}
	out := []string{}
	for _, o := range opts {
		if o.val != "" {
			out = append(out, o.name+":"+o.val)
		} else {
			out = append(out, o.name)
		}
	}
	return out
}

// FieldError is a validation failure in Kubernetes' words.
type FieldError struct {
	Field  string // e.g. "spec.dnsConfig.nameservers"
	Type   string // "Invalid value", "Required value", "Unsupported value"
	Value  any    // the offending value; nil for a required field
	Detail string
}

// Error renders the field error as the API server words it.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Field)
	b.WriteString(": ")
	b.WriteString(e.Type)
	if e.Type != "Required value" {
		b.WriteString(": ")
		switch v := e.Value.(type) {
		case string:
			b.WriteString(strconv.Quote(v))
		default:
			fmt.Fprintf(&b, "%#v", v)
		}
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

var dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

const dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

// ValidatePodDNS checks a pod's dnsPolicy and dnsConfig as the API server
// does (validateDNSPolicy, validatePodDNSConfig; the strict search-domain
// rule of Kubernetes before RelaxedDNSSearchValidation). A pod that fails is
// rejected. An empty dnsPolicy is taken as ClusterFirst, the API default.
func ValidatePodDNS(spec *api.PodSpec) []*FieldError {
	var errs []*FieldError
	policy := spec.DNSPolicy
	switch policy {
	case "", api.DNSClusterFirst, api.DNSClusterFirstWithHostNet, api.DNSDefault, api.DNSNone:
	default:
		errs = append(errs, &FieldError{Field: "spec.dnsPolicy", Type: "Unsupported value", Value: string(policy),
			Detail: `supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`})
	}
	dc := spec.DNSConfig
	if policy == api.DNSNone {
		if dc == nil {
			return append(errs, &FieldError{Field: "spec.dnsConfig", Type: "Required value", Detail: "must provide `dnsConfig` when `dnsPolicy` is None"})
		}
		if len(dc.Nameservers) == 0 {
			return append(errs, &FieldError{Field: "spec.dnsConfig.nameservers", Type: "Required value", Detail: "must provide at least one DNS nameserver when `dnsPolicy` is None"})
		}
	}
	if dc == nil {
		return errs
	}
	if len(dc.Nameservers) > MaxDNSNameservers {
		errs = append(errs, &FieldError{Field: "spec.dnsConfig.nameservers", Type: "Invalid value", Value: dc.Nameservers,
			Detail: fmt.Sprintf("must not have more than %d nameservers", MaxDNSNameservers)})
	}
	for i, ns := range dc.Nameservers {
		if a, err := netip.ParseAddr(ns); err != nil || a.Zone() != "" {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("spec.dnsConfig.nameservers[%d]", i), Type: "Invalid value", Value: ns,
				Detail: "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"})
		}
	}
	if len(dc.Searches) > MaxDNSSearchPaths {
		errs = append(errs, &FieldError{Field: "spec.dnsConfig.searches", Type: "Invalid value", Value: dc.Searches,
			Detail: fmt.Sprintf("must not have more than %d search paths", MaxDNSSearchPaths)})
	}
	if len(strings.Join(dc.Searches, " ")) > MaxDNSSearchListChars {
		errs = append(errs, &FieldError{Field: "spec.dnsConfig.searches", Type: "Invalid value", Value: dc.Searches,
			Detail: fmt.Sprintf("must not have more than %d characters (including spaces) in the search list", MaxDNSSearchListChars)})
	}
	for i, s := range dc.Searches {
		s = strings.TrimSuffix(s, ".")
		f := fmt.Sprintf("spec.dnsConfig.searches[%d]", i)
		if len(s) > maxSearchDomainLen {
			errs = append(errs, &FieldError{Field: f, Type: "Invalid value", Value: s, Detail: "must be no more than 253 characters"})
		}
		if !dns1123Subdomain.MatchString(s) {
			errs = append(errs, &FieldError{Field: f, Type: "Invalid value", Value: s, Detail: dns1123SubdomainMsg})
		}
	}
	for i, o := range dc.Options {
		if o.Name == "" {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("spec.dnsConfig.options[%d]", i), Type: "Required value", Detail: "must not be empty"})
		}
	}
	return errs
}
