// Package kubesim simulates the networking half of a Kubernetes cluster in
// memory and deterministically: namespaces, nodes, pods and the deployments and
// replica sets that own them, services of every type, the endpoints and
// endpoint-slice controllers, cluster DNS and each node's service routing, all
// driven by one event loop with a virtual clock and a seeded random source.
//
// A Cluster is built with New, fed real Kubernetes YAML with Apply, and driven
// through virtual time with Advance and Settle. The same Config, seed and calls
// give the same cluster, the same addresses and the same trace, byte for byte.
//
//	c, _ := kubesim.New(kubesim.Config{Seed: 1})
//	c.Apply(manifest)
//	c.Settle()
//	svc, _ := kubesim.Get[*api.Service](c, "default", "web")
//
// The packages below the root each do one job: sim (the event loop), api
// (objects, selectors, validation, YAML), store (the API server's part), ipam
// (addresses), controller (the control loops and kubelets), namespace (the
// namespace lifecycle), dns (cluster DNS and pod resolvers) and proxy (each
// node's kube-proxy).
package kubesim
