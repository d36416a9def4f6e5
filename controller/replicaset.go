package controller

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/kubesim/kubesim/api"
)

// burst caps how many pods one replica set sync creates, as the controller's
// slow-start batches do.
const burst = 500

func (m *Manager) ownedPods(uid string) []*api.Pod {
	var out []*api.Pod
	for _, ref := range m.store.SharedDependents(uid) {
		if ref.Kind != api.KindPod {
			continue
		}
		if p, ok := m.store.Peek(ref).(*api.Pod); ok && api.IsControlledBy(p, uid) {
			out = append(out, p)
		}
	}
	return out
}

// isActive reports whether a pod counts towards its replica set: not being
// deleted and not finished.
func isActive(p *api.Pod) bool {
	return p.DeletionTimestamp == nil && p.Status.Phase != api.PodSucceeded && p.Status.Phase != api.PodFailed
}

// IsPodReady reports whether the pod's Ready condition is True.
func IsPodReady(p *api.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == api.ConditionTrue
		}
	}
	return false
}

func (m *Manager) syncReplicaSet(k string) {
	ns, name := splitKey(k)
	rs, ok := m.store.Peek(api.Ref{Kind: api.KindReplicaSet, Namespace: ns, Name: name}).(*api.ReplicaSet)
	if !ok || rs.DeletionTimestamp != nil {
		return
	}
	owned := m.ownedPods(rs.UID)
	var active []*api.Pod
	for _, p := range owned {
		if isActive(p) {
			active = append(active, p)
		}
	}
	want := int(replicas(rs.Spec.Replicas))
	diff := len(active) - want
	switch {
	case diff < 0:
		for range min(-diff, burst) {
			if err := m.createPod(rs); err != nil {
				m.trace("replicaset-controller", api.RefOf(rs), "failed to create pod: "+err.Error())
				break
			}
		}
	case diff > 0:
		slices.SortStableFunc(active, deletionOrder)
		for _, p := range active[:diff] {
			_ = m.store.Delete(api.RefOf(p), storeDeleteDefault)
		}
	}
	if diff != 0 {
		// The pods just created or deleted count in the status.
		owned = m.ownedPods(rs.UID)
	}
	m.updateReplicaSetStatus(rs, owned)
}

// deletionOrder ranks pods the way the replica set controller picks victims
// when scaling down: unscheduled before scheduled, pending before running, not
// ready before ready, then the most recently created first.
func deletionOrder(a, b *api.Pod) int {
	if c := cmp.Compare(boolRank(a.Spec.NodeName != ""), boolRank(b.Spec.NodeName != "")); c != 0 {
		return c
	}
	if c := cmp.Compare(phaseRank(a.Status.Phase), phaseRank(b.Status.Phase)); c != 0 {
		return c
	}
	if c := cmp.Compare(boolRank(IsPodReady(a)), boolRank(IsPodReady(b))); c != 0 {
		return c
	}
	if c := b.CreationTimestamp.Compare(a.CreationTimestamp.Time); c != 0 {
		return c
	}
	return cmp.Compare(b.Name, a.Name)
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func phaseRank(p api.PodPhase) int {
	switch p {
	case api.PodPending, "":
		return 0
	case api.PodRunning:
		return 2
	}
	return 1
}

func (m *Manager) createPod(rs *api.ReplicaSet) error {
	yes := true
	// The template was defaulted and validated with its replica set. The pod
	// shares the template's spec, labels and annotations rather than copying
	// them: the store never changes a stored object in place, so sharing is
	// safe, and at 150,000 pods it halves the heap the garbage collector scans.
	tmpl := &rs.Spec.Template
	pod := &api.Pod{
		TypeMeta: api.TypeMeta{APIVersion: "v1", Kind: string(api.KindPod)},
		ObjectMeta: api.ObjectMeta{
			GenerateName: rs.Name + "-",
			Namespace:    rs.Namespace,
			Labels:       tmpl.Labels,
			Annotations:  tmpl.Annotations,
			OwnerReferences: []api.OwnerReference{{
				APIVersion: "apps/v1", Kind: string(api.KindReplicaSet), Name: rs.Name, UID: rs.UID,
				Controller: &yes, BlockOwnerDeletion: &yes,
			}},
		},
		Spec: tmpl.Spec,
	}
	if pod.Spec.HostNetwork {
		// Pod defaults rewrite a host-network pod's container ports, so it
		// takes the ordinary path, which copies the template first.
		_, err := m.store.Create(pod)
		return err
	}
	if pod.Spec.EnableServiceLinks == nil {
		// The one pod default that templates do not get.
		pod.Spec.EnableServiceLinks = &yes
	}
	_, err := m.store.CreateFromTemplate(pod)
	return err
}

// copyOwnerRefs copies owner references for the new version of an object,
// which otherwise shares the old version's metadata. The store files an
// object again under its owners when the references differ, and it compares
// the pointers inside them, so a copy moves the object last among its
// owners' dependents: the order rollouts and the garbage collector take
// them in. The status writes of controllers have always copied the whole
// object, and so moved it; they keep doing so, and every trace stays as it
// was.
func copyOwnerRefs(refs []api.OwnerReference) []api.OwnerReference {
	if refs == nil {
		return nil
	}
	out := make([]api.OwnerReference, len(refs))
	for i := range refs {
		refs[i].DeepCopyInto(&out[i])
	}
	return out
}

// updateReplicaSetStatus writes the status that owned, the replica set's
// pods, add up to.
func (m *Manager) updateReplicaSetStatus(rs *api.ReplicaSet, owned []*api.Pod) {
	st := api.ReplicaSetStatus{ObservedGeneration: rs.Generation}
	for _, p := range owned {
		if !isActive(p) {
			continue
		}
		st.Replicas++
		st.FullyLabeledReplicas++
		if IsPodReady(p) {
			st.ReadyReplicas++
			st.AvailableReplicas++
		}
	}
	if st == rs.Status {
		return
	}
	// A status write leaves the spec and metadata alone: the new version
	// shares them with rs, which the store never changes in place, all but
	// its owner references.
	c := *rs
	c.OwnerReferences = copyOwnerRefs(rs.OwnerReferences)
	c.Status = st
	_ = m.store.UpdateStatus(&c, "status: "+strconv.Itoa(int(st.ReadyReplicas))+"/"+strconv.Itoa(int(replicas(rs.Spec.Replicas)))+" ready")
}
