package api

import (
	"maps"
	"slices"
)

// The copies below are written out by hand rather than generated or done by
// reflection because the store copies objects on every read and write of a
// 150,000-pod simulation. They follow the Kubernetes deepcopy-gen convention:
// DeepCopyInto fills an existing value so that structs embedded by value cost no
// extra allocation, and DeepCopy allocates. Every slice, map, pointer and
// json.RawMessage is copied; nil stays nil and empty stays empty, so a copy is
// reflect.DeepEqual to its original. time.Time's *Location and netip.Addr's
// zone handle are immutable and shared deliberately. deepcopy_test.go fails for
// a field added without a copy here.

// clonePtr copies the value behind p, for pointers to types that hold no
// references themselves.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneEach copies a slice of structs that hold references, element by element.
func cloneEach[T any](in []T, copyInto func(in, out *T)) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i := range in {
		copyInto(&in[i], &out[i])
	}
	return out
}

// deepCopyPtr copies the struct behind p with its DeepCopyInto.
func deepCopyPtr[T any](p *T, copyInto func(in, out *T)) *T {
	if p == nil {
		return nil
	}
	out := new(T)
	copyInto(p, out)
	return out
}

// DeepCopyInto copies m into out, sharing no memory.
func (m *ObjectMeta) DeepCopyInto(out *ObjectMeta) {
	*out = *m
	out.DeletionTimestamp = clonePtr(m.DeletionTimestamp)
	out.DeletionGracePeriodSeconds = clonePtr(m.DeletionGracePeriodSeconds)
	out.Labels = maps.Clone(m.Labels)
	out.Annotations = maps.Clone(m.Annotations)
	out.OwnerReferences = cloneEach(m.OwnerReferences, (*OwnerReference).DeepCopyInto)
	out.Finalizers = slices.Clone(m.Finalizers)
	out.ManagedFields = slices.Clone(m.ManagedFields)
}

// DeepCopy returns a copy of m that shares no memory with it.
func (m *ObjectMeta) DeepCopy() *ObjectMeta { return deepCopyPtr(m, (*ObjectMeta).DeepCopyInto) }

// DeepCopyInto copies r into out, sharing no memory.
func (r *OwnerReference) DeepCopyInto(out *OwnerReference) {
	*out = *r
	out.Controller = clonePtr(r.Controller)
	out.BlockOwnerDeletion = clonePtr(r.BlockOwnerDeletion)
}

// DeepCopy returns a copy of r that shares no memory with it.
func (r *OwnerReference) DeepCopy() *OwnerReference {
	return deepCopyPtr(r, (*OwnerReference).DeepCopyInto)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Namespace) DeepCopyInto(out *Namespace) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.Finalizers = slices.Clone(in.Spec.Finalizers)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Namespace) DeepCopy() *Namespace { return deepCopyPtr(in, (*Namespace).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *Namespace) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Node) DeepCopyInto(out *Node) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	in.Status.DeepCopyInto(&out.Status)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Node) DeepCopy() *Node { return deepCopyPtr(in, (*Node).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *Node) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *NodeSpec) DeepCopyInto(out *NodeSpec) {
	*out = *in
	out.PodCIDRs = slices.Clone(in.PodCIDRs)
	out.Taints = slices.Clone(in.Taints)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *NodeStatus) DeepCopyInto(out *NodeStatus) {
	*out = *in
	out.Addresses = slices.Clone(in.Addresses)
	out.Conditions = slices.Clone(in.Conditions)
	out.NodeInfo = slices.Clone(in.NodeInfo)
	out.Capacity = slices.Clone(in.Capacity)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Pod) DeepCopyInto(out *Pod) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	in.Status.DeepCopyInto(&out.Status)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Pod) DeepCopy() *Pod { return deepCopyPtr(in, (*Pod).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *Pod) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *PodSpec) DeepCopyInto(out *PodSpec) {
	*out = *in
	out.Containers = cloneEach(in.Containers, (*Container).DeepCopyInto)
	out.InitContainers = cloneEach(in.InitContainers, (*Container).DeepCopyInto)
	out.NodeSelector = maps.Clone(in.NodeSelector)
	out.DNSConfig = in.DNSConfig.DeepCopy()
	out.SetHostnameAsFQDN = clonePtr(in.SetHostnameAsFQDN)
	out.TerminationGracePeriodSeconds = clonePtr(in.TerminationGracePeriodSeconds)
	out.AutomountServiceAccountToken = clonePtr(in.AutomountServiceAccountToken)
	out.EnableServiceLinks = clonePtr(in.EnableServiceLinks)
	out.Volumes = slices.Clone(in.Volumes)
	out.Affinity = slices.Clone(in.Affinity)
	out.Tolerations = slices.Clone(in.Tolerations)
	out.SecurityContext = slices.Clone(in.SecurityContext)
	out.ImagePullSecrets = slices.Clone(in.ImagePullSecrets)
	out.TopologySpreadConstraints = slices.Clone(in.TopologySpreadConstraints)
	out.HostAliases = slices.Clone(in.HostAliases)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *PodSpec) DeepCopy() *PodSpec { return deepCopyPtr(in, (*PodSpec).DeepCopyInto) }

