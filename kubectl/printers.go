package kubectl

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
)

// The row printers follow kubernetes' pkg/printers/internalversion: the same
// columns, the same cell rules, for the kinds kubesim stores.

// columns returns the headers of a kind's table.
func columns(k api.Kind, wide bool) []string {
	var cols, more []string
	switch k {
	case api.KindPod:
		cols = []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}
		more = []string{"IP", "NODE", "NOMINATED NODE", "READINESS GATES"}
	case api.KindDeployment:
		cols = []string{"NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"}
		more = []string{"CONTAINERS", "IMAGES", "SELECTOR"}
	case api.KindReplicaSet:
		cols = []string{"NAME", "DESIRED", "CURRENT", "READY", "AGE"}
		more = []string{"CONTAINERS", "IMAGES", "SELECTOR"}
	case api.KindService:
		cols = []string{"NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"}
		more = []string{"SELECTOR"}
	case api.KindEndpoints:
		cols = []string{"NAME", "ENDPOINTS", "AGE"}
	case api.KindEndpointSlice:
		cols = []string{"NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"}
	case api.KindNamespace:
		cols = []string{"NAME", "STATUS", "AGE"}
	case api.KindNode:
		cols = []string{"NAME", "STATUS", "ROLES", "AGE", "VERSION"}
		more = []string{"INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"}
	}
	if wide {
		cols = append(cols, more...)
	}
	return cols
}

// row returns the cells of an object's row, name first.
func row(o api.Object, now time.Time, wide bool) []string {
	switch o := o.(type) {
	case *api.Pod:
		return podRow(o, now, wide)
	case *api.Deployment:
		cells := []string{o.Name,
			fmt.Sprintf("%d/%d", o.Status.ReadyReplicas, replicasOf(o.Spec.Replicas)),
			strconv.Itoa(int(o.Status.UpdatedReplicas)), strconv.Itoa(int(o.Status.AvailableReplicas)),
			since(now, o.CreationTimestamp)}
		if wide {
			names, images := containerCells(o.Spec.Template.Spec.Containers)
			cells = append(cells, names, images, selectorString(o.Spec.Selector))
		}
		return cells
	case *api.ReplicaSet:
		cells := []string{o.Name, strconv.Itoa(int(replicasOf(o.Spec.Replicas))),
			strconv.Itoa(int(o.Status.Replicas)), strconv.Itoa(int(o.Status.ReadyReplicas)),
			since(now, o.CreationTimestamp)}
		if wide {
			names, images := containerCells(o.Spec.Template.Spec.Containers)
			cells = append(cells, names, images, selectorString(o.Spec.Selector))
		}
		return cells
	case *api.Service:
		ports := servicePorts(o.Spec.Ports)
		if ports == "" {
			ports = "<none>"
		}
		cells := []string{o.Name, string(o.Spec.Type), clusterIP(o), externalIP(o, wide), ports, since(now, o.CreationTimestamp)}
		if wide {
			cells = append(cells, formatLabels(o.Spec.Selector))
		}
		return cells
	case *api.Endpoints:
		return []string{o.Name, formatEndpoints(o.Subsets), since(now, o.CreationTimestamp)}
	case *api.EndpointSlice:
		return []string{o.Name, string(o.AddressType), slicePorts(o.Ports), sliceEndpoints(o.Endpoints), since(now, o.CreationTimestamp)}
	case *api.Namespace:
		return []string{o.Name, string(o.Status.Phase), since(now, o.CreationTimestamp)}
	case *api.Node:
		return nodeRow(o, now, wide)
	}
	return []string{o.GetObjectMeta().Name}
}

