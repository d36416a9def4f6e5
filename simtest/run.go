package simtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

// Failure is what went wrong in a run: at which op (-1 while building the
// cluster, len(ops) for the final check after healing and settling), and
// either the invariants broken, a panic, or a livelock.
type Failure struct {
	Step       int
	Op         string
	Violations kubesim.Violations
	Panic      string // the panic value and stack, if the simulator panicked
	Err        error  // a livelock or a cluster that could not be built
}

// Signature names the kind of failure, so that shrinking keeps the same one:
// the sorted set of broken invariants, or "panic: <value>", or the error.
func (f *Failure) Signature() string {
	switch {
	case f == nil:
		return ""
	case f.Panic != "":
		first, _, _ := strings.Cut(f.Panic, "\n")
		return "panic: " + first
	case f.Err != nil:
		msg := f.Err.Error()
		if i := strings.IndexAny(msg, "(0123456789"); i > 0 {
			msg = msg[:i]
		}
		return "error: " + strings.TrimSpace(msg)
	}
	var names []string
	for _, v := range f.Violations {
		if !slices.Contains(names, v.Invariant) {
			names = append(names, v.Invariant)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// Error summarises the failure: the step, the operation and the violations.
func (f *Failure) Error() string {
	where := fmt.Sprintf("step %d (%s)", f.Step, f.Op)
	switch {
	case f.Panic != "":
		return where + ": panic: " + f.Panic
	case f.Err != nil:
		return where + ": " + f.Err.Error()
	}
	return where + ": " + strconv.Itoa(len(f.Violations)) + " violations:\n" + f.Violations.String()
}

// Result is a finished run.
type Result struct {
	Failure   *Failure // nil when every check passed
	TraceHash string   // the trace hash at the end (or at the failure)
	Steps     int      // ops run
	Errors    int      // ops the cluster refused (expected: the generator makes mistakes on purpose)
	Settled   int      // checks made with nothing pending, which test every invariant
}

// Run builds the configuration's cluster and runs ops on it, checking the
// invariants after every op, then heals every fault, settles and checks once
// more. It stops at the first failure.
func Run(cfg Config, ops []Op) (res Result) {
	return run(cfg, ops, true)
}

// RunUnchecked runs ops without the checker (and without the final heal and
// settle); it is how determinism is measured on exactly what a user's run does.
func RunUnchecked(cfg Config, ops []Op) Result {
	return run(cfg, ops, false)
}

func run(cfg Config, ops []Op, check bool) (res Result) {
	w := &world{cfg: cfg}
	step := -1
	defer func() {
		if v := recover(); v != nil {
			op := "building the cluster"
			if step >= 0 && step < len(ops) {
				op = ops[step].String()
			} else if step == len(ops) {
				op = "final heal and settle"
			}
			res.Failure = &Failure{Step: step, Op: op, Panic: fmt.Sprint(v) + "\n" + string(debug.Stack())}
			if w.c != nil {
				res.TraceHash = w.c.TraceHash()
			}
		}
	}()
	c, err := cfg.Cluster()
	if err != nil {
		return Result{Failure: &Failure{Step: -1, Op: "building the cluster", Err: err}}
	}
	w.c = c
	for step = 0; step < len(ops); step++ {
		if err := w.do(ops[step]); err != nil {
			var live *sim.LivelockError
			if errors.As(err, &live) {
				res.Failure = &Failure{Step: step, Op: ops[step].String(), Err: err}
				break
			}
			res.Errors++
		}
		res.Steps++
		if !check {
			continue
		}
		if c.Pending() == 0 {
			res.Settled++
		}
		if vs := c.Check(); len(vs) > 0 {
			res.Failure = &Failure{Step: step, Op: ops[step].String(), Violations: vs}
			break
		}
	}
	if res.Failure == nil && check {
		step = len(ops)
		c.HealAll()
		if err := c.Settle(); err != nil {
			res.Failure = &Failure{Step: step, Op: "final heal and settle", Err: err}
		} else if vs := c.Check(); len(vs) > 0 {
			res.Failure = &Failure{Step: step, Op: "final heal and settle", Violations: vs}
		}
	}
	res.TraceHash = c.TraceHash()
	return res
}

// world runs ops against one cluster.
type world struct {
	cfg Config
	c   *kubesim.Cluster
}

func splitRef(s string) (ns, name string) {
	if ns, name, ok := strings.Cut(s, "/"); ok {
		return ns, name
	}
	return "default", s
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func dur(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	return def
}

// labels reads "k:v,k2:v2".
func labels(s string) map[string]string {
	if s == "" {
		return nil
	}
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, ":")
		m[k] = v
	}
	return m
}

// containerPorts reads "http:8080,dns:53/UDP,9090".
func containerPorts(s string) []api.ContainerPort {
	var out []api.ContainerPort
	for _, p := range strings.Split(s, ",") {
		if p == "" {
			continue
		}
		p, proto, _ := strings.Cut(p, "/")
		name, num, ok := strings.Cut(p, ":")
		if !ok {
			name, num = "", p
		}
		out = append(out, api.ContainerPort{Name: name, ContainerPort: int32(atoi(num, 80)), Protocol: api.Protocol(proto)})
	}
	return out
}

// servicePorts reads "name:port:target/PROTO,...", where target is a number
// or a container port name and may be left out.
func servicePorts(s string) []api.ServicePort {
	var out []api.ServicePort
	for _, p := range strings.Split(s, ",") {
		if p == "" {
			continue
		}
		p, proto, _ := strings.Cut(p, "/")
		f := strings.Split(p, ":")
		sp := api.ServicePort{Name: f[0], Protocol: api.Protocol(proto)}
		if len(f) > 1 {
			sp.Port = int32(atoi(f[1], 80))
		}
		if len(f) > 2 {
			if n, err := strconv.Atoi(f[2]); err == nil {
				sp.TargetPort = api.FromInt(int32(n))
			} else {
				sp.TargetPort = api.FromString(f[2])
			}
		}
		if len(f) > 3 {
			sp.NodePort = int32(atoi(f[3], 0))
		}
		out = append(out, sp)
	}
	return out
}

func addrs(s string) []netip.Addr {
	var out []netip.Addr
	for _, a := range strings.Split(s, ",") {
		if ip, err := netip.ParseAddr(a); err == nil {
			out = append(out, ip)
		}
	}
	return out
}

// podOf resolves "NS/DEPLOY#K" to the K-th live pod (by name, modulo their
// number) of the deployment's app label, or "kube-system/coredns#K".
func (w *world) podOf(ref string) (*api.Pod, error) {
	base, k, _ := strings.Cut(ref, "#")
	ns, app := splitRef(base)
	sel := api.SelectorFromSet(map[string]string{"app": app})
	if ns == "kube-system" && app == "coredns" {
		sel = api.SelectorFromSet(map[string]string{"k8s-app": "kube-dns"})
	}
	var live []*api.Pod
	for _, p := range kubesim.ListOf[*api.Pod](w.c, ns, sel) {
		if p.DeletionTimestamp == nil {
			live = append(live, p)
		}
	}
	if len(live) == 0 {
		return nil, fmt.Errorf("no pod for %s", ref)
	}
	return live[atoi(k, 0)%len(live)], nil
}

// do runs one op; an error means the cluster refused it (or it named
// something that does not exist), which is not a failure.
func (w *world) do(o Op) error {
	pos, kv := opts(o.Args)
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		return ""
	}
	c := w.c
	switch o.Verb {
	case "advance":
		c.Advance(dur(arg(0), time.Second))
		return nil
	case "settle":
		return c.Settle()
	case "ns":
		ref := api.Ref{Kind: api.KindNamespace, Name: arg(1)}
		if arg(0) == "delete" {
			return c.Delete(ref)
		}
		_, err := c.ApplyObjects(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: arg(1)}})
		return err
	case "deploy":
		return w.deploy(arg(0), arg(1), kv)
	case "svc":
		return w.svc(arg(0), arg(1), kv)
	case "ep":
		ns, name := splitRef(arg(1))
		if arg(0) == "delete" {
			return c.Delete(api.Ref{Kind: api.KindEndpoints, Namespace: ns, Name: name})
		}
		// The endpoints controller owns a selector service's Endpoints and,
		// as in Kubernetes, overwrites a hand-written one only at its next
		// sync of the service, which may never come in a quiet cluster: a
		// careful user does not write them, and neither does the generator.
		if s, err := kubesim.Get[*api.Service](c, ns, name); err == nil && len(s.Spec.Selector) > 0 {
			return fmt.Errorf("service %s/%s has a selector", ns, name)
		}
		ss := api.EndpointSubset{}
		for _, ip := range addrs(kv["ips"]) {
			ss.Addresses = append(ss.Addresses, api.EndpointAddress{IP: ip})
		}
		for _, ip := range addrs(kv["notready"]) {
			ss.NotReadyAddresses = append(ss.NotReadyAddresses, api.EndpointAddress{IP: ip})
		}
		for _, sp := range servicePorts(kv["ports"]) {
			ss.Ports = append(ss.Ports, api.EndpointPort{Name: sp.Name, Port: sp.Port, Protocol: sp.Protocol})
		}
		ep := &api.Endpoints{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns}}
		if len(ss.Addresses)+len(ss.NotReadyAddresses) > 0 {
			ep.Subsets = []api.EndpointSubset{ss}
		}
		_, err := c.ApplyObjects(ep)
		return err
	case "slice":
		ns, name := splitRef(arg(1))
		if arg(0) == "delete" {
			return c.Delete(api.Ref{Kind: api.KindEndpointSlice, Namespace: ns, Name: name})
		}
		sl := &api.EndpointSlice{
			ObjectMeta:  api.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{api.LabelServiceName: kv["service"], api.LabelManagedBy: "simtest"}},
			AddressType: api.AddressTypeIPv4,
		}
		yes, no := true, false
		for _, ip := range addrs(kv["ips"]) {
			sl.Endpoints = append(sl.Endpoints, api.Endpoint{Addresses: []netip.Addr{ip}, Conditions: api.EndpointConditions{Ready: &yes}})
		}
		for _, ip := range addrs(kv["notready"]) {
			sl.Endpoints = append(sl.Endpoints, api.Endpoint{Addresses: []netip.Addr{ip}, Conditions: api.EndpointConditions{Ready: &no}})
		}
		if h := kv["hostname"]; h != "" && len(sl.Endpoints) > 0 {
			sl.Endpoints[0].Hostname = &h
		}
		for _, sp := range servicePorts(kv["ports"]) {
			n, p, pr := sp.Name, sp.Port, sp.Protocol
			if pr == "" {
				pr = api.ProtocolTCP
			}
			sl.Ports = append(sl.Ports, api.EndpointSlicePort{Name: &n, Port: &p, Protocol: &pr})
		}
		_, err := c.ApplyObjects(sl)
		return err
	case "pod":
		ns, name := splitRef(arg(1))
		switch arg(0) {
		case "kill":
			p, err := w.podOf(arg(1))
			if err != nil {
				return err
			}
			opts := deleteOpts(kv)
			return c.DeleteWith(api.Ref{Kind: api.KindPod, Namespace: p.Namespace, Name: p.Name}, opts)
		case "delete":
			return c.DeleteWith(api.Ref{Kind: api.KindPod, Namespace: ns, Name: name}, deleteOpts(kv))
		}
		p := &api.Pod{
			ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": kv["app"]}},
			Spec:       api.PodSpec{Containers: []api.Container{{Name: "app", Image: "busybox:1.36", Ports: containerPorts(kv["ports"])}}, Hostname: kv["hostname"], Subdomain: kv["subdomain"]},
		}
		_, err := c.ApplyObjects(p)
		return err
	case "fault":
		return w.fault(pos, kv)
	case "heal":
		if arg(0) == "all" {
			c.HealAll()
			return nil
		}
		return c.Heal(kubesim.FaultID(atoi(strings.TrimPrefix(arg(0), "#"), 0)))
	case "resolve":
		p, err := w.podOf(arg(0))
		if err != nil {
			return err
		}
		_, err = c.Resolve(p.Namespace, p.Name, arg(1))
		return err
	case "curl":
		p, err := w.podOf(arg(0))
		if err != nil {
			return err
		}
		ns, name := splitRef(arg(1))
		svc, err := kubesim.Get[*api.Service](c, ns, name)
		if err != nil {
			return err
		}
		ip, err := netip.ParseAddr(svc.Spec.ClusterIP)
		if err != nil || !p.Status.PodIP.IsValid() {
			return fmt.Errorf("no address")
		}
		pkt := proxy.Packet{Src: netip.AddrPortFrom(p.Status.PodIP, uint16(40000+atoi(kv["sport"], 0))), Dst: netip.AddrPortFrom(ip, uint16(atoi(arg(2), 80)))}
		_, err = c.Route(p.Spec.NodeName, pkt)
		return err
	}
	if testVerb != nil && o.Verb == "x-test" {
		return testVerb(c, o)
	}
	return fmt.Errorf("unknown verb %q", o.Verb)
}

