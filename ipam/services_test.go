package ipam_test

import (
	"fmt"
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

// cluster is a store with service IPAM as its admission plugin, as the API
// server runs it.
type cluster struct {
	st   *store.Store
	svcs *ipam.Services
}

func newCluster(t testing.TB, seed uint64, nodePorts api.PortRange, cidrs ...string) *cluster {
	t.Helper()
	loop := sim.New(time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC), seed)
	if nodePorts.Size == 0 {
		nodePorts = api.PortRange{Base: 30000, Size: 2768}
	}
	st := store.New(loop, store.Options{Validation: api.ValidationOptions{NodePortRange: nodePorts}})
	var prefixes []netip.Prefix
	for _, c := range cidrs {
		prefixes = append(prefixes, netip.MustParsePrefix(c))
	}
	svcs, err := ipam.NewServices(prefixes, nodePorts, loop.Rand("ipam/services"))
	if err != nil {
		t.Fatal(err)
	}
	st.Use(svcs)
	if _, err := st.Create(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "default"}}); err != nil {
		t.Fatal(err)
	}
	return &cluster{st: st, svcs: svcs}
}

func (c *cluster) create(s *api.Service) (*api.Service, error) {
	o, err := c.st.Create(s)
	if err != nil {
		return nil, err
	}
	return o.(*api.Service), nil
}

func (c *cluster) get(name string) *api.Service {
	s, _ := c.st.Peek(api.Ref{Kind: api.KindService, Namespace: "default", Name: name}).(*api.Service)
	return s
}

type svcOpt func(*api.Service)

func svc(name string, opts ...svcOpt) *api.Service {
	s := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: "default"},
		Spec: api.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []api.ServicePort{{Name: "http", Port: 80, TargetPort: api.FromInt(8080)}},
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func clusterIP(ip string) svcOpt { return func(s *api.Service) { s.Spec.ClusterIP = ip } }
func clusterIPs(ips ...string) svcOpt {
	return func(s *api.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = ips[0], ips }
}
func typ(t api.ServiceType) svcOpt { return func(s *api.Service) { s.Spec.Type = t } }
func nodePort(np int32) svcOpt     { return func(s *api.Service) { s.Spec.Ports[0].NodePort = np } }
func policy(p api.IPFamilyPolicy) svcOpt {
	return func(s *api.Service) { s.Spec.IPFamilyPolicy = &p }
}
func families(f ...api.IPFamily) svcOpt { return func(s *api.Service) { s.Spec.IPFamilies = f } }
func noSelector() svcOpt                { return func(s *api.Service) { s.Spec.Selector = nil } }
func ports(ps ...api.ServicePort) svcOpt {
	return func(s *api.Service) { s.Spec.Ports = ps }
}

