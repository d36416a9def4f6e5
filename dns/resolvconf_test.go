package dns

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
)

func podWith(nsName string, policy api.DNSPolicy, hostNet bool, dc *api.PodDNSConfig) *api.Pod {
	p := podObj(nsName, "p", "10.1.0.5", api.PodRunning)
	p.UID = "uid-1"
	p.Spec.DNSPolicy = policy
	p.Spec.HostNetwork = hostNet
	p.Spec.DNSConfig = dc
	return p
}

func TestPodResolvConf(t *testing.T) {
	node := ClusterDNSConfig{
		ClusterDomain:  "cluster.local",
		ClusterDNS:     []netip.Addr{netip.MustParseAddr("10.96.0.10")},
		HostResolvConf: &ResolvConf{Nameservers: []string{"192.168.65.7", "8.8.8.8"}, Searches: []string{"corp.example.", "example."}, Options: []string{"timeout:2", "edns0"}},
	}
	noFile := node
	noFile.HostResolvConf = nil
	noFile.NodeIPs = []netip.Addr{netip.MustParseAddr("192.168.1.2"), netip.MustParseAddr("fd00::2")}
	noDNS := node
	noDNS.ClusterDNS = nil
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf("d%02d.example.com", i)
	}
	long := strings.Repeat("x", 60) + "." + strings.Repeat("y", 60) + "." + strings.Repeat("z", 60) + "." + strings.Repeat("w", 60) + ".com" // 248 chars
	tests := []struct {
		name  string
		pod   *api.Pod
		cfg   ClusterDNSConfig
		want  string
		warns []string
	}{
		{"ClusterFirst", podWith("default", api.DNSClusterFirst, false, nil), DefaultClusterDNSConfig(),
			"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", nil},
		{"unset policy is ClusterFirst", podWith("web", "", false, nil), DefaultClusterDNSConfig(),
			"search web.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", nil},
		{"ClusterFirst with node search", podWith("web", api.DNSClusterFirst, false, nil), node,
			"search web.svc.cluster.local svc.cluster.local cluster.local corp.example example\nnameserver 10.96.0.10\noptions ndots:5\n", nil},
		{"ClusterFirst on the host network is Default", podWith("web", api.DNSClusterFirst, true, nil), node,
			"search corp.example example\nnameserver 192.168.65.7\nnameserver 8.8.8.8\noptions timeout:2 edns0\n", nil},
		{"ClusterFirstWithHostNet", podWith("web", api.DNSClusterFirstWithHostNet, true, nil), node,
			"search web.svc.cluster.local svc.cluster.local cluster.local corp.example example\nnameserver 10.96.0.10\noptions ndots:5\n", nil},
		{"Default", podWith("web", api.DNSDefault, false, nil), node,
			"search corp.example example\nnameserver 192.168.65.7\nnameserver 8.8.8.8\noptions timeout:2 edns0\n", nil},
		{"Default without a node file", podWith("web", api.DNSDefault, false, nil), noFile,
			"search .\nnameserver 127.0.0.1\nnameserver ::1\n", nil},
		{"None", podWith("web", api.DNSNone, false, &api.PodDNSConfig{Nameservers: []string{"1.1.1.1"}, Searches: []string{"a.example"}, Options: []api.PodDNSConfigOption{{Name: "ndots", Value: ptr("2")}}}), node,
			"search a.example\nnameserver 1.1.1.1\noptions ndots:2\n", nil},
		{"dnsConfig merged", podWith("web", api.DNSClusterFirst, false, &api.PodDNSConfig{
			Nameservers: []string{"10.96.0.10", "1.1.1.1"},
			Searches:    []string{"cluster.local", "extra.example"},
			Options:     []api.PodDNSConfigOption{{Name: "ndots", Value: ptr("2")}, {Name: "single-request-reopen"}, {Name: "timeout", Value: ptr("1")}},
		}), DefaultClusterDNSConfig(),
			"search web.svc.cluster.local svc.cluster.local cluster.local extra.example\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:2 single-request-reopen timeout:1\n", nil},
		{"missing cluster DNS", podWith("web", api.DNSClusterFirst, false, nil), noDNS,
			"search corp.example example\nnameserver 192.168.65.7\nnameserver 8.8.8.8\noptions timeout:2 edns0\n",
			[]string{`MissingClusterDNS: pod: "p_web(uid-1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`}},
		{"too many nameservers", podWith("web", api.DNSClusterFirst, false, &api.PodDNSConfig{Nameservers: []string{"1.1.1.1", "8.8.8.8", "9.9.9.9"}}), DefaultClusterDNSConfig(),
			"search web.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\nnameserver 1.1.1.1\nnameserver 8.8.8.8\noptions ndots:5\n",
			[]string{"DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 8.8.8.8"}},
		{"too many search domains", podWith("web", api.DNSClusterFirst, false, &api.PodDNSConfig{Searches: many}), DefaultClusterDNSConfig(),
			"search web.svc.cluster.local svc.cluster.local cluster.local " + strings.Join(many[:29], " ") + "\nnameserver 10.96.0.10\noptions ndots:5\n",
			[]string{"DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: web.svc.cluster.local svc.cluster.local cluster.local " + strings.Join(many[:29], " ")}},
		{"search line over 2048 characters", podWith("web", api.DNSClusterFirst, false, &api.PodDNSConfig{Searches: []string{long + "1", long + "2", long + "3", long + "4", long + "5", long + "6", long + "7", long + "8", long + "9"}}), DefaultClusterDNSConfig(),
			"search web.svc.cluster.local svc.cluster.local cluster.local " + strings.Join([]string{long + "1", long + "2", long + "3", long + "4", long + "5", long + "6", long + "7", long + "8"}, " ") + "\nnameserver 10.96.0.10\noptions ndots:5\n",
			[]string{"DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: web.svc.cluster.local svc.cluster.local cluster.local " + strings.Join([]string{long + "1", long + "2", long + "3", long + "4", long + "5", long + "6", long + "7", long + "8"}, " ")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, warns := PodResolvConf(tt.pod, tt.cfg)
			if got := rc.String(); got != tt.want {
				t.Errorf("resolv.conf:\ngot:\n%swant:\n%s", got, tt.want)
			}
			var ws []string
			for _, w := range warns {
				ws = append(ws, w.Reason+": "+w.Message)
			}
			if strings.Join(ws, "\n") != strings.Join(tt.warns, "\n") {
				t.Errorf("warnings:\ngot:  %q\nwant: %q", ws, tt.warns)
			}
		})
	}
}

