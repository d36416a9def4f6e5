package controller_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/store"
)

var (
	hashRE   = regexp.MustCompile(`^[` + store.Alphabet + `]{1,10}$`)
	suffixRE = regexp.MustCompile(`^[` + store.Alphabet + `]{5}$`)
)

func TestDeploymentReplicaSetPodNaming(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	e.apply(deploy("default", "sleep-2", 3, container("kiamol/ch03-sleep")))
	e.settle()
	d := e.st.Peek(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: "sleep-2"}).(*api.Deployment)
	hash := controller.PodTemplateHash(&d.Spec.Template)
	if !hashRE.MatchString(hash) {
		t.Fatalf("pod-template-hash %q is not 1-10 characters of %q", hash, store.Alphabet)
	}
	rss := e.st.List(api.KindReplicaSet, "default", api.Everything())
	if len(rss) != 1 {
		t.Fatalf("replica sets = %d, want 1", len(rss))
	}
	rs := rss[0].(*api.ReplicaSet)
	if rs.Name != "sleep-2-"+hash || rs.Labels[controller.LabelPodTemplateHash] != hash ||
		rs.Spec.Selector.MatchLabels[controller.LabelPodTemplateHash] != hash || *rs.Spec.Replicas != 3 {
		t.Errorf("replica set %s labels %v selector %v replicas %d", rs.Name, rs.Labels, rs.Spec.Selector.MatchLabels, *rs.Spec.Replicas)
	}
	if c := api.ControllerOf(rs); c == nil || c.UID != d.UID || c.Kind != "Deployment" || c.Name != "sleep-2" {
		t.Errorf("replica set controller = %+v", c)
	}
	if rs.Annotations["deployment.kubernetes.io/revision"] != "1" {
		t.Errorf("revision = %q, want 1", rs.Annotations["deployment.kubernetes.io/revision"])
	}
	pods := e.pods("default", "app=sleep-2")
	if len(pods) != 3 {
		t.Fatalf("pods = %d, want 3", len(pods))
	}
	for _, p := range pods {
		suffix, ok := strings.CutPrefix(p.Name, rs.Name+"-")
		if !ok || !suffixRE.MatchString(suffix) {
			t.Errorf("pod %q: want %s-<5 characters of %q>", p.Name, rs.Name, store.Alphabet)
		}
		if p.GenerateName != rs.Name+"-" || p.Labels[controller.LabelPodTemplateHash] != hash {
			t.Errorf("pod %s: generateName %q labels %v", p.Name, p.GenerateName, p.Labels)
		}
		if c := api.ControllerOf(p); c == nil || c.UID != rs.UID || c.Kind != "ReplicaSet" {
			t.Errorf("pod %s controller = %+v", p.Name, c)
		}
		if !controller.IsPodReady(p) {
			t.Errorf("pod %s not ready after settling", p.Name)
		}
	}
	if d := e.st.Peek(api.RefOf(d)).(*api.Deployment); d.Status.ReadyReplicas != 3 || d.Status.UpdatedReplicas != 3 ||
		d.Status.AvailableReplicas != 3 || d.Status.ObservedGeneration != d.Generation {
		t.Errorf("deployment status = %+v", d.Status)
	}
}

