package api

import (
	"encoding/json"
	"net/netip"
)

// Namespace is a v1 Namespace.
type Namespace struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitzero"`
	Spec       NamespaceSpec   `json:"spec,omitzero"`
	Status     NamespaceStatus `json:"status,omitzero"`
}

// NamespaceSpec holds a namespace's finalizers.
type NamespaceSpec struct {
	Finalizers []string `json:"finalizers,omitempty"`
}

// NamespacePhase is Active or Terminating.
type NamespacePhase string

// Namespace phases.
const (
	NamespaceActive      NamespacePhase = "Active"
	NamespaceTerminating NamespacePhase = "Terminating"
)

// NamespaceStatus holds a namespace's phase.
type NamespaceStatus struct {
	Phase NamespacePhase `json:"phase,omitempty"`
}

// Node is a v1 Node.
type Node struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitzero"`
	Spec       NodeSpec   `json:"spec,omitzero"`
	Status     NodeStatus `json:"status,omitzero"`
}

// NodeSpec holds a node's pod address ranges and schedulability.
type NodeSpec struct {
	PodCIDR       string          `json:"podCIDR,omitempty"`
	PodCIDRs      []string        `json:"podCIDRs,omitempty"`
	ProviderID    string          `json:"providerID,omitempty"`
	Unschedulable bool            `json:"unschedulable,omitempty"`
	Taints        json.RawMessage `json:"taints,omitempty"`
}

// NodeAddressType is the kind of a node address.
type NodeAddressType string

// Node address types.
const (
	NodeInternalIP NodeAddressType = "InternalIP"
	NodeExternalIP NodeAddressType = "ExternalIP"
	NodeHostName   NodeAddressType = "Hostname"
)

// NodeAddress is one of a node's addresses. Address is a string because a
// Hostname address is not an IP.
type NodeAddress struct {
	Type    NodeAddressType `json:"type"`
	Address string          `json:"address"`
}

// NodeCondition is one condition of a node; kubesim models Ready.
type NodeCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastTransitionTime Time            `json:"lastTransitionTime,omitzero"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// NodeStatus holds a node's addresses and conditions.
type NodeStatus struct {
	Addresses  []NodeAddress   `json:"addresses,omitempty"`
	Conditions []NodeCondition `json:"conditions,omitempty"`
	NodeInfo   json.RawMessage `json:"nodeInfo,omitempty"`
	Capacity   json.RawMessage `json:"capacity,omitempty"`
}

// Pod is a v1 Pod.
type Pod struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitzero"`
	Spec       PodSpec   `json:"spec,omitzero"`
	Status     PodStatus `json:"status,omitzero"`
}

// DNSPolicy selects how kubelet writes a pod's /etc/resolv.conf.
type DNSPolicy string

// DNS policies.
const (
	DNSClusterFirst            DNSPolicy = "ClusterFirst"
	DNSClusterFirstWithHostNet DNSPolicy = "ClusterFirstWithHostNet"
	DNSDefault                 DNSPolicy = "Default"
	DNSNone                    DNSPolicy = "None"
)

// PodSpec is the part of a pod's spec that matters for networking. Fields that
// Kubernetes knows but kubesim does not model are kept as raw JSON so that real
// manifests load unchanged.
type PodSpec struct {
	Containers                    []Container       `json:"containers"`
	InitContainers                []Container       `json:"initContainers,omitempty"`
	NodeName                      string            `json:"nodeName,omitempty"`
	NodeSelector                  map[string]string `json:"nodeSelector,omitempty"`
	Hostname                      string            `json:"hostname,omitempty"`
	Subdomain                     string            `json:"subdomain,omitempty"`
	HostNetwork                   bool              `json:"hostNetwork,omitempty"`
	DNSPolicy                     DNSPolicy         `json:"dnsPolicy,omitempty"`
	DNSConfig                     *PodDNSConfig     `json:"dnsConfig,omitempty"`
	SetHostnameAsFQDN             *bool             `json:"setHostnameAsFQDN,omitempty"`
	TerminationGracePeriodSeconds *int64            `json:"terminationGracePeriodSeconds,omitempty"`
	RestartPolicy                 string            `json:"restartPolicy,omitempty"`
	ServiceAccountName            string            `json:"serviceAccountName,omitempty"`
	AutomountServiceAccountToken  *bool             `json:"automountServiceAccountToken,omitempty"`
	EnableServiceLinks            *bool             `json:"enableServiceLinks,omitempty"`
	PriorityClassName             string            `json:"priorityClassName,omitempty"`
	SchedulerName                 string            `json:"schedulerName,omitempty"`

	Volumes                   json.RawMessage `json:"volumes,omitempty"`
	Affinity                  json.RawMessage `json:"affinity,omitempty"`
	Tolerations               json.RawMessage `json:"tolerations,omitempty"`
	SecurityContext           json.RawMessage `json:"securityContext,omitempty"`
	ImagePullSecrets          json.RawMessage `json:"imagePullSecrets,omitempty"`
	TopologySpreadConstraints json.RawMessage `json:"topologySpreadConstraints,omitempty"`
	HostAliases               json.RawMessage `json:"hostAliases,omitempty"`
}

