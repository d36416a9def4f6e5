package kubectl

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/script"
)

// The tests in this file follow KUBECTL.md, one per section.

// run runs one command line on r and returns what it wrote and its status.
func run(t *testing.T, r *Runner, line string) (stdout, stderr string, status int) {
	t.Helper()
	cmds, err := script.Parse(line)
	if err != nil || len(cmds) != 1 {
		t.Fatalf("Parse(%q): %v (%d commands)", line, err, len(cmds))
	}
	var o, e bytes.Buffer
	status = r.Run(cmds[0], &o, &e)
	return o.String(), e.String(), status
}

// must runs a command that has to succeed.
func must(t *testing.T, r *Runner, line string) string {
	t.Helper()
	out, errOut, st := run(t, r, line)
	if st != 0 {
		t.Fatalf("%s: exit %d\n%s%s", line, st, out, errOut)
	}
	return out
}

// §1: table mechanics.
func TestTableMechanics(t *testing.T) {
	var b bytes.Buffer
	writeTable(&b, &table{
		headers: []string{"NAME", "A", "PORT(S)", "AGE"},
		rows: [][]string{
			{"numbers-api", "x", "80/TCP", "2s"},
			{"kubernetes", "yy", "443/TCP", "4h53m"},
			{"multi\nline", "", "", "1s"},
		},
	}, false)
	// Columns are as wide as their widest cell plus 3, and at least 6.
	want := "NAME          A     PORT(S)   AGE\n" +
		"numbers-api   x     80/TCP    2s\n" +
		"kubernetes    yy    443/TCP   4h53m\n" +
		"multi...                      1s\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	writeTable(&b, &table{headers: []string{"NAME", "AGE"}, rows: [][]string{{"a", "0s"}}}, true)
	if got := b.String(); got != "a     0s\n" {
		t.Errorf("no headers: %q", got)
	}

	r := newRunner(t)
	must(t, r, "kubectl apply -f sleep/sleep1.yaml")
	out, errOut, st := run(t, r, "kubectl get svc -n kube-public")
	if out != "" || errOut != "No resources found in kube-public namespace.\n" || st != 0 {
		t.Errorf("empty list: stdout %q stderr %q exit %d", out, errOut, st)
	}
	out = must(t, r, "kubectl get deploy,svc -A --show-labels")
	for _, want := range []string{
		"NAMESPACE     NAME                      READY   UP-TO-DATE   AVAILABLE   AGE   LABELS\n",
		"default       deployment.apps/sleep-1   ",
		"\n\nNAMESPACE     NAME                 TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE   LABELS\n",
		"kube-system   service/kube-dns     ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   ",
		"k8s-app=kube-dns,kubernetes.io/cluster-service=true,kubernetes.io/name=CoreDNS\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("get deploy,svc -A --show-labels lacks %q:\n%s", want, out)
		}
	}
	out = must(t, r, "kubectl get svc kubernetes -o jsonpath={.spec.clusterIP}")
	if out != "10.96.0.1" {
		t.Errorf("jsonpath output %q, want no trailing newline", out)
	}
}

// §2: AGE.
func TestHumanDuration(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-3 * time.Second, "<invalid>"},
		{-1500 * time.Millisecond, "0s"},
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{117 * time.Second, "117s"},
		{119*time.Second + 999*time.Millisecond, "119s"},
		{2 * time.Minute, "2m"},
		{2*time.Minute + 3*time.Second, "2m3s"},
		{9*time.Minute + 59*time.Second, "9m59s"},
		{10*time.Minute + 30*time.Second, "10m"},
		{74 * time.Minute, "74m"},
		{179 * time.Minute, "179m"},
		{3 * time.Hour, "3h"},
		{4*time.Hour + 53*time.Minute, "4h53m"},
		{7*time.Hour + 59*time.Minute, "7h59m"},
		{8*time.Hour + 30*time.Minute, "8h"},
		{47 * time.Hour, "47h"},
		{2 * day, "2d"},
		{2*day + 23*time.Hour, "2d23h"},
		{5*day + time.Hour, "5d1h"},
		{8 * day, "8d"},
		{236 * day, "236d"},
		{2 * 365 * day, "2y"},
		{2*365*day + 10*day, "2y10d"},
		{9 * 365 * day, "9y"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.d); got != tt.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	created := api.NewTime(time.Date(2024, 1, 18, 9, 0, 0, 700e6, time.UTC))
	if got := since(time.Date(2024, 1, 18, 9, 0, 1, 200e6, time.UTC), created); got != "1s" {
		t.Errorf("since truncates creation to the second: got %q, want 1s", got)
	}
	if got := since(time.Now(), api.Time{}); got != "<unknown>" {
		t.Errorf("zero time: %q", got)
	}
}