func TestPodTemplateHashStable(t *testing.T) {
	hashOf := func(seed uint64, c api.Container, labels map[string]string) string {
		e := newEnv(t, envOpts{seed: seed})
		d := deploy("default", "web", 1, c)
		for k, v := range labels {
			d.Spec.Template.Labels[k] = v
		}
		e.apply(d)
		e.settle()
		rss := e.st.List(api.KindReplicaSet, "default", api.Everything())
		return rss[0].GetObjectMeta().Labels[controller.LabelPodTemplateHash]
	}
	base := hashOf(1, container("nginx:1.25"), nil)
	tests := []struct {
		name string
		hash string
		same bool
	}{
		{"same manifest, other seed", hashOf(99, container("nginx:1.25"), nil), true},
		{"other image", hashOf(1, container("nginx:1.26"), nil), false},
		{"other template label", hashOf(1, container("nginx:1.25"), map[string]string{"v": "2"}), false},
		{"other port", hashOf(1, container("nginx:1.25", api.ContainerPort{ContainerPort: 80}), nil), false},
	}
	for _, tt := range tests {
		if (tt.hash == base) != tt.same {
			t.Errorf("%s: hash %s vs %s, want same=%v", tt.name, tt.hash, base, tt.same)
		}
	}
	// Pod names differ by seed; the same seed gives the same names.
	names := func(seed uint64) []string {
		e := newEnv(t, envOpts{seed: seed})
		e.apply(deploy("default", "web", 3, container("nginx:1.25")))
		e.settle()
		var out []string
		for _, p := range e.pods("default", "app=web") {
			out = append(out, p.Name)
		}
		return out
	}
	if a, b := names(4), names(4); !slices.Equal(a, b) {
		t.Errorf("same seed, pod names %v and %v", a, b)
	}
	if a, b := names(4), names(5); slices.Equal(a, b) {
		t.Errorf("seeds 4 and 5 gave the same pod names %v", a)
	}
}

func TestScaling(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	d := deploy("default", "web", 2, container("nginx:1.25"))
	e.apply(d)
	e.settle()
	var rsName string
	for _, want := range []int32{5, 1, 0, 3} {
		c := e.st.Peek(api.RefOf(d)).(*api.Deployment).DeepCopy()
		c.Spec.Replicas = i32(want)
		e.update(c)
		e.settle()
		pods := e.pods("default", "app=web")
		ready := 0
		seen := map[string]bool{}
		for _, p := range pods {
			if controller.IsPodReady(p) && !isTerminating(p) {
				ready++
			}
			if seen[p.Name] {
				t.Errorf("pod name %s twice", p.Name)
			}
			seen[p.Name] = true
		}
		if len(pods) != int(want) || ready != int(want) {
			t.Errorf("scaled to %d: %d pods, %d ready", want, len(pods), ready)
		}
		rss := e.st.List(api.KindReplicaSet, "default", api.Everything())
		if len(rss) != 1 || (rsName != "" && rss[0].GetObjectMeta().Name != rsName) {
			t.Errorf("scaling made a new replica set: %v", rss)
		}
		rsName = rss[0].GetObjectMeta().Name
		if got := *rss[0].(*api.ReplicaSet).Spec.Replicas; got != want {
			t.Errorf("replica set replicas = %d, want %d", got, want)
		}
	}
}

// rolloutStats steps the loop until it is idle, and at the end of every
// virtual instant counts the deployment's pods that are not terminating and
// those of them that are Ready. It returns the largest and smallest counts.
func rolloutStats(t *testing.T, e *env, selector string, check func(pods []*api.Pod)) (maxPods, minReady int) {
	t.Helper()
	minReady = 1 << 30
	for steps := 0; ; steps++ {
		if steps > 1_000_000 {
			t.Fatal("rollout never settled")
		}
		if next, ok := e.loop.NextAt(); ok && next.Equal(e.loop.Now()) {
			e.loop.Step()
			continue
		}
		// The end of an instant: nothing else happens at this time.
		var active, ready int
		pods := e.pods("default", selector)
		for _, p := range pods {
			if isTerminating(p) {
				continue
			}
			active++
			if controller.IsPodReady(p) {
				ready++
			}
		}
		maxPods, minReady = max(maxPods, active), min(minReady, ready)
		if check != nil {
			check(pods)
		}
		if !e.loop.Step() {
			return maxPods, minReady
		}
	}
}

