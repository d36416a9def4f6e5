package dns

import (
	"cmp"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
)

// Resolver names a stub resolver algorithm.
type Resolver string

// The stub resolvers a pod may run.
const (
	// Glibc is getaddrinfo over glibc's res_search (Debian, Ubuntu, most
	// distroless images).
	Glibc Resolver = "glibc"
	// Musl is getaddrinfo in musl libc (Alpine).
	Musl Resolver = "musl"
	// Busybox is busybox's own nslookup client (FEATURE_NSLOOKUP_BIG).
	Busybox Resolver = "busybox"
)

// ResolverForImage guesses the C library of a container image from its name:
// musl for Alpine-based images (alpine, and the kiamol chapter 3 images built on it), glibc
// otherwise. busybox's nslookup applet ignores the C library and always uses
// its own client; ask Stub.Nslookup for it.
func ResolverForImage(image string) Resolver {
	i := strings.ToLower(image)
	if strings.Contains(i, "alpine") || strings.Contains(i, "kiamol/ch03-") || strings.Contains(i, ":musl") || strings.Contains(i, "-musl") {
		return Musl
	}
	return Glibc
}

// Family is the address family getaddrinfo is asked for.
type Family string

// Address families.
const (
	Unspec Family = ""      // AF_UNSPEC: A and AAAA
	Inet   Family = "inet"  // AF_INET: A only
	Inet6  Family = "inet6" // AF_INET6: AAAA only
)

// Stub is a pod's stub resolver: its resolv.conf, its algorithm, and the
// network it sends queries over. Queries to the DNS service's addresses
// reach Server (through Cache when the node runs NodeLocal DNSCache); any
// other nameserver is the outside world, and loopback nameservers do not
// answer.
type Stub struct {
	Server   *Server    `json:"-"`
	Conf     ResolvConf `json:"resolvConf"`
	Resolver Resolver   `json:"resolver"`
	Family   Family     `json:"family,omitempty"`
	// PodIP is the query's source address; autopath keys on it.
	PodIP netip.Addr `json:"podIP,omitzero"`
	// Cache is the node's NodeLocal DNSCache; nil when it is off.
	Cache *NodeCache `json:"-"`
	// RTT is the round trip to the cluster DNS; 0 means DefaultPodRTT.
	RTT time.Duration `json:"rtt,omitempty"`
	// Warnings are kubelet's events from forming Conf.
	Warnings []Warning `json:"warnings,omitempty"`
}

// NewStub returns the stub resolver of pod: the resolv.conf kubelet writes
// for it under cfg, the resolver its first container's image suggests, and
// its IP as the source address.
func NewStub(s *Server, pod *api.Pod, cfg ClusterDNSConfig) Stub {
	rc, warns := PodResolvConf(pod, cfg)
	st := Stub{Server: s, Conf: rc, Resolver: Glibc, Warnings: warns, PodIP: pod.Status.PodIP}
	if len(pod.Spec.Containers) > 0 {
		st.Resolver = ResolverForImage(pod.Spec.Containers[0].Image)
	}
	return st
}

// PathQuery is one query a lookup sent and what came back.
type PathQuery struct {
	Name          string `json:"name"`
	Type          QType  `json:"type"`
	Rcode         Rcode  `json:"rcode"` // NoReply ("") when nothing came back
	Answers       []RR   `json:"answers"`
	Authoritative bool   `json:"aa"`
	// Via says what answered when it was not the cluster DNS itself:
	// "cache hit", "cache miss", "autopath", "upstream".
	Via      string        `json:"via,omitempty"`
	Sent     time.Duration `json:"sent"`
	Received time.Duration `json:"received"`
}

// MarshalJSON writes a query with no answers as "answers": [], so that a
// consumer of `kubesim resolve -o json` can always iterate it.
func (q PathQuery) MarshalJSON() ([]byte, error) {
	type plain PathQuery
	p := plain(q)
	if p.Answers == nil {
		p.Answers = []RR{}
	}
	return json.Marshal(p)
}

