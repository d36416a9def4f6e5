package store

import (
	"fmt"
	"maps"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// Result is what applying one object did, in kubectl's words.
type Result struct {
	Ref    api.Ref
	Action string // "created", "configured" or "unchanged"
}

// String renders the result as kubectl apply prints it: "service/web created",
// "deployment.apps/web configured".
func (r Result) String() string {
	return Name(r.Ref) + " " + r.Action
}

// Name renders ref as kubectl names objects in messages: the lower-case kind,
// its group when not core, and the name ("deployment.apps/web").
func Name(ref api.Ref) string {
	info, _ := api.InfoFor(ref.Kind)
	k := strings.ToLower(string(ref.Kind))
	if info.Group != "" {
		k += "." + info.Group
	}
	return k + "/" + ref.Name
}

// DuplicateError reports an object that appears twice in one apply.
type DuplicateError struct {
	Ref         api.Ref
	First, Then int // 1-based positions in the batch
}

// Error names the object and where it appears twice.
func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s appears twice in one apply (objects %d and %d); kubesim applies a batch as a whole and needs each object once",
		Name(e.Ref), e.First, e.Then)
}

// Apply creates or updates each object as `kubectl apply` does. The batch is
// all or nothing: every object is defaulted, validated and admitted before any
// is stored, so a batch with one bad object stores none and the error names it.
func (s *Store) Apply(objs []api.Object) ([]Result, error) {
	bv := &batchView{namespaces: make(map[string]bool)}
	seen := make(map[api.Ref]int, len(objs))
	var done []*prepared
	fail := func(err error) ([]Result, error) {
		for i := len(done) - 1; i >= 0; i-- {
			s.abort(done[i])
		}
		return nil, err
	}
	for i, in := range objs {
		obj := in.DeepCopyObject()
		m := obj.GetObjectMeta()
		info, _ := api.InfoFor(api.KindOf(obj))
		if info.Namespaced && m.Namespace == "" {
			m.Namespace = DefaultNamespace
		}
		if !info.Namespaced {
			m.Namespace = ""
		}
		if m.Name == "" && m.GenerateName != "" {
			return fail(fmt.Errorf("%s: cannot apply an object with generateName and no name: use create", strings.ToLower(string(info.Kind))))
		}
		ref := api.RefOf(obj)
		if first, dup := seen[ref]; dup {
			return fail(&DuplicateError{Ref: ref, First: first, Then: i + 1})
		}
		seen[ref] = i + 1
		var p *prepared
		var err error
		if old := s.Peek(ref); old != nil {
			p, err = s.prepareUpdate(mergeForApply(obj, old), old)
		} else {
			p, err = s.prepareCreate(obj, bv, false)
		}
		if err != nil {
			return fail(err)
		}
		if ref.Kind == api.KindNamespace && p.result == "created" {
			bv.namespaces[ref.Name] = true
		}
		done = append(done, p)
	}
	results := make([]Result, len(done))
	for i, p := range done {
		if p.result == "created" {
			s.commitCreate(p)
		} else {
			s.commitUpdate(p)
		}
		results[i] = Result{Ref: api.RefOf(p.obj), Action: p.result}
	}
	return results, nil
}

// mergeForApply builds the object an apply of manifest over stored leads to.
// Fields the manifest leaves out that the cluster filled in (allocated
// addresses and ports, the scheduled node, status, system metadata) keep their
// stored values, as kubectl's three-way merge leaves fields it never set.
func mergeForApply(manifest, stored api.Object) api.Object {
	m, sm := manifest.GetObjectMeta(), stored.GetObjectMeta()
	if len(m.OwnerReferences) == 0 {
		m.OwnerReferences = sm.OwnerReferences
	}
	if len(m.Finalizers) == 0 {
		m.Finalizers = sm.Finalizers
	}
	if len(sm.Annotations) > 0 {
		merged := maps.Clone(sm.Annotations)
		maps.Copy(merged, m.Annotations)
		m.Annotations = merged
	}
	switch o := manifest.(type) {
	case *api.Service:
		mergeService(o, stored.(*api.Service))
	case *api.Deployment:
		so := stored.(*api.Deployment)
		if o.Spec.Replicas == nil {
			o.Spec.Replicas = so.Spec.Replicas
		}
		o.Status = so.Status
	case *api.ReplicaSet:
		o.Status = stored.(*api.ReplicaSet).Status
	case *api.Pod:
		so := stored.(*api.Pod)
		if o.Spec.NodeName == "" {
			o.Spec.NodeName = so.Spec.NodeName
		}
		o.Status = so.Status
	case *api.Node:
		so := stored.(*api.Node)
		if len(o.Status.Addresses) == 0 && len(o.Status.Conditions) == 0 {
			o.Status = so.Status
		}
		if o.Spec.PodCIDR == "" && len(o.Spec.PodCIDRs) == 0 {
			o.Spec.PodCIDR, o.Spec.PodCIDRs = so.Spec.PodCIDR, so.Spec.PodCIDRs
		}
		if len(o.Spec.PodCIDRs) == 0 && o.Spec.PodCIDR != "" {
			o.Spec.PodCIDRs = []string{o.Spec.PodCIDR}
		}
	case *api.Namespace:
		o.Status = stored.(*api.Namespace).Status
	}
	return manifest
}

// mergeService keeps what the API server allocated for a service that the
// manifest leaves out, as long as the manifest's type still uses it: a
// NodePort turned ClusterIP loses its node ports, as dropTypeDependentFields
// drops them.
func mergeService(o, so *api.Service) {
	sameIP := o.Spec.ClusterIP == "" && len(o.Spec.ClusterIPs) == 0 ||
		o.Spec.ClusterIP == so.Spec.ClusterIP
	if sameIP && o.Spec.Type != api.ServiceTypeExternalName && so.Spec.Type != api.ServiceTypeExternalName {
		o.Spec.ClusterIP, o.Spec.ClusterIPs = so.Spec.ClusterIP, so.Spec.ClusterIPs
		if len(o.Spec.IPFamilies) == 0 {
			o.Spec.IPFamilies = so.Spec.IPFamilies
		}
		if o.Spec.IPFamilyPolicy == nil {
			o.Spec.IPFamilyPolicy = so.Spec.IPFamilyPolicy
		}
	}
	usesNodePorts := o.Spec.Type == api.ServiceTypeNodePort ||
		(o.Spec.Type == api.ServiceTypeLoadBalancer && (o.Spec.AllocateLoadBalancerNodePorts == nil || *o.Spec.AllocateLoadBalancerNodePorts))
	if usesNodePorts {
		for i := range o.Spec.Ports {
			if o.Spec.Ports[i].NodePort != 0 {
				continue
			}
			for _, sp := range so.Spec.Ports {
				if sp.Port == o.Spec.Ports[i].Port && protocolOr(sp.Protocol) == protocolOr(o.Spec.Ports[i].Protocol) {
					o.Spec.Ports[i].NodePort = sp.NodePort
				}
			}
		}
	}
	if o.Spec.HealthCheckNodePort == 0 && o.Spec.Type == api.ServiceTypeLoadBalancer && o.Spec.ExternalTrafficPolicy == api.TrafficPolicyLocal {
		o.Spec.HealthCheckNodePort = so.Spec.HealthCheckNodePort
	}
	if len(o.Status.LoadBalancer.Ingress) == 0 {
		o.Status = so.Status
	}
}

func protocolOr(p api.Protocol) api.Protocol {
	if p == "" {
		return api.ProtocolTCP
	}
	return p
}
