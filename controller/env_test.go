package controller_test

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/ipam"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

var t0 = time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC)

// env is a control plane without the root package: a store with service and
// node IPAM, every controller, and nodes.
type env struct {
	t     testing.TB
	loop  *sim.Loop
	st    *store.Store
	m     *controller.Manager
	nodes *ipam.Nodes
}

type nodeSpec struct {
	name, ip, zone string
	labels         map[string]string
	notReady       bool
	unschedulable  bool
	podCIDR        string
}

type envOpts struct {
	seed     uint64
	lb       controller.LoadBalancerMode
	lat      *controller.Latencies
	nodes    []nodeSpec
	clusters []string // pod CIDRs
	services []string // service CIDRs
}

func newEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	loop := sim.New(t0, o.seed)
	st := store.New(loop, store.Options{})
	if len(o.services) == 0 {
		o.services = []string{"10.96.0.0/12"}
	}
	if len(o.clusters) == 0 {
		o.clusters = []string{"10.1.0.0/16"}
	}
	var svcCIDRs, podCIDRs []netip.Prefix
	for _, c := range o.services {
		svcCIDRs = append(svcCIDRs, netip.MustParsePrefix(c))
	}
	for _, c := range o.clusters {
		podCIDRs = append(podCIDRs, netip.MustParsePrefix(c))
	}
	svcs, err := ipam.NewServices(svcCIDRs, api.PortRange{Base: 30000, Size: 2768}, loop.Rand("ipam/services"))
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := ipam.NewNodes(podCIDRs, 24, 64)
	if err != nil {
		t.Fatal(err)
	}
	st.Use(svcs)
	st.Use(nodes)
	lat := controller.DefaultLatencies()
	if o.lat != nil {
		lat = *o.lat
	}
	if o.lb == "" {
		o.lb = controller.LoadBalancerHostname
	}
	m := controller.Start(loop, st, nodes, controller.Config{Latencies: lat, LoadBalancer: o.lb, Hostname: "localhost", APIServerPort: 6443})
	e := &env{t: t, loop: loop, st: st, m: m, nodes: nodes}
	for _, ns := range []string{"default", "kube-system", "team-a"} {
		e.create(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns}})
	}
	if o.nodes == nil {
		o.nodes = []nodeSpec{{name: "node-a", ip: "192.168.65.3"}}
	}
	for _, n := range o.nodes {
		e.create(node(n))
	}
	e.settle()
	return e
}

func node(n nodeSpec) *api.Node {
	labels := map[string]string{"kubernetes.io/hostname": n.name}
	if n.zone != "" {
		labels[controller.LabelZone] = n.zone
	}
	for k, v := range n.labels {
		labels[k] = v
	}
	status := api.ConditionTrue
	if n.notReady {
		status = api.ConditionFalse
	}
	o := &api.Node{
		ObjectMeta: api.ObjectMeta{Name: n.name, Labels: labels},
		Spec:       api.NodeSpec{Unschedulable: n.unschedulable, PodCIDR: n.podCIDR},
		Status:     api.NodeStatus{Conditions: []api.NodeCondition{{Type: "Ready", Status: status}}},
	}
	if n.ip != "" {
		o.Status.Addresses = []api.NodeAddress{{Type: api.NodeInternalIP, Address: n.ip}}
	}
	return o
}

func (e *env) create(o api.Object) api.Object {
	e.t.Helper()
	got, err := e.st.Create(o)
	if err != nil {
		e.t.Fatalf("create %s: %v", api.RefOf(o), err)
	}
	return got
}

func (e *env) apply(objs ...api.Object) []string {
	e.t.Helper()
	res, err := e.st.Apply(objs)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	var out []string
	for _, r := range res {
		out = append(out, r.String())
	}
	return out
}

func (e *env) update(o api.Object) {
	e.t.Helper()
	if _, err := e.st.Update(o); err != nil {
		e.t.Fatalf("update %s: %v", api.RefOf(o), err)
	}
}

func (e *env) delete(ref api.Ref, grace *int64) {
	e.t.Helper()
	if err := e.st.Delete(ref, store.DeleteOptions{GracePeriodSeconds: grace}); err != nil {
		e.t.Fatalf("delete %s: %v", ref, err)
	}
}

