package kubesim_test

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

const exampleManifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: numbers-api
spec:
  replicas: 2
  selector:
    matchLabels: {app: numbers-api}
  template:
    metadata:
      labels: {app: numbers-api}
    spec:
      containers:
        - name: api
          image: kiamol/ch03-numbers-api
          ports: [{name: http, containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: numbers-api
spec:
  selector: {app: numbers-api}
  ports:
    - port: 8080
      targetPort: http
`

// A fresh cluster, the lab's manifests applied as kubectl apply does, and the
// controllers run until nothing is pending.
func Example() {
	c, err := kubesim.New(kubesim.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	res, err := c.Apply([]byte(exampleManifests))
	if err != nil {
		panic(err)
	}
	for _, r := range res {
		fmt.Println(r)
	}
	if err := c.Settle(); err != nil {
		panic(err)
	}
	svc, _ := kubesim.Get[*api.Service](c, "default", "numbers-api")
	ep, _ := kubesim.Get[*api.Endpoints](c, "default", "numbers-api")
	fmt.Println(svc.Spec.ClusterIP, controller.FormatEndpoints(ep.Subsets))

	// Applying the same manifests again changes nothing.
	res, _ = c.Apply([]byte(exampleManifests))
	fmt.Println(res[0], "/", res[1])
	// Output:
	// deployment.apps/numbers-api created
	// service/numbers-api created
	// 10.99.254.11 10.1.0.4:80,10.1.0.5:80
	// deployment.apps/numbers-api unchanged / service/numbers-api unchanged
}

// Apply reports kubectl's words per object, and a batch with one bad object
// stores none of them.
func ExampleCluster_Apply() {
	c, _ := kubesim.New(kubesim.Config{Seed: 1})
	_, err := c.Apply([]byte(`apiVersion: v1
kind: Service
metadata: {name: good}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: dns-copy}
spec: {clusterIP: 10.96.0.10, ports: [{port: 53}]}
`))
	fmt.Println(err)
	_, err = kubesim.Get[*api.Service](c, "default", "good")
	fmt.Println(err)
	// Output:
	// Service "dns-copy" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated
	// services "good" not found
}

// Get returns a copy of one object, typed.
func ExampleGet() {
	c, _ := kubesim.New(kubesim.Config{Platform: kubesim.K3s})
	dns, _ := kubesim.Get[*api.Service](c, "kube-system", "kube-dns")
	node, _ := kubesim.Get[*api.Node](c, "", "k3s-server")
	fmt.Println(dns.Spec.ClusterIP, node.Spec.PodCIDR)
	// Output:
	// 10.43.0.10 10.42.0.0/24
}

// Advance runs virtual time; Delete is graceful, so a deleted pod leaves the
// service's endpoints only when the endpoints controller catches up, and the
// store only when its containers have stopped.
func ExampleCluster_Delete() {
	c, _ := kubesim.New(kubesim.Config{Seed: 1})
	_, _ = c.Apply([]byte(exampleManifests))
	_ = c.Settle()
	pods := kubesim.ListOf[*api.Pod](c, "default", api.SelectorFromSet(map[string]string{"app": "numbers-api"}))
	_ = c.Delete(api.RefOf(pods[0]))

	start := c.Now()
	for _, d := range []time.Duration{0, 50 * time.Millisecond, 450 * time.Millisecond} {
		c.Advance(d)
		ep, _ := kubesim.Get[*api.Endpoints](c, "default", "numbers-api")
		_, err := kubesim.Get[*api.Pod](c, "default", pods[0].Name)
		fmt.Printf("+%v endpoints %s, pod gone: %v\n", c.Now().Sub(start), controller.FormatEndpoints(ep.Subsets), api.IsNotFound(err))
	}
	// Output:
	// +0s endpoints 10.1.0.4:80,10.1.0.5:80, pod gone: false
	// +50ms endpoints 10.1.0.5:80, pod gone: false
	// +500ms endpoints 10.1.0.5:80, pod gone: true
}
