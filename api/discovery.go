package api

import "net/netip"

// EndpointSlice is a discovery.k8s.io/v1 EndpointSlice.
type EndpointSlice struct {
	TypeMeta    `json:",inline"`
	ObjectMeta  `json:"metadata,omitzero"`
	AddressType AddressType         `json:"addressType"`
	Endpoints   []Endpoint          `json:"endpoints"`
	Ports       []EndpointSlicePort `json:"ports,omitempty"`
}

// AddressType is IPv4, IPv6 or FQDN.
type AddressType string

// Address types.
const (
	AddressTypeIPv4 AddressType = "IPv4"
	AddressTypeIPv6 AddressType = "IPv6"
	AddressTypeFQDN AddressType = "FQDN"
)

// LabelServiceName ties an EndpointSlice to its service.
const LabelServiceName = "kubernetes.io/service-name"

// LabelManagedBy names the controller that manages an EndpointSlice.
const LabelManagedBy = "endpointslice.kubernetes.io/managed-by"

// Endpoint is one endpoint of a slice.
type Endpoint struct {
	Addresses  []netip.Addr       `json:"addresses"`
	Conditions EndpointConditions `json:"conditions,omitzero"`
	Hostname   *string            `json:"hostname,omitempty"`
	TargetRef  *ObjectReference   `json:"targetRef,omitempty"`
	NodeName   *string            `json:"nodeName,omitempty"`
	Zone       *string            `json:"zone,omitempty"`
	Hints      *EndpointHints     `json:"hints,omitempty"`
}

// EndpointConditions are an endpoint's ready, serving and terminating flags. A nil
// ready or serving is read as true, as consumers of the real API must.
type EndpointConditions struct {
	Ready       *bool `json:"ready,omitempty"`
	Serving     *bool `json:"serving,omitempty"`
	Terminating *bool `json:"terminating,omitempty"`
}

// IsReady reads the ready condition, treating nil as true.
func (c EndpointConditions) IsReady() bool { return c.Ready == nil || *c.Ready }

// IsServing reads the serving condition, treating nil as true.
func (c EndpointConditions) IsServing() bool { return c.Serving == nil || *c.Serving }

// IsTerminating reads the terminating condition, treating nil as false.
func (c EndpointConditions) IsTerminating() bool { return c.Terminating != nil && *c.Terminating }

// EndpointHints carry topology-aware routing hints.
type EndpointHints struct {
	ForZones []ForZone `json:"forZones,omitempty"`
	ForNodes []ForNode `json:"forNodes,omitempty"`
}

// ForZone names a zone an endpoint should serve.
type ForZone struct {
	Name string `json:"name"`
}

// ForNode names a node an endpoint should serve.
type ForNode struct {
	Name string `json:"name"`
}

// EndpointSlicePort is one port of a slice; Name and Port are pointers as in the
// real API, where nil means unnamed or all ports.
type EndpointSlicePort struct {
	Name        *string   `json:"name,omitempty"`
	Protocol    *Protocol `json:"protocol,omitempty"`
	Port        *int32    `json:"port,omitempty"`
	AppProtocol *string   `json:"appProtocol,omitempty"`
}

// PortName returns the port's name, "" when it is unnamed (nil).
func (p EndpointSlicePort) PortName() string {
	if p.Name == nil {
		return ""
	}
	return *p.Name
}

// PortProtocol returns the port's protocol, TCP when unset (nil), as the API
// defaults it.
func (p EndpointSlicePort) PortProtocol() Protocol {
	if p.Protocol == nil {
		return ProtocolTCP
	}
	return *p.Protocol
}