// Path is everything a lookup did: each query in the order sent, and how it
// ended. It marshals to JSON with the queries' answers as zone-file lines.
type Path struct {
	Resolver Resolver `json:"resolver"`
	Name     string   `json:"name"`
	// Server is the nameserver the queries went to.
	Server  string      `json:"server"`
	Queries []PathQuery `json:"queries"`
	// Outcome is NOERROR when addresses were found, else the deciding
	// failure: NXDOMAIN, NODATA, SERVFAIL, REFUSED or TIMEOUT.
	Outcome string `json:"outcome"`
	// Error is getaddrinfo's error (EAI_NONAME, EAI_NODATA, EAI_AGAIN,
	// EAI_FAIL); for glibc it follows h_errno (HOST_NOT_FOUND, NO_DATA,
	// TRY_AGAIN, NO_RECOVERY), which ErrnoName holds.
	Error      string        `json:"error,omitempty"`
	ErrnoName  string        `json:"herrno,omitempty"`
	Addresses  []netip.Addr  `json:"addresses"`
	Canonical  string        `json:"canonical,omitempty"`
	Elapsed    time.Duration `json:"elapsed"`
	ResolvConf ResolvConf    `json:"resolvConf"`
	Warnings   []Warning     `json:"warnings,omitempty"`
}

// Count returns how many queries the lookup sent.
func (p Path) Count() int { return len(p.Queries) }

// String renders the path one query per line, then the outcome.
func (p Path) String() string {
	var b strings.Builder
	for _, q := range p.Queries {
		b.WriteString(q.Name)
		b.WriteString(" ")
		b.WriteString(q.Type.String())
		b.WriteString(" -> ")
		rc := q.Rcode.String()
		if q.Rcode == RcodeSuccess && len(q.Answers) == 0 {
			rc = "NODATA"
		}
		if q.Rcode == NoReply {
			rc = "no reply"
		}
		b.WriteString(rc)
		if q.Via != "" {
			b.WriteString(" (" + q.Via + ")")
		}
		b.WriteString("\n")
		for _, rr := range q.Answers {
			b.WriteString("\t")
			b.WriteString(rr.String())
			b.WriteString("\n")
		}
	}
	b.WriteString(p.Outcome)
	if p.Error != "" {
		b.WriteString(" " + p.Error)
	}
	for _, a := range p.Addresses {
		b.WriteString(" " + a.String())
	}
	b.WriteString("\n")
	return b.String()
}

// nameserver returns the first nameserver, or 127.0.0.1 as the libraries
// assume when there is none.
func (st Stub) nameserver(max int) string {
	ns := st.Conf.Nameservers
	if len(ns) > max {
		ns = ns[:max]
	}
	if len(ns) == 0 {
		return "127.0.0.1"
	}
	return ns[0]
}

func (st Stub) isClusterDNS(a netip.Addr) bool {
	if st.Server == nil {
		return false
	}
	ips := st.Server.cfg.ServiceIPs
	return len(ips) == 0 || slices.Contains(ips, a)
}

// route is where queries to one nameserver go.
type route struct {
	kind byte // 0 nothing answers, 'c' the cluster DNS, 'n' the node cache, 'u' the outside world
	rtt  time.Duration
}

func (st Stub) route(server string) route {
	a, err := netip.ParseAddr(server)
	if err != nil || a.IsLoopback() || a.IsUnspecified() || st.Server == nil {
		return route{}
	}
	a = a.Unmap()
	switch {
	case st.Cache != nil && (a == st.Cache.Addr || st.isClusterDNS(a)):
		return route{'n', DefaultNodeLocalRTT}
	case st.isClusterDNS(a):
		rtt := st.RTT
		if rtt == 0 {
			rtt = DefaultPodRTT
		}
		return route{'c', rtt}
	}
	return route{'u', st.Server.cfg.UpstreamRTT}
}

// exchange sends one query to server at time now (the lookup's start plus
// sent) and returns the reply and when it came back; ok is false when
// nothing answers.
func (st Stub) exchange(server, name string, qtype uint16, start time.Time, sent time.Duration) (PathQuery, bool) {
	return st.send(server, st.route(server), fqdn(name), qtype, start, sent)
}

