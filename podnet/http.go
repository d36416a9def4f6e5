package podnet

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// request is an HTTP request as a client builds it from a URL.
type request struct {
	url    string
	scheme string // http or https
	host   string // as written, without brackets or port
	port   uint16
	path   string // from the first /, with the query; "/" at least
	// authority is host[:port] as written in the URL; hostHeader is the Host
	// header, the same unless the user set one.
	authority  string
	hostHeader string
	method     string
}

// parseURL reads a URL as curl and busybox wget do: the scheme defaults to
// http, the port to the scheme's.
func parseURL(raw string) (request, error) {
	r := request{url: raw, scheme: "http", method: http.MethodGet}
	rest := raw
	if i := strings.Index(rest, "://"); i >= 0 {
		r.scheme = strings.ToLower(rest[:i])
		rest = rest[i+3:]
	}
	switch r.scheme {
	case "http":
		r.port = 80
	case "https":
		r.port = 443
	default:
		return r, fmt.Errorf("protocol %q not supported", r.scheme)
	}
	hostport := rest
	r.path = "/"
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hostport = rest[:i]
		switch rest[i] {
		case '/':
			r.path = rest[i:]
		case '?':
			r.path = "/" + rest[i:]
		}
		if j := strings.IndexByte(r.path, '#'); j >= 0 {
			r.path = r.path[:j]
		}
	}
	if i := strings.LastIndexByte(hostport, '@'); i >= 0 {
		hostport = hostport[i+1:]
	}
	r.authority, r.hostHeader = hostport, hostport
	host := hostport
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return r, fmt.Errorf("bad IPv6 address in %q", raw)
		}
		r.host = host[1:end]
		host = host[end+1:]
		if host != "" && !strings.HasPrefix(host, ":") {
			return r, fmt.Errorf("bad address in %q", raw)
		}
		if host != "" {
			if err := r.setPort(host[1:]); err != nil {
				return r, err
			}
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		r.host = host[:i]
		if err := r.setPort(host[i+1:]); err != nil {
			return r, err
		}
	} else {
		r.host = host
	}
	if r.host == "" {
		return r, fmt.Errorf("no host in %q", raw)
	}
	return r, nil
}

func (r *request) setPort(s string) error {
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 65535 {
		return fmt.Errorf("port number %q is not valid", s)
	}
	r.port = uint16(n)
	return nil
}

// Response is an HTTP response as a simulated server sends it.
type Response struct {
	Status int      `json:"status"`
	Header []string `json:"header"` // "Name: value" lines, in order
	Body   string   `json:"body"`
	// Empty reports that the server closed the connection without an HTTP
	// reply: it speaks another protocol.
	Empty bool `json:"empty,omitempty"`
}

// StatusLine is "HTTP/1.1 200 OK".
func (r *Response) StatusLine() string {
	return fmt.Sprintf("HTTP/1.1 %d %s", r.Status, http.StatusText(r.Status))
}

// respond builds a response with the usual headers.
func (e *Env) respond(status int, contentType, server, body string) *Response {
	r := &Response{Status: status, Body: body}
	if contentType != "" {
		r.Header = append(r.Header, "Content-Type: "+contentType)
	}
	r.Header = append(r.Header, "Date: "+e.Cluster.Now().UTC().Format(http.TimeFormat))
	if server != "" {
		r.Header = append(r.Header, "Server: "+server)
	}
	r.Header = append(r.Header, "Content-Length: "+strconv.Itoa(len(body)))
	return r
}

// The paths at which kiamol's numbers API answers a random number: its own
// route, and the path of the static file on GitHub that the ExternalName
// exercise reaches instead.
const (
	rngPath      = "/rng"
	kiamolRNG    = "/sixeyed/kiamol/master/ch03/numbers/rng"
	kiamolRNGVal = "42" // what that static file holds
)

