package proxy_test

import (
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
	"github.com/kubesim/kubesim/sim"
)

func ptr[T any](v T) *T { return &v }

// exampleCluster builds one node and a "web" ClusterIP service with two
// endpoints.
func exampleCluster(mode proxy.Mode) (*sim.Loop, *proxy.Proxy) {
	loop := sim.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 42)
	p, err := proxy.New(loop, proxy.Config{
		Mode:         mode,
		ClusterCIDRs: []netip.Prefix{netip.MustParsePrefix("10.244.0.0/16")},
	})
	if err != nil {
		panic(err)
	}
	svc := &api.Service{}
	svc.Namespace, svc.Name = "default", "web"
	svc.Spec.ClusterIP = "10.96.0.20"
	svc.Spec.Ports = []api.ServicePort{{Name: "http", Protocol: api.ProtocolTCP, Port: 80}}
	p.UpsertService(svc)

	es := &api.EndpointSlice{AddressType: api.AddressTypeIPv4}
	es.Namespace, es.Name = "default", "web-abcde"
	es.Labels = map[string]string{api.LabelServiceName: "web"}
	es.Ports = []api.EndpointSlicePort{{Name: ptr("http"), Protocol: ptr(api.ProtocolTCP), Port: ptr(int32(8080))}}
	for _, ip := range []string{"10.244.1.5", "10.244.2.7"} {
		es.Endpoints = append(es.Endpoints, api.Endpoint{Addresses: []netip.Addr{netip.MustParseAddr(ip)}, NodeName: ptr("worker-2")})
	}
	p.UpsertEndpointSlice(es)

	node := &api.Node{}
	node.Name = "worker-1"
	node.Status.Addresses = []api.NodeAddress{{Type: api.NodeInternalIP, Address: "172.18.0.2"}}
	p.UpsertNode(node)
	loop.RunFor(2 * time.Second) // let worker-1's kube-proxy start and sync
	return loop, p
}

func ExampleNode_Route() {
	loop, p := exampleCluster(proxy.ModeIPTables)
	n := p.Node("worker-1")

	pkt, _ := proxy.ParsePacket("10.244.0.9:40000 -> 10.96.0.20:80/tcp")
	r := n.Route(loop.Now(), pkt)
	fmt.Println(r.Verdict, r.Service(), r.Endpoints.Strings(), "masquerade:", r.Masquerade)

	// The same flow keeps its endpoint.
	again := n.Route(loop.Now(), pkt)
	fmt.Println("established:", again.Established, "same endpoint:", again.Chosen == r.Chosen)

	// From the node itself the packet is masqueraded.
	pkt, _ = proxy.ParsePacket("172.18.0.2 -> 10.96.0.20:80")
	fmt.Println("from the node, masquerade:", n.Route(loop.Now(), pkt).Masquerade)

	// A wrong port on the cluster IP is left alone by iptables mode.
	pkt, _ = proxy.ParsePacket("10.244.0.9 -> 10.96.0.20:81")
	fmt.Println("port 81:", n.Route(loop.Now(), pkt).Verdict)
	// Output:
	// forward default/web:http [10.244.1.5:8080 10.244.2.7:8080] masquerade: false
	// established: true same endpoint: true
	// from the node, masquerade: true
	// port 81: none
}

func ExampleNode_Explain() {
	loop, p := exampleCluster(proxy.ModeNFTables)
	pkt, _ := proxy.ParsePacket("10.244.0.9:40000 -> 10.96.0.20:80")
	pkt.Flow = proxy.FlowProbe
	d := p.Node("worker-1").Explain(loop.Now(), pkt)
	fmt.Println(d.Verdict, d.Chosen, d.Cost)
	for _, r := range d.Rules[:3] {
		fmt.Println(r)
	}
	// Output:
	// forward 10.244.1.5:8080 14
	// filter-prerouting-pre-dnat: ct state new jump firewall-check
	// nat-prerouting: jump services
	// services: ip daddr . meta l4proto . th dport vmap @service-ips => 10.96.0.20 . tcp . 80 : goto service-SUSTUHLJ-default/web/tcp/http
}

func ExampleDecision_WriteJSON() {
	loop, p := exampleCluster(proxy.ModeIPVS)
	pkt, _ := proxy.ParsePacket("10.244.0.9 -> 10.96.0.20:80")
	d := p.Node("worker-1").Explain(loop.Now(), pkt)
	d.WriteJSON(os.Stdout)
	// Output:
	// {
	//   "verdict": "forward",
	//   "endpoints": [
	//     "10.244.1.5:8080",
	//     "10.244.2.7:8080"
	//   ],
	//   "chosen": "10.244.1.5:8080",
	//   "masquerade": false,
	//   "rules": [
	//     "IPVS TCP 10.96.0.20:80 rr -> 10.244.1.5:8080 Masq"
	//   ],
	//   "cost": 6,
	//   "mode": "ipvs",
	//   "node": "worker-1",
	//   "packet": "10.244.0.9 -> 10.96.0.20:80/tcp",
	//   "service": "default/web:http",
	//   "target": "clusterIP"
	// }
}

// A deleted pod is still chosen by a node whose kube-proxy has not synced.
func ExampleProxy_UpsertEndpointSlice() {
	loop, p := exampleCluster(proxy.ModeIPTables)
	p.SetSyncLatency("worker-1", 3*time.Second)
	n := p.Node("worker-1")

	es := &api.EndpointSlice{AddressType: api.AddressTypeIPv4}
	es.Namespace, es.Name = "default", "web-abcde"
	es.Labels = map[string]string{api.LabelServiceName: "web"}
	es.Ports = []api.EndpointSlicePort{{Name: ptr("http"), Protocol: ptr(api.ProtocolTCP), Port: ptr(int32(8080))}}
	es.Endpoints = []api.Endpoint{{Addresses: []netip.Addr{netip.MustParseAddr("10.244.1.5")}}}
	p.UpsertEndpointSlice(es) // pod 10.244.2.7 is gone

	pkt, _ := proxy.ParsePacket("10.244.0.9 -> 10.96.0.20:80")
	pkt.Flow = proxy.FlowProbe
	for range 3 {
		fmt.Println(loop.Since(), n.Route(loop.Now(), pkt).Endpoints.Strings())
		loop.RunFor(2 * time.Second)
	}
	fmt.Print(loop.Trace())
	// Output:
	// 2s [10.244.1.5:8080 10.244.2.7:8080]
	// 4s [10.244.1.5:8080 10.244.2.7:8080]
	// 6s [10.244.1.5:8080]
	// +0.100s proxy node/worker-1: synced rules v0 -> v2
	// +5.000s proxy node/worker-1: synced rules v2 -> v3
}

func ExampleNode_Rules() {
	_, p := exampleCluster(proxy.ModeIPVS)
	fmt.Print(p.Node("worker-1").Rules())
	// Output:
	// IP Virtual Server version 1.2.1 (size=4096)
	// Prot LocalAddress:Port Scheduler Flags
	//   -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
	// TCP  10.96.0.20:80 rr
	//   -> 10.244.1.5:8080              Masq    1      0          0
	//   -> 10.244.2.7:8080              Masq    1      0          0
}

func ExampleParseCIDRList() {
	cidrs, err := proxy.ParseCIDRList("192.168.0.0/16, 2001:db8::/64")
	fmt.Println(cidrs, err)
	_, err = proxy.ParseCIDRList("192.168.0.0/16,primary")
	fmt.Println(err)
	// Output:
	// [192.168.0.0/16 2001:db8::/64] <nil>
	// proxy: ParseCIDRList("192.168.0.0/16,primary"): invalid CIDR address: "primary"
}
