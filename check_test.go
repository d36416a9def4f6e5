package kubesim

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

// Internal tests of the checker: it passes on correct clusters, and it
// catches each kind of corruption, written straight into one component.

func labCluster(t *testing.T, cfg Config) *Cluster {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sleep/sleep1.yaml", "sleep/sleep2.yaml", "sleep/sleep2-service.yaml",
		"numbers/api.yaml", "numbers/api-service.yaml", "numbers/web.yaml", "numbers/web-service.yaml",
		"numbers-services/web-service-nodePort.yaml"} {
		b, err := os.ReadFile(filepath.Join("examples", "ch03", f))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Apply(b); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	headless := []byte(`apiVersion: v1
kind: Service
metadata:
  name: api-headless
spec:
  clusterIP: None
  selector:
    app: numbers-api
  ports:
  - name: http
    port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: outside
spec:
  type: ExternalName
  externalName: raw.githubusercontent.com
`)
	if _, err := c.Apply(headless); err != nil {
		t.Fatal(err)
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	return c
}

func invariants(vs Violations) []string {
	var out []string
	for _, v := range vs {
		if !slices.Contains(out, v.Invariant) {
			out = append(out, v.Invariant)
		}
	}
	slices.Sort(out)
	return out
}

func TestCheckCleanClusters(t *testing.T) {
	for _, p := range Platforms {
		for _, nodes := range []int{0, 3} {
			cfg := Config{Seed: 11, Platform: p}
			if nodes > 0 {
				cfg.Nodes = GenerateNodes(nodes, 2)
			}
			c := labCluster(t, cfg)
			if vs := c.Check(); len(vs) > 0 {
				t.Errorf("%s with %d nodes:\n%s", p, nodes, vs)
			}
		}
	}
}

// TestCheckAtEveryInstant steps a cluster event by event through a rolling
// update and a scale-down: the invariants of every instant hold all along.
func TestCheckAtEveryInstant(t *testing.T) {
	c := labCluster(t, Config{Seed: 3, Nodes: GenerateNodes(2, 0)})
	d, _ := Get[*api.Deployment](c, "default", "numbers-api")
	d.Spec.Template.Spec.Containers[0].Image += "-v2"
	n := int32(4)
	d.Spec.Replicas = &n
	if _, err := c.Update(d); err != nil {
		t.Fatal(err)
	}
	steps := 0
	for c.Step() {
		steps++
		if vs := c.Check(); len(vs) > 0 {
			t.Fatalf("after %d events:\n%s", steps, vs)
		}
	}
	if steps < 20 {
		t.Errorf("only %d events", steps)
	}
}

// TestCheckDetects corrupts one component at a time and expects the
// invariant that guards it.
func TestCheckDetects(t *testing.T) {
	pods := func(c *Cluster, app string) []*api.Pod {
		return ListOf[*api.Pod](c, "default", api.SelectorFromSet(map[string]string{"app": app}))
	}
	status := func(t *testing.T, c *Cluster, o api.Object) {
		t.Helper()
		if err := c.store.UpdateStatus(o, "corrupted by a test"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name    string
		corrupt func(t *testing.T, c *Cluster)
		settle  bool
		want    string
	}{
		{"two pods with one IP", func(t *testing.T, c *Cluster) {
			a, b := pods(c, "numbers-api")[0], pods(c, "numbers-web")[0]
			b.Status.PodIP, b.Status.PodIPs = a.Status.PodIP, a.Status.PodIPs
			status(t, c, b)
		}, false, "pod-ip-unique"},
		{"two services with one cluster IP", func(t *testing.T, c *Cluster) {
			a, _ := Get[*api.Service](c, "default", "numbers-api")
			b, _ := Get[*api.Service](c, "default", "numbers-web")
			b.Spec.ClusterIP, b.Spec.ClusterIPs = a.Spec.ClusterIP, a.Spec.ClusterIPs
			status(t, c, b)
		}, false, "cluster-ip-unique"},
		{"two services with one node port", func(t *testing.T, c *Cluster) {
			a, _ := Get[*api.Service](c, "default", "numbers-web")
			b, _ := Get[*api.Service](c, "default", "numbers-web-node")
			a.Spec.Type = api.ServiceTypeNodePort
			a.Spec.Ports[0].NodePort = b.Spec.Ports[0].NodePort
			status(t, c, a)
		}, false, "node-port-unique"},
		{"a pod IP outside its node's range", func(t *testing.T, c *Cluster) {
			p := pods(c, "numbers-api")[0]
			p.Status.PodIP, p.Status.PodIPs = netip.MustParseAddr("10.250.0.9"), []api.PodIP{{IP: netip.MustParseAddr("10.250.0.9")}}
			status(t, c, p)
		}, false, "ip-in-range"},
		{"an object without its namespace", func(t *testing.T, c *Cluster) {
			if _, err := c.Apply([]byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: gone}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: gone}\nspec: {ports: [{port: 80}]}\n")); err != nil {
				t.Fatal(err)
			}
			c.store.Remove(api.Ref{Kind: api.KindNamespace, Name: "gone"})
		}, false, "namespace-exists"},
		{"an owner that does not exist", func(t *testing.T, c *Cluster) {
			p := pods(c, "numbers-api")[0]
			p.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "ghost", UID: "00000000-0000-4000-8000-000000000000"}}
			status(t, c, p)
		}, true, "owner-exists"},
		{"a namespace stuck terminating", func(t *testing.T, c *Cluster) {
			ns, _ := Get[*api.Namespace](c, "", "kube-public")
			now := api.NewTime(c.Now())
			ns.DeletionTimestamp = &now
			status(t, c, ns)
		}, true, "terminating-at-rest"},
		{"Endpoints with a stranger", func(t *testing.T, c *Cluster) {
			ep, _ := Get[*api.Endpoints](c, "default", "numbers-api")
			ep.Subsets[0].Addresses = append(ep.Subsets[0].Addresses, api.EndpointAddress{IP: netip.MustParseAddr("10.1.0.99")})
			status(t, c, ep)
		}, true, "endpoints-match-pods"},
		{"a slice that says an unready pod is ready", func(t *testing.T, c *Cluster) {
			p := pods(c, "numbers-api")[0]
			for i := range p.Status.Conditions {
				if p.Status.Conditions[i].Type == "Ready" {
					p.Status.Conditions[i].Status = api.ConditionFalse
				}
			}
			c.faults.hold("docker-desktop", "test") // keep kube-proxy on the old slice
			status(t, c, p)
			c.settle()
			c.faults.release("docker-desktop", "test")
			c.settle()
			for _, o := range c.store.List(api.KindEndpointSlice, "default", api.Everything()) {
				s := o.(*api.EndpointSlice)
				if s.Labels[api.LabelServiceName] != "numbers-api" {
					continue
				}
				s = s.DeepCopy()
				yes := true
				for i := range s.Endpoints {
					s.Endpoints[i].Conditions.Ready = &yes
				}
				status(t, c, s)
			}
		}, true, "route-ready-pod"},
		{"kube-proxy without a slice", func(t *testing.T, c *Cluster) {
			for _, o := range c.store.List(api.KindEndpointSlice, "default", api.Everything()) {
				c.proxy.DeleteEndpointSlice("default", o.GetObjectMeta().Name)
			}
			c.proxy.SyncAll()
		}, true, "route-service"},
		{"DNS missing a service", func(t *testing.T, c *Cluster) {
			c.dns.DeleteService("default", "numbers-api")
		}, true, "dns-ptr,dns-service"},
		{"DNS missing a headless endpoint", func(t *testing.T, c *Cluster) {
			for _, o := range c.store.List(api.KindEndpointSlice, "default", api.Everything()) {
				if o.GetObjectMeta().Labels[api.LabelServiceName] == "api-headless" {
					c.dns.DeleteEndpointSlice("default", o.GetObjectMeta().Name)
				}
			}
		}, true, "dns-service"},
		{"DNS holding a deleted service", func(t *testing.T, c *Cluster) {
			s, _ := Get[*api.Service](c, "default", "numbers-web")
			if err := c.Delete(api.RefOf(s)); err != nil {
				t.Fatal(err)
			}
			c.settle()
			c.dns.UpsertService(s)
		}, true, "dns-nxdomain"},
		{"DNS with a wrong SRV", func(t *testing.T, c *Cluster) {
			s, _ := Get[*api.Service](c, "kube-system", "kube-dns")
			s.Spec.Ports[2].Port++
			c.dns.UpsertService(s)
		}, true, "dns-srv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := labCluster(t, Config{Seed: 5})
			tc.corrupt(t, c)
			if tc.settle {
				if err := c.Settle(); err != nil {
					t.Fatal(err)
				}
			}
			vs := c.Check()
			got := strings.Join(invariants(vs), ",")
			if !containsAll(got, strings.Split(tc.want, ",")) {
				t.Fatalf("invariants %q, want %q:\n%s", got, tc.want, vs)
			}
			for _, v := range vs {
				if len(v.Objects) == 0 && v.Invariant != "dns-nxdomain" {
					t.Errorf("violation names no object: %s", v)
				}
			}
			if err := vs.Err(); err == nil || !strings.Contains(err.Error(), "invariant violations") {
				t.Errorf("Err: %v", err)
			}
		})
	}
}