// PodDNSConfig is a pod's dnsConfig: extra nameservers, search domains and options
// merged into the resolv.conf that its dnsPolicy produces.
type PodDNSConfig struct {
	Nameservers []string             `json:"nameservers,omitempty"`
	Searches    []string             `json:"searches,omitempty"`
	Options     []PodDNSConfigOption `json:"options,omitempty"`
}

// PodDNSConfigOption is one resolver option, such as ndots with value "2".
type PodDNSConfigOption struct {
	Name  string  `json:"name,omitempty"`
	Value *string `json:"value,omitempty"`
}

// Container is the networking-relevant part of a container.
type Container struct {
	Name           string          `json:"name"`
	Image          string          `json:"image,omitempty"`
	Command        []string        `json:"command,omitempty"`
	Args           []string        `json:"args,omitempty"`
	Ports          []ContainerPort `json:"ports,omitempty"`
	ReadinessProbe *Probe          `json:"readinessProbe,omitempty"`
	Lifecycle      *Lifecycle      `json:"lifecycle,omitempty"`

	WorkingDir               string          `json:"workingDir,omitempty"`
	ImagePullPolicy          string          `json:"imagePullPolicy,omitempty"`
	Env                      json.RawMessage `json:"env,omitempty"`
	EnvFrom                  json.RawMessage `json:"envFrom,omitempty"`
	Resources                json.RawMessage `json:"resources,omitempty"`
	VolumeMounts             json.RawMessage `json:"volumeMounts,omitempty"`
	LivenessProbe            json.RawMessage `json:"livenessProbe,omitempty"`
	StartupProbe             json.RawMessage `json:"startupProbe,omitempty"`
	SecurityContext          json.RawMessage `json:"securityContext,omitempty"`
	TerminationMessagePath   string          `json:"terminationMessagePath,omitempty"`
	TerminationMessagePolicy string          `json:"terminationMessagePolicy,omitempty"`
	Stdin                    bool            `json:"stdin,omitempty"`
	TTY                      bool            `json:"tty,omitempty"`
}

// ContainerPort is a port a container declares; a Service's named targetPort
// resolves against these names.
type ContainerPort struct {
	Name          string   `json:"name,omitempty"`
	ContainerPort int32    `json:"containerPort"`
	HostPort      int32    `json:"hostPort,omitempty"`
	HostIP        string   `json:"hostIP,omitempty"`
	Protocol      Protocol `json:"protocol,omitempty"`
}

// Probe is a readiness probe; kubesim honours its timing, not its handler.
type Probe struct {
	InitialDelaySeconds int32 `json:"initialDelaySeconds,omitempty"`
	TimeoutSeconds      int32 `json:"timeoutSeconds,omitempty"`
	PeriodSeconds       int32 `json:"periodSeconds,omitempty"`
	SuccessThreshold    int32 `json:"successThreshold,omitempty"`
	FailureThreshold    int32 `json:"failureThreshold,omitempty"`

	Exec      json.RawMessage `json:"exec,omitempty"`
	HTTPGet   json.RawMessage `json:"httpGet,omitempty"`
	TCPSocket json.RawMessage `json:"tcpSocket,omitempty"`
	GRPC      json.RawMessage `json:"grpc,omitempty"`

	TerminationGracePeriodSeconds *int64 `json:"terminationGracePeriodSeconds,omitempty"`
}

// Lifecycle holds a container's hooks; a preStop sleep delays termination, which
// is how real deployments close the window where a deleted pod still gets traffic.
type Lifecycle struct {
	PostStart json.RawMessage   `json:"postStart,omitempty"`
	PreStop   *LifecycleHandler `json:"preStop,omitempty"`
}

