package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/kubesim/kubesim/dns"
)

func init() {
	register(command{
		name:    "resolve",
		summary: "look a name up from inside a pod, query by query",
		run:     runResolve,
	})
}

const resolveDescription = `Resolve NAME as the C library of a pod would (getaddrinfo over the pod's
/etc/resolv.conf as kubelet wrote it) and print every query it sent, what came
back, and how the lookup ended. With -o json the result is a JSON object with
queries (name, type, rcode, answers), outcome, addresses, resolvConf and
warnings (kubelet's DNSConfigForming events).

--pod takes NAME or NS/NAME, or NS/deploy/NAME for the first ready pod of a
deployment, as kubectl exec does.

Exit status, as getent's: 0 when the name resolved to at least one address,
2 when it did not (NXDOMAIN, NODATA, SERVFAIL, timeout), 1 on any other error
(bad flags, manifests that do not apply, a missing pod or one without an IP).`

// resolveFamilies maps --family to the address family getaddrinfo is asked
// for: inet is gethostbyname or getaddrinfo(AF_INET), A queries only; unspec
// is getaddrinfo(AF_UNSPEC), A and AAAA.
var resolveFamilies = map[string]dns.Family{
	"unspec": dns.Unspec,
	"inet":   dns.Inet,
	"inet6":  dns.Inet6,
}

// resolveJSON is the JSON form of a lookup: the path, with warnings always
// present (the outer field hides the embedded one).
type resolveJSON struct {
	dns.Path
	Warnings []dns.Warning `json:"warnings"`
}

func runResolve(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	var pod, resolver, family, output string
	fs := newFlagSet("resolve", "-f MANIFESTS... --pod NS/NAME [flags] NAME", resolveDescription, stderr)
	cf.register(fs)
	fs.StringVar(&pod, "pod", "", "the pod the lookup runs in: NAME, NS/NAME or NS/deploy/NAME (required)")
	fs.StringVar(&resolver, "resolver", "", "stub resolver: glibc, musl or busybox (default: guessed from the pod's first image)")
	fs.StringVar(&family, "family", "unspec", "address family: unspec (A and AAAA, as getaddrinfo), inet (A only, as gethostbyname) or inet6")
	fs.StringVar(&output, "o", "", "output format: json, or empty for text")
	fs.StringVar(&output, "output", "", "same as -o")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) != 1 {
		return fail(stderr, fmt.Errorf("resolve takes exactly one NAME, got %d arguments (see kubesim resolve -h)", len(pos)))
	}
	if pod == "" {
		return fail(stderr, fmt.Errorf("--pod is required: the pod whose resolv.conf and C library do the lookup"))
	}
	fam, ok := resolveFamilies[family]
	if !ok {
		return fail(stderr, fmt.Errorf("invalid --family %q: want unspec, inet or inet6", family))
	}
	var res dns.Resolver
	switch dns.Resolver(resolver) {
	case "":
	case dns.Glibc, dns.Musl, dns.Busybox:
		res = dns.Resolver(resolver)
	default:
		return fail(stderr, fmt.Errorf("invalid --resolver %q: want glibc, musl or busybox", resolver))
	}
	if err := checkOutput(output, "", "json"); err != nil {
		return fail(stderr, err)
	}
	c, err := cf.build()
	if err != nil {
		return fail(stderr, err)
	}
	ns, name, err := findPod(c, pod)
	if err != nil {
		return fail(stderr, err)
	}
	st, err := c.Stub(ns, name)
	if err != nil {
		return fail(stderr, err)
	}
	if res != "" {
		st.Resolver = res
	}
	st.Family = fam
	path := st.Lookup(pos[0], c.Now())
	if output == "json" {
		// warnings is part of the contract: present, if empty, so that
		// consumers need not tell a missing field from no warnings.
		out := resolveJSON{Path: path, Warnings: path.Warnings}
		if out.Warnings == nil {
			out.Warnings = []dns.Warning{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return fail(stderr, err)
		}
	} else {
		// kubectl prints server warnings on stderr, so that stdout stays
		// the answer alone.
		for _, w := range path.Warnings {
			fmt.Fprintf(stderr, "Warning: %s: %s\n", w.Reason, w.Message)
		}
		io.WriteString(stdout, path.String())
	}
	if len(path.Addresses) == 0 {
		return exitNotFound
	}
	return exitOK
}
