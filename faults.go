package kubesim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/proxy"
	"github.com/kubesim/kubesim/store"
)

// Fault is a fault kubesim can inject into a running cluster: a WatchFault,
// ProxyStall, NodeNotReady, ReadinessFlap, DNSReplicaDown or UpstreamFail.
// Faults are plain values; Cluster.Inject runs them on the virtual clock, and
// every random choice they make draws from the cluster's "faults" stream, so a
// run with faults is as reproducible as one without.
//
// String renders a fault in the text form ParseFault reads.
type Fault interface {
	String() string
	fault()
}

// Watch components a WatchFault can target. A node's kube-proxy is named
// "kube-proxy/NODE".
const (
	ComponentDNS       = "dns"
	ComponentEndpoints = "endpoints-controller"
	ComponentProxy     = "kube-proxy/"
)

// WatchFault slows down or breaks one component's watch of the API server:
// the endpoints controllers (ComponentEndpoints), the cluster DNS
// (ComponentDNS) or one node's kube-proxy ("kube-proxy/NODE").
//
// Each event reaches the component Delay later than it normally would, and
// is lost with probability Drop. When the fault ends, a component that lost
// events relists, as an informer does when its watch is re-established: one
// lag later it is brought up to date with the store. Until then it is stale
// (a deleted service may still resolve, a new endpoint is not routed to),
// and Check does not hold it to the store.
//
// The kube-proxies of all nodes share one copy of the cluster state, so one
// node cannot miss a single event and apply later ones: a node that loses an
// event keeps the rules of its last sync until its watch is re-established
// (as ProxyStall), and a Delay on a node is added to its sync latency.
type WatchFault struct {
	Component string
	Delay     time.Duration
	Drop      float64
}

// ProxyStall hangs one node's kube-proxy sync loop: the node keeps routing
// with the rules of its last completed sync while the other nodes move on.
// When it ends the node's kube-proxy syncs everything it missed at once.
type ProxyStall struct {
	Node string
}

// NodeNotReady makes a node's kubelet report NotReady. Within the node
// lifecycle controller's monitor period (5s) the node's pods are marked not
// ready and leave their services' endpoints; no new pod is scheduled there;
// pods that are still there after their toleration of the not-ready taint
// (300s unless they set their own) are evicted, and their replica sets
// recreate them elsewhere. When the fault ends the node is Ready again and
// the pods it still runs are reported ready.
type NodeNotReady struct {
	Node string
}

// ReadinessFlap makes one pod's readiness probe alternate between failing
// and passing: Count changes of its Ready condition (6 when zero and the
// fault has no duration; unlimited when it has one), the first to not
// ready, about Period apart (2s when zero; each interval is drawn between
// half and one and a half Period). It always ends with the pod ready.
type ReadinessFlap struct {
	Namespace, Pod string
	Period         time.Duration
	Count          int
}

// DNSReplicaDown stops one CoreDNS pod from answering (Pod names it in
// kube-system; empty means the first coredns pod by name). A pod's lookup
// goes where kube-proxy on its node sends it: to the stopped replica, every
// query of the lookup times out after the resolver's 5s. The replica's
// readiness probe fails after ProbeFailAfter (30s when zero: a 10s period
// times 3 failures; negative: never), which takes it out of the kube-dns
// endpoints, so that later lookups avoid it. When the fault ends the replica
// answers and is ready again.
type DNSReplicaDown struct {
	Pod            string
	ProbeFailAfter time.Duration
}

// UpstreamFail makes a name in the world outside the cluster answer SERVFAIL,
// for any type, including when a CNAME chain (an ExternalName service's)
// reaches it. The cluster's Upstream is changed in place: clusters that share
// one Upstream value share the fault.
type UpstreamFail struct {
	Name string
}

func (WatchFault) fault()     {}
func (ProxyStall) fault()     {}
func (NodeNotReady) fault()   {}
func (ReadinessFlap) fault()  {}
func (DNSReplicaDown) fault() {}
func (UpstreamFail) fault()   {}

// String is the fault's text form, which ParseFault reads back.
func (f WatchFault) String() string {
	s := "watch " + f.Component
	if f.Delay != 0 {
		s += " delay=" + f.Delay.String()
	}
	if f.Drop != 0 {
		s += " drop=" + strconv.FormatFloat(f.Drop, 'g', -1, 64)
	}
	return s
}

// String is the fault's text form, which ParseFault reads back.
func (f ProxyStall) String() string { return "stall-proxy " + f.Node }

// String is the fault's text form, which ParseFault reads back.
func (f NodeNotReady) String() string { return "node-not-ready " + f.Node }

