// Package api holds kubesim's object model: the Kubernetes objects the simulator
// understands (Namespace, Node, Pod, Deployment, ReplicaSet, Service, Endpoints,
// EndpointSlice, ServiceCIDR), label selectors, validation with Kubernetes' own
// messages, and decoding of real multi-document YAML manifests.
//
// Field names and JSON tags follow the Kubernetes API so that manifests written for
// a real cluster load unchanged. Fields that only carry an IP address or a CIDR use
// net/netip; fields where Kubernetes accepts other words (a Service's clusterIP may
// be "None") stay strings and are checked by validation.
//
// The package is plain data and pure functions: it never reads a clock, keeps no
// state and knows nothing of the event loop.
package api
