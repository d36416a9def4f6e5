package main

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/dns"
)

func init() {
	register(command{
		name:    "graph",
		summary: "draw services, DNS names, endpoints, pods and nodes (Mermaid or Graphviz)",
		run:     runGraph,
	})
}

const graphDescription = `Draw the settled cluster as a Mermaid flowchart (-o mermaid, the default) or
a Graphviz digraph (-o dot): one box per namespace holding its services'
DNS names, services, EndpointSlices and pods, plus the nodes and, outside the
cluster, the names and addresses things point at. Arrows say what each
service name resolves to, as the cluster DNS answers it (a ClusterIP
service's name to the service, a headless one's to its pods, an ExternalName
to its CNAME target), which pods each service routes to through its
EndpointSlices, and which node each pod runs on.

System namespaces (kube-system, kube-public, kube-node-lease) are left out
unless -A is given. The output is the same for the same inputs and seed.

	kubesim graph -f examples/ch03/numbers -o dot | dot -Tsvg > numbers.svg

Exit status: 0 on success, 1 on any error.`

func runGraph(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	var output string
	var all bool
	fs := newFlagSet("graph", "-f MANIFESTS... [-o mermaid|dot] [-A]", graphDescription, stderr)
	cf.register(fs)
	fs.StringVar(&output, "o", "mermaid", "output format: mermaid or dot")
	fs.StringVar(&output, "output", "mermaid", "same as -o")
	fs.BoolVar(&all, "A", false, "include the system namespaces")
	fs.BoolVar(&all, "all-namespaces", false, "same as -A")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) != 0 {
		return fail(stderr, fmt.Errorf("graph takes no arguments, got %q (see kubesim graph -h)", pos))
	}
	if err := checkOutput(output, "mermaid", "dot"); err != nil {
		return fail(stderr, err)
	}
	c, err := cf.build()
	if err != nil {
		return fail(stderr, err)
	}
	g := buildGraph(c, all)
	if output == "dot" {
		io.WriteString(stdout, g.dot())
	} else {
		io.WriteString(stdout, g.mermaid())
	}
	return exitOK
}

// systemNamespaces are the namespaces a fresh cluster creates for itself.
var systemNamespaces = []string{"kube-node-lease", "kube-public", "kube-system"}

// gkind is what a graph node stands for; each renderer gives it a shape.
type gkind uint8

const (
	kindName    gkind = iota // a DNS name
	kindService              // a Service
	kindSlice                // an EndpointSlice
	kindPod                  // a Pod
	kindNode                 // a Node
	kindAddress              // an address nothing in the cluster owns
)

type gnode struct {
	id    string
	kind  gkind
	lines []string // the label, one element a line; the first is the title
}

// label renders the node's lines for one output format: each escaped, then
// joined by that format's line break.
func (n gnode) label(escape func(string) string, sep string) string {
	lines := make([]string, len(n.lines))
	for i, l := range n.lines {
		lines[i] = escape(l)
	}
	return strings.Join(lines, sep)
}

type ggroup struct {
	id, label string
	nodes     []gnode
}

type gedge struct {
	from, to, label string
	dashed          bool
}

// graph is the drawing, independent of its notation. Groups, nodes and edges
// keep the order they were added in, which buildGraph makes deterministic.
type graph struct {
	groups []*ggroup
	edges  []gedge
	ids    map[string]bool
}

// id returns a node or group identifier, valid in Mermaid and DOT, derived
// from parts; a collision (Kubernetes names may differ only in '.' and '-')
// gets a numeric suffix.
func (g *graph) id(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString("__")
		}
		for _, r := range p {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	base := b.String()
	id := base
	for n := 2; g.ids[id]; n++ {
		id = base + "_" + strconv.Itoa(n)
	}
	g.ids[id] = true
	return id
}

func (g *graph) edge(from, to, label string, dashed bool) {
	e := gedge{from: from, to: to, label: label, dashed: dashed}
	if !slices.Contains(g.edges, e) {
		g.edges = append(g.edges, e)
	}
}

