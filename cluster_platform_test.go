package kubesim_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

func newCluster(t testing.TB, cfg kubesim.Config) *kubesim.Cluster {
	t.Helper()
	c, err := kubesim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func names[T api.Object](objs []T) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetObjectMeta().Name)
	}
	return out
}

func ingress(s *api.Service) string {
	var out []string
	for _, in := range s.Status.LoadBalancer.Ingress {
		if in.Hostname != "" {
			out = append(out, in.Hostname)
		} else {
			out = append(out, in.IP.String())
		}
	}
	if len(out) == 0 {
		return "<pending>"
	}
	return strings.Join(out, ",")
}

const lbManifest = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
    - port: 8080
      targetPort: 80
`

func TestPlatformProfiles(t *testing.T) {
	tests := []struct {
		platform     kubesim.Platform
		node         string
		nodeIP       string
		podCIDR      string
		serviceCIDR  string
		dnsIP        string
		coredns      int
		kubeSystem   []string // services
		lbIngress    string
		extraIngress string // traefik's
	}{
		{kubesim.DockerDesktop, "docker-desktop", "192.168.65.3", "10.1.0.0/16", "10.96.0.0/12", "10.96.0.10", 2,
			[]string{"kube-dns"}, "localhost", ""},
		{kubesim.Kind, "kind-control-plane", "172.18.0.2", "10.244.0.0/16", "10.96.0.0/12", "10.96.0.10", 2,
			[]string{"kube-dns"}, "<pending>", ""},
		{kubesim.K3s, "", "", "10.42.0.0/16", "10.43.0.0/16", "10.43.0.10", 1,
			[]string{"kube-dns", "metrics-server", "traefik"}, "NODE", "NODE"},
	}
	for _, tt := range tests {
		t.Run(string(tt.platform), func(t *testing.T) {
			c := newCluster(t, kubesim.Config{Platform: tt.platform, Seed: 1})
			nodes := kubesim.ListOf[*api.Node](c, "", api.Everything())
			if len(nodes) != 1 {
				t.Fatalf("nodes = %v", names(nodes))
			}
			n := nodes[0]
			nodeIP := controller.NodeInternalIP(n).String()
			if tt.node != "" && (n.Name != tt.node || nodeIP != tt.nodeIP) {
				t.Errorf("node %s %s, want %s %s", n.Name, nodeIP, tt.node, tt.nodeIP)
			}
			if p := netip.MustParsePrefix(n.Spec.PodCIDR); !netip.MustParsePrefix(tt.podCIDR).Contains(p.Addr()) {
				t.Errorf("node podCIDR %s outside %s", n.Spec.PodCIDR, tt.podCIDR)
			}
			if got := names(kubesim.ListOf[*api.Namespace](c, "", api.Everything())); !slices.Equal(got, []string{"default", "kube-node-lease", "kube-public", "kube-system"}) {
				t.Errorf("namespaces = %v", got)
			}
			k := svc(t, c, "default", "kubernetes")
			first := netip.MustParsePrefix(tt.serviceCIDR).Addr().Next().String()
			if k.Spec.ClusterIP != first || ports(k) != "443/TCP" {
				t.Errorf("kubernetes = %s %s, want %s 443/TCP", k.Spec.ClusterIP, ports(k), first)
			}
			if got, want := endpoints(t, c, "default", "kubernetes"), nodeIP+":6443"; got != want {
				t.Errorf("kubernetes endpoints = %s, want %s", got, want)
			}
			dns := svc(t, c, "kube-system", "kube-dns")
			if dns.Spec.ClusterIP != tt.dnsIP || ports(dns) != "53/UDP,53/TCP,9153/TCP" {
				t.Errorf("kube-dns = %s %s, want %s 53/UDP,53/TCP,9153/TCP", dns.Spec.ClusterIP, ports(dns), tt.dnsIP)
			}
			coredns := podsOf(c, "kube-system", "k8s-app=kube-dns")
			if len(coredns) != tt.coredns {
				t.Errorf("coredns pods = %d, want %d", len(coredns), tt.coredns)
			}
			var eps []string
			for _, p := range coredns {
				if !controller.IsPodReady(p) || !netip.MustParsePrefix(tt.podCIDR).Contains(p.Status.PodIP) {
					t.Errorf("coredns pod %s ready=%v ip=%s", p.Name, controller.IsPodReady(p), p.Status.PodIP)
				}
				eps = append(eps, p.Status.PodIP.String()+":53", p.Status.PodIP.String()+":53", p.Status.PodIP.String()+":9153")
			}
			if got := endpoints(t, c, "kube-system", "kube-dns"); len(strings.Split(got, ",")) != len(eps) {
				t.Errorf("kube-dns endpoints = %s, want the %d coredns pods on 3 ports", got, len(coredns))
			}
			if got := names(kubesim.ListOf[*api.Service](c, "kube-system", api.Everything())); !slices.Equal(got, tt.kubeSystem) {
				t.Errorf("kube-system services = %v, want %v", got, tt.kubeSystem)
			}
			for _, s := range tt.kubeSystem {
				ip := netip.MustParseAddr(svc(t, c, "kube-system", s).Spec.ClusterIP)
				if !netip.MustParsePrefix(tt.serviceCIDR).Contains(ip) {
					t.Errorf("%s at %s outside %s", s, ip, tt.serviceCIDR)
				}
				if got := endpoints(t, c, "kube-system", s); got == "<none>" {
					t.Errorf("%s has no endpoints", s)
				}
			}
			if tt.extraIngress != "" {
				if got := ingress(svc(t, c, "kube-system", "traefik")); got != nodeIP {
					t.Errorf("traefik ingress = %s, want the node IP %s", got, nodeIP)
				}
			}
			mustApply(t, c, []byte(lbManifest))
			settle(t, c)
			want := strings.ReplaceAll(tt.lbIngress, "NODE", nodeIP)
			web := svc(t, c, "default", "web")
			if got := ingress(web); got != want {
				t.Errorf("load balancer ingress = %s, want %s", got, want)
			}
			if np := web.Spec.Ports[0].NodePort; np < 30000 || np > 32767 {
				t.Errorf("load balancer node port = %d", np)
			}
		})
	}
}

func TestConfigFieldsOnTheirOwn(t *testing.T) {
	c := newCluster(t, kubesim.Config{
		Platform:      kubesim.Kind,
		Seed:          1,
		ClusterCIDRs:  []netip.Prefix{netip.MustParsePrefix("10.200.0.0/16")},
		ServiceCIDRs:  []netip.Prefix{netip.MustParsePrefix("10.100.0.0/24")},
		DNSServiceIP:  netip.MustParseAddr("10.100.0.53"),
		NodePortRange: api.PortRange{Base: 31000, Size: 10},
		Nodes: []kubesim.Node{
			{Name: "cp", IP: netip.MustParseAddr("172.18.0.2"), Zone: "z1"},
			{Name: "worker", IP: netip.MustParseAddr("172.18.0.3"), Zone: "z2", Labels: map[string]string{"disk": "ssd"}},
		},
		CoreDNSReplicas: 3,
	})
	if got := svc(t, c, "default", "kubernetes").Spec.ClusterIP; got != "10.100.0.1" {
		t.Errorf("kubernetes at %s, want 10.100.0.1", got)
	}
	if got := svc(t, c, "kube-system", "kube-dns").Spec.ClusterIP; got != "10.100.0.53" {
		t.Errorf("kube-dns at %s", got)
	}
	var got []string
	for _, n := range kubesim.ListOf[*api.Node](c, "", api.Everything()) {
		got = append(got, fmt.Sprintf("%s %s %s zone=%s disk=%s", n.Name, controller.NodeInternalIP(n), n.Spec.PodCIDR, n.Labels[controller.LabelZone], n.Labels["disk"]))
	}
	if want := []string{"cp 172.18.0.2 10.200.0.0/24 zone=z1 disk=", "worker 172.18.0.3 10.200.1.0/24 zone=z2 disk=ssd"}; !slices.Equal(got, want) {
		t.Errorf("nodes = %q, want %q", got, want)
	}
	if n := len(podsOf(c, "kube-system", "k8s-app=kube-dns")); n != 3 {
		t.Errorf("coredns replicas = %d, want 3", n)
	}
	res, err := c.Apply([]byte(`apiVersion: v1
