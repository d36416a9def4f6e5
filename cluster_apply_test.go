package kubesim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

const appManifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: numbers-api}
spec:
  replicas: 2
  selector: {matchLabels: {app: numbers-api}}
  template:
    metadata: {labels: {app: numbers-api}}
    spec:
      containers:
        - name: api
          image: kiamol/ch03-numbers-api
          ports: [{name: http, containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: numbers-api}
spec:
  selector: {app: numbers-api}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: numbers-web}
spec:
  type: LoadBalancer
  selector: {app: numbers-web}
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: pinned}
spec:
  clusterIP: 10.96.0.50
  type: NodePort
  selector: {app: pinned}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: sleep, labels: {app: sleep}}
spec:
  containers: [{name: sleep, image: kiamol/ch03-sleep}]
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: v1
kind: Endpoints
metadata: {name: ext}
subsets:
  - addresses: [{ip: 192.168.123.234}]
    ports: [{port: 80}]
`

func applyWords(t *testing.T, c *kubesim.Cluster, manifest string) []string {
	t.Helper()
	return mustApply(t, c, []byte(manifest))
}

// TestApplyWords: kubectl's words per object, and an apply of the same
// manifests after the controllers filled in addresses, node names and status
// is "unchanged", as kubectl's merge leaves what it never set.
func TestApplyWords(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	got := applyWords(t, c, appManifests)
	want := []string{
		"deployment.apps/numbers-api created", "service/numbers-api created", "service/numbers-web created",
		"service/pinned created", "pod/sleep created", "namespace/team-a created", "endpoints/ext created",
	}
	if !slices.Equal(got, want) {
		t.Errorf("first apply:\n got %q\nwant %q", got, want)
	}
	settle(t, c)
	got = applyWords(t, c, appManifests)
	for i := range want {
		want[i] = strings.Replace(want[i], "created", "unchanged", 1)
	}
	if !slices.Equal(got, want) {
		t.Errorf("second apply after settling:\n got %q\nwant %q", got, want)
	}
	// Allocated fields survive the re-apply.
	if p := svc(t, c, "default", "pinned"); p.Spec.ClusterIP != "10.96.0.50" || p.Spec.Ports[0].NodePort != 30080 {
		t.Errorf("pinned = %s %s", p.Spec.ClusterIP, ports(p))
	}
	if w := svc(t, c, "default", "numbers-web"); ingress(w) != "localhost" || w.Spec.Ports[0].NodePort == 0 {
		t.Errorf("numbers-web lost its ingress or node port: %s %s", ingress(w), ports(w))
	}
	if p, _ := kubesim.Get[*api.Pod](c, "default", "sleep"); p.Spec.NodeName != "docker-desktop" || !p.Status.PodIP.IsValid() {
		t.Errorf("sleep pod lost its node or IP: %q %s", p.Spec.NodeName, p.Status.PodIP)
	}
	// Changing one object configures only it.
	changed := strings.Replace(appManifests, "replicas: 2", "replicas: 3", 1)
	got = applyWords(t, c, changed)
	want[0] = "deployment.apps/numbers-api configured"
	if !slices.Equal(got, want) {
		t.Errorf("apply with one change:\n got %q\nwant %q", got, want)
	}
	settle(t, c)
	if n := len(podsOf(c, "default", "app=numbers-api")); n != 3 {
		t.Errorf("numbers-api pods = %d, want 3", n)
	}
}

func TestApplyChangesServiceType(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	const np = `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80}]
`
	applyWords(t, c, np)
	port := svc(t, c, "default", "web").Spec.Ports[0].NodePort
	// kubectl apply of the same service as ClusterIP: the API server drops
	// the node port the manifest never set (dropTypeDependentFields).
	got, err := c.Apply([]byte(strings.Replace(np, "type: NodePort", "type: ClusterIP", 1)))
	if err != nil {
		t.Fatalf("apply as ClusterIP: %v", err)
	}
	if !slices.Equal(resultWords(got), []string{"service/web configured"}) {
		t.Errorf("apply = %v", got)
	}
	if s := svc(t, c, "default", "web"); s.Spec.Type != api.ServiceTypeClusterIP || s.Spec.Ports[0].NodePort != 0 {
		t.Errorf("after the change: %s %s", s.Spec.Type, ports(s))
	}
	// The node port is free again.
	if _, err := c.Apply([]byte(strings.Replace(np, "name: web", "name: other", 1) + "\n")); err != nil {
		t.Fatal(err)
	}
	_ = port
}

func resultWords(rs []store.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

func TestApplyFailureReleasesAllocations(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1, NodePortRange: api.PortRange{Base: 30000, Size: 3}})
	before := c.TraceHash()
	bad := `apiVersion: v1
