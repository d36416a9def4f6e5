package simtest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Generate returns n random ops for a cluster of configuration cfg, drawn
// from cfg.Seed. The same seed and n give the same ops; a longer sequence
// starts with the shorter one.
//
// The generator covers: namespaces created and deleted (with everything in
// them); deployments created (ports named and unnamed, TCP and UDP,
// readiness delays, preStop hooks, grace periods, hostnames and subdomains,
// Recreate or rolling), scaled, rolled to a new image and deleted; bare pods;
// services of every type (ClusterIP, NodePort, LoadBalancer, headless,
// ExternalName to outside names, in-cluster names and IPs) with and without
// selectors, named and numeric target ports, requested node ports and
// cluster IPs (which may collide), publishNotReadyAddresses, Local traffic
// policies, ClientIP affinity and topology hints; hand-written Endpoints and
// EndpointSlices; pods killed gracefully and forcefully; lookups from pods and
// connections through kube-proxy; every kind of fault, timed or healed later;
// and virtual time advanced by random amounts, from milliseconds to past the
// 300s eviction toleration, or run until the cluster settles.
func Generate(cfg Config, n int) []Op {
	g := &gen{r: rand.New(rand.NewPCG(cfg.Seed, 0x0965)), cfg: cfg}
	ops := make([]Op, 0, n)
	for range n {
		ops = append(ops, g.next())
	}
	return ops
}

type gen struct {
	r       *rand.Rand
	cfg     Config
	faults  int      // faults generated so far (their IDs, if all are accepted)
	created []string // NS/NAME of deployments created with replicas, most likely to have pods
	svcs    []string // NS/NAME of services created
}