// testVerb runs the op "x-test", which only this package's tests use (and
// set): a way to break the cluster behind the store's back.
var testVerb func(c *kubesim.Cluster, o Op) error

func deleteOpts(kv map[string]string) store.DeleteOptions {
	var o store.DeleteOptions
	if g, ok := kv["grace"]; ok {
		n := int64(atoi(g, 0))
		o.GracePeriodSeconds = &n
	}
	return o
}

func (w *world) deploy(verb, ref string, kv map[string]string) error {
	c := w.c
	ns, name := splitRef(ref)
	r := api.Ref{Kind: api.KindDeployment, Namespace: ns, Name: name}
	switch verb {
	case "delete":
		return c.Delete(r)
	case "scale", "image":
		d, err := kubesim.Get[*api.Deployment](c, ns, name)
		if err != nil {
			return err
		}
		if verb == "scale" {
			n := int32(atoi(kv["replicas"], 1))
			d.Spec.Replicas = &n
		} else {
			d.Spec.Template.Spec.Containers[0].Image = kv["image"]
		}
		_, err = c.Update(d)
		return err
	}
	l := map[string]string{"app": name}
	for k, v := range labels(kv["labels"]) {
		l[k] = v
	}
	n := int32(atoi(kv["replicas"], 1))
	ct := api.Container{Name: "app", Image: kv["image"], Ports: containerPorts(kv["ports"])}
	if ct.Image == "" {
		ct.Image = "nginx:1"
	}
	if s := atoi(kv["probe"], 0); s > 0 {
		ct.ReadinessProbe = &api.Probe{InitialDelaySeconds: int32(s), TCPSocket: json.RawMessage(`{"port":8080}`)}
	}
	if s := atoi(kv["prestop"], 0); s > 0 {
		ct.Lifecycle = &api.Lifecycle{PreStop: &api.LifecycleHandler{Sleep: &api.SleepAction{Seconds: int64(s)}}}
	}
	d := &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec: api.DeploymentSpec{
			Replicas: &n,
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"app": name}},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: l},
				Spec:       api.PodSpec{Containers: []api.Container{ct}, Hostname: kv["hostname"], Subdomain: kv["subdomain"]},
			},
		},
	}
	if _, ok := kv["recreate"]; ok {
		d.Spec.Strategy.Type = "Recreate"
	}
	if g, ok := kv["grace"]; ok {
		n := int64(atoi(g, 30))
		d.Spec.Template.Spec.TerminationGracePeriodSeconds = &n
	}
	_, err := c.ApplyObjects(d)
	return err
}