func (e *env) settle() {
	e.t.Helper()
	if _, err := e.loop.RunUntilIdle(1_000_000); err != nil {
		e.t.Fatal(err)
	}
}

// since is the virtual time since the env was built.
func (e *env) since() time.Duration { return e.loop.Now().Sub(t0) }

func (e *env) pods(ns, selector string) []*api.Pod {
	e.t.Helper()
	sel, err := api.ParseSelector(selector)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*api.Pod
	for _, o := range e.st.List(api.KindPod, ns, sel) {
		out = append(out, o.(*api.Pod))
	}
	return out
}

func (e *env) pod(ns, name string) *api.Pod {
	p, _ := e.st.Peek(api.Ref{Kind: api.KindPod, Namespace: ns, Name: name}).(*api.Pod)
	return p
}

func (e *env) svc(ns, name string) *api.Service {
	s, _ := e.st.Peek(api.Ref{Kind: api.KindService, Namespace: ns, Name: name}).(*api.Service)
	return s
}

func (e *env) endpoints(ns, name string) *api.Endpoints {
	ep, _ := e.st.Peek(api.Ref{Kind: api.KindEndpoints, Namespace: ns, Name: name}).(*api.Endpoints)
	return ep
}

func (e *env) slices(ns, svc string) []*api.EndpointSlice {
	var out []*api.EndpointSlice
	for _, o := range e.st.List(api.KindEndpointSlice, ns, api.SelectorFromSet(map[string]string{api.LabelServiceName: svc})) {
		out = append(out, o.(*api.EndpointSlice))
	}
	return out
}

// epString renders Endpoints as "ready:[ip:port ...] notReady:[...]" per
// subset, so expectations read as one line.
func epString(ep *api.Endpoints) string {
	if ep == nil {
		return "<no object>"
	}
	var parts []string
	for _, ss := range ep.Subsets {
		var ports []string
		for _, p := range ss.Ports {
			ports = append(ports, fmt.Sprintf("%s=%d/%s", p.Name, p.Port, p.Protocol))
		}
		addr := func(as []api.EndpointAddress) string {
			var s []string
			for _, a := range as {
				v := a.IP.String()
				if a.Hostname != "" {
					v += "(" + a.Hostname + ")"
				}
				s = append(s, v)
			}
			return strings.Join(s, " ")
		}
		parts = append(parts, fmt.Sprintf("ready:[%s] notReady:[%s] ports:[%s]", addr(ss.Addresses), addr(ss.NotReadyAddresses), strings.Join(ports, " ")))
	}
	if len(parts) == 0 {
		return "<empty>"
	}
	return strings.Join(parts, "; ")
}

func i32(v int32) *int32 { return &v }
func i64(v int64) *int64 { return &v }

// intstr reads "25%" as a percentage and "1" as a count.
func intstr(s string) *api.IntOrString {
	if strings.HasSuffix(s, "%") {
		return &api.IntOrString{IsString: true, StrVal: s}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return &api.IntOrString{IntVal: int32(n)}
}

func container(image string, ports ...api.ContainerPort) api.Container {
	return api.Container{Name: "app", Image: image, Ports: ports}
}

func deploy(ns, name string, replicas int32, c api.Container) *api.Deployment {
	l := map[string]string{"app": name}
	return &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec: api.DeploymentSpec{
			Replicas: i32(replicas),
			Selector: &api.LabelSelector{MatchLabels: l},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: l},
				Spec:       api.PodSpec{Containers: []api.Container{c}},
			},
		},
	}
}

func bare(ns, name string, labels map[string]string, c api.Container) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec:       api.PodSpec{Containers: []api.Container{c}},
	}
}

func service(ns, name string, selector map[string]string, ports ...api.ServicePort) *api.Service {
	if len(ports) == 0 {
		ports = []api.ServicePort{{Port: 80, TargetPort: api.FromInt(8080)}}
	}
	return &api.Service{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec:       api.ServiceSpec{Selector: selector, Ports: ports},
	}
}

func isTerminating(p *api.Pod) bool { return p.DeletionTimestamp != nil }
