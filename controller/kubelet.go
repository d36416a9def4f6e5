package controller

import (
	"net/netip"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

// AnnotationPodIP pins a pod's IP address, so that tests can fix addresses.
const AnnotationPodIP = "kubesim.io/pod-ip"

// kubelet runs every node's pod lifecycle: a bound pod's containers start
// (it gets its IP and turns Running), then it turns Ready once its readiness
// delay has passed; a deleted pod runs its preStop hook, its containers stop,
// and it is removed, its IP freed.
//
// Every pod waits on two or three kubelet timers, so at 150,000 pods the
// timers are kept in a table the loop fires by index, rather than as one
// closure each.
type kubelet struct {
	m      *Manager
	timers []kubeletTimer // indexed by the arg the loop fires with
	free   []uint64       // indices of spent timers, for reuse
}

// kubeletStep is what a kubelet timer does when it fires.
type kubeletStep uint8

const (
	stepStart  kubeletStep = iota + 1 // start the containers of a bound pod
	stepReady                         // mark a running pod Ready
	stepFinish                        // remove a pod whose containers stopped
)

// kubeletTimer names the pod a timer acts on; the uid tells a pod from a
// later one of the same name.
type kubeletTimer struct {
	step     kubeletStep
	ns, name string
	uid      string
}

func newKubelet(m *Manager) *kubelet { return &kubelet{m: m} }

// after runs step for pod p after d.
func (k *kubelet) after(d time.Duration, step kubeletStep, p *api.Pod) {
	t := kubeletTimer{step: step, ns: p.Namespace, name: p.Name, uid: p.UID}
	var id uint64
	if n := len(k.free); n > 0 {
		id = k.free[n-1]
		k.free = k.free[:n-1]
		k.timers[id] = t
	} else {
		id = uint64(len(k.timers))
		k.timers = append(k.timers, t)
	}
	k.m.loop.Schedule(d, k, id)
}

// Fire runs the timer with index id.
func (k *kubelet) Fire(id uint64) {
	t := k.timers[id]
	k.timers[id] = kubeletTimer{}
	k.free = append(k.free, id)
	ref := api.Ref{Kind: api.KindPod, Namespace: t.ns, Name: t.name}
	switch t.step {
	case stepStart:
		k.start(ref, t.uid)
	case stepReady:
		k.ready(ref, t.uid)
	case stepFinish:
		k.finish(ref, t.uid)
	}
}

func (k *kubelet) onNode(store.Event) {}

func (k *kubelet) onPod(ev store.Event) {
	p := ev.Object.(*api.Pod)
	switch ev.Type {
	case store.Deleted:
		k.release(p)
		return
	case store.Added:
		if p.Spec.NodeName != "" && p.DeletionTimestamp == nil {
			k.after(k.m.cfg.Latencies.PodStart, stepStart, p)
		}
		return
	}
	old := ev.Old.(*api.Pod)
	if old.Spec.NodeName == "" && p.Spec.NodeName != "" && p.DeletionTimestamp == nil {
		k.after(k.m.cfg.Latencies.PodStart, stepStart, p)
	}
	switch {
	case old.DeletionTimestamp == nil && p.DeletionTimestamp != nil:
		k.after(k.stopDelay(p), stepFinish, p)
	case old.DeletionTimestamp != nil && p.DeletionTimestamp != nil && p.DeletionTimestamp.Before(old.DeletionTimestamp.Time):
		// A second delete shortened the grace period: the kubelet kills
		// the containers by the new deadline.
		k.after(p.DeletionTimestamp.Sub(k.m.loop.Now()), stepFinish, p)
	}
}

// current returns the pod if it is still the same object (same uid).
func (k *kubelet) current(ref api.Ref, uid string) *api.Pod {
	p, ok := k.m.store.Peek(ref).(*api.Pod)
	if !ok || p.UID != uid {
		return nil
	}
	return p
}

func (k *kubelet) start(ref api.Ref, uid string) {
	p := k.current(ref, uid)
	if p == nil || p.DeletionTimestamp != nil || p.Status.Phase == api.PodRunning {
		return
	}
	node, _ := k.m.store.Peek(api.Ref{Kind: api.KindNode, Name: p.Spec.NodeName}).(*api.Node)
	if node == nil {
		return
	}
	// Every part of the status this write changes is built anew below, so
	// the copy shares the rest with p, as withStatus explains.
	c := *p
	now := k.m.loop.Now()
	hostIP := NodeInternalIP(node)
	c.Status.HostIP = hostIP
	if p.Spec.HostNetwork {
		c.Status.PodIP = hostIP
		c.Status.PodIPs = []api.PodIP{{IP: hostIP}}
	} else {
		ips, err := k.allocate(p)
		if err != nil {
			k.m.trace("kubelet", ref, "FailedCreatePodSandBox: "+err.Error())
			return
		}
		c.Status.PodIP = ips[0]
		c.Status.PodIPs = make([]api.PodIP, len(ips))
		for i, ip := range ips {
			c.Status.PodIPs[i] = api.PodIP{IP: ip}
		}
	}
	c.Status.Phase = api.PodRunning
	t := api.NewTime(now)
	c.Status.StartTime = &t
	c.Status.Conditions = withConditions(p.Status.Conditions, now,
		condition{"PodReadyToStartContainers", api.ConditionTrue},
		condition{"Initialized", api.ConditionTrue},
		condition{"PodScheduled", api.ConditionTrue},
		condition{"ContainersReady", api.ConditionFalse},
		condition{"Ready", api.ConditionFalse})
	c.Status.ContainerStatuses = containerStatuses(p, false)
	change := c.Status.PodIP.AppendTo(append(make([]byte, 0, 64), "phase=Running ip="...)) // one allocation, not two
	if err := k.m.store.UpdateStatus(&c, string(change)); err != nil {
		return
	}
	k.after(k.readyDelay(p), stepReady, p)
}

func containerStatuses(p *api.Pod, ready bool) []api.ContainerStatus {
	out := make([]api.ContainerStatus, len(p.Spec.Containers))
	started := true
	for i, c := range p.Spec.Containers {
		out[i] = api.ContainerStatus{Name: c.Name, Image: c.Image, Ready: ready, Started: &started}
	}
	return out
}

// readyDelay is how long after starting a pod turns Ready: the kubelet's
// configured delay, or the longest readiness probe initialDelaySeconds.
func (k *kubelet) readyDelay(p *api.Pod) time.Duration {
	d := k.m.cfg.Latencies.PodReady
	for _, c := range p.Spec.Containers {
		if c.ReadinessProbe != nil {
			if probe := time.Duration(c.ReadinessProbe.InitialDelaySeconds) * time.Second; probe > d {
				d = probe
			}
		}
	}
	return d
}

func (k *kubelet) ready(ref api.Ref, uid string) {
	p := k.current(ref, uid)
	if p == nil || p.DeletionTimestamp != nil || p.Status.Phase != api.PodRunning || IsPodReady(p) {
		return
	}
	// As in start, the copy shares what this write leaves alone with p.
	c := *p
	now := k.m.loop.Now()
	c.Status.Conditions = withConditions(p.Status.Conditions, now,
		condition{"ContainersReady", api.ConditionTrue},
		condition{"Ready", api.ConditionTrue})
	c.Status.ContainerStatuses = containerStatuses(p, true)
	_ = k.m.store.UpdateStatus(&c, "ready")
}

// stopDelay is how long a deleted pod takes to go: its preStop sleep, then its
// containers' exit, never longer than its grace period.
func (k *kubelet) stopDelay(p *api.Pod) time.Duration {
	var preStop time.Duration
	for _, c := range p.Spec.Containers {
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			preStop = max(preStop, time.Duration(c.Lifecycle.PreStop.Sleep.Seconds)*time.Second)
		}
	}
	d := preStop + k.m.cfg.Latencies.PodStop
	if p.Spec.NodeName == "" || p.Status.Phase == "" || p.Status.Phase == api.PodPending {
		d = 0
	}
	if p.DeletionGracePeriodSeconds != nil {
		d = min(d, time.Duration(*p.DeletionGracePeriodSeconds)*time.Second)
	}
	return d
}

