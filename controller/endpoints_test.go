package controller_test

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/store"
)

func port(name string, n int32) api.ContainerPort {
	return api.ContainerPort{Name: name, ContainerPort: n}
}

// readyAfter gives a pod a readiness probe with the given initial delay.
func readyAfter(p *api.Pod, d time.Duration) *api.Pod {
	p.Spec.Containers[0].ReadinessProbe = &api.Probe{InitialDelaySeconds: int32(d / time.Second), TCPSocket: []byte(`{"port": 80}`)}
	return p
}

// sliceString renders a service's managed slices: per slice its address type,
// ports and endpoints with their conditions (r=ready, s=serving,
// t=terminating), node, zone and hostname.
func sliceString(sl []*api.EndpointSlice) string {
	var out []string
	for _, s := range sl {
		var ports []string
		for _, p := range s.Ports {
			ports = append(ports, fmt.Sprintf("%s=%d/%s", deref(p.Name), deref(p.Port), deref(p.Protocol)))
		}
		var eps []string
		for _, e := range s.Endpoints {
			v := e.Addresses[0].String()
			c := e.Conditions
			v += fmt.Sprintf(" r=%s s=%s t=%s", bstr(c.Ready), bstr(c.Serving), bstr(c.Terminating))
			if e.NodeName != nil {
				v += " node=" + *e.NodeName
			}
			if e.Zone != nil {
				v += " zone=" + *e.Zone
			}
			if e.Hostname != nil {
				v += " host=" + *e.Hostname
			}
			eps = append(eps, v)
		}
		out = append(out, fmt.Sprintf("%s %s [%s] {%s}", s.Labels[api.LabelManagedBy], s.AddressType, strings.Join(ports, " "), strings.Join(eps, ", ")))
	}
	slices.Sort(out)
	return strings.Join(out, "; ")
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func bstr(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "1"
	}
	return "0"
}

func TestEndpointsReadyAndNotReady(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	e.create(service("default", "web", map[string]string{"app": "web"}))
	pub := service("default", "web-all", map[string]string{"app": "web"})
	pub.Spec.PublishNotReadyAddresses = true
	e.create(pub)
	e.create(bare("default", "fast", map[string]string{"app": "web"}, container("nginx:1.25")))
	e.create(readyAfter(bare("default", "slow", map[string]string{"app": "web"}, container("nginx:1.25")), time.Minute))
	e.loop.RunFor(10 * time.Second) // both running, only fast Ready
	fast, slow := e.pod("default", "fast").Status.PodIP, e.pod("default", "slow").Status.PodIP
	tests := []struct {
		svc, wantEP, wantSlices string
	}{
		{"web", fmt.Sprintf("ready:[%s] notReady:[%s] ports:[=8080/TCP]", fast, slow),
			fmt.Sprintf("endpointslice-controller.k8s.io IPv4 [=8080/TCP] {%s r=1 s=1 t=0 node=node-a, %s r=0 s=0 t=0 node=node-a}", fast, slow)},
		// publishNotReadyAddresses lists every address as ready; serving
		// still says whether the pod is Ready (podToEndpoint).
		{"web-all", fmt.Sprintf("ready:[%s %s] notReady:[] ports:[=8080/TCP]", fast, slow),
			fmt.Sprintf("endpointslice-controller.k8s.io IPv4 [=8080/TCP] {%s r=1 s=1 t=0 node=node-a, %s r=1 s=0 t=0 node=node-a}", fast, slow)},
	}
	for _, tt := range tests {
		t.Run(tt.svc, func(t *testing.T) {
			if got := epString(e.endpoints("default", tt.svc)); got != tt.wantEP {
				t.Errorf("endpoints:\n got %s\nwant %s", got, tt.wantEP)
			}
			if got := sliceString(e.slices("default", tt.svc)); got != tt.wantSlices {
				t.Errorf("slices:\n got %s\nwant %s", got, tt.wantSlices)
			}
		})
	}
	e.settle()
	if got, want := epString(e.endpoints("default", "web")), fmt.Sprintf("ready:[%s %s] notReady:[] ports:[=8080/TCP]", fast, slow); got != want {
		t.Errorf("after settling: %s, want %s", got, want)
	}
}

