package kubectl

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
)

// describePod follows kubectl's describePod, printing what the simulated pod
// holds: no Priority line, since the store assigns no priority, and empty
// container and image IDs, since no runtime assigns them.
func describePod(w *prefixWriter, p *api.Pod, now time.Time) {
	w.write(0, "Name:\t%s\n", p.Name)
	w.write(0, "Namespace:\t%s\n", p.Namespace)
	if p.Spec.PriorityClassName != "" {
		w.write(0, "Priority Class Name:\t%s\n", p.Spec.PriorityClassName)
	}
	if p.Spec.ServiceAccountName != "" {
		w.write(0, "Service Account:\t%s\n", p.Spec.ServiceAccountName)
	}
	if p.Spec.NodeName == "" {
		w.write(0, "Node:\t<none>\n")
	} else {
		w.write(0, "Node:\t%s/%s\n", p.Spec.NodeName, addrString(p.Status.HostIP))
	}
	if p.Status.StartTime != nil {
		w.write(0, "Start Time:\t%s\n", p.Status.StartTime.Format(rfc1123Z))
	}
	labelsMultiline(w, "Labels", p.Labels)
	annotationsMultiline(w, "Annotations", p.Annotations)
	if p.DeletionTimestamp != nil && p.Status.Phase != api.PodFailed && p.Status.Phase != api.PodSucceeded {
		w.write(0, "Status:\tTerminating (lasts %s)\n", since(now, *p.DeletionTimestamp))
		grace := int64(0)
		if p.DeletionGracePeriodSeconds != nil {
			grace = *p.DeletionGracePeriodSeconds
		}
		w.write(0, "Termination Grace Period:\t%ds\n", grace)
	} else {
		w.write(0, "Status:\t%s\n", p.Status.Phase)
	}
	if p.Status.Reason != "" {
		w.write(0, "Reason:\t%s\n", p.Status.Reason)
	}
	if p.Status.Message != "" {
		w.write(0, "Message:\t%s\n", p.Status.Message)
	}
	w.write(0, "IP:\t%s\n", addrString(p.Status.PodIP))
	if len(p.Status.PodIPs) == 0 {
		w.write(0, "IPs:\t<none>\n")
	} else {
		w.write(0, "IPs:\n")
		for _, ip := range p.Status.PodIPs {
			w.write(1, "IP:\t%s\n", ip.IP)
		}
	}
	if ref := api.ControllerOf(p); ref != nil {
		w.write(0, "Controlled By:\t%s/%s\n", ref.Kind, ref.Name)
	}
	if len(p.Spec.InitContainers) > 0 {
		describeContainers(w, "Init Containers", p.Spec.InitContainers, p, "")
	}
	describeContainers(w, "Containers", p.Spec.Containers, p, "")
	if len(p.Status.Conditions) > 0 {
		w.write(0, "Conditions:\n  Type\tStatus\n")
		for _, c := range p.Status.Conditions {
			w.write(1, "%v \t%v \n", c.Type, c.Status)
		}
	}
	describeVolumes(w, p.Spec.Volumes, "")
	w.write(0, "QoS Class:\t%s\n", qosClass(p))
	labelsMultiline(w, "Node-Selectors", p.Spec.NodeSelector)
	tolerationsMultiline(w, "Tolerations", p.Spec.Tolerations)
}