func TestServiceClusterIPs(t *testing.T) {
	type step struct {
		svc     *api.Service
		wantIPs string // comma-separated; "random" for one random address of 10.96.0.0/12
		wantErr string
	}
	tests := []struct {
		name  string
		cidrs []string
		steps []step
	}{
		{"random", []string{"10.96.0.0/12"}, []step{{svc: svc("a"), wantIPs: "random"}}},
		{"requested honoured then refused", []string{"10.96.0.0/12"}, []step{
			{svc: svc("kube-dns", clusterIP("10.96.0.10")), wantIPs: "10.96.0.10"},
			{svc: svc("dns2", clusterIP("10.96.0.10")),
				wantErr: `Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated`},
		}},
		{"requested out of range", []string{"10.96.0.0/12"}, []step{
			{svc: svc("a", clusterIP("10.0.0.1")),
				wantErr: `Service "a" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12`},
		}},
		{"requested broadcast", []string{"10.96.0.0/29"}, []step{
			{svc: svc("a", clusterIP("10.96.0.7")),
				wantErr: `Service "a" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.7"}: failed to allocate IP 10.96.0.7: the provided IP (10.96.0.7) is not in the valid range. The range of valid IPs is 10.96.0.0/29`},
		}},
		{"headless", []string{"10.96.0.0/12"}, []step{{svc: svc("a", clusterIP("None")), wantIPs: "None"}}},
		{"headless without selector", []string{"10.96.0.0/12"}, []step{{svc: svc("a", clusterIP("None"), noSelector()), wantIPs: "None"}}},
		{"external name", []string{"10.96.0.0/12"}, []step{{svc: svc("a", typ(api.ServiceTypeExternalName), ports(),
			func(s *api.Service) { s.Spec.ExternalName = "example.com" }), wantIPs: ""}}},
		{"exhaustion", []string{"10.96.0.0/29"}, []step{
			{svc: svc("a"), wantIPs: "random"}, {svc: svc("b"), wantIPs: "random"}, {svc: svc("c"), wantIPs: "random"},
			{svc: svc("d"), wantIPs: "random"}, {svc: svc("e"), wantIPs: "random"}, {svc: svc("f"), wantIPs: "random"},
			{svc: svc("g"), wantErr: "Internal error occurred: failed to allocate a serviceIP: range is full"},
			{svc: svc("h", clusterIP("10.96.0.3")), wantErr: `Service "h" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.3"}: failed to allocate IP 10.96.0.3: provided IP is already allocated`},
		}},
		// Dual-stack.
		{"dual-stack cluster, single-stack service", []string{"10.96.0.0/12", "fd00:10:96::/112"}, []step{
			{svc: svc("a", clusterIP("10.96.0.20")), wantIPs: "10.96.0.20"},
			{svc: svc("b", families(api.IPv6), clusterIP("fd00:10:96::20")), wantIPs: "fd00:10:96::20"},
		}},
		{"PreferDualStack", []string{"10.96.0.0/12", "fd00:10:96::/112"}, []step{
			{svc: svc("a", policy(api.PreferDualStack), clusterIPs("10.96.0.20", "fd00:10:96::20")), wantIPs: "10.96.0.20,fd00:10:96::20"},
			{svc: svc("b", policy(api.PreferDualStack), families(api.IPv6, api.IPv4), clusterIPs("fd00:10:96::21", "10.96.0.21")), wantIPs: "fd00:10:96::21,10.96.0.21"},
		}},
		{"PreferDualStack on a single-stack cluster", []string{"10.96.0.0/12"}, []step{
			{svc: svc("a", policy(api.PreferDualStack), clusterIP("10.96.0.20")), wantIPs: "10.96.0.20"},
		}},
		{"RequireDualStack on a single-stack cluster", []string{"10.96.0.0/12"}, []step{
			{svc: svc("a", policy(api.RequireDualStack)),
				wantErr: `Service "a" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services`},
		}},
		{"IPv6 on an IPv4 cluster", []string{"10.96.0.0/12"}, []step{
			{svc: svc("a", families(api.IPv6)),
				wantErr: `Service "a" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster`},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, 1, api.PortRange{}, tt.cidrs...)
			seen := map[string]bool{}
			for _, s := range tt.steps {
				got, err := c.create(s.svc)
				if s.wantErr != "" {
					if err == nil || err.Error() != s.wantErr {
						t.Errorf("create %s: err = %v\nwant %q", s.svc.Name, err, s.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("create %s: %v", s.svc.Name, err)
				}
				ips := strings.Join(got.Spec.ClusterIPs, ",")
				if s.wantIPs == "random" {
					ip, err := netip.ParseAddr(got.Spec.ClusterIP)
					if err != nil || !netip.MustParsePrefix(tt.cidrs[0]).Contains(ip) || len(got.Spec.ClusterIPs) != 1 {
						t.Errorf("%s: clusterIPs %q, want one address of %s", s.svc.Name, ips, tt.cidrs[0])
					}
				} else if ips != s.wantIPs {
					t.Errorf("%s: clusterIPs = %q, want %q", s.svc.Name, ips, s.wantIPs)
				}
				if got.Spec.ClusterIP != "" && got.Spec.ClusterIP != api.ClusterIPNone {
					if seen[got.Spec.ClusterIP] {
						t.Errorf("%s: cluster IP %s given twice", s.svc.Name, got.Spec.ClusterIP)
					}
					seen[got.Spec.ClusterIP] = true
				}
			}
		})
	}
}

func TestServiceIPFamilies(t *testing.T) {
	dual := []string{"10.96.0.0/12", "fd00:10:96::/112"}
	v4 := []string{"10.96.0.0/12"}
	tests := []struct {
		name       string
		cidrs      []string
		svc        *api.Service
		wantFam    string
		wantPolicy api.IPFamilyPolicy
	}{
		{"default", dual, svc("a"), "IPv4", api.SingleStack},
		{"IPv6 single", dual, svc("a", families(api.IPv6)), "IPv6", api.SingleStack},
		{"prefer", dual, svc("a", policy(api.PreferDualStack)), "IPv4,IPv6", api.PreferDualStack},
		{"prefer v6 first", dual, svc("a", policy(api.PreferDualStack), families(api.IPv6)), "IPv6,IPv4", api.PreferDualStack},
		{"require", dual, svc("a", policy(api.RequireDualStack)), "IPv4,IPv6", api.RequireDualStack},
		{"prefer on v4 cluster", v4, svc("a", policy(api.PreferDualStack)), "IPv4", api.PreferDualStack},
		{"requested v6 address", dual, svc("a", clusterIP("fd00:10:96::99")), "IPv6", api.SingleStack},
		{"headless", dual, svc("a", clusterIP("None")), "IPv4", api.SingleStack},
		// A headless service without a selector takes both families, even
		// on a single-stack cluster: the API server's one exception, since
		// its hand-written endpoints may be of either family
		// (initIPFamilyFields).
		{"headless selector-less, dual", dual, svc("a", clusterIP("None"), noSelector()), "IPv4,IPv6", api.RequireDualStack},
		{"headless selector-less, v4", v4, svc("a", clusterIP("None"), noSelector()), "IPv4,IPv6", api.RequireDualStack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, 1, api.PortRange{}, tt.cidrs...)
			got, err := c.create(tt.svc)
			if err != nil {
				t.Fatal(err)
			}
			var fams []string
			for _, f := range got.Spec.IPFamilies {
				fams = append(fams, string(f))
			}
			if s := strings.Join(fams, ","); s != tt.wantFam {
				t.Errorf("ipFamilies = %s, want %s", s, tt.wantFam)
			}
			if got.Spec.IPFamilyPolicy == nil || *got.Spec.IPFamilyPolicy != tt.wantPolicy {
				t.Errorf("ipFamilyPolicy = %v, want %s", got.Spec.IPFamilyPolicy, tt.wantPolicy)
			}
			if got.Spec.ClusterIP == api.ClusterIPNone {
				return
			}
			if len(got.Spec.ClusterIPs) != len(got.Spec.IPFamilies) {
				t.Fatalf("clusterIPs %v do not match ipFamilies %v", got.Spec.ClusterIPs, got.Spec.IPFamilies)
			}
			for i, ip := range got.Spec.ClusterIPs {
				a := netip.MustParseAddr(ip)
				if (got.Spec.IPFamilies[i] == api.IPv4) != a.Is4() {
					t.Errorf("clusterIPs[%d] = %s, want family %s", i, ip, got.Spec.IPFamilies[i])
				}
				if !netip.MustParsePrefix(tt.cidrs[0]).Contains(a) && (len(tt.cidrs) < 2 || !netip.MustParsePrefix(tt.cidrs[1]).Contains(a)) {
					t.Errorf("clusterIPs[%d] = %s outside the service ranges", i, ip)
				}
			}
			if got.Spec.ClusterIP != got.Spec.ClusterIPs[0] {
				t.Errorf("clusterIP %s != clusterIPs[0] %s", got.Spec.ClusterIP, got.Spec.ClusterIPs[0])
			}
		})
	}
}