// DeepCopyInto copies in into out, sharing no memory.
func (in *PodDNSConfig) DeepCopyInto(out *PodDNSConfig) {
	*out = *in
	out.Nameservers = slices.Clone(in.Nameservers)
	out.Searches = slices.Clone(in.Searches)
	out.Options = cloneEach(in.Options, func(in, out *PodDNSConfigOption) {
		*out = *in
		out.Value = clonePtr(in.Value)
	})
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *PodDNSConfig) DeepCopy() *PodDNSConfig {
	return deepCopyPtr(in, (*PodDNSConfig).DeepCopyInto)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Container) DeepCopyInto(out *Container) {
	*out = *in
	out.Command = slices.Clone(in.Command)
	out.Args = slices.Clone(in.Args)
	out.Ports = slices.Clone(in.Ports)
	out.ReadinessProbe = in.ReadinessProbe.DeepCopy()
	out.Lifecycle = in.Lifecycle.DeepCopy()
	out.Env = slices.Clone(in.Env)
	out.EnvFrom = slices.Clone(in.EnvFrom)
	out.Resources = slices.Clone(in.Resources)
	out.VolumeMounts = slices.Clone(in.VolumeMounts)
	out.LivenessProbe = slices.Clone(in.LivenessProbe)
	out.StartupProbe = slices.Clone(in.StartupProbe)
	out.SecurityContext = slices.Clone(in.SecurityContext)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Container) DeepCopy() *Container { return deepCopyPtr(in, (*Container).DeepCopyInto) }

// DeepCopyInto copies in into out, sharing no memory.
func (in *Probe) DeepCopyInto(out *Probe) {
	*out = *in
	out.Exec = slices.Clone(in.Exec)
	out.HTTPGet = slices.Clone(in.HTTPGet)
	out.TCPSocket = slices.Clone(in.TCPSocket)
	out.GRPC = slices.Clone(in.GRPC)
	out.TerminationGracePeriodSeconds = clonePtr(in.TerminationGracePeriodSeconds)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Probe) DeepCopy() *Probe { return deepCopyPtr(in, (*Probe).DeepCopyInto) }

// DeepCopyInto copies in into out, sharing no memory.
func (in *Lifecycle) DeepCopyInto(out *Lifecycle) {
	*out = *in
	out.PostStart = slices.Clone(in.PostStart)
	out.PreStop = in.PreStop.DeepCopy()
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Lifecycle) DeepCopy() *Lifecycle { return deepCopyPtr(in, (*Lifecycle).DeepCopyInto) }

