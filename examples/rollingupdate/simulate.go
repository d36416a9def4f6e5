package main

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/proxy"
)

// The scenario's knobs. The latencies are a busy but healthy cluster's:
// kube-proxy's watch lags, and each node waits out its minimum sync period
// before writing the rules again, so the window is long enough to see at
// 10 requests a second.
const (
	replicas = 4
	interval = 100 * time.Millisecond // between two requests from one node
	timeSlot = time.Second            // one row of the table, one point of the chart
	// runFor covers the rollout (about 8.5s: four steps of a pod starting
	// and turning ready), the last old pod's preStop sleep and stop, and
	// the propagation window after it.
	runFor = 15 * time.Second
)

// nodes are the cluster's nodes, each with one client pod.
var nodes = []kubesim.Node{
	{Name: "node-a", IP: netip.MustParseAddr("10.0.0.11")},
	{Name: "node-b", IP: netip.MustParseAddr("10.0.0.12")},
	{Name: "node-c", IP: netip.MustParseAddr("10.0.0.13")},
}

// config is the simulated cluster: three nodes and slowed-down propagation.
func config(seed uint64) kubesim.Config {
	return kubesim.Config{
		Seed:  seed,
		Nodes: nodes,
		Latencies: controller.Latencies{
			EndpointSlice: 100 * time.Millisecond,
		},
		ProxyLag: 300 * time.Millisecond,
		Proxy: proxy.Config{
			MinSyncPeriod: 2 * time.Second,
			SyncLatency:   200 * time.Millisecond,
		},
	}
}

