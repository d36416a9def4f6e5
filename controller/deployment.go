package controller

import (
	"encoding/json"
	"hash/fnv"
	"maps"
	"reflect"
	"slices"
	"strconv"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

// LabelPodTemplateHash is the label that ties a replica set and its pods to one
// version of a deployment's pod template.
const LabelPodTemplateHash = "pod-template-hash"

// annotationRevision numbers a deployment's replica sets as rollouts happen.
const annotationRevision = "deployment.kubernetes.io/revision"

// PodTemplateHash returns the pod-template-hash Kubernetes derives from a
// template: an FNV-32a hash of the template written out as decimal digits, each
// mapped into the random-string alphabet. The same template always gives the
// same hash; kubesim hashes the template's JSON form, so the value differs from
// a real cluster's while keeping its shape ("7f69798f94").
func PodTemplateHash(t *api.PodTemplateSpec) string {
	h := fnv.New32a()
	b, _ := json.Marshal(t)
	h.Write(b)
	digits := strconv.FormatUint(uint64(h.Sum32()), 10)
	out := make([]byte, len(digits))
	for i := range len(digits) {
		out[i] = store.Alphabet[int(digits[i])%len(store.Alphabet)]
	}
	return string(out)
}

// templateHash caches each deployment's pod-template-hash per generation:
// hashing the template is the costliest part of a sync, and it only changes
// with the spec.
func (m *Manager) templateHash(d *api.Deployment) string {
	if h, ok := m.hashes[d.UID]; ok && h.generation == d.Generation {
		return h.hash
	}
	h := PodTemplateHash(&d.Spec.Template)
	m.hashes[d.UID] = cachedHash{d.Generation, h}
	return h
}

type cachedHash struct {
	generation int64
	hash       string
}

func (m *Manager) ownedReplicaSets(d *api.Deployment) []*api.ReplicaSet {
	var out []*api.ReplicaSet
	for _, ref := range m.store.SharedDependents(d.UID) {
		if ref.Kind != api.KindReplicaSet {
			continue
		}
		if rs, ok := m.store.Peek(ref).(*api.ReplicaSet); ok && api.IsControlledBy(rs, d.UID) {
			out = append(out, rs)
		}
	}
	return out
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// scaled resolves a maxSurge or maxUnavailable value against the replica count;
// percentages round up for surge and down for unavailability, as Kubernetes.
func scaled(v *api.IntOrString, total int32, roundUp bool) int32 {
	if v == nil {
		v = &api.IntOrString{IsString: true, StrVal: "25%"}
	}
	if !v.IsString {
		return v.IntVal
	}
	s := v.StrVal
	if len(s) == 0 || s[len(s)-1] != '%' {
		n, _ := strconv.Atoi(s)
		return int32(n)
	}
	pct, err := strconv.Atoi(s[:len(s)-1])
	if err != nil {
		return 0
	}
	x := int64(pct) * int64(total)
	if roundUp {
		return int32((x + 99) / 100)
	}
	return int32(x / 100)
}

func (m *Manager) syncDeployment(k string) {
	ns, name := splitKey(k)
	o := m.store.Peek(api.Ref{Kind: api.KindDeployment, Namespace: ns, Name: name})
	d, ok := o.(*api.Deployment)
	if !ok || d.DeletionTimestamp != nil {
		return
	}
	hash := m.templateHash(d)
	all := m.ownedReplicaSets(d)
	var newRS *api.ReplicaSet
	var old []*api.ReplicaSet
	maxRev := 0
	for _, rs := range all {
		if rev, err := strconv.Atoi(rs.Annotations[annotationRevision]); err == nil && rev > maxRev {
			maxRev = rev
		}
		if rs.Labels[LabelPodTemplateHash] == hash {
			newRS = rs
		} else {
			old = append(old, rs)
		}
	}
	// Oldest first, so that scaling down retires the oldest versions first.
	slices.SortStableFunc(old, func(a, b *api.ReplicaSet) int {
		return a.CreationTimestamp.Compare(b.CreationTimestamp.Time)
	})
	want := replicas(d.Spec.Replicas)
	if newRS == nil {
		initial := want
		if d.Spec.Strategy.Type != api.RecreateStrategy && anyReplicas(old) {
			initial = 0
		}
		if d.Spec.Strategy.Type == api.RecreateStrategy && anyReplicas(old) {
			initial = 0
		}
		created, err := m.createReplicaSet(d, hash, initial, maxRev+1)
		if err != nil {
			m.trace("deployment-controller", api.RefOf(d), "failed to create replica set: "+err.Error())
			return
		}
		newRS = created
	}
	if d.Spec.Paused {
		m.updateDeploymentStatus(d, newRS, old)
		return
	}
	if d.Spec.Strategy.Type == api.RecreateStrategy {
		m.recreate(d, newRS, old, want)
	} else {
		m.rollingUpdate(d, newRS, old, want)
	}
	m.updateDeploymentStatus(d, m.refreshRS(newRS), m.refreshAll(old))
}

func anyReplicas(rss []*api.ReplicaSet) bool {
	for _, rs := range rss {
		if replicas(rs.Spec.Replicas) > 0 || rs.Status.Replicas > 0 {
			return true
		}
	}
	return false
}

func (m *Manager) refreshRS(rs *api.ReplicaSet) *api.ReplicaSet {
	if cur, ok := m.store.Peek(api.RefOf(rs)).(*api.ReplicaSet); ok {
		return cur
	}
	return rs
}

func (m *Manager) refreshAll(rss []*api.ReplicaSet) []*api.ReplicaSet {
	out := make([]*api.ReplicaSet, 0, len(rss))
	for _, rs := range rss {
		out = append(out, m.refreshRS(rs))
	}
	return out
}

func (m *Manager) createReplicaSet(d *api.Deployment, hash string, n int32, revision int) (*api.ReplicaSet, error) {
	yes := true
	tmpl := *d.Spec.Template.DeepCopy()
	tmpl.Labels = maps.Clone(tmpl.Labels)
	if tmpl.Labels == nil {
		tmpl.Labels = map[string]string{}
	}
	tmpl.Labels[LabelPodTemplateHash] = hash
	sel := d.Spec.Selector.DeepCopy()
	if sel.MatchLabels == nil {
		sel.MatchLabels = map[string]string{}
	}
	sel.MatchLabels[LabelPodTemplateHash] = hash
	rs := &api.ReplicaSet{
		ObjectMeta: api.ObjectMeta{
			Name:        d.Name + "-" + hash,
			Namespace:   d.Namespace,
			Labels:      maps.Clone(tmpl.Labels),
			Annotations: map[string]string{annotationRevision: strconv.Itoa(revision)},
			OwnerReferences: []api.OwnerReference{{
				APIVersion: "apps/v1", Kind: string(api.KindDeployment), Name: d.Name, UID: d.UID,
				Controller: &yes, BlockOwnerDeletion: &yes,
			}},
		},
		Spec: api.ReplicaSetSpec{Replicas: &n, Selector: sel, Template: tmpl, MinReadySeconds: d.Spec.MinReadySeconds},
	}
	o, err := m.store.Create(rs)
	if err != nil {
		return nil, err
	}
	return o.(*api.ReplicaSet), nil
}

func (m *Manager) scaleReplicaSet(rs *api.ReplicaSet, n int32) {
	if replicas(rs.Spec.Replicas) == n {
		return
	}
	// Only the replica count and the generation change: the new version
	// shares the rest with rs, which the store never changes in place,
	// except its owner references (see copyOwnerRefs).
	c := *rs
	c.OwnerReferences = copyOwnerRefs(rs.OwnerReferences)
	c.Spec.Replicas = &n
	c.Generation++
	_ = m.store.UpdateStatus(&c, "scaled to "+strconv.Itoa(int(n)))
}

func (m *Manager) recreate(d *api.Deployment, newRS *api.ReplicaSet, old []*api.ReplicaSet, want int32) {
	running := 0
	for _, rs := range old {
		m.scaleReplicaSet(rs, 0)
		// Terminating pods still run: Recreate waits until they are gone.
		for _, p := range m.ownedPods(rs.UID) {
			if p.Status.Phase != api.PodSucceeded && p.Status.Phase != api.PodFailed {
				running++
			}
		}
	}
	if running == 0 {
		m.scaleReplicaSet(newRS, want)
	}
}

// rollingUpdate takes one step of a rolling update: surge the new replica set
// as far as maxSurge allows, then retire old pods as far as maxUnavailable
// allows, counting only available pods as available.
func (m *Manager) rollingUpdate(d *api.Deployment, newRS *api.ReplicaSet, old []*api.ReplicaSet, want int32) {
	if !anyReplicas(old) {
		m.scaleReplicaSet(newRS, want)
		return
	}
	var ru *api.RollingUpdateDeployment
	if d.Spec.Strategy.RollingUpdate != nil {
		ru = d.Spec.Strategy.RollingUpdate
	} else {
		ru = &api.RollingUpdateDeployment{}
	}
	surge := scaled(ru.MaxSurge, want, true)
	unavail := scaled(ru.MaxUnavailable, want, false)
	if surge == 0 && unavail == 0 {
		unavail = 1
	}
	total := replicas(newRS.Spec.Replicas)
	for _, rs := range old {
		total += replicas(rs.Spec.Replicas)
	}
	newWant := replicas(newRS.Spec.Replicas)
	if maxTotal := want + surge; total < maxTotal && newWant < want {
		up := min(maxTotal-total, want-newWant)
		m.scaleReplicaSet(newRS, newWant+up)
		// Like the deployment controller, a sync that scaled up stops there:
		// the old replica sets shrink on a later sync, against fresh counts.
		return
	}
	minAvailable := want - unavail
	newUnavailable := replicas(newRS.Spec.Replicas) - newRS.Status.AvailableReplicas
	if newUnavailable < 0 {
		newUnavailable = 0
	}
	down := total - minAvailable - newUnavailable
	// Unhealthy old pods go first: they count against availability anyway.
	for _, rs := range old {
		if down <= 0 {
			break
		}
		unhealthy := replicas(rs.Spec.Replicas) - rs.Status.AvailableReplicas
		if unhealthy <= 0 {
			continue
		}
		cut := min(unhealthy, down)
		m.scaleReplicaSet(rs, replicas(rs.Spec.Replicas)-cut)
		down -= cut
		total -= cut
	}
	old = m.refreshAll(old)
	available := newRS.Status.AvailableReplicas
	for _, rs := range old {
		available += rs.Status.AvailableReplicas
	}
	down = min(down, available-minAvailable)
	for _, rs := range old {
		if down <= 0 {
			break
		}
		r := replicas(rs.Spec.Replicas)
		if r == 0 {
			continue
		}
		cut := min(r, down)
		m.scaleReplicaSet(rs, r-cut)
		down -= cut
	}
}

func (m *Manager) updateDeploymentStatus(d *api.Deployment, newRS *api.ReplicaSet, old []*api.ReplicaSet) {
	st := api.DeploymentStatus{ObservedGeneration: d.Generation, Conditions: d.Status.Conditions}
	for _, rs := range append([]*api.ReplicaSet{newRS}, old...) {
		st.Replicas += rs.Status.Replicas
		st.ReadyReplicas += rs.Status.ReadyReplicas
		st.AvailableReplicas += rs.Status.AvailableReplicas
	}
	st.UpdatedReplicas = newRS.Status.Replicas
	if u := replicas(d.Spec.Replicas) - st.AvailableReplicas; u > 0 {
		st.UnavailableReplicas = u
	}
	if reflect.DeepEqual(st, d.Status) {
		return
	}
	// As for a replica set, a status write shares the rest with d.
	c := *d
	c.OwnerReferences = copyOwnerRefs(d.OwnerReferences)
	c.Status = st
	_ = m.store.UpdateStatus(&c, "status: "+strconv.Itoa(int(st.ReadyReplicas))+"/"+strconv.Itoa(int(replicas(d.Spec.Replicas)))+" ready")
}
