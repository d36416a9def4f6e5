package kubesim

import (
	"fmt"
	"sync"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/ipam"
	"github.com/kubesim/kubesim/namespace"
	"github.com/kubesim/kubesim/proxy"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

// Cluster is a simulated cluster. Its methods are safe for use from several
// goroutines; calls are serialised, so a run is deterministic for a given
// order of calls.
type Cluster struct {
	mu    sync.Mutex
	cfg   Config
	loop  *sim.Loop
	store *store.Store
	ctrl  *controller.Manager
	svcs  *ipam.Services
	dns   *dns.Server
	proxy *proxy.Proxy

	nodes     *ipam.Nodes               // pod ranges and pod IPs, for snapshots
	dnsFeed   *feed                     // the cluster DNS's watch
	proxyFeed *feed                     // the kube-proxies' watch
	faults    *faultState               // injected faults (faults.go)
	history   *history                  // deleted names, for the checker (check.go)
	caches    map[string]*dns.NodeCache // node name -> its NodeLocal DNSCache, when configured
}

// SettleLimit bounds how many events Settle runs before it reports a livelock.
const SettleLimit = 50_000_000

// New builds a cluster from cfg, creates what a fresh cluster of its platform
// holds (namespaces, nodes, `default/kubernetes`, kube-dns and coredns), and
// settles it, so that it returns with every system pod Ready.
func New(cfg Config) (*Cluster, error) {
	cfg, prof, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	loop := sim.New(cfg.Start, cfg.Seed)
	loop.Trace().SetKeep(!cfg.NoTrace)
	st := store.New(loop, store.Options{Validation: api.ValidationOptions{NodePortRange: cfg.NodePortRange}})
	svcs, err := ipam.NewServices(cfg.ServiceCIDRs, cfg.NodePortRange, loop.Rand("ipam/services"))
	if err != nil {
		return nil, fmt.Errorf("kubesim: %w", err)
	}
	nodes, err := ipam.NewNodes(cfg.ClusterCIDRs, cfg.NodeCIDRMaskSize, cfg.NodeCIDRMaskSize6)
	if err != nil {
		return nil, fmt.Errorf("kubesim: %w", err)
	}
	st.Use(svcs)
	st.Use(nodes)
	ctrl := controller.Start(loop, st, nodes, controller.Config{
		Latencies:     cfg.Latencies,
		LoadBalancer:  prof.lb,
		Hostname:      cfg.LoadBalancerHostname,
		APIServerPort: 6443,
	})
	ctrl.SetKubernetesServiceIP(kubernetesIP(cfg))
	namespace.Start(loop, st, cfg.NamespaceLatency)
	c := &Cluster{cfg: cfg, loop: loop, store: st, ctrl: ctrl, svcs: svcs, nodes: nodes}
	c.faults, c.history = newFaultState(c), newHistory(st)
	if err := c.startDNS(); err != nil {
		return nil, err
	}
	if err := c.startProxy(); err != nil {
		return nil, err
	}
	if _, err := st.Apply(bootstrapObjects(cfg, prof)); err != nil {
		return nil, fmt.Errorf("kubesim: bootstrap: %w", err)
	}
	ctrl.ReconcileAPIEndpoints()
	if err := c.settle(); err != nil {
		return nil, fmt.Errorf("kubesim: bootstrap: %w", err)
	}
	return c, nil
}

// Config returns the configuration the cluster runs with, defaults filled in.
func (c *Cluster) Config() Config {
	return c.cfg
}

// Apply decodes manifests (YAML or JSON, several documents) and applies them as
// `kubectl apply -f` does, returning one result per object in kubectl's words.
// The batch is all or nothing: if any object fails to decode, validate or be
// admitted, nothing is stored.
func (c *Cluster) Apply(manifests []byte) ([]store.Result, error) {
	objs, err := api.Decode(manifests)
	if err != nil {
		return nil, err
	}
	return c.ApplyObjects(objs...)
}

// ApplyObjects applies typed objects, all or nothing, like Apply.
func (c *Cluster) ApplyObjects(objs ...api.Object) ([]store.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	saved := c.saveRand()
	res, err := c.store.Apply(objs)
	if err != nil {
		c.loop.RestoreRand(saved)
	}
	return res, err
}

// writeStreams are the random streams a write draws from before it can still
// be refused: generated names and uids, and allocated addresses.
var writeStreams = []string{"apiserver", "ipam/services"}

// saveRand records the write streams so that a refused write leaves no trace:
// the next write draws exactly what it would have drawn.
func (c *Cluster) saveRand() sim.RandState { return c.loop.SaveRand(writeStreams...) }

// Create creates obj, which must not exist, and returns the stored copy.
func (c *Cluster) Create(obj api.Object) (api.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	saved := c.saveRand()
	o, err := c.store.Create(obj)
	if err != nil {
		c.loop.RestoreRand(saved)
		return nil, err
	}
	return o.DeepCopyObject(), nil
}

// Update replaces an existing object and returns the stored copy. A set
// resourceVersion must match the stored one.
func (c *Cluster) Update(obj api.Object) (api.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	saved := c.saveRand()
	o, err := c.store.Update(obj)
	if err != nil {
		c.loop.RestoreRand(saved)
		return nil, err
	}
	return o.DeepCopyObject(), nil
}

// Delete deletes an object as `kubectl delete` does: pods terminate gracefully,
// namespaces empty first, owned objects follow their owner.
func (c *Cluster) Delete(ref api.Ref) error {
	return c.DeleteWith(ref, store.DeleteOptions{})
}

// DeleteWith deletes with options, such as a grace period.
func (c *Cluster) DeleteWith(ref api.Ref, opts store.DeleteOptions) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.store.Delete(ref, opts)
}