func TestEndpointsTargetPorts(t *testing.T) {
	named := []api.ServicePort{{Name: "http", Port: 80, TargetPort: api.FromString("http")}}
	tests := []struct {
		name    string
		ports   []api.ServicePort
		pods    map[string][]api.ContainerPort
		wantEP  string
		wantSPs string // slice ports per slice
	}{
		{"numeric", []api.ServicePort{{Port: 80, TargetPort: api.FromInt(8080)}},
			map[string][]api.ContainerPort{"a": nil, "b": {port("http", 9090)}},
			"ready:[IP(a) IP(b)] notReady:[] ports:[=8080/TCP]", "[=8080/TCP]"},
		{"named, same port everywhere", named,
			map[string][]api.ContainerPort{"a": {port("http", 8080)}, "b": {port("http", 8080)}},
			"ready:[IP(a) IP(b)] notReady:[] ports:[http=8080/TCP]", "[http=8080/TCP]"},
		// Pods that name the port differently end up in different subsets
		// and slices; a pod without the name is left out.
		{"named, different ports", named,
			map[string][]api.ContainerPort{"a": {port("http", 8080)}, "b": {port("http", 9090)}, "c": {port("web", 8080)}},
			"ready:[IP(a)] notReady:[] ports:[http=8080/TCP]; ready:[IP(b)] notReady:[] ports:[http=9090/TCP]",
			"[http=8080/TCP] [http=9090/TCP]"},
		{"named, protocol must match", []api.ServicePort{{Name: "dns", Port: 53, Protocol: api.ProtocolUDP, TargetPort: api.FromString("dns")}},
			map[string][]api.ContainerPort{"a": {{Name: "dns", ContainerPort: 5353, Protocol: api.ProtocolUDP}}, "b": {{Name: "dns", ContainerPort: 5353, Protocol: api.ProtocolTCP}}},
			"ready:[IP(a)] notReady:[] ports:[dns=5353/UDP]", "[dns=5353/UDP]"},
		{"two ports, one missing on a pod", []api.ServicePort{
			{Name: "http", Port: 80, TargetPort: api.FromString("http")},
			{Name: "metrics", Port: 9100, TargetPort: api.FromString("metrics")}},
			map[string][]api.ContainerPort{"a": {port("http", 8080), port("metrics", 9100)}, "b": {port("http", 8080)}},
			"ready:[IP(a)] notReady:[] ports:[http=8080/TCP metrics=9100/TCP]; ready:[IP(b)] notReady:[] ports:[http=8080/TCP]",
			"[http=8080/TCP metrics=9100/TCP] [http=8080/TCP]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{seed: 1})
			e.create(service("default", "web", map[string]string{"app": "web"}, tt.ports...))
			for _, n := range slices.Sorted(maps.Keys(tt.pods)) {
				e.create(bare("default", n, map[string]string{"app": "web"}, container("nginx:1.25", tt.pods[n]...)))
			}
			e.settle()
			want := tt.wantEP
			for n := range tt.pods {
				want = strings.ReplaceAll(want, "IP("+n+")", e.pod("default", n).Status.PodIP.String())
			}
			if got := epString(e.endpoints("default", "web")); got != want {
				t.Errorf("endpoints:\n got %s\nwant %s", got, want)
			}
			var sps []string
			for _, s := range e.slices("default", "web") {
				var ps []string
				for _, p := range s.Ports {
					ps = append(ps, fmt.Sprintf("%s=%d/%s", deref(p.Name), deref(p.Port), deref(p.Protocol)))
				}
				sps = append(sps, "["+strings.Join(ps, " ")+"]")
			}
			if got, want := strings.Join(sps, " "), tt.wantSPs; !sameWords(got, want) {
				t.Errorf("slice ports = %s, want %s", got, want)
			}
		})
	}
}