func (w *world) svc(verb, ref string, kv map[string]string) error {
	c := w.c
	ns, name := splitRef(ref)
	if verb == "delete" {
		return c.Delete(api.Ref{Kind: api.KindService, Namespace: ns, Name: name})
	}
	s := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec: api.ServiceSpec{
			Selector: labels(kv["selector"]),
			Ports:    servicePorts(kv["ports"]),
		},
	}
	switch t := kv["type"]; t {
	case "Headless":
		s.Spec.ClusterIP = api.ClusterIPNone
	case "ExternalName":
		s.Spec.Type = api.ServiceTypeExternalName
		s.Spec.ExternalName = kv["external"]
	case "":
	default:
		s.Spec.Type = api.ServiceType(t)
	}
	if ip := kv["clusterip"]; ip != "" {
		s.Spec.ClusterIP = ip
	}
	if _, ok := kv["publish"]; ok {
		s.Spec.PublishNotReadyAddresses = true
	}
	if kv["itp"] == "Local" {
		l := api.TrafficPolicyLocal
		s.Spec.InternalTrafficPolicy = &l
	}
	if kv["etp"] == "Local" {
		s.Spec.ExternalTrafficPolicy = api.TrafficPolicyLocal
	}
	if _, ok := kv["affinity"]; ok {
		s.Spec.SessionAffinity = api.SessionAffinityClientIP
	}
	if td := kv["td"]; td != "" {
		s.Spec.TrafficDistribution = &td
	}
	_, err := c.ApplyObjects(s)
	return err
}

