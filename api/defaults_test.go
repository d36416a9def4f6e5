package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

// defaultedContainer is what a container named app running image becomes.
func defaultedContainer(image, pull string, ports ...ContainerPort) Container {
	return Container{Name: "app", Image: image, Ports: ports, ImagePullPolicy: pull,
		TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: "File"}
}

func defaultedPodSpec(containers ...Container) PodSpec {
	return PodSpec{Containers: containers, DNSPolicy: DNSClusterFirst, RestartPolicy: "Always",
		SecurityContext: json.RawMessage("{}"), TerminationGracePeriodSeconds: ptrTo[int64](30), SchedulerName: "default-scheduler"}
}

func TestSetDefaults(t *testing.T) {
	meta := ObjectMeta{Name: "web", Namespace: "default"}
	sel := map[string]string{"app": "web"}
	tests := []struct {
		name string
		in   Object
		want Object
	}{
		{
			name: "cluster IP service",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{Selector: sel, Ports: []ServicePort{{Port: 80}, {Name: "m", Port: 9090, TargetPort: FromString("metrics")}}}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{
				Type: ServiceTypeClusterIP, Selector: sel,
				Ports:           []ServicePort{{Port: 80, Protocol: ProtocolTCP, TargetPort: FromInt(80)}, {Name: "m", Port: 9090, Protocol: ProtocolTCP, TargetPort: FromString("metrics")}},
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack),
			}},
		},
		{
			name: "empty string target port",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, Ports: []ServicePort{{Port: 53, Protocol: ProtocolUDP, TargetPort: FromString("")}}}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, Ports: []ServicePort{{Port: 53, Protocol: ProtocolUDP, TargetPort: FromInt(53)}},
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "cluster IP copied to cluster IPs",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{ClusterIP: "10.96.0.10"}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, ClusterIP: "10.96.0.10", ClusterIPs: []string{"10.96.0.10"},
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "headless without selector is dual stack",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{ClusterIP: ClusterIPNone}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, ClusterIP: ClusterIPNone, ClusterIPs: []string{ClusterIPNone},
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(RequireDualStack)}},
		},
		{
			name: "headless with selector is single stack",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{ClusterIP: ClusterIPNone, Selector: sel}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, ClusterIP: ClusterIPNone, ClusterIPs: []string{ClusterIPNone}, Selector: sel,
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "external IPs make a cluster IP service external",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{ExternalIPs: []string{"192.0.2.1"}}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, ExternalIPs: []string{"192.0.2.1"}, ExternalTrafficPolicy: TrafficPolicyCluster,
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "node port",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeNodePort}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeNodePort, ExternalTrafficPolicy: TrafficPolicyCluster,
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "load balancer",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeLoadBalancer, ExternalTrafficPolicy: TrafficPolicyLocal}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeLoadBalancer, ExternalTrafficPolicy: TrafficPolicyLocal, AllocateLoadBalancerNodePorts: ptrTo(true),
				SessionAffinity: SessionAffinityNone, InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "external name",
			in:   &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com"}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com", SessionAffinity: SessionAffinityNone}},
		},
		{
			name: "client IP affinity timeout",
			in: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, SessionAffinity: SessionAffinityClientIP,
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{}}}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, SessionAffinity: SessionAffinityClientIP,
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: ptrTo[int32](10800)}},
				InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "no affinity drops its config",
			in: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP,
				SessionAffinityConfig: &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: ptrTo[int32](60)}}}},
			want: &Service{ObjectMeta: meta, Spec: ServiceSpec{Type: ServiceTypeClusterIP, SessionAffinity: SessionAffinityNone,
				InternalTrafficPolicy: ptrTo(TrafficPolicyCluster), IPFamilyPolicy: ptrTo(SingleStack)}},
		},
		{
			name: "pod",
			in: &Pod{ObjectMeta: meta, Spec: PodSpec{Containers: []Container{{Name: "app", Image: "nginx:1.27",
				Ports: []ContainerPort{{ContainerPort: 80}}, ReadinessProbe: &Probe{PeriodSeconds: 2}}}}},
			want: &Pod{ObjectMeta: meta, Spec: func() PodSpec {
				c := defaultedContainer("nginx:1.27", "IfNotPresent", ContainerPort{ContainerPort: 80, Protocol: ProtocolTCP})
				c.ReadinessProbe = &Probe{PeriodSeconds: 2, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
				s := defaultedPodSpec(c)
				s.EnableServiceLinks = ptrTo(true)
				return s
			}()},
		},
		{
			name: "host network pod",
			in: &Pod{ObjectMeta: meta, Spec: PodSpec{HostNetwork: true, DNSPolicy: DNSClusterFirstWithHostNet, RestartPolicy: "Never",
				Containers: []Container{{Name: "app", Image: "agent", Ports: []ContainerPort{{ContainerPort: 9100}, {ContainerPort: 9101, HostPort: 19101}}}}}},
			want: &Pod{ObjectMeta: meta, Spec: func() PodSpec {
				s := defaultedPodSpec(defaultedContainer("agent", "Always",
					ContainerPort{ContainerPort: 9100, HostPort: 9100, Protocol: ProtocolTCP}, ContainerPort{ContainerPort: 9101, HostPort: 19101, Protocol: ProtocolTCP}))
				s.HostNetwork, s.DNSPolicy, s.RestartPolicy, s.EnableServiceLinks = true, DNSClusterFirstWithHostNet, "Never", ptrTo(true)
				return s
			}()},
		},
		{
			name: "deployment",
			in: &Deployment{ObjectMeta: meta, Spec: DeploymentSpec{
				Template: PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: sel}, Spec: PodSpec{Containers: []Container{{Name: "app", Image: "web"}}}}}},
			want: &Deployment{ObjectMeta: meta, Spec: DeploymentSpec{
				Replicas: ptrTo[int32](1),
				Template: PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: sel}, Spec: defaultedPodSpec(defaultedContainer("web", "Always"))},
				Strategy: DeploymentStrategy{Type: RollingUpdateStrategy,
					RollingUpdate: &RollingUpdateDeployment{MaxUnavailable: ptrTo(FromString("25%")), MaxSurge: ptrTo(FromString("25%"))}},
				RevisionHistoryLimit: ptrTo[int32](10), ProgressDeadlineSeconds: ptrTo[int32](600),
			}},
		},
		{
			name: "deployment keeps its choices",
			in: &Deployment{ObjectMeta: meta, Spec: DeploymentSpec{Replicas: ptrTo[int32](0), Strategy: DeploymentStrategy{Type: RecreateStrategy},
				RevisionHistoryLimit: ptrTo[int32](0), ProgressDeadlineSeconds: ptrTo[int32](60)}},
			want: &Deployment{ObjectMeta: meta, Spec: DeploymentSpec{Replicas: ptrTo[int32](0), Strategy: DeploymentStrategy{Type: RecreateStrategy},
				RevisionHistoryLimit: ptrTo[int32](0), ProgressDeadlineSeconds: ptrTo[int32](60), Template: PodTemplateSpec{Spec: defaultedPodSpec()}}},
		},
		{
			name: "rolling update fills the missing bound",
			in: &Deployment{ObjectMeta: meta, Spec: DeploymentSpec{Strategy: DeploymentStrategy{
				RollingUpdate: &RollingUpdateDeployment{MaxSurge: ptrTo(FromInt(1))}}}},
			want: &Deployment{ObjectMeta: meta, Spec: DeploymentSpec{Replicas: ptrTo[int32](1),
				Strategy: DeploymentStrategy{Type: RollingUpdateStrategy,
					RollingUpdate: &RollingUpdateDeployment{MaxUnavailable: ptrTo(FromString("25%")), MaxSurge: ptrTo(FromInt(1))}},
				RevisionHistoryLimit: ptrTo[int32](10), ProgressDeadlineSeconds: ptrTo[int32](600), Template: PodTemplateSpec{Spec: defaultedPodSpec()}}},
		},
		{
			name: "replica set",
			in:   &ReplicaSet{ObjectMeta: meta, Spec: ReplicaSetSpec{Template: PodTemplateSpec{Spec: PodSpec{Containers: []Container{{Name: "app", Image: "web:v2"}}}}}},
			want: &ReplicaSet{ObjectMeta: meta, Spec: ReplicaSetSpec{Replicas: ptrTo[int32](1),
				Template: PodTemplateSpec{Spec: defaultedPodSpec(defaultedContainer("web:v2", "IfNotPresent"))}}},
		},
		{
			name: "endpoints",
			in:   &Endpoints{ObjectMeta: meta, Subsets: []EndpointSubset{{Ports: []EndpointPort{{Port: 80}, {Port: 53, Protocol: ProtocolUDP}}}}},
			want: &Endpoints{ObjectMeta: meta, Subsets: []EndpointSubset{{Ports: []EndpointPort{{Port: 80, Protocol: ProtocolTCP}, {Port: 53, Protocol: ProtocolUDP}}}}},
		},
		{
			name: "endpoint slice",
			in:   &EndpointSlice{ObjectMeta: meta, Ports: []EndpointSlicePort{{Port: ptrTo[int32](80)}, {Name: ptrTo("dns"), Protocol: ptrTo(ProtocolUDP)}}},
			want: &EndpointSlice{ObjectMeta: meta, Ports: []EndpointSlicePort{
				{Name: ptrTo(""), Protocol: ptrTo(ProtocolTCP), Port: ptrTo[int32](80)}, {Name: ptrTo("dns"), Protocol: ptrTo(ProtocolUDP)}}},
		},
		{
			name: "namespace",
			in:   &Namespace{ObjectMeta: ObjectMeta{Name: "web", Labels: map[string]string{"team": "a"}}},
			want: &Namespace{ObjectMeta: ObjectMeta{Name: "web", Labels: map[string]string{"team": "a", "kubernetes.io/metadata.name": "web"}}},
		},
		{
			name: "namespace to be named",
			in:   &Namespace{ObjectMeta: ObjectMeta{GenerateName: "web-"}},
			want: &Namespace{ObjectMeta: ObjectMeta{GenerateName: "web-"}},
		},
		{name: "node", in: &Node{ObjectMeta: ObjectMeta{Name: "n1"}}, want: &Node{ObjectMeta: ObjectMeta{Name: "n1"}}},
		{name: "service CIDR", in: &ServiceCIDR{ObjectMeta: ObjectMeta{Name: "c"}}, want: &ServiceCIDR{ObjectMeta: ObjectMeta{Name: "c"}}},
		{name: "nil pod", in: (*Pod)(nil), want: (*Pod)(nil)},
		{name: "nil interface", in: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SetDefaults(tt.in)
			if !reflect.DeepEqual(tt.in, tt.want) {
				got, _ := json.Marshal(tt.in)
				want, _ := json.Marshal(tt.want)
				t.Fatalf("SetDefaults:\n got: %s\nwant: %s", got, want)
			}
			SetDefaults(tt.in)
			if !reflect.DeepEqual(tt.in, tt.want) {
				t.Errorf("SetDefaults is not idempotent")
			}
		})
	}
}