// §3: columns per resource.
func TestColumns(t *testing.T) {
	tests := []struct {
		kind        api.Kind
		plain, wide string
	}{
		{api.KindPod, "NAME READY STATUS RESTARTS AGE", "NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES"},
		{api.KindDeployment, "NAME READY UP-TO-DATE AVAILABLE AGE", "NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR"},
		{api.KindReplicaSet, "NAME DESIRED CURRENT READY AGE", "NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR"},
		{api.KindService, "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE", "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR"},
		{api.KindEndpoints, "NAME ENDPOINTS AGE", "NAME ENDPOINTS AGE"},
		{api.KindEndpointSlice, "NAME ADDRESSTYPE PORTS ENDPOINTS AGE", "NAME ADDRESSTYPE PORTS ENDPOINTS AGE"},
		{api.KindNamespace, "NAME STATUS AGE", "NAME STATUS AGE"},
		{api.KindNode, "NAME STATUS ROLES AGE VERSION", "NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME"},
	}
	for _, tt := range tests {
		if got := strings.Join(columns(tt.kind, false), " "); got != tt.plain {
			t.Errorf("%s columns %q, want %q", tt.kind, got, tt.plain)
		}
		if got := strings.Join(columns(tt.kind, true), " "); got != tt.wide {
			t.Errorf("%s wide columns %q, want %q", tt.kind, got, tt.wide)
		}
	}
	n := &api.Node{ObjectMeta: api.ObjectMeta{Name: "n1", Labels: map[string]string{
		"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "edge"}},
		Spec:   api.NodeSpec{Unschedulable: true},
		Status: api.NodeStatus{Conditions: []api.NodeCondition{{Type: "Ready", Status: api.ConditionUnknown}}, NodeInfo: []byte(`{"kubeletVersion":"v1.28.2"}`)}}
	if got := strings.Join(nodeRow(n, time.Now(), true), "|"); !strings.HasPrefix(got, "n1|NotReady,SchedulingDisabled|control-plane,edge,worker|<unknown>|v1.28.2|<none>|<none>|<unknown>|") {
		t.Errorf("node row %q", got)
	}
}

func pod(name string, mutate func(*api.Pod)) *api.Pod {
	p := &api.Pod{ObjectMeta: api.ObjectMeta{Name: name}, Spec: api.PodSpec{Containers: []api.Container{{Name: "c"}}}}
	mutate(p)
	return p
}

func started() *bool {
	b := true
	return &b
}

// §4: pods' READY, STATUS and RESTARTS.
func TestPodCells(t *testing.T) {
	now := time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC)
	deleted := api.NewTime(now)
	tests := []struct {
		pod                    *api.Pod
		ready, status, restart string
	}{
		{pod("new", func(p *api.Pod) {}), "0/1", "Pending", "0"},
		{pod("bound", func(p *api.Pod) { p.Spec.NodeName = "n"; p.Status.Phase = api.PodPending }), "0/1", "ContainerCreating", "0"},
		{pod("init", func(p *api.Pod) {
			p.Spec.NodeName = "n"
			p.Status.Phase = api.PodPending
			p.Spec.InitContainers = []api.Container{{Name: "i"}, {Name: "j"}}
		}), "0/1", "Init:0/2", "0"},
		{pod("starting", func(p *api.Pod) {
			p.Spec.NodeName = "n"
			p.Status.Phase = api.PodRunning
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "c", Started: started()}}
		}), "0/1", "Running", "0"},
		{pod("ready", func(p *api.Pod) {
			p.Spec.NodeName = "n"
			p.Status.Phase = api.PodRunning
			p.Spec.Containers = append(p.Spec.Containers, api.Container{Name: "d"})
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "c", Ready: true, RestartCount: 1}, {Name: "d", Ready: true, RestartCount: 2}}
		}), "2/2", "Running", "3"},
		{pod("leaving", func(p *api.Pod) {
			p.Status.Phase = api.PodRunning
			p.DeletionTimestamp = &deleted
			p.Status.ContainerStatuses = []api.ContainerStatus{{Name: "c", Ready: true}}
		}), "1/1", "Terminating", "0"},
		{pod("lost", func(p *api.Pod) {
			p.Status.Phase = api.PodRunning
			p.Status.Reason = "NodeLost"
			p.DeletionTimestamp = &deleted
		}), "0/1", "Unknown", "0"},
		{pod("evicted", func(p *api.Pod) {
			p.Status.Phase = api.PodFailed
			p.Status.Reason = "Evicted"
			p.DeletionTimestamp = &deleted
		}), "0/1", "Evicted", "0"},
		{pod("done", func(p *api.Pod) { p.Status.Phase = api.PodSucceeded }), "0/1", "Succeeded", "0"},
	}
	for _, tt := range tests {
		cells := podRow(tt.pod, now, false)
		if cells[1] != tt.ready || cells[2] != tt.status || cells[3] != tt.restart {
			t.Errorf("%s: READY %q STATUS %q RESTARTS %q, want %q %q %q", tt.pod.Name, cells[1], cells[2], cells[3], tt.ready, tt.status, tt.restart)
		}
	}
	wide := podRow(pod("x", func(p *api.Pod) {}), now, true)
	if got := strings.Join(wide[5:], "|"); got != "<none>|<none>|<none>|<none>" {
		t.Errorf("wide cells of an unscheduled pod: %q", got)
	}
}