func containsAll(got string, want []string) bool {
	have := strings.Split(got, ",")
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// TestCheckExemptions checks that an injected fault exempts exactly what it
// puts out of line.
func TestCheckExemptions(t *testing.T) {
	c := labCluster(t, Config{Seed: 9, Nodes: GenerateNodes(2, 0)})
	if _, err := c.Inject(ProxyStall{Node: "node-00002"}, 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Inject(WatchFault{Component: ComponentDNS, Drop: 1}, 0, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "numbers-web"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatalf("faulted components were held to the store:\n%s", vs)
	}
	// The stalled node still routes to the deleted service, DNS still
	// resolves it: both are really out of line.
	n := c.proxy.Node("node-00002")
	if n.Version() == c.proxy.Version() {
		t.Error("the stalled node is up to date")
	}
	if r := c.dns.Query("numbers-web.default.svc.cluster.local.", 1); r.Rcode != 0 {
		t.Errorf("DNS under a drop fault: %s, want the stale answer", r.RcodeName())
	}
	c.HealAll()
	vs, err := c.CheckSettled()
	if err != nil || len(vs) > 0 {
		t.Fatalf("healed: %v\n%s", err, vs)
	}
}

// TestCheckChangesNothing runs one scenario with and without checks after
// every step: same trace, same snapshot.
func TestCheckChangesNothing(t *testing.T) {
	run := func(check bool) (string, []byte) {
		c := labCluster(t, Config{Seed: 21, Nodes: GenerateNodes(3, 2)})
		for i := range 30 {
			p := ListOf[*api.Pod](c, "default", api.SelectorFromSet(map[string]string{"app": "numbers-api"}))
			if i%7 == 0 && len(p) > 0 {
				_ = c.Delete(api.RefOf(p[0]))
			}
			c.Advance(700 * time.Millisecond)
			if check {
				_ = c.Check()
			}
		}
		_ = c.Settle()
		return c.TraceHash(), c.Snapshot()
	}
	h1, s1 := run(false)
	h2, s2 := run(true)
	if h1 != h2 || string(s1) != string(s2) {
		t.Errorf("checking changed the run: %s vs %s", h1, h2)
	}
}

func TestSnapshotOfRejectedWrites(t *testing.T) {
	c := labCluster(t, Config{Seed: 2})
	before := c.Snapshot()
	if _, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: ok1}\nspec: {type: NodePort, ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: Bad}\nspec: {ports: [{port: 80}]}\n")); err == nil {
		t.Fatal("accepted")
	}
	if _, err := c.Create(&api.Service{ObjectMeta: api.ObjectMeta{GenerateName: "gen-", Namespace: "default"}, Spec: api.ServiceSpec{ClusterIP: "10.96.0.1", Ports: []api.ServicePort{{Port: 80}}}}); err == nil {
		t.Fatal("accepted a taken cluster IP")
	}
	d, _ := Get[*api.Deployment](c, "default", "numbers-api")
	d.Spec.Selector = &api.LabelSelector{MatchLabels: map[string]string{"other": "x"}}
	if _, err := c.Update(d); err == nil {
		t.Fatal("accepted a selector change")
	}
	if err := c.Delete(api.Ref{Kind: api.KindNamespace, Name: "default"}); err == nil {
		t.Fatal("deleted the default namespace")
	}
	if after := c.Snapshot(); string(before) != string(after) {
		t.Errorf("refused writes changed the cluster:\n%s\n---\n%s", before[:400], after[:400])
	}
}