// buildGraph reads the cluster into a graph: namespaces in name order, and
// in each the services' names, the services, their slices and the pods, each
// in name order.
func buildGraph(c *kubesim.Cluster, all bool) *graph {
	g := &graph{ids: map[string]bool{}}
	zone := strings.TrimSuffix(c.Config().ClusterDomain, ".")
	everything := api.Everything()

	var namespaces []string
	for _, ns := range kubesim.ListOf[*api.Namespace](c, "", everything) {
		if all || !slices.Contains(systemNamespaces, ns.Name) {
			namespaces = append(namespaces, ns.Name)
		}
	}

	// Addresses to the objects that own them, so that DNS answers and
	// endpoints point at services, pods and nodes rather than at bare IPs.
	byIP := map[netip.Addr]string{}
	nodeIDs := map[string]string{}
	nodes := &ggroup{id: g.id("nodes"), label: "nodes"}
	for _, n := range kubesim.ListOf[*api.Node](c, "", everything) {
		id := g.id("node", n.Name)
		nodeIDs[n.Name] = id
		lines := []string{"node/" + n.Name}
		for _, a := range n.Status.Addresses {
			if a.Type == api.NodeInternalIP {
				lines = append(lines, a.Address)
				if ip, err := netip.ParseAddr(a.Address); err == nil {
					byIP[ip] = id
				}
			}
		}
		nodes.nodes = append(nodes.nodes, gnode{id: id, kind: kindNode, lines: lines})
	}

	type nsObjects struct {
		ns       string
		group    *ggroup
		services []*api.Service
		slices   []*api.EndpointSlice
		pods     []*api.Pod
	}
	objs := make([]nsObjects, len(namespaces))
	podIDs := map[string]string{} // "ns/name" -> id
	svcIDs := map[string]string{}
	for i, ns := range namespaces {
		o := &objs[i]
		o.ns = ns
		o.group = &ggroup{id: g.id("ns", ns), label: "namespace " + ns}
		o.services = kubesim.ListOf[*api.Service](c, ns, everything)
		o.slices = kubesim.ListOf[*api.EndpointSlice](c, ns, everything)
		o.pods = kubesim.ListOf[*api.Pod](c, ns, everything)
		for _, s := range o.services {
			id := g.id("svc", ns, s.Name)
			svcIDs[ns+"/"+s.Name] = id
			for _, ipStr := range serviceIPs(s) {
				if ip, err := netip.ParseAddr(ipStr); err == nil {
					byIP[ip] = id
				}
			}
		}
		for _, p := range o.pods {
			id := g.id("pod", ns, p.Name)
			podIDs[ns+"/"+p.Name] = id
			// A host-network pod shares its node's address: the
			// address stays the node's.
			if !p.Spec.HostNetwork {
				for _, ip := range podIPs(p) {
					byIP[ip] = id
				}
			}
		}
	}
	for _, o := range objs {
		g.groups = append(g.groups, o.group)
	}
	outside := &ggroup{id: g.id("outside"), label: "outside the cluster"}
	external := map[string]string{} // name or address -> id
	ext := func(key string) string {
		if id, ok := external[key]; ok {
			return id
		}
		id := g.id("ext", key)
		external[key] = id
		outside.nodes = append(outside.nodes, gnode{id: id, kind: kindAddress, lines: []string{key}})
		return id
	}
	target := func(ip netip.Addr) string {
		if id, ok := byIP[ip]; ok {
			return id
		}
		return ext(ip.String())
	}

	server := c.DNS()
	for _, o := range objs {
		ns := o.ns
		for _, s := range o.services {
			svcID := svcIDs[ns+"/"+s.Name]
			fqdn := s.Name + "." + ns + ".svc." + zone
			nameID := g.id("dns", ns, s.Name)
			nameNode := gnode{id: nameID, kind: kindName, lines: []string{fqdn}}
			answered := false
			var rcode string
			for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
				r := server.Query(fqdn+".", qt)
				if r.Rcode != dns.RcodeSuccess && rcode == "" {
					rcode = dns.RcodeString(r.Rcode)
				}
				for _, rr := range r.Answer {
					switch rr.Type {
					case dns.TypeA, dns.TypeAAAA:
						// The addresses at the end of a CNAME chain
						// belong to the outside world's name, not to
						// this one.
						if strings.EqualFold(strings.TrimSuffix(rr.Name, "."), fqdn) {
							g.edge(nameID, target(rr.Addr), dns.TypeString(rr.Type), false)
							answered = true
						}
					case dns.TypeCNAME:
						from := nameID
						if !strings.EqualFold(strings.TrimSuffix(rr.Name, "."), fqdn) {
							from = ext(hostKey(rr.Name))
						}
						g.edge(from, ext(hostKey(rr.Target)), "CNAME", false)
						answered = true
					}
				}
			}
			if !answered {
				if rcode == "" {
					rcode = "NODATA"
				}
				nameNode.lines = append(nameNode.lines, rcode)
			}
			o.group.nodes = append(o.group.nodes, nameNode, gnode{id: svcID, kind: kindService, lines: serviceLines(s)})
			// An ExternalName service routes nothing: what it stands for
			// is its target, which its name's CNAME also points at.
			if s.Spec.Type == api.ServiceTypeExternalName && s.Spec.ExternalName != "" {
				g.edge(svcID, ext(hostKey(s.Spec.ExternalName)), "externalName", true)
			}
		}
		for _, es := range o.slices {
			id := g.id("eps", ns, es.Name)
			o.group.nodes = append(o.group.nodes, gnode{id: id, kind: kindSlice, lines: sliceLines(es)})
			if svc, ok := svcIDs[ns+"/"+es.Labels[api.LabelServiceName]]; ok {
				g.edge(svc, id, "", false)
			}
			for _, ep := range es.Endpoints {
				state := endpointState(ep.Conditions)
				if ep.TargetRef != nil && ep.TargetRef.Kind == "Pod" {
					if pod, ok := podIDs[ns+"/"+ep.TargetRef.Name]; ok {
						g.edge(id, pod, state, false)
						continue
					}
				}
				for _, a := range ep.Addresses {
					g.edge(id, target(a), state, false)
				}
			}
		}
		for _, p := range o.pods {
			id := podIDs[ns+"/"+p.Name]
			o.group.nodes = append(o.group.nodes, gnode{id: id, kind: kindPod, lines: podLines(p)})
			if n, ok := nodeIDs[p.Spec.NodeName]; ok {
				g.edge(id, n, "runs on", true)
			}
		}
	}
	g.groups = append(g.groups, nodes)
	if len(outside.nodes) > 0 {
		g.groups = append(g.groups, outside)
	}
	return g
}

