package api

import (
	"encoding/json"
	"strings"
)

// Default values the apiserver fills in.
const (
	defaultTerminationGracePeriodSeconds = 30
	defaultSchedulerName                 = "default-scheduler"
	defaultClientIPTimeoutSeconds        = 10800
	defaultRevisionHistoryLimit          = 10
	defaultProgressDeadlineSeconds       = 600
	defaultTerminationMessagePath        = "/dev/termination-log"
	defaultMaxSurgeUnavailable           = "25%"
	// LabelMetadataName is the label the apiserver puts on every namespace,
	// holding its name, so that selectors can pick namespaces by name.
	LabelMetadataName = "kubernetes.io/metadata.name"
)

// SetDefaults fills in what the apiserver defaults before validation, so that
// the stored object, and what kubectl get -o yaml shows, match a real
// cluster. It sets only unset fields and is safe to call again. Status, UIDs,
// cluster IPs, node ports and IP families are the store's to assign; a nil
// object is left alone.
func SetDefaults(o Object) {
	switch t := o.(type) {
	case *Namespace:
		if t != nil {
			defaultNamespace(t)
		}
	case *Service:
		if t != nil {
			defaultService(t)
		}
	case *Pod:
		if t != nil {
			defaultPod(t)
		}
	case *Deployment:
		if t != nil {
			defaultDeployment(t)
		}
	case *ReplicaSet:
		if t != nil {
			if t.Spec.Replicas == nil {
				t.Spec.Replicas = ptrTo[int32](1)
			}
			defaultPodSpec(&t.Spec.Template.Spec)
		}
	case *Endpoints:
		if t != nil {
			for i := range t.Subsets {
				for j := range t.Subsets[i].Ports {
					if p := &t.Subsets[i].Ports[j]; p.Protocol == "" {
						p.Protocol = ProtocolTCP
					}
				}
			}
		}
	case *EndpointSlice:
		if t != nil {
			defaultEndpointSlice(t)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// defaultNamespace labels the namespace with its own name, as the apiserver
// has since Kubernetes 1.21; a namespace still to be named gets nothing.
func defaultNamespace(ns *Namespace) {
	if ns.Name == "" {
		return
	}
	if ns.Labels == nil {
		ns.Labels = map[string]string{}
	}
	ns.Labels[LabelMetadataName] = ns.Name
}

func defaultService(s *Service) {
	spec := &s.Spec
	if spec.SessionAffinity == "" {
		spec.SessionAffinity = SessionAffinityNone
	}
	switch spec.SessionAffinity {
	case SessionAffinityNone:
		spec.SessionAffinityConfig = nil
	case SessionAffinityClientIP:
		if c := spec.SessionAffinityConfig; c == nil || c.ClientIP == nil || c.ClientIP.TimeoutSeconds == nil {
			spec.SessionAffinityConfig = &SessionAffinityConfig{
				ClientIP: &ClientIPConfig{TimeoutSeconds: ptrTo[int32](defaultClientIPTimeoutSeconds)},
			}
		}
	}
	if spec.Type == "" {
		spec.Type = ServiceTypeClusterIP
	}
	for i := range spec.Ports {
		p := &spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = ProtocolTCP
		}
		if p.TargetPort.IsZero() || (p.TargetPort.IsString && p.TargetPort.StrVal == "") {
			p.TargetPort = FromInt(p.Port)
		}
	}
	// A ClusterIP service with external IPs is reachable from outside too.
	if externallyAccessible(s) && spec.ExternalTrafficPolicy == "" {
		spec.ExternalTrafficPolicy = TrafficPolicyCluster
	}
	if spec.InternalTrafficPolicy == nil {
		switch spec.Type {
		case ServiceTypeClusterIP, ServiceTypeNodePort, ServiceTypeLoadBalancer:
			spec.InternalTrafficPolicy = ptrTo(TrafficPolicyCluster)
		}
	}
	if spec.Type == ServiceTypeLoadBalancer && spec.AllocateLoadBalancerNodePorts == nil {
		spec.AllocateLoadBalancerNodePorts = ptrTo(true)
	}
	// The apiserver copies a lone clusterIP into clusterIPs, and settles the
	// policy, on create before validating; ipFamilies depend on the
	// cluster's configuration and are the store's to fill.
	if spec.ClusterIP != "" && len(spec.ClusterIPs) == 0 {
		spec.ClusterIPs = []string{spec.ClusterIP}
	}
	if spec.IPFamilyPolicy == nil && spec.Type != ServiceTypeExternalName {
		// A headless service without a selector takes both families, so
		// that manually managed endpoints of either family work.
		if spec.ClusterIP == ClusterIPNone && len(spec.Selector) == 0 {
			spec.IPFamilyPolicy = ptrTo(RequireDualStack)
		} else {
			spec.IPFamilyPolicy = ptrTo(SingleStack)
		}
	}
}

func defaultPod(p *Pod) {
	defaultPodSpec(&p.Spec)
	if p.Spec.EnableServiceLinks == nil {
		p.Spec.EnableServiceLinks = ptrTo(true)
	}
	// A host-network pod listens on the node, so its host ports are its
	// container ports. Templates are left alone, as by default in Kubernetes.
	if p.Spec.HostNetwork {
		for _, cs := range [][]Container{p.Spec.Containers, p.Spec.InitContainers} {
			for i := range cs {
				for j := range cs[i].Ports {
					if port := &cs[i].Ports[j]; port.HostPort == 0 {
						port.HostPort = port.ContainerPort
					}
				}
			}
		}
	}
}

// defaultPodSpec applies the defaults shared by pods and pod templates.
func defaultPodSpec(spec *PodSpec) {
	if spec.DNSPolicy == "" {
		spec.DNSPolicy = DNSClusterFirst
	}
	if spec.RestartPolicy == "" {
		spec.RestartPolicy = "Always"
	}
	if len(spec.SecurityContext) == 0 {
		spec.SecurityContext = json.RawMessage("{}")
	}
	if spec.TerminationGracePeriodSeconds == nil {
		spec.TerminationGracePeriodSeconds = ptrTo[int64](defaultTerminationGracePeriodSeconds)
	}
	if spec.SchedulerName == "" {
		spec.SchedulerName = defaultSchedulerName
	}
	for i := range spec.Containers {
		defaultContainer(&spec.Containers[i])
	}
	for i := range spec.InitContainers {
		defaultContainer(&spec.InitContainers[i])
	}
}

func defaultContainer(c *Container) {
	if c.ImagePullPolicy == "" {
		if imageTag(c.Image) == "latest" {
			c.ImagePullPolicy = "Always"
		} else {
			c.ImagePullPolicy = "IfNotPresent"
		}
	}
	if c.TerminationMessagePath == "" {
		c.TerminationMessagePath = defaultTerminationMessagePath
	}
	if c.TerminationMessagePolicy == "" {
		c.TerminationMessagePolicy = "File"
	}
	for i := range c.Ports {
		if c.Ports[i].Protocol == "" {
			c.Ports[i].Protocol = ProtocolTCP
		}
	}
	if p := c.ReadinessProbe; p != nil {
		if p.TimeoutSeconds == 0 {
			p.TimeoutSeconds = 1
		}
		if p.PeriodSeconds == 0 {
			p.PeriodSeconds = 10
		}
		if p.SuccessThreshold == 0 {
			p.SuccessThreshold = 1
		}
		if p.FailureThreshold == 0 {
			p.FailureThreshold = 3
		}
	}
}

// imageTag returns an image reference's tag: "latest" when it names neither a
// tag nor a digest, "" when it names only a digest or nothing at all. The pull
// policy defaults to Always only for latest, whose meaning changes over time.
func imageTag(image string) string {
	if image == "" {
		return ""
	}
	name, _, hasDigest := strings.Cut(image, "@")
	// A colon after the last slash is a tag; one before it is a registry port.
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		return name[i+1:]
	}
	if hasDigest {
		return ""
	}
	return "latest"
}

func defaultDeployment(d *Deployment) {
	spec := &d.Spec
	if spec.Replicas == nil {
		spec.Replicas = ptrTo[int32](1)
	}
	if spec.Strategy.Type == "" {
		spec.Strategy.Type = RollingUpdateStrategy
	}
	if spec.Strategy.Type == RollingUpdateStrategy {
		if spec.Strategy.RollingUpdate == nil {
			spec.Strategy.RollingUpdate = &RollingUpdateDeployment{}
		}
		ru := spec.Strategy.RollingUpdate
		if ru.MaxUnavailable == nil {
			ru.MaxUnavailable = ptrTo(FromString(defaultMaxSurgeUnavailable))
		}
		if ru.MaxSurge == nil {
			ru.MaxSurge = ptrTo(FromString(defaultMaxSurgeUnavailable))
		}
	}
	if spec.RevisionHistoryLimit == nil {
		spec.RevisionHistoryLimit = ptrTo[int32](defaultRevisionHistoryLimit)
	}
	if spec.ProgressDeadlineSeconds == nil {
		spec.ProgressDeadlineSeconds = ptrTo[int32](defaultProgressDeadlineSeconds)
	}
	defaultPodSpec(&spec.Template.Spec)
}

// defaultEndpointSlice names unnamed ports "" explicitly and gives them TCP, as
// the discovery API's defaults do.
func defaultEndpointSlice(es *EndpointSlice) {
	for i := range es.Ports {
		p := &es.Ports[i]
		if p.Name == nil {
			p.Name = ptrTo("")
		}
		if p.Protocol == nil {
			p.Protocol = ptrTo(ProtocolTCP)
		}
	}
}