// String is the fault's text form, which ParseFault reads back.
func (f ReadinessFlap) String() string {
	s := "flap-readiness " + f.Namespace + "/" + f.Pod
	if f.Period != 0 {
		s += " period=" + f.Period.String()
	}
	if f.Count != 0 {
		s += " count=" + strconv.Itoa(f.Count)
	}
	return s
}

// String is the fault's text form, which ParseFault reads back.
func (f DNSReplicaDown) String() string {
	s := "dns-replica-down"
	if f.Pod != "" {
		s += " " + f.Pod
	}
	if f.ProbeFailAfter != 0 {
		s += " probe-fail-after=" + f.ProbeFailAfter.String()
	}
	return s
}

// String is the fault's text form, which ParseFault reads back.
func (f UpstreamFail) String() string { return "upstream-fail " + f.Name }

// ParseFault reads a fault in its text form, one of
//
//	watch dns|endpoints-controller|kube-proxy/NODE [delay=DURATION] [drop=PROBABILITY]
//	stall-proxy NODE
//	node-not-ready NODE
//	flap-readiness NAMESPACE/POD [period=DURATION] [count=N]
//	dns-replica-down [POD] [probe-fail-after=DURATION]
//	upstream-fail NAME
//
// Durations are Go durations ("1.5s", "2m"). The result's String gives the
// text back.
func ParseFault(s string) (Fault, error) {
	words := strings.Fields(s)
	if len(words) == 0 {
		return nil, fmt.Errorf("kubesim: empty fault")
	}
	bad := func(format string, args ...any) (Fault, error) {
		return nil, fmt.Errorf("kubesim: fault %q: %s", s, fmt.Sprintf(format, args...))
	}
	var pos []string
	opts := map[string]string{}
	for _, w := range words[1:] {
		if k, v, ok := strings.Cut(w, "="); ok {
			if _, dup := opts[k]; dup {
				return bad("option %s given twice", k)
			}
			opts[k] = v
		} else {
			pos = append(pos, w)
		}
	}
	dur := func(k string) (time.Duration, error) {
		v, ok := opts[k]
		if !ok {
			return 0, nil
		}
		delete(opts, k)
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, fmt.Errorf("%s=%s: not a duration", k, v)
		}
		return d, nil
	}
	var f Fault
	var err error
	one := func(what string) (string, error) {
		if len(pos) != 1 {
			return "", fmt.Errorf("want one %s, got %d arguments", what, len(pos))
		}
		return pos[0], nil
	}
	switch words[0] {
	case "watch":
		var wf WatchFault
		if wf.Component, err = one("component"); err != nil {
			break
		}
		if wf.Delay, err = dur("delay"); err != nil {
			break
		}
		if v, ok := opts["drop"]; ok {
			delete(opts, "drop")
			if wf.Drop, err = strconv.ParseFloat(v, 64); err != nil {
				err = fmt.Errorf("drop=%s: not a number", v)
				break
			}
		}
		f = wf
	case "stall-proxy":
		var n string
		n, err = one("node")
		f = ProxyStall{Node: n}
	case "node-not-ready":
		var n string
		n, err = one("node")
		f = NodeNotReady{Node: n}
	case "flap-readiness":
		var ref string
		if ref, err = one("NAMESPACE/POD"); err != nil {
			break
		}
		ns, name, ok := strings.Cut(ref, "/")
		if !ok {
			err = fmt.Errorf("%q: want NAMESPACE/POD", ref)
			break
		}
		fl := ReadinessFlap{Namespace: ns, Pod: name}
		if fl.Period, err = dur("period"); err != nil {
			break
		}
		if v, ok := opts["count"]; ok {
			delete(opts, "count")
			if fl.Count, err = strconv.Atoi(v); err != nil {
				err = fmt.Errorf("count=%s: not a number", v)
				break
			}
		}
		f = fl
	case "dns-replica-down":
		var d DNSReplicaDown
		if len(pos) > 1 {
			err = fmt.Errorf("want at most one pod, got %d arguments", len(pos))
			break
		}
		if len(pos) == 1 {
			d.Pod = strings.TrimPrefix(pos[0], "kube-system/")
		}
		d.ProbeFailAfter, err = dur("probe-fail-after")
		f = d
	case "upstream-fail":
		var n string
		n, err = one("name")
		f = UpstreamFail{Name: n}
	default:
		return bad("unknown fault %q: want watch, stall-proxy, node-not-ready, flap-readiness, dns-replica-down or upstream-fail", words[0])
	}
	if err != nil {
		return bad("%v", err)
	}
	for k := range opts {
		return bad("unknown option %s", k)
	}
	if err := checkFault(f); err != nil {
		return bad("%v", err)
	}
	return f, nil
}