func sameWords(a, b string) bool {
	x, y := strings.Split(a, "] ["), strings.Split(b, "] [")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func TestEndpointsHostnames(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{{name: "a", ip: "10.0.0.1", zone: "zone-1"}}})
	hl := service("default", "db", map[string]string{"app": "db"}, api.ServicePort{Name: "pg", Port: 5432})
	hl.Spec.ClusterIP = api.ClusterIPNone
	e.create(hl)
	e.create(service("default", "db-other", map[string]string{"app": "db"}, api.ServicePort{Name: "pg", Port: 5432}))
	mk := func(name, hostname, subdomain string, ip string) {
		p := bare("default", name, map[string]string{"app": "db"}, container("postgres:16"))
		p.Spec.Hostname, p.Spec.Subdomain = hostname, subdomain
		p.Annotations = map[string]string{controller.AnnotationPodIP: ip}
		e.create(p)
	}
	mk("db-0", "db-0", "db", "10.1.0.10")
	mk("db-1", "db-1", "other", "10.1.0.11")
	mk("db-2", "", "db", "10.1.0.12")
	e.settle()
	tests := []struct {
		svc, wantEP, wantSlices string
		headless                bool
	}{
		{"db", "ready:[10.1.0.10(db-0) 10.1.0.11 10.1.0.12] notReady:[] ports:[pg=5432/TCP]",
			"endpointslice-controller.k8s.io IPv4 [pg=5432/TCP] {10.1.0.10 r=1 s=1 t=0 node=a zone=zone-1 host=db-0, 10.1.0.11 r=1 s=1 t=0 node=a zone=zone-1, 10.1.0.12 r=1 s=1 t=0 node=a zone=zone-1}", true},
		{"db-other", "ready:[10.1.0.10 10.1.0.11 10.1.0.12] notReady:[] ports:[pg=5432/TCP]",
			"endpointslice-controller.k8s.io IPv4 [pg=5432/TCP] {10.1.0.10 r=1 s=1 t=0 node=a zone=zone-1, 10.1.0.11 r=1 s=1 t=0 node=a zone=zone-1, 10.1.0.12 r=1 s=1 t=0 node=a zone=zone-1}", false},
	}
	for _, tt := range tests {
		t.Run(tt.svc, func(t *testing.T) {
			ep := e.endpoints("default", tt.svc)
			if got := epString(ep); got != tt.wantEP {
				t.Errorf("endpoints:\n got %s\nwant %s", got, tt.wantEP)
			}
			sl := e.slices("default", tt.svc)
			if got := sliceString(sl); got != tt.wantSlices {
				t.Errorf("slices:\n got %s\nwant %s", got, tt.wantSlices)
			}
			_, epHL := ep.Labels["service.kubernetes.io/headless"]
			_, slHL := sl[0].Labels["service.kubernetes.io/headless"]
			if epHL != tt.headless || slHL != tt.headless {
				t.Errorf("headless label on endpoints %v, on slice %v; want %v", epHL, slHL, tt.headless)
			}
			for _, a := range ep.Subsets[0].Addresses {
				if a.NodeName == nil || *a.NodeName != "a" || a.TargetRef == nil || a.TargetRef.Kind != "Pod" {
					t.Errorf("address %s: nodeName %v targetRef %+v", a.IP, a.NodeName, a.TargetRef)
				}
			}
		})
	}
}