// hostKey is the form an outside name is drawn and matched in: lower case,
// without the root's dot.
func hostKey(name string) string { return strings.TrimSuffix(strings.ToLower(name), ".") }

// serviceIPs returns a service's cluster IPs (none for a headless or
// ExternalName service).
func serviceIPs(s *api.Service) []string {
	ips := s.Spec.ClusterIPs
	if len(ips) == 0 && s.Spec.ClusterIP != "" {
		ips = []string{s.Spec.ClusterIP}
	}
	var out []string
	for _, ip := range ips {
		if ip != api.ClusterIPNone {
			out = append(out, ip)
		}
	}
	return out
}

func podIPs(p *api.Pod) []netip.Addr {
	var out []netip.Addr
	for _, ip := range p.Status.PodIPs {
		out = append(out, ip.IP)
	}
	if len(out) == 0 && p.Status.PodIP.IsValid() {
		out = append(out, p.Status.PodIP)
	}
	return out
}

// serviceLines labels a service as kubectl get svc describes it: type,
// cluster IPs, external addresses and ports.
func serviceLines(s *api.Service) []string {
	typ := s.Spec.Type
	if typ == "" {
		typ = api.ServiceTypeClusterIP
	}
	lines := []string{"svc/" + s.Name}
	switch {
	case typ == api.ServiceTypeExternalName:
		lines = append(lines, "ExternalName "+s.Spec.ExternalName)
	case s.Spec.ClusterIP == api.ClusterIPNone:
		lines = append(lines, "ClusterIP None (headless)")
	default:
		lines = append(lines, string(typ)+" "+strings.Join(serviceIPs(s), ","))
	}
	var extern []string
	for _, in := range s.Status.LoadBalancer.Ingress {
		switch {
		case in.IP.IsValid():
			extern = append(extern, in.IP.String())
		case in.Hostname != "":
			extern = append(extern, in.Hostname)
		}
	}
	extern = append(extern, s.Spec.ExternalIPs...)
	if len(extern) > 0 {
		lines = append(lines, "external "+strings.Join(extern, ","))
	}
	var ports []string
	for _, p := range s.Spec.Ports {
		proto := p.Protocol
		if proto == "" {
			proto = api.ProtocolTCP
		}
		port := strconv.Itoa(int(p.Port))
		if p.NodePort != 0 {
			port += ":" + strconv.Itoa(int(p.NodePort))
		}
		ports = append(ports, port+"/"+string(proto))
	}
	if len(ports) > 0 {
		lines = append(lines, strings.Join(ports, " "))
	}
	return lines
}

