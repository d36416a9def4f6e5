package kubesim_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns/wire"
)

// fuzzManifests are the seed corpus of FuzzApply: every manifest of the lab
// and the catalogue's bad inputs that are not huge.
func fuzzManifests(f *testing.F) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob(filepath.Join("examples", "ch03", "*", "*.yaml"))
	more, _ := filepath.Glob(filepath.Join("examples", "ch03", "*", "*", "*.yaml"))
	for _, p := range append(files, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	for _, tc := range catalogue {
		if len(tc.input) < 1<<14 {
			out = append(out, []byte(tc.input))
		}
	}
	return out
}

// maxFuzzReplicas bounds the pods an accepted fuzz input may ask for before
// FuzzApply settles the cluster, so that one execution stays quick.
const maxFuzzReplicas = 40

// FuzzApply applies arbitrary manifests to a settled cluster. A refused
// batch must leave the cluster's snapshot (every object, the allocators, the
// random streams, the trace) byte for byte as it was; an accepted one must
// settle and pass every invariant.
func FuzzApply(f *testing.F) {
	for _, m := range fuzzManifests(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := kubesim.New(kubesim.Config{Seed: 1, Nodes: kubesim.GenerateNodes(2, 0)})
		if err != nil {
			t.Fatal(err)
		}
		before := c.Snapshot()
		start := time.Now()
		defer func() {
			// No hang: a manifest, good or bad, is handled in well under
			// a second on any machine.
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("took %v", d)
			}
		}()
		res, err := c.Apply(data)
		if err != nil {
			if res != nil {
				t.Fatalf("error %v with results %v", err, res)
			}
			if after := c.Snapshot(); !bytes.Equal(before, after) {
				t.Fatalf("refused input (%v) changed the cluster:\n%s", err, firstDiff(before, after))
			}
			return
		}
		objs, _ := api.Decode(data)
		replicas := 0
		for _, o := range objs {
			switch o := o.(type) {
			case *api.Deployment:
				replicas += replicasOf(o.Spec.Replicas)
			case *api.ReplicaSet:
				replicas += replicasOf(o.Spec.Replicas)
			case *api.Pod:
				replicas++
			}
		}
		if replicas > maxFuzzReplicas {
			return
		}
		if err := c.Settle(); err != nil {
			t.Fatalf("accepted input does not settle: %v", err)
		}
		if vs := c.Check(); len(vs) > 0 {
			t.Fatalf("accepted input breaks invariants:\n%s", vs)
		}
	})
}

func replicasOf(p *int32) int {
	if p == nil {
		return 1
	}
	return max(int(*p), 0)
}

var (
	wireOnce    sync.Once
	wireCluster *kubesim.Cluster
)

// FuzzWireMessage hands arbitrary DNS messages to the wire server's
// answering path (what it does with a datagram once miekg/dns has parsed
// it): no panic, a reply that packs, carries the query's id and fits the
// transport once scrubbed.
func FuzzWireMessage(f *testing.F) {
	for _, p := range badPackets {
		f.Add(p.msg)
	}
	for _, q := range []string{"kubernetes.default.svc.cluster.local.", "kube-dns.kube-system.svc.cluster.local.", "_dns._udp.kube-dns.kube-system.svc.cluster.local.", "10.0.96.10.in-addr.arpa.", "raw.githubusercontent.com."} {
		m := new(mdns.Msg)
		m.SetQuestion(q, mdns.TypeA)
		m.SetEdns0(1232, true)
		b, _ := m.Pack()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		wireOnce.Do(func() {
			c, err := kubesim.New(kubesim.Config{Seed: 1})
			if err != nil {
				panic(err)
			}
			wireCluster = c
		})
		req := new(mdns.Msg)
		if err := req.Unpack(data); err != nil {
			return
		}
		for _, udp := range []bool{true, false} {
			reply := wire.Answer(wireCluster.DNS(), netip.MustParseAddr("10.1.0.9"), req)
			if reply == nil {
				if req.Response {
					continue
				}
				t.Fatalf("no reply to a query: %v", req)
			}
			if reply.Id != req.Id {
				t.Fatalf("reply id %d, query id %d", reply.Id, req.Id)
			}
			wire.Scrub(reply, req, udp, false)
			b, err := reply.Pack()
			if err != nil {
				t.Fatalf("reply does not pack: %v\n%v", err, reply)
			}
			limit := mdns.MinMsgSize
			if o := req.IsEdns0(); o != nil {
				limit = max(int(o.UDPSize()), mdns.MinMsgSize)
			}
			if udp && len(b) > limit {
				t.Fatalf("UDP reply of %d bytes for a client that takes %d", len(b), limit)
			}
		}
	})
}

// FuzzParseFault: no panic, and what parses renders back to text that parses
// to the same fault.
func FuzzParseFault(f *testing.F) {
	for _, s := range []string{"watch dns delay=2s drop=0.5", "stall-proxy n1", "node-not-ready n1", "flap-readiness a/b period=1s count=3",
		"dns-replica-down coredns-x probe-fail-after=10s", "upstream-fail example.com", "watch kube-proxy/n1 drop=1e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ft, err := kubesim.ParseFault(s)
		if err != nil {
			return
		}
		again, err := kubesim.ParseFault(ft.String())
		if err != nil {
			t.Fatalf("%q parses, but its String %q does not: %v", s, ft, err)
		}
		if again != ft {
			t.Fatalf("%q: %#v renders as %q, which parses to %#v", s, ft, ft.String(), again)
		}
	})
}