// checkFault validates what can be checked without a cluster.
func checkFault(f Fault) error {
	switch f := f.(type) {
	case WatchFault:
		if f.Component != ComponentDNS && f.Component != ComponentEndpoints &&
			(!strings.HasPrefix(f.Component, ComponentProxy) || len(f.Component) == len(ComponentProxy)) {
			return fmt.Errorf("component %q: want dns, endpoints-controller or kube-proxy/NODE", f.Component)
		}
		if f.Delay < 0 {
			return fmt.Errorf("delay %v: must not be negative", f.Delay)
		}
		if !(f.Drop >= 0 && f.Drop <= 1) {
			return fmt.Errorf("drop %v: want a probability from 0 to 1", f.Drop)
		}
		if f.Delay == 0 && f.Drop == 0 {
			return fmt.Errorf("a watch fault needs a delay or a drop probability")
		}
	case ProxyStall:
		if f.Node == "" {
			return fmt.Errorf("no node")
		}
	case NodeNotReady:
		if f.Node == "" {
			return fmt.Errorf("no node")
		}
	case ReadinessFlap:
		if f.Pod == "" || f.Namespace == "" {
			return fmt.Errorf("no pod")
		}
		if f.Period < 0 || f.Count < 0 {
			return fmt.Errorf("period and count must not be negative")
		}
	case DNSReplicaDown:
	case UpstreamFail:
		if f.Name == "" {
			return fmt.Errorf("no name")
		}
	case nil:
		return fmt.Errorf("nil fault")
	}
	return nil
}

// FaultID identifies an injected fault; IDs count from 1 in injection order.
type FaultID int

// FaultState is where an injected fault is in its life.
type FaultState string

// Fault states.
const (
	FaultScheduled FaultState = "scheduled" // injected with a delay that has not passed
	FaultActive    FaultState = "active"
	FaultHealed    FaultState = "healed" // ended: its duration passed or Heal was called
	FaultFailed    FaultState = "failed" // could not start: its target was gone
)

// FaultStatus describes an injected fault.
type FaultStatus struct {
	ID    FaultID
	Fault Fault
	State FaultState
	// Start and End are when it started and ended (zero until then).
	Start, End time.Time
	// Note says why a fault failed to start, or what it is doing.
	Note string
}

// Inject schedules fault f: it starts after the given virtual delay (0:
// now, before Inject returns) and ends dur after it started (0: when Heal is
// called). Its start and end are recorded in the trace, under component
// "fault". Inject refuses a fault that names a node, pod or component the
// cluster does not have now; a fault whose target is gone when its delay has
// passed fails, which the trace and Faults show.
func (c *Cluster) Inject(f Fault, after, dur time.Duration) (FaultID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults.inject(f, after, dur)
}

// Heal ends an injected fault now (or cancels it if it has not started). It
// is an error to heal an unknown fault; healing one that already ended does
// nothing.
func (c *Cluster) Heal(id FaultID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.faults.run(id)
	if r == nil {
		return fmt.Errorf("kubesim: no fault #%d", id)
	}
	c.faults.heal(r)
	return nil
}

// HealAll ends every fault that is scheduled or active, in ID order.
func (c *Cluster) HealAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.faults.runs {
		c.faults.heal(r)
	}
}

// Faults returns every fault injected so far, in ID order.
func (c *Cluster) Faults() []FaultStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]FaultStatus, len(c.faults.runs))
	for i, r := range c.faults.runs {
		out[i] = r.FaultStatus
	}
	return out
}

// faultRun is an injected fault and what it changed.
type faultRun struct {
	FaultStatus
	dur    time.Duration
	gen    int     // bumped when the fault ends, so that its pending timers do nothing
	pod    api.Ref // the pod a flap or a replica fault acts on
	podUID string
	podIP  netip.Addr
	marked bool // the fault left the pod not ready
}

// faultState runs a cluster's faults. It is only used under the cluster's
// lock.
type faultState struct {
	c         *Cluster
	rnd       *rand.Rand
	runs      []*faultRun
	proxyBase map[string]time.Duration   // node -> its sync latency before a watch delay
	proxyDrop map[string]float64         // node -> probability its kube-proxy loses an event
	holds     map[string]map[string]bool // node -> why its kube-proxy is stalled
	epDrop    bool                       // the endpoints controllers lose events
}

