package podnet

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
	"github.com/kubesim/kubesim/proxy"
)

// Trace is one HTTP request from a pod, hop by hop: how the host resolved,
// the packet the pod sent, what its node's kube-proxy rules did with it,
// what it reached, and the answer.
type Trace struct {
	// The pod the request was sent from.
	Namespace string     `json:"namespace"`
	Pod       string     `json:"pod"`
	Node      string     `json:"node"`
	PodIP     netip.Addr `json:"podIP"`

	Method     string `json:"method"`
	URL        string `json:"url"`
	Host       string `json:"host"`
	Port       uint16 `json:"port"`
	HostHeader string `json:"hostHeader"`

	// Hosts is the /etc/hosts entry the host matched ("localhost" or the
	// pod's hostname), when it matched one.
	Hosts string `json:"hosts,omitempty"`
	// Lookup is the resolver's work: every query and its answer. It is nil
	// when the host needed no lookup.
	Lookup *dns.Path `json:"lookup,omitempty"`
	// Addr is the address the client connected to.
	Addr netip.Addr `json:"addr,omitzero"`
	// Src and Dst are the first packet's addresses as the pod sent it.
	Src netip.AddrPort `json:"src,omitzero"`
	Dst netip.AddrPort `json:"dst,omitzero"`
	// Route is the node's decision, with the rules the packet walked; nil
	// when the packet never left the pod.
	Route *proxy.Decision `json:"route,omitempty"`
	// To is where the packet went after kube-proxy.
	To   netip.AddrPort `json:"to,omitzero"`
	Peer Peer           `json:"peer"`

	Outcome Outcome `json:"outcome"`
	// ClientTimeout reports that the client's own timeout ended the attempt.
	ClientTimeout bool `json:"clientTimeout,omitempty"`
	// Response is the answer, when the connection opened.
	Response *Response `json:"response,omitempty"`
	// Elapsed is the virtual time the request took.
	Elapsed time.Duration `json:"elapsed"`
	// Err explains a failure before any packet was sent.
	Err string `json:"error,omitempty"`
}

// Trace sends one HTTP GET for rawURL from the named pod, as curl would, and
// returns every hop of it. It drives the cluster's clock and kube-proxy's
// state as the request would (a new conntrack entry, the time a timeout
// takes).
func (e *Env) Trace(namespace, pod, rawURL string) (*Trace, error) {
	p, err := kubesim.Get[*api.Pod](e.Cluster, namespace, pod)
	if err != nil {
		return nil, err
	}
	if !p.Status.PodIP.IsValid() {
		return nil, fmt.Errorf("pod %s/%s has no IP yet (phase %s)", p.Namespace, p.Name, p.Status.Phase)
	}
	req, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	container := ""
	if len(p.Spec.Containers) > 0 {
		container = p.Spec.Containers[0].Name
	}
	x := &execution{e: e, pod: p, img: e.image(p, container), explain: true}
	return x.fetch(req, 0), nil
}