func addrString(a interface {
	IsValid() bool
	String() string
}) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// describeContainers prints containers with their state when pod is given
// (a pod), or as a template when it is nil.
func describeContainers(w *prefixWriter, label string, cs []api.Container, p *api.Pod, space string) {
	if len(cs) == 0 {
		w.write(0, "%s%s: <none>\n", space, label)
	} else {
		w.write(0, "%s%s:\n", space, label)
	}
	nameIndent := ""
	if space != "" {
		nameIndent = " "
	}
	for _, c := range cs {
		var status *api.ContainerStatus
		if p != nil {
			for i := range p.Status.ContainerStatuses {
				if p.Status.ContainerStatuses[i].Name == c.Name {
					status = &p.Status.ContainerStatuses[i]
				}
			}
		}
		w.write(1, "%s%s:\n", nameIndent, c.Name)
		if status != nil {
			w.write(2, "Container ID:\t\n")
		}
		w.write(2, "Image:\t%s\n", c.Image)
		if status != nil {
			w.write(2, "Image ID:\t\n")
		}
		ports, hostPorts := containerPorts(c.Ports)
		if strings.Contains(ports, ",") {
			w.write(2, "Ports:\t%s\n", ports)
		} else {
			w.write(2, "Port:\t%s\n", orNone(ports))
		}
		if strings.Contains(hostPorts, ",") {
			w.write(2, "Host Ports:\t%s\n", hostPorts)
		} else {
			w.write(2, "Host Port:\t%s\n", orNone(hostPorts))
		}
		if len(c.Command) > 0 {
			w.write(2, "Command:\n")
			for _, s := range c.Command {
				for _, line := range strings.Split(s, "\n") {
					w.write(3, "%s\n", line)
				}
			}
		}
		if len(c.Args) > 0 {
			w.write(2, "Args:\n")
			for _, s := range c.Args {
				for _, line := range strings.Split(s, "\n") {
					w.write(3, "%s\n", line)
				}
			}
		}
		if status != nil {
			// kubesim keeps no container states: a started container of a
			// running pod is Running since the pod started.
			if p.Status.Phase == api.PodRunning && p.Status.StartTime != nil {
				w.write(2, "State:\tRunning\n")
				w.write(3, "Started:\t%s\n", p.Status.StartTime.Format(rfc1123Z))
			} else {
				w.write(2, "State:\tWaiting\n")
			}
			w.write(2, "Ready:\t%s\n", printBool(status.Ready))
			w.write(2, "Restart Count:\t%d\n", status.RestartCount)
		}
		describeResources(w, c.Resources)
		describeProbe(w, "Liveness", c.LivenessProbe)
		if c.ReadinessProbe != nil {
			w.write(2, "Readiness:\t%s\n", probeString(*c.ReadinessProbe))
		}
		describeProbe(w, "Startup", c.StartupProbe)
		describeEnv(w, c.Env)
		describeMounts(w, c.VolumeMounts)
	}
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func printBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func containerPorts(ports []api.ContainerPort) (string, string) {
	var p, h []string
	for _, x := range ports {
		proto := x.Protocol
		if proto == "" {
			proto = api.ProtocolTCP
		}
		p = append(p, fmt.Sprintf("%d/%s", x.ContainerPort, proto))
		h = append(h, fmt.Sprintf("%d/%s", x.HostPort, proto))
	}
	return strings.Join(p, ", "), strings.Join(h, ", ")
}

// resourceRequirements is a container's resources, kept as raw JSON by the
// API types.
type resourceRequirements struct {
	Limits   map[string]string `json:"limits"`
	Requests map[string]string `json:"requests"`
}

func describeResources(w *prefixWriter, raw json.RawMessage) {
	var r resourceRequirements
	if len(raw) == 0 || json.Unmarshal(raw, &r) != nil {
		return
	}
	if len(r.Limits) > 0 {
		w.write(2, "Limits:\n")
		for _, k := range sortedKeys(r.Limits) {
			w.write(3, "%s:\t%s\n", k, r.Limits[k])
		}
	}
	if len(r.Requests) > 0 {
		w.write(2, "Requests:\n")
		for _, k := range sortedKeys(r.Requests) {
			w.write(3, "%s:\t%s\n", k, r.Requests[k])
		}
	}
}

// qosClass is the pod's quality of service: BestEffort without requests or
// limits, Guaranteed when every container limits CPU and memory to what it
// requests, else Burstable.
func qosClass(p *api.Pod) string {
	any, guaranteed := false, true
	for _, c := range append(slices.Clone(p.Spec.InitContainers), p.Spec.Containers...) {
		var r resourceRequirements
		if len(c.Resources) > 0 {
			_ = json.Unmarshal(c.Resources, &r)
		}
		if len(r.Limits)+len(r.Requests) > 0 {
			any = true
		}
		for _, res := range []string{"cpu", "memory"} {
			l, ok := r.Limits[res]
			if q, has := r.Requests[res]; !ok || (has && q != l) {
				guaranteed = false
			}
		}
	}
	switch {
	case !any:
		return "BestEffort"
	case guaranteed:
		return "Guaranteed"
	}
	return "Burstable"
}

// probeHandler is the action of a probe, kept as raw JSON by the API types.
type probeHandler struct {
	Exec *struct {
		Command []string `json:"command"`
	} `json:"exec"`
	HTTPGet *struct {
		Path   string          `json:"path"`
		Port   api.IntOrString `json:"port"`
		Host   string          `json:"host"`
		Scheme string          `json:"scheme"`
	} `json:"httpGet"`
	TCPSocket *struct {
		Port api.IntOrString `json:"port"`
		Host string          `json:"host"`
	} `json:"tcpSocket"`
	GRPC *struct {
		Port    int32   `json:"port"`
		Service *string `json:"service"`
	} `json:"grpc"`
}

func describeProbe(w *prefixWriter, label string, raw json.RawMessage) {
	if len(raw) == 0 || string(raw) == "null" {
		return
	}
	var p api.Probe
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	w.write(2, "%s:\t%s\n", label, probeString(p))
}

// probeString renders a probe as DescribeProbe does.
func probeString(p api.Probe) string {
	attrs := fmt.Sprintf("delay=%ds timeout=%ds period=%ds #success=%d #failure=%d",
		p.InitialDelaySeconds, p.TimeoutSeconds, p.PeriodSeconds, p.SuccessThreshold, p.FailureThreshold)
	var h probeHandler
	h.read(p)
	switch {
	case h.Exec != nil:
		return fmt.Sprintf("exec %v %s", h.Exec.Command, attrs)
	case h.HTTPGet != nil:
		host := h.HTTPGet.Host
		if port := h.HTTPGet.Port.String(); port != "" && port != "0" {
			host = joinHostPort(host, port)
		}
		return fmt.Sprintf("http-get %s://%s%s %s", strings.ToLower(h.HTTPGet.Scheme), host, h.HTTPGet.Path, attrs)
	case h.TCPSocket != nil:
		return fmt.Sprintf("tcp-socket %s:%s %s", h.TCPSocket.Host, h.TCPSocket.Port.String(), attrs)
	case h.GRPC != nil:
		svc := ""
		if h.GRPC.Service != nil {
			svc = *h.GRPC.Service
		}
		return fmt.Sprintf("grpc <pod>:%d %s %s", h.GRPC.Port, svc, attrs)
	}
	return "unknown " + attrs
}

func (h *probeHandler) read(p api.Probe) {
	for _, part := range []struct {
		raw json.RawMessage
		key string
	}{{p.Exec, "exec"}, {p.HTTPGet, "httpGet"}, {p.TCPSocket, "tcpSocket"}, {p.GRPC, "grpc"}} {
		if len(part.raw) > 0 {
			_ = json.Unmarshal([]byte(`{"`+part.key+`":`+string(part.raw)+`}`), h)
		}
	}
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// envVar is one container environment variable, kept as raw JSON by the API
// types.
type envVar struct {
	Name      string `json:"name"`
	Value     string `json:"value"`
	ValueFrom *struct {
		FieldRef *struct {
			APIVersion string `json:"apiVersion"`
			FieldPath  string `json:"fieldPath"`
		} `json:"fieldRef"`
		ResourceFieldRef *struct {
			Resource string `json:"resource"`
		} `json:"resourceFieldRef"`
		SecretKeyRef    *keyRef `json:"secretKeyRef"`
		ConfigMapKeyRef *keyRef `json:"configMapKeyRef"`
	} `json:"valueFrom"`
}

type keyRef struct {
	Name     string `json:"name"`
	Key      string `json:"key"`
	Optional *bool  `json:"optional"`
}

// describeEnv prints a container's environment; values from field and
// resource references are left empty, as kubesim resolves neither.
func describeEnv(w *prefixWriter, raw json.RawMessage) {
	var env []envVar
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &env)
	}
	if len(env) == 0 {
		w.write(2, "Environment:\t<none>\n")
		return
	}
	w.write(2, "Environment:\n")
	for _, e := range env {
		switch vf := e.ValueFrom; {
		case vf == nil:
			for i, line := range strings.Split(e.Value, "\n") {
				if i == 0 {
					w.write(3, "%s:\t%s\n", e.Name, line)
				} else {
					w.write(3, "\t%s\n", line)
				}
			}
		case vf.FieldRef != nil:
			w.write(3, "%s:\t (%s:%s)\n", e.Name, vf.FieldRef.APIVersion, vf.FieldRef.FieldPath)
		case vf.ResourceFieldRef != nil:
			w.write(3, "%s:\t (%s)\n", e.Name, vf.ResourceFieldRef.Resource)
		case vf.SecretKeyRef != nil:
			r := vf.SecretKeyRef
			w.write(3, "%s:\t<set to the key '%s' in secret '%s'>\tOptional: %t\n", e.Name, r.Key, r.Name, r.Optional != nil && *r.Optional)
		case vf.ConfigMapKeyRef != nil:
			r := vf.ConfigMapKeyRef
			w.write(3, "%s:\t<set to the key '%s' of config map '%s'>\tOptional: %t\n", e.Name, r.Key, r.Name, r.Optional != nil && *r.Optional)
		}
	}
}

type volumeMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
	ReadOnly  bool   `json:"readOnly"`
	SubPath   string `json:"subPath"`
}

func describeMounts(w *prefixWriter, raw json.RawMessage) {
	var mounts []volumeMount
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &mounts)
	}
	if len(mounts) == 0 {
		w.write(2, "Mounts:\t<none>\n")
		return
	}
	w.write(2, "Mounts:\n")
	slices.SortFunc(mounts, func(a, b volumeMount) int { return strings.Compare(a.MountPath, b.MountPath) })
	for _, m := range mounts {
		flags := []string{"rw"}
		if m.ReadOnly {
			flags[0] = "ro"
		}
		if m.SubPath != "" {
			flags = append(flags, fmt.Sprintf("path=%q", m.SubPath))
		}
		w.write(3, "%s from %s (%s)\n", m.MountPath, m.Name, strings.Join(flags, ","))
	}
}

// volume is the part of a pod volume describe shows.
type volume struct {
	Name     string `json:"name"`
	EmptyDir *struct {
		Medium    string `json:"medium"`
		SizeLimit string `json:"sizeLimit"`
	} `json:"emptyDir"`
	ConfigMap *struct {
		Name     string `json:"name"`
		Optional *bool  `json:"optional"`
	} `json:"configMap"`
	Secret *struct {
		SecretName string `json:"secretName"`
		Optional   *bool  `json:"optional"`
	} `json:"secret"`
	HostPath *struct {
		Path string  `json:"path"`
		Type *string `json:"type"`
	} `json:"hostPath"`
}

