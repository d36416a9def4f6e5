package api

import (
	"fmt"
	"strconv"
)

// KindInfo describes how the API names a kind: its group, version, resource
// (the plural kubectl prints in "services \"x\" not found") and short names.
type KindInfo struct {
	Kind       Kind
	Group      string // "" for the core group
	Version    string
	Resource   string // lower-case plural, as in URLs and kubectl messages
	Namespaced bool
	ShortNames []string
}

// APIVersion returns group/version, or just the version for the core group.
func (k KindInfo) APIVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// GroupResource returns resource.group as kubectl prints it ("deployments.apps"),
// or the bare resource for the core group.
func (k KindInfo) GroupResource() string {
	if k.Group == "" {
		return k.Resource
	}
	return k.Resource + "." + k.Group
}

var kindInfos = map[Kind]KindInfo{
	KindNamespace:     {KindNamespace, "", "v1", "namespaces", false, []string{"ns"}},
	KindNode:          {KindNode, "", "v1", "nodes", false, []string{"no"}},
	KindPod:           {KindPod, "", "v1", "pods", true, []string{"po"}},
	KindService:       {KindService, "", "v1", "services", true, []string{"svc"}},
	KindEndpoints:     {KindEndpoints, "", "v1", "endpoints", true, []string{"ep"}},
	KindDeployment:    {KindDeployment, "apps", "v1", "deployments", true, []string{"deploy"}},
	KindReplicaSet:    {KindReplicaSet, "apps", "v1", "replicasets", true, []string{"rs"}},
	KindEndpointSlice: {KindEndpointSlice, "discovery.k8s.io", "v1", "endpointslices", true, nil},
	KindServiceCIDR:   {KindServiceCIDR, "networking.k8s.io", "v1", "servicecidrs", false, nil},
}

// InfoFor returns what the API says of kind k; ok is false for a kind kubesim
// does not store.
func InfoFor(k Kind) (KindInfo, bool) {
	info, ok := kindInfos[k]
	return info, ok
}

// KindOf returns the kind of a stored object from its Go type, whatever its
// TypeMeta says.
func KindOf(o Object) Kind {
	switch o.(type) {
	case *Namespace:
		return KindNamespace
	case *Node:
		return KindNode
	case *Pod:
		return KindPod
	case *Service:
		return KindService
	case *Endpoints:
		return KindEndpoints
	case *Deployment:
		return KindDeployment
	case *ReplicaSet:
		return KindReplicaSet
	case *EndpointSlice:
		return KindEndpointSlice
	case *ServiceCIDR:
		return KindServiceCIDR
	}
	panic(fmt.Sprintf("api: KindOf(%T): not a kubesim object", o))
}

// NewObject returns an empty object of kind k with its TypeMeta set, or nil for a
// kind kubesim does not store.
func NewObject(k Kind) Object {
	var o Object
	switch k {
	case KindNamespace:
		o = &Namespace{}
	case KindNode:
		o = &Node{}
	case KindPod:
		o = &Pod{}
	case KindService:
		o = &Service{}
	case KindEndpoints:
		o = &Endpoints{}
	case KindDeployment:
		o = &Deployment{}
	case KindReplicaSet:
		o = &ReplicaSet{}
	case KindEndpointSlice:
		o = &EndpointSlice{}
	case KindServiceCIDR:
		o = &ServiceCIDR{}
	default:
		return nil
	}
	info := kindInfos[k]
	*o.GetTypeMeta() = TypeMeta{APIVersion: info.APIVersion(), Kind: string(k)}
	return o
}

// Ref names one object: its kind, namespace (empty for cluster-scoped kinds) and
// name. Refs are comparable and order by kind, then namespace, then name.
type Ref struct {
	Kind      Kind
	Namespace string
	Name      string
}

// RefOf returns the Ref of o.
func RefOf(o Object) Ref {
	m := o.GetObjectMeta()
	return Ref{Kind: KindOf(o), Namespace: m.Namespace, Name: m.Name}
}

// String renders the ref as "service/default/web", or "node/n1" when
// cluster-scoped: the object column of the trace.
func (r Ref) String() string {
	k := lowerKind(r.Kind)
	if r.Namespace == "" {
		return k + "/" + r.Name
	}
	return k + "/" + r.Namespace + "/" + r.Name
}

// Compare orders refs by kind (in the order of Kinds), namespace, then name.
func (r Ref) Compare(o Ref) int {
	if r.Kind != o.Kind {
		return kindRank(r.Kind) - kindRank(o.Kind)
	}
	if r.Namespace != o.Namespace {
		if r.Namespace < o.Namespace {
			return -1
		}
		return 1
	}
	switch {
	case r.Name < o.Name:
		return -1
	case r.Name > o.Name:
		return 1
	}
	return 0
}

func kindRank(k Kind) int {
	for i, kk := range Kinds {
		if kk == k {
			return i
		}
	}
	return len(Kinds)
}

func lowerKind(k Kind) string {
	b := []byte(k)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// IsControlledBy reports whether o has a controller owner reference with uid.
func IsControlledBy(o Object, uid string) bool {
	c := ControllerOf(o)
	return c != nil && c.UID == uid
}

// ControllerOf returns o's controller owner reference, or nil.
func ControllerOf(o Object) *OwnerReference {
	refs := o.GetObjectMeta().OwnerReferences
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			return &refs[i]
		}
	}
	return nil
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }
