package kubesim_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
)

// faultCluster is a two-node cluster running the lab's sleep and numbers-api
// workloads, settled.
func faultCluster(t *testing.T, seed uint64) *kubesim.Cluster {
	t.Helper()
	c, err := kubesim.New(kubesim.Config{Seed: seed, Nodes: kubesim.GenerateNodes(2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, lab(t, "sleep/sleep1.yaml"), lab(t, "numbers/api.yaml"), lab(t, "numbers/api-service.yaml"))
	settle(t, c)
	return c
}

func podOf(t *testing.T, c *kubesim.Cluster, ns, app string) *api.Pod {
	t.Helper()
	pods := kubesim.ListOf[*api.Pod](c, ns, api.SelectorFromSet(map[string]string{"app": app}))
	if len(pods) == 0 {
		t.Fatalf("no %s pod", app)
	}
	return pods[0]
}

// faultTrace returns the trace lines of a component, from a virtual time on.
func faultTrace(c *kubesim.Cluster, component string, from time.Duration) []string {
	var out []string
	for _, e := range c.Trace().Entries() {
		if e.Component == component && e.At >= from {
			out = append(out, e.String())
		}
	}
	return out
}

func since(c *kubesim.Cluster) time.Duration { return c.Now().Sub(kubesim.DefaultStart) }

func mustInject(t *testing.T, c *kubesim.Cluster, f kubesim.Fault, after, dur time.Duration) kubesim.FaultID {
	t.Helper()
	id, err := c.Inject(f, after, dur)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestParseFault(t *testing.T) {
	good := []string{
		"watch dns delay=2s",
		"watch endpoints-controller drop=0.5",
		"watch kube-proxy/node-00001 delay=1.5s drop=1",
		"stall-proxy node-00002",
		"node-not-ready node-00001",
		"flap-readiness default/web-1 period=2s count=4",
		"dns-replica-down",
		"dns-replica-down coredns-abc probe-fail-after=-1s",
		"upstream-fail raw.githubusercontent.com",
	}
	for _, s := range good {
		f, err := kubesim.ParseFault(s)
		if err != nil {
			t.Errorf("%q: %v", s, err)
			continue
		}
		if f.String() != s {
			t.Errorf("%q renders as %q", s, f.String())
		}
	}
	bad := map[string]string{
		"":                            `kubesim: empty fault`,
		"crash node-1":                `kubesim: fault "crash node-1": unknown fault "crash": want watch, stall-proxy, node-not-ready, flap-readiness, dns-replica-down or upstream-fail`,
		"watch dns":                   `kubesim: fault "watch dns": a watch fault needs a delay or a drop probability`,
		"watch scheduler delay=1s":    `kubesim: fault "watch scheduler delay=1s": component "scheduler": want dns, endpoints-controller or kube-proxy/NODE`,
		"watch dns drop=1.5":          `kubesim: fault "watch dns drop=1.5": drop 1.5: want a probability from 0 to 1`,
		"watch dns drop=NaN":          `kubesim: fault "watch dns drop=NaN": drop NaN: want a probability from 0 to 1`,
		"watch dns delay=soon":        `kubesim: fault "watch dns delay=soon": delay=soon: not a duration`,
		"watch dns delay=-1s":         `kubesim: fault "watch dns delay=-1s": delay -1s: must not be negative`,
		"stall-proxy":                 `kubesim: fault "stall-proxy": want one node, got 0 arguments`,
		"node-not-ready a b":          `kubesim: fault "node-not-ready a b": want one node, got 2 arguments`,
		"flap-readiness web-1":        `kubesim: fault "flap-readiness web-1": "web-1": want NAMESPACE/POD`,
		"flap-readiness a/b count=x":  `kubesim: fault "flap-readiness a/b count=x": count=x: not a number`,
		"flap-readiness a/b count=-2": `kubesim: fault "flap-readiness a/b count=-2": period and count must not be negative`,
		"upstream-fail a.com speed=1": `kubesim: fault "upstream-fail a.com speed=1": unknown option speed`,
		"watch dns delay=1s delay=2s": `kubesim: fault "watch dns delay=1s delay=2s": option delay given twice`,
		"dns-replica-down a b":        `kubesim: fault "dns-replica-down a b": want at most one pod, got 2 arguments`,
	}
	for in, want := range bad {
		if _, err := kubesim.ParseFault(in); err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
}

func TestInjectRefusesUnknownTargets(t *testing.T) {
	c := faultCluster(t, 1)
	for f, want := range map[kubesim.Fault]string{
		kubesim.NodeNotReady{Node: "nope"}:                                   `kubesim: fault node-not-ready nope: nodes "nope" not found`,
		kubesim.ProxyStall{Node: "nope"}:                                     `kubesim: fault stall-proxy nope: no kube-proxy on node "nope"`,
		kubesim.WatchFault{Component: "kube-proxy/nope", Delay: time.Second}: `kubesim: fault watch kube-proxy/nope delay=1s: no kube-proxy on node "nope"`,
		kubesim.ReadinessFlap{Namespace: "default", Pod: "nope"}:             `kubesim: fault flap-readiness default/nope: pods "nope" not found`,
		kubesim.DNSReplicaDown{Pod: "nope"}:                                  `kubesim: fault dns-replica-down nope: pods "nope" not found`,
		kubesim.WatchFault{Component: "dns", Drop: 2}:                        `kubesim: fault watch dns drop=2: drop 2: want a probability from 0 to 1`,
	} {
		if _, err := c.Inject(f, 0, 0); err == nil || err.Error() != want {
			t.Errorf("%v:\n got %v\nwant %s", f, err, want)
		}
	}
	if _, err := c.Inject(kubesim.UpstreamFail{Name: "x.com"}, -time.Second, 0); err == nil {
		t.Error("negative delay accepted")
	}
	if err := c.Heal(42); err == nil || err.Error() != "kubesim: no fault #42" {
		t.Errorf("Heal(42): %v", err)
	}
}

// TestFaultSchedule checks the virtual-clock schedule of a fault: it starts
// after its delay, ends after its duration, and Heal cancels a fault that
// has not started.
func TestFaultSchedule(t *testing.T) {
	c := faultCluster(t, 2)
	t0 := since(c)
	a := mustInject(t, c, kubesim.UpstreamFail{Name: "a.example"}, 2*time.Second, 3*time.Second)
	b := mustInject(t, c, kubesim.UpstreamFail{Name: "b.example"}, 10*time.Second, 0)
	c.Advance(time.Second)
	if st := c.Faults(); st[0].State != kubesim.FaultScheduled {
		t.Errorf("after 1s: %v", st[0])
	}
	c.Advance(2 * time.Second)
	if st := c.Faults(); st[0].State != kubesim.FaultActive || st[0].Start.Sub(kubesim.DefaultStart) != t0+2*time.Second {
		t.Errorf("after 3s: %+v", st[0])
	}
	if err := c.Heal(b); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	st := c.Faults()
	if st[0].State != kubesim.FaultHealed || st[0].End.Sub(st[0].Start) != 3*time.Second || st[1].State != kubesim.FaultHealed || !st[1].Start.IsZero() {
		t.Errorf("settled: %+v", st)
	}
	got := faultTrace(c, "fault", t0)
	want := []string{
		fmt.Sprintf("%s fault upstream/b.example: #%d cancelled before it started", stamp(t0+3*time.Second), b),
		fmt.Sprintf("%s fault upstream/a.example: #%d healed", stamp(t0+5*time.Second), a),
	}
	if len(got) != 3 || !strings.HasSuffix(got[0], "#1 injected: upstream-fail a.example") || got[1] != want[0] || got[2] != want[1] {
		t.Errorf("trace:\n%s", strings.Join(got, "\n"))
	}
}

func stamp(d time.Duration) string {
	return fmt.Sprintf("+%d.%03ds", d/time.Second, d%time.Second/time.Millisecond)
}

// TestWatchFaultDNS loses every event to the cluster DNS: a deleted service
// keeps resolving, the pods' lookups carry the fault, and the relist when it
// heals brings DNS up to date.
func TestWatchFaultDNS(t *testing.T) {
	c := faultCluster(t, 3)
	sleep := podOf(t, c, "default", "sleep-1")
	id := mustInject(t, c, kubesim.WatchFault{Component: kubesim.ComponentDNS, Drop: 1}, 0, 0)
	if err := c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "numbers-api"}); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	p, err := c.Resolve("default", sleep.Name, "numbers-api")
	if err != nil {
		t.Fatal(err)
	}
	if p.Outcome != "NOERROR" || len(p.Warnings) == 0 || p.Warnings[len(p.Warnings)-1].Reason != "FaultDNSWatch" {
		t.Fatalf("stale lookup: %s %+v", p.Outcome, p.Warnings)
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatalf("a dropping DNS watch must exempt DNS:\n%s", vs)
	}
	if err := c.Heal(id); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	p, _ = c.Resolve("default", sleep.Name, "numbers-api")
	if p.Outcome != "NXDOMAIN" {
		t.Fatalf("after the relist: %s", p.Outcome)
	}
	tr := strings.Join(faultTrace(c, "fault", 0), "\n")
	for _, want := range []string{
		"fault service/default/numbers-api: fault #1: DELETED event lost before reaching dns",
		"fault watch/dns: watch re-established: relist delivered",
	} {
		if !strings.Contains(tr, want) {
			t.Errorf("trace lacks %q:\n%s", want, tr)
		}
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
}

// TestWatchFaultDNSDelay: a new service resolves only once the delayed
// event arrives.
func TestWatchFaultDNSDelay(t *testing.T) {
	c := faultCluster(t, 4)
	mustInject(t, c, kubesim.WatchFault{Component: kubesim.ComponentDNS, Delay: 5 * time.Second}, 0, time.Minute)
	mustApply(t, c, lab(t, "sleep/sleep2-service.yaml"))
	ask := func() int { return c.DNS().Query("sleep-2.default.svc.cluster.local.", 1).Rcode }
	c.Advance(5 * time.Second)
	if rc := ask(); rc != 3 {
		t.Errorf("after 5s: rcode %d, want NXDOMAIN", rc)
	}
	c.Advance(200 * time.Millisecond)
	if rc := ask(); rc != 0 {
		t.Errorf("after 5.2s: rcode %d, want NOERROR", rc)
	}
}

// TestWatchFaultEndpoints: the endpoints controllers lose the change of a
// scale-up; the resync when the fault heals adds the new pods.
func TestWatchFaultEndpoints(t *testing.T) {
	c := faultCluster(t, 5)
	mustInject(t, c, kubesim.WatchFault{Component: kubesim.ComponentEndpoints, Drop: 1}, 0, 30*time.Second)
	d, _ := kubesim.Get[*api.Deployment](c, "default", "numbers-api")
	n := int32(3)
	d.Spec.Replicas = &n
	if _, err := c.Update(d); err != nil {
		t.Fatal(err)
	}
	c.Advance(20 * time.Second)
	ep, _ := kubesim.Get[*api.Endpoints](c, "default", "numbers-api")
	if got := len(ep.Subsets[0].Addresses); got != 1 {
		t.Errorf("during the fault: %d ready endpoints, want the stale 1", got)
	}
	settle(t, c)
	ep, _ = kubesim.Get[*api.Endpoints](c, "default", "numbers-api")
	if got := len(ep.Subsets[0].Addresses); got != 3 {
		t.Errorf("after the resync: %d ready endpoints, want 3", got)
	}
	if !strings.Contains(strings.Join(faultTrace(c, "fault", 0), "\n"), "lost the watch events for this service") {
		t.Error("no lost event in the trace")
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
}

// TestProxyStallAndWatch: a stalled node keeps routing to a deleted pod
// (and says so in its explanation); a node whose watch is delayed syncs
// late; both catch up when healed.
func TestProxyStallAndWatch(t *testing.T) {
	c := faultCluster(t, 6)
	api0 := podOf(t, c, "default", "numbers-api")
	svc, _ := kubesim.Get[*api.Service](c, "default", "numbers-api")
	pkt := proxy.Packet{Src: netip.MustParseAddrPort("10.1.0.200:4000"), Dst: netip.AddrPortFrom(netip.MustParseAddr(svc.Spec.ClusterIP), 80), Flow: proxy.FlowProbe}
	stall := mustInject(t, c, kubesim.ProxyStall{Node: "node-00001"}, 0, 0)
	mustInject(t, c, kubesim.WatchFault{Component: "kube-proxy/node-00002", Delay: 30 * time.Second}, 0, 0)
	if err := c.Delete(api.RefOf(api0)); err != nil {
		t.Fatal(err)
	}
	c.Advance(20 * time.Second)
	for _, node := range []string{"node-00001", "node-00002"} {
		r, _ := c.Route(node, pkt)
		if !r.Endpoints.Contains(netip.AddrPortFrom(api0.Status.PodIP, 80)) {
			t.Errorf("%s after 20s: endpoints %v, want the deleted pod still there", node, r.Endpoints.Strings())
		}
	}
	d, _ := c.Explain("node-00001", pkt)
	if len(d.Rules) == 0 || !strings.HasPrefix(d.Rules[0], "# fault #1 (stall-proxy node-00001) since ") || !strings.Contains(d.Rules[0], "these are the rules of v") {
		t.Errorf("explanation: %q", d.Rules[:min(2, len(d.Rules))])
	}
	settle(t, c)
	if r, _ := c.Route("node-00002", pkt); r.Endpoints.Contains(netip.AddrPortFrom(api0.Status.PodIP, 80)) {
		t.Error("node-00002 still routes to the deleted pod once its delayed sync is done")
	}
	if r, _ := c.Route("node-00001", pkt); !r.Endpoints.Contains(netip.AddrPortFrom(api0.Status.PodIP, 80)) {
		t.Error("the stalled node caught up")
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatalf("the stalled node must be exempt:\n%s", vs)
	}
	if err := c.Heal(stall); err != nil {
		t.Fatal(err)
	}
	settle(t, c)
	if r, _ := c.Route("node-00001", pkt); r.Endpoints.Contains(netip.AddrPortFrom(api0.Status.PodIP, 80)) {
		t.Error("node-00001 still routes to the deleted pod after the stall")
	}
	tr := strings.Join(faultTrace(c, "proxy", 0), "\n")
	if !strings.Contains(tr, "node/node-00001: sync stalled at v") || !strings.Contains(tr, "node/node-00001: sync resumed at v") {
		t.Errorf("proxy trace lacks the stall:\n%s", tr)
	}
}

// TestProxyWatchDrop: a node whose kube-proxy loses an event keeps its rules
// until its watch is re-established.
func TestProxyWatchDrop(t *testing.T) {
	c := faultCluster(t, 7)
	mustInject(t, c, kubesim.WatchFault{Component: "kube-proxy/node-00002", Drop: 1}, 0, 40*time.Second)
	mustApply(t, c, lab(t, "sleep/sleep2.yaml"), lab(t, "sleep/sleep2-service.yaml"))
	c.Advance(30 * time.Second)
	svc, _ := kubesim.Get[*api.Service](c, "default", "sleep-2")
	pkt := proxy.Packet{Src: netip.MustParseAddrPort("10.1.0.200:4000"), Dst: netip.AddrPortFrom(netip.MustParseAddr(svc.Spec.ClusterIP), 80), Flow: proxy.FlowProbe}
	if r, _ := c.Route("node-00002", pkt); r.Verdict != proxy.VerdictNone {
		t.Errorf("node-00002 knows the new service: %v", r.Verdict)
	}
	if r, _ := c.Route("node-00001", pkt); r.Verdict != proxy.VerdictForward {
		t.Errorf("node-00001: %v", r.Verdict)
	}
	settle(t, c)
	if r, _ := c.Route("node-00002", pkt); r.Verdict != proxy.VerdictForward {
		t.Errorf("node-00002 after the fault: %v", r.Verdict)
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
}

// TestNodeNotReadyFault: pods leave the endpoints within the monitor period,
// are evicted after 300s and come back on the other node.
func TestNodeNotReadyFault(t *testing.T) {
	c := faultCluster(t, 8)
	target := podOf(t, c, "default", "numbers-api")
	node := target.Spec.NodeName
	t0 := since(c)
	mustInject(t, c, kubesim.NodeNotReady{Node: node}, 0, 0)
	c.Advance(6 * time.Second)
	ep, _ := kubesim.Get[*api.Endpoints](c, "default", "numbers-api")
	if len(ep.Subsets) != 1 || len(ep.Subsets[0].Addresses) != 0 || len(ep.Subsets[0].NotReadyAddresses) != 1 {
		t.Fatalf("after 6s: %+v", ep.Subsets)
	}
	settle(t, c)
	now := podOf(t, c, "default", "numbers-api")
	if now.Name == target.Name || now.Spec.NodeName == node {
		t.Fatalf("numbers-api still on %s", node)
	}
	var evicted string
	for _, e := range faultTrace(c, "taint-eviction-controller", t0) {
		if strings.Contains(e, target.Name) {
			evicted = e
		}
	}
	if !strings.HasPrefix(evicted, stamp(t0+305*time.Second)+" taint-eviction-controller pod/default/"+target.Name+": Marking for deletion") {
		t.Errorf("eviction: %q", evicted)
	}
	d, _ := c.Explain(now.Spec.NodeName, proxy.Packet{Src: netip.MustParseAddrPort("10.1.1.200:4000"), Dst: netip.MustParseAddrPort("10.96.0.10:53"), Proto: proxy.UDP})
	if len(d.Rules) == 0 || !strings.Contains(d.Rules[0], "node-not-ready "+node) {
		t.Errorf("explanation lacks the fault: %q", d.Rules[:1])
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
}

// TestReadinessFlapFault counts the flap's changes and checks it ends ready.
func TestReadinessFlapFault(t *testing.T) {
	c := faultCluster(t, 9)
	p := podOf(t, c, "default", "numbers-api")
	t0 := since(c)
	mustInject(t, c, kubesim.ReadinessFlap{Namespace: "default", Pod: p.Name, Period: time.Second, Count: 5}, 0, 0)
	c.Advance(1600 * time.Millisecond)
	var sawNotReady bool
	for range 20 {
		ep, _ := kubesim.Get[*api.Endpoints](c, "default", "numbers-api")
		if len(ep.Subsets) > 0 && len(ep.Subsets[0].NotReadyAddresses) == 1 {
			sawNotReady = true
		}
		c.Advance(250 * time.Millisecond)
	}
	settle(t, c)
	var changes int
	for _, e := range c.Trace().Entries() {
		if e.At >= t0 && e.Object == "pod/default/"+p.Name && strings.Contains(e.Change, "readiness probe") {
			changes++
		}
	}
	if !sawNotReady || changes != 6 { // 5 changes, then back to ready
		t.Errorf("saw not ready %v, %d readiness changes, want 6", sawNotReady, changes)
	}
	if !strings.Contains(strings.Join(faultTrace(c, "fault", t0), "\n"), "healed") {
		t.Error("flap did not end")
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
}

// TestDNSReplicaDownFault: lookups kube-proxy sends to the stopped replica
// time out after 5s, and say so; after the readiness probe fails they all
// go to the other replica.
func TestDNSReplicaDownFault(t *testing.T) {
	c := faultCluster(t, 10)
	sleep := podOf(t, c, "default", "sleep-1")
	mustInject(t, c, kubesim.DNSReplicaDown{}, 0, 2*time.Minute)
	timeouts := 0
	for range 20 {
		p, err := c.Resolve("default", sleep.Name, "numbers-api")
		if err != nil {
			t.Fatal(err)
		}
		if p.Outcome == "TIMEOUT" {
			timeouts++
			if p.Elapsed < 5*time.Second || !strings.Contains(p.Warnings[len(p.Warnings)-1].Message, "which does not answer: every query times out after 5s") {
				t.Errorf("timed-out path: %v %+v", p.Elapsed, p.Warnings)
			}
		} else if p.Outcome != "NOERROR" || p.Warnings[len(p.Warnings)-1].Reason != "FaultDNSReplicaDown" {
			t.Errorf("answered path: %s %+v", p.Outcome, p.Warnings)
		}
	}
	if timeouts == 0 || timeouts == 20 {
		t.Errorf("%d of 20 lookups timed out; want some, not all (two replicas)", timeouts)
	}
	c.Advance(31 * time.Second)
	for range 10 {
		if p, _ := c.Resolve("default", sleep.Name, "numbers-api"); p.Outcome != "NOERROR" {
			t.Fatalf("after the probe failed: %s", p.Outcome)
		}
	}
	settle(t, c)
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
	dep, _ := kubesim.Get[*api.Deployment](c, "kube-system", "coredns")
	if dep.Status.ReadyReplicas != 2 {
		t.Errorf("coredns after healing: %d ready", dep.Status.ReadyReplicas)
	}
}

// TestUpstreamFailFault: an ExternalName's target answers SERVFAIL while the
// fault lasts.
func TestUpstreamFailFault(t *testing.T) {
	c := faultCluster(t, 11)
	sleep := podOf(t, c, "default", "sleep-1")
	mustApply(t, c, lab(t, "numbers-services/api-service-externalName.yaml"))
	settle(t, c)
	id := mustInject(t, c, kubesim.UpstreamFail{Name: "raw.githubusercontent.com"}, 0, 0)
	p, _ := c.Resolve("default", sleep.Name, "raw.githubusercontent.com")
	if p.Outcome != "SERVFAIL" || p.Warnings[len(p.Warnings)-1].Reason != "FaultUpstream" {
		t.Errorf("under the fault: %s %+v", p.Outcome, p.Warnings)
	}
	if vs := c.Check(); len(vs) > 0 {
		t.Fatal(vs)
	}
	_ = c.Heal(id)
	if p, _ := c.Resolve("default", sleep.Name, "raw.githubusercontent.com"); p.Outcome != "NOERROR" {
		t.Errorf("healed: %s", p.Outcome)
	}
}

// TestFaultsAreDeterministic runs every fault twice over and compares.
func TestFaultsAreDeterministic(t *testing.T) {
	scenario := func(c *kubesim.Cluster) error {
		if _, err := c.Apply(lab(t, "numbers/api.yaml")); err != nil {
			return err
		}
		if _, err := c.Apply(lab(t, "numbers/api-service.yaml")); err != nil {
			return err
		}
		if err := c.Settle(); err != nil {
			return err
		}
		p := kubesim.ListOf[*api.Pod](c, "default", api.Everything())[0]
		for _, f := range []kubesim.Fault{
			kubesim.WatchFault{Component: kubesim.ComponentDNS, Delay: time.Second, Drop: 0.5},
			kubesim.WatchFault{Component: kubesim.ComponentEndpoints, Drop: 0.5},
			kubesim.WatchFault{Component: "kube-proxy/node-00002", Drop: 0.3},
			kubesim.ProxyStall{Node: "node-00001"},
			kubesim.NodeNotReady{Node: "node-00002"},
			kubesim.ReadinessFlap{Namespace: "default", Pod: p.Name, Period: 700 * time.Millisecond},
			kubesim.DNSReplicaDown{},
			kubesim.UpstreamFail{Name: "raw.githubusercontent.com"},
		} {
			if _, err := c.Inject(f, time.Second, 20*time.Second); err != nil {
				return err
			}
		}
		for i := range 10 {
			n := int32(1 + i%3)
			d, _ := kubesim.Get[*api.Deployment](c, "default", "numbers-api")
			d.Spec.Replicas = &n
			if _, err := c.Update(d); err != nil {
				return err
			}
			c.Advance(3 * time.Second)
		}
		return c.Settle()
	}
	if err := kubesim.SelfCheck(kubesim.Config{Seed: 12, Nodes: kubesim.GenerateNodes(2, 0)}, scenario); err != nil {
		t.Fatal(err)
	}
}