func replicasOf(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func containerCells(cs []api.Container) (names, images string) {
	var n, i []string
	for _, c := range cs {
		n = append(n, c.Name)
		i = append(i, c.Image)
	}
	return strings.Join(n, ","), strings.Join(i, ",")
}

// selectorString renders a workload selector as labels.Selector's String:
// the wide SELECTOR column.
func selectorString(ls *api.LabelSelector) string {
	sel, err := api.SelectorFromLabelSelector(ls)
	if err != nil {
		return "<invalid>"
	}
	return sel.String()
}

// podRow is printPod: READY counts ready containers; RESTARTS sums restarts.
func podRow(p *api.Pod, now time.Time, wide bool) []string {
	ready, restarts := 0, 0
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Ready {
			ready++
		}
		restarts += int(cs.RestartCount)
	}
	cells := []string{p.Name, fmt.Sprintf("%d/%d", ready, len(p.Spec.Containers)), podStatus(p),
		strconv.Itoa(restarts), since(now, p.CreationTimestamp)}
	if wide {
		ip, node := "<none>", "<none>"
		if len(p.Status.PodIPs) > 0 {
			ip = p.Status.PodIPs[0].IP.String()
		}
		if p.Spec.NodeName != "" {
			node = p.Spec.NodeName
		}
		cells = append(cells, ip, node, "<none>", "<none>")
	}
	return cells
}

// podStatus is the STATUS cell: the phase, refined by what the containers and
// the deletion say. kubesim does not model container states, so a pod bound
// to a node whose containers have not started shows ContainerCreating, as the
// kubelet reports it.
func podStatus(p *api.Pod) string {
	reason := string(p.Status.Phase)
	if reason == "" {
		reason = string(api.PodPending)
	}
	if p.Status.Reason != "" {
		reason = p.Status.Reason
	}
	if p.Status.Phase == api.PodPending || p.Status.Phase == "" {
		switch {
		case len(p.Spec.InitContainers) > 0 && p.Spec.NodeName != "":
			reason = fmt.Sprintf("Init:0/%d", len(p.Spec.InitContainers))
		case p.Spec.NodeName != "" && len(p.Status.ContainerStatuses) == 0:
			reason = "ContainerCreating"
		}
	}
	if p.DeletionTimestamp != nil {
		if p.Status.Reason == "NodeLost" {
			return "Unknown"
		}
		if p.Status.Phase != api.PodSucceeded && p.Status.Phase != api.PodFailed {
			return "Terminating"
		}
	}
	return reason
}

// clusterIP is the CLUSTER-IP cell: the primary cluster IP, "None" for a
// headless service, <none> for ExternalName.
func clusterIP(s *api.Service) string {
	switch {
	case len(s.Spec.ClusterIPs) > 0:
		return s.Spec.ClusterIPs[0]
	case s.Spec.ClusterIP != "":
		return s.Spec.ClusterIP
	}
	return "<none>"
}

// loadBalancerWidth is where kubectl cuts a long EXTERNAL-IP outside -o wide.
const loadBalancerWidth = 16

// externalIP is the EXTERNAL-IP cell.
func externalIP(s *api.Service, wide bool) string {
	switch s.Spec.Type {
	case api.ServiceTypeClusterIP, api.ServiceTypeNodePort:
		if len(s.Spec.ExternalIPs) > 0 {
			return strings.Join(s.Spec.ExternalIPs, ",")
		}
		return "<none>"
	case api.ServiceTypeLoadBalancer:
		lb := loadBalancerIngress(s.Status.LoadBalancer, wide)
		if len(s.Spec.ExternalIPs) > 0 {
			var all []string
			if lb != "" {
				all = strings.Split(lb, ",")
			}
			return strings.Join(append(all, s.Spec.ExternalIPs...), ",")
		}
		if lb != "" {
			return lb
		}
		return "<pending>"
	case api.ServiceTypeExternalName:
		return s.Spec.ExternalName
	}
	return "<unknown>"
}

// loadBalancerIngress renders ingress points sorted and deduplicated, cut
// outside -o wide (loadBalancerStatusStringer).
func loadBalancerIngress(st api.LoadBalancerStatus, wide bool) string {
	var set []string
	for _, in := range st.Ingress {
		switch {
		case in.IP.IsValid():
			set = append(set, in.IP.String())
		case in.Hostname != "":
			set = append(set, in.Hostname)
		}
	}
	slices.Sort(set)
	r := strings.Join(slices.Compact(set), ",")
	if !wide && len(r) > loadBalancerWidth {
		r = r[:loadBalancerWidth-3] + "..."
	}
	return r
}

// servicePorts is the PORT(S) cell: port/PROTO, or port:nodePort/PROTO.
func servicePorts(ports []api.ServicePort) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		if p.NodePort > 0 {
			parts[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		} else {
			parts[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		}
	}
	return strings.Join(parts, ",")
}