func newFaultState(c *Cluster) *faultState {
	return &faultState{c: c, proxyBase: map[string]time.Duration{}, proxyDrop: map[string]float64{}, holds: map[string]map[string]bool{}}
}

func (fs *faultState) rand() *rand.Rand {
	if fs.rnd == nil {
		fs.rnd = fs.c.loop.Rand("faults")
	}
	return fs.rnd
}

func (fs *faultState) run(id FaultID) *faultRun {
	if id < 1 || int(id) > len(fs.runs) {
		return nil
	}
	return fs.runs[id-1]
}

func (fs *faultState) record(r *faultRun, object, change string) {
	fs.c.loop.Record("fault", object, "#"+strconv.Itoa(int(r.ID))+" "+change)
}

// active returns the active faults, in ID order.
func (fs *faultState) active() []*faultRun {
	var out []*faultRun
	for _, r := range fs.runs {
		if r.State == FaultActive {
			out = append(out, r)
		}
	}
	return out
}

func (fs *faultState) inject(f Fault, after, dur time.Duration) (FaultID, error) {
	if err := checkFault(f); err != nil {
		return 0, fmt.Errorf("kubesim: fault %v: %w", f, err)
	}
	if after < 0 || dur < 0 {
		return 0, fmt.Errorf("kubesim: fault %v: negative delay or duration", f)
	}
	if err := fs.checkTarget(f); err != nil {
		return 0, fmt.Errorf("kubesim: fault %v: %w", f, err)
	}
	r := &faultRun{FaultStatus: FaultStatus{ID: FaultID(len(fs.runs) + 1), Fault: f, State: FaultScheduled}, dur: dur}
	fs.runs = append(fs.runs, r)
	if after == 0 {
		fs.start(r)
	} else {
		fs.c.loop.After(after, func() {
			if r.State == FaultScheduled {
				fs.start(r)
			}
		})
	}
	return r.ID, nil
}

// checkTarget refuses a fault whose target the cluster does not have.
func (fs *faultState) checkTarget(f Fault) error {
	st := fs.c.store
	switch f := f.(type) {
	case WatchFault:
		if node, ok := strings.CutPrefix(f.Component, ComponentProxy); ok && fs.c.proxy.Node(node) == nil {
			return fmt.Errorf("no kube-proxy on node %q", node)
		}
	case ProxyStall:
		if fs.c.proxy.Node(f.Node) == nil {
			return fmt.Errorf("no kube-proxy on node %q", f.Node)
		}
	case NodeNotReady:
		if st.Peek(api.Ref{Kind: api.KindNode, Name: f.Node}) == nil {
			return &api.NotFoundError{Resource: "nodes", Name: f.Node}
		}
	case ReadinessFlap:
		if st.Peek(api.Ref{Kind: api.KindPod, Namespace: f.Namespace, Name: f.Pod}) == nil {
			return &api.NotFoundError{Resource: "pods", Name: f.Pod}
		}
	case DNSReplicaDown:
		if _, err := fs.corednsPod(f.Pod); err != nil {
			return err
		}
	}
	return nil
}

// corednsPod finds the CoreDNS pod a DNSReplicaDown names.
func (fs *faultState) corednsPod(name string) (*api.Pod, error) {
	if name != "" {
		p, ok := fs.c.store.Peek(api.Ref{Kind: api.KindPod, Namespace: "kube-system", Name: name}).(*api.Pod)
		if !ok {
			return nil, &api.NotFoundError{Resource: "pods", Name: name}
		}
		return p, nil
	}
	sel := api.SelectorFromSet(map[string]string{"k8s-app": "kube-dns"})
	for _, o := range fs.c.store.List(api.KindPod, "kube-system", sel) {
		if p := o.(*api.Pod); p.DeletionTimestamp == nil {
			return p, nil
		}
	}
	return nil, fmt.Errorf("no coredns pod in kube-system")
}

