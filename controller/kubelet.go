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
type kubelet struct {
	m *Manager
}

func newKubelet(m *Manager) *kubelet { return &kubelet{m: m} }

func (k *kubelet) onNode(store.Event) {}

func (k *kubelet) onPod(ev store.Event) {
	p := ev.Object.(*api.Pod)
	ref := api.RefOf(p)
	switch ev.Type {
	case store.Deleted:
		k.release(p)
		return
	case store.Added:
		if p.Spec.NodeName != "" && p.DeletionTimestamp == nil {
			k.m.loop.After(k.m.cfg.Latencies.PodStart, func() { k.start(ref, p.UID) })
		}
		return
	}
	old := ev.Old.(*api.Pod)
	if old.Spec.NodeName == "" && p.Spec.NodeName != "" && p.DeletionTimestamp == nil {
		k.m.loop.After(k.m.cfg.Latencies.PodStart, func() { k.start(ref, p.UID) })
	}
	switch {
	case old.DeletionTimestamp == nil && p.DeletionTimestamp != nil:
		k.m.loop.After(k.stopDelay(p), func() { k.finish(ref, p.UID) })
	case old.DeletionTimestamp != nil && p.DeletionTimestamp != nil && p.DeletionTimestamp.Before(old.DeletionTimestamp.Time):
		// A second delete shortened the grace period: the kubelet kills
		// the containers by the new deadline.
		k.m.loop.After(p.DeletionTimestamp.Sub(k.m.loop.Now()), func() { k.finish(ref, p.UID) })
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
	c := withStatus(p)
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
		c.Status.PodIPs = nil
		for _, ip := range ips {
			c.Status.PodIPs = append(c.Status.PodIPs, api.PodIP{IP: ip})
		}
	}
	c.Status.Phase = api.PodRunning
	t := api.NewTime(now)
	c.Status.StartTime = &t
	for _, typ := range []string{"PodReadyToStartContainers", "Initialized", "PodScheduled"} {
		c.Status.Conditions = setCondition(c.Status.Conditions, typ, api.ConditionTrue, now)
	}
	c.Status.Conditions = setCondition(c.Status.Conditions, "ContainersReady", api.ConditionFalse, now)
	c.Status.Conditions = setCondition(c.Status.Conditions, "Ready", api.ConditionFalse, now)
	c.Status.ContainerStatuses = containerStatuses(p, false)
	if err := k.m.store.UpdateStatus(c, "phase=Running ip="+c.Status.PodIP.String()); err != nil {
		return
	}
	k.m.loop.After(k.readyDelay(p), func() { k.ready(ref, uid) })
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
	c := withStatus(p)
	now := k.m.loop.Now()
	c.Status.Conditions = setCondition(c.Status.Conditions, "ContainersReady", api.ConditionTrue, now)
	c.Status.Conditions = setCondition(c.Status.Conditions, "Ready", api.ConditionTrue, now)
	c.Status.ContainerStatuses = containerStatuses(p, true)
	_ = k.m.store.UpdateStatus(c, "ready")
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
