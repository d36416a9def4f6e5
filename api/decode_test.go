package api

import (
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The lab's headless service: a Service without a selector and the Endpoints
// that a person writes by hand for it.
const headlessManifest = `apiVersion: v1
kind: Service
metadata:
  name: numbers-api
spec:
  ports:
    - port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: numbers-api
subsets:
  - addresses:
      - ip: 192.168.123.234
    ports:
      - port: 80
`

const deploymentManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [front]}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 5
        lifecycle:
          preStop:
            sleep: {seconds: 10}
`

const listManifest = `apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop}
- apiVersion: v1
  kind: Pod
  metadata:
    name: p
    namespace: shop
    creationTimestamp: "2024-05-01T10:00:00Z"
  spec:
    containers: [{name: c, image: busybox}]
  status:
    phase: Running
    podIP: 10.244.1.5
    podIPs: [{ip: 10.244.1.5}, {ip: "fd00::5"}]
`

const jsonManifest = `{
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "kube-dns", "namespace": "kube-system"},
	"spec": {
		"clusterIP": "10.96.0.10",
		"selector": {"k8s-app": "kube-dns"},
		"ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53}]
	}
}
---
{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}
`

const dualStackManifest = `apiVersion: v1
kind: Service
metadata:
  name: dual
spec:
  type: ClusterIP
  ipFamilyPolicy: PreferDualStack
  ipFamilies:
  - IPv6
  - IPv4
  clusterIP: fd00:10:96::a
  clusterIPs:
  - fd00:10:96::a
  - 10.96.0.10
  selector:
    app: dual
  internalTrafficPolicy: Local
  ports:
  - name: http
    port: 80
    targetPort: http
    appProtocol: http
`

const endpointSliceManifest = `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: web-abc12
  labels:
    kubernetes.io/service-name: web
addressType: IPv4
endpoints:
- addresses: [10.244.1.5]
  conditions: {ready: true, serving: true, terminating: false}
  nodeName: node-a
  zone: zone-a
  hints:
    forZones: [{name: zone-a}]
    forNodes: [{name: node-a}]
  targetRef: {kind: Pod, namespace: default, name: web-1, uid: "1234"}
ports:
- {name: http, port: 8080, protocol: TCP}
`

const serviceCIDRManifest = `apiVersion: networking.k8s.io/v1
kind: ServiceCIDR
metadata:
  name: extra
spec:
  cidrs: [10.100.0.0/16, "fd00:100::/64"]
`

const nodeAndReplicaSetManifest = `apiVersion: v1
kind: Node
metadata:
  name: node-a
spec:
  podCIDR: 10.244.1.0/24
  taints: [{key: k, effect: NoSchedule}]
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.2}
  conditions:
  - {type: Ready, status: "True"}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f
  ownerReferences:
  - {apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}
spec:
  selector: {matchLabels: {app: web}}
  template:
    spec:
      containers: [{name: web}]