func (fs *faultState) start(r *faultRun) {
	c := fs.c
	now := c.loop.Now()
	fail := func(object string, err error) {
		r.State, r.Note, r.End = FaultFailed, err.Error(), now
		fs.record(r, object, "not injected: "+err.Error())
	}
	if err := fs.checkTarget(r.Fault); err != nil {
		fail(faultObject(r.Fault), err)
		return
	}
	r.State, r.Start = FaultActive, now
	switch f := r.Fault.(type) {
	case WatchFault:
		fs.record(r, faultObject(f), "injected: "+f.String())
		fs.applyWatch(f.Component)
	case ProxyStall:
		fs.record(r, faultObject(f), "injected: "+f.String())
		fs.hold(f.Node, "#"+strconv.Itoa(int(r.ID)))
	case NodeNotReady:
		fs.record(r, faultObject(f), "injected: "+f.String())
		fs.setNodeReady(f.Node, false, fmt.Sprintf("kubelet stopped posting node status (fault #%d)", r.ID))
	case ReadinessFlap:
		p := c.store.Peek(api.Ref{Kind: api.KindPod, Namespace: f.Namespace, Name: f.Pod}).(*api.Pod)
		r.pod, r.podUID = api.RefOf(p), p.UID
		fs.record(r, faultObject(f), "injected: "+f.String())
		fs.flap(r, 0, r.gen)
	case DNSReplicaDown:
		p, _ := fs.corednsPod(f.Pod)
		if !p.Status.PodIP.IsValid() {
			fail(faultObject(f), fmt.Errorf("pod kube-system/%s has no IP yet", p.Name))
			return
		}
		r.pod, r.podUID, r.podIP = api.RefOf(p), p.UID, p.Status.PodIP
		r.Note = "coredns pod " + p.Name + " at " + p.Status.PodIP.String() + " does not answer"
		fs.record(r, "pod/kube-system/"+p.Name, "injected: "+f.String()+": "+r.Note)
		after := f.ProbeFailAfter
		if after == 0 {
			after = 30 * time.Second
		}
		if after > 0 {
			gen := r.gen
			c.loop.After(after, func() {
				if r.gen == gen && r.State == FaultActive {
					r.marked = fs.setPodReady(r, false, fmt.Sprintf("readiness probe failed: Get \"http://%s:8181/ready\": context deadline exceeded (fault #%d)", r.podIP, r.ID))
				}
			})
		}
	case UpstreamFail:
		fs.record(r, faultObject(f), "injected: "+f.String())
		if u := c.dns.Upstream(); u != nil {
			u.Fail(f.Name)
		}
	}
	if r.dur > 0 {
		gen := r.gen
		c.loop.After(r.dur, func() {
			if r.gen == gen {
				fs.heal(r)
			}
		})
	}
}

// faultObject names what a fault acts on, as the trace shows it.
func faultObject(f Fault) string {
	switch f := f.(type) {
	case WatchFault:
		return "watch/" + f.Component
	case ProxyStall:
		return "node/" + f.Node
	case NodeNotReady:
		return "node/" + f.Node
	case ReadinessFlap:
		return "pod/" + f.Namespace + "/" + f.Pod
	case DNSReplicaDown:
		return "pod/kube-system/" + f.Pod
	case UpstreamFail:
		return "upstream/" + f.Name
	}
	return ""
}

// heal ends a fault (or cancels a scheduled one) and undoes its effects.
func (fs *faultState) heal(r *faultRun) {
	switch r.State {
	case FaultScheduled:
		r.State, r.End = FaultHealed, fs.c.loop.Now()
		fs.record(r, faultObject(r.Fault), "cancelled before it started")
		return
	case FaultActive:
	default:
		return
	}
	r.State, r.End = FaultHealed, fs.c.loop.Now()
	r.gen++
	object := faultObject(r.Fault)
	if r.pod.Name != "" {
		object = "pod/" + r.pod.Namespace + "/" + r.pod.Name
	}
	fs.record(r, object, "healed")
	switch f := r.Fault.(type) {
	case WatchFault:
		fs.applyWatch(f.Component)
	case ProxyStall:
		fs.release(f.Node, "#"+strconv.Itoa(int(r.ID)))
	case NodeNotReady:
		for _, o := range fs.active() {
			if nr, ok := o.Fault.(NodeNotReady); ok && nr.Node == f.Node {
				return
			}
		}
		fs.setNodeReady(f.Node, true, "kubelet is posting ready status")
	case ReadinessFlap, DNSReplicaDown:
		if r.marked {
			r.marked = !fs.setPodReady(r, true, fmt.Sprintf("readiness probe succeeded (fault #%d healed)", r.ID))
		}
	case UpstreamFail:
		for _, o := range fs.active() {
			if uf, ok := o.Fault.(UpstreamFail); ok && uf.Name == f.Name {
				return
			}
		}
		if u := fs.c.dns.Upstream(); u != nil {
			u.Heal(f.Name)
		}
	}
}