// send is exchange with the route resolved and the name fully qualified.
func (st Stub) send(server string, rt route, fq string, qtype uint16, start time.Time, sent time.Duration) (PathQuery, bool) {
	pq, _, ok := st.sendReply(server, rt, fq, qtype, start, sent)
	return pq, ok
}

// sendReply is send that also returns the whole reply.
func (st Stub) sendReply(server string, rt route, fq string, qtype uint16, start time.Time, sent time.Duration) (pq PathQuery, r Reply, ok bool) {
	pq = PathQuery{Name: bareName(fq), Type: QType(qtype), Rcode: NoReply, Sent: sent}
	switch rt.kind {
	case 0:
		return pq, r, false
	case 'n':
		r = st.Cache.Query(st.Server, fq, qtype, start.Add(sent))
	case 'c':
		r = st.Server.QueryFrom(st.PodIP, fq, qtype)
	default:
		r = st.Server.Upstream().Query(fq, qtype)
		r.Note = noteUpstream
	}
	pq.Rcode = Rcode(r.Rcode)
	pq.Answers = r.Answer
	pq.Authoritative = r.Authoritative
	pq.Via = r.Note
	pq.Received = sent + rt.rtt + r.Latency
	return pq, r, true
}

// resolverConf is the part of resolv.conf a C library reads.
type resolverConf struct {
	nameservers []string
	search      []string
	ndots       int
	noTLDQuery  bool
}

// glibcConf reads resolv.conf as glibc's res_init does: up to 3 nameservers,
// the last search line (no limit since glibc 2.26), options ndots (capped at
// 15) and no-tld-query.
func glibcConf(rc ResolvConf) resolverConf {
	c := resolverConf{ndots: 1, search: rc.Searches, nameservers: rc.Nameservers}
	if len(c.nameservers) > 3 {
		c.nameservers = c.nameservers[:3]
	}
	for _, o := range rc.Options {
		n, v, _ := strings.Cut(o, ":")
		switch n {
		case "ndots":
			if x, err := strconv.Atoi(v); err == nil && x >= 0 {
				c.ndots = min(x, 15)
			}
		case "no-tld-query":
			c.noTLDQuery = true
		}
	}
	return c
}

// muslConf reads resolv.conf as musl's __get_resolv_conf does, from the text
// the runtime writes: lines of 255 characters or more are skipped whole (so a
// long search line silently disables search), ndots is capped at 15, the
// last search or domain line wins, at most 3 nameservers.
func muslConf(rc ResolvConf) resolverConf {
	c := resolverConf{ndots: 1}
	for _, line := range strings.Split(rc.String(), "\n") {
		if len(line) >= 255 {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "options":
			if i := strings.Index(line, "ndots:"); i >= 0 && i+6 < len(line) && isDigit(line[i+6]) {
				j := i + 6
				v := 0
				for j < len(line) && isDigit(line[j]) && v < 1000 {
					v = v*10 + int(line[j]-'0')
					j++
				}
				c.ndots = min(v, 15)
			}
		case "nameserver":
			if len(f) >= 2 && len(c.nameservers) < 3 {
				c.nameservers = append(c.nameservers, f[1])
			}
		case "search", "domain":
			c.search = f[1:]
		}
	}
	return c
}

// ndotsOf counts the dots of a name as the resolvers do, a trailing one
// included.
func ndotsOf(name string) int { return strings.Count(name, ".") }