kind: Service
metadata: {name: a}
spec:
  clusterIP: 10.96.0.50
  type: NodePort
  ports: [{port: 80, nodePort: 30001}]
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec:
  type: NodePort
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: c}
spec:
  type: NodePort
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: c, image: nginx}]
`
	_, err := c.Apply([]byte(bad))
	if !api.IsInvalid(err) || !strings.HasPrefix(err.Error(), `Deployment.apps "broken" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `) {
		t.Fatalf("err = %v", err)
	}
	if c.TraceHash() != before {
		t.Error("a failed apply changed the trace")
	}
	for _, n := range []string{"a", "b", "c"} {
		if _, err := kubesim.Get[*api.Service](c, "default", n); !api.IsNotFound(err) {
			t.Errorf("service %s stored from a failed batch: %v", n, err)
		}
	}
	// All three node ports and the requested address are free again.
	good := strings.Replace(bad, "---\napiVersion: apps/v1", "---\n#", 1)
	good = good[:strings.Index(good, "---\n#")]
	if got, err := c.Apply([]byte(good)); err != nil {
		t.Errorf("the same services alone: %v", err)
	} else if want := []string{"service/a created", "service/b created", "service/c created"}; !slices.Equal(resultWords(got), want) {
		t.Errorf("apply = %v", got)
	}
	// And the range is now really full: a fourth is an error, not a duplicate.
	_, err = c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: d}\nspec: {type: NodePort, ports: [{port: 80}]}\n"))
	if err == nil || !strings.Contains(err.Error(), "range is full") {
		t.Errorf("fourth node port: %v", err)
	}
}

func TestClusterErrorsInKubectlWords(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	applyWords(t, c, appManifests)
	settle(t, c)
	stale, _ := kubesim.Get[*api.Service](c, "default", "numbers-api")
	fresh := stale.DeepCopy()
	fresh.Labels = map[string]string{"v": "2"}
	if _, err := c.Update(fresh); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		err    func() error
		want   string
		reason string
	}{
		{"get service", func() error { _, err := kubesim.Get[*api.Service](c, "default", "x"); return err },
			`services "x" not found`, "NotFound"},
		{"get deployment", func() error { _, err := kubesim.Get[*api.Deployment](c, "default", "x"); return err },
			`deployments.apps "x" not found`, "NotFound"},
		{"get node", func() error { _, err := kubesim.Get[*api.Node](c, "", "x"); return err },
			`nodes "x" not found`, "NotFound"},
		{"delete", func() error { return c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "x"}) },
			`services "x" not found`, "NotFound"},
		{"create existing", func() error {
			_, err := c.Create(&api.Service{ObjectMeta: api.ObjectMeta{Name: "numbers-api"}, Spec: api.ServiceSpec{Ports: []api.ServicePort{{Port: 80}}}})
			return err
		}, `services "numbers-api" already exists`, "AlreadyExists"},
		{"stale update", func() error {
			s := stale.DeepCopy()
			s.Labels = map[string]string{"v": "3"}
			_, err := c.Update(s)
			return err
		}, `Operation cannot be fulfilled on services "numbers-api": the object has been modified; please apply your changes to the latest version and try again`, "Conflict"},
		{"apply into a missing namespace", func() error {
			_, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: nope}\nspec: {ports: [{port: 80}]}\n"))
			return err
		}, `namespaces "nope" not found`, "NotFound"},
		{"delete default", func() error { return c.Delete(api.Ref{Kind: api.KindNamespace, Name: "default"}) },
			`namespaces "default" is forbidden: this namespace may not be deleted`, "Forbidden"},
		{"taken cluster IP", func() error {
			_, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: dns2}\nspec: {clusterIP: 10.96.0.10, ports: [{port: 53}]}\n"))
			return err
		}, `Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated`, "Invalid"},
		{"cluster IP out of range", func() error {
			_, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: far}\nspec: {clusterIP: 10.200.0.10, ports: [{port: 53}]}\n"))
			return err
		}, `Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.200.0.10"}: failed to allocate IP 10.200.0.10: the provided IP (10.200.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12`, "Invalid"},
		{"taken node port", func() error {
			_, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: np}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n"))
			return err
		}, `Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`, "Invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v\nwant  %s", err, tt.want)
			}
			if got := api.Reason(err); got != tt.reason {
				t.Errorf("reason = %s, want %s", got, tt.reason)
			}
		})
	}
}

func TestTerminatingNamespaceThroughCluster(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	applyWords(t, c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n")
	applyWords(t, c, strings.ReplaceAll(appManifests[:strings.Index(appManifests, "---\napiVersion: v1\nkind: Namespace")], "metadata: {name:", "metadata: {namespace: team-a, name:"))
	settle(t, c)
	if err := c.Delete(api.Ref{Kind: api.KindNamespace, Name: "team-a"}); err != nil {
		t.Fatal(err)
	}
	ns, err := kubesim.Get[*api.Namespace](c, "", "team-a")
	if err != nil || ns.Status.Phase != api.NamespaceTerminating {
		t.Fatalf("namespace after delete: %v %v", ns, err)
	}
	_, err = c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: late, namespace: team-a}\nspec: {ports: [{port: 80}]}\n"))
	if want := `services "late" is forbidden: unable to create new content in namespace team-a because it is being terminated`; err == nil || err.Error() != want {
		t.Errorf("apply into a terminating namespace: %v", err)
	}
	settle(t, c)
	if _, err := kubesim.Get[*api.Namespace](c, "", "team-a"); !api.IsNotFound(err) {
		t.Errorf("namespace after settling: %v", err)
	}
	for _, k := range api.Kinds {
		if objs := c.List(k, "team-a", api.Everything()); len(objs) != 0 {
			t.Errorf("%d %s left in the deleted namespace", len(objs), k)
		}
	}
	// The pinned address and node port of its service are free again.
	if _, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: again}\nspec: {clusterIP: 10.96.0.50, type: NodePort, ports: [{port: 80, nodePort: 30080}]}\n")); err != nil {
		t.Errorf("address of a service deleted with its namespace: %v", err)
	}
}
