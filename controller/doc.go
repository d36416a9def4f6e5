// Package controller holds the control loops a Kubernetes control plane and its
// kubelets run, as far as networking needs them: deployments and replica sets,
// the scheduler, the kubelet's pod lifecycle, the endpoints, endpoint-slice and
// endpoint-slice mirroring controllers, the load-balancer controller, the
// garbage collector, and the API server's own `kubernetes` service.
//
// Each controller watches the store, and reacts to a change only after its
// configured latency, through a coalescing work queue on the event loop. That is
// what makes propagation windows visible: for a moment after a pod is deleted,
// its service's endpoints still list it.
package controller
