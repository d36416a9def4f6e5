package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

func mustPacket(t testing.TB, s string) Packet {
	t.Helper()
	p, err := ParsePacket(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func probe(t testing.TB, n *Node, now time.Time, s string) Result {
	t.Helper()
	p := mustPacket(t, s)
	p.Flow = FlowProbe
	return n.Route(now, p)
}

func traceText(l *sim.Loop) string {
	var b strings.Builder
	for _, e := range l.Trace().Entries() {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// TestPropagationWindow shows the window in which a deleted pod is still
// chosen by a node that has not synced, and the trace of the syncs.
func TestPropagationWindow(t *testing.T) {
	loop := sim.New(t0, 1)
	p, err := New(loop, baseConfig(ModeIPTables))
	if err != nil {
		t.Fatal(err)
	}
	p.SetSyncLatency("slow", 2*time.Second)
	p.UpsertService(mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 8080)},
		ep("10.180.0.1", "fast"), ep("10.180.0.2", "slow")))
	p.UpsertNode(mkNode("fast", "", "192.168.0.2"))
	p.UpsertNode(mkNode("slow", "", "192.168.0.3"))
	fast, slow := p.Node("fast"), p.Node("slow")

	// Before its first sync a kube-proxy has no rules.
	if r := probe(t, fast, loop.Now(), "10.180.0.9 -> 172.30.0.10:80"); r.Verdict != VerdictNone {
		t.Fatalf("before any sync: %v, want none", r.Verdict)
	}
	loop.RunFor(3 * time.Second)
	for _, n := range []*Node{fast, slow} {
		if r := probe(t, n, loop.Now(), "10.180.0.9 -> 172.30.0.10:80"); r.Endpoints.Len() != 2 {
			t.Fatalf("%s after sync: %v endpoints, want 2", n.Name(), r.Endpoints.Strings())
		}
	}

	// Delete pod 10.180.0.2: the slice loses it.
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 8080)}, ep("10.180.0.1", "fast")))
	loop.RunFor(500 * time.Millisecond)
	if got := probe(t, fast, loop.Now(), "10.180.0.9 -> 172.30.0.10:80").Endpoints.Strings(); strings.Join(got, ",") != "10.180.0.1:8080" {
		t.Errorf("fast node after 0.5s: %v, want only 10.180.0.1:8080", got)
	}
	if got := probe(t, slow, loop.Now(), "10.180.0.9 -> 172.30.0.10:80").Endpoints.Strings(); len(got) != 2 {
		t.Errorf("slow node after 0.5s: %v, want the deleted pod still eligible", got)
	}
	loop.RunFor(2 * time.Second)
	if got := probe(t, slow, loop.Now(), "10.180.0.9 -> 172.30.0.10:80").Endpoints.Strings(); len(got) != 1 {
		t.Errorf("slow node after 2.5s: %v, want the deleted pod gone", got)
	}
	want := `+0.100s proxy node/fast: synced rules v0 -> v2
+2.000s proxy node/slow: synced rules v0 -> v2
+3.100s proxy node/fast: synced rules v2 -> v3
+5.000s proxy node/slow: synced rules v2 -> v3
`
	if got := traceText(loop); got != want {
		t.Errorf("trace:\n%s\nwant:\n%s", got, want)
	}
}

// TestMinSyncPeriodCoalesces checks the bounded-frequency runner: a burst of
// changes costs one sync now and one after minSyncPeriod, not one each.
func TestMinSyncPeriodCoalesces(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeNFTables))
	p.UpsertNode(mkNode("n1", "", "192.168.0.2"))
	loop.RunFor(5 * time.Second) // initial sync, then idle
	loop.Trace().SetKeep(true)
	start := len(loop.Trace().Entries())
	for i := range 100 {
		p.UpsertService(mkSvc("ns/s"+itoa(i), "172.30.1."+itoa(i%250+1), withPort("p", api.ProtocolTCP, 80, 0)))
		loop.RunFor(10 * time.Millisecond)
	}
	loop.RunFor(5 * time.Second)
	entries := loop.Trace().Entries()[start:]
	var got []string
	for _, e := range entries {
		got = append(got, e.String())
	}
	// First change at +5.000: sync ends at +5.100 with v1; the cooldown
	// holds later changes until +6.100, when one sync picks up all of them.
	want := []string{
		"+5.100s proxy node/n1: synced rules v0 -> v1",
		"+6.200s proxy node/n1: synced rules v1 -> v100",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("syncs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := p.Node("n1"); n.Version() != p.Version() || n.Syncing() {
		t.Errorf("node at v%d (syncing %v), proxy at v%d", n.Version(), n.Syncing(), p.Version())
	}
}