func TestSelectorlessServices(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	// Hand-written Endpoints, mirrored into a slice.
	e.apply(
		&api.Service{ObjectMeta: api.ObjectMeta{Name: "ext", Namespace: "default"},
			Spec: api.ServiceSpec{Ports: []api.ServicePort{{Port: 80}}}},
		&api.Endpoints{ObjectMeta: api.ObjectMeta{Name: "ext", Namespace: "default"},
			Subsets: []api.EndpointSubset{{
				Addresses:         []api.EndpointAddress{{IP: netip.MustParseAddr("192.168.123.234")}},
				NotReadyAddresses: []api.EndpointAddress{{IP: netip.MustParseAddr("192.168.123.235")}},
				Ports:             []api.EndpointPort{{Port: 80}},
			}}},
	)
	// A hand-written EndpointSlice, and no Endpoints.
	e.apply(
		&api.Service{ObjectMeta: api.ObjectMeta{Name: "manual", Namespace: "default"},
			Spec: api.ServiceSpec{Ports: []api.ServicePort{{Name: "http", Port: 80}}}},
		&api.EndpointSlice{ObjectMeta: api.ObjectMeta{Name: "manual-1", Namespace: "default",
			Labels: map[string]string{api.LabelServiceName: "manual", api.LabelManagedBy: "staff"}},
			AddressType: api.AddressTypeIPv4,
			Endpoints:   []api.Endpoint{{Addresses: []netip.Addr{netip.MustParseAddr("192.168.1.1")}}},
			Ports:       []api.EndpointSlicePort{{Name: ptr("http"), Port: ptr[int32](8080)}}},
	)
	manualRV := e.st.Peek(api.Ref{Kind: api.KindEndpointSlice, Namespace: "default", Name: "manual-1"}).GetObjectMeta().ResourceVersion
	e.settle()

	if got, want := epString(e.endpoints("default", "ext")), "ready:[192.168.123.234] notReady:[192.168.123.235] ports:[=80/TCP]"; got != want {
		t.Errorf("hand-written endpoints changed: %s", got)
	}
	mirrored := e.slices("default", "ext")
	if got, want := sliceString(mirrored), "endpointslicemirroring-controller.k8s.io IPv4 [=80/TCP] {192.168.123.234 r=1 s=nil t=nil, 192.168.123.235 r=0 s=nil t=nil}"; got != want {
		t.Errorf("mirrored slices:\n got %s\nwant %s", got, want)
	}
	if len(mirrored) == 1 {
		if c := api.ControllerOf(mirrored[0]); c == nil || c.Kind != "Service" || c.Name != "ext" {
			t.Errorf("mirrored slice owner = %+v", c)
		}
		if !strings.HasPrefix(mirrored[0].Name, "ext-") {
			t.Errorf("mirrored slice name %q, want ext-<suffix>", mirrored[0].Name)
		}
	}
	manual := e.slices("default", "manual")
	if len(manual) != 1 || manual[0].Name != "manual-1" || manual[0].ResourceVersion != manualRV {
		t.Errorf("hand-written slice touched: %+v", manual)
	}
	if e.endpoints("default", "manual") != nil {
		t.Error("Endpoints created for a selector-less service")
	}

	// Editing the Endpoints updates the mirror; deleting them removes it.
	ep := e.endpoints("default", "ext").DeepCopy()
	ep.Subsets[0].Addresses = append(ep.Subsets[0].Addresses, api.EndpointAddress{IP: netip.MustParseAddr("192.168.123.236")})
	e.update(ep)
	e.settle()
	if got := sliceString(e.slices("default", "ext")); !strings.Contains(got, "192.168.123.236 r=1") {
		t.Errorf("mirror after the edit: %s", got)
	}
	e.delete(api.RefOf(ep), nil)
	e.settle()
	if got := e.slices("default", "ext"); len(got) != 0 {
		t.Errorf("mirrored slices left after the Endpoints went: %s", sliceString(got))
	}

	// Deleting the services takes their Endpoints and mirrored slices; the
	// hand-written slice is owned by no one and stays.
	e.delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "manual"}, nil)
	e.settle()
	if got := e.slices("default", "manual"); len(got) != 1 {
		t.Errorf("hand-written slice after its service went: %d", len(got))
	}
}

func ptr[T any](v T) *T { return &v }