// §5: services' PORT(S) and EXTERNAL-IP.
func TestServiceCells(t *testing.T) {
	lb := func(ingress ...api.LoadBalancerIngress) api.ServiceStatus {
		return api.ServiceStatus{LoadBalancer: api.LoadBalancerStatus{Ingress: ingress}}
	}
	ip := func(s string) api.LoadBalancerIngress { return api.LoadBalancerIngress{IP: netip.MustParseAddr(s)} }
	host := func(s string) api.LoadBalancerIngress { return api.LoadBalancerIngress{Hostname: s} }
	tcp := func(port, node int32) api.ServicePort {
		return api.ServicePort{Port: port, NodePort: node, Protocol: api.ProtocolTCP}
	}
	tests := []struct {
		name                     string
		spec                     api.ServiceSpec
		st                       api.ServiceStatus
		cip, ext, ports, extWide string
	}{
		{"no ports", api.ServiceSpec{Type: api.ServiceTypeClusterIP, ClusterIPs: []string{"10.96.5.5"}}, api.ServiceStatus{}, "10.96.5.5", "<none>", "<none>", ""},
		{"external IPs", api.ServiceSpec{Type: api.ServiceTypeClusterIP, ClusterIP: "10.96.5.6", ExternalIPs: []string{"1.2.3.4", "5.6.7.8"}, Ports: []api.ServicePort{tcp(80, 0)}},
			api.ServiceStatus{}, "10.96.5.6", "1.2.3.4,5.6.7.8", "80/TCP", ""},
		{"headless", api.ServiceSpec{Type: api.ServiceTypeClusterIP, ClusterIP: "None", ClusterIPs: []string{"None"}}, api.ServiceStatus{}, "None", "<none>", "<none>", ""},
		{"node port", api.ServiceSpec{Type: api.ServiceTypeNodePort, Ports: []api.ServicePort{tcp(8080, 30080)}}, api.ServiceStatus{}, "<none>", "<none>", "8080:30080/TCP", ""},
		{"dns", api.ServiceSpec{Type: api.ServiceTypeClusterIP, Ports: []api.ServicePort{{Port: 53, Protocol: api.ProtocolUDP}, tcp(53, 0), tcp(9153, 0)}},
			api.ServiceStatus{}, "<none>", "<none>", "53/UDP,53/TCP,9153/TCP", ""},
		{"lb pending", api.ServiceSpec{Type: api.ServiceTypeLoadBalancer, Ports: []api.ServicePort{tcp(8080, 31104)}}, api.ServiceStatus{}, "<none>", "<pending>", "8080:31104/TCP", ""},
		{"lb hostname", api.ServiceSpec{Type: api.ServiceTypeLoadBalancer}, lb(host("localhost")), "<none>", "localhost", "<none>", ""},
		{"lb ips sorted and deduplicated", api.ServiceSpec{Type: api.ServiceTypeLoadBalancer}, lb(ip("192.168.5.16"), ip("192.168.5.15"), ip("192.168.5.16")), "<none>", "192.168.5.15,...", "<none>", "192.168.5.15,192.168.5.16"},
		{"lb long hostname", api.ServiceSpec{Type: api.ServiceTypeLoadBalancer}, lb(host("a1b2c3d4e5.elb.amazonaws.com")), "<none>", "a1b2c3d4e5.el...", "<none>", "a1b2c3d4e5.elb.amazonaws.com"},
		{"lb plus external IPs", api.ServiceSpec{Type: api.ServiceTypeLoadBalancer, ExternalIPs: []string{"9.9.9.9"}}, lb(host("localhost")), "<none>", "localhost,9.9.9.9", "<none>", ""},
		{"external name", api.ServiceSpec{Type: api.ServiceTypeExternalName, ExternalName: "raw.githubusercontent.com"}, api.ServiceStatus{}, "<none>", "raw.githubusercontent.com", "<none>", ""},
		{"no type", api.ServiceSpec{}, api.ServiceStatus{}, "<none>", "<unknown>", "<none>", ""},
	}
	for _, tt := range tests {
		s := &api.Service{ObjectMeta: api.ObjectMeta{Name: "s"}, Spec: tt.spec, Status: tt.st}
		cells := row(s, time.Now(), false)
		if cells[2] != tt.cip || cells[3] != tt.ext || cells[4] != tt.ports {
			t.Errorf("%s: CLUSTER-IP %q EXTERNAL-IP %q PORT(S) %q, want %q %q %q", tt.name, cells[2], cells[3], cells[4], tt.cip, tt.ext, tt.ports)
		}
		if tt.extWide != "" {
			if got := row(s, time.Now(), true)[3]; got != tt.extWide {
				t.Errorf("%s: wide EXTERNAL-IP %q, want %q", tt.name, got, tt.extWide)
			}
		}
	}
}

