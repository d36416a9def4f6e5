package simtest

import (
	"strings"
	"testing"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
)

// Regression tests for bugs the random simulation found in the controllers and
// the store. Each is the shrunk sequence the simulator printed.

func replayKnown(t *testing.T, config, ops string) {
	t.Helper()
	cfg, err := ParseConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := Parse(ops)
	if err != nil {
		t.Fatal(err)
	}
	if res := Run(cfg, parsed); res.Failure != nil {
		t.Errorf("%v\nreplay: %s", res.Failure, ReplayCommand(cfg, parsed))
	}
}

// TestRegressionEndpointsNotRecreated: a selector service's Endpoints,
// deleted by hand, must come back, as Kubernetes' endpoints controller
// requeues the service on an Endpoints deletion (onEndpointsDelete).
func TestRegressionEndpointsNotRecreated(t *testing.T) {
	replayKnown(t, "seed=3 platform=k3s nodes=2 zones=2 mode=ipvs",
		"svc create default/s1 selector=tier:web ports=web:8000:8080; settle; ep delete default/s1")
}

// TestRegressionRecreatedServiceLosesSlices: a service deleted and created
// again before the garbage collector removed its old EndpointSlices must end
// up with slices of its own: the old ones, owned by the old uid, are not
// reused, and their deletion requeues the service.
func TestRegressionRecreatedServiceLosesSlices(t *testing.T) {
	replayKnown(t, "seed=1 platform=kind nodes=1 zones=0 mode=nftables",
		"deploy create default/d1; svc create default/s1 selector=app:d1 ports=web:80:8080; settle; svc delete default/s1; svc create default/s1 selector=app:d1 ports=web:80:8080")
	// The selector-less variant: the mirrored slice goes the same way.
	replayKnown(t, "seed=254 platform=kind nodes=3 zones=0 mode=nftables",
		"svc create default/d2 selector=app:d4 ports=web:80:8080; advance 1.374s; svc delete default/d2; svc create default/d2 type=ExternalName external=s1.team-a.svc.cluster.local; ep create default/d2 ips=192.168.50.3,192.168.51.4")
}

// TestRegressionPodSpecUpdate: the API server refuses to change a pod's spec
// beyond its images and grace period; here an update that drops the named
// port a service targets must be refused, so the pod cannot stay an endpoint
// of a port it no longer has.
func TestRegressionPodSpecUpdate(t *testing.T) {
	replayKnown(t, "seed=5 platform=k3s nodes=2 zones=2 mode=iptables",
		"pod create default/bare-d1 app=d1 ports=http:8080; svc create default/d2 selector=app:d1 ports=http:80:http,m:9090:metrics; settle; pod create default/bare-d1 app=d1")

	// What Kubernetes answers to the second apply.
	c, err := kubesim.New(kubesim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	pod := func(ports ...api.ContainerPort) *api.Pod {
		return &api.Pod{ObjectMeta: api.ObjectMeta{Name: "p", Namespace: "default"},
			Spec: api.PodSpec{Containers: []api.Container{{Name: "app", Image: "nginx", Ports: ports}}}}
	}
	if _, err := c.ApplyObjects(pod(api.ContainerPort{Name: "http", ContainerPort: 8080})); err != nil {
		t.Fatal(err)
	}
	_ = c.Settle()
	_, err = c.ApplyObjects(pod())
	const want = `Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("changing a running pod's container ports: got %v, want an error containing %q", err, want)
	}
}
