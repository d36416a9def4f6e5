package kubesim_test

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
)

// scaleManifests returns services services, each selecting a deployment of
// pods/services replicas, spread over namespaces namespaces.
func scaleManifests(services, pods, namespaces int) []byte {
	var b strings.Builder
	for i := range namespaces {
		fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-%03d\n---\n", i)
	}
	per := pods / services
	for i := range services {
		ns := fmt.Sprintf("ns-%03d", i%namespaces)
		fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%05d, namespace: %s}
spec:
  replicas: %d
  selector: {matchLabels: {app: app-%05d}}
  template:
    metadata: {labels: {app: app-%05d}}
    spec: {containers: [{name: app, image: app, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: app-%05d, namespace: %s}
spec:
  selector: {app: app-%05d}
  ports: [{name: http, port: 80, targetPort: http}]
---
`, i, ns, per, i, i, i, ns, i)
	}
	return []byte(b.String())
}

// scaleConfig sizes the cluster ranges for n nodes: a /24 of pods per node.
func scaleConfig(nodes int) kubesim.Config {
	return kubesim.Config{
		Nodes:        kubesim.GenerateNodes(nodes, 3),
		ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("100.64.0.0/10")},
		NoTrace:      true,
	}
}

// BenchmarkApplySettle applies deployments and services and settles the
// cluster: every pod scheduled, started and Ready, every endpoint written,
// the cluster DNS and every node's kube-proxy caught up. input=yaml includes
// decoding the manifests; input=objects applies already decoded objects, as
// a Go test that builds its objects does.
func BenchmarkApplySettle(b *testing.B) {
	for _, sc := range []struct{ nodes, pods, services int }{
		{10, 1_000, 100},
		{100, 10_000, 1_000},
		{5_000, 150_000, 10_000},
	} {
		if testing.Short() && sc.pods > 10_000 {
			continue
		}
		manifests := scaleManifests(sc.services, sc.pods, 100)
		objs, err := api.Decode(manifests)
		if err != nil {
			b.Fatal(err)
		}
		for _, input := range []string{"yaml", "objects"} {
			name := fmt.Sprintf("nodes=%d/pods=%d/services=%d/input=%s", sc.nodes, sc.pods, sc.services, input)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				var peak uint64
				for b.Loop() {
					c, err := kubesim.New(scaleConfig(sc.nodes))
					if err != nil {
						b.Fatal(err)
					}
					if input == "yaml" {
						_, err = c.Apply(manifests)
					} else {
						_, err = c.ApplyObjects(objs...)
					}
					if err != nil {
						b.Fatal(err)
					}
					if err := c.Settle(); err != nil {
						b.Fatal(err)
					}
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				b.ReportMetric(float64(peak)/(1<<20), "heap-MiB")
			})
		}
	}
}
