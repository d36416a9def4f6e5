package store

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/kubesim/kubesim/api"
)

// DefaultNamespace is where a namespaced object without a namespace goes.
const DefaultNamespace = "default"

// Create stores a new object built from a copy of obj and returns the stored
// object (shared, read-only).
func (s *Store) Create(obj api.Object) (api.Object, error) {
	p, err := s.prepareCreate(obj.DeepCopyObject(), nil, false)
	if err != nil {
		return nil, err
	}
	s.commitCreate(p)
	return p.obj, nil
}

// CreateFromTemplate stores an object a controller stamped out of a template
// the store already defaulted and validated (a replica set's pod), skipping
// both steps: they cannot fail on such an object, and at 150,000 pods they
// are a tenth of the work. Admission still runs. The store keeps obj itself,
// which the caller must not touch afterwards.
func (s *Store) CreateFromTemplate(obj api.Object) (api.Object, error) {
	p, err := s.prepareCreate(obj, nil, true)
	if err != nil {
		return nil, err
	}
	s.commitCreate(p)
	return p.obj, nil
}

// prepared is an object that passed defaulting, validation and admission and
// waits to be committed (or aborted with the rest of its batch).
type prepared struct {
	obj, old api.Object
	result   string
}

// batchView lets a batch see the namespaces created earlier in the same batch.
type batchView struct {
	namespaces map[string]bool
}

func (s *Store) prepareCreate(obj api.Object, bv *batchView, trusted bool) (*prepared, error) {
	kind := api.KindOf(obj)
	info, _ := api.InfoFor(kind)
	*obj.GetTypeMeta() = api.TypeMeta{APIVersion: info.APIVersion(), Kind: string(kind)}
	m := obj.GetObjectMeta()
	if !info.Namespaced {
		m.Namespace = ""
	} else if m.Namespace == "" {
		m.Namespace = DefaultNamespace
	}
	if m.Name == "" && m.GenerateName != "" {
		m.Name = s.generateName(kind, m.Namespace, m.GenerateName)
	}
	if !trusted {
		api.SetDefaults(obj)
		if err := api.Validate(obj, s.opts.Validation); err != nil {
			return nil, err
		}
	}
	ref := api.RefOf(obj)
	if s.Peek(ref) != nil {
		return nil, &api.AlreadyExistsError{Resource: info.GroupResource(), Name: m.Name}
	}
	if info.Namespaced {
		if err := s.namespaceOpen(m.Namespace, info, m.Name, bv); err != nil {
			return nil, err
		}
	}
	if err := s.admit(obj, nil); err != nil {
		return nil, err
	}
	return &prepared{obj: obj, result: "created"}, nil
}

// namespaceOpen refuses objects in a namespace that does not exist or is being
// terminated, as the API server's NamespaceLifecycle admission does.
func (s *Store) namespaceOpen(ns string, info api.KindInfo, name string, bv *batchView) error {
	if bv != nil && bv.namespaces[ns] {
		return nil
	}
	o := s.Peek(api.Ref{Kind: api.KindNamespace, Name: ns})
	if o == nil {
		return &api.NotFoundError{Resource: "namespaces", Name: ns}
	}
	if o.(*api.Namespace).Status.Phase == api.NamespaceTerminating {
		return &api.ForbiddenError{Resource: info.GroupResource(), Name: name,
			Message: fmt.Sprintf("unable to create new content in namespace %s because it is being terminated", ns)}
	}
	return nil
}

func (s *Store) generateName(kind api.Kind, ns, prefix string) string {
	// Kubernetes trims the prefix so that prefix+suffix fits in 63 characters.
	const maxPrefix = 63 - 5
	if len(prefix) > maxPrefix {
		prefix = prefix[:maxPrefix]
	}
	for {
		name := prefix + s.RandomSuffix(5)
		if s.Peek(api.Ref{Kind: kind, Namespace: ns, Name: name}) == nil {
			return name
		}
	}
}

func (s *Store) admit(obj, old api.Object) error {
	for i, p := range s.plugins {
		if err := p.Admit(obj, old); err != nil {
			for j := i - 1; j >= 0; j-- {
				s.plugins[j].Abort(obj, old)
			}
			return err
		}
	}
	return nil
}

