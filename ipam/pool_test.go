package ipam_test

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/kubesim/kubesim/ipam"
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func TestAddrPoolSmallRangesExhaust(t *testing.T) {
	tests := []struct {
		prefix string
		want   []string // every address the pool may give, sorted
	}{
		{"10.96.0.0/29", []string{"10.96.0.1", "10.96.0.2", "10.96.0.3", "10.96.0.4", "10.96.0.5", "10.96.0.6"}},
		{"10.96.0.0/30", []string{"10.96.0.1", "10.96.0.2"}},
		{"fd00::/125", []string{"fd00::1", "fd00::2", "fd00::3", "fd00::4", "fd00::5", "fd00::6", "fd00::7"}},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			p, err := ipam.NewAddrPool(netip.MustParsePrefix(tt.prefix))
			if err != nil {
				t.Fatal(err)
			}
			r := seeded(1)
			var got []string
			for range len(tt.want) {
				a, err := p.Allocate(r)
				if err != nil {
					t.Fatalf("after %d addresses: %v", len(got), err)
				}
				if !p.IsAllocated(a) {
					t.Errorf("%s handed out but not marked allocated", a)
				}
				got = append(got, a.String())
			}
			slices.SortFunc(got, func(a, b string) int { return netip.MustParseAddr(a).Compare(netip.MustParseAddr(b)) })
			if !slices.Equal(got, tt.want) {
				t.Errorf("allocated %v, want each of %v once", got, tt.want)
			}
			for range 3 {
				if a, err := p.Allocate(r); !ipam.IsFull(err) {
					t.Fatalf("allocation past exhaustion = %v, %v; want a range-full error, never a duplicate", a, err)
				}
			}
			if p.Free() != 0 || p.Used() != len(tt.want) {
				t.Errorf("free %d used %d", p.Free(), p.Used())
			}
			// A released address is the only one left to give.
			freed := netip.MustParseAddr(tt.want[1])
			p.Release(freed)
			if a, err := p.Allocate(r); err != nil || a != freed {
				t.Errorf("after releasing %s: got %v, %v", freed, a, err)
			}
		})
	}
}

func TestAddrPoolRandomIsSeeded(t *testing.T) {
	seq := func(seed uint64) []netip.Addr {
		p, err := ipam.NewAddrPool(netip.MustParsePrefix("10.96.0.0/12"))
		if err != nil {
			t.Fatal(err)
		}
		r := seeded(seed)
		var out []netip.Addr
		for range 100 {
			a, err := p.Allocate(r)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
		}
		return out
	}
	a, b, c := seq(7), seq(7), seq(8)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different addresses")
	}
	if slices.Equal(a, c) {
		t.Error("seeds 7 and 8 gave the same addresses")
	}
	// Random picks stay out of the lower band (the first 256 addresses of a
	// /12), which the API server keeps for requested addresses.
	band := netip.MustParseAddr("10.96.1.0")
	for _, ip := range a {
		if !ip.Less(netip.MustParseAddr("10.96.0.0")) && !band.Less(ip) {
			t.Errorf("random address %s falls in the static band", ip)
		}
		if !netip.MustParsePrefix("10.96.0.0/12").Contains(ip) {
			t.Errorf("%s is outside 10.96.0.0/12", ip)
		}
	}
	if len(slices.Compact(slices.SortedFunc(slices.Values(a), netip.Addr.Compare))) != len(a) {
		t.Error("duplicate address")
	}
}