func TestNoOpChangesDoNotSync(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	p.UpsertNode(mkNode("n1", "", "192.168.0.2"))
	s := mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0))
	p.UpsertService(s)
	loop.RunFor(5 * time.Second)
	v := p.Version()
	s2 := mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0))
	s2.Labels = map[string]string{"app": "web"} // not something kube-proxy uses
	p.UpsertService(s2)
	p.DeleteEndpointSlice("ns", "nonexistent")
	p.DeleteService("ns", "nonexistent")
	if p.Version() != v {
		t.Errorf("version moved from %d to %d on no-op changes", v, p.Version())
	}
	if loop.Pending() != 0 {
		t.Errorf("%d events pending after no-op changes", loop.Pending())
	}
}

func TestZoneLabelAppliesAtNextSync(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	p.UpsertNode(mkNode("n1", "zone-a", "192.168.0.2"))
	p.UpsertService(mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 80)},
		ep("10.180.0.1", "n1").zone("zone-a"), ep("10.180.0.2", "n2").zone("zone-b")))
	loop.RunFor(5 * time.Second)
	n := p.Node("n1")
	if got := probe(t, n, loop.Now(), "10.180.0.9 -> 172.30.0.10:80").Endpoints.Strings(); strings.Join(got, ",") != "10.180.0.1:80" {
		t.Fatalf("zone-a: %v", got)
	}
	p.UpsertNode(mkNode("n1", "zone-b", "192.168.0.2"))
	if got := probe(t, n, loop.Now(), "10.180.0.9 -> 172.30.0.10:80").Endpoints.Strings(); strings.Join(got, ",") != "10.180.0.1:80" {
		t.Fatalf("before sync: %v, want zone-a's", got)
	}
	loop.RunFor(time.Second)
	if got := probe(t, n, loop.Now(), "10.180.0.9 -> 172.30.0.10:80").Endpoints.Strings(); strings.Join(got, ",") != "10.180.0.2:80" {
		t.Fatalf("after sync: %v, want zone-b's", got)
	}
}

// TestHistoryIsPruned checks that old versions are dropped once every node
// has synced past them, so memory does not grow with churn.
func TestHistoryIsPruned(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	for i := range 20 {
		p.UpsertNode(mkNode("n"+itoa(i), "", "192.168.0."+itoa(i+2)))
	}
	p.UpsertService(mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0)))
	for i := range 200 {
		p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 80)}, ep("10.180.0."+itoa(i%250+1), "n1")))
		p.UpsertService(mkSvc("ns/tmp"+itoa(i), "172.30.1.1", withPort("http", api.ProtocolTCP, 80, 0)))
		p.DeleteService("ns", "tmp"+itoa(i))
		loop.RunFor(300 * time.Millisecond)
	}
	loop.RunFor(10 * time.Second)
	if p.hasHistory() {
		t.Errorf("history left after every node synced: %d records, %d dispatch entries", len(p.dirtyRecs), len(p.dirtyD))
	}
	if len(p.recList) != 1 || len(p.fast4) != 1 || len(p.vips) != 1 {
		t.Errorf("tables hold %d records, %d dispatch entries, %d VIPs; want 1 each", len(p.recList), len(p.fast4), len(p.vips))
	}
	rec := p.recList[0]
	if rec == nil || rec.name != (ServicePortName{"ns", "web", "http", TCP}) || rec.chain.head.prev != nil {
		t.Errorf("web's record keeps history")
	}
}

func TestDeleteNodeStopsSyncing(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	p.UpsertNode(mkNode("n1", "", "192.168.0.2"))
	p.DeleteNode("n1")
	p.UpsertService(mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0)))
	if _, err := loop.RunUntilIdle(0); err != nil {
		t.Fatal(err)
	}
	if p.Node("n1") != nil || len(loop.Trace().Entries()) != 0 {
		t.Errorf("deleted node still syncing: %v", loop.Trace().Entries())
	}
}

func TestTraceIsDeterministic(t *testing.T) {
	run := func() string {
		loop := sim.New(t0, 3)
		p, _ := New(loop, baseConfig(ModeIPTables))
		for i := range 5 {
			p.UpsertNode(mkNode("n"+itoa(i), "", "192.168.0."+itoa(i+2)))
			p.SetSyncLatency("n"+itoa(i), time.Duration(i*300)*time.Millisecond)
		}
		for i := range 30 {
			p.UpsertService(mkSvc("ns/s"+itoa(i), "172.30.1."+itoa(i+1), withPort("p", api.ProtocolTCP, 80, 0)))
			p.UpsertEndpointSlice(mkSlice("ns/s"+itoa(i)+"-1", "s"+itoa(i), []slicePortSpec{sp("p", api.ProtocolTCP, 80)}, ep("10.0.0."+itoa(i+1), "n1")))
			loop.RunFor(170 * time.Millisecond)
		}
		loop.RunFor(10 * time.Second)
		return loop.Trace().Hash() + "\n" + traceText(loop)
	}
	a, b := run(), run()
	if a != b {
		t.Fatalf("traces differ:\n%s\n%s", a, b)
	}
}