func TestTerminatingPodEndpoints(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1, nodes: []nodeSpec{{name: "a", ip: "10.0.0.1", zone: "eu-1a"}}})
	e.create(service("default", "web", map[string]string{"app": "web"}))
	pub := service("default", "web-all", map[string]string{"app": "web"})
	pub.Spec.PublishNotReadyAddresses = true
	e.create(pub)
	p := bare("default", "p", map[string]string{"app": "web"}, container("nginx:1.25"))
	p.Spec.Containers[0].Lifecycle = &api.Lifecycle{PreStop: &api.LifecycleHandler{Sleep: &api.SleepAction{Seconds: 10}}}
	e.create(p)
	e.settle()
	ip := e.pod("default", "p").Status.PodIP
	e.delete(api.RefOf(p), nil)
	e.loop.RunFor(5 * time.Second)
	tests := []struct {
		svc, wantEP, wantSlices string
	}{
		{"web", "<empty>", fmt.Sprintf("endpointslice-controller.k8s.io IPv4 [=8080/TCP] {%s r=0 s=1 t=1 node=a zone=eu-1a}", ip)},
		{"web-all", fmt.Sprintf("ready:[%s] notReady:[] ports:[=8080/TCP]", ip),
			fmt.Sprintf("endpointslice-controller.k8s.io IPv4 [=8080/TCP] {%s r=1 s=1 t=1 node=a zone=eu-1a}", ip)},
	}
	for _, tt := range tests {
		t.Run(tt.svc, func(t *testing.T) {
			if got := epString(e.endpoints("default", tt.svc)); got != tt.wantEP {
				t.Errorf("endpoints while terminating:\n got %s\nwant %s", got, tt.wantEP)
			}
			if got := sliceString(e.slices("default", tt.svc)); got != tt.wantSlices {
				t.Errorf("slices while terminating:\n got %s\nwant %s", got, tt.wantSlices)
			}
		})
	}
	e.settle()
	for _, s := range []string{"web", "web-all"} {
		if got := epString(e.endpoints("default", s)); got != "<empty>" {
			t.Errorf("%s endpoints after the pod went: %s", s, got)
		}
		// The controller keeps one empty slice for a selector service.
		if got := sliceString(e.slices("default", s)); got != "endpointslice-controller.k8s.io IPv4 [] {}" {
			t.Errorf("%s slices after the pod went: %s", s, got)
		}
	}
}

func TestDeletingServiceDeletesEndpointsAndSlices(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	e.apply(deploy("default", "web", 2, container("nginx:1.25")), service("default", "web", map[string]string{"app": "web"}))
	e.settle()
	if e.endpoints("default", "web") == nil || len(e.slices("default", "web")) != 1 {
		t.Fatal("no endpoints or slice for web")
	}
	e.delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "web"}, nil)
	e.settle()
	if ep := e.endpoints("default", "web"); ep != nil {
		t.Errorf("endpoints left: %s", epString(ep))
	}
	if sl := e.slices("default", "web"); len(sl) != 0 {
		t.Errorf("slices left: %s", sliceString(sl))
	}
	// The pods stay.
	if n := len(e.pods("default", "app=web")); n != 2 {
		t.Errorf("%d pods after deleting the service, want 2", n)
	}
}

func TestDeletingPodsEmptiesEndpoints(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	e.apply(service("default", "web", map[string]string{"app": "web"}))
	for i := range 3 {
		e.create(bare("default", fmt.Sprintf("p%d", i), map[string]string{"app": "web"}, container("nginx:1.25")))
	}
	e.settle()
	if got := e.endpoints("default", "web"); len(got.Subsets) != 1 || len(got.Subsets[0].Addresses) != 3 {
		t.Fatalf("endpoints = %s", epString(got))
	}
	for _, p := range e.pods("default", "app=web") {
		e.delete(api.RefOf(p), nil)
	}
	e.settle()
	ep := e.endpoints("default", "web")
	if ep == nil {
		t.Fatal("the Endpoints object went with the pods; it must stay, empty")
	}
	if got := epString(ep); got != "<empty>" {
		t.Errorf("endpoints = %s, want empty", got)
	}
	if got := controller.FormatEndpoints(ep.Subsets); got != "<none>" {
		t.Errorf("ENDPOINTS column = %s, want <none>", got)
	}
}