func (k *kubelet) finish(ref api.Ref, uid string) {
	if k.current(ref, uid) == nil {
		return
	}
	k.m.store.Remove(ref)
}

func (k *kubelet) allocate(p *api.Pod) ([]netip.Addr, error) {
	pools := k.m.nodes.PodIPs(p.Spec.NodeName)
	if len(pools) == 0 {
		return nil, errNoPodRange
	}
	if pin := p.Annotations[AnnotationPodIP]; pin != "" {
		a, err := netip.ParseAddr(pin)
		if err != nil {
			return nil, err
		}
		for _, pool := range pools {
			if pool.Prefix().Contains(a) {
				if err := pool.AllocateSpecific(a); err != nil {
					return nil, err
				}
				return []netip.Addr{a}, nil
			}
		}
		return nil, errPinnedOutside
	}
	var out []netip.Addr
	for _, pool := range pools {
		a, err := pool.Allocate()
		if err != nil {
			for i, got := range out {
				pools[i].Release(got)
			}
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (k *kubelet) release(p *api.Pod) {
	if p.Spec.HostNetwork {
		return
	}
	for _, pool := range k.m.nodes.PodIPs(p.Spec.NodeName) {
		for _, ip := range p.Status.PodIPs {
			pool.Release(ip.IP)
		}
	}
}

// NodeInternalIP returns a node's first InternalIP, or its first IP address of
// any type.
func NodeInternalIP(n *api.Node) netip.Addr {
	var any netip.Addr
	for _, a := range n.Status.Addresses {
		ip, err := netip.ParseAddr(a.Address)
		if err != nil {
			continue
		}
		if a.Type == api.NodeInternalIP {
			return ip
		}
		if !any.IsValid() {
			any = ip
		}
	}
	return any
}

// withStatus returns a new version of p to write a status change into: the
// spec and metadata are shared with p, which the store never changes in place,
// and the status is a private copy.
func withStatus(p *api.Pod) *api.Pod {
	c := *p
	c.Status = api.PodStatus{}
	p.Status.DeepCopyInto(&c.Status)
	return &c
}

func setCondition(conds []api.PodCondition, typ string, status api.ConditionStatus, now time.Time) []api.PodCondition {
	for i := range conds {
		if conds[i].Type == typ {
			if conds[i].Status != status {
				conds[i].Status = status
				conds[i].LastTransitionTime = api.NewTime(now)
			}
			return conds
		}
	}
	return append(conds, api.PodCondition{Type: typ, Status: status, LastTransitionTime: api.NewTime(now)})
}

func hasCondition(conds []api.PodCondition, typ string) bool {
	for i := range conds {
		if conds[i].Type == typ {
			return true
		}
	}
	return false
}

// condition is one condition a status write sets.
type condition struct {
	typ    string
	status api.ConditionStatus
}

// withConditions returns a new slice holding conds with each of sets applied
// in turn by setCondition. conds itself is left alone, so the new version of
// a pod may share the rest of its status with the stored one; the slice is
// sized once, as appending condition by condition would copy it three times
// over.
func withConditions(conds []api.PodCondition, now time.Time, sets ...condition) []api.PodCondition {
	n := len(conds)
	for _, c := range sets {
		if !hasCondition(conds, c.typ) {
			n++
		}
	}
	out := make([]api.PodCondition, len(conds), n)
	copy(out, conds)
	for _, c := range sets {
		out = setCondition(out, c.typ, c.status, now)
	}
	return out
}