func (s *Store) abort(p *prepared) {
	if p.result == "unchanged" {
		return
	}
	for j := len(s.plugins) - 1; j >= 0; j-- {
		s.plugins[j].Abort(p.obj, p.old)
	}
}

func (s *Store) commitCreate(p *prepared) {
	obj := p.obj
	m := obj.GetObjectMeta()
	m.UID = s.newUID()
	m.ResourceVersion = s.nextRV()
	m.CreationTimestamp = api.NewTime(s.loop.Now())
	m.DeletionTimestamp = nil
	m.DeletionGracePeriodSeconds = nil
	if hasGeneration(obj) {
		m.Generation = 1
	} else {
		m.Generation = 0
	}
	switch o := obj.(type) {
	case *api.Namespace:
		o.Status.Phase = api.NamespaceActive
	case *api.Pod:
		if o.Status.Phase == "" {
			o.Status.Phase = api.PodPending
		}
	}
	ref := api.RefOf(obj)
	s.kinds[ref.Kind].objs[nsName{ref.Namespace, ref.Name}] = obj
	s.index(obj)
	for _, pl := range s.plugins {
		pl.Commit(obj, nil)
	}
	s.trace(ref, "created")
	s.notify(ref.Kind, Event{Type: Added, Object: obj})
}

// hasGeneration reports whether the kind tracks spec changes in
// metadata.generation (kinds with a spec do).
func hasGeneration(o api.Object) bool {
	switch o.(type) {
	case *api.Endpoints, *api.EndpointSlice:
		return false
	}
	return true
}

// Update replaces the stored object with a copy of obj. A non-empty
// resourceVersion on obj must match the stored one.
func (s *Store) Update(obj api.Object) (api.Object, error) {
	obj = obj.DeepCopyObject()
	old, err := s.Get(api.RefOf(obj))
	if err != nil {
		return nil, err
	}
	if rv := obj.GetObjectMeta().ResourceVersion; rv != "" && rv != old.GetObjectMeta().ResourceVersion {
		info, _ := api.InfoFor(api.KindOf(obj))
		return nil, &api.ConflictError{Resource: info.GroupResource(), Name: obj.GetObjectMeta().Name,
			Message: "the object has been modified; please apply your changes to the latest version and try again"}
	}
	p, err := s.prepareUpdate(obj, old)
	if err != nil {
		return nil, err
	}
	s.commitUpdate(p)
	return p.obj, nil
}

func (s *Store) prepareUpdate(obj, old api.Object) (*prepared, error) {
	kind := api.KindOf(obj)
	info, _ := api.InfoFor(kind)
	*obj.GetTypeMeta() = api.TypeMeta{APIVersion: info.APIVersion(), Kind: string(kind)}
	m, om := obj.GetObjectMeta(), old.GetObjectMeta()
	m.Namespace, m.UID, m.CreationTimestamp = om.Namespace, om.UID, om.CreationTimestamp
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = om.DeletionTimestamp, om.DeletionGracePeriodSeconds
	m.Generation, m.GenerateName = om.Generation, om.GenerateName
	if ns, ok := obj.(*api.Namespace); ok {
		ns.Status = old.(*api.Namespace).Status
	}
	api.SetDefaults(obj)
	if err := api.Validate(obj, s.opts.Validation); err != nil {
		return nil, err
	}
	if err := checkImmutable(obj, old); err != nil {
		return nil, err
	}
	m.ResourceVersion = om.ResourceVersion
	if reflect.DeepEqual(obj, old) {
		return &prepared{obj: old, old: old, result: "unchanged"}, nil
	}
	if err := s.admit(obj, old); err != nil {
		return nil, err
	}
	return &prepared{obj: obj, old: old, result: "configured"}, nil
}

func (s *Store) commitUpdate(p *prepared) {
	if p.result == "unchanged" {
		return
	}
	obj, old := p.obj, p.old
	m := obj.GetObjectMeta()
	if hasGeneration(obj) && !reflect.DeepEqual(specOf(obj), specOf(old)) {
		m.Generation = old.GetObjectMeta().Generation + 1
	}
	s.replace(obj, old, "configured")
	for _, pl := range s.plugins {
		pl.Commit(obj, old)
	}
}