// DeepCopyInto copies in into out, sharing no memory.
func (in *LifecycleHandler) DeepCopyInto(out *LifecycleHandler) {
	*out = *in
	out.Sleep = clonePtr(in.Sleep)
	out.Exec = slices.Clone(in.Exec)
	out.HTTPGet = slices.Clone(in.HTTPGet)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *LifecycleHandler) DeepCopy() *LifecycleHandler {
	return deepCopyPtr(in, (*LifecycleHandler).DeepCopyInto)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *PodStatus) DeepCopyInto(out *PodStatus) {
	*out = *in
	out.Conditions = slices.Clone(in.Conditions)
	out.PodIPs = slices.Clone(in.PodIPs)
	out.StartTime = clonePtr(in.StartTime)
	out.ContainerStatuses = cloneEach(in.ContainerStatuses, func(in, out *ContainerStatus) {
		*out = *in
		out.Started = clonePtr(in.Started)
	})
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Service) DeepCopyInto(out *Service) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	in.Status.DeepCopyInto(&out.Status)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Service) DeepCopy() *Service { return deepCopyPtr(in, (*Service).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *Service) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *ServiceSpec) DeepCopyInto(out *ServiceSpec) {
	*out = *in
	out.Selector = maps.Clone(in.Selector)
	out.Ports = cloneEach(in.Ports, (*ServicePort).DeepCopyInto)
	out.ClusterIPs = slices.Clone(in.ClusterIPs)
	out.IPFamilies = slices.Clone(in.IPFamilies)
	out.IPFamilyPolicy = clonePtr(in.IPFamilyPolicy)
	out.ExternalIPs = slices.Clone(in.ExternalIPs)
	out.LoadBalancerSourceRanges = slices.Clone(in.LoadBalancerSourceRanges)
	out.LoadBalancerClass = clonePtr(in.LoadBalancerClass)
	out.AllocateLoadBalancerNodePorts = clonePtr(in.AllocateLoadBalancerNodePorts)
	out.InternalTrafficPolicy = clonePtr(in.InternalTrafficPolicy)
	if in.SessionAffinityConfig != nil {
		out.SessionAffinityConfig = &SessionAffinityConfig{}
		if in.SessionAffinityConfig.ClientIP != nil {
			out.SessionAffinityConfig.ClientIP = &ClientIPConfig{
				TimeoutSeconds: clonePtr(in.SessionAffinityConfig.ClientIP.TimeoutSeconds),
			}
		}
	}
	out.TrafficDistribution = clonePtr(in.TrafficDistribution)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *ServiceSpec) DeepCopy() *ServiceSpec { return deepCopyPtr(in, (*ServiceSpec).DeepCopyInto) }

