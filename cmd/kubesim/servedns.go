package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/dns/wire"
)

func init() {
	register(command{
		name:    "serve-dns",
		summary: "serve the cluster's DNS over UDP and TCP to real clients",
		run:     runServeDNS,
	})
}

const serveDNSDescription = `Build the cluster from the manifests, settle it, and serve its DNS over UDP
and TCP on --listen, so that dig, nslookup or any resolver can query it. The
DNS is CoreDNS's kubernetes plugin as kubeadm configures it, forwarding
other names to the --upstream-zone world (by default, the lab's
raw.githubusercontent.com):

	kubesim serve-dns --listen 127.0.0.1:5353 -f examples/ch03/numbers &
	dig @127.0.0.1 -p 5353 numbers-api.default.svc.cluster.local

The first line on stdout is "listening on HOST:PORT" (the port actually
bound, so --listen 127.0.0.1:0 picks a free one). The server runs until
SIGINT or SIGTERM; the end of stdin does not stop it. The cluster's clock
stands still while it serves: answers reflect the settled cluster.

Exit status: 0 after a signal, 1 on any error (bad flags, manifests that do
not apply, an address that cannot be bound).`

// shutdownGrace bounds how long in-flight queries may take once a signal
// has arrived.
const shutdownGrace = 2 * time.Second

// dnsFlags are the kubernetes plugin's options the command exposes.
type dnsFlags struct {
	pods               string
	ttl                int
	endpointPodNames   bool
	ignoreEmptyService bool
}

func (df *dnsFlags) register(fs *flag.FlagSet) {
	def := dns.KubeadmConfig()
	fs.StringVar(&df.pods, "pods", string(def.Pods), "the kubernetes plugin's pods option: disabled, insecure or verified")
	fs.IntVar(&df.ttl, "ttl", def.TTL, "TTL of every answer, 0 to 3600 seconds (the plugin's ttl option)")
	fs.BoolVar(&df.endpointPodNames, "endpoint-pod-names", false, "name endpoints without a hostname after their pod (endpoint_pod_names)")
	fs.BoolVar(&df.ignoreEmptyService, "ignore-empty-service", false, "NXDOMAIN for services without ready endpoints (ignore empty_service)")
}

// config returns the Corefile the flags describe: kubeadm's, which the
// cluster runs by default (pods insecure, fallthrough for the reverse
// zones, ttl 30), with the flags' options, checked as CoreDNS's Corefile
// parser checks them.
func (df *dnsFlags) config() (dns.Config, error) {
	cfg := dns.KubeadmConfig()
	switch m := dns.PodMode(df.pods); m {
	case dns.PodsDisabled, dns.PodsInsecure, dns.PodsVerified:
		cfg.Pods = m
	default:
		return cfg, fmt.Errorf("invalid --pods %q: want disabled, insecure or verified", df.pods)
	}
	switch {
	case df.ttl < 0 || df.ttl > 3600:
		return cfg, fmt.Errorf("invalid --ttl %d: must be between 0 and 3600 (CoreDNS's limit)", df.ttl)
	case df.ttl == 0:
		cfg.TTL = -1 // dns.Config reads 0 as "the default" and negative as 0
	default:
		cfg.TTL = df.ttl
	}
	cfg.EndpointPodNames = df.endpointPodNames
	cfg.IgnoreEmptyService = df.ignoreEmptyService
	return cfg, nil
}

func runServeDNS(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	srv, listen, code := setupServeDNS(args, stderr)
	if srv == nil {
		return code
	}
	// Register for the signals before announcing the address, so that a
	// supervisor that signals as soon as it reads the line stops the
	// server instead of killing the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := serveDNS(ctx, srv, listen, func(addr string) {
		fmt.Fprintf(stdout, "listening on %s\n", addr)
	})
	if err != nil {
		return fail(stderr, err)
	}
	return exitOK
}

// setupServeDNS parses the flags and builds the settled cluster whose DNS
// is to be served. On failure it has reported the error and returns a nil
// server with the exit status.
func setupServeDNS(args []string, stderr io.Writer) (srv *dns.Server, listen string, code int) {
	var cf clusterFlags
	var df dnsFlags
	fs := newFlagSet("serve-dns", "--listen ADDR -f MANIFESTS... [flags]", serveDNSDescription, stderr)
	cf.register(fs)
	df.register(fs)
	fs.StringVar(&listen, "listen", "127.0.0.1:5353", "HOST:PORT to serve on, UDP and TCP (port 0 picks a free port)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, "", parseStatus(err)
	}
	if len(pos) != 0 {
		return nil, "", fail(stderr, fmt.Errorf("serve-dns takes no arguments, got %q (see kubesim serve-dns -h)", pos))
	}
	cfg, err := cf.config()
	if err != nil {
		return nil, "", fail(stderr, err)
	}
	if cfg.DNS, err = df.config(); err != nil {
		return nil, "", fail(stderr, err)
	}
	c, err := cf.buildWith(cfg)
	if err != nil {
		return nil, "", fail(stderr, err)
	}
	return c.DNS(), listen, exitOK
}

// serveDNS serves s on addr over UDP and TCP until ctx is done, then waits
// up to shutdownGrace for queries in flight. ready is called once with the
// bound address (the real port when addr asks for port 0) before any query
// can be missed.
func serveDNS(ctx context.Context, s *dns.Server, addr string, ready func(addr string)) error {
	w, err := wire.Start(s, addr)
	if err != nil {
		return err
	}
	ready(w.Addr())
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return w.Shutdown(sctx)
}