func TestAddrPoolAllocateSpecific(t *testing.T) {
	p, err := ipam.NewAddrPool(netip.MustParsePrefix("10.96.0.0/12"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want string // "" for success
	}{
		{"10.96.0.10", ""},
		{"10.96.0.10", "provided IP is already allocated"},
		{"10.111.255.254", ""},
		{"10.96.0.0", "the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
		{"10.111.255.255", "the provided IP (10.111.255.255) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
		{"10.0.0.1", "the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
	}
	for _, tt := range tests {
		err := p.AllocateSpecific(netip.MustParseAddr(tt.ip))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("AllocateSpecific(%s) = %v", tt.ip, err)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("AllocateSpecific(%s) = %v, want %q", tt.ip, err, tt.want)
		}
	}
	if !errors.Is(p.AllocateSpecific(netip.MustParseAddr("10.96.0.10")), ipam.ErrAllocated) {
		t.Error("a taken address is not ErrAllocated")
	}
}

func TestPortPool(t *testing.T) {
	p := ipam.NewPortPool(30000, 3)
	r := seeded(1)
	var got []int
	for range 3 {
		port, err := p.Allocate(r)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, port)
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{30000, 30001, 30002}) {
		t.Errorf("ports = %v, want 30000-30002 once each", got)
	}
	if port, err := p.Allocate(r); !ipam.IsFull(err) {
		t.Errorf("fourth port = %d, %v; want range full", port, err)
	}
	if err := p.AllocateSpecific(30001); !errors.Is(err, ipam.ErrPortAllocated) {
		t.Errorf("taken port: %v", err)
	}
	if err := p.AllocateSpecific(30003); err == nil || err.Error() != "provided port is not in the valid range. The range of valid ports is 30000-30002" {
		t.Errorf("out of range port: %v", err)
	}
	p.Release(30001)
	if port, err := p.Allocate(r); err != nil || port != 30001 {
		t.Errorf("after release: %d, %v", port, err)
	}

	// Random node ports from the default range are seeded and in range.
	seq := func(seed uint64) []int {
		p := ipam.NewPortPool(30000, 2768)
		r := seeded(seed)
		var out []int
		for range 50 {
			port, err := p.Allocate(r)
			if err != nil {
				t.Fatal(err)
			}
			if port < 30000 || port > 32767 {
				t.Errorf("port %d outside 30000-32767", port)
			}
			out = append(out, port)
		}
		return out
	}
	if a, b := seq(3), seq(3); !slices.Equal(a, b) {
		t.Error("the same seed gave different ports")
	}
	if a, b := seq(3), seq(4); slices.Equal(a, b) {
		t.Error("seeds 3 and 4 gave the same ports")
	}
}

func TestPodIPsSequential(t *testing.T) {
	a := ipam.NewPodIPs(netip.MustParsePrefix("10.1.0.0/29"))
	next := func() string {
		t.Helper()
		ip, err := a.Allocate()
		if err != nil {
			return err.Error()
		}
		return ip.String()
	}
	var got []string
	for range 3 {
		got = append(got, next())
	}
	a.Release(netip.MustParseAddr("10.1.0.3"))
	// host-local continues after the last address it gave, then wraps.
	for range 4 {
		got = append(got, next())
	}
	want := []string{"10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6", "10.1.0.3",
		"failed to allocate a pod IP from 10.1.0.0/29: range is full"}
	if !slices.Equal(got, want) {
		t.Errorf("pod IPs = %q\nwant      %q", got, want)
	}
	for _, tt := range []struct {
		ip   string
		want error
	}{
		{"10.1.0.4", ipam.ErrAllocated},
		{"10.1.0.0", &ipam.NotInRangeError{}},
		{"10.1.0.1", &ipam.NotInRangeError{}}, // the gateway
		{"10.1.0.7", &ipam.NotInRangeError{}}, // broadcast
		{"10.1.1.2", &ipam.NotInRangeError{}},
	} {
		err := a.AllocateSpecific(netip.MustParseAddr(tt.ip))
		var nr *ipam.NotInRangeError
		if _, want := tt.want.(*ipam.NotInRangeError); want && !errors.As(err, &nr) || !want && !errors.Is(err, tt.want) {
			t.Errorf("AllocateSpecific(%s) = %v, want %v", tt.ip, err, tt.want)
		}
	}
}

func TestNodeCIDRsCarve(t *testing.T) {
	c, err := ipam.NewNodeCIDRs(netip.MustParsePrefix("10.244.0.0/22"), 24)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	first, _ := c.Next()
	got = append(got, first.String())
	c.Reserve(netip.MustParsePrefix("10.244.2.0/24")) // a Node brought its own
	for {
		p, err := c.Next()
		if err != nil {
			if !ipam.IsFull(err) {
				t.Errorf("exhaustion error %v is not ErrFull", err)
			}
			break
		}
		got = append(got, p.String())
	}
	// 10.244.1.0/24 may be skipped (wasted), but 10.244.2.0/24 is never handed out.
	if slices.Contains(got, "10.244.2.0/24") || got[0] != "10.244.0.0/24" || got[len(got)-1] != "10.244.3.0/24" {
		t.Errorf("carved %v", got)
	}
	if _, err := ipam.NewNodeCIDRs(netip.MustParsePrefix("10.244.0.0/24"), 16); err == nil {
		t.Error("a /16 per node from a /24 cluster CIDR was accepted")
	}
}