// DeepCopyInto copies in into out, sharing no memory.
func (in *ServicePort) DeepCopyInto(out *ServicePort) {
	*out = *in
	out.AppProtocol = clonePtr(in.AppProtocol)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *ServiceStatus) DeepCopyInto(out *ServiceStatus) {
	*out = *in
	out.LoadBalancer.Ingress = cloneEach(in.LoadBalancer.Ingress, func(in, out *LoadBalancerIngress) {
		*out = *in
		out.IPMode = clonePtr(in.IPMode)
		out.Ports = slices.Clone(in.Ports)
	})
	out.Conditions = slices.Clone(in.Conditions)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Endpoints) DeepCopyInto(out *Endpoints) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Subsets = cloneEach(in.Subsets, (*EndpointSubset).DeepCopyInto)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Endpoints) DeepCopy() *Endpoints { return deepCopyPtr(in, (*Endpoints).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *Endpoints) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *EndpointSubset) DeepCopyInto(out *EndpointSubset) {
	*out = *in
	out.Addresses = cloneEach(in.Addresses, (*EndpointAddress).DeepCopyInto)
	out.NotReadyAddresses = cloneEach(in.NotReadyAddresses, (*EndpointAddress).DeepCopyInto)
	out.Ports = cloneEach(in.Ports, func(in, out *EndpointPort) {
		*out = *in
		out.AppProtocol = clonePtr(in.AppProtocol)
	})
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *EndpointAddress) DeepCopyInto(out *EndpointAddress) {
	*out = *in
	out.NodeName = clonePtr(in.NodeName)
	out.TargetRef = clonePtr(in.TargetRef)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Deployment) DeepCopyInto(out *Deployment) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	out.Status.Conditions = slices.Clone(in.Status.Conditions)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *Deployment) DeepCopy() *Deployment { return deepCopyPtr(in, (*Deployment).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *Deployment) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *DeploymentSpec) DeepCopyInto(out *DeploymentSpec) {
	*out = *in
	out.Replicas = clonePtr(in.Replicas)
	out.Selector = in.Selector.DeepCopy()
	in.Template.DeepCopyInto(&out.Template)
	if ru := in.Strategy.RollingUpdate; ru != nil {
		out.Strategy.RollingUpdate = &RollingUpdateDeployment{
			MaxUnavailable: clonePtr(ru.MaxUnavailable),
			MaxSurge:       clonePtr(ru.MaxSurge),
		}
	}
	out.RevisionHistoryLimit = clonePtr(in.RevisionHistoryLimit)
	out.ProgressDeadlineSeconds = clonePtr(in.ProgressDeadlineSeconds)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *DeploymentSpec) DeepCopy() *DeploymentSpec {
	return deepCopyPtr(in, (*DeploymentSpec).DeepCopyInto)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *PodTemplateSpec) DeepCopyInto(out *PodTemplateSpec) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *PodTemplateSpec) DeepCopy() *PodTemplateSpec {
	return deepCopyPtr(in, (*PodTemplateSpec).DeepCopyInto)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *ReplicaSet) DeepCopyInto(out *ReplicaSet) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *ReplicaSet) DeepCopy() *ReplicaSet { return deepCopyPtr(in, (*ReplicaSet).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *ReplicaSet) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *ReplicaSetSpec) DeepCopyInto(out *ReplicaSetSpec) {
	*out = *in
	out.Replicas = clonePtr(in.Replicas)
	out.Selector = in.Selector.DeepCopy()
	in.Template.DeepCopyInto(&out.Template)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *LabelSelector) DeepCopyInto(out *LabelSelector) {
	*out = *in
	out.MatchLabels = maps.Clone(in.MatchLabels)
	out.MatchExpressions = cloneEach(in.MatchExpressions, func(in, out *LabelSelectorRequirement) {
		*out = *in
		out.Values = slices.Clone(in.Values)
	})
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *LabelSelector) DeepCopy() *LabelSelector {
	return deepCopyPtr(in, (*LabelSelector).DeepCopyInto)
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *EndpointSlice) DeepCopyInto(out *EndpointSlice) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Endpoints = cloneEach(in.Endpoints, (*Endpoint).DeepCopyInto)
	out.Ports = cloneEach(in.Ports, func(in, out *EndpointSlicePort) {
		*out = *in
		out.Name = clonePtr(in.Name)
		out.Protocol = clonePtr(in.Protocol)
		out.Port = clonePtr(in.Port)
		out.AppProtocol = clonePtr(in.AppProtocol)
	})
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *EndpointSlice) DeepCopy() *EndpointSlice {
	return deepCopyPtr(in, (*EndpointSlice).DeepCopyInto)
}

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *EndpointSlice) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *Endpoint) DeepCopyInto(out *Endpoint) {
	*out = *in
	out.Addresses = slices.Clone(in.Addresses)
	out.Conditions = EndpointConditions{
		Ready:       clonePtr(in.Conditions.Ready),
		Serving:     clonePtr(in.Conditions.Serving),
		Terminating: clonePtr(in.Conditions.Terminating),
	}
	out.Hostname = clonePtr(in.Hostname)
	out.TargetRef = clonePtr(in.TargetRef)
	out.NodeName = clonePtr(in.NodeName)
	out.Zone = clonePtr(in.Zone)
	if in.Hints != nil {
		out.Hints = &EndpointHints{
			ForZones: slices.Clone(in.Hints.ForZones),
			ForNodes: slices.Clone(in.Hints.ForNodes),
		}
	}
}

// DeepCopyInto copies in into out, sharing no memory.
func (in *ServiceCIDR) DeepCopyInto(out *ServiceCIDR) {
	*out = *in
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	out.Spec.CIDRs = slices.Clone(in.Spec.CIDRs)
	out.Status.Conditions = slices.Clone(in.Status.Conditions)
}

// DeepCopy returns a copy of in that shares no memory with it.
func (in *ServiceCIDR) DeepCopy() *ServiceCIDR { return deepCopyPtr(in, (*ServiceCIDR).DeepCopyInto) }

// DeepCopyObject returns a copy of in as an Object, nil for a nil receiver.
func (in *ServiceCIDR) DeepCopyObject() Object {
	if in == nil {
		return nil
	}
	return in.DeepCopy()
}