// applyWatch brings a component's watch in line with the watch faults active
// on it: their delays add up, their drop probabilities combine, and a watch
// that stops losing events relists.
func (fs *faultState) applyWatch(component string) {
	var extra time.Duration
	keep := 1.0
	var ids []string
	for _, r := range fs.active() {
		if w, ok := r.Fault.(WatchFault); ok && w.Component == component {
			extra += w.Delay
			keep *= 1 - w.Drop
			ids = append(ids, "#"+strconv.Itoa(int(r.ID)))
		}
	}
	drop := 1 - keep
	label := strings.Join(ids, ",")
	c := fs.c
	switch {
	case component == ComponentDNS:
		f := c.dnsFeed
		f.extra = extra
		switch {
		case drop > 0:
			f.track()
			f.drop = fs.dropper("dns", drop, label)
		case f.drop != nil:
			f.drop = nil
			f.relistAfter(func(n int) {
				c.loop.Record("fault", "watch/dns", "watch re-established: relist delivered "+strconv.Itoa(n)+" changes")
			})
		}
	case component == ComponentEndpoints:
		if drop > 0 {
			c.ctrl.SetEndpointsWatchFault(extra, func(ctl, key string) bool {
				if fs.rand().Float64() >= drop {
					return false
				}
				c.loop.Record("fault", "service/"+key, "fault "+label+": "+ctl+" lost the watch events for this service")
				return true
			})
		} else {
			c.ctrl.SetEndpointsWatchFault(extra, nil)
		}
		if fs.epDrop && drop == 0 {
			c.loop.Record("fault", "watch/"+ComponentEndpoints, "watch re-established: every service resynced")
			c.ctrl.ResyncEndpoints()
		}
		fs.epDrop = drop > 0
	default:
		node := strings.TrimPrefix(component, ComponentProxy)
		base, had := fs.proxyBase[node]
		switch {
		case extra > 0 && !had:
			base = c.proxy.SyncLatency(node)
			fs.proxyBase[node] = base
			fallthrough
		case extra > 0:
			c.proxy.SetSyncLatency(node, base+extra)
		case had:
			c.proxy.SetSyncLatency(node, base)
			delete(fs.proxyBase, node)
		}
		if drop > 0 {
			fs.proxyDrop[node] = drop
			c.proxyFeed.after = fs.proxyDelivered
		} else {
			delete(fs.proxyDrop, node)
			fs.release(node, "watch")
		}
	}
}

// dropper returns a feed's loss decision for a drop probability.
func (fs *faultState) dropper(component string, p float64, label string) func(store.Event) bool {
	return func(ev store.Event) bool {
		if fs.rand().Float64() >= p {
			return false
		}
		fs.c.loop.Record("fault", api.RefOf(ev.Object).String(), "fault "+label+": "+ev.Type.String()+" event lost before reaching "+component)
		return true
	}
}