func TestRollingUpdateBounds(t *testing.T) {
	tests := []struct {
		name                   string
		replicas               int32
		maxSurge, maxUnavail   string // "" for the default 25%
		wantMaxPods, wantReady int
	}{
		{"defaults 25%/25% on 4", 4, "", "", 5, 3},
		{"maxSurge=0 maxUnavailable=1", 4, "0", "1", 4, 3},
		{"maxSurge=1 maxUnavailable=0", 4, "1", "0", 5, 4},
		{"maxSurge=2 maxUnavailable=0", 4, "2", "0", 6, 4},
		{"50%/50% on 4", 4, "50%", "50%", 6, 2},
		{"defaults on 10", 10, "", "", 13, 8},
		{"defaults on 1", 1, "", "", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{{name: "a", ip: "10.0.0.1"}, {name: "b", ip: "10.0.0.2"}}})
			d := deploy("default", "web", tt.replicas, container("nginx:1.25"))
			if tt.maxSurge != "" || tt.maxUnavail != "" {
				d.Spec.Strategy.RollingUpdate = &api.RollingUpdateDeployment{MaxSurge: intstr(tt.maxSurge), MaxUnavailable: intstr(tt.maxUnavail)}
			}
			e.apply(d)
			e.settle()
			oldHash := e.pods("default", "app=web")[0].Labels[controller.LabelPodTemplateHash]

			d.Spec.Template.Spec.Containers[0].Image = "nginx:1.26"
			e.apply(d)
			maxPods, minReady := rolloutStats(t, e, "app=web", nil)
			if maxPods > tt.wantMaxPods {
				t.Errorf("up to %d pods during the rollout, want at most %d (replicas + maxSurge)", maxPods, tt.wantMaxPods)
			}
			if minReady < tt.wantReady {
				t.Errorf("down to %d ready pods during the rollout, want at least %d (replicas - maxUnavailable)", minReady, tt.wantReady)
			}
			// The rollout finished: every pod is new and Ready, the old
			// replica set is scaled to zero and kept.
			pods := e.pods("default", "app=web")
			if len(pods) != int(tt.replicas) {
				t.Errorf("%d pods after the rollout, want %d", len(pods), tt.replicas)
			}
			for _, p := range pods {
				if p.Labels[controller.LabelPodTemplateHash] == oldHash || !controller.IsPodReady(p) || p.Spec.Containers[0].Image != "nginx:1.26" {
					t.Errorf("pod %s after the rollout: hash %s ready %v", p.Name, p.Labels[controller.LabelPodTemplateHash], controller.IsPodReady(p))
				}
			}
			var reps []string
			for _, o := range e.st.List(api.KindReplicaSet, "default", api.Everything()) {
				rs := o.(*api.ReplicaSet)
				reps = append(reps, fmt.Sprintf("%s=%d rev%s", rs.Labels[controller.LabelPodTemplateHash], *rs.Spec.Replicas, rs.Annotations["deployment.kubernetes.io/revision"]))
			}
			slices.Sort(reps)
			newHash := pods[0].Labels[controller.LabelPodTemplateHash]
			want := []string{fmt.Sprintf("%s=%d rev2", newHash, tt.replicas), oldHash + "=0 rev1"}
			slices.Sort(want)
			if !slices.Equal(reps, want) {
				t.Errorf("replica sets %v, want %v", reps, want)
			}
		})
	}
}

// TestRecreateStopsOldPodsFirst: with the Recreate strategy the deployment
// controller scales the old replica sets to zero and waits until none of their
// pods is running (a terminating pod still runs) before it scales the new one
// up (oldPodsRunning), so old and new pods never coexist.
func TestRecreateStopsOldPodsFirst(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	d := deploy("default", "web", 3, container("nginx:1.25"))
	d.Spec.Template.Spec.Containers[0].Lifecycle = &api.Lifecycle{PreStop: &api.LifecycleHandler{Sleep: &api.SleepAction{Seconds: 5}}}
	d.Spec.Strategy.Type = api.RecreateStrategy
	e.apply(d)
	e.settle()
	oldHash := e.pods("default", "app=web")[0].Labels[controller.LabelPodTemplateHash]
	d.Spec.Template.Spec.Containers[0].Image = "nginx:1.26"
	e.apply(d)
	var overlap []string
	maxPods, _ := rolloutStats(t, e, "app=web", func(pods []*api.Pod) {
		var oldPods, newPods int
		for _, p := range pods {
			if p.Labels[controller.LabelPodTemplateHash] == oldHash {
				oldPods++
			} else {
				newPods++
			}
		}
		if oldPods > 0 && newPods > 0 && len(overlap) < 3 {
			overlap = append(overlap, fmt.Sprintf("+%v: %d old (terminating or not) and %d new pods", e.since(), oldPods, newPods))
		}
	})
	if len(overlap) > 0 {
		t.Errorf("old and new pods coexist under Recreate:\n%s", strings.Join(overlap, "\n"))
	}
	if maxPods > 3 {
		t.Errorf("up to %d pods, want at most 3", maxPods)
	}
	pods := e.pods("default", "app=web")
	if len(pods) != 3 || pods[0].Labels[controller.LabelPodTemplateHash] == oldHash {
		t.Errorf("after the rollout: %d pods", len(pods))
	}
}

