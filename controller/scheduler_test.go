package controller_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

func placement(e *env, selector string) string {
	count := map[string]int{}
	for _, p := range e.pods("default", selector) {
		n := p.Spec.NodeName
		if n == "" {
			n = "<pending>"
		}
		count[n]++
	}
	var parts []string
	for n, c := range count {
		parts = append(parts, fmt.Sprintf("%s=%d", n, c))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

func TestSchedulerPlacement(t *testing.T) {
	three := []nodeSpec{{name: "a", ip: "10.0.0.1"}, {name: "b", ip: "10.0.0.2", labels: map[string]string{"disk": "ssd"}}, {name: "c", ip: "10.0.0.3"}}
	tests := []struct {
		name  string
		nodes []nodeSpec
		pod   func(*api.PodSpec)
		n     int
		want  string
	}{
		{"spread evenly", three, nil, 6, "a=2 b=2 c=2"},
		{"spread with remainder", three, nil, 4, "a=2 b=1 c=1"},
		{"nodeSelector", three, func(s *api.PodSpec) { s.NodeSelector = map[string]string{"disk": "ssd"} }, 3, "b=3"},
		{"nodeSelector by hostname", three, func(s *api.PodSpec) { s.NodeSelector = map[string]string{"kubernetes.io/hostname": "c"} }, 2, "c=2"},
		{"nodeSelector matching nothing", three, func(s *api.PodSpec) { s.NodeSelector = map[string]string{"disk": "hdd"} }, 2, "<pending>=2"},
		{"nodeName", three, func(s *api.PodSpec) { s.NodeName = "c" }, 3, "c=3"},
		{"unschedulable node skipped", []nodeSpec{{name: "a", ip: "10.0.0.1", unschedulable: true}, {name: "b", ip: "10.0.0.2"}}, nil, 3, "b=3"},
		{"NotReady node skipped", []nodeSpec{{name: "a", ip: "10.0.0.1"}, {name: "b", ip: "10.0.0.2", notReady: true}}, nil, 3, "a=3"},
		{"no node fits", []nodeSpec{{name: "a", ip: "10.0.0.1", notReady: true}}, nil, 2, "<pending>=2"},
		// A pod that names its node is not scheduled: the kubelet runs it,
		// cordoned or not.
		{"nodeName on an unschedulable node", []nodeSpec{{name: "a", ip: "10.0.0.1", unschedulable: true}}, func(s *api.PodSpec) { s.NodeName = "a" }, 1, "a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{seed: 1, nodes: tt.nodes})
			for i := range tt.n {
				p := bare("default", fmt.Sprintf("p%d", i), map[string]string{"app": "x"}, container("nginx:1.25"))
				if tt.pod != nil {
					tt.pod(&p.Spec)
				}
				e.create(p)
			}
			e.settle()
			if got := placement(e, "app=x"); got != tt.want {
				t.Errorf("placement = %s, want %s", got, tt.want)
			}
			for _, p := range e.pods("default", "app=x") {
				if p.Spec.NodeName != "" && (p.Status.Phase != api.PodRunning || !controller.IsPodReady(p)) {
					t.Errorf("pod %s on %s: phase %s ready %v", p.Name, p.Spec.NodeName, p.Status.Phase, controller.IsPodReady(p))
				}
				if p.Spec.NodeName == "" && (p.Status.PodIP.IsValid() || p.Status.Phase == api.PodRunning) {
					t.Errorf("unscheduled pod %s has phase %s ip %s", p.Name, p.Status.Phase, p.Status.PodIP)
				}
			}
		})
	}
}

func TestSchedulerDeterministic(t *testing.T) {
	run := func() []string {
		e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{{name: "c", ip: "10.0.0.3"}, {name: "a", ip: "10.0.0.1"}, {name: "b", ip: "10.0.0.2"}}})
		e.apply(deploy("default", "web", 7, container("nginx:1.25")))
		e.settle()
		var out []string
		for _, p := range e.pods("default", "app=web") {
			out = append(out, p.Name+"@"+p.Spec.NodeName+"="+p.Status.PodIP.String())
		}
		return out
	}
	first := run()
	for range 5 {
		if got := run(); !slices.Equal(got, first) {
			t.Fatalf("placement differs between runs:\n%v\n%v", first, got)
		}
	}
}

// TestSchedulerRetriesWhenNodesChange: the scheduler puts a pod that fits no
// node back in its queue and tries again when a node changes, as a real
// scheduler moves unschedulable pods back to the active queue on node events:
// uncordoning a node, a node turning Ready or gaining a label.
func TestSchedulerRetriesWhenNodesChange(t *testing.T) {
	tests := []struct {
		name   string
		node   nodeSpec
		sel    map[string]string
		change func(*api.Node)
	}{
		{"uncordoned", nodeSpec{name: "a", ip: "10.0.0.1", unschedulable: true}, nil,
			func(n *api.Node) { n.Spec.Unschedulable = false }},
		{"turned Ready", nodeSpec{name: "a", ip: "10.0.0.1", notReady: true}, nil,
			func(n *api.Node) { n.Status.Conditions[0].Status = api.ConditionTrue }},
		{"labelled", nodeSpec{name: "a", ip: "10.0.0.1"}, map[string]string{"disk": "ssd"},
			func(n *api.Node) { n.Labels["disk"] = "ssd" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{tt.node}})
			p := bare("default", "p", nil, container("nginx:1.25"))
			p.Spec.NodeSelector = tt.sel
			e.create(p)
			e.settle()
			if got := e.pod("default", "p").Spec.NodeName; got != "" {
				t.Fatalf("pod scheduled to %s before the node fits", got)
			}
			n := e.st.Peek(api.Ref{Kind: api.KindNode, Name: "a"}).(*api.Node).DeepCopy()
			tt.change(n)
			e.update(n)
			e.settle()
			if got := e.pod("default", "p"); got.Spec.NodeName != "a" || !controller.IsPodReady(got) {
				t.Errorf("after the node changed: pod on %q, ready %v; want it scheduled to a and Ready", got.Spec.NodeName, controller.IsPodReady(got))
			}
		})
	}
}

func TestSchedulerAddedNodeTakesPendingPods(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{{name: "a", ip: "10.0.0.1", notReady: true}}})
	e.create(bare("default", "p", nil, container("nginx:1.25")))
	e.settle()
	e.create(node(nodeSpec{name: "b", ip: "10.0.0.2"}))
	e.settle()
	if got := e.pod("default", "p"); got.Spec.NodeName != "b" || !controller.IsPodReady(got) {
		t.Errorf("pod on %q ready %v, want b and Ready", got.Spec.NodeName, controller.IsPodReady(got))
	}
}
