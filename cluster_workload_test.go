package kubesim_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/store"
)

func webDeployment(replicas int, image, strategy string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: %d
  selector: {matchLabels: {app: web}}
%s  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: %s, ports: [{name: http, containerPort: 80}]}]
`, replicas, strategy, image)
}

// instantCounter measures, after every step, the pods of app=web that are not
// terminating and those of them that are Ready, and keeps the extremes over
// the ends of instants.
type instantCounter struct {
	maxPods, minReady int
	lastPods, lastRdy int
	seen              bool
}

func (ic *instantCounter) measure(c *kubesim.Cluster) {
	ic.lastPods, ic.lastRdy = 0, 0
	for _, p := range podsOf(c, "default", "app=web") {
		if p.DeletionTimestamp != nil {
			continue
		}
		ic.lastPods++
		if controller.IsPodReady(p) {
			ic.lastRdy++
		}
	}
}

func (ic *instantCounter) close() {
	if !ic.seen {
		ic.maxPods, ic.minReady, ic.seen = ic.lastPods, ic.lastRdy, true
		return
	}
	ic.maxPods, ic.minReady = max(ic.maxPods, ic.lastPods), min(ic.minReady, ic.lastRdy)
}

// runRollout steps the cluster with Step until idle, and returns the largest
// number of pods and the smallest number of Ready pods at the end of any
// virtual instant.
func runRollout(t *testing.T, c *kubesim.Cluster) (maxPods, minReady int) {
	t.Helper()
	var ic instantCounter
	ic.measure(c)
	for i := 0; ; i++ {
		if i > 1_000_000 {
			t.Fatal("never idle")
		}
		before := c.Now()
		if !c.Step() {
			ic.close()
			return ic.maxPods, ic.minReady
		}
		if c.Now().After(before) {
			ic.close() // the last measurement was the end of the previous instant
		}
		ic.measure(c)
	}
}

func TestRollingUpdateThroughCluster(t *testing.T) {
	tests := []struct {
		name               string
		strategy           string
		wantMax, wantReady int
	}{
		{"defaults", "", 5, 3},
		{"maxSurge=0 maxUnavailable=1", "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}\n", 4, 3},
		{"maxSurge=1 maxUnavailable=0", "  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n", 5, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, kubesim.Config{Seed: 1})
			mustApply(t, c, []byte(webDeployment(4, "nginx:1.25", tt.strategy)))
			settle(t, c)
			mustApply(t, c, []byte(webDeployment(4, "nginx:1.26", tt.strategy)))
			maxPods, minReady := runRollout(t, c)
			if maxPods > tt.wantMax || minReady < tt.wantReady {
				t.Errorf("pods up to %d (want <= %d), ready down to %d (want >= %d)", maxPods, tt.wantMax, minReady, tt.wantReady)
			}
			for _, p := range podsOf(c, "default", "app=web") {
				if p.Spec.Containers[0].Image != "nginx:1.26" || !controller.IsPodReady(p) {
					t.Errorf("pod %s after the rollout: %s ready=%v", p.Name, p.Spec.Containers[0].Image, controller.IsPodReady(p))
				}
			}
		})
	}
}

// TestPropagationWindows: every controller acts its configured latency after
// the change it watched, so the windows show in virtual time.
func TestPropagationWindows(t *testing.T) {
	lat := controller.Latencies{
		Endpoints:     300 * time.Millisecond,
		EndpointSlice: 450 * time.Millisecond,
		PodStop:       2 * time.Second,
	}
	c := newCluster(t, kubesim.Config{Seed: 1, Latencies: lat})
	mustApply(t, c, []byte(webDeployment(1, "nginx:1.25", "")+"---\n"+`apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
