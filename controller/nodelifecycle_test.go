package controller_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

// setNodeReady writes a node's Ready condition as its kubelet reports it.
func (e *env) setNodeReady(name string, ready bool) {
	e.t.Helper()
	n := e.st.Peek(api.Ref{Kind: api.KindNode, Name: name}).(*api.Node).DeepCopy()
	st := api.ConditionFalse
	if ready {
		st = api.ConditionTrue
	}
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == "Ready" {
			n.Status.Conditions[i].Status = st
			n.Status.Conditions[i].LastTransitionTime = api.NewTime(e.loop.Now())
		}
	}
	if err := e.st.UpdateStatus(n, "Ready="+string(st)); err != nil {
		e.t.Fatal(err)
	}
}

func readyIPs(ep *api.Endpoints) (ready, notReady int) {
	for _, ss := range ep.Subsets {
		ready += len(ss.Addresses)
		notReady += len(ss.NotReadyAddresses)
	}
	return ready, notReady
}

// TestNodeNotReadyMarksPodsThenEvicts follows a node going NotReady: within
// the monitor period its pods leave the service's ready endpoints; after the
// default 300s toleration they are evicted and recreated on the healthy node.
func TestNodeNotReadyMarksPodsThenEvicts(t *testing.T) {
	e := newEnv(t, envOpts{nodes: []nodeSpec{{name: "node-a", ip: "192.168.0.2"}, {name: "node-b", ip: "192.168.0.3"}}})
	e.apply(deploy("default", "web", 4, container("nginx")), service("default", "web", map[string]string{"app": "web"}))
	e.settle()
	onA := func() (n int) {
		for _, p := range e.pods("default", "app=web") {
			if p.Spec.NodeName == "node-a" && p.DeletionTimestamp == nil {
				n++
			}
		}
		return n
	}
	if onA() != 2 {
		t.Fatalf("want 2 pods on node-a, got %d", onA())
	}
	start := e.loop.Now()
	e.setNodeReady("node-a", false)
	e.loop.RunFor(controller.NodeMonitorPeriod + time.Second)
	if r, nr := readyIPs(e.endpoints("default", "web")); r != 2 || nr != 2 {
		t.Fatalf("after the monitor period: %d ready, %d not ready; want 2 and 2", r, nr)
	}
	// Still there just before the toleration runs out.
	e.loop.RunUntil(start.Add(controller.NodeMonitorPeriod + 299*time.Second))
	if onA() != 2 {
		t.Fatalf("evicted before the toleration ran out")
	}
	e.settle()
	if onA() != 0 {
		t.Fatalf("%d pods left on node-a after eviction", onA())
	}
	if r, nr := readyIPs(e.endpoints("default", "web")); r != 4 || nr != 0 {
		t.Fatalf("after eviction: %d ready, %d not ready; want 4 and 0", r, nr)
	}
	var evictions int
	for _, en := range e.loop.Trace().Entries() {
		if en.Component == "taint-eviction-controller" {
			evictions++
			if !strings.Contains(en.Change, "Marking for deletion Pod default/web-") || en.At != start.Sub(t0)+controller.NodeMonitorPeriod+300*time.Second {
				t.Errorf("eviction entry %v", en)
			}
		}
	}
	if evictions != 2 {
		t.Errorf("%d evictions traced, want 2", evictions)
	}
}

// TestNodeBackBeforeToleration checks that a node Ready again in time keeps
// its pods, which its kubelet reports ready again.
func TestNodeBackBeforeToleration(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.apply(deploy("default", "web", 2, container("nginx")), service("default", "web", map[string]string{"app": "web"}))
	e.settle()
	e.setNodeReady("node-a", false)
	e.loop.RunFor(time.Minute)
	if r, _ := readyIPs(e.endpoints("default", "web")); r != 0 {
		t.Fatalf("%d ready endpoints on a NotReady node", r)
	}
	e.setNodeReady("node-a", true)
	e.settle()
	if r, nr := readyIPs(e.endpoints("default", "web")); r != 2 || nr != 0 {
		t.Fatalf("node back: %d ready, %d not ready; want 2 and 0", r, nr)
	}
	for _, p := range e.pods("default", "app=web") {
		if p.DeletionTimestamp != nil {
			t.Errorf("pod %s evicted", p.Name)
		}
	}
}