// describeVolumes prints the volume kinds real manifests of this project
// use; others show as <unknown>, as kubectl shows kinds it does not know.
func describeVolumes(w *prefixWriter, raw json.RawMessage, space string) {
	var vols []volume
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &vols)
	}
	if len(vols) == 0 {
		w.write(0, "%sVolumes:\t<none>\n", space)
		return
	}
	w.write(0, "%sVolumes:\n", space)
	nameIndent := ""
	if space != "" {
		nameIndent = " "
	}
	for _, v := range vols {
		w.write(1, "%s%s:\n", nameIndent, v.Name)
		switch {
		case v.EmptyDir != nil:
			limit := v.EmptyDir.SizeLimit
			if limit == "" {
				limit = "<unset>"
			}
			w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t%s\n    SizeLimit:\t%s\n", v.EmptyDir.Medium, limit)
		case v.ConfigMap != nil:
			w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t%s\n    Optional:\t%t\n", v.ConfigMap.Name, v.ConfigMap.Optional != nil && *v.ConfigMap.Optional)
		case v.Secret != nil:
			w.write(2, "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t%s\n    Optional:\t%t\n", v.Secret.SecretName, v.Secret.Optional != nil && *v.Secret.Optional)
		case v.HostPath != nil:
			typ := "<none>"
			if v.HostPath.Type != nil {
				typ = *v.HostPath.Type
			}
			w.write(2, "Type:\tHostPath (bare host directory volume)\n    Path:\t%s\n    HostPathType:\t%s\n", v.HostPath.Path, typ)
		default:
			w.write(1, "<unknown>\n")
		}
	}
}

type toleration struct {
	Key               string `json:"key"`
	Operator          string `json:"operator"`
	Value             string `json:"value"`
	Effect            string `json:"effect"`
	TolerationSeconds *int64 `json:"tolerationSeconds"`
}

func tolerationsMultiline(w *prefixWriter, title string, raw json.RawMessage) {
	var ts []toleration
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &ts)
	}
	w.write(0, "%s:\t", title)
	if len(ts) == 0 {
		w.write(0, "<none>\n")
		return
	}
	for i, t := range ts {
		if i > 0 {
			w.write(0, "\t")
		}
		w.write(0, "%s", t.Key)
		if t.Value != "" {
			w.write(0, "=%s", t.Value)
		}
		if t.Effect != "" {
			w.write(0, ":%s", t.Effect)
		}
		if t.Operator == "Exists" && t.Value == "" {
			if t.Key != "" || t.Effect != "" {
				w.write(0, " op=Exists")
			} else {
				w.write(0, "op=Exists")
			}
		}
		if t.TolerationSeconds != nil {
			w.write(0, " for %ds", *t.TolerationSeconds)
		}
		w.write(0, "\n")
	}
}