// fault injects a fault. Pods are named as "NS/DEPLOY#K" (flap) or "#K"
// (the K-th coredns pod); the rest is ParseFault's form, plus after= and for=.
func (w *world) fault(pos []string, kv map[string]string) error {
	after, forDur := dur(kv["after"], 0), dur(kv["for"], 0)
	delete(kv, "after")
	delete(kv, "for")
	if len(pos) >= 2 && (pos[0] == "flap-readiness" || pos[0] == "dns-replica-down") && strings.Contains(pos[1], "#") {
		ref := pos[1]
		if pos[0] == "dns-replica-down" {
			ref = "kube-system/coredns" + ref[strings.Index(ref, "#"):]
		}
		p, err := w.podOf(ref)
		if err != nil {
			return err
		}
		pos[1] = p.Name
		if pos[0] == "flap-readiness" {
			pos[1] = p.Namespace + "/" + p.Name
		}
	}
	text := strings.Join(pos, " ")
	for _, k := range sortedKeys(kv) {
		text += " " + k + "=" + kv[k]
	}
	f, err := kubesim.ParseFault(text)
	if err != nil {
		return err
	}
	_, err = w.c.Inject(f, after, forDur)
	return err
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Trace returns the text of the trace of ops, followed by the final heal
// and settle that Run ends with.
func Trace(cfg Config, ops []Op) string {
	c, err := cfg.Cluster()
	if err != nil {
		return err.Error() + "\n"
	}
	w := &world{cfg: cfg, c: c}
	for _, o := range ops {
		_ = w.do(o)
	}
	c.HealAll()
	_ = c.Settle()
	return c.Trace().String()
}
