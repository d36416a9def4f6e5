package kubesim

import (
	"fmt"
	"net/netip"
	"reflect"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/proxy"
)

// Platform names a kind of cluster whose defaults kubesim reproduces.
type Platform string

// The platforms kubesim knows. Docker Desktop is the default: the lab ran there.
const (
	DockerDesktop Platform = "docker-desktop"
	Kind          Platform = "kind"
	K3s           Platform = "k3s"
)

// Platforms lists the known platforms.
var Platforms = []Platform{DockerDesktop, Kind, K3s}

// DefaultStart is where the virtual clock starts unless Config.Start says
// otherwise: a fixed instant, so that timestamps are the same on every run.
var DefaultStart = time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC)

// Node describes a node to create at start.
type Node struct {
	Name   string
	IP     netip.Addr        // InternalIP
	Zone   string            // topology.kubernetes.io/zone label, if any
	Labels map[string]string // extra labels
}

// Config describes a cluster. The zero Config is a Docker Desktop cluster with
// seed 0; every field left zero takes the platform's default.
type Config struct {
	Platform Platform
	Seed     uint64
	Start    time.Time

	// ClusterCIDRs are the pod ranges (one per family; the first is primary).
	ClusterCIDRs []netip.Prefix
	// ServiceCIDRs are the service ranges, as kube-apiserver's
	// --service-cluster-ip-range (one per family).
	ServiceCIDRs []netip.Prefix
	// NodePortRange is the node-port range, 30000-32767 by default.
	NodePortRange api.PortRange
	// NodeCIDRMaskSize is the size of each node's IPv4 pod range (24), and
	// NodeCIDRMaskSize6 of its IPv6 one (64).
	NodeCIDRMaskSize  int
	NodeCIDRMaskSize6 int
	// Nodes replaces the platform's nodes.
	Nodes []Node
	// ClusterDomain is the DNS zone of the cluster ("cluster.local").
	ClusterDomain string
	// DNSServiceIP is kube-dns's cluster IP (the tenth address of the primary
	// service range).
	DNSServiceIP netip.Addr
	// LoadBalancerHostname is the ingress hostname Docker Desktop gives load
	// balancers ("localhost").
	LoadBalancerHostname string
	// CoreDNSReplicas is the size of the coredns deployment.
	CoreDNSReplicas int32

	// Latencies of controllers and kubelets; zero fields take the defaults.
	Latencies controller.Latencies
	// NamespaceLatency is how long the namespace controller takes to act (100ms).
	NamespaceLatency time.Duration

	// DNS is the cluster DNS's Corefile: the kubernetes plugin's options.
	// The zero value means dns.KubeadmConfig (pods insecure, fallthrough for
	// the reverse zones, ttl 30), the Corefile kubeadm and Docker Desktop
	// write; the zone defaults to ClusterDomain.
	DNS dns.Config
	// Upstream is the world outside the cluster that DNS forwards to; nil
	// means dns.DefaultUpstream (the lab's raw.githubusercontent.com).
	Upstream *dns.Upstream
	// DNSLag is how long a change takes to reach the cluster DNS through its
	// watch (100ms): a new service does not resolve before, a deleted one
	// lingers until then.
	DNSLag time.Duration

	// Proxy configures every node's kube-proxy: its mode and flags. The
	// cluster and service CIDRs default to the cluster's, and the local-traffic
	// detector to ClusterCIDR, as kubeadm runs kube-proxy.
	Proxy proxy.Config
	// ProxyLag is how long a change takes to reach the kube-proxies through
	// their watch (100ms); each then syncs on its own schedule.
	ProxyLag time.Duration

	// NodeLocalDNSCache runs NodeLocal DNSCache on every node, in its
	// transparent setup: pods' queries to the DNS service go through their
	// node's cache, and lookup paths show hits and misses.
	NodeLocalDNSCache bool

	// NoTrace stops the trace from keeping its entries (its hash is still
	// kept): large benchmarks set it to save memory.
	NoTrace bool
}

type profile struct {
	clusterCIDR, serviceCIDR string
	nodeInfo                 string // the nodes' status.nodeInfo, as JSON
	nodes                    []Node
	lb                       controller.LoadBalancerMode
	coreDNSReplicas          int32
	extras                   bool // k3s's traefik and metrics-server
}

var profiles = map[Platform]profile{
	DockerDesktop: {
		clusterCIDR: "10.1.0.0/16", serviceCIDR: "10.96.0.0/12",
		nodes:           []Node{{Name: "docker-desktop", IP: netip.MustParseAddr("192.168.65.3")}},
		lb:              controller.LoadBalancerHostname,
		coreDNSReplicas: 2,
		nodeInfo: `{"architecture":"amd64","containerRuntimeVersion":"docker://24.0.6","kernelVersion":"6.4.16-linuxkit",` +
			`"kubeProxyVersion":"v1.28.2","kubeletVersion":"v1.28.2","operatingSystem":"linux","osImage":"Docker Desktop"}`,
	},
	Kind: {
		clusterCIDR: "10.244.0.0/16", serviceCIDR: "10.96.0.0/12",
		nodes:           []Node{{Name: "kind-control-plane", IP: netip.MustParseAddr("172.18.0.2")}},
		lb:              controller.LoadBalancerPending,
		coreDNSReplicas: 2,
		nodeInfo: `{"architecture":"amd64","containerRuntimeVersion":"containerd://1.7.13","kernelVersion":"6.1.0-18-amd64",` +
			`"kubeProxyVersion":"v1.29.2","kubeletVersion":"v1.29.2","operatingSystem":"linux","osImage":"Debian GNU/Linux 12 (bookworm)"}`,
	},
	K3s: {
		clusterCIDR: "10.42.0.0/16", serviceCIDR: "10.43.0.0/16",
		nodes:           []Node{{Name: "k3s-server", IP: netip.MustParseAddr("192.168.5.15")}},
		lb:              controller.LoadBalancerNodeIP,
		coreDNSReplicas: 1,
		extras:          true,
		nodeInfo: `{"architecture":"amd64","containerRuntimeVersion":"containerd://1.7.11-k3s2","kernelVersion":"6.5.0-14-generic",` +
			`"kubeProxyVersion":"v1.28.5+k3s1","kubeletVersion":"v1.28.5+k3s1","operatingSystem":"linux","osImage":"Ubuntu 22.04.3 LTS"}`,
	},
}