// Lookup resolves name as getaddrinfo would in the pod, with the stub's
// resolver, starting at now (the virtual clock; the node cache ages its
// entries on it). Busybox stubs run nslookup's query set.
func (st Stub) Lookup(name string, now time.Time) Path {
	var p Path
	if name == "" {
		// getaddrinfo refuses an empty name before sending anything.
		r := st.Resolver
		if r == "" {
			r = Glibc
		}
		p = Path{Resolver: r, Outcome: "NXDOMAIN", Error: "EAI_NONAME", ErrnoName: hostNotFound}
		p.Name, p.ResolvConf, p.Warnings, p.Addresses = name, st.Conf, st.Warnings, []netip.Addr{}
		return p
	}
	switch st.Resolver {
	case Musl:
		p = st.lookupMusl(name, now)
	case Busybox:
		p = st.Nslookup(name, now).Path
	default:
		p = st.lookupGlibc(name, now)
	}
	p.Name = name
	p.ResolvConf = st.Conf
	p.Warnings = st.Warnings
	if p.Addresses == nil {
		p.Addresses = []netip.Addr{}
	}
	if p.Queries == nil {
		p.Queries = []PathQuery{}
	}
	return p
}

var (
	typesBoth = []uint16{TypeA, TypeAAAA}
	typesA    = []uint16{TypeA}
	typesAAAA = []uint16{TypeAAAA}
)

func (st Stub) types() []uint16 {
	switch st.Family {
	case Inet:
		return typesA
	case Inet6:
		return typesAAAA
	}
	return typesBoth
}

// sendPair sends the A and AAAA (or one of them) for a candidate in
// parallel, as glibc's T_QUERY_A_AND_AAAA and musl's res_msend do, appends
// them to the path and returns them and the time the last came back.
func (st Stub) sendPair(p *Path, server string, rt route, fq string, start time.Time, t time.Duration) ([]PathQuery, time.Duration) {
	end := t
	first := len(p.Queries)
	for i, qt := range st.types() {
		pq, ok := st.send(server, rt, fq, qt, start, t+time.Duration(i)*sendGap)
		if !ok {
			pq.Received = t + 5*time.Second // the default timeout
		}
		p.Queries = append(p.Queries, pq)
		end = max(end, pq.Received)
	}
	return p.Queries[first:], end
}

func literal(name string) (netip.Addr, bool) {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case isDigit(c), c == '.', c == ':', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return netip.Addr{}, false // cannot be an address: skip the parse and its error
		}
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(name, "."))
	return a, err == nil && a.Zone() == ""
}

// glibc h_errno values.
const (
	hostNotFound = "HOST_NOT_FOUND"
	noData       = "NO_DATA"
	tryAgain     = "TRY_AGAIN"
	noRecovery   = "NO_RECOVERY"
)

// gotAnswer is __res_context_query's verdict on a candidate's replies: true
// when one of them is NOERROR with records in the answer section; else the
// h_errno it leaves.
func gotAnswer(rs []PathQuery) (bool, string) {
	for _, r := range rs {
		if r.Rcode == RcodeSuccess && len(r.Answers) > 0 {
			return true, ""
		}
	}
	if len(rs) == 0 {
		return false, noRecovery
	}
	first := rs[0]
	pick := first.Rcode
	if pick == RcodeSuccess && len(rs) > 1 {
		pick = rs[1].Rcode
	}
	for _, r := range rs {
		if r.Rcode == NoReply {
			return false, tryAgain // timed out
		}
	}
	switch pick {
	case RcodeNameError:
		return false, hostNotFound
	case RcodeServerFailure:
		return false, tryAgain
	case RcodeSuccess:
		return false, noData
	}
	return false, noRecovery
}

// glibcRun is one getaddrinfo call's state.
type glibcRun struct {
	st           Stub
	p            Path
	server       string
	rt           route
	start        time.Time
	t            time.Duration
	herrno       string
	lastServfail bool
}

// query is __res_context_querydomain: the candidate's A and AAAA.
func (g *glibcRun) query(name, domain string) (bool, []PathQuery) {
	fq := candidate(name, domain)
	if ni := scanName(fq); !ni.valid {
		g.herrno = noRecovery // res_mkquery refuses the name
		return false, nil
	}
	rs, end := g.st.sendPair(&g.p, g.server, g.rt, fq, g.start, g.t)
	g.t = end
	ok, h := gotAnswer(rs)
	if !ok {
		g.herrno = h
		g.lastServfail = false
		for _, r := range rs {
			if r.Rcode == RcodeServerFailure {
				g.lastServfail = true
			}
		}
	}
	return ok, rs
}

