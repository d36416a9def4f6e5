package dns

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Nslookup is the result of busybox nslookup in a pod: what it printed, its
// exit status, and the queries behind it.
type Nslookup struct {
	Output   string `json:"output"`
	ExitCode int    `json:"exitCode"`
	Path     Path   `json:"path"`
}

// NslookupOptions select version-dependent behaviour of busybox nslookup.
type NslookupOptions struct {
	// NoAnswerLine prints "*** Can't find NAME: No answer" for an empty
	// NOERROR reply, as busybox 1.30 to 1.33 did (Alpine 3.11 to 3.14).
	// Busybox 1.34 and later print nothing but the blank line.
	NoAnswerLine bool
}

// busyboxSearch is how busybox reads resolv.conf: the first nameserver it
// lists (it tries the others only when the first never answers), and the
// argument of the last search line, or of a domain line when no search line
// came first; lines are read in 512-byte pieces, so a longer search line is
// cut. "domain ." means none.
func busyboxSearch(rc ResolvConf) (server string, search []string) {
	server = "127.0.0.1"
	haveSearch := false
	arg := ""
	haveArg := false
	first := true
	for _, line := range strings.Split(rc.String(), "\n") {
		for len(line) > 0 {
			piece := line
			if len(piece) > 511 {
				piece = piece[:511]
			}
			line = line[len(piece):]
			key, rest, _ := strings.Cut(strings.TrimLeft(piece, " \t"), " ")
			rest = strings.TrimLeft(rest, " \t")
			if rest == "" {
				continue
			}
			switch key {
			case "nameserver":
				if first {
					server = strings.Fields(rest)[0]
					first = false
				}
			case "search":
				haveSearch = true
				arg, haveArg = rest, true
			case "domain":
				if !haveSearch {
					arg, haveArg = rest, true
				}
			}
		}
	}
	if !haveArg || arg == "." {
		return server, nil
	}
	return server, strings.Fields(arg)
}

// makePtr is busybox's make_ptr: the reverse name of an address argument.
func makePtr(arg string) (string, bool) {
	a, err := netip.ParseAddr(arg)
	if err != nil || a.Zone() != "" {
		return "", false
	}
	return strings.TrimSuffix(ReverseName(a), "."), true
}

// Nslookup runs busybox nslookup NAME in the pod (the "big" applet of
// busybox 1.30 and later, which has its own DNS client and reads
// resolv.conf itself). A name without a dot is tried under every search
// domain and never alone; a name with a dot is tried as given; an address
// asks for its PTR. All queries leave at once (all A, then all AAAA) and
// replies print in arrival order: modelled as the send order (one
// microsecond apart) plus the round trip plus the server's modelled work,
// ties kept in send order. NXDOMAIN for a name the cluster zone rejects at
// once arrives before NXDOMAIN for an unknown namespace, which arrives before
// an answer that needed the outside world; this reproduces the lab's
// transcript. A SERVFAIL reply is retried at once while busybox's retry
// budget (twice the number of queries) lasts.
func (st Stub) Nslookup(name string, now time.Time) Nslookup {
	return st.NslookupWith(name, now, NslookupOptions{})
}