`))
	start := c.Now()
	var readyAt, epAt, sliceAt time.Duration
	for c.Step() {
		at := c.Now().Sub(start)
		pods := podsOf(c, "default", "app=web")
		if readyAt == 0 && len(pods) == 1 && controller.IsPodReady(pods[0]) {
			readyAt = at
		}
		if ep, err := kubesim.Get[*api.Endpoints](c, "default", "web"); epAt == 0 && err == nil && controller.FormatEndpoints(ep.Subsets) != "<none>" {
			epAt = at
		}
		if sliceAt == 0 {
			for _, s := range kubesim.ListOf[*api.EndpointSlice](c, "default", api.SelectorFromSet(map[string]string{api.LabelServiceName: "web"})) {
				if len(s.Endpoints) == 1 && s.Endpoints[0].Conditions.IsReady() {
					sliceAt = at
				}
			}
		}
	}
	if readyAt == 0 || epAt-readyAt != lat.Endpoints || sliceAt-readyAt != lat.EndpointSlice {
		t.Errorf("pod Ready at +%v, Endpoints at +%v, slice at +%v; want the Endpoints %v and the slice %v after the pod",
			readyAt, epAt, sliceAt, lat.Endpoints, lat.EndpointSlice)
	}

	// A deleted pod stays in the Endpoints for the endpoints controller's
	// latency, and in the store until its containers stop.
	p := podsOf(c, "default", "app=web")[0]
	ip := p.Status.PodIP.String() + ":80"
	if err := c.Delete(api.RefOf(p)); err != nil {
		t.Fatal(err)
	}
	c.Advance(lat.Endpoints - time.Millisecond)
	if got := endpoints(t, c, "default", "web"); !strings.Contains(got, ip) {
		t.Errorf("endpoints %v after the delete = %s, want it still listing %s", lat.Endpoints-time.Millisecond, got, ip)
	}
	c.Advance(time.Millisecond)
	if got := endpoints(t, c, "default", "web"); strings.Contains(got, ip) {
		t.Errorf("endpoints %v after the delete = %s, want %s gone", lat.Endpoints, got, ip)
	}
	if _, err := kubesim.Get[*api.Pod](c, "default", p.Name); err != nil {
		t.Errorf("terminating pod gone before its containers stopped: %v", err)
	}
	c.Advance(lat.PodStop - lat.Endpoints)
	if _, err := kubesim.Get[*api.Pod](c, "default", p.Name); !api.IsNotFound(err) {
		t.Errorf("pod still there %v after its delete: %v", lat.PodStop, err)
	}
}

func TestKubernetesServiceRecreated(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	orig := svc(t, c, "default", "kubernetes")
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "kubernetes"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(controller.DefaultLatencies().APIServer - time.Millisecond)
	if _, err := kubesim.Get[*api.Service](c, "default", "kubernetes"); !api.IsNotFound(err) {
		t.Errorf("kubernetes back before the API server's latency: %v", err)
	}
	c.Advance(time.Millisecond)
	settle(t, c)
	k := svc(t, c, "default", "kubernetes")
	if k.Spec.ClusterIP != "10.96.0.1" || ports(k) != "443/TCP" || k.UID == orig.UID {
		t.Errorf("recreated kubernetes = %s %s uid %s (was %s)", k.Spec.ClusterIP, ports(k), k.UID, orig.UID)
	}
	if got := endpoints(t, c, "default", "kubernetes"); got != "192.168.65.3:6443" {
		t.Errorf("kubernetes endpoints = %s", got)
	}
}

func TestDeleteWithGracePeriodZero(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	mustApply(t, c, []byte(webDeployment(1, "nginx:1.25", "")))
	settle(t, c)
	p := podsOf(c, "default", "app=web")[0]
	zero := int64(0)
	if err := c.DeleteWith(api.RefOf(p), store.DeleteOptions{GracePeriodSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	if _, err := kubesim.Get[*api.Pod](c, "default", p.Name); !api.IsNotFound(err) {
		t.Errorf("pod after --grace-period=0: %v", err)
	}
	settle(t, c)
	if got := podsOf(c, "default", "app=web"); len(got) != 1 || got[0].Name == p.Name {
		t.Errorf("replacement pods = %v", got)
	}
}

// TestConcurrentUse drives one cluster from several goroutines; run with
// -race. The outcome is checked loosely (the interleaving is not
// deterministic), the absence of races and panics strictly.
func TestConcurrentUse(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1, NoTrace: true})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				name := fmt.Sprintf("app-%d-%d", g, i)
				m := strings.ReplaceAll(webDeployment(1, "nginx:1.25", ""), "web", name)
				if _, err := c.Apply([]byte(m)); err != nil {
					t.Error(err)
					return
				}
				c.Advance(100 * time.Millisecond)
				_ = c.List(api.KindPod, "default", api.Everything())
				_, _ = kubesim.Get[*api.Deployment](c, "default", name)
				_ = c.Now()
				_ = c.Pending()
				c.Step()
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 20 {
			_ = kubesim.ListOf[*api.Service](c, "", api.Everything())
			_ = c.TraceHash()
			c.Advance(time.Second)
		}
	}()
	wg.Wait()
	settle(t, c)
	if n := len(kubesim.ListOf[*api.Deployment](c, "default", api.Everything())); n != 40 {
		t.Errorf("deployments = %d, want 40", n)
	}
	for _, p := range podsOf(c, "default", "") {
		if !controller.IsPodReady(p) {
			t.Errorf("pod %s not ready after settling", p.Name)
		}
	}
}