// candidate joins a name and a search domain into a fully qualified name
// with one allocation; domain "" means the name as it is.
func candidate(name, domain string) string {
	if domain == "" || domain == "." {
		return fqdn(name)
	}
	if strings.HasSuffix(domain, ".") {
		return name + "." + domain
	}
	return name + "." + domain + "."
}

// lookupGlibc is getaddrinfo over __res_context_search.
func (st Stub) lookupGlibc(name string, now time.Time) Path {
	g := glibcRun{st: st, p: Path{Resolver: Glibc}, start: now, herrno: hostNotFound}
	if a, ok := literal(name); ok {
		g.p.Outcome, g.p.Addresses = "NOERROR", []netip.Addr{a}
		return g.p
	}
	c := glibcConf(st.Conf)
	g.server = "127.0.0.1"
	if len(c.nameservers) > 0 {
		g.server = c.nameservers[0]
	}
	g.rt = st.route(g.server)
	g.p.Server = g.server
	g.p.Queries = make([]PathQuery, 0, len(st.types()))
	dots := ndotsOf(name)
	trailing := strings.HasSuffix(name, ".")
	saved := ""
	triedAsIs := false
	if dots >= c.ndots || trailing {
		ok, rs := g.query(name, "")
		if ok {
			return g.finish(rs)
		}
		if trailing {
			g.p.Elapsed = g.t
			return st.fail(g.p, g.herrno)
		}
		saved = g.herrno
		triedAsIs = true
	}
	searched, rootOnList := false, false
	gotNodata, gotServfail := false, false
	if !trailing {
	walk:
		for _, d := range c.search {
			searched = true
			d = strings.TrimPrefix(d, ".")
			if d == "" {
				rootOnList = true
				d = "."
			}
			ok, rs := g.query(name, d)
			if ok {
				return g.finish(rs)
			}
			switch g.herrno {
			case noData:
				gotNodata = true
			case hostNotFound:
			case tryAgain:
				if g.lastServfail {
					gotServfail = true
					continue
				}
				break walk
			default:
				break walk
			}
		}
	}
	if (dots > 0 || !searched || !c.noTLDQuery) && !(triedAsIs || rootOnList) {
		ok, rs := g.query(name, "")
		if ok {
			return g.finish(rs)
		}
	}
	h := g.herrno
	switch {
	case saved != "":
		h = saved
	case gotNodata:
		h = noData
	case gotServfail:
		h = tryAgain
	}
	g.p.Elapsed = g.t
	return st.fail(g.p, h)
}

func (g *glibcRun) finish(rs []PathQuery) Path {
	g.p.Elapsed = g.t
	g.st.collect(&g.p, rs)
	return g.p
}

// fail fills the outcome of a lookup that found nothing from h_errno.
func (st Stub) fail(p Path, herrno string) Path {
	p.ErrnoName = herrno
	switch herrno {
	case hostNotFound:
		p.Outcome, p.Error = "NXDOMAIN", "EAI_NONAME"
	case noData:
		p.Outcome, p.Error = "NODATA", "EAI_NODATA"
	case tryAgain:
		p.Outcome, p.Error = "SERVFAIL", "EAI_AGAIN"
		for _, q := range p.Queries {
			if q.Rcode == NoReply {
				p.Outcome = "TIMEOUT"
			}
		}
	default:
		p.Outcome, p.Error = "REFUSED", "EAI_FAIL"
		if len(p.Queries) > 0 {
			if rc := p.Queries[len(p.Queries)-1].Rcode; rc != NoReply && rc != RcodeSuccess {
				p.Outcome = rc.String()
			}
		}
	}
	return p
}

