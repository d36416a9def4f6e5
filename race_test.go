package kubesim_test

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/dns/wire"
	"github.com/kubesim/kubesim/proxy"
)

// TestRaceEverything drives one cluster from many goroutines at once:
// applying and deleting workloads, scaling, stepping time, resolving from
// pods, routing and explaining, asking the DNS server in memory and over
// UDP, checking invariants, snapshotting, injecting and healing faults. Run
// it with -race: no data race, no deadlock (a watchdog dumps the goroutines
// if the work does not finish), and once everything stops and the cluster
// settles, every invariant holds.
func TestRaceEverything(t *testing.T) {
	c, err := kubesim.New(kubesim.Config{Seed: 99, Nodes: kubesim.GenerateNodes(3, 2)})
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, c, lab(t, "sleep/sleep1.yaml"), lab(t, "numbers/api.yaml"), lab(t, "numbers/api-service.yaml"),
		lab(t, "numbers/web.yaml"), lab(t, "numbers/web-service.yaml"))
	settle(t, c)
	srv, err := wire.Start(c.DNS(), "127.0.0.1:0")
	if err != nil {
		t.Skipf("cannot listen: %v", err)
	}
	defer srv.Close()
	sleep := podOf(t, c, "default", "sleep-1").Name
	apiSvc, _ := kubesim.Get[*api.Service](c, "default", "numbers-api")
	apiIP := netip.MustParseAddr(apiSvc.Spec.ClusterIP)

	rounds := 100
	if testing.Short() {
		rounds = 10
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	worker := func(name string, fn func(i int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if err := fn(i); err != nil {
					report(fmt.Errorf("%s round %d: %w", name, i, err))
					return
				}
			}
		}()
	}
	for g := range 3 {
		worker(fmt.Sprintf("apply-%d", g), func(i int) error {
			name := fmt.Sprintf("w%d", g)
			m := fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec: {containers: [{name: app, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: %[1]s}
spec:
  type: NodePort
  selector: {app: %[1]s}
  ports: [{name: http, port: 80, targetPort: http}]
`, name, 1+i%3)
			if i%4 == 3 {
				_ = c.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: name})
				_ = c.Delete(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: name})
				return nil
			}
			_, err := c.Apply([]byte(m))
			return err
		})
	}
	worker("scale", func(i int) error {
		d, err := kubesim.Get[*api.Deployment](c, "default", "numbers-api")
		if err != nil {
			return err
		}
		n := int32(1 + i%3)
		d.Spec.Replicas = &n
		d.ResourceVersion = ""
		_, err = c.Update(d)
		return err
	})
	worker("time", func(i int) error {
		c.Advance(time.Duration(50+i*37%400) * time.Millisecond)
		if i%10 == 0 {
			c.Step()
		}
		return nil
	})
	worker("resolve", func(i int) error {
		names := []string{"numbers-api", "numbers-web.default.svc.cluster.local", "kubernetes.default", "raw.githubusercontent.com", "nope"}
		_, err := c.Resolve("default", sleep, names[i%len(names)])
		if err != nil && !api.IsNotFound(err) {
			return err
		}
		_, _ = c.Nslookup("default", sleep, names[(i+1)%len(names)])
		return nil
	})
	worker("route", func(i int) error {
		node := fmt.Sprintf("node-%05d", 1+i%3)
		pkt := proxy.Packet{Src: netip.AddrPortFrom(netip.MustParseAddr("10.1.0.250"), uint16(1000+i)), Dst: netip.AddrPortFrom(apiIP, 80)}
		if _, err := c.Route(node, pkt); err != nil {
			return err
		}
		if _, err := c.Explain(node, pkt); err != nil {
			return err
		}
		_, err := c.Rules(node)
		return err
	})
	worker("dns-memory", func(i int) error {
		c.DNS().Query("numbers-api.default.svc.cluster.local.", dns.TypeA)
		c.DNS().Query("_dns._udp.kube-dns.kube-system.svc.cluster.local.", dns.TypeSRV)
		return nil
	})
	worker("dns-wire", func(i int) error {
		m := new(mdns.Msg)
		m.SetQuestion([]string{"numbers-api.default.svc.cluster.local.", "w0.default.svc.cluster.local.", "kube-dns.kube-system.svc.cluster.local."}[i%3], mdns.TypeA)
		cl := &mdns.Client{Timeout: 2 * time.Second}
		if _, _, err := cl.Exchange(m, srv.Addr()); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return nil // a loaded CI machine may drop a datagram
			}
			return err
		}
		return nil
	})
	worker("check", func(i int) error {
		_ = c.Check()
		if i%5 == 0 {
			_ = c.Snapshot()
			_ = c.TraceHash()
		}
		return nil
	})
	worker("faults", func(i int) error {
		var f kubesim.Fault
		switch i % 4 {
		case 0:
			f = kubesim.ProxyStall{Node: "node-00002"}
		case 1:
			f = kubesim.WatchFault{Component: kubesim.ComponentDNS, Delay: time.Second, Drop: 0.3}
		case 2:
			f = kubesim.UpstreamFail{Name: "raw.githubusercontent.com"}
		default:
			f = kubesim.WatchFault{Component: kubesim.ComponentEndpoints, Drop: 0.5}
		}
		id, err := c.Inject(f, 0, 2*time.Second)
		if err != nil {
			return err
		}
		if i%3 == 0 {
			return c.Heal(id)
		}
		_ = c.Faults()
		return nil
	})
	worker("read", func(i int) error {
		_ = kubesim.ListOf[*api.Pod](c, "", api.Everything())
		_ = c.Pending()
		_ = c.Now()
		return nil
	})

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Minute):
		_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		t.Fatal("deadlock: the workers did not finish within 3 minutes")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	c.HealAll()
	vs, err := c.CheckSettled()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) > 0 {
		t.Fatalf("after the concurrent work:\n%s", vs)
	}
}
