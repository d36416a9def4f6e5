package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/kubectl"
)

// clusterFlags are the flags of every subcommand that builds a cluster from
// manifests.
type clusterFlags struct {
	files        fileList
	seed         uint64
	platform     string
	serviceCIDR  string
	clusterCIDR  string
	nodePorts    string
	upstreamZone string
}

// fileList is a repeatable -f flag.
type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

func (cf *clusterFlags) register(fs *flag.FlagSet) {
	fs.Var(&cf.files, "f", "manifest file or directory to apply (repeatable)")
	fs.Var(&cf.files, "filename", "same as -f")
	fs.Uint64Var(&cf.seed, "seed", 0, "seed of every random choice (IPs, names, load balancing)")
	fs.StringVar(&cf.platform, "platform", "docker-desktop", "cluster defaults: docker-desktop, kind or k3s")
	fs.StringVar(&cf.serviceCIDR, "service-cidr", "", "service CIDR(s), one per family, comma-separated (as kube-apiserver's --service-cluster-ip-range)")
	fs.StringVar(&cf.clusterCIDR, "cluster-cidr", "", "pod CIDR(s), one per family, comma-separated")
	fs.StringVar(&cf.nodePorts, "node-port-range", "", "node port range, e.g. 30000-32767")
	fs.StringVar(&cf.upstreamZone, "upstream-zone", "", "RFC 1035 zone file holding the outside world's DNS records")
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("invalid CIDR %q: %v", part, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// config turns the flags into a cluster configuration.
func (cf *clusterFlags) config() (kubesim.Config, error) {
	cfg := kubesim.Config{Platform: kubesim.Platform(cf.platform), Seed: cf.seed}
	var err error
	if cf.serviceCIDR != "" {
		if cfg.ServiceCIDRs, err = parsePrefixes(cf.serviceCIDR); err != nil {
			return cfg, fmt.Errorf("--service-cidr: %w", err)
		}
	}
	if cf.clusterCIDR != "" {
		if cfg.ClusterCIDRs, err = parsePrefixes(cf.clusterCIDR); err != nil {
			return cfg, fmt.Errorf("--cluster-cidr: %w", err)
		}
	}
	if cf.nodePorts != "" {
		if cfg.NodePortRange, err = api.ParsePortRange(cf.nodePorts); err != nil {
			return cfg, fmt.Errorf("--node-port-range: %w", err)
		}
	}
	if cf.upstreamZone != "" {
		b, err := os.ReadFile(cf.upstreamZone)
		if err != nil {
			return cfg, fmt.Errorf("--upstream-zone: %w", err)
		}
		up := dns.NewUpstream()
		if err := up.AddZone(string(b), "."); err != nil {
			return cfg, fmt.Errorf("--upstream-zone %s: %w", cf.upstreamZone, err)
		}
		cfg.Upstream = up
	}
	return cfg, nil
}

// manifestFiles expands -f arguments: files as given, directories to their
// .yaml, .yml and .json files in name order, as kubectl apply -f DIR does.
func manifestFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("the path %q does not exist", a)
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					names = append(names, filepath.Join(a, e.Name()))
				}
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// build creates the cluster, applies every manifest and settles it.
func (cf *clusterFlags) build() (*kubesim.Cluster, error) {
	cfg, err := cf.config()
	if err != nil {
		return nil, err
	}
	return cf.buildWith(cfg)
}

func (cf *clusterFlags) buildWith(cfg kubesim.Config) (*kubesim.Cluster, error) {
	c, err := kubesim.New(cfg)
	if err != nil {
		return nil, err
	}
	files, err := manifestFiles(cf.files)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if _, err := c.Apply(b); err != nil {
			return nil, fmt.Errorf("error when applying %q: %w", f, err)
		}
	}
	if err := c.Settle(); err != nil {
		return nil, err
	}
	return c, nil
}

// splitRef parses NS/NAME (or NAME in default).
func splitRef(s string) (ns, name string) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "default", s
}

