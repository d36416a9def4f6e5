package podnet

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/kubesim/kubesim/dns"
)

const nslookupUsage = `Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]

Query DNS about HOST

QUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,any,srv,ptr
`

// nslookup is busybox's nslookup applet (the "big" one Alpine builds): it
// reads resolv.conf itself, tries a dotless name under every search domain
// and prints the replies in the order they arrive (dns.Stub.Nslookup). A
// second argument names the server to ask instead of resolv.conf's.
func (x *execution) nslookup(args []string) int {
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			fmt.Fprintf(x.stderr, "nslookup: kubesim's nslookup takes HOST [DNS_SERVER] only, not %s: use dig for other record types\n", a)
			return 1
		}
	}
	if len(args) == 0 || len(args) > 2 {
		fmt.Fprint(x.stderr, nslookupUsage)
		return 1
	}
	st, err := x.stub()
	if err != nil {
		fmt.Fprintf(x.stderr, "nslookup: %v\n", err)
		return 1
	}
	if len(args) == 2 {
		server, ok := x.serverAddr(st, args[1])
		if !ok {
			fmt.Fprintf(x.stderr, "nslookup: bad address '%s'\n", args[1])
			return 1
		}
		st.Conf.Nameservers = []string{server}
	}
	res := st.Nslookup(args[0], x.e.Cluster.Now())
	x.e.advance(res.Path.Elapsed)
	fmt.Fprint(x.stdout, res.Output)
	return res.ExitCode
}

// serverAddr reads a DNS server argument: an address, or a name the pod's
// resolver turns into one, as getaddrinfo does for busybox and dig.
func (x *execution) serverAddr(st dns.Stub, s string) (string, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().String(), true
	}
	p := st.Lookup(s, x.e.Cluster.Now())
	x.e.advance(p.Elapsed)
	if a, ok := pickAddr(p.Addresses); ok {
		return a.String(), true
	}
	return "", false
}

// pickAddr picks the address a client connects to: the first IPv4 one, as
// busybox (built to prefer IPv4) does and as curl ends up doing in a pod
// without IPv6; else the first.
func pickAddr(addrs []netip.Addr) (netip.Addr, bool) {
	for _, a := range addrs {
		if a.Is4() || a.Is4In6() {
			return a.Unmap(), true
		}
	}
	if len(addrs) > 0 {
		return addrs[0], true
	}
	return netip.Addr{}, false
}

const digUsage = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
            [ host [@local-server] {local-d-opt} [...]]

Use "dig -h" (or "dig -h | more") for complete list of options
`

// digTimeout is how long dig waits before it gives up on a server: three
// tries of five seconds (its +tries=3 +timeout=5 defaults).
const digTimeout = 15 * time.Second

// dig is BIND's dig with the options kubesim models: [@server] NAME [TYPE]
// [IN], -x ADDR, -t TYPE, and +short, +search and +tcp (+vc) with their +no
// forms. Its exit status is 0 whenever a server answered (NXDOMAIN
// included) and 9 when none did.
func (x *execution) dig(args []string) int {
	var (
		server, name string
		qtype        = dns.TypeA
		typed        bool
		opt          dns.DigOptions
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "@"):
			server = a[1:]
		case strings.HasPrefix(a, "+"):
			switch strings.ToLower(a[1:]) {
			case "short":
				opt.Short = true
			case "noshort":
				opt.Short = false
			case "search":
				opt.Search = true
			case "nosearch":
				opt.Search = false
			case "tcp", "vc":
				opt.TCP = true
			case "notcp", "novc":
				opt.TCP = false
			default:
				fmt.Fprintf(x.stderr, "Invalid option: %s\n%s", a, digUsage)
				return 1
			}
		case a == "-x" || a == "-t":
			if i+1 >= len(args) {
				fmt.Fprintf(x.stderr, "dig: option requires an argument -- '%s'\n%s", a[1:], digUsage)
				return 1
			}
			i++
			if a == "-t" {
				t, ok := dns.ParseType(args[i])
				if !ok {
					fmt.Fprintf(x.stderr, "dig: invalid type: %s\n", args[i])
					return 1
				}
				qtype, typed = t, true
				continue
			}
			ip, err := netip.ParseAddr(args[i])
			if err != nil {
				fmt.Fprintf(x.stderr, "dig: '%s' is not a legal IPv4 or IPv6 address\n", args[i])
				return 1
			}
			name, qtype, typed = strings.TrimSuffix(dns.ReverseName(ip), "."), dns.TypePTR, true
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(x.stderr, "Invalid option: %s\n%s", a, digUsage)
			return 1
		case strings.EqualFold(a, "IN"):
		default:
			if t, ok := dns.ParseType(a); ok && name != "" && !typed {
				qtype, typed = t, true
				continue
			}
			if name != "" {
				fmt.Fprintf(x.stderr, "dig: kubesim's dig asks one question: %s and %s\n", name, a)
				return 1
			}
			name = a
		}
	}
	if name == "" {
		// dig with no name asks for the root servers.
		name, qtype = ".", dns.TypeNS
	}
	st, err := x.stub()
	if err != nil {
		fmt.Fprintf(x.stderr, "dig: %v\n", err)
		return 1
	}
	if server != "" {
		addr, ok := x.serverAddr(st, server)
		if !ok {
			fmt.Fprintf(x.stderr, "dig: couldn't get address for '%s': not found\n", server)
			return 10
		}
		st.Conf.Nameservers = []string{addr}
	}
	opt.Rand = x.e.stream(x.pod)
	opt.Args = strings.Join(args, " ")
	out, reply := st.Dig(name, qtype, x.e.Cluster.Now(), opt)
	fmt.Fprint(x.stdout, out)
	if reply.Question.Name == "" {
		x.e.advance(digTimeout)
		return 9
	}
	x.e.advance(dns.DefaultPodRTT + reply.Latency)
	return 0
}
