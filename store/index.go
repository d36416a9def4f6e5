package store

import "github.com/kubesim/kubesim/api"

// labelIndex maps namespace and "key=value" to the names of the pods carrying
// that label, so that a selector list over 150,000 pods touches only the pods
// that share its rarest equality term.
type labelIndex struct {
	byNS map[string]map[string]map[string]struct{}
}

func newLabelIndex() *labelIndex {
	return &labelIndex{byNS: make(map[string]map[string]map[string]struct{})}
}

func (ix *labelIndex) add(ns, name string, labels map[string]string) {
	m := ix.byNS[ns]
	if m == nil {
		m = make(map[string]map[string]struct{})
		ix.byNS[ns] = m
	}
	for k, v := range labels {
		kv := k + "=" + v
		set := m[kv]
		if set == nil {
			set = make(map[string]struct{})
			m[kv] = set
		}
		set[name] = struct{}{}
	}
}

func (ix *labelIndex) remove(ns, name string, labels map[string]string) {
	m := ix.byNS[ns]
	if m == nil {
		return
	}
	for k, v := range labels {
		kv := k + "=" + v
		if set := m[kv]; set != nil {
			delete(set, name)
			if len(set) == 0 {
				delete(m, kv)
			}
		}
	}
	if len(m) == 0 {
		delete(ix.byNS, ns)
	}
}

// candidates returns a superset of the names in ns that sel matches, in no
// particular order, when sel has an equality term to narrow by; ok is false when
// it has none and the caller must scan.
func (ix *labelIndex) candidates(ns string, sel api.Selector) (names []string, ok bool) {
	var best map[string]struct{}
	found := false
	m := ix.byNS[ns]
	for _, r := range sel.Requirements() {
		if !isEquality(r) {
			continue
		}
		set := m[r.Key+"="+r.Values[0]]
		if !found || len(set) < len(best) {
			best, found = set, true
		}
	}
	if !found {
		return nil, false
	}
	names = make([]string, 0, len(best))
	for n := range best {
		names = append(names, n)
	}
	return names, true
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
		s.labels.add(m.Namespace, m.Name, m.Labels)
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
		s.labels.remove(m.Namespace, m.Name, m.Labels)
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