// String renders the trace hop by hop, one numbered step a hop, for
// `kubesim trace`. The layout is for people; read the fields to test.
func (t *Trace) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s from pod %s/%s (%s) on node %s\n", t.Method, t.URL, t.Namespace, t.Pod, t.PodIP, t.Node)
	step := 0
	hop := func(format string, args ...any) {
		step++
		fmt.Fprintf(&b, "%d. %s\n", step, fmt.Sprintf(format, args...))
	}
	indent := func(text string) {
		for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			b.WriteString("     " + l + "\n")
		}
	}
	switch {
	case t.Hosts != "":
		hop("resolve %s: /etc/hosts says %s", t.Host, t.Addr)
	case t.Lookup != nil:
		p := t.Lookup
		hop("resolve %s: %s getaddrinfo, %d queries to %s, %s", t.Host, p.Resolver, p.Count(), p.Server, fmtDuration(p.Elapsed))
		indent("resolv.conf: " + strings.ReplaceAll(strings.TrimRight(p.ResolvConf.String(), "\n"), "\n", "; "))
		for _, q := range p.Queries {
			line := fmt.Sprintf("%-5s %s -> %s", q.Type, q.Name, rcodeName(q))
			for _, rr := range q.Answers {
				line += "\n  " + rr.String()
			}
			indent(line)
		}
		if a, ok := pickAddr(p.Addresses); ok {
			indent(fmt.Sprintf("=> %s (of %s)", a, joinAddrs(p.Addresses)))
		} else {
			indent("=> " + p.Outcome + ": no address")
		}
	case t.Addr.IsValid():
		hop("resolve %s: an address, no lookup", t.Host)
	}
	if t.Err != "" {
		hop("fail: %s", t.Err)
		return b.String()
	}
	if t.Outcome == Unresolved {
		hop("fail: could not resolve host %s", t.Host)
		return b.String()
	}
	if !t.Src.IsValid() {
		hop("fail: the pod has no address of %s's family: %s", t.Addr, errnoText(t.Outcome))
		return b.String()
	}
	hop("send  %s -> %s/tcp (SYN)", t.Src, t.Dst)
	if r := t.Route; r != nil {
		what := r.Verdict.String()
		switch r.Verdict {
		case proxy.VerdictForward:
			what = "DNAT to " + r.Chosen
		case proxy.VerdictNone:
			what = "no rule matches: routed unchanged"
		}
		if r.Reason != proxy.ReasonNone {
			what += " (" + r.Reason.String() + ")"
		}
		hop("kube-proxy on node %s (%s): %s", r.Node, r.Mode, what)
		if r.Service != "" {
			indent(fmt.Sprintf("service %s, %s; %d eligible endpoint%s: %s", r.Service, r.Target, len(r.Endpoints), plural(len(r.Endpoints)), joinOr(r.Endpoints, "none")))
		}
		if r.Established {
			indent("an established conntrack entry decided")
		}
		if r.Masquerade {
			indent("masqueraded (SNAT to the node's address)")
		}
		for _, rule := range r.Rules {
			indent(rule)
		}
		indent(fmt.Sprintf("%d rule%s evaluated", r.Cost, plural(r.Cost)))
	} else {
		hop("stays in the pod's network namespace: kube-proxy never sees it")
	}
	at := fmt.Sprintf("%s on port %d", t.Peer, t.To.Port())
	switch t.Peer.Kind {
	case PeerNone:
		at = fmt.Sprintf("%s: nothing answers there", t.To)
	case PeerNoHost:
		at = fmt.Sprintf("%s: no pod holds the address", t.To)
	case PeerProxy:
		at = t.Peer.String()
	}
	switch {
	case t.ClientTimeout:
		hop("reach %s: the client gave up waiting", at)
	case t.Outcome == Connected:
		hop("reach %s: connected", at)
	default:
		hop("reach %s: %s", at, t.Outcome)
	}
	if r := t.Response; r != nil {
		if r.Empty {
			hop("answer: the server closed the connection without an HTTP reply")
		} else {
			hop("answer: %s, %d byte%s", r.StatusLine(), len(r.Body), plural(len(r.Body)))
			if r.Body != "" {
				indent(r.Body)
			}
		}
	}
	fmt.Fprintf(&b, "took %s\n", fmtDuration(t.Elapsed))
	return b.String()
}

func rcodeName(q dns.PathQuery) string {
	if q.Rcode == dns.NoReply {
		return "no reply"
	}
	if q.Rcode == 0 && len(q.Answers) == 0 {
		return "NODATA"
	}
	return q.Rcode.String()
}

func joinAddrs(as []netip.Addr) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

func joinOr(s []string, none string) string {
	if len(s) == 0 {
		return none
	}
	return strings.Join(s, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// fmtDuration prints a modelled duration compactly: 127s, 3.2ms, 130µs.
func fmtDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
	case d >= time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', -1, 64) + "ms"
	}
	return strconv.FormatInt(d.Microseconds(), 10) + "µs"
}