// LifecycleHandler is a hook's action. kubesim models sleep and treats exec and
// httpGet as instantaneous.
type LifecycleHandler struct {
	Sleep   *SleepAction    `json:"sleep,omitempty"`
	Exec    json.RawMessage `json:"exec,omitempty"`
	HTTPGet json.RawMessage `json:"httpGet,omitempty"`
}

// SleepAction pauses for Seconds.
type SleepAction struct {
	Seconds int64 `json:"seconds"`
}

// PodPhase is the coarse state of a pod.
type PodPhase string

// Pod phases.
const (
	PodPending   PodPhase = "Pending"
	PodRunning   PodPhase = "Running"
	PodSucceeded PodPhase = "Succeeded"
	PodFailed    PodPhase = "Failed"
)

// PodCondition is one condition of a pod; kubesim maintains PodScheduled,
// Initialized, ContainersReady and Ready.
type PodCondition struct {
	Type               string          `json:"type"`
	Status             ConditionStatus `json:"status"`
	LastTransitionTime Time            `json:"lastTransitionTime,omitzero"`
	Reason             string          `json:"reason,omitempty"`
	Message            string          `json:"message,omitempty"`
}

// PodIP is one of a pod's addresses.
type PodIP struct {
	IP netip.Addr `json:"ip"`
}

// ContainerStatus is the state of one container, enough for kubectl's READY and
// RESTARTS columns.
type ContainerStatus struct {
	Name         string `json:"name"`
	Ready        bool   `json:"ready"`
	RestartCount int32  `json:"restartCount"`
	Image        string `json:"image,omitempty"`
	Started      *bool  `json:"started,omitempty"`
}

// PodStatus is a pod's observed state.
type PodStatus struct {
	Phase             PodPhase          `json:"phase,omitempty"`
	Conditions        []PodCondition    `json:"conditions,omitempty"`
	HostIP            netip.Addr        `json:"hostIP,omitzero"`
	PodIP             netip.Addr        `json:"podIP,omitzero"`
	PodIPs            []PodIP           `json:"podIPs,omitempty"`
	StartTime         *Time             `json:"startTime,omitempty"`
	ContainerStatuses []ContainerStatus `json:"containerStatuses,omitempty"`
	Reason            string            `json:"reason,omitempty"`
	Message           string            `json:"message,omitempty"`
}

// Service is a v1 Service.
type Service struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitzero"`
	Spec       ServiceSpec   `json:"spec,omitzero"`
	Status     ServiceStatus `json:"status,omitzero"`
}

// ServiceType is ClusterIP, NodePort, LoadBalancer or ExternalName.
type ServiceType string

// Service types.
const (
	ServiceTypeClusterIP    ServiceType = "ClusterIP"
	ServiceTypeNodePort     ServiceType = "NodePort"
	ServiceTypeLoadBalancer ServiceType = "LoadBalancer"
	ServiceTypeExternalName ServiceType = "ExternalName"
)

// ClusterIPNone is the clusterIP of a headless service.
const ClusterIPNone = "None"

// IPFamily is IPv4 or IPv6.
type IPFamily string

// IP families.
const (
	IPv4 IPFamily = "IPv4"
	IPv6 IPFamily = "IPv6"
)

// IPFamilyPolicy says how many IP families a service wants.
type IPFamilyPolicy string

// IP family policies.
const (
	SingleStack      IPFamilyPolicy = "SingleStack"
	PreferDualStack  IPFamilyPolicy = "PreferDualStack"
	RequireDualStack IPFamilyPolicy = "RequireDualStack"
)

// TrafficPolicy is Cluster or Local, for externalTrafficPolicy and
// internalTrafficPolicy.
type TrafficPolicy string

// Traffic policies.
const (
	TrafficPolicyCluster TrafficPolicy = "Cluster"
	TrafficPolicyLocal   TrafficPolicy = "Local"
)