func TestRecreateScalesOldToZeroFirst(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	d := deploy("default", "web", 3, container("nginx:1.25"))
	d.Spec.Strategy.Type = api.RecreateStrategy
	e.apply(d)
	e.settle()
	d.Spec.Template.Spec.Containers[0].Image = "nginx:1.26"
	e.apply(d)
	maxPods, minReady := rolloutStats(t, e, "app=web", nil)
	if maxPods > 3 || minReady != 0 {
		t.Errorf("Recreate: up to %d pods, down to %d ready; want at most 3 and a moment with none", maxPods, minReady)
	}
	if pods := e.pods("default", "app=web"); len(pods) != 3 || !controller.IsPodReady(pods[0]) {
		t.Errorf("after the rollout: %d pods", len(pods))
	}
}

// TestGarbageCollection covers ownerReference cascades.
func TestGarbageCollection(t *testing.T) {
	lat := controller.DefaultLatencies()
	e := newEnv(t, envOpts{seed: 1, lat: &lat})
	d := e.create(deploy("default", "web", 2, container("nginx:1.25"))).(*api.Deployment)
	e.create(service("default", "web", map[string]string{"app": "web"}))
	other := e.create(deploy("default", "other", 0, container("nginx:1.25"))).(*api.Deployment)
	e.settle()
	rs := e.st.List(api.KindReplicaSet, "default", api.SelectorFromSet(map[string]string{"app": "web"}))[0].(*api.ReplicaSet)
	yes := true
	// A pod owned by the web replica set and by the other deployment.
	shared := bare("default", "shared", map[string]string{"shared": "yes"}, container("nginx:1.25"))
	shared.OwnerReferences = []api.OwnerReference{
		{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID},
		{APIVersion: "apps/v1", Kind: "Deployment", Name: "other", UID: other.UID, Controller: &yes},
	}
	e.create(shared)
	e.settle()

	at := e.loop.Now()
	e.delete(api.RefOf(d), nil)
	if e.st.Peek(api.RefOf(d)) != nil {
		t.Fatal("deployment still stored after delete")
	}
	// The replica set goes GC latency later, its pods GC latency after that.
	e.loop.RunUntil(at.Add(lat.GC - time.Millisecond))
	if e.st.Peek(api.RefOf(rs)) == nil {
		t.Error("replica set deleted before the garbage collector's latency")
	}
	e.loop.RunUntil(at.Add(lat.GC))
	if e.st.Peek(api.RefOf(rs)) != nil {
		t.Errorf("replica set still there %v after its owner went", lat.GC)
	}
	e.loop.RunUntil(at.Add(2 * lat.GC))
	for _, p := range e.pods("default", "app=web") {
		if !isTerminating(p) {
			t.Errorf("pod %s not terminating %v after its replica set went", p.Name, 2*lat.GC)
		}
	}
	e.settle()
	if n := len(e.pods("default", "app=web")); n != 0 {
		t.Errorf("%d web pods left", n)
	}
	if e.svc("default", "web") == nil || e.endpoints("default", "web") == nil {
		t.Error("the service or its Endpoints went with the deployment")
	}
	if got := epString(e.endpoints("default", "web")); got != "<empty>" {
		t.Errorf("endpoints after deleting the deployment = %s, want empty", got)
	}
	if p := e.pod("default", "shared"); p == nil || isTerminating(p) {
		t.Error("a pod with another living owner was collected")
	}

	// An object created with an owner that does not exist is collected.
	orphan := bare("default", "orphan", nil, container("nginx:1.25"))
	orphan.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "gone", UID: "00000000-0000-4000-8000-000000000000", Controller: &yes}}
	e.create(orphan)
	e.settle()
	if e.pod("default", "orphan") != nil {
		t.Error("a pod whose owner never existed was not collected")
	}
}