// TestControllerLatencies shows each controller's latency in virtual time:
// the endpoints follow a pod's readiness exactly Latencies.Endpoints later,
// the slices Latencies.EndpointSlice later.
func TestControllerLatencies(t *testing.T) {
	lat := controller.DefaultLatencies()
	lat.Scheduler = 7 * time.Millisecond
	lat.PodStart = 1300 * time.Millisecond
	lat.PodReady = 900 * time.Millisecond
	lat.Endpoints = 170 * time.Millisecond
	lat.EndpointSlice = 230 * time.Millisecond
	lat.LoadBalancer = 3 * time.Second
	e := newEnv(t, envOpts{seed: 1, lat: &lat})
	type mark struct {
		what string
		at   time.Duration
	}
	var marks []mark
	base := e.loop.Now()
	note := func(what string) { marks = append(marks, mark{what, e.loop.Now().Sub(base)}) }
	e.st.Watch(func(ev store.Event) {
		switch o := ev.Object.(type) {
		case *api.Pod:
			if ev.Type == store.Modified && !controller.IsPodReady(ev.Old.(*api.Pod)) && controller.IsPodReady(o) {
				note("pod ready")
			}
			if ev.Type == store.Modified && ev.Old.(*api.Pod).Spec.NodeName == "" && o.Spec.NodeName != "" {
				note("pod scheduled")
			}
			if ev.Type == store.Modified && !ev.Old.(*api.Pod).Status.PodIP.IsValid() && o.Status.PodIP.IsValid() {
				note("pod running")
			}
		case *api.Endpoints:
			if len(o.Subsets) > 0 && len(o.Subsets[0].Addresses) > 0 {
				note("endpoints ready")
			}
		case *api.EndpointSlice:
			for _, ep := range o.Endpoints {
				if ep.Conditions.IsReady() {
					note("slice ready")
				}
			}
		case *api.Service:
			if len(o.Status.LoadBalancer.Ingress) > 0 {
				note("load balancer ingress")
			}
		}
	}, api.KindPod, api.KindEndpoints, api.KindEndpointSlice, api.KindService)
	s := service("default", "web", map[string]string{"app": "web"})
	s.Spec.Type = api.ServiceTypeLoadBalancer
	e.create(s)
	e.create(bare("default", "p", map[string]string{"app": "web"}, container("nginx:1.25")))
	e.settle()
	var got []string
	for _, m := range marks {
		got = append(got, fmt.Sprintf("%v %s", m.at, m.what))
	}
	want := []string{
		"7ms pod scheduled",
		"1.307s pod running",
		"2.207s pod ready",
		"2.377s endpoints ready",
		"2.437s slice ready",
		"3s load balancer ingress",
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDualStackEndpoints(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1,
		clusters: []string{"10.1.0.0/16", "fd00:10:1::/56"},
		services: []string{"10.96.0.0/12", "fd00:10:96::/112"},
		nodes:    []nodeSpec{{name: "a", ip: "10.0.0.1"}, {name: "b", ip: "10.0.0.2"}}})
	single := service("default", "v4", map[string]string{"app": "web"})
	v6 := service("default", "v6", map[string]string{"app": "web"})
	v6.Spec.IPFamilies = []api.IPFamily{api.IPv6}
	dual := service("default", "dual", map[string]string{"app": "web"})
	pol := api.PreferDualStack
	dual.Spec.IPFamilyPolicy = &pol
	e.apply(single, v6, dual)
	for i := range 2 {
		p := bare("default", fmt.Sprintf("p%d", i), map[string]string{"app": "web"}, container("nginx:1.25"))
		p.Spec.NodeName = []string{"a", "b"}[i]
		e.create(p)
	}
	e.settle()
	pods := e.pods("default", "app=web")
	seen := map[netip.Addr]bool{}
	for _, p := range pods {
		if len(p.Status.PodIPs) != 2 || !p.Status.PodIPs[0].IP.Is4() || !p.Status.PodIPs[1].IP.Is6() {
			t.Fatalf("pod %s IPs %v, want one IPv4 then one IPv6", p.Name, p.Status.PodIPs)
		}
		for _, ip := range p.Status.PodIPs {
			if seen[ip.IP] {
				t.Errorf("pod IP %s given twice", ip.IP)
			}
			seen[ip.IP] = true
		}
	}
	v4a, v6a := pods[0].Status.PodIPs[0].IP, pods[0].Status.PodIPs[1].IP
	v4b, v6b := pods[1].Status.PodIPs[0].IP, pods[1].Status.PodIPs[1].IP
	tests := []struct {
		svc        string
		wantTypes  string
		wantEPAddr string // the Endpoints carry the service's primary family
	}{
		{"v4", "IPv4", fmt.Sprintf("%s %s", v4a, v4b)},
		{"v6", "IPv6", fmt.Sprintf("%s %s", v6a, v6b)},
		{"dual", "IPv4 IPv6", fmt.Sprintf("%s %s", v4a, v4b)},
	}
	for _, tt := range tests {
		t.Run(tt.svc, func(t *testing.T) {
			var types []string
			for _, s := range e.slices("default", tt.svc) {
				types = append(types, string(s.AddressType))
				if len(s.Endpoints) != 2 {
					t.Errorf("%s slice has %d endpoints, want 2", s.AddressType, len(s.Endpoints))
				}
			}
			slices.Sort(types)
			if got := strings.Join(types, " "); got != tt.wantTypes {
				t.Errorf("slice address types = %s, want %s", got, tt.wantTypes)
			}
			ep := e.endpoints("default", tt.svc)
			var addrs []string
			for _, a := range ep.Subsets[0].Addresses {
				addrs = append(addrs, a.IP.String())
			}
			if got := strings.Join(addrs, " "); got != tt.wantEPAddr {
				t.Errorf("Endpoints addresses = %s, want %s", got, tt.wantEPAddr)
			}
		})
	}
}