// §6: the ENDPOINTS column.
func TestEndpointsColumn(t *testing.T) {
	addr := func(ips ...string) []api.EndpointAddress {
		var out []api.EndpointAddress
		for _, ip := range ips {
			out = append(out, api.EndpointAddress{IP: netip.MustParseAddr(ip)})
		}
		return out
	}
	ports := func(ps ...int32) []api.EndpointPort {
		var out []api.EndpointPort
		for _, p := range ps {
			out = append(out, api.EndpointPort{Port: p})
		}
		return out
	}
	tests := []struct {
		name    string
		subsets []api.EndpointSubset
		want    string
	}{
		{"no subsets", nil, "<none>"},
		{"only not ready", []api.EndpointSubset{{NotReadyAddresses: addr("10.1.0.5"), Ports: ports(80)}}, ""},
		{"one", []api.EndpointSubset{{Addresses: addr("192.168.123.234"), Ports: ports(80)}}, "192.168.123.234:80"},
		{"ports then addresses", []api.EndpointSubset{{Addresses: addr("10.1.0.2", "10.1.0.3"), Ports: ports(53, 9153)}}, "10.1.0.2:53,10.1.0.3:53,10.1.0.2:9153 + 1 more..."},
		{"no ports", []api.EndpointSubset{{Addresses: addr("10.1.0.2", "10.1.0.3")}}, "10.1.0.2,10.1.0.3"},
		{"ipv6", []api.EndpointSubset{{Addresses: addr("fd00::1"), Ports: ports(80)}}, "[fd00::1]:80"},
		{"many", []api.EndpointSubset{{Addresses: addr("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5")}}, "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."},
	}
	for _, tt := range tests {
		if got := formatEndpoints(tt.subsets); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	name, port := "http", int32(80)
	var p443 int32 = 443
	sp := []api.EndpointSlicePort{{Port: &port}, {Name: &name}, {}, {Port: &p443}}
	if got := slicePorts(sp); got != "80,http,* + 1 more..." {
		t.Errorf("slice ports %q", got)
	}
	if got := slicePorts(nil); got != "<unset>" {
		t.Errorf("no slice ports %q", got)
	}
	if got := sliceEndpoints(nil); got != "<unset>" {
		t.Errorf("no slice endpoints %q", got)
	}
}

// §7: the Endpoints line of describe service, from EndpointSlices.
func TestDescribeServiceEndpoints(t *testing.T) {
	yes, no := true, false
	unnamed, dns := "", "dns"
	p80, p53 := int32(80), int32(53)
	ep := func(ip string, ready *bool) api.Endpoint {
		return api.Endpoint{Addresses: []netip.Addr{netip.MustParseAddr(ip)}, Conditions: api.EndpointConditions{Ready: ready}}
	}
	slices := []*api.EndpointSlice{
		{Ports: []api.EndpointSlicePort{{Name: &unnamed, Port: &p80}}, Endpoints: []api.Endpoint{ep("10.1.0.1", nil), ep("10.1.0.2", &yes), ep("10.1.0.3", &no)}},
		{Ports: []api.EndpointSlicePort{{Name: &dns, Port: &p53}}, Endpoints: []api.Endpoint{ep("10.1.0.9", nil)}},
	}
	if got := sliceEndpointsFor(slices, ""); got != "10.1.0.1:80,10.1.0.2:80" {
		t.Errorf("unnamed port: %q", got)
	}
	if got := sliceEndpointsFor(slices, "dns"); got != "10.1.0.9:53" {
		t.Errorf("named port: %q", got)
	}
	if got := sliceEndpointsFor(slices, "other"); got != "" {
		t.Errorf("no such port: %q", got)
	}
	if got := sliceEndpointsFor(nil, ""); got != "<none>" {
		t.Errorf("no slices: %q", got)
	}
}

// §8: the messages of commands that change the cluster.
func TestMutatingMessages(t *testing.T) {
	r := newRunner(t)
	tests := []struct {
		line, stdout, stderr string
		status               int
	}{
		{"kubectl apply -f numbers-services/api-service-headless.yaml", "service/numbers-api created\nendpoints/numbers-api created\n", "", 0},
		{"kubectl apply -f numbers-services/api-service-headless.yaml", "service/numbers-api unchanged\nendpoints/numbers-api unchanged\n", "", 0},
		{"kubectl apply -f sleep/sleep2.yaml", "deployment.apps/sleep-2 created\n", "", 0},
		{"kubectl create -f sleep/sleep2-service.yaml", "service/sleep-2 created\n", "", 0},
		{"kubectl create -f sleep/sleep2-service.yaml", "", "Error from server (AlreadyExists): error when creating \"sleep/sleep2-service.yaml\": services \"sleep-2\" already exists\n", 1},
		{"kubectl scale deploy/sleep-2 --replicas=2", "deployment.apps/sleep-2 scaled\n", "", 0},
		{"kubectl rollout restart deployment sleep-2", "deployment.apps/sleep-2 restarted\n", "", 0},
		{"kubectl rollout status deploy/sleep-2 --watch=false", "Waiting for deployment \"sleep-2\" rollout to finish: 1 out of 2 new replicas have been updated...\n", "", 0},
		{"kubectl delete endpoints/numbers-api -o name", "endpoints/numbers-api\n", "", 0},
		{"kubectl delete svc numbers-api", "service \"numbers-api\" deleted\n", "", 0},
		{"kubectl delete deploy sleep-2", "deployment.apps \"sleep-2\" deleted\n", "", 0},
		{"kubectl delete svc sleep-2", "service \"sleep-2\" deleted\n", "", 0},
		{"kubectl delete deploy sleep-2", "", "Error from server (NotFound): deployments.apps \"sleep-2\" not found\n", 1},
		{"kubectl delete deploy --all", "No resources found\n", "", 0},
	}
	for _, tt := range tests {
		out, errOut, st := run(t, r, tt.line)
		if out != tt.stdout || errOut != tt.stderr || st != tt.status {
			t.Errorf("%s:\n got stdout %q stderr %q exit %d\nwant stdout %q stderr %q exit %d", tt.line, out, errOut, st, tt.stdout, tt.stderr, tt.status)
		}
	}
}

// §9: -n, -A and -l.
func TestSelectionFlags(t *testing.T) {
	r := newRunner(t)
	must(t, r, `kubectl apply -f - <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: web
EOF`)
	must(t, r, `kubectl apply -f - <<EOF
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Pod, metadata: {name: a, labels: {env: a, tier: web}}, spec: {containers: [{name: c, image: i}]}}
  - {apiVersion: v1, kind: Pod, metadata: {name: b, labels: {env: b}}, spec: {containers: [{name: c, image: i}]}}
  - {apiVersion: v1, kind: Pod, metadata: {name: c}, spec: {containers: [{name: c, image: i}]}}
  - {apiVersion: v1, kind: Pod, metadata: {name: d, namespace: web, labels: {env: a}}, spec: {containers: [{name: c, image: i}]}}
EOF`)
	tests := []struct{ args, want string }{
		{"", "a b c"},
		{"-l env=a", "a"},
		{"-l env==a", "a"},
		{"-l env!=a", "b c"},
		{"-l 'env in (a,b)'", "a b"},
		{"-l 'env notin (a)'", "b c"},
		{"-l tier", "a"},
		{"-l '!tier'", "b c"},
		{"-l env=a,tier=web", "a"},
		{"--selector=env=b", "b"},
		{"-n web", "d"},
		{"--namespace web", "d"},
		{"--namespace=web", "d"},
		{"-nweb", "d"},
		{"-A -l env=a", "a d"},
		{"--all-namespaces -l env=a", "a d"},
	}
	for _, tt := range tests {
		out := must(t, r, "kubectl get pods -o jsonpath={.items[*].metadata.name} "+tt.args)
		if out != tt.want {
			t.Errorf("get pods %s = %q, want %q", tt.args, out, tt.want)
		}
	}
	out := must(t, r, "kubectl -n web get pods -o name")
	if out != "pod/d\n" {
		t.Errorf("-n before the command: %q", out)
	}
	r.Namespace = "web"
	if out := must(t, r, "kubectl get pods -o name"); out != "pod/d\n" {
		t.Errorf("Runner.Namespace: %q", out)
	}
	if out := must(t, r, "kubectl delete pods --all --wait=false"); out != "pod \"d\" deleted\n" {
		t.Errorf("delete --all in the current namespace: %q", out)
	}
}

// §10: the pod kubectl exec picks for TYPE/NAME.
func TestExecPodChoice(t *testing.T) {
	t0 := time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) api.Time { return api.NewTime(t0.Add(d)) }
	mk := func(name string, f func(*api.Pod)) *api.Pod {
		return pod(name, func(p *api.Pod) {
			p.Spec.NodeName = "n"
			p.Status.Phase = api.PodRunning
			p.CreationTimestamp = at(0)
			p.Status.Conditions = []api.PodCondition{{Type: "Ready", Status: api.ConditionTrue, LastTransitionTime: at(10 * time.Second)}}
			f(p)
		})
	}
	deleted := at(time.Hour)
	tests := []struct {
		name string
		pods []*api.Pod
		want string
	}{
		{"assigned beats unassigned", []*api.Pod{mk("a", func(p *api.Pod) { p.Spec.NodeName = "" }), mk("b", func(*api.Pod) {})}, "b"},
		{"running beats pending", []*api.Pod{mk("a", func(p *api.Pod) { p.Status.Phase = api.PodPending }), mk("b", func(*api.Pod) {})}, "b"},
		{"ready beats not ready", []*api.Pod{mk("a", func(p *api.Pod) { p.Status.Conditions = nil }), mk("b", func(*api.Pod) {})}, "b"},
		{"alive beats deleted", []*api.Pod{mk("a", func(p *api.Pod) { p.DeletionTimestamp = &deleted }), mk("b", func(*api.Pod) {})}, "b"},
		{"ready longer", []*api.Pod{mk("a", func(p *api.Pod) { p.Status.Conditions[0].LastTransitionTime = at(time.Minute) }), mk("b", func(*api.Pod) {})}, "b"},
		{"fewer restarts", []*api.Pod{mk("a", func(p *api.Pod) { p.Status.ContainerStatuses = []api.ContainerStatus{{RestartCount: 2}} }), mk("b", func(*api.Pod) {})}, "b"},
		{"older", []*api.Pod{mk("a", func(p *api.Pod) { p.CreationTimestamp = at(time.Minute) }), mk("b", func(*api.Pod) {})}, "b"},
		{"same second is a tie kept in name order", []*api.Pod{mk("a", func(p *api.Pod) { p.CreationTimestamp = at(500 * time.Millisecond) }), mk("b", func(*api.Pod) {})}, "a"},
	}
	for _, tt := range tests {
		if got := FirstPod(tt.pods).Name; got != tt.want {
			t.Errorf("%s: picked %s, want %s", tt.name, got, tt.want)
		}
	}
}