kind: Service
metadata: {name: np}
spec:
  type: NodePort
  selector: {app: x}
  ports: [{port: 80}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if np := svc(t, c, "default", "np").Spec.Ports[0].NodePort; np < 31000 || np > 31009 {
		t.Errorf("%v: node port %d outside 31000-31009", res, np)
	}
	_, err = c.Apply([]byte(`apiVersion: v1
kind: Service
metadata: {name: np2}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 30080}]
`))
	if want := `Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 31000-31009`; err == nil || err.Error() != want {
		t.Errorf("node port outside the configured range: %v\nwant %q", err, want)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  kubesim.Config
		want string
	}{
		{"unknown platform", kubesim.Config{Platform: "minikube"}, `unknown platform "minikube"`},
		{"overlapping ranges", kubesim.Config{ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.96.0.0/16")}}, "overlaps"},
		{"DNS IP outside", kubesim.Config{DNSServiceIP: netip.MustParseAddr("10.0.0.10")}, "outside service CIDR"},
		{"two IPv4 service ranges", kubesim.Config{ServiceCIDRs: []netip.Prefix{netip.MustParsePrefix("10.96.0.0/16"), netip.MustParsePrefix("10.97.0.0/16")}}, "one per IP family"},
		{"duplicate node", kubesim.Config{Nodes: []kubesim.Node{{Name: "a"}, {Name: "a"}}}, "unique"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := kubesim.New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestNodesAppliedByTheUser: Node objects a manifest brings are scheduled to,
// with the podCIDR and zone they carry.
func TestNodesAppliedByTheUser(t *testing.T) {
	c := newCluster(t, kubesim.Config{Seed: 1})
	got := mustApply(t, c, []byte(`apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels:
    topology.kubernetes.io/zone: eu-west-1b
    pool: big
spec:
  podCIDR: 10.1.77.0/24
status:
  addresses:
    - {type: InternalIP, address: 192.168.65.10}
  conditions:
    - {type: Ready, status: "True"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {pool: big}
      containers: [{name: web, image: nginx:1.25, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`))
	if want := []string{"node/worker-1 created", "deployment.apps/web created", "service/web created"}; !slices.Equal(got, want) {
		t.Errorf("apply = %q, want %q", got, want)
	}
	settle(t, c)
	n, err := kubesim.Get[*api.Node](c, "", "worker-1")
	if err != nil {
		t.Fatal(err)
	}
	if n.Spec.PodCIDR != "10.1.77.0/24" || !slices.Equal(n.Spec.PodCIDRs, []string{"10.1.77.0/24"}) {
		t.Errorf("podCIDR %s %v, want 10.1.77.0/24", n.Spec.PodCIDR, n.Spec.PodCIDRs)
	}
	for _, p := range podsOf(c, "default", "app=web") {
		if p.Spec.NodeName != "worker-1" || !netip.MustParsePrefix("10.1.77.0/24").Contains(p.Status.PodIP) ||
			p.Status.HostIP.String() != "192.168.65.10" || !controller.IsPodReady(p) {
			t.Errorf("pod %s on %s ip %s host %s", p.Name, p.Spec.NodeName, p.Status.PodIP, p.Status.HostIP)
		}
	}
	sl := kubesim.ListOf[*api.EndpointSlice](c, "default", api.SelectorFromSet(map[string]string{api.LabelServiceName: "web"}))
	if len(sl) != 1 || len(sl[0].Endpoints) != 2 {
		t.Fatalf("slices = %+v", sl)
	}
	for _, ep := range sl[0].Endpoints {
		if ep.Zone == nil || *ep.Zone != "eu-west-1b" || ep.NodeName == nil || *ep.NodeName != "worker-1" {
			t.Errorf("endpoint %v: zone %v node %v", ep.Addresses, ep.Zone, ep.NodeName)
		}
	}
	// Applying the same Node manifest again changes nothing: spec.podCIDRs
	// follows spec.podCIDR, and the podCIDR the cluster carved for a node
	// whose manifest has none stays, as kubectl's merge leaves it.
	reapply := []struct{ name, manifest string }{
		{"worker-1", `apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels:
    topology.kubernetes.io/zone: eu-west-1b
    pool: big
spec:
  podCIDR: 10.1.77.0/24
status:
  addresses:
    - {type: InternalIP, address: 192.168.65.10}
  conditions:
    - {type: Ready, status: "True"}
`},
		{"worker-2", `apiVersion: v1
kind: Node
metadata: {name: worker-2}
status:
  addresses:
    - {type: InternalIP, address: 192.168.65.11}
  conditions:
    - {type: Ready, status: "True"}
`},
	}
	for _, tt := range reapply {
		if tt.name != "worker-1" {
			mustApply(t, c, []byte(tt.manifest))
			settle(t, c)
		}
		before, _ := kubesim.Get[*api.Node](c, "", tt.name)
		if got := mustApply(t, c, []byte(tt.manifest)); !slices.Equal(got, []string{"node/" + tt.name + " unchanged"}) {
			t.Errorf("re-apply of %s = %q, want unchanged", tt.name, got)
		}
		after, _ := kubesim.Get[*api.Node](c, "", tt.name)
		if after.Spec.PodCIDR != before.Spec.PodCIDR || !slices.Equal(after.Spec.PodCIDRs, before.Spec.PodCIDRs) || len(after.Spec.PodCIDRs) == 0 {
			t.Errorf("re-apply of %s: podCIDR %s podCIDRs %v, was %s %v", tt.name, after.Spec.PodCIDR, after.Spec.PodCIDRs, before.Spec.PodCIDR, before.Spec.PodCIDRs)
		}
	}
}

func TestDualStackCluster(t *testing.T) {
	c := newCluster(t, kubesim.Config{
		Seed:         1,
		ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("fd00:10:1::/56")},
		ServiceCIDRs: []netip.Prefix{netip.MustParsePrefix("10.96.0.0/12"), netip.MustParsePrefix("fd00:10:96::/112")},
		Nodes: []kubesim.Node{{Name: "a", IP: netip.MustParseAddr("192.168.0.1")},
			{Name: "b", IP: netip.MustParseAddr("192.168.0.2")}},
	})
	if got := svc(t, c, "default", "kubernetes").Spec.ClusterIPs; !slices.Equal(got, []string{"10.96.0.1"}) {
		t.Errorf("kubernetes clusterIPs = %v", got)
	}
	mustApply(t, c, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ipFamilyPolicy: PreferDualStack
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web6}
spec:
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv6, IPv4]
  selector: {app: web}
  ports: [{port: 80}]
`))
	settle(t, c)
	web, web6 := svc(t, c, "default", "web"), svc(t, c, "default", "web6")
	if len(web.Spec.ClusterIPs) != 2 || !netip.MustParseAddr(web.Spec.ClusterIPs[0]).Is4() || !netip.MustParseAddr(web.Spec.ClusterIPs[1]).Is6() {
		t.Errorf("web clusterIPs = %v, want IPv4 then IPv6", web.Spec.ClusterIPs)
	}
	if len(web6.Spec.ClusterIPs) != 2 || !netip.MustParseAddr(web6.Spec.ClusterIPs[0]).Is6() || web6.Spec.ClusterIP != web6.Spec.ClusterIPs[0] {
		t.Errorf("web6 clusterIPs = %v, want IPv6 first", web6.Spec.ClusterIPs)
	}
	seen := map[netip.Addr]string{}
	for _, n := range kubesim.ListOf[*api.Node](c, "", api.Everything()) {
		if len(n.Spec.PodCIDRs) != 2 {
			t.Errorf("node %s podCIDRs %v, want one per family", n.Name, n.Spec.PodCIDRs)
		}
	}
	for _, p := range podsOf(c, "", "") {
		if len(p.Status.PodIPs) != 2 {
			t.Errorf("pod %s IPs %v, want two", p.Name, p.Status.PodIPs)
		}
		for _, ip := range p.Status.PodIPs {
			if other, dup := seen[ip.IP]; dup {
				t.Errorf("pods %s and %s share %s", other, p.Name, ip.IP)
			}
			seen[ip.IP] = p.Name
		}
	}
	sl := kubesim.ListOf[*api.EndpointSlice](c, "default", api.SelectorFromSet(map[string]string{api.LabelServiceName: "web"}))
	var types []string
	for _, s := range sl {
		types = append(types, fmt.Sprintf("%s:%d", s.AddressType, len(s.Endpoints)))
	}
	slices.Sort(types)
	if !slices.Equal(types, []string{"IPv4:4", "IPv6:4"}) {
		t.Errorf("web slices = %v, want 4 endpoints per family", types)
	}
}
