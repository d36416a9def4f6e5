package store

import "github.com/kubesim/kubesim/api"

// labelIndex maps namespace and label to the pods carrying that label, by
// name, so that a selector list over 150,000 pods touches only the pods that
// share its rarest equality term. It holds each pod's current version, so a
// list reads the pods from it rather than looking each up again in the store.
type labelIndex struct {
	byNS map[string]map[label]map[string]api.Object
}

// label is one key=value pair.
type label struct{ key, value string }

func newLabelIndex() *labelIndex {
	return &labelIndex{byNS: make(map[string]map[label]map[string]api.Object)}
}

func (ix *labelIndex) add(o api.Object) {
	meta := o.GetObjectMeta()
	m := ix.byNS[meta.Namespace]
	if m == nil {
		m = make(map[label]map[string]api.Object)
		ix.byNS[meta.Namespace] = m
	}
	for k, v := range meta.Labels {
		kv := label{k, v}
		set := m[kv]
		if set == nil {
			set = make(map[string]api.Object)
			m[kv] = set
		}
		set[meta.Name] = o
	}
}

// update records o as the current version of a pod whose labels did not
// change.
func (ix *labelIndex) update(o api.Object) {
	meta := o.GetObjectMeta()
	m := ix.byNS[meta.Namespace]
	for k, v := range meta.Labels {
		m[label{k, v}][meta.Name] = o
	}
}

func (ix *labelIndex) remove(o api.Object) {
	meta := o.GetObjectMeta()
	m := ix.byNS[meta.Namespace]
	if m == nil {
		return
	}
	for k, v := range meta.Labels {
		kv := label{k, v}
		if set := m[kv]; set != nil {
			delete(set, meta.Name)
			if len(set) == 0 {
				delete(m, kv)
			}
		}
	}
	if len(m) == 0 {
		delete(ix.byNS, meta.Namespace)
	}
}

// candidates returns a superset of the pods in ns that sel matches, by name,
// when sel has an equality term to narrow by; ok is false when it has none
// and the caller must scan.
func (ix *labelIndex) candidates(ns string, sel api.Selector) (pods map[string]api.Object, ok bool) {
	var best map[string]api.Object
	found := false
	m := ix.byNS[ns]
	for _, r := range sel.Requirements() {
		if !isEquality(r) {
			continue
		}
		set := m[label{r.Key, r.Values[0]}]
		if !found || len(set) < len(best) {
			best, found = set, true
		}
	}
	return best, found
}

func isEquality(r api.Requirement) bool {
	switch string(r.Op) {
	case "=", "==", "in":
		return len(r.Values) == 1
	}
	return false
}

func (s *Store) index(o api.Object) {
	m := o.GetObjectMeta()
	if _, ok := o.(*api.Pod); ok {
		s.labels.add(o)
	}
	ref := api.RefOf(o)
	s.uids[m.UID] = ref
	for _, or := range m.OwnerReferences {
		s.owners[or.UID] = append(s.owners[or.UID], ref)
	}
}

func (s *Store) unindex(o api.Object) {
	m := o.GetObjectMeta()
	if _, ok := o.(*api.Pod); ok {
		s.labels.remove(o)
	}
	ref := api.RefOf(o)
	delete(s.uids, m.UID)
	for _, or := range m.OwnerReferences {
		deps := s.owners[or.UID]
		for i, d := range deps {
			if d == ref {
				deps = append(deps[:i:i], deps[i+1:]...)
				break
			}
		}
		if len(deps) == 0 {
			delete(s.owners, or.UID)
		} else {
			s.owners[or.UID] = deps
		}
	}
}
