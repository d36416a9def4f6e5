package kubectl

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/kubesim/kubesim/api"
)

var describeCommand = &command{
	name:  "describe",
	short: "Show details of a specific resource or group of resources",
	usage: "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME)",
	notes: "kubesim describes services, pods, endpoints, deployments, replica sets and namespaces.\n" +
		"It records no events, so descriptions end with Events: <none>.",
	flags: append([]flagDef{
		{long: "selector", short: "l", kind: stringFlag, usage: "Selector (label query) to filter on."},
		{long: "all-namespaces", short: "A", kind: boolFlag, def: "false", usage: "If present, list the requested object(s) across all namespaces."},
	}, fileFlags...),
	run: runDescribe,
}

// runDescribe describes each object named or selected, separated by a blank
// line pair as kubectl separates them.
func runDescribe(c *call) error {
	sel, err := c.selector()
	if err != nil {
		return err
	}
	allNS := c.flags.bool("all-namespaces")
	var objs []found
	var errs errorList
	if files := c.flags.strs("filename"); len(files) > 0 {
		if objs, err = c.resolve(); err != nil {
			return err
		}
	} else {
		targets, err := parseTargets(c.args)
		if err != nil {
			return err
		}
		if len(targets) == 0 {
			return fmt.Errorf("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n")
		}
		for _, t := range targets {
			if len(t.names) == 0 {
				got, _ := c.fetch(t, sel, allNS)
				objs = append(objs, got...)
				continue
			}
			for _, name := range t.names {
				got, terrs := c.fetch(target{info: t.info, names: []string{name}}, sel, false)
				if len(terrs) == 0 {
					objs = append(objs, got...)
					continue
				}
				// kubectl describe falls back to objects whose name starts
				// with the one given, so `describe pod web` finds web-7d4f.
				var prefixed []found
				for _, o := range c.r.Cluster.List(t.info.Kind, c.objectNS(t.info, false), sel) {
					if strings.HasPrefix(o.GetObjectMeta().Name, name) {
						prefixed = append(prefixed, found{obj: o, info: t.info})
					}
				}
				if len(prefixed) == 0 {
					errs = append(errs, terrs...)
				}
				objs = append(objs, prefixed...)
			}
		}
		if len(objs) == 0 && len(errs) == 0 {
			if allNS || !allNamespaced(targets) {
				fmt.Fprintln(c.stderr, "No resources found")
			} else {
				fmt.Fprintf(c.stderr, "No resources found in %s namespace.\n", c.ns)
			}
			return nil
		}
	}
	for i, f := range objs {
		text, err := c.describe(f.obj)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if i > 0 {
			fmt.Fprint(c.stdout, "\n\n")
		}
		fmt.Fprint(c.stdout, text)
	}
	return errs.result()
}

// describe renders one object the way kubectl describe's describer for its
// kind does (k8s.io/kubectl/pkg/describe).
func (c *call) describe(o api.Object) (string, error) {
	now := c.r.Cluster.Now()
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 8, 2, ' ', 0)
	w := &prefixWriter{w: tw}
	switch o := o.(type) {
	case *api.Service:
		c.describeService(w, o)
	case *api.Pod:
		describePod(w, o, now)
	case *api.Endpoints:
		describeEndpoints(w, o)
	case *api.Deployment:
		c.describeDeployment(w, o)
	case *api.ReplicaSet:
		c.describeReplicaSet(w, o)
	case *api.Namespace:
		describeNamespace(w, o)
		tw.Flush()
		return buf.String(), nil
	default:
		info, _ := api.InfoFor(api.KindOf(o))
		return "", fmt.Errorf("kubesim does not describe %s", info.Resource)
	}
	// kubesim records no events.
	w.write(0, "Events:\t<none>\n")
	tw.Flush()
	return buf.String(), nil
}

// prefixWriter indents by two spaces per level, as kubectl's PrefixWriter.
type prefixWriter struct{ w io.Writer }

func (p *prefixWriter) write(level int, format string, a ...any) {
	fmt.Fprintf(p.w, strings.Repeat("  ", level)+format, a...)
}

// rfc1123Z is the time format of describe's timestamps.
const rfc1123Z = "Mon, 02 Jan 2006 15:04:05 -0700"

