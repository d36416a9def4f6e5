package controller

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

// NodeMonitorPeriod is how often the node lifecycle controller looks at the
// nodes (kube-controller-manager's --node-monitor-period): a node that turned
// NotReady has its pods marked not ready within this period.
const NodeMonitorPeriod = 5 * time.Second

// DefaultNotReadyTolerationSeconds is the toleration the DefaultTolerationSeconds
// admission plugin gives every pod that has none of its own for the
// node.kubernetes.io/not-ready:NoExecute taint: a pod is evicted from a node
// that has been NotReady for this long.
const DefaultNotReadyTolerationSeconds = 300

// TaintNodeNotReady is the taint a NotReady node carries; pods tolerate it for
// a while and are then evicted.
const TaintNodeNotReady = "node.kubernetes.io/not-ready"

// nodeLifecycle is the node lifecycle controller and the taint eviction
// controller: when a node's Ready condition turns False (or Unknown) it marks
// the node's pods not ready, so that the endpoints controllers take them out
// of service, and once a pod's toleration of the not-ready taint (300s by
// default) runs out it deletes the pod, so that its replica set replaces it
// on a node that works. When the node is Ready again, its kubelet reports
// the pods it still runs as ready again.
//
// Differences from Kubernetes: the taint itself is not written to the node
// (the eviction clock starts when this controller first sees the node not
// ready, which is when it would add the taint); a
// NotReady node's kubelet still finishes its evicted pods' graceful deletion,
// as if it could reach them; and the unreachable taint (Ready=Unknown after
// the node-monitor grace period) is read as not-ready.
type nodeLifecycle struct {
	m      *Manager
	queue  *Queue
	marked map[string]bool      // uids of pods this controller marked not ready
	wake   map[string]time.Time // node -> time of its next eviction check
	since  map[string]time.Time // node -> when this controller saw it not ready (the taint's timeAdded)
}

// startNodeLifecycle registers the node lifecycle controller's watches.
func startNodeLifecycle(m *Manager) {
	nl := &nodeLifecycle{m: m, marked: make(map[string]bool), wake: make(map[string]time.Time), since: make(map[string]time.Time)}
	nl.queue = NewQueue(m.loop, NodeMonitorPeriod, nl.sync)
	m.store.Watch(nl.onNode, api.KindNode)
	m.store.Watch(nl.onPod, api.KindPod)
}

// nodeReady reports whether n's Ready condition is True.
func nodeReady(n *api.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == api.ConditionTrue
		}
	}
	return false
}

func (nl *nodeLifecycle) onNode(ev store.Event) {
	if ev.Type == store.Deleted {
		delete(nl.wake, ev.Object.GetObjectMeta().Name)
		delete(nl.since, ev.Object.GetObjectMeta().Name)
		return
	}
	n := ev.Object.(*api.Node)
	ready := nodeReady(n)
	if ev.Type == store.Added {
		if !ready {
			nl.queue.Add(n.Name)
		}
		return
	}
	if nodeReady(ev.Old.(*api.Node)) != ready {
		nl.queue.Add(n.Name)
	}
}

// onPod notices a pod that turns ready, or arrives, on a node that is not
// ready: it must be marked not ready and get its eviction deadline.
func (nl *nodeLifecycle) onPod(ev store.Event) {
	p := ev.Object.(*api.Pod)
	if ev.Type == store.Deleted {
		delete(nl.marked, p.UID)
		return
	}
	if p.Spec.NodeName == "" || p.DeletionTimestamp != nil {
		return
	}
	moved := ev.Type == store.Added || ev.Old.(*api.Pod).Spec.NodeName != p.Spec.NodeName
	if !moved && !IsPodReady(p) {
		return
	}
	n, ok := nl.m.store.Peek(api.Ref{Kind: api.KindNode, Name: p.Spec.NodeName}).(*api.Node)
	if !ok {
		return
	}
	if !nodeReady(n) {
		nl.queue.Add(n.Name)
	}
}

func (nl *nodeLifecycle) podsOn(node string) []*api.Pod {
	var out []*api.Pod
	for _, o := range nl.m.store.List(api.KindPod, "", api.Everything()) {
		if p := o.(*api.Pod); p.Spec.NodeName == node {
			out = append(out, p)
		}
	}
	return out
}

func (nl *nodeLifecycle) sync(name string) {
	n, ok := nl.m.store.Peek(api.Ref{Kind: api.KindNode, Name: name}).(*api.Node)
	if !ok {
		return
	}
	now := nl.m.loop.Now()
	if nodeReady(n) {
		delete(nl.since, name)
		// The kubelet is back and reports the pods it runs as they are.
		for _, p := range nl.podsOn(name) {
			if !nl.marked[p.UID] {
				continue
			}
			delete(nl.marked, p.UID)
			if p.DeletionTimestamp == nil && p.Status.Phase == api.PodRunning && !IsPodReady(p) {
				c := withStatus(p)
				c.Status.Conditions = setCondition(c.Status.Conditions, "Ready", api.ConditionTrue, now)
				_ = nl.m.store.UpdateStatus(c, "ready: node "+name+" is ready again")
			}
		}
		return
	}
	since, seen := nl.since[name]
	if !seen {
		since = now
		nl.since[name] = now
	}
	var next time.Time
	for _, p := range nl.podsOn(name) {
		if p.DeletionTimestamp != nil {
			continue
		}
		ref := api.RefOf(p)
		if IsPodReady(p) {
			c := withStatus(p)
			c.Status.Conditions = setCondition(c.Status.Conditions, "Ready", api.ConditionFalse, now)
			if err := nl.m.store.UpdateStatus(c, "Ready=False: node "+name+" is not ready"); err == nil {
				nl.marked[p.UID] = true
			}
		}
		tol := notReadyToleration(p)
		if tol < 0 {
			continue
		}
		at := since.Add(time.Duration(tol) * time.Second)
		if now.Before(at) {
			if next.IsZero() || at.Before(next) {
				next = at
			}
			continue
		}
		nl.m.trace("taint-eviction-controller", ref, "Marking for deletion Pod "+p.Namespace+"/"+p.Name+
			": node "+name+" not ready since "+since.UTC().Format(time.RFC3339)+", toleration "+TaintNodeNotReady+
			":NoExecute for "+strconv.FormatInt(tol, 10)+"s")
		_ = nl.m.store.Delete(ref, store.DeleteOptions{})
	}
	if next.IsZero() {
		return
	}
	if w, ok := nl.wake[name]; ok && !w.After(next) && w.After(now) {
		return // an earlier check is already due
	}
	nl.wake[name] = next
	nl.m.loop.After(next.Sub(now), func() {
		if nl.wake[name].Equal(next) {
			delete(nl.wake, name)
		}
		nl.sync(name)
	})
}

// toleration is the part of a pod toleration that eviction reads.
type toleration struct {
	Key               string `json:"key"`
	Operator          string `json:"operator"`
	Effect            string `json:"effect"`
	TolerationSeconds *int64 `json:"tolerationSeconds"`
}

// notReadyToleration returns how many seconds pod p tolerates a NotReady node
// (its own toleration of the not-ready NoExecute taint, else the default 300),
// or -1 for ever.
func notReadyToleration(p *api.Pod) int64 {
	var tols []toleration
	if len(p.Spec.Tolerations) > 0 && json.Unmarshal(p.Spec.Tolerations, &tols) == nil {
		for _, t := range tols {
			keyMatch := t.Key == TaintNodeNotReady || (t.Key == "" && t.Operator == "Exists")
			if !keyMatch || (t.Effect != "" && t.Effect != "NoExecute") {
				continue
			}
			if t.TolerationSeconds == nil {
				return -1
			}
			return max(*t.TolerationSeconds, 0)
		}
	}
	return DefaultNotReadyTolerationSeconds
}