func sliceLines(es *api.EndpointSlice) []string {
	lines := []string{"endpointslice/" + es.Name}
	var ports []string
	for _, p := range es.Ports {
		s := "all"
		if p.Port != nil {
			s = strconv.Itoa(int(*p.Port))
		}
		if p.Protocol != nil {
			s += "/" + string(*p.Protocol)
		}
		ports = append(ports, s)
	}
	// The address type tells a dual-stack service's two slices apart.
	lines = append(lines, strings.TrimSpace(string(es.AddressType)+" "+strings.Join(ports, " ")))
	return lines
}

// endpointState labels an endpoint edge with its conditions when it is not
// plainly ready; unset conditions read as true, as consumers must read them.
func endpointState(c api.EndpointConditions) string {
	is := func(b *bool) bool { return b == nil || *b }
	terminating := c.Terminating != nil && *c.Terminating
	switch {
	case terminating && is(c.Serving):
		return "terminating, serving"
	case terminating:
		return "terminating"
	case !is(c.Ready):
		return "not ready"
	}
	return ""
}

// podLines labels a pod with its addresses and, when it is not simply
// running and ready, its state.
func podLines(p *api.Pod) []string {
	lines := []string{"pod/" + p.Name}
	var ips []string
	for _, ip := range podIPs(p) {
		ips = append(ips, ip.String())
	}
	if len(ips) > 0 {
		lines = append(lines, strings.Join(ips, ","))
	}
	switch {
	case p.DeletionTimestamp != nil:
		lines = append(lines, "Terminating")
	case p.Status.Phase != api.PodRunning:
		lines = append(lines, string(phaseOrPending(p.Status.Phase)))
	case !controller.IsPodReady(p):
		lines = append(lines, "not ready")
	}
	return lines
}

func phaseOrPending(ph api.PodPhase) api.PodPhase {
	if ph == "" {
		return api.PodPending
	}
	return ph
}

// mermaidShapes wrap a label in each kind's shape.
var mermaidShapes = map[gkind][2]string{
	kindName:    {`(["`, `"])`},
	kindService: {`{{"`, `"}}`},
	kindSlice:   {`[/"`, `"/]`},
	kindPod:     {`["`, `"]`},
	kindNode:    {`[["`, `"]]`},
	kindAddress: {`>"`, `"]`},
}

// mermaidText escapes a label line for a quoted Mermaid string.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}

// mermaid renders the graph as a Mermaid flowchart.
func (g *graph) mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, gr := range g.groups {
		fmt.Fprintf(&b, "  subgraph %s[\"%s\"]\n", gr.id, mermaidText(gr.label))
		for _, n := range gr.nodes {
			sh := mermaidShapes[n.kind]
			fmt.Fprintf(&b, "    %s%s%s%s\n", n.id, sh[0], n.label(mermaidText, "<br/>"), sh[1])
		}
		b.WriteString("  end\n")
	}
	for _, e := range g.edges {
		arrow := "-->"
		if e.dashed {
			arrow = "-.->"
		}
		if e.label != "" {
			arrow += "|\"" + mermaidText(e.label) + "\"|"
		}
		fmt.Fprintf(&b, "  %s %s %s\n", e.from, arrow, e.to)
	}
	return b.String()
}

// dotShapes are each kind's Graphviz node attributes.
var dotShapes = map[gkind]string{
	kindName:    `shape=note`,
	kindService: `shape=hexagon`,
	kindSlice:   `shape=parallelogram`,
	kindPod:     `shape=box`,
	kindNode:    `shape=box3d`,
	kindAddress: `shape=plaintext`,
}

// dotText escapes a label line for a quoted DOT string.
func dotText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

// dot renders the graph as a Graphviz digraph, namespaces as clusters.
func (g *graph) dot() string {
	var b strings.Builder
	b.WriteString("digraph kubesim {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for _, gr := range g.groups {
		fmt.Fprintf(&b, "  subgraph cluster_%s {\n    label=\"%s\";\n", gr.id, dotText(gr.label))
		for _, n := range gr.nodes {
			fmt.Fprintf(&b, "    %s [label=\"%s\", %s];\n", n.id, n.label(dotText, `\n`), dotShapes[n.kind])
		}
		b.WriteString("  }\n")
	}
	for _, e := range g.edges {
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, `label="`+dotText(e.label)+`"`)
		}
		if e.dashed {
			attrs = append(attrs, "style=dashed")
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(&b, "  %s -> %s;\n", e.from, e.to)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