func TestSelfCheck(t *testing.T) {
	lab, err := os.ReadFile(filepath.Join("examples", "ch03", "numbers", "api.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	scenario := func(c *Cluster) error {
		if _, err := c.Apply(lab); err != nil {
			return err
		}
		if _, err := c.Inject(NodeNotReady{Node: "docker-desktop"}, 2*time.Second, 10*time.Second); err != nil {
			return err
		}
		return c.Settle()
	}
	if err := SelfCheck(Config{Seed: 4}, scenario); err != nil {
		t.Fatalf("deterministic scenario: %v", err)
	}
	runs := 0
	err = SelfCheck(Config{Seed: 4}, func(c *Cluster) error {
		runs++
		c.Advance(time.Duration(runs) * time.Second) // differs between runs
		return scenario(c)
	})
	var d *Divergence
	if !errors.As(err, &d) || d.Entry < 0 || !strings.Contains(d.First, "deployment/default/numbers-api: created") {
		t.Fatalf("nondeterministic scenario: %v", err)
	}
	if !strings.Contains(err.Error(), "traces differ at entry") {
		t.Errorf("message: %v", err)
	}
	// Same trace, different state: a change that records nothing.
	runs = 0
	err = SelfCheck(Config{Seed: 4}, func(c *Cluster) error {
		runs++
		if runs == 2 {
			c.dns.Upstream().Fail("example.com")
			c.faults.runs = append(c.faults.runs, &faultRun{FaultStatus: FaultStatus{ID: 1, Fault: UpstreamFail{Name: "example.com"}, State: FaultActive}})
		}
		return nil
	})
	if !errors.As(err, &d) || !d.Snapshot {
		t.Fatalf("state-only difference: %v", err)
	}
	_ = controller.NodeMonitorPeriod
}