func TestLoadBalancerIngress(t *testing.T) {
	lb := func(mod func(*api.Service)) *api.Service {
		s := service("default", "web", map[string]string{"app": "web"})
		s.Spec.Type = api.ServiceTypeLoadBalancer
		if mod != nil {
			mod(s)
		}
		return s
	}
	nodes := []nodeSpec{{name: "server", ip: "192.168.5.15"}, {name: "agent", ip: "192.168.5.16"}}
	tests := []struct {
		name string
		mode controller.LoadBalancerMode
		svc  *api.Service
		want string
	}{
		{"docker desktop", controller.LoadBalancerHostname, lb(nil), "localhost"},
		{"kind stays pending", controller.LoadBalancerPending, lb(nil), ""},
		{"k3s node IPs", controller.LoadBalancerNodeIP, lb(nil), "192.168.5.15 192.168.5.16"},
		{"spec.loadBalancerIP", controller.LoadBalancerPending, lb(func(s *api.Service) { s.Spec.LoadBalancerIP = "203.0.113.7" }), "203.0.113.7"},
		{"spec.loadBalancerIP over hostname", controller.LoadBalancerHostname, lb(func(s *api.Service) { s.Spec.LoadBalancerIP = "203.0.113.7" }), "203.0.113.7"},
		{"ingress carried in the manifest", controller.LoadBalancerPending, lb(func(s *api.Service) {
			s.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{IP: netip.MustParseAddr("198.51.100.9")}}
		}), "198.51.100.9"},
		{"manifest ingress kept over the hostname rule", controller.LoadBalancerHostname, lb(func(s *api.Service) {
			s.Status.LoadBalancer.Ingress = []api.LoadBalancerIngress{{Hostname: "lb.example.com"}}
		}), "lb.example.com"},
		{"ClusterIP gets none", controller.LoadBalancerHostname, service("default", "web", map[string]string{"app": "web"}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOpts{seed: 1, lb: tt.mode, nodes: nodes})
			e.apply(tt.svc)
			e.settle()
			var got []string
			for _, in := range e.svc("default", "web").Status.LoadBalancer.Ingress {
				if in.Hostname != "" {
					got = append(got, in.Hostname)
				} else {
					got = append(got, in.IP.String())
				}
			}
			slices.Sort(got) // the order of node IPs is not a contract
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("ingress = %q, want %q", s, tt.want)
			}
			// Applying the same manifest again keeps the ingress.
			res := e.apply(tt.svc)
			e.settle()
			if len(e.svc("default", "web").Status.LoadBalancer.Ingress) != len(got) {
				t.Errorf("re-apply (%v) changed the ingress", res)
			}
		})
	}
}

func TestLoadBalancerFollowsNodes(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1, lb: controller.LoadBalancerNodeIP, nodes: []nodeSpec{{name: "server", ip: "192.168.5.15"}}})
	s := service("default", "traefik", map[string]string{"app": "traefik"})
	s.Spec.Type = api.ServiceTypeLoadBalancer
	e.apply(s)
	e.settle()
	e.create(node(nodeSpec{name: "agent", ip: "192.168.5.16"}))
	e.settle()
	var got []string
	for _, in := range e.svc("default", "traefik").Status.LoadBalancer.Ingress {
		got = append(got, in.IP.String())
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"192.168.5.15", "192.168.5.16"}) {
		t.Errorf("ingress after adding a node = %v", got)
	}
}