func TestSetDefaultsNilObjects(t *testing.T) {
	for _, o := range []Object{(*Namespace)(nil), (*Node)(nil), (*Pod)(nil), (*Deployment)(nil), (*ReplicaSet)(nil),
		(*Service)(nil), (*Endpoints)(nil), (*EndpointSlice)(nil), (*ServiceCIDR)(nil)} {
		SetDefaults(o)
	}
}

func TestImagePullPolicyDefault(t *testing.T) {
	tests := []struct {
		image string
		want  string
	}{
		{"nginx", "Always"},
		{"nginx:latest", "Always"},
		{"nginx:1.27", "IfNotPresent"},
		{"registry.example.com:5000/team/nginx", "Always"},
		{"registry.example.com:5000/team/nginx:1.27", "IfNotPresent"},
		{"nginx@sha256:0123456789abcdef", "IfNotPresent"},
		{"nginx:latest@sha256:0123456789abcdef", "Always"},
		{"", "IfNotPresent"},
	}
	for _, tt := range tests {
		c := Container{Image: tt.image}
		defaultContainer(&c)
		if c.ImagePullPolicy != tt.want {
			t.Errorf("image %q: imagePullPolicy = %s, want %s", tt.image, c.ImagePullPolicy, tt.want)
		}
	}
}