// collect takes the addresses of a successful candidate's replies, A before
// AAAA; a reply with records but no address (a CNAME to nowhere) ends the
// search without one.
func (st Stub) collect(p *Path, rs []PathQuery) {
	for _, r := range rs {
		for _, rr := range r.Answers {
			if rr.Type == TypeA || rr.Type == TypeAAAA {
				if !slices.Contains(p.Addresses, rr.Addr) {
					p.Addresses = append(p.Addresses, rr.Addr)
				}
				if p.Canonical == "" {
					p.Canonical = strings.TrimSuffix(rr.Name, ".")
				}
			}
		}
	}
	if len(p.Addresses) == 0 {
		// records but no address (a CNAME to nowhere): the search is over;
		// glibc's getaddrinfo then reports the name unknown
		p.Outcome, p.Error, p.ErrnoName = "NODATA", "EAI_NONAME", hostNotFound
		return
	}
	p.Outcome = "NOERROR"
}

// lookupMusl is musl's getaddrinfo (name_from_dns_search).
func (st Stub) lookupMusl(name string, now time.Time) Path {
	p := Path{Resolver: Musl}
	if a, ok := literal(name); ok {
		p.Outcome, p.Addresses = "NOERROR", []netip.Addr{a}
		return p
	}
	c := muslConf(st.Conf)
	server := "127.0.0.1"
	if len(c.nameservers) > 0 {
		server = c.nameservers[0]
	}
	rt := st.route(server)
	p.Server = server
	l := len(name)
	trailing := strings.HasSuffix(name, ".")
	if trailing {
		l--
	}
	if l == 0 || l >= 254 || name[l-1] == '.' {
		p.Outcome, p.Error = "NXDOMAIN", "EAI_NONAME"
		return p
	}
	search := c.search
	if ndotsOf(name) >= c.ndots || trailing {
		search = nil
	}
	var t time.Duration
	// fromDNS is name_from_dns: >0 found, 0 try the next candidate, <0 stop
	fromDNS := func(cand string) (int, string) {
		if ni := scanName(fqdn(cand)); !ni.valid {
			return 0, "" // res_mkquery fails: next candidate
		}
		rs, end := st.sendPair(&p, server, rt, fqdn(cand), now, t)
		t = end
		for _, r := range rs {
			switch r.Rcode {
			case NoReply, RcodeServerFailure:
				return -1, "EAI_AGAIN"
			case RcodeNameError:
				return 0, ""
			case RcodeSuccess:
			default:
				return -1, "EAI_FAIL"
			}
		}
		st.collect(&p, rs)
		if len(p.Addresses) > 0 {
			return len(p.Addresses), ""
		}
		return -1, "EAI_NODATA"
	}
	for _, d := range search {
		if len(d) >= 256-l-1 {
			continue
		}
		n, e := fromDNS(name[:l] + "." + d)
		if n != 0 {
			return st.muslEnd(p, t, n, e)
		}
	}
	n, e := fromDNS(name)
	return st.muslEnd(p, t, n, e)
}

func (st Stub) muslEnd(p Path, t time.Duration, n int, e string) Path {
	p.Elapsed = t
	if n > 0 {
		p.Outcome, p.Error, p.ErrnoName = "NOERROR", "", ""
		return p
	}
	p.Addresses = nil
	p.Canonical = ""
	switch e {
	case "":
		p.Outcome, p.Error = "NXDOMAIN", "EAI_NONAME"
	case "EAI_NODATA":
		p.Outcome, p.Error = "NODATA", e
	case "EAI_AGAIN":
		p.Outcome, p.Error = "SERVFAIL", e
		for _, q := range p.Queries {
			if q.Rcode == NoReply {
				p.Outcome = "TIMEOUT"
			}
		}
	default:
		p.Outcome, p.Error = "REFUSED", e
		if len(p.Queries) > 0 {
			if rc := p.Queries[len(p.Queries)-1].Rcode; rc != NoReply && rc != RcodeSuccess {
				p.Outcome = rc.String()
			}
		}
	}
	p.ErrnoName = ""
	return p
}

// arrivalOrder returns the queries sorted by when their replies arrived,
// ties in the order sent: the modelled order a client that prints replies as
// they come (busybox nslookup) shows them.
func arrivalOrder(qs []PathQuery) []PathQuery {
	out := slices.Clone(qs)
	slices.SortStableFunc(out, func(a, b PathQuery) int { return cmp.Compare(a.Received, b.Received) })
	return out
}