// TestTolerations checks that a pod's own toleration replaces the default:
// forever without tolerationSeconds, else its seconds.
func TestTolerations(t *testing.T) {
	e := newEnv(t, envOpts{})
	mk := func(name, tol string) *api.Pod {
		p := bare("default", name, map[string]string{"app": name}, container("nginx"))
		if tol != "" {
			p.Spec.Tolerations = json.RawMessage(tol)
		}
		return p
	}
	e.apply(
		mk("forever", `[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"}]`),
		mk("short", `[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":10}]`),
		mk("any", `[{"operator":"Exists"}]`),
		mk("default", ""),
	)
	e.settle()
	e.setNodeReady("node-a", false)
	e.loop.RunFor(controller.NodeMonitorPeriod + 11*time.Second)
	gone := func(name string) bool { p := e.pod("default", name); return p == nil || p.DeletionTimestamp != nil }
	if !gone("short") || gone("forever") || gone("any") || gone("default") {
		t.Fatalf("after 16s: short gone %v, forever %v, any %v, default %v", gone("short"), gone("forever"), gone("any"), gone("default"))
	}
	e.settle()
	if !gone("default") || gone("forever") || gone("any") {
		t.Fatalf("settled: default gone %v, forever %v, any %v", gone("default"), gone("forever"), gone("any"))
	}
}

// TestEndpointsWatchFault delays, then drops, the endpoints controllers'
// watch events, and checks that a resync repairs what was lost.
func TestEndpointsWatchFault(t *testing.T) {
	e := newEnv(t, envOpts{})
	e.apply(deploy("default", "web", 1, container("nginx")), service("default", "web", map[string]string{"app": "web"}))
	e.settle()
	e.m.SetEndpointsWatchFault(10*time.Second, nil)
	e.update(func() *api.Deployment {
		d := e.st.Peek(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: "web"}).(*api.Deployment).DeepCopy()
		d.Spec.Replicas = i32(2)
		return d
	}())
	e.loop.RunFor(5 * time.Second)
	if r, _ := readyIPs(e.endpoints("default", "web")); r != 1 {
		t.Fatalf("delayed: %d ready endpoints after 5s, want still 1", r)
	}
	e.settle()
	if r, _ := readyIPs(e.endpoints("default", "web")); r != 2 {
		t.Fatalf("delayed: %d ready endpoints once settled, want 2", r)
	}

	var dropped []string
	e.m.SetEndpointsWatchFault(0, func(ctl, key string) bool { dropped = append(dropped, ctl+" "+key); return true })
	e.update(func() *api.Deployment {
		d := e.st.Peek(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: "web"}).(*api.Deployment).DeepCopy()
		d.Spec.Replicas = i32(3)
		return d
	}())
	e.settle()
	if r, _ := readyIPs(e.endpoints("default", "web")); r != 2 {
		t.Fatalf("dropped: %d ready endpoints, want the stale 2", r)
	}
	if len(dropped) == 0 || !strings.HasPrefix(dropped[0], "endpoint") {
		t.Fatalf("drop hook not called: %v", dropped)
	}
	e.m.SetEndpointsWatchFault(0, nil)
	e.m.ResyncEndpoints()
	e.settle()
	if r, _ := readyIPs(e.endpoints("default", "web")); r != 3 {
		t.Fatalf("resynced: %d ready endpoints, want 3", r)
	}
	var ready int
	for _, s := range e.slices("default", "web") {
		for _, ep := range s.Endpoints {
			if ep.Conditions.IsReady() {
				ready++
			}
		}
	}
	if ready != 3 {
		t.Fatalf("resynced: %d ready slice endpoints, want 3", ready)
	}
}
