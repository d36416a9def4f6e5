package kubesim_test

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/proxy"
)

// lab reads a manifest of the chapter 3 lab.
func lab(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("examples", "ch03", path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustApply(t testing.TB, c *kubesim.Cluster, manifests ...[]byte) []string {
	t.Helper()
	var out []string
	for _, m := range manifests {
		res, err := c.Apply(m)
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		for _, r := range res {
			out = append(out, r.String())
		}
	}
	return out
}

func settle(t testing.TB, c *kubesim.Cluster) {
	t.Helper()
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
}

func svc(t testing.TB, c *kubesim.Cluster, ns, name string) *api.Service {
	t.Helper()
	s, err := kubesim.Get[*api.Service](c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func endpoints(t testing.TB, c *kubesim.Cluster, ns, name string) string {
	t.Helper()
	ep, err := kubesim.Get[*api.Endpoints](c, ns, name)
	if err != nil {
		t.Fatal(err)
	}
	return controller.FormatEndpoints(ep.Subsets)
}

func ports(s *api.Service) string {
	var parts []string
	for _, p := range s.Spec.Ports {
		v := fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		if p.NodePort != 0 {
			v = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, ",")
}

func podsOf(c *kubesim.Cluster, ns, selector string) []*api.Pod {
	sel, err := api.ParseSelector(selector)
	if err != nil {
		panic(err)
	}
	return kubesim.ListOf[*api.Pod](c, ns, sel)
}

// TestLabObjects replays the object side of the chapter 3 lab end to end.
func TestLabObjects(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}

	// A fresh Docker Desktop cluster: kubernetes and kube-dns at fixed IPs.
	k := svc(t, c, "default", "kubernetes")
	if k.Spec.ClusterIP != "10.96.0.1" || ports(k) != "443/TCP" {
		t.Errorf("kubernetes = %s %s, want 10.96.0.1 443/TCP", k.Spec.ClusterIP, ports(k))
	}
	dns := svc(t, c, "kube-system", "kube-dns")
	if dns.Spec.ClusterIP != "10.96.0.10" || ports(dns) != "53/UDP,53/TCP,9153/TCP" {
		t.Errorf("kube-dns = %s %s", dns.Spec.ClusterIP, ports(dns))
	}
	if got := podsOf(c, "kube-system", "k8s-app=kube-dns"); len(got) != 2 || !controller.IsPodReady(got[0]) || !controller.IsPodReady(got[1]) {
		t.Errorf("coredns pods = %d, want 2 ready", len(got))
	}
	if got := endpoints(t, c, "default", "kubernetes"); got != "192.168.65.3:6443" {
		t.Errorf("kubernetes endpoints = %s", got)
	}

	got := mustApply(t, c, lab(t, "sleep/sleep1.yaml"), lab(t, "sleep/sleep2.yaml"))
	if want := []string{"deployment.apps/sleep-1 created", "deployment.apps/sleep-2 created"}; !slices.Equal(got, want) {
		t.Errorf("apply = %q, want %q", got, want)
	}
	settle(t, c)
	sleep2 := podsOf(c, "default", "app=sleep-2")
	if len(sleep2) != 1 || !strings.HasPrefix(sleep2[0].Name, "sleep-2-") || !sleep2[0].Status.PodIP.IsValid() {
		t.Fatalf("sleep-2 pods = %+v", sleep2)
	}
	if !netip.MustParsePrefix("10.1.0.0/16").Contains(sleep2[0].Status.PodIP) {
		t.Errorf("pod IP %s outside 10.1.0.0/16", sleep2[0].Status.PodIP)
	}
	// Pod names are <deployment>-<pod-template-hash>-<5 random characters>.
	parts := strings.Split(sleep2[0].Name, "-")
	if hash := sleep2[0].Labels["pod-template-hash"]; len(parts) != 4 || parts[2] != hash || len(parts[3]) != 5 {
		t.Errorf("pod name %q does not follow <deploy>-<hash>-<suffix> with hash %q", sleep2[0].Name, hash)
	}

	mustApply(t, c, lab(t, "sleep/sleep2-service.yaml"), lab(t, "numbers/api.yaml"), lab(t, "numbers/web.yaml"),
		lab(t, "numbers/api-service.yaml"), lab(t, "numbers/web-service.yaml"))
	settle(t, c)
	if got, want := endpoints(t, c, "default", "sleep-2"), sleep2[0].Status.PodIP.String()+":80"; got != want {
		t.Errorf("sleep-2 endpoints = %s, want %s", got, want)
	}
	web := svc(t, c, "default", "numbers-web")
	if len(web.Status.LoadBalancer.Ingress) != 1 || web.Status.LoadBalancer.Ingress[0].Hostname != "localhost" {
		t.Errorf("numbers-web ingress = %+v, want localhost", web.Status.LoadBalancer.Ingress)
	}
	if np := web.Spec.Ports[0].NodePort; np < 30000 || np > 32767 || web.Spec.Ports[0].Port != 8080 {
		t.Errorf("numbers-web ports = %s", ports(web))
	}

	// ExternalName: no cluster IP, no ports, no endpoints.
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "numbers-api"}); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	if got := mustApply(t, c, lab(t, "numbers-services/api-service-externalName.yaml")); !slices.Equal(got, []string{"service/numbers-api created"}) {
		t.Errorf("apply = %q", got)
	}
	settle(t, c)
	ext := svc(t, c, "default", "numbers-api")
	if ext.Spec.Type != api.ServiceTypeExternalName || ext.Spec.ClusterIP != "" || ext.Spec.ExternalName != "raw.githubusercontent.com" {
		t.Errorf("externalName service = %+v", ext.Spec)
	}
	if _, err := kubesim.Get[*api.Endpoints](c, "default", "numbers-api"); !api.IsNotFound(err) {
		t.Errorf("endpoints of the ExternalName service: err = %v, want not found", err)
	}

	// The selector-less service with hand-written Endpoints.
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "numbers-api"}); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	got = mustApply(t, c, lab(t, "numbers-services/api-service-headless.yaml"))
	if want := []string{"service/numbers-api created", "endpoints/numbers-api created"}; !slices.Equal(got, want) {
		t.Errorf("apply = %q, want %q", got, want)
	}
	settle(t, c)
	hl := svc(t, c, "default", "numbers-api")
	if ip, err := netip.ParseAddr(hl.Spec.ClusterIP); err != nil || !netip.MustParsePrefix("10.96.0.0/12").Contains(ip) {
		t.Errorf("selector-less service cluster IP = %q, want one from 10.96.0.0/12", hl.Spec.ClusterIP)
	}
	if got := endpoints(t, c, "default", "numbers-api"); got != "192.168.123.234:80" {
		t.Errorf("numbers-api endpoints = %s", got)
	}
	slices := kubesim.ListOf[*api.EndpointSlice](c, "default", api.SelectorFromSet(map[string]string{api.LabelServiceName: "numbers-api"}))
	if len(slices) != 1 || slices[0].Labels[api.LabelManagedBy] != controller.ManagedByMirroring ||
		len(slices[0].Endpoints) != 1 || slices[0].Endpoints[0].Addresses[0].String() != "192.168.123.234" {
		t.Errorf("mirrored slices = %+v", slices)
	}

	// Deleting the pods empties the endpoints until the replacement is Ready.
	c.Advance(time.Minute)
	for _, p := range podsOf(c, "default", "app=sleep-2") {
		if err := c.Delete(api.RefOf(p)); err != nil {
			t.Fatal(err)
		}
	}
	c.Advance(time.Second)
	if got := endpoints(t, c, "default", "sleep-2"); got != "<none>" {
		t.Errorf("sleep-2 endpoints right after deleting its pod = %s, want <none>", got)
	}
	settle(t, c)
	replacement := podsOf(c, "default", "app=sleep-2")
	if len(replacement) != 1 || replacement[0].Name == sleep2[0].Name {
		t.Fatalf("replacement pods = %v", replacement)
	}
	if got, want := endpoints(t, c, "default", "sleep-2"), replacement[0].Status.PodIP.String()+":80"; got != want {
		t.Errorf("sleep-2 endpoints after settling = %s, want %s", got, want)
	}

	// Deleting the deployment removes its replica set and pods but leaves the
	// service and its now empty Endpoints.
	if err := c.Delete(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: "sleep-2"}); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	if got := endpoints(t, c, "default", "sleep-2"); got != "<none>" {
		t.Errorf("sleep-2 endpoints after deleting the deployment = %s, want <none>", got)
	}
	if n := len(podsOf(c, "default", "app=sleep-2")); n != 0 {
		t.Errorf("%d sleep-2 pods left", n)
	}
	if rs := kubesim.ListOf[*api.ReplicaSet](c, "default", api.Everything()); len(rs) != 3 {
		t.Errorf("replica sets = %d, want 3 (sleep-1, numbers-api, numbers-web)", len(rs))
	}
	svc(t, c, "default", "sleep-2")

	// The API server recreates `kubernetes` at the same address.
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "kubernetes"}); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	if k := svc(t, c, "default", "kubernetes"); k.Spec.ClusterIP != "10.96.0.1" {
		t.Errorf("recreated kubernetes at %s", k.Spec.ClusterIP)
	}
}

