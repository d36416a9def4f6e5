package controller

import (
	"errors"
	"net/netip"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/ipam"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

// Latencies are how long each controller takes to act on a change it watched,
// and how long the kubelet takes through a pod's life. The defaults are modelled
// on a small, healthy cluster.
type Latencies struct {
	Deployment    time.Duration // deployment controller reacting to a change
	ReplicaSet    time.Duration // replica set controller creating or deleting pods
	Scheduler     time.Duration // binding a pending pod to a node
	Endpoints     time.Duration // endpoints controller (its batch period)
	EndpointSlice time.Duration // endpoint-slice and mirroring controllers
	GC            time.Duration // garbage collector deleting dependents
	LoadBalancer  time.Duration // cloud or service-lb controller setting ingress
	APIServer     time.Duration // the API server recreating `default/kubernetes`
	PodStart      time.Duration // kubelet: bound pod to running containers (image pulled)
	PodReady      time.Duration // kubelet: running to Ready, when no readiness probe delays it more
	PodStop       time.Duration // kubelet: containers exiting after TERM (and any preStop)
}

// DefaultLatencies returns the defaults: controllers act within tens of
// milliseconds, a pod runs a second after it is bound and is Ready a second
// later, and a container stops half a second after TERM.
func DefaultLatencies() Latencies {
	return Latencies{
		Deployment:    20 * time.Millisecond,
		ReplicaSet:    20 * time.Millisecond,
		Scheduler:     10 * time.Millisecond,
		Endpoints:     50 * time.Millisecond,
		EndpointSlice: 50 * time.Millisecond,
		GC:            100 * time.Millisecond,
		LoadBalancer:  500 * time.Millisecond,
		APIServer:     10 * time.Second,
		PodStart:      1 * time.Second,
		PodReady:      1 * time.Second,
		PodStop:       500 * time.Millisecond,
	}
}

// LoadBalancerMode is how LoadBalancer services get their ingress.
type LoadBalancerMode string

// Load balancer modes, one per platform.
const (
	LoadBalancerHostname LoadBalancerMode = "hostname" // Docker Desktop: ingress hostname (localhost)
	LoadBalancerNodeIP   LoadBalancerMode = "node-ip"  // k3s ServiceLB: the nodes' IPs
	LoadBalancerPending  LoadBalancerMode = "pending"  // kind: nothing provisions one
)

// Config configures the controllers.
type Config struct {
	Latencies Latencies
	// LoadBalancer selects how load balancers are provisioned; Hostname is the
	// ingress hostname in LoadBalancerHostname mode.
	LoadBalancer LoadBalancerMode
	Hostname     string
	// APIServerPort is the port behind `default/kubernetes` (6443).
	APIServerPort int32
}

// Manager runs every controller against one store.
type Manager struct {
	loop  *sim.Loop
	store *store.Store
	cfg   Config
	nodes *ipam.Nodes

	deployments *Queue
	replicaSets *Queue
	scheduler   *scheduler
	kubelet     *kubelet
	services    *serviceIndex
	endpoints   *endpointsController
	slices      *sliceController
	gc          *Queue
	lb          *Queue
	apiserver   *Queue

	kubernetesIP netip.Addr
	hashes       map[string]cachedHash // deployment uid -> template hash
	lbSet        map[string]bool       // services whose ingress this controller set
}

// Start builds the controllers, registers their watches on st and returns
// them. nodes provides each node's pod addresses.
func Start(loop *sim.Loop, st *store.Store, nodes *ipam.Nodes, cfg Config) *Manager {
	m := &Manager{loop: loop, store: st, cfg: cfg, nodes: nodes, hashes: make(map[string]cachedHash), lbSet: make(map[string]bool)}
	l := cfg.Latencies
	m.deployments = NewQueue(loop, l.Deployment, m.syncDeployment)
	m.replicaSets = NewQueue(loop, l.ReplicaSet, m.syncReplicaSet)
	m.gc = NewQueue(loop, l.GC, m.collect)
	m.lb = NewQueue(loop, l.LoadBalancer, m.syncLoadBalancer)
	m.apiserver = NewQueue(loop, l.APIServer, m.syncKubernetesService)
	m.scheduler = newScheduler(m)
	m.kubelet = newKubelet(m)
	m.services = newServiceIndex()
	m.endpoints = newEndpointsController(m)
	m.slices = newSliceController(m)

	st.Watch(m.onDeployment, api.KindDeployment)
	st.Watch(m.onReplicaSet, api.KindReplicaSet)
	st.Watch(m.onPod, api.KindPod)
	st.Watch(m.onService, api.KindService)
	st.Watch(m.onEndpoints, api.KindEndpoints)
	st.Watch(m.onNode, api.KindNode)
	st.Watch(m.onAny, api.Kinds...)
	startNodeLifecycle(m)
	return m
}

func key(ns, name string) string { return ns + "/" + name }

func splitKey(k string) (ns, name string) {
	ns, name, _ = strings.Cut(k, "/")
	return ns, name
}

func (m *Manager) trace(component string, ref api.Ref, change string) {
	m.loop.Record(component, ref.String(), change)
}

func (m *Manager) onDeployment(ev store.Event) {
	if ev.Type == store.Deleted {
		delete(m.hashes, ev.Object.GetObjectMeta().UID)
		return
	}
	o := ev.Object.GetObjectMeta()
	m.deployments.Add(key(o.Namespace, o.Name))
}

func (m *Manager) onReplicaSet(ev store.Event) {
	o := ev.Object.GetObjectMeta()
	if ev.Type != store.Deleted {
		m.replicaSets.Add(key(o.Namespace, o.Name))
	}
	if c := api.ControllerOf(ev.Object); c != nil && c.Kind == string(api.KindDeployment) {
		m.deployments.Add(key(o.Namespace, c.Name))
	}
}

func (m *Manager) onPod(ev store.Event) {
	pod := ev.Object.(*api.Pod)
	if c := api.ControllerOf(pod); c != nil && c.Kind == string(api.KindReplicaSet) {
		m.replicaSets.Add(key(pod.Namespace, c.Name))
		if ev.Type == store.Deleted {
			// A Recreate rollout waits for the last old pod to go.
			rs := m.store.Peek(api.Ref{Kind: api.KindReplicaSet, Namespace: pod.Namespace, Name: c.Name})
			if rs != nil {
				if d := api.ControllerOf(rs); d != nil && d.Kind == string(api.KindDeployment) {
					m.deployments.Add(key(pod.Namespace, d.Name))
				}
			}
		}
	}
	m.scheduler.onPod(ev)
	m.kubelet.onPod(ev)
	if endpointsRelevant(ev) {
		services := m.services.servicesOf(m.store, ev)
		m.endpoints.onPod(ev, services)
		m.slices.onPod(ev, services)
	}
}

func (m *Manager) onService(ev store.Event) {
	svc := ev.Object.(*api.Service)
	if ev.Old != nil {
		m.services.remove(ev.Old.(*api.Service))
	}
	if ev.Type == store.Deleted {
		m.services.remove(svc)
	} else {
		m.services.add(svc)
	}
	m.endpoints.onService(ev)
	m.slices.onService(ev)
	if svc.Spec.Type == api.ServiceTypeLoadBalancer && ev.Type != store.Deleted {
		m.lb.Add(key(svc.Namespace, svc.Name))
	}
	if ev.Type == store.Deleted {
		delete(m.lbSet, key(svc.Namespace, svc.Name))
	}
	if ev.Type == store.Deleted && svc.Namespace == "default" && svc.Name == "kubernetes" {
		m.apiserver.Add("default/kubernetes")
	}
}

func (m *Manager) onEndpoints(ev store.Event) {
	m.slices.onEndpoints(ev)
	if ev.Type == store.Deleted {
		// Someone deleted the Endpoints of a service: the controller writes
		// them again, as upstream's onEndpointsDelete does.
		o := ev.Object.GetObjectMeta()
		m.endpoints.queue.Add(key(o.Namespace, o.Name))
	}
}

func (m *Manager) onNode(ev store.Event) {
	m.scheduler.onNode(ev)
	m.kubelet.onNode(ev)
	m.slices.onNode(ev)
	if m.cfg.LoadBalancer == LoadBalancerNodeIP {
		for _, o := range m.store.List(api.KindService, "", api.Everything()) {
			svc := o.(*api.Service)
			if svc.Spec.Type == api.ServiceTypeLoadBalancer {
				m.lb.Add(key(svc.Namespace, svc.Name))
			}
		}
	}
}

// onAny feeds the garbage collector: an owner's deletion, or an object created
// with an owner that does not exist.
func (m *Manager) onAny(ev store.Event) {
	switch ev.Type {
	case store.Deleted:
		if uid := ev.Object.GetObjectMeta().UID; len(m.store.Dependents(uid)) > 0 {
			m.gc.Add(uid)
		}
	case store.Added:
		for _, or := range ev.Object.GetObjectMeta().OwnerReferences {
			if m.store.ByUID(or.UID) == nil {
				m.gc.Add(or.UID)
			}
		}
	}
}

// collect deletes the dependents of a deleted owner, as the garbage collector's
// background propagation does.
func (m *Manager) collect(uid string) {
	if m.store.ByUID(uid) != nil {
		return
	}
	for _, ref := range m.store.Dependents(uid) {
		o := m.store.Peek(ref)
		if o == nil || o.GetObjectMeta().DeletionTimestamp != nil {
			continue
		}
		if ownedOnlyBy(o, uid, m.store) {
			m.trace("garbage-collector", ref, "owner gone: deleting")
			_ = m.store.Delete(ref, store.DeleteOptions{})
		}
	}
}

// ownedOnlyBy reports whether every owner of o other than uid is gone: an
// object with a living owner left survives, as in Kubernetes.
func ownedOnlyBy(o api.Object, uid string, st *store.Store) bool {
	for _, or := range o.GetObjectMeta().OwnerReferences {
		if or.UID != uid && st.ByUID(or.UID) != nil {
			return false
		}
	}
	return true
}

var (
	errNoPodRange    = errors.New("node has no pod CIDR")
	errPinnedOutside = errors.New("annotation " + AnnotationPodIP + " is outside the node's pod CIDR")
)