// skipAnnotations are hidden by describe.
var skipAnnotations = []string{"kubectl.kubernetes.io/last-applied-configuration"}

// maxAnnotationLen is where describe cuts an annotation onto lines of its own.
const maxAnnotationLen = 140

// labelsMultiline prints "Title:" then k=v pairs, one per line, aligned.
func labelsMultiline(w *prefixWriter, title string, labels map[string]string) {
	w.write(0, "%s:\t", title)
	if len(labels) == 0 {
		w.write(0, "<none>\n")
		return
	}
	keys := sortedKeys(labels)
	for i, k := range keys {
		if i > 0 {
			w.write(0, "\t")
		}
		w.write(0, "%s=%s\n", k, labels[k])
	}
}

func annotationsMultiline(w *prefixWriter, title string, annotations map[string]string) {
	w.write(0, "%s:\t", title)
	var keys []string
	for _, k := range sortedKeys(annotations) {
		if !slices.Contains(skipAnnotations, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		w.write(0, "<none>\n")
		return
	}
	for i, k := range keys {
		if i > 0 {
			w.write(0, "\t")
		}
		v := strings.TrimSuffix(annotations[k], "\n")
		if len(v)+len(k)+2 > maxAnnotationLen || strings.Contains(v, "\n") {
			w.write(0, "%s:\n", k)
			for _, line := range strings.Split(v, "\n") {
				if len(line) > maxAnnotationLen-2 {
					line = line[:maxAnnotationLen-2] + "..."
				}
				w.write(0, "\t  %s\n", line)
			}
			continue
		}
		w.write(0, "%s: %s\n", k, v)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// describeService follows kubectl's describeService (1.31 and later, which
// read endpoints from EndpointSlices).
func (c *call) describeService(w *prefixWriter, s *api.Service) {
	w.write(0, "Name:\t%s\n", s.Name)
	w.write(0, "Namespace:\t%s\n", s.Namespace)
	labelsMultiline(w, "Labels", s.Labels)
	annotationsMultiline(w, "Annotations", s.Annotations)
	w.write(0, "Selector:\t%s\n", formatLabels(s.Spec.Selector))
	w.write(0, "Type:\t%s\n", s.Spec.Type)
	if s.Spec.IPFamilyPolicy != nil {
		w.write(0, "IP Family Policy:\t%s\n", *s.Spec.IPFamilyPolicy)
	}
	if len(s.Spec.IPFamilies) > 0 {
		fams := make([]string, len(s.Spec.IPFamilies))
		for i, f := range s.Spec.IPFamilies {
			fams[i] = string(f)
		}
		w.write(0, "IP Families:\t%s\n", strings.Join(fams, ","))
	} else {
		w.write(0, "IP Families:\t<none>\n")
	}
	w.write(0, "IP:\t%s\n", s.Spec.ClusterIP)
	if len(s.Spec.ClusterIPs) > 0 {
		w.write(0, "IPs:\t%s\n", strings.Join(s.Spec.ClusterIPs, ","))
	} else {
		w.write(0, "IPs:\t<none>\n")
	}
	if len(s.Spec.ExternalIPs) > 0 {
		w.write(0, "External IPs:\t%s\n", strings.Join(s.Spec.ExternalIPs, ","))
	}
	if s.Spec.LoadBalancerIP != "" {
		w.write(0, "Desired LoadBalancer IP:\t%s\n", s.Spec.LoadBalancerIP)
	}
	if s.Spec.ExternalName != "" {
		w.write(0, "External Name:\t%s\n", s.Spec.ExternalName)
	}
	if in := s.Status.LoadBalancer.Ingress; len(in) > 0 {
		parts := make([]string, len(in))
		for i, x := range in {
			if x.IP.IsValid() {
				parts[i] = x.IP.String()
				if x.IPMode != nil {
					parts[i] += " (" + *x.IPMode + ")"
				}
			} else {
				parts[i] = x.Hostname
			}
		}
		w.write(0, "LoadBalancer Ingress:\t%s\n", strings.Join(parts, ", "))
	}
	var slices []*api.EndpointSlice
	for _, o := range c.r.Cluster.List(api.KindEndpointSlice, s.Namespace, api.SelectorFromSet(map[string]string{api.LabelServiceName: s.Name})) {
		slices = append(slices, o.(*api.EndpointSlice))
	}
	for _, p := range s.Spec.Ports {
		name := p.Name
		if name == "" {
			name = "<unset>"
		}
		w.write(0, "Port:\t%s\t%d/%s\n", name, p.Port, p.Protocol)
		w.write(0, "TargetPort:\t%s/%s\n", p.TargetPort.String(), p.Protocol)
		if p.NodePort != 0 {
			w.write(0, "NodePort:\t%s\t%d/%s\n", name, p.NodePort, p.Protocol)
		}
		w.write(0, "Endpoints:\t%s\n", sliceEndpointsFor(slices, p.Name))
	}
	w.write(0, "Session Affinity:\t%s\n", s.Spec.SessionAffinity)
	if s.Spec.ExternalTrafficPolicy != "" {
		w.write(0, "External Traffic Policy:\t%s\n", s.Spec.ExternalTrafficPolicy)
	}
	if s.Spec.InternalTrafficPolicy != nil {
		w.write(0, "Internal Traffic Policy:\t%s\n", *s.Spec.InternalTrafficPolicy)
	}
	if s.Spec.HealthCheckNodePort != 0 {
		w.write(0, "HealthCheck NodePort:\t%d\n", s.Spec.HealthCheckNodePort)
	}
	if len(s.Spec.LoadBalancerSourceRanges) > 0 {
		w.write(0, "LoadBalancer Source Ranges:\t%s\n", strings.Join(s.Spec.LoadBalancerSourceRanges, ","))
	}
}

// sliceEndpointsFor is the Endpoints line of describe service, which since
// kubectl 1.31 reads the service's EndpointSlices: the ready (or
// unconditioned) addresses with the slice port named as the service port.
func sliceEndpointsFor(slices []*api.EndpointSlice, port string) string {
	if len(slices) == 0 {
		return "<none>"
	}
	var list []string
	for _, s := range slices {
		for _, p := range s.Ports {
			if p.PortName() != port || p.Port == nil {
				continue
			}
			for _, ep := range s.Endpoints {
				if !ep.Conditions.IsReady() {
					continue
				}
				for _, a := range ep.Addresses {
					list = append(list, hostPort(a, *p.Port))
				}
			}
		}
	}
	return joinMore(list, 3)
}

// describeEndpoints follows kubectl's describeEndpoints: each subset's
// addresses, then its ports as a small table, then a blank line.
func describeEndpoints(w *prefixWriter, e *api.Endpoints) {
	w.write(0, "Name:\t%s\n", e.Name)
	w.write(0, "Namespace:\t%s\n", e.Namespace)
	labelsMultiline(w, "Labels", e.Labels)
	annotationsMultiline(w, "Annotations", e.Annotations)
	w.write(0, "Subsets:\n")
	for _, ss := range e.Subsets {
		w.write(1, "Addresses:\t%s\n", orNone(addressList(ss.Addresses)))
		w.write(1, "NotReadyAddresses:\t%s\n", orNone(addressList(ss.NotReadyAddresses)))
		if len(ss.Ports) > 0 {
			w.write(1, "Ports:\n")
			w.write(2, "Name\tPort\tProtocol\n")
			w.write(2, "----\t----\t--------\n")
			for _, p := range ss.Ports {
				name := p.Name
				if name == "" {
					name = "<unset>"
				}
				w.write(2, "%s\t%d\t%s\n", name, p.Port, p.Protocol)
			}
		}
		w.write(0, "\n")
	}
}

func addressList(as []api.EndpointAddress) string {
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.IP.String()
	}
	return strings.Join(parts, ",")
}

// describeNamespace follows kubectl's describeNamespace; kubesim models no
// quotas or limit ranges, and namespace descriptions list no events.
func describeNamespace(w *prefixWriter, n *api.Namespace) {
	w.write(0, "Name:\t%s\n", n.Name)
	labelsMultiline(w, "Labels", n.Labels)
	annotationsMultiline(w, "Annotations", n.Annotations)
	w.write(0, "Status:\t%s\n", n.Status.Phase)
	w.write(0, "\n")
	w.write(0, "No resource quota.\n")
	w.write(0, "\n")
	w.write(0, "No LimitRange resource.\n")
}