func TestEndpointsFollowLabelsAndSelectors(t *testing.T) {
	e := newEnv(t, envOpts{seed: 1})
	e.create(service("default", "web", map[string]string{"app": "web"}))
	e.create(bare("default", "a", map[string]string{"app": "web"}, container("nginx:1.25")))
	e.create(bare("default", "b", map[string]string{"app": "web"}, container("nginx:1.25")))
	// Same labels in another namespace: not this service's.
	e.create(bare("team-a", "c", map[string]string{"app": "web"}, container("nginx:1.25")))
	// Not yet bound, so no address: not listed.
	pending := bare("default", "pending", map[string]string{"app": "web"}, container("nginx:1.25"))
	pending.Spec.NodeSelector = map[string]string{"no": "such-node"}
	e.create(pending)
	e.settle()
	ipA, ipB := e.pod("default", "a").Status.PodIP, e.pod("default", "b").Status.PodIP
	if got, want := epString(e.endpoints("default", "web")), fmt.Sprintf("ready:[%s %s] notReady:[] ports:[=8080/TCP]", ipA, ipB); got != want {
		t.Errorf("endpoints = %s, want %s", got, want)
	}
	// Relabelling a pod takes it out.
	b := e.pod("default", "b").DeepCopy()
	b.Labels = map[string]string{"app": "other"}
	e.update(b)
	e.settle()
	if got, want := epString(e.endpoints("default", "web")), fmt.Sprintf("ready:[%s] notReady:[] ports:[=8080/TCP]", ipA); got != want {
		t.Errorf("after relabelling b: %s, want %s", got, want)
	}
	if got := sliceString(e.slices("default", "web")); strings.Contains(got, ipB.String()) {
		t.Errorf("slices still list relabelled b: %s", got)
	}
	// Changing the selector follows the new set.
	s := e.svc("default", "web").DeepCopy()
	s.Spec.Selector = map[string]string{"app": "other"}
	e.update(s)
	e.settle()
	if got, want := epString(e.endpoints("default", "web")), fmt.Sprintf("ready:[%s] notReady:[] ports:[=8080/TCP]", ipB); got != want {
		t.Errorf("after the selector change: %s, want %s", got, want)
	}
	if got := sliceString(e.slices("default", "web")); !strings.Contains(got, ipB.String()) || strings.Contains(got, ipA.String()) {
		t.Errorf("slices after the selector change: %s", got)
	}
}

func TestWorkloadLatencies(t *testing.T) {
	lat := controller.DefaultLatencies()
	lat.Deployment = 30 * time.Millisecond
	lat.ReplicaSet = 40 * time.Millisecond
	lat.Scheduler = 5 * time.Millisecond
	lat.PodStart = time.Second
	lat.PodReady = 500 * time.Millisecond
	e := newEnv(t, envOpts{seed: 1, lat: &lat})
	base := e.loop.Now()
	var got []string
	e.st.Watch(func(ev store.Event) {
		at := e.loop.Now().Sub(base)
		switch o := ev.Object.(type) {
		case *api.ReplicaSet:
			if ev.Type == store.Added {
				got = append(got, fmt.Sprintf("%v replicaset created", at))
			}
		case *api.Pod:
			switch {
			case ev.Type == store.Added:
				got = append(got, fmt.Sprintf("%v pod created", at))
			case ev.Old.(*api.Pod).Spec.NodeName == "" && o.Spec.NodeName != "":
				got = append(got, fmt.Sprintf("%v pod scheduled", at))
			case !controller.IsPodReady(ev.Old.(*api.Pod)) && controller.IsPodReady(o):
				got = append(got, fmt.Sprintf("%v pod ready", at))
			}
		}
	}, api.KindReplicaSet, api.KindPod)
	e.apply(deploy("default", "web", 1, container("nginx:1.25")))
	e.settle()
	want := []string{"30ms replicaset created", "70ms pod created", "75ms pod scheduled", "1.575s pod ready"}
	if !slices.Equal(got, want) {
		t.Errorf("timeline %q, want %q", got, want)
	}
}