`

// goodManifests are inputs Decode must accept, with the objects it must return.
var goodManifests = []struct {
	name string
	in   string
	want []Object
}{
	{
		name: "headless service with hand-written endpoints",
		in:   headlessManifest,
		want: []Object{
			&Service{
				TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Service"},
				ObjectMeta: ObjectMeta{Name: "numbers-api"},
				Spec:       ServiceSpec{Ports: []ServicePort{{Port: 80}}},
			},
			&Endpoints{
				TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Endpoints"},
				ObjectMeta: ObjectMeta{Name: "numbers-api"},
				Subsets: []EndpointSubset{{
					Addresses: []EndpointAddress{{IP: netip.MustParseAddr("192.168.123.234")}},
					Ports:     []EndpointPort{{Port: 80}},
				}},
			},
		},
	},
	{
		name: "deployment with selector and template",
		in:   deploymentManifest,
		want: []Object{&Deployment{
			TypeMeta:   TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: ObjectMeta{Name: "web", Namespace: "shop", Labels: map[string]string{"app": "web"}},
			Spec: DeploymentSpec{
				Replicas: ptrTo(int32(3)),
				Selector: &LabelSelector{
					MatchLabels:      map[string]string{"app": "web"},
					MatchExpressions: []LabelSelectorRequirement{{Key: "tier", Operator: "In", Values: []string{"front"}}},
				},
				Strategy: DeploymentStrategy{
					Type: RollingUpdateStrategy,
					RollingUpdate: &RollingUpdateDeployment{
						MaxSurge:       ptrTo(FromString("25%")),
						MaxUnavailable: ptrTo(FromInt(0)),
					},
				},
				Template: PodTemplateSpec{
					ObjectMeta: ObjectMeta{Labels: map[string]string{"app": "web", "tier": "front"}},
					Spec: PodSpec{
						TerminationGracePeriodSeconds: ptrTo(int64(30)),
						Containers: []Container{{
							Name:  "web",
							Image: "nginx:1.27",
							Ports: []ContainerPort{{Name: "http", ContainerPort: 8080}},
							ReadinessProbe: &Probe{
								PeriodSeconds: 5,
								HTTPGet:       json.RawMessage(`{"path":"/healthz","port":"http"}`),
							},
							Lifecycle: &Lifecycle{PreStop: &LifecycleHandler{Sleep: &SleepAction{Seconds: 10}}},
						}},
					},
				},
			},
		}},
	},
	{
		name: "v1 List expands its items in order",
		in:   listManifest,
		want: []Object{
			&Namespace{
				TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Namespace"},
				ObjectMeta: ObjectMeta{Name: "shop"},
			},
			&Pod{
				TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: ObjectMeta{
					Name:              "p",
					Namespace:         "shop",
					CreationTimestamp: NewTime(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)),
				},
				Spec: PodSpec{Containers: []Container{{Name: "c", Image: "busybox"}}},
				Status: PodStatus{
					Phase:  PodRunning,
					PodIP:  netip.MustParseAddr("10.244.1.5"),
					PodIPs: []PodIP{{netip.MustParseAddr("10.244.1.5")}, {netip.MustParseAddr("fd00::5")}},
				},
			},
		},
	},
	{
		name: "JSON documents",
		in:   jsonManifest,
		want: []Object{
			&Service{
				TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Service"},
				ObjectMeta: ObjectMeta{Name: "kube-dns", Namespace: "kube-system"},
				Spec: ServiceSpec{
					ClusterIP: "10.96.0.10",
					Selector:  map[string]string{"k8s-app": "kube-dns"},
					Ports:     []ServicePort{{Name: "dns", Port: 53, Protocol: ProtocolUDP, TargetPort: FromInt(53)}},
				},
			},
			&Namespace{
				TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Namespace"},
				ObjectMeta: ObjectMeta{Name: "kube-system"},
			},
		},
	},
	{
		name: "dual-stack service",
		in:   dualStackManifest,
		want: []Object{&Service{
			TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: ObjectMeta{Name: "dual"},
			Spec: ServiceSpec{
				Type:                  ServiceTypeClusterIP,
				IPFamilyPolicy:        ptrTo(PreferDualStack),
				IPFamilies:            []IPFamily{IPv6, IPv4},
				ClusterIP:             "fd00:10:96::a",
				ClusterIPs:            []string{"fd00:10:96::a", "10.96.0.10"},
				Selector:              map[string]string{"app": "dual"},
				InternalTrafficPolicy: ptrTo(TrafficPolicyLocal),
				Ports:                 []ServicePort{{Name: "http", Port: 80, TargetPort: FromString("http"), AppProtocol: ptrTo("http")}},
			},
		}},
	},
	{
		name: "EndpointSlice with conditions and hints",
		in:   endpointSliceManifest,
		want: []Object{&EndpointSlice{
			TypeMeta:    TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
			ObjectMeta:  ObjectMeta{Name: "web-abc12", Labels: map[string]string{LabelServiceName: "web"}},
			AddressType: AddressTypeIPv4,
			Endpoints: []Endpoint{{
				Addresses:  []netip.Addr{netip.MustParseAddr("10.244.1.5")},
				Conditions: EndpointConditions{Ready: ptrTo(true), Serving: ptrTo(true), Terminating: ptrTo(false)},
				NodeName:   ptrTo("node-a"),
				Zone:       ptrTo("zone-a"),
				Hints:      &EndpointHints{ForZones: []ForZone{{"zone-a"}}, ForNodes: []ForNode{{"node-a"}}},
				TargetRef:  &ObjectReference{Kind: "Pod", Namespace: "default", Name: "web-1", UID: "1234"},
			}},
			Ports: []EndpointSlicePort{{Name: ptrTo("http"), Port: ptrTo(int32(8080)), Protocol: ptrTo(ProtocolTCP)}},
		}},
	},
	{
		name: "ServiceCIDR",
		in:   serviceCIDRManifest,
		want: []Object{&ServiceCIDR{
			TypeMeta:   TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "ServiceCIDR"},
			ObjectMeta: ObjectMeta{Name: "extra"},
			Spec:       ServiceCIDRSpec{CIDRs: []string{"10.100.0.0/16", "fd00:100::/64"}},
		}},
	},
	{
		name: "Node and ReplicaSet",
		in:   nodeAndReplicaSetManifest,
		want: []Object{
			&Node{
				TypeMeta:   TypeMeta{APIVersion: "v1", Kind: "Node"},
				ObjectMeta: ObjectMeta{Name: "node-a"},
				Spec:       NodeSpec{PodCIDR: "10.244.1.0/24", Taints: json.RawMessage(`[{"effect":"NoSchedule","key":"k"}]`)},
				Status: NodeStatus{
					Addresses:  []NodeAddress{{Type: NodeInternalIP, Address: "172.18.0.2"}},
					Conditions: []NodeCondition{{Type: "Ready", Status: ConditionTrue}},
				},
			},
			&ReplicaSet{
				TypeMeta: TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
				ObjectMeta: ObjectMeta{
					Name: "web-5d8f",
					OwnerReferences: []OwnerReference{{
						APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: "u1", Controller: ptrTo(true),
					}},
				},
				Spec: ReplicaSetSpec{
					Selector: &LabelSelector{MatchLabels: map[string]string{"app": "web"}},
					Template: PodTemplateSpec{Spec: PodSpec{Containers: []Container{{Name: "web"}}}},
				},
			},
		},
	},
	{
		name: "separators with comments, empty documents and a document end marker",
		in: "# header comment\n---\n---   # nothing here\n\n--- \napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n" +
			"...\n# trailing comment\n---\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata: {name: b}\r\n---\n",
		want: []Object{
			&Namespace{TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: ObjectMeta{Name: "a"}},
			&Namespace{TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: ObjectMeta{Name: "b"}},
		},
	},
	{
		name: "null fields and an empty List",
		in:   "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  labels: null\nspec: ~\n---\napiVersion: v1\nkind: List\nitems: []\n",
		want: []Object{&Service{TypeMeta: TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: ObjectMeta{Name: "s"}}},
	},
	{name: "empty input", in: "", want: nil},
	{name: "only comments", in: "# nothing\n---\n# still nothing\n", want: nil},
}

func TestDecode(t *testing.T) {
	for _, tc := range goodManifests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				gj, _ := json.MarshalIndent(got, "", "  ")
				wj, _ := json.MarshalIndent(tc.want, "", "  ")
				t.Fatalf("Decode mismatch\n got %s\nwant %s\n got %#v\nwant %#v", gj, wj, got, tc.want)
			}
		})
	}
}

// nestedManifest returns a Service whose metadata.managedFields nests n lists.
func nestedManifest(n int) string {
	return "apiVersion: v1\nkind: Service\nmetadata:\n  managedFields: " +
		strings.Repeat("[", n) + strings.Repeat("]", n) + "\n"
}

// badManifests are inputs Decode must reject. want is the whole message, or a
// prefix of it when it ends in "..."; doc, line, kind and obj are the Doc,
// Line, Kind and Name of the *DecodeError, all zero when the error is not one.
var badManifests = []struct {
	name      string
	in        string
	want      string
	doc, line int
	kind, obj string
}{
	{
		name: "unknown field in spec",
		in:   "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  portz: [{port: 80}]\n",
		want: `document 1 (line 1, Service "web"): Service in version "v1" cannot be handled as a Service: ` +
			`strict decoding error: unknown field "spec.portz"`,
		doc: 1, line: 1, kind: "Service", obj: "web",
	},
	{
		name: "unknown field at the root, after a good document",
		in:   headlessManifest + "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: x}\nspecs: {}\n",
		want: `document 3 (line 19, Namespace "x"): Namespace in version "v1" cannot be handled as a Namespace: ` +
			`strict decoding error: unknown field "specs"`,
		doc: 3, line: 19, kind: "Namespace", obj: "x",
	},
	{
		name: "unknown fields deep in a pod template, all reported",
		in: strings.Replace(strings.Replace(deploymentManifest, "containerPort: 8080", "containerPort: 8080, hostPortz: 1", 1),
			"image: nginx:1.27", "image: nginx:1.27\n        portz: []", 1),
		want: `document 1 (line 1, Deployment "web"): Deployment in version "v1" cannot be handled as a Deployment: ` +
			`strict decoding error: unknown field "spec.template.spec.containers[0].portz", ` +
			`unknown field "spec.template.spec.containers[0].ports[0].hostPortz"`,
		doc: 1, line: 1, kind: "Deployment", obj: "web",
	},
	{
		name: "field names are case-sensitive",
		in:   "apiVersion: v1\nkind: Pod\nmetadata: {name: p, Labels: {a: b}}\nSpec: {}\n",
		want: `document 1 (line 1, Pod "p"): Pod in version "v1" cannot be handled as a Pod: ` +
			`strict decoding error: unknown field "Spec", unknown field "metadata.Labels"`,
		doc: 1, line: 1, kind: "Pod", obj: "p",
	},
	{
		name: "unknown field in an endpoint address",
		in:   strings.Replace(headlessManifest, "- ip: 192.168.123.234", "- ip: 192.168.123.234\n        ipp: x", 1),
		want: `document 2 (line 9, Endpoints "numbers-api"): Endpoints in version "v1" cannot be handled as a Endpoints: ` +
			`strict decoding error: unknown field "subsets[0].addresses[0].ipp"`,
		doc: 2, line: 9, kind: "Endpoints", obj: "numbers-api",
	},
	{
		name: "unknown field in a List item",
		in:   strings.Replace(listManifest, "phase: Running", "phase: Running\n    podIPz: []", 1),
		want: `document 1 (line 1, Pod "p"): items[1]: Pod in version "v1" cannot be handled as a Pod: ` +
			`strict decoding error: unknown field "status.podIPz"`,
		doc: 1, line: 1, kind: "Pod", obj: "p",
	},
	{
		name: "unknown field in a List",
		in:   "apiVersion: v1\nkind: List\nitem: []\n",
		want: `document 1 (line 1, List): List in version "v1" cannot be handled as a List: strict decoding error: unknown field "item"`,
		doc:  1, line: 1, kind: "List",
	},
	{
		name: "kind kubesim does not store",
		in:   "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n",
		want: `document 1 (line 1, Ingress "i"): no matches for kind "Ingress" in version "networking.k8s.io/v1"`,
		doc:  1, line: 1, kind: "Ingress", obj: "i",
	},
	{
		name: "Deployment in the core group",
		in:   "apiVersion: v1\nkind: Deployment\nmetadata: {name: d}\n",
		want: `document 1 (line 1, Deployment "d"): no matches for kind "Deployment" in version "v1"`,
		doc:  1, line: 1, kind: "Deployment", obj: "d",
	},
	{
		name: "Deployment in a removed version",
		in:   "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: d}\n",
		want: `document 1 (line 1, Deployment "d"): no matches for kind "Deployment" in version "extensions/v1beta1"`,
		doc:  1, line: 1, kind: "Deployment", obj: "d",
	},
	{
		name: "Service in the apps group",
		in:   "apiVersion: apps/v1\nkind: Service\nmetadata: {name: s}\n",
		want: `document 1 (line 1, Service "s"): no matches for kind "Service" in version "apps/v1"`,
		doc:  1, line: 1, kind: "Service", obj: "s",
	},
	{
		name: "List in another version",
		in:   "apiVersion: v2\nkind: List\nitems: []\n",
		want: `document 1 (line 1, List): no matches for kind "List" in version "v2"`,
		doc:  1, line: 1, kind: "List",
	},
	{
		name: "kind is missing",
		in:   "apiVersion: v1\nmetadata:\n  name: a-rather-long-name-so-that-the-message-is-cut\n",
		want: `document 1 (line 1): Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"a-rather-long-name-so...'`,
		doc:  1, line: 1, obj: "a-rather-long-name-so-that-the-message-is-cut",
	},
	{
		name: "apiVersion is missing",
		in:   "kind: Service\nmetadata: {name: s}\n",
		want: `document 1 (line 1, Service "s"): Object 'apiVersion' is missing in '{"kind":"Service","metadata":{"name":"s"}}'`,
		doc:  1, line: 1, kind: "Service", obj: "s",
	},
	{
		name: "kind is not a string",
		in:   "apiVersion: v1\nkind: 5\n",
		want: `document 1 (line 1): json: cannot unmarshal number 5 into Go struct field kind of type string`,
		doc:  1, line: 1,
	},
	{
		name: "List item is not an object",
		in:   "apiVersion: v1\nkind: List\nitems: [hello]\n",
		want: `document 1 (line 1, List): items[0]: item is string "hello", not an object with apiVersion and kind`,
		doc:  1, line: 1, kind: "List",
	},
	{
		name: "document is a scalar",
		in:   "hello\n",
		want: `document 1 (line 1): document is string "hello", not an object with apiVersion and kind`,
		doc:  1, line: 1,
	},
	{
		name: "document is a list",
		in:   "- a\n- b\n",
		want: `document 1 (line 1): document is array, not an object with apiVersion and kind`,
		doc:  1, line: 1,
	},
	{
		name: "YAML syntax error keeps the library's line",
		in:   headlessManifest + "---\napiVersion: v1\nkind: Service\n  metadata: {}\n",
		want: `document 3 (line 19): error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context`,
		doc:  3, line: 19,
	},
	{
		name: "duplicate key",
		in:   "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
		want: "document 1 (line 1): error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map",
		doc:  1, line: 1,
	},
	{
		name: "keys that collide once read as strings",
		in:   "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels: {1: a, \"1\": b}\n",
		want: `document 1 (line 1): error converting YAML to JSON: mapping has two keys that read as "1"`,
		doc:  1, line: 1,
	},
	{
		name: "null key",
		in:   "apiVersion: v1\nkind: Namespace\n~: x\n",
		want: `document 1 (line 1): error converting YAML to JSON: a mapping key is null`,
		doc:  1, line: 1,
	},
	{
		name: "not a number",
		in:   "apiVersion: apps/v1\nkind: Deployment\nspec: {replicas: .nan}\n",
		want: `document 1 (line 1): error converting YAML to JSON: json: unsupported value: NaN`,
		doc:  1, line: 1,
	},
	{
		name: "string where a number goes",
		in:   strings.Replace(headlessManifest, "- port: 80", "- port: \"80\"", 1),
		want: `document 1 (line 1, Service "numbers-api"): Service in version "v1" cannot be handled as a Service: ` +
			`json: cannot unmarshal string "80" into Go struct field spec.ports[0].port of type int32`,
		doc: 1, line: 1, kind: "Service", obj: "numbers-api",
	},
	{
		name: "number where a string goes",
		in:   "apiVersion: v1\nkind: Namespace\nmetadata: {name: 123}\n",
		want: `document 1 (line 1, Namespace): Namespace in version "v1" cannot be handled as a Namespace: ` +
			`json: cannot unmarshal number 123 into Go struct field metadata.name of type string`,
		doc: 1, line: 1, kind: "Namespace",
	},
	{
		name: "long value is cut in the message",
		in:   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: " + strings.Repeat("é", 40) + "}]}\n",
		want: `document 1 (line 1, Service "s"): Service in version "v1" cannot be handled as a Service: ` +
			`json: cannot unmarshal string "` + strings.Repeat("é", 32) + `"... into Go struct field spec.ports[0].port of type int32`,
		doc: 1, line: 1, kind: "Service", obj: "s",
	},
	{
		name: "number out of range",
		in:   strings.Replace(headlessManifest, "- port: 80", "- port: 99999999999", 1),
		want: `document 1 (line 1, Service "numbers-api"): Service in version "v1" cannot be handled as a Service: ` +
			`json: cannot unmarshal number 99999999999 into Go struct field spec.ports[0].port of type int32`,
		doc: 1, line: 1, kind: "Service", obj: "numbers-api",
	},
	{
		name: "bad IP address",
		in:   strings.Replace(headlessManifest, "192.168.123.234", "192.168.123.300", 1),
		want: `document 2 (line 9, Endpoints "numbers-api"): Endpoints in version "v1" cannot be handled as a Endpoints: ` +
			`json: cannot unmarshal string "192.168.123.300" into Go struct field subsets[0].addresses[0].ip of type netip.Addr: ` +
			`ParseAddr("192.168.123.300"): IPv4 field has value >255`,
		doc: 2, line: 9, kind: "Endpoints", obj: "numbers-api",
	},
	{
		name: "YAML boolean as a label value",
		in:   "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n  labels: {enabled: yes}\n",
		want: `document 1 (line 1, Namespace "ns"): Namespace in version "v1" cannot be handled as a Namespace: ` +
			`json: cannot unmarshal bool true into Go struct field metadata.labels[enabled] of type string`,
		doc: 1, line: 1, kind: "Namespace", obj: "ns",
	},
	{
		name: "bool as targetPort",
		in:   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, targetPort: true}]\n",
		want: `document 1 (line 1, Service "s"): Service in version "v1" cannot be handled as a Service: ` +
			`json: cannot unmarshal bool true into Go struct field spec.ports[0].targetPort of type api.IntOrString: ` +
			`json: cannot unmarshal bool into Go value of type int32`,
		doc: 1, line: 1, kind: "Service", obj: "s",
	},
	{
		name: "object where a list goes",
		in:   "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: {port: 80}\n",
		want: `document 1 (line 1, Service "s"): Service in version "v1" cannot be handled as a Service: ` +
			`json: cannot unmarshal object into Go struct field spec.ports of type []api.ServicePort`,
		doc: 1, line: 1, kind: "Service", obj: "s",
	},
	{
		name: "bad timestamp",
		in:   "apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: yesterday}\n",
		want: `document 1 (line 1, Pod "p"): Pod in version "v1" cannot be handled as a Pod: ` +
			`json: cannot unmarshal string "yesterday" into Go struct field metadata.creationTimestamp of type api.Time: ...`,
		doc: 1, line: 1, kind: "Pod", obj: "p",
	},
	{
		name: "separator followed by content",
		in:   headlessManifest + "--- apiVersion: v1\n",
		want: `line 18: invalid YAML document separator: apiVersion: v1`,
	},
	{
		name: "content after a document end marker",
		in:   "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n...\nkind: Pod\n",
		want: `line 5: content after the document end marker "..." must follow a --- line`,
	},
	{
		name: "too large",
		in:   "# " + strings.Repeat("x", maxManifestBytes-2) + "\n",
		want: `manifest is 10485761 bytes; the limit is 10485760 bytes (10 MiB)`,
	},
	{
		name: "too deep",
		in:   nestedManifest(100),
		want: `document 1 (line 1): document nests objects and lists deeper than 100 levels`,
		doc:  1, line: 1,
	},
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range badManifests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Decode([]byte(tc.in))
			if err == nil {
				t.Fatalf("Decode succeeded with %d objects, want error %q", len(got), tc.want)
			}
			if got != nil {
				t.Errorf("Decode returned %d objects with its error, want none", len(got))
			}
			if prefix, ok := strings.CutSuffix(tc.want, "..."); ok {
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Errorf("error\n got %s\nwant prefix %s", err, prefix)
				}
			} else if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				if tc.doc != 0 {
					t.Errorf("error is %T, want *DecodeError", err)
				}
				return
			}
			if de.Doc != tc.doc || de.Line != tc.line || de.Kind != tc.kind || de.Name != tc.obj {
				t.Errorf("DecodeError{Doc: %d, Line: %d, Kind: %q, Name: %q}, want {%d, %d, %q, %q}",
					de.Doc, de.Line, de.Kind, de.Name, tc.doc, tc.line, tc.kind, tc.obj)
			}
		})
	}
}

// TestDecodeDepthLimit pins the limit itself: 100 levels (the document object
// and metadata are two of them) decode.
func TestDecodeDepthLimit(t *testing.T) {
	if _, err := Decode([]byte(nestedManifest(maxManifestDepth - 2))); err != nil {
		t.Fatalf("Decode at the depth limit: %v", err)
	}
	if _, err := Decode([]byte(nestedManifest(maxManifestDepth - 1))); err == nil {
		t.Fatal("Decode one level past the depth limit succeeded")
	}
}