// newFlagSet returns the flag set of a subcommand. Errors and -h print to
// stderr, with the synopsis and description above the flags.
func newFlagSet(name, synopsis, description string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("kubesim "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: kubesim %s %s\n\n%s\n\nFlags:\n", name, synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as kubectl and most GNU tools accept them (Go's flag
// package stops at the first positional). "--" ends the flags: everything
// after it is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseStatus turns a flag parsing error into an exit status: 0 for -h (the
// flag package has printed the usage), 1 otherwise (it has printed the error).
func parseStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

// Exit statuses shared by the subcommands. kubectl exits 1 on every error,
// bad flags included; resolve adds getent's 2 for a name that does not
// resolve.
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

// fail prints err as kubectl prints errors and returns exitError: API errors
// as `Error from server (NotFound): pods "x" not found`, anything else as
// `error: ...`.
func fail(stderr io.Writer, err error) int {
	switch {
	case api.IsNotFound(err), api.IsAlreadyExists(err), api.IsConflict(err), api.IsForbidden(err):
		fmt.Fprintf(stderr, "Error from server (%s): %v\n", api.Reason(err), err)
	default:
		fmt.Fprintf(stderr, "error: %v\n", err)
	}
	return exitError
}

// checkOutput validates an -o value against the formats a command prints.
func checkOutput(o string, formats ...string) error {
	if slices.Contains(formats, o) {
		return nil
	}
	var quoted []string
	for _, f := range formats {
		if f != "" {
			quoted = append(quoted, strconv.Quote(f))
		}
	}
	return fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: %s", o, join(quoted))
}

// findPod resolves a --pod reference to a pod's namespace and name:
// NAME or NS/NAME names a pod (in default when no namespace is given);
// KIND/NAME or NS/KIND/NAME with KIND deploy, deployment or pod picks, as
// `kubectl exec deploy/NAME` does, the first pod (by name) of the deployment
// that is running, Ready and not terminating, else the first that has an IP.
func findPod(c *kubesim.Cluster, ref string) (ns, name string, err error) {
	parts := strings.Split(ref, "/")
	kind := "pod"
	switch {
	case len(parts) == 3:
		ns, kind, name = parts[0], parts[1], parts[2]
	case len(parts) == 2 && isKindWord(parts[0]):
		ns, kind, name = "default", parts[0], parts[1]
	case len(parts) == 2:
		ns, name = parts[0], parts[1]
	case len(parts) == 1:
		ns, name = "default", parts[0]
	default:
		return "", "", fmt.Errorf("invalid pod reference %q: want NAME, NS/NAME or NS/deploy/NAME", ref)
	}
	if ns == "" || name == "" {
		return "", "", fmt.Errorf("invalid pod reference %q: want NAME, NS/NAME or NS/deploy/NAME", ref)
	}
	switch kind {
	case "pod", "pods", "po":
		return ns, name, nil
	case "deploy", "deployment", "deployments":
	default:
		return "", "", fmt.Errorf("invalid pod reference %q: the resource type %q is not one of pod, deploy", ref, kind)
	}
	d, err := kubesim.Get[*api.Deployment](c, ns, name)
	if err != nil {
		return "", "", err
	}
	sel, err := api.SelectorFromLabelSelector(d.Spec.Selector)
	if err != nil {
		return "", "", fmt.Errorf("deployment %s/%s: %w", ns, name, err)
	}
	// The pod `kubectl exec deploy/NAME` would pick, among those with an
	// address, so that trace and resolve follow the same pod as the lab.
	var pods []*api.Pod
	for _, p := range kubesim.ListOf[*api.Pod](c, ns, sel) {
		if p.Status.PodIP.IsValid() {
			pods = append(pods, p)
		}
	}
	if len(pods) == 0 {
		return "", "", fmt.Errorf("deployment %s/%s has no pod with an IP", ns, name)
	}
	return ns, kubectl.FirstPod(pods).Name, nil
}

func isKindWord(s string) bool {
	switch s {
	case "pod", "pods", "po", "deploy", "deployment", "deployments":
		return true
	}
	return false
}
