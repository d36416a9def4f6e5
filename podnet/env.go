package podnet

import (
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/netip"
	"path"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
)

// Env is the network tools of the pods of one cluster: a kubectl.ExecEnv
// whose programs (nslookup, dig, ping, wget, curl and cat of a pod's files)
// resolve names through the pod's own resolver and send traffic through its
// node's kube-proxy rules, as the real programs do.
//
// An Env is deterministic: its only randomness (ephemeral ports, ping times,
// dig's query ids, the numbers API's answers) comes from one stream per pod,
// seeded from the cluster's seed and the pod's namespace and name, so that the
// same calls give the same output. It is not safe for concurrent use; like a
// kubectl.Runner it drives the cluster's clock, since a command takes the
// virtual time it would take (a connection that times out lets two minutes
// pass).
type Env struct {
	// Cluster is the cluster the pods run in.
	Cluster *kubesim.Cluster
	// Images says what an image holds; nil means ImageFor. Override it to
	// teach podnet about an image of your own.
	Images func(ref string) Image

	streams map[string]*rand.Rand
}

// New returns the network tools of c's pods.
func New(c *kubesim.Cluster) *Env {
	return &Env{Cluster: c}
}

// Exec runs argv in container of pod p when the container's image has that
// program, and reports ok false otherwise, so that kubectl reports the
// program as not found (or runs its shell builtin of that name, as for cat
// reading standard input). It implements kubectl.ExecEnv.
func (e *Env) Exec(p *api.Pod, container string, argv []string, stdin string, stdout, stderr io.Writer) (status int, ok bool) {
	if p == nil || len(argv) == 0 {
		return 0, false
	}
	img := e.image(p, container)
	x := &execution{e: e, pod: p, img: img, stdout: stdout, stderr: stderr}
	switch path.Base(argv[0]) {
	case "nslookup":
		if img.Tools.Has(Nslookup) {
			return x.nslookup(argv[1:]), true
		}
	case "dig":
		if img.Tools.Has(Dig) {
			return x.dig(argv[1:]), true
		}
	case "ping":
		if img.Tools.Has(Ping) {
			return x.ping(argv[1:]), true
		}
	case "wget":
		if img.Tools.Has(Wget) {
			return x.wget(argv[1:]), true
		}
	case "curl":
		if img.Tools.Has(Curl) {
			return x.curl(argv[1:]), true
		}
	case "cat":
		// One named file is served here; standard input and several files
		// are the shell's builtin cat, which reads each file through here.
		if img.Tools.Has(Cat) && len(argv) == 2 && argv[1] != "-" && !strings.HasPrefix(argv[1], "-") {
			return x.cat(argv[1]), true
		}
	}
	return 0, false
}

// execution is one program run in a pod.
type execution struct {
	e              *Env
	pod            *api.Pod
	img            Image
	stdout, stderr io.Writer
	// explain asks connect for the node's rules walked, for a Trace.
	explain bool
	// onResolved, when set, hears the address a fetch connects to once the
	// host has resolved (wget prints it before it connects).
	onResolved func(addrPort string)
}

// image returns what podnet knows of the image of a pod's container.
func (e *Env) image(p *api.Pod, container string) Image {
	ref := ""
	for _, c := range p.Spec.Containers {
		if c.Name == container || ref == "" {
			ref = c.Image
		}
		if c.Name == container {
			break
		}
	}
	return e.lookup(ref)
}

// lookup returns what the Env knows of an image reference.
func (e *Env) lookup(ref string) Image {
	if e.Images != nil {
		return e.Images(ref)
	}
	return ImageFor(ref)
}

// stream returns a pod's random stream: seeded from the cluster's seed and
// the pod's namespace and name, so that it is the same in every run and
// independent of the other pods' streams.
func (e *Env) stream(p *api.Pod) *rand.Rand {
	key := p.Namespace + "/" + p.Name
	if r, ok := e.streams[key]; ok {
		return r
	}
	if e.streams == nil {
		e.streams = map[string]*rand.Rand{}
	}
	h := fnv.New64a()
	io.WriteString(h, "podnet/"+key)
	r := rand.New(rand.NewPCG(e.Cluster.Config().Seed, h.Sum64()))
	e.streams[key] = r
	return r
}

// stub returns the pod's stub resolver, with the C library of its image.
func (x *execution) stub() (dns.Stub, error) {
	st, err := x.e.Cluster.Stub(x.pod.Namespace, x.pod.Name)
	if err != nil {
		return st, err
	}
	if x.img.Libc != "" {
		st.Resolver = x.img.Libc
	}
	return st, nil
}

// advance lets the time a program took pass on the cluster's clock.
func (e *Env) advance(d time.Duration) {
	if d > 0 {
		e.Cluster.Advance(d)
	}
}

// podByIP finds the pod that holds an address: running or terminating, but
// not yet gone.
func (e *Env) podByIP(a netip.Addr) *api.Pod {
	for _, p := range kubesim.ListOf[*api.Pod](e.Cluster, "", api.Everything()) {
		if p.Spec.HostNetwork {
			continue
		}
		if p.Status.PodIP == a {
			return p
		}
		for _, ip := range p.Status.PodIPs {
			if ip.IP == a {
				return p
			}
		}
	}
	return nil
}

// nodeByIP finds the node that holds an address.
func (e *Env) nodeByIP(a netip.Addr) *api.Node {
	for _, n := range kubesim.ListOf[*api.Node](e.Cluster, "", api.Everything()) {
		for _, na := range n.Status.Addresses {
			if ip, err := netip.ParseAddr(na.Address); err == nil && ip == a {
				return n
			}
		}
	}
	return nil
}

// inClusterCIDR reports whether a is a pod address of the cluster.
func (e *Env) inClusterCIDR(a netip.Addr) bool {
	for _, p := range e.Cluster.Config().ClusterCIDRs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// inServiceCIDR reports whether a is in a service range.
func (e *Env) inServiceCIDR(a netip.Addr) bool {
	for _, p := range e.Cluster.Config().ServiceCIDRs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// outside reports whether the outside world (the upstream DNS zone) holds a
// host at a, and returns its name.
func (e *Env) outside(a netip.Addr) (string, bool) {
	for _, rr := range e.Cluster.DNS().Upstream().Records() {
		if (rr.Type == dns.TypeA || rr.Type == dns.TypeAAAA) && rr.Addr == a {
			return strings.TrimSuffix(rr.Name, "."), true
		}
	}
	return "", false
}

// outsideName reports whether the outside world has a host of that name.
func (e *Env) outsideName(name string) bool {
	name = strings.TrimSuffix(strings.ToLower(name), ".") + "."
	for _, rr := range e.Cluster.DNS().Upstream().Records() {
		if (rr.Type == dns.TypeA || rr.Type == dns.TypeAAAA) && strings.EqualFold(rr.Name, name) {
			return true
		}
	}
	return false
}

// running reports whether a pod's containers run, so that it answers.
func running(p *api.Pod) bool {
	if p.Status.Phase != api.PodRunning {
		return false
	}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Started != nil && *cs.Started {
			return true
		}
	}
	return false
}

// hostname is the pod's hostname, as /etc/hostname holds it.
func hostname(p *api.Pod) string {
	if p.Spec.Hostname != "" {
		return p.Spec.Hostname
	}
	return p.Name
}
