package controller_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/store"
)

// podTimeline records, for each pod, when it was scheduled, got its IP, turned
// Ready, started terminating and was removed, relative to start.
type podTimeline struct {
	start  time.Time
	events map[string][]string
}

func watchPods(e *env) *podTimeline {
	tl := &podTimeline{start: e.loop.Now(), events: map[string][]string{}}
	e.st.Watch(func(ev store.Event) {
		p := ev.Object.(*api.Pod)
		at := e.loop.Now().Sub(tl.start)
		add := func(what string) { tl.events[p.Name] = append(tl.events[p.Name], fmt.Sprintf("%v %s", at, what)) }
		switch ev.Type {
		case store.Added:
			add("created")
		case store.Deleted:
			add("removed")
		case store.Modified:
			old := ev.Old.(*api.Pod)
			if old.Spec.NodeName == "" && p.Spec.NodeName != "" {
				add("scheduled " + string(p.Status.Phase))
			}
			if old.Status.Phase != p.Status.Phase && p.Status.Phase != api.PodPending {
				add(string(p.Status.Phase) + " " + p.Status.PodIP.String())
			}
			if !controller.IsPodReady(old) && controller.IsPodReady(p) {
				add("Ready")
			}
			if old.DeletionTimestamp == nil && p.DeletionTimestamp != nil {
				add("terminating until " + p.DeletionTimestamp.Sub(tl.start).String())
			}
		}
	}, api.KindPod)
	return tl
}

func (tl *podTimeline) of(name string) string { return strings.Join(tl.events[name], ", ") }

func TestKubeletLifecycle(t *testing.T) {
	lat := controller.DefaultLatencies()
	lat.Scheduler = 10 * time.Millisecond
	lat.PodStart = 3 * time.Second
	lat.PodReady = 2 * time.Second
	lat.PodStop = 500 * time.Millisecond
	probe := func(initial int32) func(*api.Pod) {
		return func(p *api.Pod) {
			p.Spec.Containers[0].ReadinessProbe = &api.Probe{InitialDelaySeconds: initial, TCPSocket: []byte(`{"port": 80}`)}
		}
	}
	tests := []struct {
		name string
		pod  func(*api.Pod)
		want string
	}{
		{"delays", nil, "0s created, 10ms scheduled Pending, 3.01s Running 10.1.0.2, 5.01s Ready"},
		{"readiness probe longer than the ready delay", probe(10), "0s created, 10ms scheduled Pending, 3.01s Running 10.1.0.2, 13.01s Ready"},
		{"readiness probe shorter than the ready delay", probe(1), "0s created, 10ms scheduled Pending, 3.01s Running 10.1.0.2, 5.01s Ready"},
		{"nodeName skips the scheduler", func(p *api.Pod) { p.Spec.NodeName = "node-a" }, "0s created, 3s Running 10.1.0.2, 5s Ready"},
		{"pinned IP", func(p *api.Pod) { p.Annotations = map[string]string{controller.AnnotationPodIP: "10.1.0.77"} },
			"0s created, 10ms scheduled Pending, 3.01s Running 10.1.0.77, 5.01s Ready"},
		{"pinned IP outside the node's range", func(p *api.Pod) { p.Annotations = map[string]string{controller.AnnotationPodIP: "10.9.0.77"} },
			"0s created, 10ms scheduled Pending"},
		{"host network", func(p *api.Pod) { p.Spec.HostNetwork = true }, "0s created, 10ms scheduled Pending, 3.01s Running 192.168.65.3, 5.01s Ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{seed: 1, lat: &lat})
			tl := watchPods(e)
			p := bare("default", "p", nil, container("nginx:1.25"))
			if tt.pod != nil {
				tt.pod(p)
			}
			e.create(p)
			e.settle()
			if got := tl.of("p"); got != tt.want {
				t.Errorf("timeline:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPodIPsPerNode(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{
		{name: "a", ip: "10.0.0.1"},
		{name: "b", ip: "10.0.0.2", podCIDR: "10.2.42.0/24"}, // its own range, outside the cluster CIDR
		{name: "c", ip: "10.0.0.3"},
	}})
	for i := range 6 {
		p := bare("default", fmt.Sprintf("p%d", i), map[string]string{"app": "x"}, container("nginx:1.25"))
		p.Spec.NodeName = []string{"a", "b", "c"}[i%3]
		e.create(p)
	}
	pinned := bare("default", "pinned", map[string]string{"app": "x"}, container("nginx:1.25"))
	pinned.Spec.NodeName = "a"
	pinned.Annotations = map[string]string{controller.AnnotationPodIP: "10.1.0.200"}
	e.create(pinned)
	e.settle()
	var got []string
	for _, p := range e.pods("default", "app=x") {
		got = append(got, fmt.Sprintf("%s@%s=%s host=%s", p.Name, p.Spec.NodeName, p.Status.PodIP, p.Status.HostIP))
	}
	want := []string{
		"p0@a=10.1.0.2 host=10.0.0.1", "p1@b=10.2.42.2 host=10.0.0.2", "p2@c=10.1.1.2 host=10.0.0.3",
		"p3@a=10.1.0.3 host=10.0.0.1", "p4@b=10.2.42.3 host=10.0.0.2", "p5@c=10.1.1.3 host=10.0.0.3",
		"pinned@a=10.1.0.200 host=10.0.0.1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("pods:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A second pod pinning a taken address does not start.
	dup := bare("default", "dup", nil, container("nginx:1.25"))
	dup.Spec.NodeName = "a"
	dup.Annotations = map[string]string{controller.AnnotationPodIP: "10.1.0.200"}
	e.create(dup)
	e.settle()
	if p := e.pod("default", "dup"); p.Status.PodIP.IsValid() || p.Status.Phase == api.PodRunning {
		t.Errorf("a pod pinning a taken address got %s (%s)", p.Status.PodIP, p.Status.Phase)
	}
}

func TestPodIPsNeverDuplicate(t *testing.T) {
	// A /29 node range holds 5 pods (.2 to .6); a sixth cannot start.
	e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{{name: "a", ip: "10.0.0.1", podCIDR: "10.1.0.0/29"}}})
	for i := range 6 {
		e.create(bare("default", fmt.Sprintf("p%d", i), map[string]string{"app": "x"}, container("nginx:1.25")))
	}
	e.settle()
	seen := map[netip.Addr]string{}
	var without []string
	for _, p := range e.pods("default", "app=x") {
		if !p.Status.PodIP.IsValid() {
			without = append(without, p.Name)
			continue
		}
		if other, dup := seen[p.Status.PodIP]; dup {
			t.Errorf("%s and %s share %s", other, p.Name, p.Status.PodIP)
		}
		seen[p.Status.PodIP] = p.Name
	}
	if len(seen) != 5 || len(without) != 1 {
		t.Errorf("%d pods got addresses, %v did not; want 5 and one", len(seen), without)
	}
	// Deleting a pod frees its address for the waiting one only once it
	// is gone; the kubelet does not retry by itself, so a new pod takes it.
	e.delete(api.Ref{Kind: api.KindPod, Namespace: "default", Name: "p0"}, nil)
	e.settle()
	e.create(bare("default", "late", nil, container("nginx:1.25")))
	e.settle()
	if p := e.pod("default", "late"); !p.Status.PodIP.IsValid() {
		t.Error("the address of a removed pod was not freed")
	}
}