func TestParseResolvConf(t *testing.T) {
	rc := ParseResolvConf("# generated\nnameserver 10.0.0.1\nsearch a.example. b.example\nnameserver 10.0.0.2\noptions ndots:1\nsearch c.example\noptions ndots:3 rotate\nnameserver\n")
	want := "search c.example\nnameserver 10.0.0.1\nnameserver 10.0.0.2\noptions ndots:3 rotate\n"
	if rc.String() != want {
		t.Errorf("got:\n%swant:\n%s", rc.String(), want)
	}
	if v, ok := rc.Option("ndots"); !ok || v != "3" {
		t.Errorf("ndots = %q %v", v, ok)
	}
	if back := ParseResolvConf(rc.String()); back.String() != rc.String() {
		t.Errorf("round trip: %q", back.String())
	}
}

func TestValidatePodDNS(t *testing.T) {
	ten := make([]string, 33)
	for i := range ten {
		ten[i] = fmt.Sprintf("s%d.example", i)
	}
	tests := []struct {
		name string
		spec api.PodSpec
		want []string
	}{
		{"ok", api.PodSpec{DNSPolicy: api.DNSClusterFirst, DNSConfig: &api.PodDNSConfig{Nameservers: []string{"1.1.1.1"}, Searches: []string{"a.example."}}}, nil},
		{"bad policy", api.PodSpec{DNSPolicy: "Cluster"}, []string{`spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`}},
		{"None without dnsConfig", api.PodSpec{DNSPolicy: api.DNSNone}, []string{"spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"}},
		{"None without nameserver", api.PodSpec{DNSPolicy: api.DNSNone, DNSConfig: &api.PodDNSConfig{}}, []string{"spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"}},
		{"four nameservers", api.PodSpec{DNSConfig: &api.PodDNSConfig{Nameservers: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "x"}}}, []string{
			`spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "x"}: must not have more than 3 nameservers`,
			`spec.dnsConfig.nameservers[3]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
		}},
		{"33 searches", api.PodSpec{DNSConfig: &api.PodDNSConfig{Searches: ten}}, []string{
			fmt.Sprintf("spec.dnsConfig.searches: Invalid value: %#v: must not have more than 32 search paths", ten),
		}},
		{"bad search", api.PodSpec{DNSConfig: &api.PodDNSConfig{Searches: []string{"Upper.example", "ok.example"}, Options: []api.PodDNSConfigOption{{}}}}, []string{
			`spec.dnsConfig.searches[0]: Invalid value: "Upper.example": ` + dns1123SubdomainMsg,
			"spec.dnsConfig.options[0]: Required value: must not be empty",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range ValidatePodDNS(&tt.spec) {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	// the length limit counts the separating spaces
	long := make([]string, 9)
	for i := range long {
		long[i] = strings.Repeat("a", 62) + "." + strings.Repeat("b", 62) + "." + strings.Repeat("c", 62) + "." + strings.Repeat("d", 60) + fmt.Sprint(i)
	}
	errs := ValidatePodDNS(&api.PodSpec{DNSConfig: &api.PodDNSConfig{Searches: long}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "must not have more than 2048 characters (including spaces) in the search list") {
		t.Errorf("2048: %v", errs)
	}
}