// ServiceSpec is a service's desired state.
type ServiceSpec struct {
	Type                          ServiceType            `json:"type,omitempty"`
	Selector                      map[string]string      `json:"selector,omitempty"`
	Ports                         []ServicePort          `json:"ports,omitempty"`
	ClusterIP                     string                 `json:"clusterIP,omitempty"`
	ClusterIPs                    []string               `json:"clusterIPs,omitempty"`
	IPFamilies                    []IPFamily             `json:"ipFamilies,omitempty"`
	IPFamilyPolicy                *IPFamilyPolicy        `json:"ipFamilyPolicy,omitempty"`
	ExternalName                  string                 `json:"externalName,omitempty"`
	ExternalIPs                   []string               `json:"externalIPs,omitempty"`
	LoadBalancerIP                string                 `json:"loadBalancerIP,omitempty"`
	LoadBalancerSourceRanges      []string               `json:"loadBalancerSourceRanges,omitempty"`
	LoadBalancerClass             *string                `json:"loadBalancerClass,omitempty"`
	AllocateLoadBalancerNodePorts *bool                  `json:"allocateLoadBalancerNodePorts,omitempty"`
	ExternalTrafficPolicy         TrafficPolicy          `json:"externalTrafficPolicy,omitempty"`
	InternalTrafficPolicy         *TrafficPolicy         `json:"internalTrafficPolicy,omitempty"`
	HealthCheckNodePort           int32                  `json:"healthCheckNodePort,omitempty"`
	PublishNotReadyAddresses      bool                   `json:"publishNotReadyAddresses,omitempty"`
	SessionAffinity               string                 `json:"sessionAffinity,omitempty"`
	SessionAffinityConfig         *SessionAffinityConfig `json:"sessionAffinityConfig,omitempty"`
	TrafficDistribution           *string                `json:"trafficDistribution,omitempty"`
}

// Session affinity values.
const (
	SessionAffinityNone     = "None"
	SessionAffinityClientIP = "ClientIP"
)

// SessionAffinityConfig holds the ClientIP affinity timeout.
type SessionAffinityConfig struct {
	ClientIP *ClientIPConfig `json:"clientIP,omitempty"`
}

// ClientIPConfig holds the affinity timeout in seconds (default 10800).
type ClientIPConfig struct {
	TimeoutSeconds *int32 `json:"timeoutSeconds,omitempty"`
}

// ServicePort is one port of a service.
type ServicePort struct {
	Name        string      `json:"name,omitempty"`
	Protocol    Protocol    `json:"protocol,omitempty"`
	AppProtocol *string     `json:"appProtocol,omitempty"`
	Port        int32       `json:"port"`
	TargetPort  IntOrString `json:"targetPort,omitzero"`
	NodePort    int32       `json:"nodePort,omitempty"`
}

// ServiceStatus carries the load balancer a cloud controller provisioned.
type ServiceStatus struct {
	LoadBalancer LoadBalancerStatus `json:"loadBalancer,omitzero"`
	Conditions   json.RawMessage    `json:"conditions,omitempty"`
}

// LoadBalancerStatus lists a load balancer's ingress points.
type LoadBalancerStatus struct {
	Ingress []LoadBalancerIngress `json:"ingress,omitempty"`
}

// LoadBalancerIngress is one ingress point: an IP or a hostname (Docker Desktop
// reports localhost).
type LoadBalancerIngress struct {
	IP       netip.Addr      `json:"ip,omitzero"`
	Hostname string          `json:"hostname,omitempty"`
	IPMode   *string         `json:"ipMode,omitempty"`
	Ports    json.RawMessage `json:"ports,omitempty"`
}

// Load balancer ingress IP modes.
const (
	LoadBalancerIPModeVIP   = "VIP"
	LoadBalancerIPModeProxy = "Proxy"
)

// Endpoints is a v1 Endpoints object: the addresses behind a service.
type Endpoints struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitzero"`
	Subsets    []EndpointSubset `json:"subsets,omitempty"`
}

// EndpointSubset is a set of addresses sharing a set of ports.
type EndpointSubset struct {
	Addresses         []EndpointAddress `json:"addresses,omitempty"`
	NotReadyAddresses []EndpointAddress `json:"notReadyAddresses,omitempty"`
	Ports             []EndpointPort    `json:"ports,omitempty"`
}

// EndpointAddress is one endpoint address.
type EndpointAddress struct {
	IP        netip.Addr       `json:"ip"`
	Hostname  string           `json:"hostname,omitempty"`
	NodeName  *string          `json:"nodeName,omitempty"`
	TargetRef *ObjectReference `json:"targetRef,omitempty"`
}

// ObjectReference points at another object, such as the pod behind an endpoint.
type ObjectReference struct {
	Kind            string `json:"kind,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	APIVersion      string `json:"apiVersion,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// EndpointPort is one port of an endpoint subset.
type EndpointPort struct {
	Name        string   `json:"name,omitempty"`
	Port        int32    `json:"port"`
	Protocol    Protocol `json:"protocol,omitempty"`
	AppProtocol *string  `json:"appProtocol,omitempty"`
}