func TestGracefulTermination(t *testing.T) {
	preStop := func(s int64) func(*api.Pod) {
		return func(p *api.Pod) {
			p.Spec.Containers[0].Lifecycle = &api.Lifecycle{PreStop: &api.LifecycleHandler{Sleep: &api.SleepAction{Seconds: s}}}
		}
	}
	tests := []struct {
		name  string
		pod   func(*api.Pod)
		stop  time.Duration // Latencies.PodStop
		grace *int64        // kubectl delete --grace-period
		want  string        // timeline from the delete
	}{
		{"default grace, no hook", nil, 500 * time.Millisecond, nil, "0s terminating until 30s, 500ms removed"},
		{"preStop sleep", preStop(5), 500 * time.Millisecond, nil, "0s terminating until 30s, 5.5s removed"},
		{"preStop and stop capped by grace", preStop(29), 2 * time.Second, nil, "0s terminating until 30s, 30s removed"},
		{"terminationGracePeriodSeconds", func(p *api.Pod) {
			preStop(8)(p)
			p.Spec.TerminationGracePeriodSeconds = i64(10)
		}, 5 * time.Second, nil, "0s terminating until 10s, 10s removed"},
		{"grace period option caps preStop", preStop(20), 500 * time.Millisecond, i64(3), "0s terminating until 3s, 3s removed"},
		{"grace period 0", preStop(20), 500 * time.Millisecond, i64(0), "0s removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lat := controller.DefaultLatencies()
			lat.PodStop = tt.stop
			e := newEnv(t, envOpts{seed: 1, lat: &lat})
			p := bare("default", "p", nil, container("nginx:1.25"))
			if tt.pod != nil {
				tt.pod(p)
			}
			e.create(p)
			e.settle()
			tl := watchPods(e)
			e.delete(api.RefOf(p), tt.grace)
			e.settle()
			if got := tl.of("p"); got != tt.want {
				t.Errorf("timeline after delete:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestShortenedGracePeriod: a second delete with a shorter grace period moves
// the deadline back, and the kubelet honours it: a pod never outlives its
// deletionTimestamp.
func TestShortenedGracePeriod(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	p := bare("default", "p", nil, container("nginx:1.25"))
	p.Spec.Containers[0].Lifecycle = &api.Lifecycle{PreStop: &api.LifecycleHandler{Sleep: &api.SleepAction{Seconds: 25}}}
	e.create(p)
	e.settle()
	tl := watchPods(e)
	e.delete(api.RefOf(p), nil)
	e.loop.RunFor(time.Second)
	e.delete(api.RefOf(p), i64(2))
	deadline := e.pod("default", "p").DeletionTimestamp.Time
	e.settle()
	if got, want := tl.of("p"), "0s terminating until 30s, 2s removed"; got != want {
		t.Errorf("timeline:\n got %s\nwant %s (deadline %v after the first delete)", got, want, deadline.Sub(tl.start))
	}
}