// proxyDelivered runs after each change reaches the kube-proxies: a node
// whose watch loses it stops following the cluster.
func (fs *faultState) proxyDelivered(ev store.Event) {
	if len(fs.proxyDrop) == 0 {
		return
	}
	nodes := make([]string, 0, len(fs.proxyDrop))
	for n := range fs.proxyDrop {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	for _, n := range nodes {
		if fs.holds[n]["watch"] || fs.rand().Float64() >= fs.proxyDrop[n] {
			continue
		}
		fs.c.loop.Record("fault", api.RefOf(ev.Object).String(), ev.Type.String()+" event lost before reaching kube-proxy on node "+n+": it keeps its rules until its watch is re-established")
		fs.hold(n, "watch")
	}
}

// hold stalls a node's kube-proxy for a reason; the node resumes when no
// reason is left.
func (fs *faultState) hold(node, why string) {
	h := fs.holds[node]
	if h == nil {
		h = map[string]bool{}
		fs.holds[node] = h
	}
	if len(h) == 0 {
		fs.c.proxy.Stall(node)
	}
	h[why] = true
}

func (fs *faultState) release(node, why string) {
	h := fs.holds[node]
	if !h[why] {
		return
	}
	delete(h, why)
	if len(h) == 0 {
		delete(fs.holds, node)
		fs.c.proxy.Resume(node)
	}
}

// setNodeReady writes a node's Ready condition as its kubelet would.
func (fs *faultState) setNodeReady(name string, ready bool, message string) {
	st := fs.c.store
	n, ok := st.Peek(api.Ref{Kind: api.KindNode, Name: name}).(*api.Node)
	if !ok {
		return
	}
	c := n.DeepCopy()
	status, reason := api.ConditionFalse, "KubeletNotReady"
	if ready {
		status, reason = api.ConditionTrue, "KubeletReady"
	}
	found := false
	for i := range c.Status.Conditions {
		cond := &c.Status.Conditions[i]
		if cond.Type != "Ready" {
			continue
		}
		found = true
		if cond.Status != status {
			cond.LastTransitionTime = api.NewTime(fs.c.loop.Now())
		}
		cond.Status, cond.Reason, cond.Message = status, reason, message
	}
	if !found {
		c.Status.Conditions = append(c.Status.Conditions, api.NodeCondition{Type: "Ready", Status: status,
			Reason: reason, Message: message, LastTransitionTime: api.NewTime(fs.c.loop.Now())})
	}
	_ = st.UpdateStatus(c, "Ready="+string(status)+": "+message)
}

// setPodReady writes the Ready condition of a fault's pod as its kubelet
// would after a readiness probe, and reports whether it did: not if the pod
// is gone, replaced, terminating or not running, or already so.
func (fs *faultState) setPodReady(r *faultRun, ready bool, message string) bool {
	p, ok := fs.c.store.Peek(r.pod).(*api.Pod)
	if !ok || p.UID != r.podUID || p.DeletionTimestamp != nil || p.Status.Phase != api.PodRunning || controller.IsPodReady(p) == ready {
		return false
	}
	c := p.DeepCopy()
	status := api.ConditionFalse
	if ready {
		status = api.ConditionTrue
	}
	now := api.NewTime(fs.c.loop.Now())
	for i := range c.Status.Conditions {
		cond := &c.Status.Conditions[i]
		if (cond.Type == "Ready" || cond.Type == "ContainersReady") && cond.Status != status {
			cond.Status, cond.LastTransitionTime = status, now
		}
	}
	for i := range c.Status.ContainerStatuses {
		c.Status.ContainerStatuses[i].Ready = ready
	}
	return fs.c.store.UpdateStatus(c, "Ready="+string(status)+": "+message) == nil
}

// flap runs step n of a readiness flap and schedules the next.
func (fs *faultState) flap(r *faultRun, n, gen int) {
	f := r.Fault.(ReadinessFlap)
	count := f.Count
	if count == 0 && r.dur == 0 {
		count = 6
	}
	period := f.Period
	if period <= 0 {
		period = 2 * time.Second
	}
	if n > 0 {
		p, ok := fs.c.store.Peek(r.pod).(*api.Pod)
		if !ok || p.UID != r.podUID || p.DeletionTimestamp != nil {
			r.marked = false
			fs.heal(r)
			return
		}
		failing := n%2 == 1
		if fs.setPodReady(r, !failing, fmt.Sprintf("readiness probe %s (fault #%d, change %d)", map[bool]string{true: "failed", false: "succeeded"}[failing], r.ID, n)) {
			r.marked = failing
		}
		if count > 0 && n >= count {
			if r.marked {
				r.marked = !fs.setPodReady(r, true, fmt.Sprintf("readiness probe succeeded (fault #%d over)", r.ID))
			}
			fs.heal(r)
			return
		}
	}
	wait := time.Duration(float64(period) * (0.5 + fs.rand().Float64()))
	fs.c.loop.After(wait, func() {
		if r.gen == gen && r.State == FaultActive {
			fs.flap(r, n+1, gen)
		}
	})
}

// stub adds the active faults to a pod's resolver: a warning for each fault
// that changes what the pod's lookups see, and the stopped replica's silence
// when kube-proxy sends the lookup to it.
func (fs *faultState) stub(st *dns.Stub, p *api.Pod) {
	act := fs.active()
	if len(act) == 0 {
		return
	}
	c := fs.c
	var downs []*faultRun
	for _, r := range act {
		switch f := r.Fault.(type) {
		case WatchFault:
			if f.Component == ComponentDNS {
				st.Warnings = append(st.Warnings, dns.Warning{Reason: "FaultDNSWatch",
					Message: fmt.Sprintf("fault #%d (%s) since %s: the cluster DNS's view of the cluster may be stale", r.ID, f, c.since(r.Start))})
			}
		case UpstreamFail:
			st.Warnings = append(st.Warnings, dns.Warning{Reason: "FaultUpstream",
				Message: fmt.Sprintf("fault #%d since %s: %s answers SERVFAIL outside the cluster", r.ID, c.since(r.Start), f.Name)})
		case DNSReplicaDown:
			// A replica that was deleted (evicted, scaled away) is not down:
			// it is gone, and its address may belong to a new pod.
			if p, ok := c.store.Peek(r.pod).(*api.Pod); ok && p.UID == r.podUID && p.Status.PodIP == r.podIP {
				downs = append(downs, r)
			}
		}
	}
	if len(downs) == 0 || len(st.Conf.Nameservers) == 0 {
		return
	}
	ns, err := netip.ParseAddr(st.Conf.Nameservers[0])
	if err != nil || ns != c.cfg.DNSServiceIP {
		return
	}
	// The lookup is a UDP flow from the pod to kube-dns: ask the pod's node
	// where it goes, drawing from the fault stream so that the node's own
	// choices are not disturbed.
	var chosen netip.AddrPort
	if n := c.proxy.Node(p.Spec.NodeName); n != nil {
		n.SetRand(fs.rand())
		res := n.Route(c.loop.Now(), proxy.Packet{
			Src:   netip.AddrPortFrom(p.Status.PodIP, uint16(32768+fs.rand().IntN(28232))),
			Dst:   netip.AddrPortFrom(c.cfg.DNSServiceIP, 53),
			Proto: proxy.UDP, Flow: proxy.FlowProbe,
		})
		n.SetRand(c.loop.Rand("proxy/" + p.Spec.NodeName))
		chosen = res.Chosen
	}
	for _, r := range downs {
		if chosen.IsValid() && chosen.Addr() == r.podIP {
			st.Server = nil
			st.Warnings = append(st.Warnings, dns.Warning{Reason: "FaultDNSReplicaDown",
				Message: fmt.Sprintf("fault #%d since %s: kube-proxy on %s sent this lookup to %s, coredns pod %s, which does not answer: every query times out after 5s",
					r.ID, c.since(r.Start), p.Spec.NodeName, chosen, r.pod.Name)})
			return
		}
	}
	for _, r := range downs {
		to := "nowhere"
		if chosen.IsValid() {
			to = chosen.String()
		}
		st.Warnings = append(st.Warnings, dns.Warning{Reason: "FaultDNSReplicaDown",
			Message: fmt.Sprintf("fault #%d since %s: coredns pod %s (%s) does not answer; kube-proxy on %s sent this lookup to %s",
				r.ID, c.since(r.Start), r.pod.Name, r.podIP, p.Spec.NodeName, to)})
	}
}

// explain adds the active faults that bear on routing to a decision, as
// comment lines before its rules.
func (fs *faultState) explain(d *proxy.Decision) {
	act := fs.active()
	if len(act) == 0 {
		return
	}
	c := fs.c
	var notes []string
	for _, r := range act {
		at := c.since(r.Start)
		switch f := r.Fault.(type) {
		case WatchFault:
			switch f.Component {
			case ComponentEndpoints:
				notes = append(notes, fmt.Sprintf("# fault #%d (%s) since %s: endpoint slices may be stale", r.ID, f, at))
			case ComponentProxy + d.Node:
				notes = append(notes, fmt.Sprintf("# fault #%d (%s) since %s: this node's rules may be stale", r.ID, f, at))
			}
		case ProxyStall:
			if f.Node == d.Node {
				n := c.proxy.Node(d.Node)
				notes = append(notes, fmt.Sprintf("# fault #%d (%s) since %s: these are the rules of v%d; the cluster is at v%d", r.ID, f, at, n.Version(), c.proxy.Version()))
			}
		case NodeNotReady:
			notes = append(notes, fmt.Sprintf("# fault #%d (%s) since %s: its pods are not ready and are evicted after their toleration", r.ID, f, at))
		case ReadinessFlap:
			notes = append(notes, fmt.Sprintf("# fault #%d (%s) since %s: the pod enters and leaves its services' endpoints", r.ID, f, at))
		case DNSReplicaDown:
			notes = append(notes, fmt.Sprintf("# fault #%d since %s: coredns pod %s (%s) does not answer", r.ID, at, r.pod.Name, r.podIP))
		}
	}
	if len(notes) > 0 {
		d.Rules = append(notes, d.Rules...)
	}
}

// since renders a virtual time as the trace does: "+12.500s".
func (c *Cluster) since(t time.Time) string {
	d := t.Sub(c.loop.Start())
	return "+" + strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + "s"
}

// Checker exemptions: what a fault leaves legitimately out of line.

// dnsStale reports whether the cluster DNS may miss changes.
func (fs *faultState) dnsStale() bool {
	f := fs.c.dnsFeed
	return f.drop != nil || f.relists > 0
}

// endpointsStale reports whether the endpoints controllers may miss changes.
func (fs *faultState) endpointsStale() bool { return fs.epDrop }

// upstreamFailing reports whether a name is made to fail outside.
func (fs *faultState) upstreamFailing(name string) bool {
	for _, r := range fs.active() {
		if f, ok := r.Fault.(UpstreamFail); ok && strings.EqualFold(strings.TrimSuffix(f.Name, "."), strings.TrimSuffix(name, ".")) {
			return true
		}
	}
	return false
}
