package proxy

import (
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

// TestStallResume stalls one node in the middle of a sync: it keeps routing
// to the deleted endpoint while the other node moves on, its pending sync
// comes to nothing, and Resume brings it up to date with one full sync.
func TestStallResume(t *testing.T) {
	loop := sim.New(t0, 1)
	p, err := New(loop, baseConfig(ModeIPTables))
	if err != nil {
		t.Fatal(err)
	}
	p.UpsertService(mkSvc("ns/web", "172.30.0.10", withPort("http", api.ProtocolTCP, 80, 0)))
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 8080)},
		ep("10.180.0.1", "a"), ep("10.180.0.2", "b")))
	p.UpsertNode(mkNode("a", "", "192.168.0.2"))
	p.UpsertNode(mkNode("b", "", "192.168.0.3"))
	loop.RunFor(3 * time.Second)

	// Remove one endpoint; stall b while its sync of the change is in flight.
	p.UpsertEndpointSlice(mkSlice("ns/web-1", "web", []slicePortSpec{sp("http", api.ProtocolTCP, 8080)}, ep("10.180.0.1", "a")))
	loop.RunFor(50 * time.Millisecond)
	if !p.Stall("b") || p.Stall("b") || p.Stall("nope") {
		t.Fatal("Stall: want true once, then false")
	}
	if !p.Stalled("b") || p.Stalled("a") {
		t.Fatal("Stalled: want b only")
	}
	loop.RunFor(10 * time.Second)
	const pkt = "10.180.0.9 -> 172.30.0.10:80"
	if got := probe(t, p.Node("a"), loop.Now(), pkt).Endpoints.Len(); got != 1 {
		t.Errorf("a: %d endpoints, want 1", got)
	}
	if got := probe(t, p.Node("b"), loop.Now(), pkt).Endpoints.Len(); got != 2 {
		t.Errorf("stalled b: %d endpoints, want the stale 2", got)
	}
	if loop.Pending() != 0 {
		t.Errorf("%d events pending while stalled, want 0 (a stall must let the loop go idle)", loop.Pending())
	}
	if !p.Resume("b") || p.Resume("b") {
		t.Fatal("Resume: want true once")
	}
	loop.RunFor(5 * time.Second)
	if got := probe(t, p.Node("b"), loop.Now(), pkt).Endpoints.Len(); got != 1 {
		t.Errorf("resumed b: %d endpoints, want 1", got)
	}
	if n := p.Node("b"); n.Version() != p.Version() || n.Syncing() {
		t.Errorf("b at v%d (syncing %v), proxy at v%d", n.Version(), n.Syncing(), p.Version())
	}
	var lines []string
	for _, e := range loop.Trace().Entries() {
		if strings.Contains(e.Object, "node/b") && e.At >= 3*time.Second {
			lines = append(lines, e.String())
		}
	}
	want := []string{
		"+3.050s proxy node/b: sync stalled at v2",
		"+13.050s proxy node/b: sync resumed at v2 (cluster at v3)",
		"+13.150s proxy node/b: synced rules v2 -> v3",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("trace of b:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestStalledNodeTakesNodeUpdates checks that a stalled node still learns its
// own addresses and is forgotten when deleted.
func TestStalledNodeTakesNodeUpdates(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeNFTables))
	p.UpsertNode(mkNode("a", "zone-1", "192.168.0.2"))
	loop.RunFor(2 * time.Second)
	p.Stall("a")
	p.UpsertNode(mkNode("a", "zone-2", "192.168.0.2"))
	loop.RunFor(2 * time.Second)
	if p.Node("a").Syncing() || loop.Pending() != 0 {
		t.Errorf("stalled node synced on a label change")
	}
	p.DeleteNode("a")
	if p.Node("a") != nil || p.Stalled("a") || p.Resume("a") {
		t.Errorf("deleted stalled node still known")
	}
}

func TestSyncLatencyGetter(t *testing.T) {
	loop := sim.New(t0, 1)
	p, _ := New(loop, baseConfig(ModeIPTables))
	if got := p.SyncLatency("x"); got != DefaultSyncLatency {
		t.Errorf("default: %v", got)
	}
	p.SetSyncLatency("x", 3*time.Second)
	if got := p.SyncLatency("x"); got != 3*time.Second {
		t.Errorf("override: %v", got)
	}
}
