package ipam_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/ipam"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

func TestNodePodCIDRs(t *testing.T) {
	node := func(name, podCIDR string) *api.Node {
		return &api.Node{ObjectMeta: api.ObjectMeta{Name: name}, Spec: api.NodeSpec{PodCIDR: podCIDR}}
	}
	tests := []struct {
		name     string
		clusters []string
		nodes    []*api.Node
		want     []string // podCIDRs per node, comma-separated; or an error's start
	}{
		{"carved in order", []string{"10.244.0.0/16"},
			[]*api.Node{node("a", ""), node("b", ""), node("c", "")},
			[]string{"10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"}},
		{"a node's own range is kept and never carved again", []string{"10.244.0.0/16"},
			[]*api.Node{node("a", ""), node("b", "10.244.1.0/24"), node("c", ""), node("d", "192.168.7.0/24")},
			[]string{"10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24", "192.168.7.0/24"}},
		// A range a node brought from the end of the cluster CIDR leaves the
		// others free, as the controller manager's cidrset only occupies it.
		{"a node's own range at the end does not use up the rest", []string{"10.244.0.0/22"},
			[]*api.Node{node("a", "10.244.3.0/24"), node("b", ""), node("c", "")},
			[]string{"10.244.3.0/24", "10.244.0.0/24", "10.244.1.0/24"}},
		{"dual-stack", []string{"10.244.0.0/16", "fd00:10:244::/56"},
			[]*api.Node{node("a", ""), node("b", "")},
			[]string{"10.244.0.0/24,fd00:10:244::/64", "10.244.1.0/24,fd00:10:244:1::/64"}},
		{"exhausted", []string{"10.244.0.0/23"},
			[]*api.Node{node("a", ""), node("b", ""), node("c", "")},
			[]string{"10.244.0.0/24", "10.244.1.0/24", "failed to allocate a pod range for a node"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loop := sim.New(time.Time{}, 1)
			st := store.New(loop, store.Options{})
			var prefixes []netip.Prefix
			for _, c := range tt.clusters {
				prefixes = append(prefixes, netip.MustParsePrefix(c))
			}
			nodes, err := ipam.NewNodes(prefixes, 24, 64)
			if err != nil {
				t.Fatal(err)
			}
			st.Use(nodes)
			for i, n := range tt.nodes {
				o, err := st.Create(n)
				if err != nil {
					if !strings.HasPrefix(err.Error(), tt.want[i]) {
						t.Errorf("node %s: %v, want %q", n.Name, err, tt.want[i])
					}
					continue
				}
				got := o.(*api.Node).Spec
				if s := strings.Join(got.PodCIDRs, ","); s != tt.want[i] || got.PodCIDR != got.PodCIDRs[0] {
					t.Errorf("node %s: podCIDR %q podCIDRs %q, want %q", n.Name, got.PodCIDR, s, tt.want[i])
				}
				// Pod addresses come from the node's own ranges, in sequence.
				pools := nodes.PodIPs(n.Name)
				if len(pools) != len(got.PodCIDRs) {
					t.Fatalf("node %s has %d pod pools for %v", n.Name, len(pools), got.PodCIDRs)
				}
				for j, pool := range pools {
					var ips []string
					for range 3 {
						ip, err := pool.Allocate()
						if err != nil {
							t.Fatal(err)
						}
						ips = append(ips, ip.String())
					}
					p := netip.MustParsePrefix(got.PodCIDRs[j])
					want := []string{p.Addr().Next().Next().String(), p.Addr().Next().Next().Next().String(), p.Addr().Next().Next().Next().Next().String()}
					if !slices.Equal(ips, want) {
						t.Errorf("node %s pool %s: pod IPs %v, want %v", n.Name, p, ips, want)
					}
				}
			}
		})
	}
}

func TestNodeRemovedForgetsPools(t *testing.T) {
	loop := sim.New(time.Time{}, 1)
	st := store.New(loop, store.Options{})
	nodes, err := ipam.NewNodes([]netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}, 24, 64)
	if err != nil {
		t.Fatal(err)
	}
	st.Use(nodes)
	if _, err := st.Create(&api.Node{ObjectMeta: api.ObjectMeta{Name: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(api.Ref{Kind: api.KindNode, Name: "a"}, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if nodes.PodIPs("a") != nil {
		t.Error("a deleted node keeps its pod pools")
	}
	// A new node never reuses a range already handed out.
	o, err := st.Create(&api.Node{ObjectMeta: api.ObjectMeta{Name: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := o.(*api.Node).Spec.PodCIDR; got == "10.1.0.0/24" {
		t.Errorf("node b got the range of deleted node a: %s", got)
	}
}