// formatEndpoints is the ENDPOINTS cell of an Endpoints object: for each
// subset, each port, each ready address, ip:port (three at most, then
// "+ N more..."); <none> when there are no subsets at all.
func formatEndpoints(subsets []api.EndpointSubset) string {
	if len(subsets) == 0 {
		return "<none>"
	}
	var list []string
	for _, ss := range subsets {
		if len(ss.Ports) == 0 {
			for _, a := range ss.Addresses {
				list = append(list, a.IP.String())
			}
			continue
		}
		for _, p := range ss.Ports {
			for _, a := range ss.Addresses {
				list = append(list, hostPort(a.IP, p.Port))
			}
		}
	}
	return joinMore(list, 3)
}

func hostPort(ip netip.Addr, port int32) string {
	return netip.AddrPortFrom(ip, uint16(port)).String()
}

// slicePorts is the PORTS cell of an EndpointSlice.
func slicePorts(ports []api.EndpointSlicePort) string {
	var list []string
	for _, p := range ports {
		switch {
		case p.Port != nil:
			list = append(list, strconv.Itoa(int(*p.Port)))
		case p.Name != nil:
			list = append(list, *p.Name)
		default:
			list = append(list, "*")
		}
	}
	if len(list) == 0 {
		return "<unset>"
	}
	return joinMore(list, 3)
}

// sliceEndpoints is the ENDPOINTS cell of an EndpointSlice: every address,
// ready or not.
func sliceEndpoints(eps []api.Endpoint) string {
	var list []string
	for _, ep := range eps {
		for _, a := range ep.Addresses {
			list = append(list, a.String())
		}
	}
	if len(list) == 0 {
		return "<unset>"
	}
	return joinMore(list, 3)
}

// nodeInfo is the part of a node's status.nodeInfo that kubectl shows; the
// API type keeps the field as raw JSON.
type nodeInfo struct {
	KubeletVersion          string `json:"kubeletVersion"`
	OSImage                 string `json:"osImage"`
	KernelVersion           string `json:"kernelVersion"`
	ContainerRuntimeVersion string `json:"containerRuntimeVersion"`
}

// nodeRow is printNode: STATUS from the Ready condition, ROLES from labels.
func nodeRow(n *api.Node, now time.Time, wide bool) []string {
	var status []string
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			if c.Status == api.ConditionTrue {
				status = append(status, "Ready")
			} else {
				status = append(status, "NotReady")
			}
			break
		}
	}
	if len(status) == 0 {
		status = append(status, "Unknown")
	}
	if n.Spec.Unschedulable {
		status = append(status, "SchedulingDisabled")
	}
	roles := "<none>"
	if r := nodeRoles(n); len(r) > 0 {
		roles = strings.Join(r, ",")
	}
	var info nodeInfo
	if len(n.Status.NodeInfo) > 0 {
		_ = json.Unmarshal(n.Status.NodeInfo, &info)
	}
	cells := []string{n.Name, strings.Join(status, ","), roles, since(now, n.CreationTimestamp), info.KubeletVersion}
	if wide {
		internal, external := "<none>", "<none>"
		for _, a := range n.Status.Addresses {
			if a.Type == api.NodeInternalIP && internal == "<none>" {
				internal = a.Address
			}
			if a.Type == api.NodeExternalIP && external == "<none>" {
				external = a.Address
			}
		}
		cells = append(cells, internal, external, orUnknown(info.OSImage), orUnknown(info.KernelVersion), orUnknown(info.ContainerRuntimeVersion))
	}
	return cells
}

// nodeRoles reads node-role.kubernetes.io/<role> labels and the older
// kubernetes.io/role label, sorted.
func nodeRoles(n *api.Node) []string {
	var roles []string
	for k, v := range n.Labels {
		switch {
		case strings.HasPrefix(k, "node-role.kubernetes.io/"):
			if r := strings.TrimPrefix(k, "node-role.kubernetes.io/"); r != "" {
				roles = append(roles, r)
			}
		case k == "kubernetes.io/role" && v != "":
			roles = append(roles, v)
		}
	}
	slices.Sort(roles)
	return slices.Compact(roles)
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}

// podReady reports whether a pod's Ready condition is true.
func podReady(p *api.Pod) bool { return controller.IsPodReady(p) }