// withDefaults returns c with every zero field filled from its platform.
func (c Config) withDefaults() (Config, profile, error) {
	if c.Platform == "" {
		c.Platform = DockerDesktop
	}
	p, ok := profiles[c.Platform]
	if !ok {
		return c, p, fmt.Errorf("kubesim: unknown platform %q: want one of docker-desktop, kind, k3s", c.Platform)
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	if len(c.ClusterCIDRs) == 0 {
		c.ClusterCIDRs = []netip.Prefix{netip.MustParsePrefix(p.clusterCIDR)}
	}
	if len(c.ServiceCIDRs) == 0 {
		c.ServiceCIDRs = []netip.Prefix{netip.MustParsePrefix(p.serviceCIDR)}
	}
	if c.NodePortRange.Size == 0 {
		c.NodePortRange = api.PortRange{Base: 30000, Size: 2768}
	}
	if c.NodeCIDRMaskSize == 0 {
		c.NodeCIDRMaskSize = 24
	}
	if c.NodeCIDRMaskSize6 == 0 {
		c.NodeCIDRMaskSize6 = 64
	}
	if len(c.Nodes) == 0 {
		c.Nodes = p.nodes
	}
	if c.ClusterDomain == "" {
		c.ClusterDomain = "cluster.local"
	}
	if !c.DNSServiceIP.IsValid() {
		c.DNSServiceIP = nthAddr(c.ServiceCIDRs[0], 10)
	}
	if c.LoadBalancerHostname == "" {
		c.LoadBalancerHostname = "localhost"
	}
	if c.CoreDNSReplicas == 0 {
		c.CoreDNSReplicas = p.coreDNSReplicas
	}
	d := controller.DefaultLatencies()
	fill := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	l := &c.Latencies
	fill(&l.Deployment, d.Deployment)
	fill(&l.ReplicaSet, d.ReplicaSet)
	fill(&l.Scheduler, d.Scheduler)
	fill(&l.Endpoints, d.Endpoints)
	fill(&l.EndpointSlice, d.EndpointSlice)
	fill(&l.GC, d.GC)
	fill(&l.LoadBalancer, d.LoadBalancer)
	fill(&l.APIServer, d.APIServer)
	fill(&l.PodStart, d.PodStart)
	fill(&l.PodReady, d.PodReady)
	fill(&l.PodStop, d.PodStop)
	fill(&c.NamespaceLatency, 100*time.Millisecond)
	fill(&c.DNSLag, 100*time.Millisecond)
	fill(&c.ProxyLag, 100*time.Millisecond)
	if c.Proxy.DetectLocal == "" {
		c.Proxy.DetectLocal = proxy.DetectLocalClusterCIDR
	}
	if reflect.ValueOf(c.DNS).IsZero() {
		c.DNS = dns.KubeadmConfig()
	}
	return c, p, c.check()
}

func (c Config) check() error {
	for _, sets := range [][]netip.Prefix{c.ClusterCIDRs, c.ServiceCIDRs} {
		if len(sets) > 2 || (len(sets) == 2 && sets[0].Addr().Is4() == sets[1].Addr().Is4()) {
			return fmt.Errorf("kubesim: CIDRs %v: want at most one per IP family", sets)
		}
	}
	for _, s := range c.ServiceCIDRs {
		for _, p := range c.ClusterCIDRs {
			if s.Overlaps(p) {
				return fmt.Errorf("kubesim: service CIDR %s overlaps cluster CIDR %s", s, p)
			}
		}
	}
	if !c.ServiceCIDRs[0].Contains(c.DNSServiceIP) {
		return fmt.Errorf("kubesim: DNS service IP %s is outside service CIDR %s", c.DNSServiceIP, c.ServiceCIDRs[0])
	}
	seen := map[string]bool{}
	for _, n := range c.Nodes {
		if n.Name == "" || seen[n.Name] {
			return fmt.Errorf("kubesim: node names must be set and unique, got %q", n.Name)
		}
		seen[n.Name] = true
	}
	return nil
}

// nthAddr returns the n-th address of p (the network address is the 0th).
func nthAddr(p netip.Prefix, n int) netip.Addr {
	a := p.Masked().Addr()
	for range n {
		a = a.Next()
	}
	return a
}

// GenerateNodes returns n nodes named node-00001 and so on, with InternalIPs
// from 172.16.0.0/12 and spread round-robin over zones zone-a, zone-b, ... (no
// zone label when zones is 0): the shape benchmarks at scale use.
func GenerateNodes(n, zones int) []Node {
	nodes := make([]Node, n)
	base := netip.MustParseAddr("172.16.0.1")
	for i := range nodes {
		ip := base
		b := ip.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) + uint32(i)
		ip = netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		nodes[i] = Node{Name: fmt.Sprintf("node-%05d", i+1), IP: ip}
		if zones > 0 {
			nodes[i].Zone = "zone-" + string(rune('a'+i%zones))
		}
	}
	return nodes
}