// replace swaps in obj for old, bumping the resourceVersion, and tells watchers.
func (s *Store) replace(obj, old api.Object, change string) {
	obj.GetObjectMeta().ResourceVersion = s.nextRV()
	ref := api.RefOf(obj)
	info, _ := api.InfoFor(ref.Kind)
	*obj.GetTypeMeta() = api.TypeMeta{APIVersion: info.APIVersion(), Kind: string(ref.Kind)}
	m, om := obj.GetObjectMeta(), old.GetObjectMeta()
	reindex := !sameLabels(m.Labels, om.Labels) || !slices.Equal(m.OwnerReferences, om.OwnerReferences)
	if reindex {
		s.unindex(old)
	}
	s.kinds[ref.Kind].objs[nsName{ref.Namespace, ref.Name}] = obj
	if reindex {
		s.index(obj)
	} else if _, ok := obj.(*api.Pod); ok {
		s.labels.update(obj)
	}
	s.trace(ref, change)
	s.notify(ref.Kind, Event{Type: Modified, Object: obj, Old: old})
}

// sameLabels is maps.Equal, at once for the map a new version most often
// shares with the old.
func sameLabels(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() || maps.Equal(a, b)
}

// UpdateStatus replaces the stored object with obj as a controller writes it:
// no defaulting, validation or admission, and no generation bump. obj must be a
// private copy the caller will not change afterwards; callers skip no-op
// updates themselves. change describes the update in the trace.
func (s *Store) UpdateStatus(obj api.Object, change string) error {
	ref := api.RefOf(obj)
	old := s.Peek(ref)
	if old == nil {
		return notFound(ref)
	}
	m, om := obj.GetObjectMeta(), old.GetObjectMeta()
	m.UID, m.CreationTimestamp, m.Generation = om.UID, om.CreationTimestamp, om.Generation
	s.replace(obj, old, change)
	return nil
}

// specOf returns the part of an object whose change bumps its generation.
func specOf(o api.Object) any {
	switch o := o.(type) {
	case *api.Namespace:
		return o.Spec
	case *api.Node:
		return o.Spec
	case *api.Pod:
		return o.Spec
	case *api.Service:
		return o.Spec
	case *api.Deployment:
		return o.Spec
	case *api.ReplicaSet:
		return o.Spec
	case *api.ServiceCIDR:
		return o.Spec
	}
	return nil
}

// podSpecUpdateAllowed reports whether a pod's spec changed only where the
// API server lets it change: container images, activeDeadlineSeconds, added
// tolerations and terminationGracePeriodSeconds. kubesim keeps no
// activeDeadlineSeconds and treats tolerations as opaque, so only images and
// the grace period may differ.
func podSpecUpdateAllowed(now, was *api.PodSpec) bool {
	a, b := *now, *was
	a.TerminationGracePeriodSeconds, b.TerminationGracePeriodSeconds = nil, nil
	a.Tolerations, b.Tolerations = nil, nil
	a.Containers, b.Containers = withoutImages(a.Containers), withoutImages(b.Containers)
	a.InitContainers, b.InitContainers = withoutImages(a.InitContainers), withoutImages(b.InitContainers)
	return reflect.DeepEqual(a, b)
}

func withoutImages(cs []api.Container) []api.Container {
	out := make([]api.Container, len(cs))
	for i, c := range cs {
		c.Image = ""
		out[i] = c
	}
	return out
}

// checkImmutable refuses the changes the API server refuses on update.
func checkImmutable(obj, old api.Object) error {
	var causes []api.FieldError
	switch o := obj.(type) {
	case *api.Deployment:
		if !reflect.DeepEqual(o.Spec.Selector, old.(*api.Deployment).Spec.Selector) {
			causes = append(causes, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.selector",
				BadValue: o.Spec.Selector, Detail: "field is immutable"})
		}
	case *api.ReplicaSet:
		if !reflect.DeepEqual(o.Spec.Selector, old.(*api.ReplicaSet).Spec.Selector) {
			causes = append(causes, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.selector",
				BadValue: o.Spec.Selector, Detail: "field is immutable"})
		}
	case *api.Pod:
		op := old.(*api.Pod)
		if !podSpecUpdateAllowed(&o.Spec, &op.Spec) {
			causes = append(causes, api.FieldError{Type: api.ErrorTypeForbidden, Field: "spec",
				Detail: "pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"})
		}
	}
	if len(causes) == 0 {
		return nil
	}
	return &api.InvalidError{Kind: api.KindOf(obj), Name: obj.GetObjectMeta().Name, Causes: causes}
}
