package kubesim

import (
	"encoding/json"
	"net/netip"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/namespace"
)

// bootstrapObjects returns what a fresh cluster holds before anyone applies a
// manifest: its namespaces and nodes, `default/kubernetes`, kube-dns with its
// coredns deployment, and the platform's extras.
func bootstrapObjects(c Config, p profile) []api.Object {
	var objs []api.Object
	for _, ns := range namespace.Initial {
		objs = append(objs, &api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns,
			Labels: map[string]string{"kubernetes.io/metadata.name": ns}}})
	}
	for i, n := range c.Nodes {
		node := nodeObject(n, i == 0)
		node.Status.NodeInfo = json.RawMessage(p.nodeInfo)
		objs = append(objs, node)
	}
	objs = append(objs, controller.KubernetesService(nthAddr(c.ServiceCIDRs[0], 1)))
	objs = append(objs, kubeDNS(c)...)
	if p.extras {
		objs = append(objs, k3sExtras()...)
	}
	return objs
}

func nodeObject(n Node, controlPlane bool) *api.Node {
	labels := map[string]string{
		"kubernetes.io/hostname": n.Name,
		"kubernetes.io/os":       "linux",
		"kubernetes.io/arch":     "amd64",
	}
	if controlPlane {
		labels["node-role.kubernetes.io/control-plane"] = ""
	}
	if n.Zone != "" {
		labels[controller.LabelZone] = n.Zone
	}
	for k, v := range n.Labels {
		labels[k] = v
	}
	node := &api.Node{
		ObjectMeta: api.ObjectMeta{Name: n.Name, Labels: labels},
		Status: api.NodeStatus{
			Conditions: []api.NodeCondition{{Type: "Ready", Status: api.ConditionTrue, Reason: "KubeletReady",
				Message: "kubelet is posting ready status"}},
		},
	}
	if n.IP.IsValid() {
		node.Status.Addresses = append(node.Status.Addresses, api.NodeAddress{Type: api.NodeInternalIP, Address: n.IP.String()})
	}
	node.Status.Addresses = append(node.Status.Addresses, api.NodeAddress{Type: api.NodeHostName, Address: n.Name})
	return node
}

func int32p(v int32) *int32 { return &v }

func kubeDNS(c Config) []api.Object {
	labels := map[string]string{"k8s-app": "kube-dns"}
	svc := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: "kube-dns", Namespace: "kube-system", Labels: map[string]string{
			"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS",
		}, Annotations: map[string]string{"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
		Spec: api.ServiceSpec{
			Selector:  labels,
			ClusterIP: c.DNSServiceIP.String(),
			Ports: []api.ServicePort{
				{Name: "dns", Port: 53, Protocol: api.ProtocolUDP, TargetPort: api.FromInt(53)},
				{Name: "dns-tcp", Port: 53, Protocol: api.ProtocolTCP, TargetPort: api.FromInt(53)},
				{Name: "metrics", Port: 9153, Protocol: api.ProtocolTCP, TargetPort: api.FromInt(9153)},
			},
		},
	}
	dep := deployment("coredns", "kube-system", labels, c.CoreDNSReplicas, api.Container{
		Name: "coredns", Image: "registry.k8s.io/coredns/coredns:v1.10.1",
		Args: []string{"-conf", "/etc/coredns/Corefile"},
		Ports: []api.ContainerPort{
			{Name: "dns", ContainerPort: 53, Protocol: api.ProtocolUDP},
			{Name: "dns-tcp", ContainerPort: 53, Protocol: api.ProtocolTCP},
			{Name: "metrics", ContainerPort: 9153, Protocol: api.ProtocolTCP},
		},
	})
	dep.Spec.Template.Spec.DNSPolicy = api.DNSDefault
	dep.Spec.Template.Spec.PriorityClassName = "system-cluster-critical"
	return []api.Object{svc, dep}
}

func deployment(name, ns string, labels map[string]string, replicas int32, c api.Container) *api.Deployment {
	return &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec: api.DeploymentSpec{
			Replicas: int32p(replicas),
			Selector: &api.LabelSelector{MatchLabels: labels},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: labels},
				Spec:       api.PodSpec{Containers: []api.Container{c}},
			},
		},
	}
}

// k3sExtras are the add-ons k3s installs in kube-system that show in
// `kubectl get svc -n kube-system`: traefik (a LoadBalancer) and metrics-server.
func k3sExtras() []api.Object {
	tl := map[string]string{"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-kube-system"}
	traefik := deployment("traefik", "kube-system", tl, 1, api.Container{
		Name: "traefik", Image: "rancher/mirrored-library-traefik:2.10.5",
		Ports: []api.ContainerPort{{Name: "web", ContainerPort: 8000}, {Name: "websecure", ContainerPort: 8443}},
	})
	traefikSvc := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: "traefik", Namespace: "kube-system", Labels: tl},
		Spec: api.ServiceSpec{
			Type:     api.ServiceTypeLoadBalancer,
			Selector: tl,
			Ports: []api.ServicePort{
				{Name: "web", Port: 80, Protocol: api.ProtocolTCP, TargetPort: api.FromString("web")},
				{Name: "websecure", Port: 443, Protocol: api.ProtocolTCP, TargetPort: api.FromString("websecure")},
			},
		},
	}
	ml := map[string]string{"k8s-app": "metrics-server"}
	metrics := deployment("metrics-server", "kube-system", ml, 1, api.Container{
		Name: "metrics-server", Image: "rancher/mirrored-metrics-server:v0.6.3",
		Ports: []api.ContainerPort{{Name: "https", ContainerPort: 10250}},
	})
	metricsSvc := &api.Service{
		ObjectMeta: api.ObjectMeta{Name: "metrics-server", Namespace: "kube-system", Labels: map[string]string{
			"kubernetes.io/cluster-service": "true", "kubernetes.io/name": "Metrics-server"}},
		Spec: api.ServiceSpec{
			Selector: ml,
			Ports:    []api.ServicePort{{Name: "https", Port: 443, Protocol: api.ProtocolTCP, TargetPort: api.FromString("https")}},
		},
	}
	return []api.Object{traefik, traefikSvc, metrics, metricsSvc}
}

// kubernetesIP is the first address of the primary service range.
func kubernetesIP(c Config) netip.Addr { return nthAddr(c.ServiceCIDRs[0], 1) }