// GetObject returns a copy of the object ref names.
func (c *Cluster) GetObject(ref api.Ref) (api.Object, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, err := c.store.Get(ref)
	if err != nil {
		return nil, err
	}
	return o.DeepCopyObject(), nil
}

// Get returns a copy of the object of type T (such as *api.Service) named
// namespace/name; namespace is ignored for cluster-scoped kinds.
func Get[T api.Object](c *Cluster, namespace, name string) (T, error) {
	var zero T
	kind := api.KindOf(zero)
	if info, _ := api.InfoFor(kind); !info.Namespaced {
		namespace = ""
	}
	o, err := c.GetObject(api.Ref{Kind: kind, Namespace: namespace, Name: name})
	if err != nil {
		return zero, err
	}
	return o.(T), nil
}

// List returns copies of the objects of kind k in namespace ns ("" for every
// namespace) that sel matches, sorted by namespace then name.
func (c *Cluster) List(k api.Kind, ns string, sel api.Selector) []api.Object {
	c.mu.Lock()
	defer c.mu.Unlock()
	objs := c.store.List(k, ns, sel)
	for i, o := range objs {
		objs[i] = o.DeepCopyObject()
	}
	return objs
}

// ListOf returns copies of the objects of type T in namespace ns ("" for all)
// that sel matches, sorted by namespace then name.
func ListOf[T api.Object](c *Cluster, ns string, sel api.Selector) []T {
	var zero T
	objs := c.List(api.KindOf(zero), ns, sel)
	out := make([]T, len(objs))
	for i, o := range objs {
		out[i] = o.(T)
	}
	return out
}

// Now returns the virtual time.
func (c *Cluster) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loop.Now()
}

// Advance runs the cluster for d of virtual time: every event due in that
// window happens, in order, and the clock ends d later.
func (c *Cluster) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loop.RunFor(d)
}

// Step runs the next pending event, advancing the clock to it, and reports
// whether there was one.
func (c *Cluster) Step() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loop.Step()
}

// Pending returns how many events wait on the loop.
func (c *Cluster) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loop.Pending()
}

// Settle runs until nothing is pending: every controller has caught up, every
// pod that can start is Ready, every deleted pod is gone. It returns a
// *sim.LivelockError if the cluster never goes quiet.
func (c *Cluster) Settle() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.settle()
}

func (c *Cluster) settle() error {
	_, err := c.loop.RunUntilIdle(SettleLimit)
	return err
}

// Trace returns the trace of every state change so far. It is shared: read it
// while no other goroutine drives the cluster.
func (c *Cluster) Trace() *sim.Trace {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loop.Trace()
}

// TraceHash returns the hash of the trace so far: equal hashes mean equal runs.
func (c *Cluster) TraceHash() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loop.Trace().Hash()
}
