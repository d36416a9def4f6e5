package podnet_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/kubectl"
	"github.com/kubesim/kubesim/podnet"
)

const sleepAndWeb = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
spec:
  selector:
    matchLabels: {app: sleep}
  template:
    metadata:
      labels: {app: sleep}
    spec:
      containers:
        - name: sleep
          image: kiamol/ch03-sleep
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: kiamol/ch03-numbers-web
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 8080
      targetPort: 80
`

// An Env gives kubectl exec the network tools of the pods' images: here
// curl, wget and ping in the book's sleep image. Requests to a Service go
// through the node's kube-proxy rules to one of its pods, which names itself.
func Example() {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Apply([]byte(sleepAndWeb)); err != nil {
		fmt.Println(err)
		return
	}
	c.Settle()
	r := kubectl.New(c)
	r.Exec = podnet.New(c)
	for _, cmd := range [][]string{
		{"curl", "-s", "http://web:8080/"},
		{"curl", "-s", "http://web:8080/"},
		{"wget", "-qO-", "http://nope/"},
		{"ping", "-c", "1", "web"},
	} {
		args := append([]string{"kubectl", "exec", "deploy/sleep", "--"}, cmd...)
		fmt.Println("$", strings.Join(args, " "))
		r.RunArgs(args, nil, os.Stdout, os.Stdout)
	}
	// Output:
	// $ kubectl exec deploy/sleep -- curl -s http://web:8080/
	// web-779976cbcc-q5j9c (10.1.0.6)
	// $ kubectl exec deploy/sleep -- curl -s http://web:8080/
	// web-779976cbcc-7dj6n (10.1.0.5)
	// $ kubectl exec deploy/sleep -- wget -qO- http://nope/
	// wget: bad address 'nope'
	// command terminated with exit code 1
	// $ kubectl exec deploy/sleep -- ping -c 1 web
	// PING web (10.106.237.193): 56 data bytes
	//
	// --- web ping statistics ---
	// 1 packets transmitted, 0 packets received, 100% packet loss
	// command terminated with exit code 1
}

// Trace explains one request hop by hop: the lookup, the node's routing
// decision, the endpoint reached and its answer.
func ExampleEnv_Trace() {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Apply([]byte(sleepAndWeb)); err != nil {
		fmt.Println(err)
		return
	}
	c.Settle()
	pods := kubesim.ListOf[*api.Pod](c, "default", api.SelectorFromSet(map[string]string{"app": "sleep"}))
	t, err := podnet.New(c).Trace("default", pods[0].Name, "http://web:8080/")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Outcome, t.To, t.Peer.Name, t.Response.StatusLine())
	fmt.Printf("%d queries, %d rules evaluated\n", t.Lookup.Count(), t.Route.Cost)
	// Output:
	// connected 10.1.0.6:80 web-779976cbcc-q5j9c HTTP/1.1 200 OK
	// 2 queries, 17 rules evaluated
}

// ImageFor says what podnet knows of an image: its tools, its C library and
// its server.
func ExampleImageFor() {
	for _, ref := range []string{"kiamol/ch03-sleep", "kiamol/ch03-numbers-api:latest", "registry.k8s.io/coredns/coredns:v1.11.1"} {
		img := podnet.ImageFor(ref)
		fmt.Printf("%s: curl %v, nslookup %v, libc %s, ports %v\n", ref,
			img.Tools.Has(podnet.Curl), img.Tools.Has(podnet.Nslookup), img.Libc, img.Ports)
	}
	// Output:
	// kiamol/ch03-sleep: curl true, nslookup true, libc musl, ports []
	// kiamol/ch03-numbers-api:latest: curl false, nslookup true, libc musl, ports [80]
	// registry.k8s.io/coredns/coredns:v1.11.1: curl false, nslookup false, libc glibc, ports [53 8080 8181 9153]
}