func TestServiceNodePorts(t *testing.T) {
	type step struct {
		svc       *api.Service
		wantPorts string // comma-separated node ports; "random" for one in range per port
		wantErr   string
	}
	small := api.PortRange{Base: 30000, Size: 3}
	tests := []struct {
		name  string
		rng   api.PortRange
		steps []step
	}{
		{"random", api.PortRange{}, []step{{svc: svc("a", typ(api.ServiceTypeNodePort)), wantPorts: "random"}}},
		{"requested then taken", api.PortRange{}, []step{
			{svc: svc("a", typ(api.ServiceTypeNodePort), nodePort(30080)), wantPorts: "30080"},
			{svc: svc("b", typ(api.ServiceTypeNodePort), nodePort(30080)),
				wantErr: `Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated`},
		}},
		{"out of range", api.PortRange{}, []step{
			{svc: svc("a", typ(api.ServiceTypeNodePort), nodePort(40000)),
				wantErr: `Service "a" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767`},
		}},
		{"load balancer", api.PortRange{}, []step{{svc: svc("a", typ(api.ServiceTypeLoadBalancer)), wantPorts: "random"}}},
		{"load balancer without node ports", api.PortRange{}, []step{{svc: svc("a", typ(api.ServiceTypeLoadBalancer),
			func(s *api.Service) { no := false; s.Spec.AllocateLoadBalancerNodePorts = &no }), wantPorts: "0"}}},
		{"cluster IP has none", api.PortRange{}, []step{{svc: svc("a"), wantPorts: "0"}}},
		{"exhaustion", small, []step{
			{svc: svc("a", typ(api.ServiceTypeNodePort)), wantPorts: "random"},
			{svc: svc("b", typ(api.ServiceTypeNodePort)), wantPorts: "random"},
			{svc: svc("c", typ(api.ServiceTypeNodePort)), wantPorts: "random"},
			{svc: svc("d", typ(api.ServiceTypeNodePort)), wantErr: "Internal error occurred: failed to allocate a nodePort: range is full"},
			{svc: svc("e", typ(api.ServiceTypeNodePort), nodePort(30001)), wantErr: `Service "e" is invalid: spec.ports[0].nodePort: Invalid value: 30001: provided port is already allocated`},
		}},
		{"two ports", small, []step{
			{svc: svc("a", typ(api.ServiceTypeNodePort), ports(
				api.ServicePort{Name: "http", Port: 80}, api.ServicePort{Name: "https", Port: 443})), wantPorts: "random"},
		}},
		// The API server gives ports that share a number (53/UDP and 53/TCP)
		// one node port (initNodePorts' svcPortToNodePort).
		{"same port number, two protocols", api.PortRange{}, []step{
			{svc: svc("dns", typ(api.ServiceTypeNodePort), ports(
				api.ServicePort{Name: "dns", Port: 53, Protocol: api.ProtocolUDP},
				api.ServicePort{Name: "dns-tcp", Port: 53, Protocol: api.ProtocolTCP})), wantPorts: "shared"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster(t, 1, tt.rng, "10.96.0.0/12")
			rng := tt.rng
			if rng.Size == 0 {
				rng = api.PortRange{Base: 30000, Size: 2768}
			}
			seen := map[int32]bool{}
			for _, s := range tt.steps {
				got, err := c.create(s.svc)
				if s.wantErr != "" {
					if err == nil || err.Error() != s.wantErr {
						t.Errorf("create %s: err = %v\nwant %q", s.svc.Name, err, s.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("create %s: %v", s.svc.Name, err)
				}
				var nps []string
				for _, p := range got.Spec.Ports {
					nps = append(nps, fmt.Sprint(p.NodePort))
				}
				switch s.wantPorts {
				case "random":
					for _, p := range got.Spec.Ports {
						if !rng.Contains(int(p.NodePort)) || seen[p.NodePort] {
							t.Errorf("%s: node port %d is outside %s or given twice", s.svc.Name, p.NodePort, rng)
						}
						seen[p.NodePort] = true
					}
				case "shared":
					if len(got.Spec.Ports) != 2 || got.Spec.Ports[0].NodePort == 0 || got.Spec.Ports[0].NodePort != got.Spec.Ports[1].NodePort {
						t.Errorf("%s: node ports = %v, want one node port shared by both port 53 entries", s.svc.Name, nps)
					}
				default:
					if strings.Join(nps, ",") != s.wantPorts {
						t.Errorf("%s: node ports = %v, want %s", s.svc.Name, nps, s.wantPorts)
					}
				}
			}
		})
	}
}

func TestHealthCheckNodePort(t *testing.T) {
	c := newCluster(t, 1, api.PortRange{}, "10.96.0.0/12")
	got, err := c.create(svc("lb", typ(api.ServiceTypeLoadBalancer), func(s *api.Service) {
		s.Spec.ExternalTrafficPolicy = api.TrafficPolicyLocal
	}))
	if err != nil {
		t.Fatal(err)
	}
	hc := got.Spec.HealthCheckNodePort
	if hc < 30000 || hc > 32767 || hc == got.Spec.Ports[0].NodePort {
		t.Errorf("healthCheckNodePort = %d (node port %d)", hc, got.Spec.Ports[0].NodePort)
	}
	if _, err := c.create(svc("np", typ(api.ServiceTypeNodePort), nodePort(hc))); err == nil {
		t.Errorf("node port %d taken by a health check was handed out again", hc)
	}
}

// TestReleasedOnDelete checks that a deleted service's addresses and ports
// can be requested again, and that the apiserver keeps them across updates.
func TestAllocationsAcrossUpdateAndDelete(t *testing.T) {
	c := newCluster(t, 1, api.PortRange{}, "10.96.0.0/12")
	a, err := c.create(svc("a", typ(api.ServiceTypeNodePort), clusterIP("10.96.0.50"), nodePort(30050)))
	if err != nil {
		t.Fatal(err)
	}
	// An update that leaves them out keeps them.
	upd := a.DeepCopy()
	upd.Labels = map[string]string{"v": "2"}
	if got, err := c.st.Update(upd); err != nil || got.(*api.Service).Spec.ClusterIP != "10.96.0.50" || got.(*api.Service).Spec.Ports[0].NodePort != 30050 {
		t.Fatalf("update: %v", err)
	}
	// Changing the address is refused.
	chg := c.get("a").DeepCopy()
	chg.Spec.ClusterIP, chg.Spec.ClusterIPs = "10.96.0.51", []string{"10.96.0.51"}
	_, err = c.st.Update(chg)
	if want := `Service "a" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.51"}: may not change once set`; err == nil || err.Error() != want {
		t.Errorf("changing clusterIP: %v\nwant %q", err, want)
	}
	if _, err := c.create(svc("b", clusterIP("10.96.0.51"))); err != nil {
		t.Errorf("10.96.0.51 stayed reserved after a refused update: %v", err)
	}
	// Turning the service into ClusterIP frees the node port.
	toCIP := c.get("a").DeepCopy()
	toCIP.Spec.Type = api.ServiceTypeClusterIP
	toCIP.Spec.ExternalTrafficPolicy = ""
	toCIP.Spec.Ports[0].NodePort = 0
	if _, err := c.st.Update(toCIP); err != nil {
		t.Fatal(err)
	}
	if _, err := c.create(svc("np", typ(api.ServiceTypeNodePort), nodePort(30050))); err != nil {
		t.Errorf("node port 30050 not freed by the type change: %v", err)
	}
	// Turning it into ExternalName frees the address.
	toExt := c.get("a").DeepCopy()
	toExt.Spec = api.ServiceSpec{Type: api.ServiceTypeExternalName, ExternalName: "example.com"}
	if _, err := c.st.Update(toExt); err != nil {
		t.Fatal(err)
	}
	if _, err := c.create(svc("c", clusterIP("10.96.0.50"))); err != nil {
		t.Errorf("10.96.0.50 not freed by the change to ExternalName: %v", err)
	}
	// Deleting frees everything.
	if err := c.st.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "c"}, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.st.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "np"}, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.create(svc("d", typ(api.ServiceTypeNodePort), clusterIP("10.96.0.50"), nodePort(30050))); err != nil {
		t.Errorf("address or port not freed on delete: %v", err)
	}
}

// TestFailedBatchReleases: a batch that fails stores nothing and leaves every
// address and port it reserved free, random or requested, and keeps what the
// services it would have updated hold.
func TestFailedBatchReleases(t *testing.T) {
	bad := svc("bad")
	bad.Spec.Ports[0].Port = 0
	c := newCluster(t, 1, api.PortRange{Base: 30000, Size: 3}, "10.96.0.0/29")
	keep, err := c.create(svc("keep", clusterIP("10.96.0.1")))
	if err != nil {
		t.Fatal(err)
	}
	// The batch fills both ranges, updates "keep" to NodePort, and fails on
	// its last object.
	upd := keep.DeepCopy()
	upd.Spec.Type = api.ServiceTypeNodePort
	batch := []api.Object{upd}
	for i := range 4 {
		batch = append(batch, svc(fmt.Sprintf("s%d", i), typ(api.ServiceTypeNodePort)))
	}
	batch = append(batch, svc("pinned", clusterIP("10.96.0.6")), bad)
	if _, err := c.st.Apply(batch); err == nil {
		t.Fatal("batch with an invalid object applied")
	}
	if got := c.get("keep"); got.Spec.Type != api.ServiceTypeClusterIP || got.Spec.ClusterIP != "10.96.0.1" {
		t.Errorf("keep changed by a failed batch: %+v", got.Spec)
	}
	if got := c.get("s0"); got != nil {
		t.Error("s0 stored by a failed batch")
	}
	// Everything the batch took is free again: five more addresses (the
	// sixth is keep's) and all three node ports.
	if _, err := c.create(svc("again-pinned", clusterIP("10.96.0.6"))); err != nil {
		t.Errorf("requested address not released: %v", err)
	}
	for i := range 3 {
		if _, err := c.create(svc(fmt.Sprintf("again%d", i), typ(api.ServiceTypeNodePort))); err != nil {
			t.Errorf("again%d: %v", i, err)
		}
	}
	if _, err := c.create(svc("again3")); err != nil {
		t.Errorf("again3: %v", err)
	}
	// keep's address is still its own.
	if _, err := c.create(svc("steal", clusterIP("10.96.0.1"))); err == nil {
		t.Error("keep's address was released by the failed batch")
	}
}

func TestServiceCIDRAddsRange(t *testing.T) {
	c := newCluster(t, 1, api.PortRange{}, "10.96.0.0/30")
	for _, n := range []string{"a", "b"} {
		if _, err := c.create(svc(n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.create(svc("c")); !ipam.IsFull(err) {
		t.Fatalf("third service on a /30: %v, want range full", err)
	}
	if _, err := c.st.Create(&api.ServiceCIDR{ObjectMeta: api.ObjectMeta{Name: "extra"},
		Spec: api.ServiceCIDRSpec{CIDRs: []string{"10.200.0.0/29"}}}); err != nil {
		t.Fatal(err)
	}
	if got := c.svcs.Ranges(); len(got) != 2 || got[1].String() != "10.200.0.0/29" {
		t.Errorf("ranges = %v", got)
	}
	if fams := c.svcs.Families(); !slices.Equal(fams, []api.IPFamily{api.IPv4}) {
		t.Errorf("families = %v: a ServiceCIDR must not change the cluster's families", fams)
	}
	got, err := c.create(svc("c"))
	if err != nil {
		t.Fatalf("service after adding a ServiceCIDR: %v", err)
	}
	if !netip.MustParsePrefix("10.200.0.0/29").Contains(netip.MustParseAddr(got.Spec.ClusterIP)) {
		t.Errorf("cluster IP %s, want one from 10.200.0.0/29", got.Spec.ClusterIP)
	}
	if got, err := c.create(svc("d", clusterIP("10.200.0.6"))); err != nil || got.Spec.ClusterIP != "10.200.0.6" {
		t.Errorf("requested address of the new range: %v", err)
	}
	// Its CIDRs are immutable.
	sc := c.st.Peek(api.Ref{Kind: api.KindServiceCIDR, Name: "extra"}).(*api.ServiceCIDR).DeepCopy()
	sc.Spec.CIDRs = []string{"10.201.0.0/29"}
	if _, err := c.st.Update(sc); err == nil || !strings.Contains(err.Error(), "field is immutable") {
		t.Errorf("changing a ServiceCIDR's cidrs: %v", err)
	}
}

func TestServiceIPsSeeded(t *testing.T) {
	ips := func(seed uint64) []string {
		c := newCluster(t, seed, api.PortRange{}, "10.96.0.0/12")
		var out []string
		for i := range 20 {
			s, err := c.create(svc(fmt.Sprintf("s%d", i), typ(api.ServiceTypeNodePort)))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s.Spec.ClusterIP, fmt.Sprint(s.Spec.Ports[0].NodePort))
		}
		return out
	}
	if a, b := ips(5), ips(5); !slices.Equal(a, b) {
		t.Error("the same seed gave different addresses")
	}
	if a, b := ips(5), ips(6); slices.Equal(a, b) {
		t.Error("seeds 5 and 6 gave the same addresses")
	}
}