// serve answers a request on an open connection, as the peer's server
// would.
func (x *execution) serve(c conn, req request) *Response {
	e := x.e
	path := req.path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	switch c.peer.Kind {
	case PeerProxy:
		return e.healthCheck(c)
	case PeerNode:
		if req.scheme == "https" {
			return e.respond(http.StatusForbidden, "application/json", "",
				fmt.Sprintf("{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"status\": \"Failure\",\n  \"message\": \"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"%s\\\"\",\n  \"reason\": \"Forbidden\",\n  \"details\": {},\n  \"code\": 403\n}", jsonEscape(path)))
		}
		return e.respond(http.StatusBadRequest, "", "", "Client sent an HTTP request to an HTTPS server.\n")
	case PeerOutside:
		host := strings.ToLower(hostOnly(req.hostHeader))
		_, ipKnown := e.outside(parseAddr(host))
		switch {
		case host == "raw.githubusercontent.com" && path == kiamolRNG:
			return e.respond(http.StatusOK, "text/plain; charset=utf-8", "", kiamolRNGVal)
		case e.outsideName(host) || ipKnown:
			return e.respond(http.StatusOK, "text/plain; charset=utf-8", "",
				fmt.Sprintf("kubesim: simulated response from %s (%s), a host outside the cluster\n", c.peer.Name, c.to.Addr()))
		}
		// A shared front end (a CDN) serves only the names it hosts: a
		// request whose Host header it does not know, as through an
		// ExternalName service, is not found.
		return e.respond(http.StatusNotFound, "text/plain; charset=utf-8", "", "404: Not Found")
	}
	img, _ := e.server(c.peer.pod, c.to.Port())
	p := c.peer.pod
	switch img.App {
	case AppCoreDNS:
		switch {
		case c.to.Port() == 53:
			return &Response{Empty: true}
		case c.to.Port() == 8080 && path == "/health", c.to.Port() == 8181 && path == "/ready":
			return e.respond(http.StatusOK, "text/plain; charset=utf-8", "", "OK")
		case c.to.Port() == 9153 && path == "/metrics":
			return e.respond(http.StatusOK, "text/plain; version=0.0.4; charset=utf-8", "", "# kubesim does not simulate CoreDNS's metrics\n")
		}
		return e.respond(http.StatusNotFound, "text/plain; charset=utf-8", "", "404 page not found\n")
	case AppNumbersAPI:
		if strings.EqualFold(path, rngPath) || strings.EqualFold(path, kiamolRNG) {
			return e.respond(http.StatusOK, "application/json; charset=utf-8", img.Server, strconv.Itoa(e.stream(p).IntN(100)))
		}
	}
	return e.respond(http.StatusOK, "text/plain; charset=utf-8", img.Server, fmt.Sprintf("%s (%s)\n", p.Name, c.to.Addr()))
}

// healthCheck is kube-proxy's answer on a health-check node port.
func (e *Env) healthCheck(c conn) *Response {
	status := http.StatusServiceUnavailable
	if c.local > 0 {
		status = http.StatusOK
	}
	local := c.local
	ns, name, _ := strings.Cut(c.service, "/")
	body := fmt.Sprintf("{\n\t\"service\": {\n\t\t\"namespace\": %q,\n\t\t\"name\": %q\n\t},\n\t\"localEndpoints\": %d,\n\t\"serviceProxyHealthy\": true\n}", ns, name, local)
	r := e.respond(status, "application/json", "", body)
	r.Header = append([]string{"X-Content-Type-Options: nosniff", "X-Load-Balancing-Endpoint-Weight: " + strconv.Itoa(local)}, r.Header...)
	return r
}

// hostOnly strips the port from a Host header value.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i >= 0 {
			return h[1:i]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 {
		return h[:i]
	}
	return h
}

func parseAddr(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a.Unmap()
}

// jsonEscape escapes a string for a JSON string literal's body.
func jsonEscape(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

// fetch is one HTTP request from the pod, the work curl and wget share:
// resolve the host through the pod's resolver, connect through the node's
// kube-proxy, and let the peer answer. limit is the client's connect
// timeout (0 for none); the clock advances by the time each step takes.
func (x *execution) fetch(req request, limit time.Duration) *Trace {
	p := x.pod
	t := &Trace{
		Namespace: p.Namespace, Pod: p.Name, Node: p.Spec.NodeName, PodIP: p.Status.PodIP,
		Method: req.method, URL: req.url, Host: req.host, Port: req.port, HostHeader: req.hostHeader,
	}
	start := x.e.Cluster.Now()
	defer func() { t.Elapsed = x.e.Cluster.Now().Sub(start) }()
	addr, ok := x.resolve(req.host, t)
	if !ok {
		t.Outcome = Unresolved
		return t
	}
	t.Addr = addr
	if x.onResolved != nil {
		x.onResolved(netip.AddrPortFrom(addr, req.port).String())
	}
	c := x.connect(addr, req.port)
	t.Src, t.Dst, t.To, t.Route, t.Peer, t.Outcome = c.src, c.dst, c.to, c.decision, c.peer, c.outcome
	if limit > 0 && c.elapsed > limit {
		t.Outcome, t.ClientTimeout = TimedOut, true
		x.e.advance(limit)
		return t
	}
	x.e.advance(c.elapsed)
	if c.outcome != Connected {
		return t
	}
	t.Response = x.serve(c, req)
	x.e.advance(rttTo(p, c.peer))
	return t
}

// resolve turns a host into the address a client connects to: an address
// literal as is, localhost and the pod's own hostname from /etc/hosts, any
// other name through the pod's resolver (getaddrinfo of its C library),
// whose queries the trace records.
func (x *execution) resolve(host string, t *Trace) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap(), true
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	switch {
	case h == "localhost" || h == "ip6-localhost" || h == "ip6-loopback":
		t.Hosts = "localhost"
		return netip.AddrFrom4([4]byte{127, 0, 0, 1}), true
	case h == strings.ToLower(hostname(x.pod)) && x.pod.Status.PodIP.IsValid():
		t.Hosts = hostname(x.pod)
		return x.pod.Status.PodIP, true
	}
	st, err := x.stub()
	if err != nil {
		t.Err = err.Error()
		return netip.Addr{}, false
	}
	path := st.Lookup(host, x.e.Cluster.Now())
	t.Lookup = &path
	x.e.advance(path.Elapsed)
	return pickAddr(path.Addresses)
}
