package api

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind names an object type as it appears in a manifest's kind field.
type Kind string

// The kinds kubesim stores.
const (
	KindNamespace     Kind = "Namespace"
	KindNode          Kind = "Node"
	KindPod           Kind = "Pod"
	KindDeployment    Kind = "Deployment"
	KindReplicaSet    Kind = "ReplicaSet"
	KindService       Kind = "Service"
	KindEndpoints     Kind = "Endpoints"
	KindEndpointSlice Kind = "EndpointSlice"
	KindServiceCIDR   Kind = "ServiceCIDR"
)

// Kinds lists every stored kind in a fixed order: the order in which kubectl-style
// listings of several kinds and the store's own iteration visit them.
var Kinds = []Kind{
	KindNamespace, KindNode, KindServiceCIDR, KindService, KindEndpoints,
	KindEndpointSlice, KindDeployment, KindReplicaSet, KindPod,
}

// Object is implemented by every stored object type.
type Object interface {
	// GetObjectMeta returns the object's metadata for reading and, on a private
	// copy, for writing.
	GetObjectMeta() *ObjectMeta
	// GetTypeMeta returns the object's apiVersion and kind.
	GetTypeMeta() *TypeMeta
	// DeepCopyObject returns a copy that shares no memory with the receiver.
	DeepCopyObject() Object
}

// TypeMeta is the apiVersion and kind every manifest carries.
type TypeMeta struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
}

// GetTypeMeta returns t itself, so embedding TypeMeta satisfies part of Object.
func (t *TypeMeta) GetTypeMeta() *TypeMeta { return t }

// ObjectMeta is the metadata of a stored object, as in Kubernetes' ObjectMeta.
type ObjectMeta struct {
	Name                       string            `json:"name,omitempty"`
	GenerateName               string            `json:"generateName,omitempty"`
	Namespace                  string            `json:"namespace,omitempty"`
	UID                        string            `json:"uid,omitempty"`
	ResourceVersion            string            `json:"resourceVersion,omitempty"`
	Generation                 int64             `json:"generation,omitempty"`
	CreationTimestamp          Time              `json:"creationTimestamp,omitzero"`
	DeletionTimestamp          *Time             `json:"deletionTimestamp,omitempty"`
	DeletionGracePeriodSeconds *int64            `json:"deletionGracePeriodSeconds,omitempty"`
	Labels                     map[string]string `json:"labels,omitempty"`
	Annotations                map[string]string `json:"annotations,omitempty"`
	OwnerReferences            []OwnerReference  `json:"ownerReferences,omitempty"`
	Finalizers                 []string          `json:"finalizers,omitempty"`
	// ManagedFields is accepted so that manifests exported from a real cluster load;
	// kubesim keeps it as written.
	ManagedFields json.RawMessage `json:"managedFields,omitempty"`
}

// GetObjectMeta returns m itself, so embedding ObjectMeta satisfies part of Object.
func (m *ObjectMeta) GetObjectMeta() *ObjectMeta { return m }

// OwnerReference points from a dependent object to its owner, for garbage collection.
type OwnerReference struct {
	APIVersion         string `json:"apiVersion"`
	Kind               string `json:"kind"`
	Name               string `json:"name"`
	UID                string `json:"uid"`
	Controller         *bool  `json:"controller,omitempty"`
	BlockOwnerDeletion *bool  `json:"blockOwnerDeletion,omitempty"`
}

// Time is a timestamp that marshals as Kubernetes does: RFC 3339 in UTC with
// seconds precision, and null when zero.
type Time struct {
	time.Time
}

// NewTime wraps t.
func NewTime(t time.Time) Time { return Time{t} }

// MarshalJSON writes the RFC 3339 form, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339))
}

// UnmarshalJSON reads the RFC 3339 form or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	p, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	// RFC 3339 has four-digit years; a time that lands outside them in UTC
	// could not be written back.
	if y := p.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("timestamp %q is outside the years 0000-9999 in UTC", s)
	}
	t.Time = p.UTC()
	return nil
}

// Condition status values shared by several condition types.
type ConditionStatus string

// Values of ConditionStatus.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// Protocol is a network protocol of a port: TCP, UDP or SCTP.
type Protocol string

// The protocols Kubernetes supports for service and container ports.
const (
	ProtocolTCP  Protocol = "TCP"
	ProtocolUDP  Protocol = "UDP"
	ProtocolSCTP Protocol = "SCTP"
)

// IntOrString holds either an integer or a string, as a Service's targetPort and a
// Deployment's maxSurge do.
type IntOrString struct {
	IsString bool
	IntVal   int32
	StrVal   string
}

// FromInt returns an IntOrString holding i.
func FromInt(i int32) IntOrString { return IntOrString{IntVal: i} }

// FromString returns an IntOrString holding s.
func FromString(s string) IntOrString { return IntOrString{IsString: true, StrVal: s} }

// IsZero reports whether the value is unset (the integer 0).
func (v IntOrString) IsZero() bool { return !v.IsString && v.IntVal == 0 }

// String renders the value as kubectl prints it.
func (v IntOrString) String() string {
	if v.IsString {
		return v.StrVal
	}
	return itoa(int64(v.IntVal))
}

// MarshalJSON writes a JSON number or string.
func (v IntOrString) MarshalJSON() ([]byte, error) {
	if v.IsString {
		return json.Marshal(v.StrVal)
	}
	return json.Marshal(v.IntVal)
}

// UnmarshalJSON reads a JSON number or string.
func (v *IntOrString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		v.IsString = true
		v.IntVal = 0
		return json.Unmarshal(b, &v.StrVal)
	}
	v.IsString = false
	v.StrVal = ""
	return json.Unmarshal(b, &v.IntVal)
}
