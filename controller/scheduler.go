package controller

import (
	"cmp"
	"container/heap"
	"maps"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

var storeDeleteDefault = store.DeleteOptions{}

// scheduler binds pending pods to nodes: the nodes that fit (Ready,
// schedulable, matching the pod's nodeSelector) are scored by how few pods they
// run, ties going to the first node by name. A pod that names its node is
// bound there without scoring.
type scheduler struct {
	m     *Manager
	queue *Queue
	load  nodeHeap
	index map[string]*nodeLoad // node name -> entry in load
}

type nodeLoad struct {
	name string
	pods int
	fits bool // Ready and schedulable
	pos  int  // position in the heap, -1 when out of it
	node *api.Node
}

// nodeHeap orders nodes that fit by pod count, then name.
type nodeHeap []*nodeLoad

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(h[i].pods, h[j].pods), cmp.Compare(h[i].name, h[j].name)) < 0
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].pos = i; h[j].pos = j }
func (h *nodeHeap) Push(x any)   { n := x.(*nodeLoad); n.pos = len(*h); *h = append(*h, n) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	n.pos = -1
	return n
}

func newScheduler(m *Manager) *scheduler {
	s := &scheduler{m: m, index: make(map[string]*nodeLoad)}
	s.queue = NewQueue(m.loop, m.cfg.Latencies.Scheduler, s.schedule)
	return s
}

// NodeFits reports whether new pods may be scheduled to n.
func NodeFits(n *api.Node) bool {
	if n.Spec.Unschedulable || n.DeletionTimestamp != nil {
		return false
	}
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == api.ConditionTrue
		}
	}
	return false
}

func (s *scheduler) onNode(ev store.Event) {
	n := ev.Object.(*api.Node)
	nl := s.index[n.Name]
	if ev.Type == store.Deleted {
		if nl != nil {
			if nl.pos >= 0 {
				heap.Remove(&s.load, nl.pos)
			}
			delete(s.index, n.Name)
		}
		return
	}
	if nl == nil {
		nl = &nodeLoad{name: n.Name, pos: -1}
		s.index[n.Name] = nl
	}
	nl.node = n
	fits := NodeFits(n)
	switch {
	case fits && nl.pos < 0:
		heap.Push(&s.load, nl)
	case !fits && nl.pos >= 0:
		heap.Remove(&s.load, nl.pos)
	}
	labelsChanged := ev.Old != nil && !maps.Equal(ev.Old.GetObjectMeta().Labels, n.Labels)
	became := fits && (ev.Type == store.Added || !nl.fits || labelsChanged)
	nl.fits = fits
	if became {
		// Pods that waited for a node get another chance.
		for _, o := range s.m.store.List(api.KindPod, "", api.Everything()) {
			if p := o.(*api.Pod); p.Spec.NodeName == "" && p.DeletionTimestamp == nil {
				s.queue.Add(key(p.Namespace, p.Name))
			}
		}
	}
}

func (s *scheduler) adjust(node string, delta int) {
	nl := s.index[node]
	if nl == nil {
		return
	}
	nl.pods += delta
	if nl.pos >= 0 {
		heap.Fix(&s.load, nl.pos)
	}
}

func (s *scheduler) onPod(ev store.Event) {
	p := ev.Object.(*api.Pod)
	switch ev.Type {
	case store.Added:
		if p.Spec.NodeName == "" {
			s.queue.Add(key(p.Namespace, p.Name))
		} else {
			s.adjust(p.Spec.NodeName, 1)
		}
	case store.Deleted:
		if p.Spec.NodeName != "" {
			s.adjust(p.Spec.NodeName, -1)
		}
	}
}

func (s *scheduler) schedule(k string) {
	ns, name := splitKey(k)
	p, ok := s.m.store.Peek(api.Ref{Kind: api.KindPod, Namespace: ns, Name: name}).(*api.Pod)
	if !ok || p.Spec.NodeName != "" || p.DeletionTimestamp != nil {
		return
	}
	node := s.pick(p)
	if node == "" {
		s.m.trace("default-scheduler", api.RefOf(p), "FailedScheduling: 0 nodes are available")
		return
	}
	// The binding changes the node name and the conditions; the copy shares
	// the rest with p, which the store never changes in place.
	c := *p
	c.Spec.NodeName = node
	c.Status.Conditions = withConditions(p.Status.Conditions, s.m.loop.Now(), condition{"PodScheduled", api.ConditionTrue})
	if c.Status.Phase == "" {
		c.Status.Phase = api.PodPending
	}
	s.adjust(node, 1)
	_ = s.m.store.UpdateStatus(&c, "scheduled to "+node)
}

func (s *scheduler) pick(p *api.Pod) string {
	if len(p.Spec.NodeSelector) == 0 {
		if len(s.load) == 0 {
			return ""
		}
		return s.load[0].name
	}
	var best *nodeLoad
	for _, nl := range s.load {
		if !labelsMatch(p.Spec.NodeSelector, nl.node.Labels) {
			continue
		}
		if best == nil || nl.pods < best.pods || (nl.pods == best.pods && nl.name < best.name) {
			best = nl
		}
	}
	if best == nil {
		return ""
	}
	return best.name
}

func labelsMatch(want, have map[string]string) bool {
	for k, v := range want {
		if hv, ok := have[k]; !ok || hv != v {
			return false
		}
	}
	return true
}