// NslookupWith is Nslookup with version options.
func (st Stub) NslookupWith(name string, now time.Time, opt NslookupOptions) Nslookup {
	server, search := busyboxSearch(st.Conf)
	type q struct {
		name  string
		qtype uint16
	}
	var qs []q
	if ptr, ok := makePtr(name); ok {
		qs = append(qs, q{ptr, TypePTR})
	} else {
		for _, t := range []uint16{TypeA, TypeAAAA} {
			if len(search) > 0 && !strings.Contains(name, ".") {
				for _, d := range search {
					qs = append(qs, q{name + "." + d, t})
				}
			} else {
				qs = append(qs, q{name, t})
			}
		}
	}
	p := Path{Resolver: Busybox, Name: name, Server: server, ResolvConf: st.Conf, Warnings: st.Warnings}
	var pending []PathQuery
	for i, x := range qs {
		pq, ok := st.exchange(server, x.name, x.qtype, now, time.Duration(i)*sendGap)
		pq.Name = x.name
		if !ok {
			pq.Received = -1
		}
		pending = append(pending, pq)
	}
	// process arrivals in time order; SERVFAIL is resent while the budget lasts
	budget := 2 * len(qs)
	var done []PathQuery
	var all []PathQuery
	for len(pending) > 0 {
		pending = arrivalOrder(pending)
		if pending[0].Received < 0 {
			// nothing more will come
			all = append(all, pending...)
			break
		}
		x := pending[0]
		pending = pending[1:]
		all = append(all, x)
		if x.Rcode == RcodeServerFailure && budget > 0 {
			budget--
			r, _ := st.exchange(server, x.Name, uint16(x.Type), now, x.Received)
			r.Name = x.Name
			pending = append(pending, r)
			continue
		}
		done = append(done, x)
	}
	var b strings.Builder
	exit := 0
	if len(done) == 0 {
		b.WriteString(";; connection timed out; no servers could be reached\n\n")
		p.Queries = sortBySent(all)
		p.Outcome = "TIMEOUT"
		return Nslookup{Output: b.String(), ExitCode: 1, Path: p}
	}
	b.WriteString("Server:\t\t")
	b.WriteString(server)
	b.WriteString("\nAddress:\t")
	if a, err := netip.ParseAddr(server); err == nil && a.Is6() && !a.Is4In6() {
		b.WriteString("[" + server + "]:53")
	} else {
		b.WriteString(server + ":53")
	}
	b.WriteString("\n\n")
	for _, x := range done {
		if x.Rcode != RcodeSuccess {
			b.WriteString("** server can't find ")
			b.WriteString(x.Name)
			b.WriteString(": ")
			b.WriteString(x.Rcode.String())
			b.WriteString("\n")
			exit = 1
		} else {
			if !x.Authoritative {
				b.WriteString("Non-authoritative answer:\n")
			}
			n := 0
			for _, rr := range x.Answers {
				owner := bareName(rr.Name)
				switch rr.Type {
				case TypeA, TypeAAAA:
					b.WriteString("Name:\t" + owner + "\nAddress: " + rr.Addr.String() + "\n")
				case TypeCNAME:
					b.WriteString(owner + "\tcanonical name = " + bareName(rr.Target) + "\n")
				case TypePTR:
					b.WriteString(owner + "\tname = " + bareName(rr.Target) + "\n")
				case TypeNS:
					b.WriteString(owner + "\tnameserver = " + bareName(rr.Target) + "\n")
				case TypeMX:
					b.WriteString(owner + "\tmail exchanger = " + strconv.Itoa(int(rr.Priority)) + " " + bareName(rr.Target) + "\n")
				case TypeTXT:
					if rr.Text != "" {
						b.WriteString(owner + "\ttext = \"" + rr.Text + "\"\n")
					}
				case TypeSOA:
					b.WriteString(owner + "\n\torigin = " + bareName(rr.Target) + "\n\tmail addr = " + bareName(rr.Mbox) +
						"\n\tserial = " + u32(rr.Serial) + "\n\trefresh = " + u32(rr.Refresh) + "\n\tretry = " + u32(rr.Retry) +
						"\n\texpire = " + u32(rr.Expire) + "\n\tminimum = " + u32(rr.Minimum) + "\n")
				}
				n++
			}
			if n == 0 && opt.NoAnswerLine {
				b.WriteString("*** Can't find " + x.Name + ": No answer\n")
			}
		}
		b.WriteString("\n")
	}
	var missing []PathQuery
	for _, x := range all {
		if x.Received < 0 {
			missing = append(missing, x)
		}
	}
	for _, x := range missing {
		b.WriteString("*** Can't find " + x.Name + ": No answer\n")
	}
	if len(missing) > 0 {
		b.WriteString("\n")
	}
	p.Queries = sortBySent(all)
	var last time.Duration
	for _, x := range p.Queries {
		if x.Received > last {
			last = x.Received
		}
		for _, rr := range x.Answers {
			if (rr.Type == TypeA || rr.Type == TypeAAAA) && !containsAddr(p.Addresses, rr.Addr) {
				p.Addresses = append(p.Addresses, rr.Addr)
			}
		}
	}
	p.Elapsed = last
	switch {
	case len(p.Addresses) > 0:
		p.Outcome = "NOERROR"
	case exit != 0:
		for _, x := range done {
			if x.Rcode != RcodeSuccess {
				p.Outcome = x.Rcode.String()
			}
		}
	default:
		p.Outcome = "NODATA"
	}
	if p.Addresses == nil {
		p.Addresses = []netip.Addr{}
	}
	return Nslookup{Output: b.String(), ExitCode: exit, Path: p}
}

func sortBySent(qs []PathQuery) []PathQuery {
	out := make([]PathQuery, len(qs))
	copy(out, qs)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Sent < out[j-1].Sent; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// bareName drops the root dot, as libresolv's presentation does (the root
// itself stays ".").
func bareName(n string) string {
	if n == "." {
		return n
	}
	return strings.TrimSuffix(n, ".")
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
