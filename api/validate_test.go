package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

const (
	dns1035Msg          = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
	dns1123LabelMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	dns1123SubdomainMsg = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`
	portRangeMsg        = "must be between 1 and 65535, inclusive"
	ipMsg               = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
	cidrMsg             = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
	dupPort80           = `core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`
)

func svc(edit func(*Service)) *Service {
	s := &Service{
		ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"},
		Spec:       ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []ServicePort{{Port: 80}}},
	}
	edit(s)
	return s
}

func podSpec() PodSpec {
	return PodSpec{Containers: []Container{{Name: "app", Image: "nginx:1.27", Ports: []ContainerPort{{Name: "http", ContainerPort: 8080}}}}}
}

func pod(edit func(*Pod)) *Pod {
	p := &Pod{ObjectMeta: ObjectMeta{Name: "web-1", Namespace: "default", Labels: map[string]string{"app": "web"}}, Spec: podSpec()}
	edit(p)
	return p
}

func deploy(edit func(*Deployment)) *Deployment {
	d := &Deployment{
		ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"},
		Spec: DeploymentSpec{
			Selector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: PodTemplateSpec{ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "web"}}, Spec: podSpec()},
		},
	}
	edit(d)
	return d
}

func endpoints(edit func(*Endpoints)) *Endpoints {
	e := &Endpoints{
		ObjectMeta: ObjectMeta{Name: "web", Namespace: "default"},
		Subsets: []EndpointSubset{{
			Addresses: []EndpointAddress{{IP: netip.MustParseAddr("10.244.0.5")}},
			Ports:     []EndpointPort{{Port: 8080}},
		}},
	}
	edit(e)
	return e
}

func slice(edit func(*EndpointSlice)) *EndpointSlice {
	es := &EndpointSlice{
		ObjectMeta:  ObjectMeta{Name: "web-abc", Namespace: "default"},
		AddressType: AddressTypeIPv4,
		Endpoints:   []Endpoint{{Addresses: []netip.Addr{netip.MustParseAddr("10.244.0.5")}}},
		Ports:       []EndpointSlicePort{{Name: ptrTo("http"), Port: ptrTo[int32](8080)}},
	}
	edit(es)
	return es
}

func named(name string) ObjectMeta { return ObjectMeta{Name: name} }

func TestValidate(t *testing.T) {
	searches33 := make([]string, 33)
	for i := range searches33 {
		searches33[i] = fmt.Sprintf("s%d.example.com", i)
	}
	long := strings.Repeat("a", 60)
	longSearch := strings.Join([]string{long, long, long, long}, ".")
	searchesLong := []string{longSearch, longSearch, longSearch, longSearch, longSearch, longSearch, longSearch, longSearch, longSearch}
	manyEndpoints := make([]Endpoint, 1001)
	for i := range manyEndpoints {
		manyEndpoints[i] = Endpoint{Addresses: []netip.Addr{netip.MustParseAddr("10.0.0.1")}}
	}

	tests := []struct {
		name string
		obj  Object
		opts ValidationOptions
		raw  bool // skip SetDefaults
		want string
	}{
		// Metadata.
		{name: "service valid", obj: svc(func(*Service) {})},
		{name: "name required", obj: svc(func(s *Service) { s.Name = "" }),
			want: `Service "" is invalid: metadata.name: Required value: name or generateName is required`},
		{name: "service name is a DNS-1035 label", obj: svc(func(s *Service) { s.Name = "Web_1" }),
			want: `Service "Web_1" is invalid: metadata.name: Invalid value: "Web_1": ` + dns1035Msg},
		{name: "service name may not start with a digit", obj: svc(func(s *Service) { s.Name = "1web" }),
			want: `Service "1web" is invalid: metadata.name: Invalid value: "1web": ` + dns1035Msg},
		{name: "namespace required", obj: svc(func(s *Service) { s.Namespace = "" }),
			want: `Service "web" is invalid: metadata.namespace: Required value`},
		{name: "namespace format", obj: svc(func(s *Service) { s.Namespace = "Team_A" }),
			want: `Service "web" is invalid: metadata.namespace: Invalid value: "Team_A": ` + dns1123LabelMsg},
		{name: "label key and value", obj: svc(func(s *Service) { s.Labels = map[string]string{"a_": "ok", "b": "bad_"} }),
			want: `Service "web" is invalid: [metadata.labels: Invalid value: "a_": ` + labelKeyNameMsg +
				`, metadata.labels: Invalid value: "bad_": ` + labelValueMsg + `]`},
		{name: "annotation key", obj: svc(func(s *Service) { s.Annotations = map[string]string{"Example.com/OK": "x", "a b": "y"} }),
			want: `Service "web" is invalid: metadata.annotations: Invalid value: "a b": ` + labelKeyNameMsg},
		{name: "annotations too large", obj: svc(func(s *Service) { s.Annotations = map[string]string{"a": strings.Repeat("x", 256*1024)} }),
			want: `Service "web" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes`},
		{name: "generateName valid with trailing dash", obj: pod(func(p *Pod) { p.Name, p.GenerateName = "", "web-" }),
			want: `Pod "" is invalid: metadata.name: Required value: name or generateName is required`},
		{name: "generateName invalid", obj: pod(func(p *Pod) { p.Name, p.GenerateName = "", "Web-" }),
			want: `Pod "" is invalid: [metadata.generateName: Invalid value: "Web-": ` + dns1123SubdomainMsg +
				`, metadata.name: Required value: name or generateName is required]`},
		{name: "generation", obj: pod(func(p *Pod) { p.Generation = -1 }),
			want: `Pod "web-1" is invalid: metadata.generation: Invalid value: -1: must be greater than or equal to 0`},
		{name: "subdomain name too long", obj: pod(func(p *Pod) { p.Name = strings.Repeat("a", 254) }),
			want: `Pod "` + strings.Repeat("a", 254) + `" is invalid: metadata.name: Invalid value: "` + strings.Repeat("a", 254) + `": must be no more than 253 characters`},
		{name: "DNS-1035 name too long", obj: svc(func(s *Service) { s.Name = strings.Repeat("a", 64) }),
			want: `Service "` + strings.Repeat("a", 64) + `" is invalid: metadata.name: Invalid value: "` + strings.Repeat("a", 64) + `": must be no more than 63 characters`},
		{name: "generateName of a dash", obj: pod(func(p *Pod) { p.Name, p.GenerateName = "", "-" }),
			want: `Pod "" is invalid: metadata.name: Required value: name or generateName is required`},
		{name: "label key prefixes", obj: pod(func(p *Pod) {
			p.Labels = map[string]string{"Example.com/app": "x", "example.com/": "y", "example.com/" + strings.Repeat("k", 64): "z"}
		}), want: `Pod "web-1" is invalid: [metadata.labels: Invalid value: "Example.com/app": prefix part ` + dns1123SubdomainMsg +
			`, metadata.labels: Invalid value: "example.com/": name part must be non-empty, metadata.labels: Invalid value: "example.com/": ` + labelKeyNameMsg +
			`, metadata.labels: Invalid value: "example.com/` + strings.Repeat("k", 64) + `": name part must be no more than 63 characters]`},
		{name: "owner reference kind", obj: pod(func(p *Pod) { p.OwnerReferences = []OwnerReference{{APIVersion: "v1", Name: "n", UID: "u"}} }),
			want: `Pod "web-1" is invalid: metadata.ownerReferences.kind: Invalid value: "": must not be empty`},
		{name: "owner reference API version", obj: pod(func(p *Pod) {
			p.OwnerReferences = []OwnerReference{{APIVersion: "a/b/v1", Kind: "K", Name: "n", UID: "u"}}
		}),
			want: `Pod "web-1" is invalid: metadata.ownerReferences.apiVersion: Invalid value: "a/b/v1": version must not be empty`},
		{name: "owner reference fields", obj: pod(func(p *Pod) { p.OwnerReferences = []OwnerReference{{APIVersion: "apps/", Kind: "ReplicaSet"}} }),
			want: `Pod "web-1" is invalid: [metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty, ` +
				`metadata.ownerReferences.name: Invalid value: "": must not be empty, metadata.ownerReferences.uid: Invalid value: "": must not be empty]`},
		{name: "two controllers", obj: pod(func(p *Pod) {
			p.OwnerReferences = []OwnerReference{
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "a", UID: "1", Controller: ptrTo(true)},
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "b", UID: "2", Controller: ptrTo(true)},
			}
		}), want: `Pod "web-1" is invalid: metadata.ownerReferences: Invalid value: []v1.OwnerReference{` +
			`v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"a", UID:"1", Controller:(*bool)(0xc000000000), BlockOwnerDeletion:(*bool)(nil)}, ` +
			`v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"2", Controller:(*bool)(0xc000000000), BlockOwnerDeletion:(*bool)(nil)}}: ` +
			`Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b`},
		{name: "finalizers", obj: pod(func(p *Pod) { p.Finalizers = []string{"custom", "example.com/ok", "orphan", "foregroundDeletion"} }),
			want: `Pod "web-1" is invalid: [metadata.finalizers: Invalid value: []string{"custom", "example.com/ok", "orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set, ` +
				`metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified]`},

		// Services.
		{name: "type unsupported", obj: svc(func(s *Service) { s.Spec.Type = "Foo" }),
			want: `Service "web" is invalid: spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`},
		{name: "ports required", obj: svc(func(s *Service) { s.Spec.Ports = nil }),
			want: `Service "web" is invalid: spec.ports: Required value`},
		{name: "headless needs no ports", obj: svc(func(s *Service) { s.Spec.Ports, s.Spec.ClusterIP = nil, ClusterIPNone })},
		{name: "port zero", obj: svc(func(s *Service) { s.Spec.Ports[0].Port = 0 }),
			want: `Service "web" is invalid: [spec.ports[0].port: Invalid value: 0: ` + portRangeMsg + `, spec.ports[0].targetPort: Invalid value: 0: ` + portRangeMsg + `]`},
		{name: "target port number", obj: svc(func(s *Service) { s.Spec.Ports[0].TargetPort = FromInt(70000) }),
			want: `Service "web" is invalid: spec.ports[0].targetPort: Invalid value: 70000: ` + portRangeMsg},
		{name: "target port name", obj: svc(func(s *Service) { s.Spec.Ports[0].TargetPort = FromString("HTTP_1") }),
			want: `Service "web" is invalid: [spec.ports[0].targetPort: Invalid value: "HTTP_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), ` +
				`spec.ports[0].targetPort: Invalid value: "HTTP_1": must contain at least one letter (a-z)]`},
		{name: "target port name too long", obj: svc(func(s *Service) { s.Spec.Ports[0].TargetPort = FromString("a-very-long-port-name--") }),
			want: `Service "web" is invalid: [spec.ports[0].targetPort: Invalid value: "a-very-long-port-name--": must be no more than 15 characters, ` +
				`spec.ports[0].targetPort: Invalid value: "a-very-long-port-name--": must not contain consecutive hyphens, ` +
				`spec.ports[0].targetPort: Invalid value: "a-very-long-port-name--": must not begin or end with a hyphen]`},
		{name: "protocol", obj: svc(func(s *Service) { s.Spec.Ports[0].Protocol = "HTTP" }),
			want: `Service "web" is invalid: spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`},
		{name: "port names required when several", obj: svc(func(s *Service) {
			s.Spec.Ports = []ServicePort{{Name: "http", Port: 80}, {Port: 443}}
		}), want: `Service "web" is invalid: spec.ports[1].name: Required value`},
		{name: "port names unique", obj: svc(func(s *Service) {
			s.Spec.Ports = []ServicePort{{Name: "http", Port: 80}, {Name: "http", Port: 443}}
		}), want: `Service "web" is invalid: spec.ports[1].name: Duplicate value: "http"`},
		{name: "port name format", obj: svc(func(s *Service) { s.Spec.Ports[0].Name = "HTTP" }),
			want: `Service "web" is invalid: spec.ports[0].name: Invalid value: "HTTP": ` + dns1123LabelMsg},
		{name: "duplicate port and protocol", obj: svc(func(s *Service) {
			s.Spec.Ports = []ServicePort{{Name: "a", Port: 80}, {Name: "b", Port: 80, Protocol: ProtocolUDP}, {Name: "c", Port: 80}}
		}), want: `Service "web" is invalid: spec.ports[2]: Duplicate value: ` + dupPort80},
		{name: "app protocol", obj: svc(func(s *Service) { s.Spec.Ports[0].AppProtocol = ptrTo("h2c_") }),
			want: `Service "web" is invalid: spec.ports[0].appProtocol: Invalid value: "h2c_": ` + labelKeyNameMsg},
		{name: "selector labels", obj: svc(func(s *Service) { s.Spec.Selector = map[string]string{"app": "web!"} }),
			want: `Service "web" is invalid: spec.selector: Invalid value: "web!": ` + labelValueMsg},
		{name: "topology annotations disagree", obj: svc(func(s *Service) {
			s.Annotations = map[string]string{annotationTopologyMode: "Auto", annotationTopologyAwareHints: "Disabled"}
		}), want: `Service "web" is invalid: metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Auto": must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified`},

		{name: "external name valid", obj: svc(func(s *Service) {
			s.Spec = ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com."}
		})},
		{name: "external name required", obj: svc(func(s *Service) { s.Spec = ServiceSpec{Type: ServiceTypeExternalName} }),
			want: `Service "web" is invalid: spec.externalName: Required value`},
		{name: "external name format", obj: svc(func(s *Service) { s.Spec = ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "DB.example.com"} }),
			want: `Service "web" is invalid: spec.externalName: Invalid value: "DB.example.com": ` + dns1123SubdomainMsg},
		{name: "external name with cluster IP", obj: svc(func(s *Service) {
			s.Spec = ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com", ClusterIP: "10.0.0.1"}
		}), want: `Service "web" is invalid: spec.clusterIPs: Forbidden: may not be set for ExternalName services`},
		{name: "external name with families", obj: svc(func(s *Service) {
			s.Spec = ServiceSpec{Type: ServiceTypeExternalName, ExternalName: "db.example.com", IPFamilies: []IPFamily{IPv4}, IPFamilyPolicy: ptrTo(SingleStack)}
		}), want: `Service "web" is invalid: [spec.ipFamilies: Forbidden: may not be set for ExternalName services, spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services]`},

		{name: "cluster IP None only for ClusterIP", obj: svc(func(s *Service) { s.Spec.Type, s.Spec.ClusterIP = ServiceTypeNodePort, ClusterIPNone }),
			want: `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`},
		{name: "cluster IP None not for LoadBalancer", obj: svc(func(s *Service) { s.Spec.Type, s.Spec.ClusterIP = ServiceTypeLoadBalancer, ClusterIPNone }),
			want: `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for LoadBalancer services`},
		{name: "cluster IP must be an IP", obj: svc(func(s *Service) { s.Spec.ClusterIP = "10.0.0.300"; s.Name = "BAD" }),
			want: `Service "BAD" is invalid: spec.clusterIPs[0]: Invalid value: "10.0.0.300": ` + ipMsg},
		{name: "cluster IP with leading zeros", obj: svc(func(s *Service) { s.Spec.ClusterIP = "010.000.000.001" })},
		{name: "cluster IP with zone", obj: svc(func(s *Service) { s.Spec.ClusterIP = "fe80::1%eth0" }),
			want: `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "fe80::1%eth0": ` + ipMsg},
		{name: "clusterIPs[0] must equal clusterIP", obj: svc(func(s *Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.0.0.1", []string{"10.0.0.2"} }),
			want: `Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: first value must match ` + "`clusterIP`"},
		{name: "clusterIPs without clusterIP", obj: svc(func(s *Service) { s.Spec.ClusterIPs = []string{"10.0.0.2"} }),
			want: `Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.2"}: must be empty when ` + "`clusterIP`" + ` is not specified`},
		{name: "None first and only", obj: svc(func(s *Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = ClusterIPNone, []string{ClusterIPNone, "10.0.0.1"}
		}),
			want: `Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"None", "10.0.0.1"}: 'None' must be the first and only value`},
		{name: "dual stack needs both families", obj: svc(func(s *Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs, s.Spec.IPFamilyPolicy = "10.0.0.1", []string{"10.0.0.1", "10.0.0.2"}, ptrTo(RequireDualStack)
		}), want: `Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1", "10.0.0.2"}: may specify no more than one IP for each IP family`},
		{name: "at most two cluster IPs", obj: svc(func(s *Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs, s.Spec.IPFamilyPolicy = "10.0.0.1", []string{"10.0.0.1", "fd00::1", "10.0.0.2"}, ptrTo(RequireDualStack)
		}), want: `Service "web" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.1", "fd00::1", "10.0.0.2"}: may only hold up to 2 values`},
		{name: "dual stack valid", obj: svc(func(s *Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs, s.Spec.IPFamilies, s.Spec.IPFamilyPolicy = "10.0.0.1", []string{"10.0.0.1", "fd00::1"}, []IPFamily{IPv4, IPv6}, ptrTo(PreferDualStack)
		})},
		{name: "single stack refuses two cluster IPs", obj: svc(func(s *Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.0.0.1", []string{"10.0.0.1", "fd00::1"}
		}), want: `Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified`},
		{name: "single stack refuses two families", obj: svc(func(s *Service) { s.Spec.IPFamilies = []IPFamily{IPv6, IPv4} }),
			want: `Service "web" is invalid: spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified`},
		{name: "families distinct and known", obj: svc(func(s *Service) { s.Spec.IPFamilies = []IPFamily{IPv4, "IPv5", IPv4} }),
			want: `Service "web" is invalid: [spec.ipFamilies[1]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6", spec.ipFamilies[2]: Duplicate value: "IPv4"]`},
		{name: "family policy", obj: svc(func(s *Service) { s.Spec.IPFamilyPolicy = ptrTo[IPFamilyPolicy]("Dual") }),
			want: `Service "web" is invalid: spec.ipFamilyPolicy: Unsupported value: "Dual": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"`},
		{name: "family must match cluster IP", obj: svc(func(s *Service) { s.Spec.ClusterIP, s.Spec.IPFamilies = "fd00::1", []IPFamily{IPv4} }),
			want: `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "fd00::1": expected an IPv4 value as indicated by ` + "`ipFamilies[0]`"},
		{name: "IPv6 family must match cluster IP", obj: svc(func(s *Service) { s.Spec.ClusterIP, s.Spec.IPFamilies = "10.0.0.1", []IPFamily{IPv6} }),
			want: `Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "10.0.0.1": expected an IPv6 value as indicated by ` + "`ipFamilies[0]`"},

		{name: "node port forbidden for ClusterIP", obj: svc(func(s *Service) { s.Spec.Ports[0].NodePort = 30080 }),
			want: `Service "web" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when ` + "`type`" + ` is 'ClusterIP'`},
		{name: "node port valid", obj: svc(func(s *Service) { s.Spec.Type, s.Spec.Ports[0].NodePort = ServiceTypeNodePort, 30080 })},
		{name: "node port out of range", obj: svc(func(s *Service) {
			s.Spec.Type = ServiceTypeNodePort
			s.Spec.Ports = []ServicePort{{Name: "a", Port: 80, NodePort: 40000}, {Name: "b", Port: 81, NodePort: 50000}}
			s.Spec.SessionAffinity = "Sticky" // reported only once allocation succeeds
		}), want: `Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767`},
		{name: "node port in a custom range", opts: ValidationOptions{NodePortRange: PortRange{Base: 40000, Size: 1000}},
			obj: svc(func(s *Service) { s.Spec.Type, s.Spec.Ports[0].NodePort = ServiceTypeLoadBalancer, 40000 })},
		{name: "node port outside a custom range", opts: ValidationOptions{NodePortRange: PortRange{Base: 40000, Size: 1000}},
			obj:  svc(func(s *Service) { s.Spec.Type, s.Spec.Ports[0].NodePort = ServiceTypeLoadBalancer, 30080 }),
			want: `Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 40000-40999`},
		{name: "node port requested twice", obj: svc(func(s *Service) {
			s.Spec.Type = ServiceTypeNodePort
			s.Spec.Ports = []ServicePort{{Name: "a", Port: 80, NodePort: 30080}, {Name: "b", Port: 81, NodePort: 30080}}
		}), want: `Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated`},
		{name: "node port shared by TCP and UDP", obj: svc(func(s *Service) {
			s.Spec.Type = ServiceTypeNodePort
			s.Spec.Ports = []ServicePort{{Name: "dns", Port: 53, NodePort: 30053}, {Name: "dns-udp", Port: 53, Protocol: ProtocolUDP, NodePort: 30053}}
		})},
		{name: "second node port for the same port number", obj: svc(func(s *Service) {
			s.Spec.Type = ServiceTypeNodePort
			s.Spec.Ports = []ServicePort{{Name: "dns", Port: 53, NodePort: 30053}, {Name: "dns-udp", Port: 53, Protocol: ProtocolUDP, NodePort: 40053}}
		}), want: `Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 40053: provided port is not in the valid range. The range of valid ports is 30000-32767`},
		{name: "node port taken from a later port of the same number", obj: svc(func(s *Service) {
			s.Spec.Type = ServiceTypeNodePort
			s.Spec.Ports = []ServicePort{{Name: "a", Port: 53}, {Name: "b", Port: 53, Protocol: ProtocolUDP, NodePort: 40000}}
		}), want: `Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767`},
		{name: "duplicate node port", obj: svc(func(s *Service) {
			s.Spec.Type = ServiceTypeNodePort
			s.Spec.Ports = []ServicePort{{Name: "a", Port: 80, NodePort: 30080}, {Name: "b", Port: 80, NodePort: 30080}}
		}), want: `Service "web" is invalid: [spec.ports[1].nodePort: Duplicate value: 30080, spec.ports[1]: Duplicate value: ` + dupPort80 + `]`},
		{name: "session affinity", obj: svc(func(s *Service) { s.Spec.SessionAffinity = "Sticky" }),
			want: `Service "web" is invalid: spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"`},
		{name: "client IP affinity valid", obj: svc(func(s *Service) { s.Spec.SessionAffinity = SessionAffinityClientIP })},
		{name: "client IP timeout", obj: svc(func(s *Service) {
			s.Spec.SessionAffinity = SessionAffinityClientIP
			s.Spec.SessionAffinityConfig = &SessionAffinityConfig{ClientIP: &ClientIPConfig{TimeoutSeconds: ptrTo[int32](86401)}}
		}), want: `Service "web" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400`},
		{name: "client IP config required", raw: true, obj: svc(func(s *Service) {
			s.Spec.Type, s.Spec.SessionAffinity, s.Spec.InternalTrafficPolicy = ServiceTypeClusterIP, SessionAffinityClientIP, ptrTo(TrafficPolicyCluster)
			s.Spec.Ports[0].Protocol, s.Spec.Ports[0].TargetPort = ProtocolTCP, FromInt(80)
		}), want: `Service "web" is invalid: spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP`},
		{name: "external traffic policy needs external access", obj: svc(func(s *Service) { s.Spec.ExternalTrafficPolicy = TrafficPolicyLocal }),
			want: `Service "web" is invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services`},
		{name: "external traffic policy with external IPs", obj: svc(func(s *Service) {
			s.Spec.ExternalIPs, s.Spec.ExternalTrafficPolicy = []string{"192.0.2.10"}, TrafficPolicyLocal
		})},
		{name: "external traffic policy value", obj: svc(func(s *Service) { s.Spec.Type, s.Spec.ExternalTrafficPolicy = ServiceTypeNodePort, "Nearest" }),
			want: `Service "web" is invalid: spec.externalTrafficPolicy: Unsupported value: "Nearest": supported values: "Cluster", "Local"`},
		{name: "health check node port", obj: svc(func(s *Service) { s.Spec.HealthCheckNodePort = 30100 }),
			want: `Service "web" is invalid: spec.healthCheckNodePort: Invalid value: 30100: may only be set when ` + "`type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"},
		{name: "internal traffic policy", obj: svc(func(s *Service) { s.Spec.InternalTrafficPolicy = ptrTo[TrafficPolicy]("Node") }),
			want: `Service "web" is invalid: spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"`},
		{name: "external IPs", obj: svc(func(s *Service) { s.Spec.ExternalIPs = []string{"127.0.0.1", "nope", "0.0.0.0"} }),
			want: `Service "web" is invalid: [spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128), ` +
				`spec.externalIPs[1]: Invalid value: "nope": ` + ipMsg + `, spec.externalIPs[2]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)]`},
		{name: "source ranges need a load balancer", obj: svc(func(s *Service) { s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/8"} }),
			want: `Service "web" is invalid: spec.LoadBalancerSourceRanges: Forbidden: may only be used when ` + "`type`" + ` is 'LoadBalancer'`},
		{name: "source ranges are CIDRs", obj: svc(func(s *Service) {
			s.Spec.Type, s.Spec.LoadBalancerSourceRanges = ServiceTypeLoadBalancer, []string{" 10.0.0.0/8 ", "10.0.0.0/33", "fd00::/64"}
		}), want: `Service "web" is invalid: spec.LoadBalancerSourceRanges[1]: Invalid value: "10.0.0.0/33": ` + cidrMsg},
		{name: "source ranges annotation", obj: svc(func(s *Service) { s.Annotations = map[string]string{annotationLBSourceRanges: "10.0.0.0/8, x"} }),
			want: `Service "web" is invalid: [metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Forbidden: may only be used when ` + "`type`" + ` is 'LoadBalancer', ` +
				`metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: Invalid value: "x": ` + cidrMsg + `]`},
		{name: "allocateLoadBalancerNodePorts needs a load balancer", obj: svc(func(s *Service) { s.Spec.AllocateLoadBalancerNodePorts = ptrTo(false) }),
			want: `Service "web" is invalid: spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when ` + "`type`" + ` is 'LoadBalancer'`},
		{name: "load balancer class", obj: svc(func(s *Service) { s.Spec.LoadBalancerClass = ptrTo("example.com/lb") }),
			want: `Service "web" is invalid: spec.loadBalancerClass: Forbidden: may only be used when ` + "`type`" + ` is 'LoadBalancer'`},
		{name: "traffic distribution", obj: svc(func(s *Service) { s.Spec.TrafficDistribution = ptrTo("Anywhere") }),
			want: `Service "web" is invalid: spec.trafficDistribution: Unsupported value: "Anywhere": supported values: "PreferClose"`},
		{name: "load balancer class format", obj: svc(func(s *Service) { s.Spec.Type, s.Spec.LoadBalancerClass = ServiceTypeLoadBalancer, ptrTo("my lb") }),
			want: `Service "web" is invalid: spec.loadBalancerClass: Invalid value: "my lb": ` + labelKeyNameMsg},
		{name: "load balancer without node ports", obj: svc(func(s *Service) {
			s.Spec.Type, s.Spec.AllocateLoadBalancerNodePorts = ServiceTypeLoadBalancer, ptrTo(false)
			s.Spec.Ports = []ServicePort{{Name: "a", Port: 80}, {Name: "b", Port: 81, NodePort: 30081}}
		})},
		{name: "health check node port range", obj: svc(func(s *Service) {
			s.Spec.Type, s.Spec.ExternalTrafficPolicy, s.Spec.HealthCheckNodePort = ServiceTypeLoadBalancer, TrafficPolicyLocal, 70000
		}), want: `Service "web" is invalid: spec.healthCheckNodePort: Invalid value: 70000: ` + portRangeMsg},
		{name: "health check node port left to the store", obj: svc(func(s *Service) {
			s.Spec.Type, s.Spec.ExternalTrafficPolicy = ServiceTypeLoadBalancer, TrafficPolicyLocal
		})},
		{name: "clusterIPs required once clusterIP is set", raw: true, obj: svc(func(s *Service) {
			SetDefaults(s)
			s.Spec.ClusterIP = "10.96.0.10"
		}), want: `Service "web" is invalid: spec.clusterIPs: Required value`},
		{name: "client IP needs clientIP", raw: true, obj: svc(func(s *Service) {
			SetDefaults(s)
			s.Spec.SessionAffinity, s.Spec.SessionAffinityConfig = SessionAffinityClientIP, &SessionAffinityConfig{}
		}), want: `Service "web" is invalid: spec.sessionAffinityConfig.clientIP: Required value: when session affinity type is ClientIP`},
		{name: "client IP needs a timeout", raw: true, obj: svc(func(s *Service) {
			SetDefaults(s)
			s.Spec.SessionAffinity, s.Spec.SessionAffinityConfig = SessionAffinityClientIP, &SessionAffinityConfig{ClientIP: &ClientIPConfig{}}
		}), want: `Service "web" is invalid: spec.sessionAffinityConfig.clientIP.timeoutSeconds: Required value: when session affinity type is ClientIP`},
		{name: "no affinity with a config", raw: true, obj: svc(func(s *Service) {
			SetDefaults(s)
			s.Spec.SessionAffinityConfig = &SessionAffinityConfig{}
		}), want: `Service "web" is invalid: spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None`},
		{name: "undefaulted load balancer", raw: true, obj: svc(func(s *Service) {
			s.Spec.Type, s.Spec.SessionAffinity = ServiceTypeLoadBalancer, SessionAffinityNone
			s.Spec.Ports[0].Protocol, s.Spec.Ports[0].TargetPort = ProtocolTCP, FromInt(80)
		}), want: `Service "web" is invalid: [allocateLoadBalancerNodePorts: Required value, spec.externalTrafficPolicy: Required value, spec.internalTrafficPolicy: Required value]`},
		{name: "nil service", raw: true, obj: (*Service)(nil),
			want: `Service "" is invalid: [metadata.name: Required value: name or generateName is required, metadata.namespace: Required value, ` +
				`spec.ports: Required value, spec.sessionAffinity: Required value, spec.type: Required value]`},

		// Pods.
		{name: "pod valid", obj: pod(func(*Pod) {})},
		{name: "pod name is a subdomain", obj: pod(func(p *Pod) { p.Name = "web.v1" })},
		{name: "pod name format", obj: pod(func(p *Pod) { p.Name = "web_1" }),
			want: `Pod "web_1" is invalid: metadata.name: Invalid value: "web_1": ` + dns1123SubdomainMsg},
		{name: "containers required", obj: pod(func(p *Pod) { p.Spec.Containers = nil }),
			want: `Pod "web-1" is invalid: spec.containers: Required value`},
		{name: "container name and image", obj: pod(func(p *Pod) { p.Spec.Containers[0].Name, p.Spec.Containers[0].Image = "", "" }),
			want: `Pod "web-1" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]`},
		{name: "container name format", obj: pod(func(p *Pod) { p.Spec.Containers[0].Name = "App" }),
			want: `Pod "web-1" is invalid: spec.containers[0].name: Invalid value: "App": ` + dns1123LabelMsg},
		{name: "container names unique", obj: pod(func(p *Pod) { p.Spec.Containers = append(p.Spec.Containers, Container{Name: "app", Image: "busybox"}) }),
			want: `Pod "web-1" is invalid: spec.containers[1].name: Duplicate value: "app"`},
		{name: "padded image", obj: pod(func(p *Pod) { p.Spec.Containers[0].Image = "nginx " }),
			want: `Pod "web-1" is invalid: spec.containers[0].image: Invalid value: "nginx ": must not have leading or trailing whitespace`},
		{name: "container ports", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].Ports = []ContainerPort{
				{Name: "http", ContainerPort: 70000}, {Name: "http", HostPort: 70000, Protocol: "QUIC"}, {Name: "Web_1", ContainerPort: 9090},
			}
		}), want: `Pod "web-1" is invalid: [spec.containers[0].ports[0].containerPort: Invalid value: 70000: ` + portRangeMsg +
			`, spec.containers[0].ports[1].name: Duplicate value: "http", spec.containers[0].ports[1].containerPort: Required value` +
			`, spec.containers[0].ports[1].hostPort: Invalid value: 70000: ` + portRangeMsg +
			`, spec.containers[0].ports[1].protocol: Unsupported value: "QUIC": supported values: "SCTP", "TCP", "UDP"` +
			`, spec.containers[0].ports[2].name: Invalid value: "Web_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)]`},
		{name: "host port conflict", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].Ports[0].HostPort = 8080
			p.Spec.Containers = append(p.Spec.Containers, Container{Name: "side", Image: "envoy", Ports: []ContainerPort{{ContainerPort: 9090, HostPort: 8080}}})
		}), want: `Pod "web-1" is invalid: spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"`},
		{name: "host network host port", obj: pod(func(p *Pod) { p.Spec.HostNetwork = true; p.Spec.Containers[0].Ports[0].HostPort = 8081 }),
			want: `Pod "web-1" is invalid: spec.containers[0].ports[0].hostPort: Invalid value: 8081: must match ` + "`containerPort`" + ` when ` + "`hostNetwork`" + ` is true`},
		{name: "host network defaults host port", obj: pod(func(p *Pod) { p.Spec.HostNetwork = true })},
		{name: "restart policy", obj: pod(func(p *Pod) { p.Spec.RestartPolicy = "Sometimes" }),
			want: `Pod "web-1" is invalid: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`},
		{name: "dns policy", obj: pod(func(p *Pod) { p.Spec.DNSPolicy = "Custom" }),
			want: `Pod "web-1" is invalid: spec.dnsPolicy: Unsupported value: "Custom": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`},
		{name: "dns policy None needs dnsConfig", obj: pod(func(p *Pod) { p.Spec.DNSPolicy = DNSNone }),
			want: `Pod "web-1" is invalid: spec.dnsConfig: Required value: must provide ` + "`dnsConfig` when `dnsPolicy`" + ` is None`},
		{name: "dns policy None needs a nameserver", obj: pod(func(p *Pod) { p.Spec.DNSPolicy, p.Spec.DNSConfig = DNSNone, &PodDNSConfig{} }),
			want: `Pod "web-1" is invalid: spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when ` + "`dnsPolicy`" + ` is None`},
		{name: "dns config valid", obj: pod(func(p *Pod) {
			p.Spec.DNSPolicy = DNSNone
			p.Spec.DNSConfig = &PodDNSConfig{Nameservers: []string{"10.96.0.10"}, Searches: []string{".", "svc.cluster.local.", "_srv.example.com"},
				Options: []PodDNSConfigOption{{Name: "ndots", Value: ptrTo("2")}}}
		})},
		{name: "too many nameservers", obj: pod(func(p *Pod) {
			p.Spec.DNSConfig = &PodDNSConfig{Nameservers: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "dns.google"}}
		}), want: `Pod "web-1" is invalid: [spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "dns.google"}: must not have more than 3 nameservers, ` +
			`spec.dnsConfig.nameservers[3]: Invalid value: "dns.google": ` + ipMsg + `]`},
		{name: "too many search paths", obj: pod(func(p *Pod) { p.Spec.DNSConfig = &PodDNSConfig{Searches: searches33} }),
			want: fmt.Sprintf(`Pod "web-1" is invalid: spec.dnsConfig.searches: Invalid value: %#v: must not have more than 32 search paths`, searches33)},
		{name: "search list too long", obj: pod(func(p *Pod) { p.Spec.DNSConfig = &PodDNSConfig{Searches: searchesLong} }),
			want: fmt.Sprintf(`Pod "web-1" is invalid: spec.dnsConfig.searches: Invalid value: %#v: must not have more than 2048 characters (including spaces) in the search list`, searchesLong)},
		{name: "search domain and option", obj: pod(func(p *Pod) {
			p.Spec.DNSConfig = &PodDNSConfig{Searches: []string{"Corp.Example"}, Options: []PodDNSConfigOption{{}}}
		}), want: `Pod "web-1" is invalid: [spec.dnsConfig.searches[0]: Invalid value: "Corp.Example": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*'), ` +
			`spec.dnsConfig.options[0]: Required value: must not be empty]`},
		{name: "search domain too long", obj: pod(func(p *Pod) { p.Spec.DNSConfig = &PodDNSConfig{Searches: []string{strings.Repeat("d", 254)}} }),
			want: `Pod "web-1" is invalid: spec.dnsConfig.searches[0]: Invalid value: "` + strings.Repeat("d", 254) + `": must be no more than 253 characters`},
		{name: "hostname and subdomain", obj: pod(func(p *Pod) { p.Spec.Hostname, p.Spec.Subdomain = "Web_1", "web.svc" }),
			want: `Pod "web-1" is invalid: [spec.hostname: Invalid value: "Web_1": ` + dns1123LabelMsg + `, spec.subdomain: Invalid value: "web.svc": must not contain dots]`},
		{name: "hostname too long", obj: pod(func(p *Pod) { p.Spec.Hostname = strings.Repeat("h", 64) }),
			want: `Pod "web-1" is invalid: spec.hostname: Invalid value: "` + strings.Repeat("h", 64) + `": must be no more than 63 characters`},
		{name: "node and account names", obj: pod(func(p *Pod) { p.Spec.NodeName, p.Spec.ServiceAccountName = "Node_1", "sa!" }),
			want: `Pod "web-1" is invalid: [spec.serviceAccountName: Invalid value: "sa!": ` + dns1123SubdomainMsg + `, spec.nodeName: Invalid value: "Node_1": ` + dns1123SubdomainMsg + `]`},
		{name: "priority class name", obj: pod(func(p *Pod) { p.Spec.PriorityClassName = "High" }),
			want: `Pod "web-1" is invalid: spec.priorityClassName: Invalid value: "High": ` + dns1123SubdomainMsg},
		{name: "container policies", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].TerminationMessagePolicy, p.Spec.Containers[0].ImagePullPolicy = "Always", "Sometimes"
		}), want: `Pod "web-1" is invalid: [spec.containers[0].terminationMessagePolicy: Unsupported value: "Always": supported values: "File", "FallbackToLogsOnError", ` +
			`spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"]`},
		{name: "lifecycle without pre-stop", obj: pod(func(p *Pod) { p.Spec.Containers[0].Lifecycle = &Lifecycle{PostStart: json.RawMessage(`{"exec":{}}`)} })},
		{name: "readiness probe grace", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].ReadinessProbe = &Probe{GRPC: json.RawMessage(`{"port":9000}`), TerminationGracePeriodSeconds: ptrTo[int64](0)}
		}), want: `Pod "web-1" is invalid: [spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0, ` +
			`spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 0: must not be set for readinessProbes]`},
		{name: "init container startup probe", obj: pod(func(p *Pod) {
			p.Spec.InitContainers = []Container{{Name: "init", Image: "x", StartupProbe: json.RawMessage(`{"exec":{}}`)}}
		}), want: `Pod "web-1" is invalid: spec.initContainers[0].startupProbe: Forbidden: may not be set for init containers without restartPolicy=Always`},
		{name: "readiness probe needs a handler", obj: pod(func(p *Pod) { p.Spec.Containers[0].ReadinessProbe = &Probe{InitialDelaySeconds: -1} }),
			want: `Pod "web-1" is invalid: [spec.containers[0].readinessProbe: Required value: must specify a handler type, ` +
				`spec.containers[0].readinessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0]`},
		{name: "readiness probe one handler", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].ReadinessProbe = &Probe{HTTPGet: json.RawMessage(`{"port":8080}`), TCPSocket: json.RawMessage(`{"port":8080}`),
				TerminationGracePeriodSeconds: ptrTo[int64](5)}
		}), want: `Pod "web-1" is invalid: [spec.containers[0].readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type, ` +
			`spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes]`},
		{name: "pre-stop sleep", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].Lifecycle = &Lifecycle{PreStop: &LifecycleHandler{Sleep: &SleepAction{Seconds: 0}}}
		})},
		{name: "pre-stop sleep beyond grace", obj: pod(func(p *Pod) {
			p.Spec.Containers[0].Lifecycle = &Lifecycle{PreStop: &LifecycleHandler{Sleep: &SleepAction{Seconds: 31}}}
		}), want: `Pod "web-1" is invalid: spec.containers[0].lifecycle.preStop.sleep: Invalid value: 31: must be non-negative and less than terminationGracePeriodSeconds (30)`},
		{name: "pre-stop needs one handler", obj: pod(func(p *Pod) {
			p.Spec.Containers = append(p.Spec.Containers,
				Container{Name: "a", Image: "x", Lifecycle: &Lifecycle{PreStop: &LifecycleHandler{}}},
				Container{Name: "b", Image: "x", Lifecycle: &Lifecycle{PreStop: &LifecycleHandler{Exec: json.RawMessage(`{}`), Sleep: &SleepAction{Seconds: 99}}}})
		}), want: `Pod "web-1" is invalid: [spec.containers[1].lifecycle.preStop: Required value: must specify a handler type, ` +
			`spec.containers[2].lifecycle.preStop.sleep: Forbidden: may not specify more than 1 handler type]`},
		{name: "init containers", obj: pod(func(p *Pod) {
			p.Spec.InitContainers = []Container{
				{Name: "app", Image: "x"},
				{Name: "init", Image: "x", ReadinessProbe: &Probe{}, Lifecycle: &Lifecycle{}, LivenessProbe: json.RawMessage(`{}`)},
			}
		}), want: `Pod "web-1" is invalid: [spec.initContainers[0].name: Duplicate value: "app", ` +
			`spec.initContainers[1].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always, ` +
			`spec.initContainers[1].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always, ` +
			`spec.initContainers[1].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always]`},
		{name: "undefaulted pod", raw: true, obj: pod(func(*Pod) {}),
			want: `Pod "web-1" is invalid: [spec.terminationGracePeriodSeconds: Required value, spec.containers[0].terminationMessagePolicy: Required value, ` +
				`spec.containers[0].ports[0].protocol: Required value, spec.containers[0].imagePullPolicy: Required value, spec.restartPolicy: Required value, spec.dnsPolicy: Required value]`},
		{name: "nil pod", raw: true, obj: (*Pod)(nil),
			want: `Pod "" is invalid: [metadata.name: Required value: name or generateName is required, metadata.namespace: Required value, ` +
				`spec.terminationGracePeriodSeconds: Required value, spec.containers: Required value, spec.restartPolicy: Required value, spec.dnsPolicy: Required value]`},

		// Deployments and ReplicaSets.
		{name: "deployment valid", obj: deploy(func(*Deployment) {})},
		{name: "deployment selector required", obj: deploy(func(d *Deployment) { d.Spec.Selector = nil }),
			want: `Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ` + "`selector` does not match template `labels`]"},
		{name: "selector must match template", obj: deploy(func(d *Deployment) { d.Spec.Selector.MatchLabels["app"] = "api" }),
			want: `Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: ` + "`selector` does not match template `labels`"},
		{name: "selector expressions", obj: deploy(func(d *Deployment) {
			d.Spec.Selector = &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "app", Operator: "In", Values: []string{"web", "api"}}, {Key: "canary", Operator: "DoesNotExist"}}}
		})},
		{name: "empty selector", obj: deploy(func(d *Deployment) { d.Spec.Selector = &LabelSelector{} }),
			want: `Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment`},
		{name: "bad selector operator", obj: deploy(func(d *Deployment) {
			d.Spec.Selector = &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "app", Operator: "Equals", Values: []string{"web"}}}}
			d.Spec.Template.Spec.Containers = nil // not checked once the selector is unusable
		}), want: `Deployment.apps "web" is invalid: [spec.selector.matchExpressions[0].operator: Invalid value: "Equals": not a valid selector operator, ` +
			`spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"Equals", Values:[]string{"web"}}}}: invalid label selector]`},
		{name: "selector expression values", obj: deploy(func(d *Deployment) {
			d.Spec.Selector = &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "app", Operator: "In"}, {Key: "x", Operator: "Exists", Values: []string{"y"}}}}
		}), want: `Deployment.apps "web" is invalid: [spec.selector.matchExpressions[0].values: Required value: must be specified when ` + "`operator`" + ` is 'In' or 'NotIn', ` +
			`spec.selector.matchExpressions[1].values: Forbidden: may not be specified when ` + "`operator`" + ` is 'Exists' or 'DoesNotExist', ` +
			`spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}, v1.LabelSelectorRequirement{Key:"x", Operator:"Exists", Values:[]string{"y"}}}}: invalid label selector]`},
		{name: "replicas", obj: deploy(func(d *Deployment) { d.Spec.Replicas = ptrTo[int32](-1) }),
			want: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0`},
		{name: "template containers", obj: deploy(func(d *Deployment) { d.Spec.Template.Spec.Containers = nil }),
			want: `Deployment.apps "web" is invalid: spec.template.spec.containers: Required value`},
		{name: "template container ports", obj: deploy(func(d *Deployment) {
			d.Spec.Template.Spec.Containers[0].Ports = []ContainerPort{{Name: "http", ContainerPort: 80}, {Name: "http", ContainerPort: 0}}
		}), want: `Deployment.apps "web" is invalid: [spec.template.spec.containers[0].ports[1].name: Duplicate value: "http", spec.template.spec.containers[0].ports[1].containerPort: Required value]`},
		{name: "template labels", obj: deploy(func(d *Deployment) { d.Spec.Template.Labels["v"] = "1.0_" }),
			want: `Deployment.apps "web" is invalid: spec.template.labels: Invalid value: "1.0_": ` + labelValueMsg},
		{name: "template host network may leave host port", obj: deploy(func(d *Deployment) { d.Spec.Template.Spec.HostNetwork = true })},
		{name: "template restart policy", obj: deploy(func(d *Deployment) { d.Spec.Template.Spec.RestartPolicy = "Never" }),
			want: `Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"`},
		{name: "max surge", obj: deploy(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: ptrTo(FromString("lots"))}
		}), want: `Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"lots"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`},
		{name: "surge and unavailable both zero", obj: deploy(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: ptrTo(FromString("0%")), MaxUnavailable: ptrTo(FromInt(0))}
		}), want: `Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when ` + "`maxSurge`" + ` is 0`},
		{name: "unavailable over 100%", obj: deploy(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxUnavailable: ptrTo(FromString("150%")), MaxSurge: ptrTo(FromInt(-1))}
		}), want: `Deployment.apps "web" is invalid: [spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0, ` +
			`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%]`},
		{name: "recreate", obj: deploy(func(d *Deployment) { d.Spec.Strategy.Type = RecreateStrategy })},
		{name: "numeric string surge counts as its number", obj: deploy(func(d *Deployment) {
			d.Spec.Strategy.RollingUpdate = &RollingUpdateDeployment{MaxSurge: ptrTo(FromString("0")), MaxUnavailable: ptrTo(FromInt(0))}
		}), want: `Deployment.apps "web" is invalid: [spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'), ` +
			`spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when ` + "`maxSurge`" + ` is 0]`},
		{name: "rolling update must be defaulted", raw: true, obj: deploy(func(d *Deployment) {
			SetDefaults(d)
			d.Spec.Strategy.RollingUpdate = nil
		}), want: `Deployment.apps "web" is invalid: spec.strategy.rollingUpdate: Required value: this should be defaulted and never be nil`},
		{name: "recreate with rolling update", obj: deploy(func(d *Deployment) {
			d.Spec.Strategy = DeploymentStrategy{Type: RecreateStrategy, RollingUpdate: &RollingUpdateDeployment{}}
		}), want: `Deployment.apps "web" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy ` + "`type`" + ` is 'Recreate'`},
		{name: "strategy type", obj: deploy(func(d *Deployment) { d.Spec.Strategy.Type = "BlueGreen" }),
			want: `Deployment.apps "web" is invalid: spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"`},
		{name: "progress deadline", obj: deploy(func(d *Deployment) { d.Spec.MinReadySeconds, d.Spec.ProgressDeadlineSeconds = 10, ptrTo[int32](10) }),
			want: `Deployment.apps "web" is invalid: spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds`},
		{name: "revision history", obj: deploy(func(d *Deployment) { d.Spec.RevisionHistoryLimit = ptrTo[int32](-2) }),
			want: `Deployment.apps "web" is invalid: spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0`},
		{name: "replica set valid", obj: &ReplicaSet{ObjectMeta: ObjectMeta{Name: "web-5d4f", Namespace: "default"},
			Spec: ReplicaSetSpec{Selector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}}, Template: deploy(func(*Deployment) {}).Spec.Template}}},
		{name: "replica set empty selector", obj: &ReplicaSet{ObjectMeta: ObjectMeta{Name: "web-5d4f", Namespace: "default"},
			Spec: ReplicaSetSpec{Selector: &LabelSelector{MatchLabels: map[string]string{}}, MinReadySeconds: -1, Template: deploy(func(*Deployment) {}).Spec.Template}},
			want: `ReplicaSet.apps "web-5d4f" is invalid: [spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0, ` +
				`spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment]`},

		// Endpoints and EndpointSlices.
		{name: "endpoints valid", obj: endpoints(func(*Endpoints) {})},
		{name: "endpoints need addresses", obj: endpoints(func(e *Endpoints) { e.Subsets[0].Addresses = nil }),
			want: "Endpoints \"web\" is invalid: subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"},
		{name: "endpoint special addresses", obj: endpoints(func(e *Endpoints) {
			e.Subsets[0].Addresses = []EndpointAddress{
				{IP: netip.MustParseAddr("127.0.0.1")}, {IP: netip.MustParseAddr("169.254.169.254")}, {IP: netip.MustParseAddr("::")},
				{IP: netip.MustParseAddr("224.0.0.251")}, {IP: netip.MustParseAddr("::ffff:127.0.0.2")}, {},
			}
			e.Subsets[0].NotReadyAddresses = []EndpointAddress{{IP: netip.MustParseAddr("fe80::1")}}
		}), want: `Endpoints "web" is invalid: [subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128), ` +
			`subsets[0].addresses[1].ip: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10), ` +
			`subsets[0].addresses[2].ip: Invalid value: "::": may not be unspecified (::), ` +
			`subsets[0].addresses[3].ip: Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10), ` +
			`subsets[0].addresses[4].ip: Invalid value: "::ffff:127.0.0.2": may not be in the loopback range (127.0.0.0/8, ::1/128), ` +
			`subsets[0].addresses[5].ip: Invalid value: "": ` + ipMsg + `, subsets[0].addresses[5].ip: Invalid value: "": must be a valid IP address, ` +
			`subsets[0].notReadyAddresses[0].ip: Invalid value: "fe80::1": may not be in the link-local range (169.254.0.0/16, fe80::/10)]`},
		{name: "endpoint hostname and node", obj: endpoints(func(e *Endpoints) {
			e.Subsets[0].Addresses[0].Hostname, e.Subsets[0].Addresses[0].NodeName = "Pod_1", ptrTo("node_1")
		}), want: `Endpoints "web" is invalid: [subsets[0].addresses[0].hostname: Invalid value: "Pod_1": ` + dns1123LabelMsg +
			`, subsets[0].addresses[0].nodeName: Invalid value: "node_1": ` + dns1123SubdomainMsg + `]`},
		{name: "endpoint ports", obj: endpoints(func(e *Endpoints) {
			e.Subsets[0].Ports = []EndpointPort{{Port: 0}, {Name: "HTTP", Port: 80, Protocol: "ICMP"}}
		}), want: `Endpoints "web" is invalid: [subsets[0].ports[0].name: Required value, subsets[0].ports[0].port: Invalid value: 0: ` + portRangeMsg +
			`, subsets[0].ports[1].name: Invalid value: "HTTP": ` + dns1123LabelMsg + `, subsets[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"]`},
		{name: "slice valid", obj: slice(func(*EndpointSlice) {})},
		{name: "slice IPv6 valid", obj: slice(func(es *EndpointSlice) {
			es.AddressType, es.Endpoints[0].Addresses = AddressTypeIPv6, []netip.Addr{netip.MustParseAddr("fd00::5")}
		})},
		{name: "slice address type", obj: slice(func(es *EndpointSlice) { es.AddressType = "IP" }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"`},
		{name: "slice address type required", obj: slice(func(es *EndpointSlice) { es.AddressType = "" }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: addressType: Required value`},
		{name: "slice address family", obj: slice(func(es *EndpointSlice) {
			es.Endpoints[0].Addresses = []netip.Addr{netip.MustParseAddr("fd00::5"), netip.MustParseAddr("127.0.0.1")}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: [endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address, ` +
			`endpoints[0].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)]`},
		{name: "slice IPv6 family", obj: slice(func(es *EndpointSlice) { es.AddressType = AddressTypeIPv6 }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: endpoints[0].addresses[0]: Invalid value: "10.244.0.5": must be a valid IPv6 address`},
		{name: "slice endpoint needs an address", obj: slice(func(es *EndpointSlice) { es.Endpoints[0].Addresses = nil }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: endpoints[0].addresses: Required value: must contain at least 1 address`},
		{name: "slice at most 1000 endpoints", obj: slice(func(es *EndpointSlice) { es.Endpoints = manyEndpoints }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: endpoints: Too many: 1001: must have at most 1000 items`},
		{name: "slice endpoint names and hints", obj: slice(func(es *EndpointSlice) {
			es.Endpoints[0].NodeName, es.Endpoints[0].Hostname = ptrTo("Node"), ptrTo("a.b")
			es.Endpoints[0].Hints = &EndpointHints{ForZones: []ForZone{{Name: "zone-a"}, {Name: "zone-a"}}}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: [endpoints[0].nodeName: Invalid value: "Node": ` + dns1123SubdomainMsg +
			`, endpoints[0].hostname: Invalid value: "a.b": must not contain dots, endpoints[0].hints.forZones[1].name: Duplicate value: "zone-a"]`},
		{name: "slice ports", obj: slice(func(es *EndpointSlice) {
			es.Ports = []EndpointSlicePort{{Port: ptrTo[int32](80)}, {}, {Name: ptrTo("Web"), Protocol: ptrTo[Protocol]("ICMP")}}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: [ports[1].name: Duplicate value: "", ports[2].name: Invalid value: "Web": ` + dns1123LabelMsg +
			`, ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"]`},
		{name: "slice FQDN", obj: slice(func(es *EndpointSlice) { es.AddressType = AddressTypeFQDN })},
		{name: "slice FQDN from IPv6 text", obj: slice(func(es *EndpointSlice) {
			es.AddressType, es.Endpoints[0].Addresses = AddressTypeFQDN, []netip.Addr{netip.MustParseAddr("fd00::5"), {}}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: [endpoints[0].addresses[0]: Invalid value: "fd00::5": ` + dns1123SubdomainMsg +
			`, endpoints[0].addresses[1]: Required value]`},
		{name: "slice at most 100 addresses", obj: slice(func(es *EndpointSlice) {
			es.Endpoints[0].Addresses = make([]netip.Addr, 101)
			for i := range es.Endpoints[0].Addresses {
				es.Endpoints[0].Addresses[i] = netip.AddrFrom4([4]byte{10, 0, 1, byte(i)})
			}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: endpoints[0].addresses: Too many: 101: must have at most 100 items`},
		{name: "slice zone hints", obj: slice(func(es *EndpointSlice) {
			es.Endpoints[0].Hints = &EndpointHints{ForZones: make([]ForZone, 9)}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: endpoints[0].hints.forZones: Too many: 9: must have at most 8 items`},
		{name: "slice zone hint names", obj: slice(func(es *EndpointSlice) {
			es.Endpoints[0].Hints = &EndpointHints{ForZones: []ForZone{{Name: "zone a"}}}
		}), want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: endpoints[0].hints.forZones[0].name: Invalid value: "zone a": ` + labelValueMsg},
		{name: "slice at most 20000 ports", obj: slice(func(es *EndpointSlice) { es.Ports = make([]EndpointSlicePort, 20001) }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: ports: Too many: 20001: must have at most 20000 items`},
		{name: "app protocols", obj: slice(func(es *EndpointSlice) { es.Ports[0].AppProtocol = ptrTo("k8s.io/h2c!") }),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: ports[0].appProtocol: Invalid value: "k8s.io/h2c!": ` + labelKeyNameMsg},
		{name: "slice port protocol required", raw: true, obj: slice(func(*EndpointSlice) {}),
			want: `EndpointSlice.discovery.k8s.io "web-abc" is invalid: ports[0].protocol: Required value`},
		{name: "endpoint app protocol", obj: endpoints(func(e *Endpoints) { e.Subsets[0].Ports[0].AppProtocol = ptrTo("/h2c") }),
			want: `Endpoints "web" is invalid: subsets[0].ports[0].appProtocol: Invalid value: "/h2c": prefix part must be non-empty`},

		// Cluster-scoped kinds.
		{name: "namespace valid", obj: &Namespace{ObjectMeta: named("team-a")}},
		{name: "namespace name", obj: &Namespace{ObjectMeta: named("Web_1")},
			want: `Namespace "Web_1" is invalid: metadata.name: Invalid value: "Web_1": ` + dns1123LabelMsg},
		{name: "namespace name without dots", obj: &Namespace{ObjectMeta: named("team.a")},
			want: `Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": must not contain dots`},
		{name: "namespace name length", obj: &Namespace{ObjectMeta: named(strings.Repeat("n", 64))},
			// The name label the apiserver adds is too long as well, as in a real cluster.
			want: `Namespace "` + strings.Repeat("n", 64) + `" is invalid: [metadata.name: Invalid value: "` + strings.Repeat("n", 64) + `": must be no more than 63 characters, ` +
				`metadata.labels: Invalid value: "` + strings.Repeat("n", 64) + `": must be no more than 63 characters]`},
		{name: "namespace not namespaced", obj: &Namespace{ObjectMeta: ObjectMeta{Name: "a", Namespace: "b"}},
			want: `Namespace "a" is invalid: metadata.namespace: Forbidden: not allowed on this type`},
		{name: "namespace finalizers", obj: &Namespace{ObjectMeta: named("a"), Spec: NamespaceSpec{Finalizers: []string{"kubernetes", "mine"}}},
			want: `Namespace "a" is invalid: spec.finalizers: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified`},
		{name: "node valid", obj: &Node{ObjectMeta: named("node-1.example"), Spec: NodeSpec{PodCIDR: "10.244.1.0/24", PodCIDRs: []string{"10.244.1.0/24", "fd00:1::/64"}}}},
		{name: "node pod CIDR", obj: &Node{ObjectMeta: named("n1"), Spec: NodeSpec{PodCIDR: "10.244.1.0/33"}},
			want: `Node "n1" is invalid: spec.podCIDRs[0]: Invalid value: "10.244.1.0/33": ` + cidrMsg},
		{name: "node pod CIDRs one per family", obj: &Node{ObjectMeta: named("n1"), Spec: NodeSpec{PodCIDRs: []string{"10.244.1.0/24", "10.244.1.0/24"}}},
			want: `Node "n1" is invalid: [spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.1.0/24"}: may specify no more than one CIDR for each IP family, ` +
				`spec.podCIDRs[1]: Duplicate value: "10.244.1.0/24"]`},
		{name: "node pod CIDRs unparsable", obj: &Node{ObjectMeta: named("n1"), Spec: NodeSpec{PodCIDRs: []string{"10.244.1.0/24", "x"}}},
			want: `Node "n1" is invalid: [spec.podCIDRs[1]: Invalid value: "x": ` + cidrMsg +
				`, spec.podCIDRs: Internal error: invalid PodCIDRs. failed to check with dual stack with error:failed to parse cidr value:"x" with error:invalid CIDR address: x` +
				`, spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "x"}: may specify no more than one CIDR for each IP family]`},
		{name: "service CIDR valid", obj: &ServiceCIDR{ObjectMeta: named("extra"), Spec: ServiceCIDRSpec{CIDRs: []string{"10.100.0.0/16", "fd00:100::/108"}}}},
		{name: "service CIDR required", obj: &ServiceCIDR{ObjectMeta: named("extra")},
			want: `ServiceCIDR.networking.k8s.io "extra" is invalid: spec.cidrs: Required value: at least one CIDR required`},
		{name: "service CIDR at most two", obj: &ServiceCIDR{ObjectMeta: named("extra"), Spec: ServiceCIDRSpec{CIDRs: []string{"10.0.0.0/16", "fd00::/108", "10.1.0.0/16"}}},
			want: `ServiceCIDR.networking.k8s.io "extra" is invalid: spec.cidrs: Invalid value: networking.ServiceCIDRSpec{CIDRs:[]string{"10.0.0.0/16", "fd00::/108", "10.1.0.0/16"}}: may only hold up to 2 values`},
		{name: "service CIDR families", obj: &ServiceCIDR{ObjectMeta: named("extra"), Spec: ServiceCIDRSpec{CIDRs: []string{"10.0.0.0/16", "10.1.0.0/16"}}},
			want: `ServiceCIDR.networking.k8s.io "extra" is invalid: spec.cidrs: Invalid value: networking.ServiceCIDRSpec{CIDRs:[]string{"10.0.0.0/16", "10.1.0.0/16"}}: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64`},
		{name: "service CIDR format", obj: &ServiceCIDR{ObjectMeta: named("extra"), Spec: ServiceCIDRSpec{CIDRs: []string{"10.0.0.0"}}},
			want: `ServiceCIDR.networking.k8s.io "extra" is invalid: spec.cidrs[0]: Invalid value: "10.0.0.0": ` + cidrMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.raw {
				SetDefaults(tt.obj)
			}
			err := Validate(tt.obj, tt.opts)
			got := ""
			if err != nil {
				got = err.Error()
				if !IsInvalid(err) {
					t.Errorf("error %v is not an InvalidError", err)
				}
			}
			if got != tt.want {
				t.Errorf("Validate:\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestValidateUnknownObject(t *testing.T) {
	err := Validate(nil, ValidationOptions{})
	if err == nil || IsInvalid(err) || Reason(err) != "BadRequest" {
		t.Errorf("Validate(nil) = %v", err)
	}
}

func TestValidateNilObjects(t *testing.T) {
	for _, o := range []Object{(*Namespace)(nil), (*Node)(nil), (*Pod)(nil), (*Deployment)(nil), (*ReplicaSet)(nil),
		(*Service)(nil), (*Endpoints)(nil), (*EndpointSlice)(nil), (*ServiceCIDR)(nil)} {
		SetDefaults(o)
		if err := Validate(o, ValidationOptions{}); !IsInvalid(err) {
			t.Errorf("Validate(%T(nil)) = %v, want an InvalidError", o, err)
		}
	}
}

func TestFieldError(t *testing.T) {
	tests := []struct {
		err  FieldError
		want string
	}{
		{invalid("spec.ports[0].port", int32(0), portRangeMsg), "spec.ports[0].port: Invalid value: 0: " + portRangeMsg},
		{invalid("f", int64(-1), "d"), "f: Invalid value: -1: d"},
		{invalid("f", 7, "d"), "f: Invalid value: 7: d"},
		{invalid("f", true, "d"), "f: Invalid value: true: d"},
		{invalid("f", "x", "d"), `f: Invalid value: "x": d`},
		{invalid("f", []string{"a"}, "d"), `f: Invalid value: []string{"a"}: d`},
		{invalid("f", map[string]string{"b": "2", "a": "1"}, "d"), `f: Invalid value: map[string]string{"a":"1", "b":"2"}: d`},
		{invalid("f", nil, "d"), "f: Invalid value: null: d"},
		{invalid("f", (*int32)(nil), "d"), "f: Invalid value: null: d"},
		{invalid("f", ptrTo[int32](3), "d"), "f: Invalid value: 3: d"},
		{invalid("f", ptrTo(SingleStack), "d"), `f: Invalid value: "SingleStack": d`},
		{invalid("f", netip.MustParseAddr("10.0.0.1"), "d"), "f: Invalid value: 10.0.0.1: d"},
		{invalid("f", "x", ""), `f: Invalid value: "x"`},
		{required("spec.selector", ""), "spec.selector: Required value"},
		{required("metadata.name", "name or generateName is required"), "metadata.name: Required value: name or generateName is required"},
		{forbidden("spec.clusterIP", "may not be set"), "spec.clusterIP: Forbidden: may not be set"},
		{duplicate("spec.ports[1].name", "http"), `spec.ports[1].name: Duplicate value: "http"`},
		{notSupported("spec.type", ServiceType("Foo"), "ClusterIP", "NodePort"), `spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "NodePort"`},
		{tooMany("endpoints", 1001, 1000), "endpoints: Too many: 1001: must have at most 1000 items"},
		{tooMany("x", 2, 1), "x: Too many: 2: must have at most 1 item"},
		{tooLong("metadata.annotations", 10), "metadata.annotations: Too long: may not be more than 10 bytes"},
		{FieldError{Type: ErrorTypeNotFound, Field: "spec.x", BadValue: "y"}, `spec.x: Not found: "y"`},
		{FieldError{Type: ErrorTypeInternal, Field: "spec.x", BadValue: "y", Detail: "boom"}, "spec.x: Internal error: boom"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s, want %s", got, tt.want)
		}
	}
}

func TestStatusErrors(t *testing.T) {
	cause := required("spec.selector", "")
	tests := []struct {
		err    error
		want   string
		reason string
	}{
		{InvalidError{Kind: KindService, Name: "x"}, `Service "x" is invalid`, "Invalid"},
		{&InvalidError{Kind: KindService, Name: "x", Causes: []FieldError{cause}}, `Service "x" is invalid: spec.selector: Required value`, "Invalid"},
		{&InvalidError{Kind: KindDeployment, Name: "x", Causes: []FieldError{cause, cause, forbidden("a", "b")}},
			`Deployment.apps "x" is invalid: [spec.selector: Required value, a: Forbidden: b]`, "Invalid"},
		{&InvalidError{Kind: KindDeployment, Name: "x", Causes: []FieldError{cause, cause}}, `Deployment.apps "x" is invalid: spec.selector: Required value`, "Invalid"},
		{NotFoundError{Resource: "services", Name: "x"}, `services "x" not found`, "NotFound"},
		{&NotFoundError{Resource: "deployments.apps", Name: "x"}, `deployments.apps "x" not found`, "NotFound"},
		{AlreadyExistsError{Resource: "services", Name: "x"}, `services "x" already exists`, "AlreadyExists"},
		{ConflictError{Resource: "services", Name: "x", Message: "the object has been modified; please apply your changes to the latest version and try again"},
			`Operation cannot be fulfilled on services "x": the object has been modified; please apply your changes to the latest version and try again`, "Conflict"},
		{ForbiddenError{Resource: "namespaces", Name: "default", Message: "this namespace may not be deleted"},
			`namespaces "default" is forbidden: this namespace may not be deleted`, "Forbidden"},
		{ForbiddenError{Resource: "pods", Name: "x", Message: "unable to create new content in namespace web because it is being terminated"},
			`pods "x" is forbidden: unable to create new content in namespace web because it is being terminated`, "Forbidden"},
		{ForbiddenError{Resource: "pods", Message: "m"}, `pods is forbidden: m`, "Forbidden"},
		{ForbiddenError{Message: "m"}, `forbidden: m`, "Forbidden"},
		{fmt.Errorf("create: %w", NotFoundError{Resource: "namespaces", Name: "web"}), `create: namespaces "web" not found`, "NotFound"},
		{errors.New("something else"), "something else", "BadRequest"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %s, want %s", got, tt.want)
		}
		if got := Reason(tt.err); got != tt.reason {
			t.Errorf("Reason(%v) = %s, want %s", tt.err, got, tt.reason)
		}
		checks := map[string]bool{"NotFound": IsNotFound(tt.err), "AlreadyExists": IsAlreadyExists(tt.err), "Invalid": IsInvalid(tt.err),
			"Conflict": IsConflict(tt.err), "Forbidden": IsForbidden(tt.err)}
		for reason, is := range checks {
			if is != (reason == tt.reason) {
				t.Errorf("Is%s(%v) = %v", reason, tt.err, is)
			}
		}
	}
	if Reason(nil) != "" {
		t.Error("Reason(nil) is not empty")
	}
}

func TestPortRange(t *testing.T) {
	tests := []struct {
		in      string
		want    PortRange
		wantStr string
		wantErr string
	}{
		{in: "30000-32767", want: PortRange{30000, 2768}, wantStr: "30000-32767"},
		{in: " 40000-40999 ", want: PortRange{40000, 1000}, wantStr: "40000-40999"},
		{in: "30000+100", want: PortRange{30000, 101}, wantStr: "30000-30100"},
		{in: "8080", want: PortRange{8080, 1}, wantStr: "8080-8080"},
		{in: "", want: PortRange{}, wantStr: ""},
		{in: "abc", wantErr: `invalid port range "abc": "abc" is not a number`},
		{in: "1-x", wantErr: `invalid port range "1-x": "x" is not a number`},
		{in: "-5", wantErr: `invalid port range "-5": "" is not a number`},
		{in: "1+2-3", wantErr: "unable to parse port range: 1+2-3"},
		{in: "x+1", wantErr: `invalid port range "x+1": "x" is not a number`},
		{in: "1+x", wantErr: `invalid port range "1+x": "x" is not a number`},
		{in: "65535+1", wantErr: "the port range cannot be greater than 65535: 65535+1"},
		{in: "60000-70000", wantErr: "the port range cannot be greater than 65535: 60000-70000"},
		{in: "32767-30000", wantErr: "end port cannot be less than start port: 32767-30000"},
	}
	for _, tt := range tests {
		got, err := ParsePortRange(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParsePortRange(%q) error = %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want || got.String() != tt.wantStr {
			t.Errorf("ParsePortRange(%q) = %+v (%q), %v", tt.in, got, got.String(), err)
		}
	}
	r := PortRange{30000, 2768}
	for port, want := range map[int]bool{29999: false, 30000: true, 32767: true, 32768: false} {
		if r.Contains(port) != want {
			t.Errorf("Contains(%d) = %v", port, !want)
		}
	}
}

func TestParseIPAndCIDR(t *testing.T) {
	ips := []struct {
		in   string
		want string // "" when invalid
	}{
		{"10.0.0.1", "10.0.0.1"},
		{"010.001.000.001", "10.1.0.1"},
		{"10.0.0.256", ""},
		{"10.0.0", ""},
		{"10.0.0.1.", ""},
		{"10..0.1", ""},
		{"fd00::1", "fd00::1"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1"},
		{"fe80::1%eth0", ""},
		{"", ""},
	}
	for _, tt := range ips {
		a, ok := parseIP(tt.in)
		if got := addrString(a); ok != (tt.want != "") || got != tt.want {
			t.Errorf("parseIP(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	cidrs := []struct {
		in string
		ok bool
	}{
		{"10.0.0.0/8", true},
		{"010.0.0.0/08", true},
		{"10.0.0.0/33", false},
		{"10.0.0.0/", false},
		{"10.0.0.0", false},
		{"10.0.0.0/8a", false},
		{"fd00::/64", true},
		{"fd00::/129", false},
		{"fe80::%eth0/64", false},
		{"::ffff:10.0.0.0/104", true},
		{"x/8", false},
	}
	for _, tt := range cidrs {
		if _, ok := parseCIDR(tt.in); ok != tt.ok {
			t.Errorf("parseCIDR(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}