// scenario runs a short lab session and returns the cluster.
func scenario(t testing.TB, seed uint64) *kubesim.Cluster {
	c, err := kubesim.New(kubesim.Config{Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, lab(t, "sleep/sleep1.yaml"), lab(t, "sleep/sleep2.yaml"), lab(t, "sleep/sleep2-service.yaml"),
		lab(t, "numbers/web.yaml"), lab(t, "numbers/web-service.yaml"))
	settle(t, c)
	for _, p := range podsOf(c, "default", "app=sleep-2") {
		if err := c.Delete(api.RefOf(p)); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, c)
	return c
}

func TestDeterminism(t *testing.T) {
	want := scenario(t, 7).TraceHash()
	runs := 100
	if testing.Short() {
		runs = 10
	}
	for i := range runs {
		if got := scenario(t, 7).TraceHash(); got != want {
			t.Fatalf("run %d: trace hash %s, want %s", i, got, want)
		}
	}
	a, b := scenario(t, 7), scenario(t, 8)
	if a.TraceHash() == b.TraceHash() {
		t.Error("seeds 7 and 8 gave the same trace")
	}
	if svc(t, a, "default", "sleep-2").Spec.ClusterIP == svc(t, b, "default", "sleep-2").Spec.ClusterIP {
		t.Error("seeds 7 and 8 gave sleep-2 the same cluster IP")
	}
	if podsOf(a, "default", "app=sleep-1")[0].Name == podsOf(b, "default", "app=sleep-1")[0].Name {
		t.Error("seeds 7 and 8 gave sleep-1's pod the same name")
	}
}

func TestApplyIsAllOrNothing(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	before := c.TraceHash()
	bad := []byte(`apiVersion: v1
kind: Service
metadata:
  name: sleep-2
spec:
  clusterIP: 10.100.0.100
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: drawn
spec:
  type: NodePort
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: broken
spec:
  ports:
    - port: 0
      targetPort: 8080
`)
	_, err = c.Apply(bad)
	var inv *api.InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v, want *api.InvalidError", err)
	}
	if want := `Service "broken" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`; err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	if _, err := kubesim.Get[*api.Service](c, "default", "sleep-2"); !api.IsNotFound(err) {
		t.Errorf("sleep-2 was stored from a failed batch: %v", err)
	}
	if got := c.TraceHash(); got != before {
		t.Error("a failed apply changed the trace")
	}
	// The failed batch left no trace in the random streams either: the next
	// service gets the address it gets in a cluster that never saw the batch.
	fresh, err := kubesim.New(kubesim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	next := []byte("apiVersion: v1\nkind: Service\nmetadata: {name: next}\nspec: {ports: [{port: 80}]}\n")
	mustApply(t, c, next)
	mustApply(t, fresh, next)
	if a, b := svc(t, c, "default", "next").Spec.ClusterIP, svc(t, fresh, "default", "next").Spec.ClusterIP; a != b {
		t.Errorf("after a failed batch the next service got %s; in a fresh cluster %s", a, b)
	}
	// The cluster IP the failed batch reserved is free again.
	if _, err := c.Apply([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: again}\nspec: {clusterIP: 10.100.0.100, ports: [{port: 80}]}\n")); err != nil {
		t.Fatal(err)
	}
}

// TestLabNetwork follows the lab's requests: a pod resolves a service by its
// short name and its node's kube-proxy sends the connection to a ready pod; the
// selector-less service goes to its hand-written endpoint; ICMP to a cluster
// IP goes nowhere.
func TestLabNetwork(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, lab(t, "sleep/sleep1.yaml"), lab(t, "sleep/sleep2.yaml"), lab(t, "sleep/sleep2-service.yaml"),
		lab(t, "numbers-services/api-service-headless.yaml"))
	settle(t, c)
	client := podsOf(c, "default", "app=sleep-1")[0]
	target := podsOf(c, "default", "app=sleep-2")[0]
	sleep2 := svc(t, c, "default", "sleep-2")

	path, err := c.Resolve("default", client.Name, "sleep-2")
	if err != nil {
		t.Fatal(err)
	}
	if len(path.Addresses) != 1 || path.Addresses[0].String() != sleep2.Spec.ClusterIP {
		t.Fatalf("sleep-2 resolved to %v, want %s\n%s", path.Addresses, sleep2.Spec.ClusterIP, path)
	}
	// ndots:5 costs the search list: sleep-2.default.svc.cluster.local answers first.
	if path.Queries[0].Name != "sleep-2.default.svc.cluster.local" {
		t.Errorf("first query %q", path.Queries[0].Name)
	}

	src := netip.AddrPortFrom(client.Status.PodIP, 40000)
	res, err := c.Route(client.Spec.NodeName, proxy.Packet{Src: src, Dst: netip.AddrPortFrom(path.Addresses[0], 80)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != proxy.VerdictForward || res.Chosen != netip.AddrPortFrom(target.Status.PodIP, 80) {
		t.Errorf("route to sleep-2 = %v %v, want forward to %s:80", res.Verdict, res.Chosen, target.Status.PodIP)
	}

	hl := svc(t, c, "default", "numbers-api")
	res, err = c.Route(client.Spec.NodeName, proxy.Packet{Src: src, Dst: netip.AddrPortFrom(netip.MustParseAddr(hl.Spec.ClusterIP), 80)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Chosen.String() != "192.168.123.234:80" {
		t.Errorf("selector-less numbers-api routed to %v, want the hand-written endpoint 192.168.123.234:80", res.Chosen)
	}

	// A port the service does not declare is not forwarded.
	res, err = c.Route(client.Spec.NodeName, proxy.Packet{Src: src, Dst: netip.AddrPortFrom(path.Addresses[0], 8080)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict == proxy.VerdictForward {
		t.Errorf("port 8080 on sleep-2's cluster IP was forwarded to %v", res.Chosen)
	}
}

func TestRulesForEveryMode(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode proxy.Mode
		want string
	}{
		{proxy.ModeIPTables, "-A KUBE-SERVICES -d 10.96.0.10/32 -p udp"},
		{proxy.ModeNFTables, "table ip kube-proxy"},
		{proxy.ModeIPVS, "10.96.0.10:53"},
	} {
		got, err := c.RulesFor("docker-desktop", tc.mode, api.IPv4)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s rules lack %q:\n%s", tc.mode, tc.want, got)
		}
	}
	if _, err := c.RulesFor("nope", proxy.ModeIPTables, api.IPv4); !api.IsNotFound(err) {
		t.Errorf("rules of a missing node: err = %v, want not found", err)
	}
	if err := c.SetProxySyncLatency("nope", time.Second); !api.IsNotFound(err) {
		t.Errorf("SetProxySyncLatency on a missing node: err = %v, want not found", err)
	}
}

// TestDNSSeesTheClusterThroughItsWatch checks the watch lag: a new service
// does not resolve until the DNS server has seen it, and a deleted one
// lingers for as long.
func TestDNSSeesTheClusterThroughItsWatch(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{DNSLag: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, lab(t, "sleep/sleep1.yaml"))
	settle(t, c)
	client := podsOf(c, "default", "app=sleep-1")[0].Name
	outcome := func() string {
		t.Helper()
		p, err := c.Resolve("default", client, "sleep-2.default.svc.cluster.local")
		if err != nil {
			t.Fatal(err)
		}
		return p.Outcome
	}
	mustApply(t, c, lab(t, "sleep/sleep2-service.yaml"))
	c.Advance(1900 * time.Millisecond)
	if got := outcome(); got != "NXDOMAIN" {
		t.Errorf("1.9s after the service was created: %s, want NXDOMAIN", got)
	}
	c.Advance(200 * time.Millisecond)
	if got := outcome(); got != "NOERROR" {
		t.Errorf("2.1s after the service was created: %s, want NOERROR", got)
	}
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "sleep-2"}); err != nil {
		t.Fatal(err)
	}
	c.Advance(1900 * time.Millisecond)
	if got := outcome(); got != "NOERROR" {
		t.Errorf("1.9s after the service was deleted: %s, want NOERROR (it lingers)", got)
	}
	c.Advance(200 * time.Millisecond)
	if got := outcome(); got != "NXDOMAIN" {
		t.Errorf("2.1s after the service was deleted: %s, want NXDOMAIN", got)
	}
}

// TestNodeLocalDNSCache checks that the cache is off by default and, when on,
// shows in the lookup path: a miss, then a hit for the same name.
func TestNodeLocalDNSCache(t *testing.T) {
	for _, on := range []bool{false, true} {
		c, err := kubesim.New(kubesim.Config{NodeLocalDNSCache: on})
		if err != nil {
			t.Fatal(err)
		}
		mustApply(t, c, lab(t, "sleep/sleep1.yaml"))
		settle(t, c)
		client := podsOf(c, "default", "app=sleep-1")[0].Name
		var via []string
		for range 2 {
			p, err := c.Resolve("default", client, "kube-dns.kube-system.svc.cluster.local")
			if err != nil {
				t.Fatal(err)
			}
			via = append(via, p.Queries[0].Via)
		}
		want := []string{"", ""}
		if on {
			want = []string{"cache miss", "cache hit"}
		}
		if !slices.Equal(via, want) {
			t.Errorf("NodeLocalDNSCache=%v: first query via %q, want %q", on, via, want)
		}
	}
}