// deployment is the workload, with its image and, when preStop > 0, a
// preStop sleep hook of that many seconds.
func deployment(image string, preStop int64) string {
	lifecycle := ""
	if preStop > 0 {
		lifecycle = fmt.Sprintf(`
          lifecycle:
            preStop:
              sleep:
                seconds: %d`, preStop)
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: %d
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: %s
          ports:
            - containerPort: 8080%s
`, replicas, image, lifecycle)
}

const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`

// client is a pod pinned to a node, whose address the node's requests
// leave from.
func client(node string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata:
  name: client-%s
  labels:
    app: client
spec:
  nodeName: %s
  containers:
    - name: client
      image: busybox
`, node, node)
}

// result is one run: per node and time slot, the requests sent, those that
// reached a pod already terminating or deleted (the propagation window),
// and those of them that failed because the pod had already been sent
// SIGTERM or was gone.
type result struct {
	preStop int64
	nodes   []string
	sent    [][]int // [node][slot]
	late    [][]int
	failed  [][]int
	// rolloutDone is when the last old pod was deleted, from the update.
	rolloutDone time.Duration
}

func (r *result) total(m [][]int) int {
	n := 0
	for _, row := range m {
		for _, v := range row {
			n += v
		}
	}
	return n
}

// Late returns how many requests reached a terminating or deleted pod.
func (r *result) Late() int { return r.total(r.late) }

// Failed returns how many late requests reached a pod that had been sent
// SIGTERM or was gone.
func (r *result) Failed() int { return r.total(r.failed) }

func (r *result) slots() int { return len(r.sent[0]) }

// simulate runs one rollout under traffic.
func simulate(seed uint64, preStop int64) (*result, error) {
	c, err := kubesim.New(config(seed))
	if err != nil {
		return nil, err
	}
	docs := []string{deployment("example/web:v1", preStop), service}
	for _, n := range nodes {
		docs = append(docs, client(n.Name))
	}
	if _, err := c.Apply([]byte(strings.Join(docs, "---\n"))); err != nil {
		return nil, err
	}
	if err := c.Settle(); err != nil {
		return nil, err
	}
	svc, err := kubesim.Get[*api.Service](c, "default", "web")
	if err != nil {
		return nil, err
	}
	vip, err := netip.ParseAddr(svc.Spec.ClusterIP)
	if err != nil {
		return nil, fmt.Errorf("service web has no cluster IP: %w", err)
	}
	clients := make([]netip.Addr, len(nodes))
	for i, n := range nodes {
		p, err := kubesim.Get[*api.Pod](c, "default", "client-"+n.Name)
		if err != nil {
			return nil, err
		}
		clients[i] = p.Status.PodIP
	}

	r := &result{preStop: preStop}
	for _, n := range nodes {
		r.nodes = append(r.nodes, n.Name)
	}
	// The rollout starts now: a new image.
	if _, err := c.Apply([]byte(deployment("example/web:v2", preStop))); err != nil {
		return nil, err
	}
	start := c.Now()
	web := api.SelectorFromSet(map[string]string{"app": "web"})
	oldPods := map[string]bool{}
	slots := int(runFor / timeSlot)
	for range nodes {
		r.sent = append(r.sent, make([]int, slots))
		r.late = append(r.late, make([]int, slots))
		r.failed = append(r.failed, make([]int, slots))
	}
	ticks := int(runFor / interval)
	terminating := false
	for tick := range ticks {
		c.Advance(interval)
		now := c.Now()
		elapsed := now.Sub(start)
		slot := tick * int(interval) / int(timeSlot)
		pods := kubesim.ListOf[*api.Pod](c, "default", web)
		byIP := make(map[netip.Addr]*api.Pod, len(pods))
		terminating = false
		for _, p := range pods {
			if p.Status.PodIP.IsValid() {
				byIP[p.Status.PodIP] = p
			}
			if p.DeletionTimestamp != nil {
				terminating = true
				if !oldPods[p.Name] {
					oldPods[p.Name] = true
					r.rolloutDone = elapsed
				}
			}
		}
		for i, n := range nodes {
			pkt := proxy.Packet{
				Src:  netip.AddrPortFrom(clients[i], uint16(20000+tick%40000)),
				Dst:  netip.AddrPortFrom(vip, 80),
				Flow: proxy.FlowProbe,
			}
			res, err := c.Route(n.Name, pkt)
			if err != nil {
				return nil, err
			}
			r.sent[i][slot]++
			if res.Verdict != proxy.VerdictForward {
				r.failed[i][slot]++
				continue
			}
			p := byIP[res.Chosen.Addr()]
			switch {
			case p == nil: // deleted: nothing listens there any more
				r.late[i][slot]++
				r.failed[i][slot]++
			case p.DeletionTimestamp != nil:
				r.late[i][slot]++
				if now.Compare(sigterm(p)) >= 0 {
					r.failed[i][slot]++
				}
			}
		}
	}
	if terminating || len(oldPods) < replicas {
		return nil, fmt.Errorf("rollout not finished after %s: %d of %d old pods deleted", runFor, len(oldPods), replicas)
	}
	return r, nil
}

// sigterm returns when a terminating pod's containers were sent SIGTERM:
// when its deletion was requested, plus its preStop sleep, within its grace
// period (the kubelet runs the hook first).
func sigterm(p *api.Pod) time.Time {
	grace := time.Duration(0)
	if p.DeletionGracePeriodSeconds != nil {
		grace = time.Duration(*p.DeletionGracePeriodSeconds) * time.Second
	}
	requested := p.DeletionTimestamp.Add(-grace)
	var hook time.Duration
	for _, c := range p.Spec.Containers {
		if c.Lifecycle != nil && c.Lifecycle.PreStop != nil && c.Lifecycle.PreStop.Sleep != nil {
			hook = max(hook, time.Duration(c.Lifecycle.PreStop.Sleep.Seconds)*time.Second)
		}
	}
	return requested.Add(min(hook, grace))
}

func printHeader(w io.Writer, seed uint64) {
	cfg := config(seed)
	fmt.Fprintf(w, "Rolling update of deployment web (%d replicas, maxSurge 1, maxUnavailable 0) behind a ClusterIP service,\n", replicas)
	fmt.Fprintf(w, "on %d nodes; each node sends a request to the cluster IP every %s. Seed %d.\n", len(nodes), interval, seed)
	fmt.Fprintf(w, "Propagation: endpointslice controller %s, kube-proxy watch lag %s, min sync period %s, sync %s.\n\n",
		cfg.Latencies.EndpointSlice, cfg.ProxyLag, cfg.Proxy.MinSyncPeriod, cfg.Proxy.SyncLatency)
	fmt.Fprintln(w, "Each cell is LATE/FAILED: requests that reached a pod already terminating or deleted,")
	fmt.Fprintln(w, "and those of them that failed because the pod had been sent SIGTERM or was gone.")
	fmt.Fprintln(w)
}

func (r *result) title() string {
	if r.preStop == 0 {
		return "without preStop"
	}
	return fmt.Sprintf("with preStop sleep %ds", r.preStop)
}

// print writes the run as a table, one row per time slot.
func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "%s (last old pod deleted %s after the update):\n", r.title(), r.rolloutDone)
	fmt.Fprintf(w, "  %-8s", "time")
	for _, n := range r.nodes {
		fmt.Fprintf(w, "  %8s", n)
	}
	fmt.Fprintln(w)
	for s := range r.slots() {
		fmt.Fprintf(w, "  %-8s", fmt.Sprintf("%ds-%ds", s, s+1))
		for i := range r.nodes {
			fmt.Fprintf(w, "  %8s", fmt.Sprintf("%d/%d", r.late[i][s], r.failed[i][s]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "  total: %d requests, %d late, %d failed\n\n", r.total(r.sent), r.Late(), r.Failed())
}