func (g *gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) pick3(xs ...int) int      { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool    { return g.r.Float64() < p }

var (
	namespaces   = []string{"default", "default", "default", "team-a", "team-b"}
	deployments  = []string{"d1", "d2", "d3", "d4"}
	serviceNames = []string{"s1", "s2", "s3", "s4", "s5", "d1", "d2"}
)

func (g *gen) ns() string { return g.pick(namespaces...) }

func (g *gen) node() string { return fmt.Sprintf("node-%05d", 1+g.r.IntN(g.cfg.Nodes)) }

func (g *gen) podRef() string {
	if len(g.created) > 0 && g.chance(0.8) {
		return g.pick(g.created...) + fmt.Sprintf("#%d", g.r.IntN(4))
	}
	return g.ns() + "/" + g.pick(deployments...) + fmt.Sprintf("#%d", g.r.IntN(4))
}

func (g *gen) svcRef() string {
	if len(g.svcs) > 0 && g.chance(0.8) {
		return g.pick(g.svcs...)
	}
	return g.ns() + "/" + g.pick(serviceNames...)
}

func (g *gen) duration(lo, hi time.Duration) string {
	d := lo + time.Duration(g.r.Int64N(int64(hi-lo)+1))
	return d.Truncate(time.Millisecond).String()
}

func op(verb string, args ...string) Op { return Op{Verb: verb, Args: args} }

func (g *gen) next() Op {
	w := g.r.IntN(100)
	switch {
	case w < 14:
		return g.advance()
	case w < 17:
		return op("settle")
	case w < 20:
		name := g.pick("team-a", "team-b")
		if g.chance(0.7) {
			return op("ns", "create", name)
		}
		return op("ns", "delete", name)
	case w < 38:
		return g.deploy()
	case w < 54:
		return g.service()
	case w < 58:
		return g.endpoints()
	case w < 62:
		args := []string{"kill", g.podRef()}
		if g.chance(0.3) {
			args = append(args, "grace=0")
		}
		return op("pod", args...)
	case w < 64:
		d := g.pick(deployments...)
		return op("pod", "create", g.ns()+"/bare-"+d, "app="+d, "ports="+g.pick("http:8080", "web:8080", "dns:53/UDP", "8080"))
	case w < 76:
		return g.fault()
	case w < 80:
		if g.faults == 0 || g.chance(0.2) {
			return op("heal", "all")
		}
		return op("heal", fmt.Sprintf("#%d", 1+g.r.IntN(g.faults)))
	case w < 90:
		return op("resolve", g.podRef(), g.pick("s1", "s2", "d1", "s3.team-a", "s4.default.svc.cluster.local", "raw.githubusercontent.com", "kubernetes.default", "nope", "d1.team-b.svc"))
	default:
		return op("curl", g.podRef(), g.svcRef(), g.pick("80", "53", "81", "8000"), fmt.Sprintf("sport=%d", g.r.IntN(50)))
	}
}

func (g *gen) advance() Op {
	switch w := g.r.IntN(100); {
	case w < 60:
		return op("advance", g.duration(time.Millisecond, 1500*time.Millisecond))
	case w < 90:
		return op("advance", g.duration(2*time.Second, 20*time.Second))
	case w < 97:
		return op("advance", g.duration(30*time.Second, 120*time.Second))
	}
	return op("advance", g.duration(300*time.Second, 420*time.Second))
}

func (g *gen) deploy() Op {
	ref := g.ns() + "/" + g.pick(deployments...)
	switch w := g.r.IntN(12); {
	case w < 2:
		return op("deploy", "scale", ref, fmt.Sprintf("replicas=%d", g.r.IntN(5)))
	case w < 3:
		return op("deploy", "image", ref, "image="+g.pick("nginx:1", "nginx:2", "nginx:3"))
	case w < 4:
		return op("deploy", "delete", ref)
	}
	name := ref[strings.Index(ref, "/")+1:]
	replicas := g.pick3(0, 1, 2, 3, 2)
	if replicas > 0 {
		g.created = append(g.created, ref)
	}
	args := []string{"create", ref, fmt.Sprintf("replicas=%d", replicas), "image=" + g.pick("nginx:1", "nginx:2")}
	var ports []string
	for _, p := range []string{"http:8080", "dns:53/UDP", "metrics:9090", "8081"} {
		if g.chance(0.5) {
			ports = append(ports, p)
		}
	}
	if len(ports) > 0 {
		args = append(args, "ports="+strings.Join(ports, ","))
	}
	if g.chance(0.3) {
		args = append(args, "labels=tier:"+g.pick("web", "api"))
	}
	if g.chance(0.2) {
		args = append(args, fmt.Sprintf("probe=%d", 1+g.r.IntN(5)))
	}
	switch w := g.r.IntN(10); {
	case w < 2:
		args = append(args, fmt.Sprintf("prestop=%d", 1+g.r.IntN(10)))
	case w < 4:
		args = append(args, fmt.Sprintf("grace=%d", g.r.IntN(5)))
	}
	if g.chance(0.15) {
		args = append(args, "hostname=h-"+name, "subdomain="+g.pick(serviceNames...))
	}
	if g.chance(0.15) {
		args = append(args, "+recreate")
	}
	return op("deploy", args...)
}

func (g *gen) service() Op {
	ref := g.ns() + "/" + g.pick(serviceNames...)
	if g.chance(0.12) {
		return op("svc", "delete", ref)
	}
	args := []string{"create", ref}
	g.svcs = append(g.svcs, ref)
	typ := g.pick("ClusterIP", "ClusterIP", "ClusterIP", "NodePort", "NodePort", "LoadBalancer", "Headless", "Headless", "ExternalName")
	args = append(args, "type="+typ)
	if typ == "ExternalName" {
		args = append(args, "external="+g.pick("raw.githubusercontent.com", "example.com", "s1.team-a.svc.cluster.local", "10.0.0.1", "nowhere.invalid"))
		return op("svc", args...)
	}
	if g.chance(0.85) {
		sel := "app:" + g.pick(deployments...)
		if g.chance(0.15) {
			sel = "tier:" + g.pick("web", "api")
		}
		args = append(args, "selector="+sel)
	}
	var ports []string
	for i, p := range []string{"http:80:http", "web:8000:8080", "dns:53:dns/UDP", "m:9090:metrics", "p:81"} {
		if g.chance(0.4) || (i == 1 && len(ports) == 0) {
			ports = append(ports, p)
		}
	}
	if (typ == "NodePort" || typ == "LoadBalancer") && g.chance(0.2) {
		// Request a node port, from a small set so that requests collide.
		base, proto, hasProto := strings.Cut(ports[0], "/")
		if f := strings.Split(base, ":"); len(f) == 2 {
			base += ":" + f[1]
		}
		base += fmt.Sprintf(":%d", 30080+g.r.IntN(3))
		if hasProto {
			base += "/" + proto
		}
		ports[0] = base
	}
	args = append(args, "ports="+strings.Join(ports, ","))
	if typ != "Headless" && g.chance(0.05) {
		args = append(args, fmt.Sprintf("clusterip=10.%d.0.%d", g.pick96(), 50+g.r.IntN(3)))
	}
	if g.chance(0.15) {
		args = append(args, "+publish")
	}
	if g.chance(0.1) {
		args = append(args, "itp=Local")
	}
	if (typ == "NodePort" || typ == "LoadBalancer") && g.chance(0.2) {
		args = append(args, "etp=Local")
	}
	if g.chance(0.1) {
		args = append(args, "+affinity")
	}
	if g.chance(0.1) {
		args = append(args, "td=PreferClose")
	}
	return op("svc", args...)
}

// pick96 returns the second octet of an address inside the platform's
// service range most of the time (10.96/12 or 10.43/16), sometimes outside.
func (g *gen) pick96() int {
	if g.cfg.Platform == "k3s" && g.chance(0.8) {
		return 43
	}
	return []int{96, 100, 43}[g.r.IntN(3)]
}

func (g *gen) endpoints() Op {
	ref := g.ns() + "/" + g.pick(serviceNames...)
	ips := []string{}
	for range 1 + g.r.IntN(3) {
		ips = append(ips, fmt.Sprintf("192.168.%d.%d", 50+g.r.IntN(2), 1+g.r.IntN(5)))
	}
	if g.chance(0.5) {
		if g.chance(0.2) {
			return op("ep", "delete", ref)
		}
		args := []string{"create", ref, "ips=" + strings.Join(ips, ","), "ports=" + g.pick("web:8080", "http:8080", "dns:53/UDP", ":80")}
		if g.chance(0.3) {
			args = append(args, fmt.Sprintf("notready=192.168.52.%d", 1+g.r.IntN(3)))
		}
		return op("ep", args...)
	}
	ns, svc, _ := strings.Cut(ref, "/")
	name := ns + "/" + svc + "-manual"
	if g.chance(0.2) {
		return op("slice", "delete", name)
	}
	args := []string{"create", name, "service=" + svc, "ips=" + strings.Join(ips, ","), "ports=" + g.pick("web:8080", "http:8080", "dns:53/UDP", "p:81")}
	if g.chance(0.3) {
		args = append(args, fmt.Sprintf("notready=192.168.52.%d", 1+g.r.IntN(3)))
	}
	if g.chance(0.3) {
		args = append(args, "hostname=manual")
	}
	return op("slice", args...)
}

func (g *gen) fault() Op {
	var args []string
	switch w := g.r.IntN(9); w {
	case 0, 1:
		comp := g.pick("dns", "endpoints-controller", "kube-proxy/"+g.node())
		args = []string{"watch", comp}
		if g.chance(0.6) {
			args = append(args, "delay="+g.duration(100*time.Millisecond, 5*time.Second))
		}
		if len(args) == 2 || g.chance(0.4) {
			args = append(args, "drop="+g.pick("0.2", "0.5", "1"))
		}
	case 2:
		args = []string{"stall-proxy", g.node()}
	case 3, 4:
		args = []string{"node-not-ready", g.node()}
	case 5, 6:
		args = []string{"flap-readiness", g.podRef(), "period=" + g.duration(200*time.Millisecond, 3*time.Second), fmt.Sprintf("count=%d", 1+g.r.IntN(6))}
	case 7:
		args = []string{"dns-replica-down", fmt.Sprintf("#%d", g.r.IntN(2))}
	default:
		args = []string{"upstream-fail", g.pick("raw.githubusercontent.com", "example.com")}
	}
	if g.chance(0.15) {
		args = append(args, "after="+g.duration(100*time.Millisecond, 5*time.Second))
	}
	if g.chance(0.75) {
		args = append(args, "for="+g.duration(500*time.Millisecond, 60*time.Second))
		if args[0] == "node-not-ready" && g.chance(0.3) {
			args[len(args)-1] = "for=" + g.duration(300*time.Second, 400*time.Second)
		}
	}
	g.faults++
	return op("fault", args...)
}
