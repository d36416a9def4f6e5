package dns

import (
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// DigVersion is the dig the printer imitates (Debian 12's bind9-dnsutils).
const DigVersion = "9.18.49-1~deb12u3-Debian"

// DigOptions are the dig flags the printer models.
type DigOptions struct {
	// Short is +short: only the answer section's data, one record a line.
	Short bool
	// TCP is +tcp: the SERVER line says TCP.
	TCP bool
	// Search is +search: the name is tried under the search domains as
	// resolv.conf's ndots says, and the first answer that is not NXDOMAIN is
	// printed.
	Search bool
	// Rand draws the query id and the client cookie. nil prints id 0 and no
	// COOKIE line, as +nocookie would.
	Rand *rand.Rand
	// Args is the command line echoed in the banner; "" means the name,
	// followed by the type when it is not A.
	Args string
}

// Dig runs dig NAME [TYPE] in the pod at virtual time now: one query to the
// first nameserver of its resolv.conf (the name made absolute unless
// +search), printed as dig 9.18 prints it. It returns the output and the
// reply.
func (st Stub) Dig(name string, qtype uint16, now time.Time, opt DigOptions) (string, Reply) {
	server := st.nameserver(3)
	cands := []string{fqdn(name)}
	if opt.Search && !strings.HasSuffix(name, ".") {
		c := glibcConf(st.Conf)
		cands = nil
		if ndotsOf(name) >= c.ndots {
			cands = append(cands, name+".")
		}
		for _, d := range c.search {
			cands = append(cands, name+"."+strings.TrimSuffix(d, ".")+".")
		}
		if ndotsOf(name) < c.ndots {
			cands = append(cands, name+".")
		}
	}
	var id uint16
	var cookie []byte
	if opt.Rand != nil {
		id = uint16(opt.Rand.IntN(65536))
		cookie = make([]byte, 8)
		for i := range cookie {
			cookie[i] = byte(opt.Rand.IntN(256))
		}
	}
	var pq PathQuery
	var r Reply
	ok := false
	rt := st.route(server)
	for _, c := range cands {
		pq, r, ok = st.sendReply(server, rt, fqdn(c), qtype, now, 0)
		if !ok || r.Rcode != RcodeNameError {
			break
		}
	}
	var b strings.Builder
	if !ok {
		if opt.Short {
			b.WriteString(";; communications error to " + server + "#53: timed out\n")
		} else {
			b.WriteString("\n; <<>> DiG " + DigVersion + " <<>> " + digArgs(name, qtype, opt) + "\n")
			b.WriteString(";; global options: +cmd\n")
			b.WriteString(";; communications error to " + server + "#53: timed out\n")
			b.WriteString(";; communications error to " + server + "#53: timed out\n")
			b.WriteString(";; communications error to " + server + "#53: timed out\n")
			b.WriteString(";; no servers could be reached\n\n")
		}
		return b.String(), Reply{}
	}
	if opt.Short {
		for _, rr := range r.Answer {
			b.WriteString(rr.Rdata())
			b.WriteString("\n")
		}
		return b.String(), r
	}
	b.WriteString("\n; <<>> DiG " + DigVersion + " <<>> " + digArgs(name, qtype, opt) + "\n")
	b.WriteString(";; global options: +cmd\n")
	b.WriteString(";; Got answer:\n")
	if isLocal(r.Question.Name) {
		b.WriteString(";; WARNING: .local is reserved for Multicast DNS\n")
		b.WriteString(";; You are currently testing what happens when an mDNS query is leaked to DNS\n")
	}
	b.WriteString(";; ->>HEADER<<- opcode: QUERY, status: " + RcodeString(r.Rcode) + ", id: " + strconv.Itoa(int(id)) + "\n")
	flags := "qr"
	if r.Authoritative {
		flags += " aa"
	}
	flags += " rd"
	if r.RecursionAvailable {
		flags += " ra"
	}
	b.WriteString(";; flags: " + flags + "; QUERY: 1, ANSWER: " + strconv.Itoa(len(r.Answer)) +
		", AUTHORITY: " + strconv.Itoa(len(r.Authority)) + ", ADDITIONAL: " + strconv.Itoa(len(r.Additional)+1) + "\n")
	if !r.RecursionAvailable {
		b.WriteString(";; WARNING: recursion requested but not available\n")
	}
	b.WriteString("\n;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n")
	if cookie != nil {
		b.WriteString("; COOKIE: " + hex.EncodeToString(cookie) + " (echoed)\n")
	}
	b.WriteString(";; QUESTION SECTION:\n")
	b.WriteString(bindQuestion(r.Question))
	b.WriteString("\n")
	for _, sec := range [...]struct {
		title string
		rrs   []RR
	}{{"ANSWER", r.Answer}, {"AUTHORITY", r.Authority}, {"ADDITIONAL", r.Additional}} {
		if len(sec.rrs) == 0 {
			continue
		}
		b.WriteString("\n;; " + sec.title + " SECTION:\n")
		for _, rr := range sec.rrs {
			b.WriteString(bindRR(rr))
			b.WriteString("\n")
		}
	}
	proto := "UDP"
	if opt.TCP {
		proto = "TCP"
	}
	b.WriteString("\n;; Query time: " + strconv.FormatInt(int64((pq.Received-pq.Sent)/time.Millisecond), 10) + " msec\n")
	b.WriteString(";; SERVER: " + server + "#53(" + server + ") (" + proto + ")\n")
	b.WriteString(";; WHEN: " + now.UTC().Format("Mon Jan 02 15:04:05 MST 2006") + "\n")
	optLen := 11
	if cookie != nil {
		optLen += 4 + 8
	}
	// CoreDNS sends a reply uncompressed when it fits (request.Scrub)
	size := WireLen(r, false) + optLen
	if size > 1232 {
		size = WireLen(r, true) + optLen
	}
	b.WriteString(";; MSG SIZE  rcvd: " + strconv.Itoa(size) + "\n\n")
	return b.String(), r
}

func digArgs(name string, qtype uint16, opt DigOptions) string {
	if opt.Args != "" {
		return opt.Args
	}
	if qtype == TypeA {
		return name
	}
	return name + " " + TypeString(qtype)
}

func isLocal(n string) bool {
	l := lowerASCII(n)
	return l == "local." || strings.HasSuffix(l, ".local.")
}

// BIND's masterfile columns for dig's sections: owner, TTL at 24, class at
// 32, type at 40, data at 48, tab stops every 8.
func bindIndent(b []byte, col *int, to int) []byte {
	from := *col
	if to < from+1 {
		to = from + 1
	}
	tabs := to/8 - from/8
	if tabs > 0 {
		for i := 0; i < tabs; i++ {
			b = append(b, '\t')
		}
		from = (to / 8) * 8
	}
	for ; from < to; from++ {
		b = append(b, ' ')
	}
	*col = to
	return b
}

func bindRR(rr RR) string {
	b := make([]byte, 0, 96)
	b = append(b, rr.Name...)
	col := len(rr.Name)
	b = bindIndent(b, &col, 24)
	t := strconv.FormatUint(uint64(rr.TTL), 10)
	b = append(b, t...)
	col += len(t)
	b = bindIndent(b, &col, 32)
	b = append(b, "IN"...)
	col += 2
	b = bindIndent(b, &col, 40)
	ty := TypeString(rr.Type)
	b = append(b, ty...)
	col += len(ty)
	b = bindIndent(b, &col, 48)
	b = rr.appendRdata(b)
	return string(b)
}

func bindQuestion(q Question) string {
	b := make([]byte, 0, 64)
	b = append(b, ';')
	b = append(b, q.Name...)
	col := len(q.Name) // dig does not count the ';' when it aligns
	b = bindIndent(b, &col, 32)
	b = append(b, "IN"...)
	col += 2
	b = bindIndent(b, &col, 40)
	b = append(b, TypeString(q.Type)...)
	return string(b)
}

// WireLen returns the size of the reply on the wire without an OPT record,
// with or without name compression as miekg/dns packs it.
func WireLen(r Reply, compress bool) int {
	c := compressor{on: compress}
	n := 12
	n += c.name(r.Question.Name, n, true) + 4
	for _, sec := range [][]RR{r.Answer, r.Authority, r.Additional} {
		for _, rr := range sec {
			n += c.name(rr.Name, n, true)
			n += 10
			switch rr.Type {
			case TypeA:
				n += 4
			case TypeAAAA:
				n += 16
			case TypeCNAME, TypeNS, TypePTR:
				n += c.name(rr.Target, n, true)
			case TypeMX:
				n += 2
				n += c.name(rr.Target, n, true)
			case TypeSRV:
				n += 6
				n += c.name(rr.Target, n, false)
			case TypeTXT:
				n += txtLen(rr.Text)
			case TypeSOA:
				n += c.name(rr.Target, n, true)
				n += c.name(rr.Mbox, n, true)
				n += 20
			}
		}
	}
	return n
}

func txtLen(s string) int {
	if len(s) == 0 {
		return 1
	}
	n := 0
	for len(s) > 0 {
		k := min(len(s), 255)
		n += 1 + k
		s = s[k:]
	}
	return n
}

type compressor struct {
	on   bool
	seen map[string]int
}

// name returns the packed length of a name written at offset off, and
// remembers its suffixes for later pointers.
func (c *compressor) name(n string, off int, compress bool) int {
	if n == "." || n == "" {
		return 1
	}
	if !c.on {
		return wireNameLen(n)
	}
	if c.seen == nil {
		c.seen = map[string]int{}
	}
	var idx [maxLabels]int
	cnt := labelStarts(n, &idx)
	size := 0
	for i := 0; i < cnt; i++ {
		suffix := n[idx[i]:]
		if compress {
			if _, ok := c.seen[suffix]; ok {
				return size + 2
			}
		}
		if off+size < 16384 {
			if _, ok := c.seen[suffix]; !ok {
				c.seen[suffix] = off + size
			}
		}
		end := len(n) - 1
		if i+1 < cnt {
			end = idx[i+1] - 1
		}
		size += 1 + labelOctets(n[idx[i]:end])
	}
	return size + 1
}

// labelOctets is a label's length once escapes are decoded.
func labelOctets(l string) int {
	n := 0
	for i := 0; i < len(l); i++ {
		if l[i] == '\\' && i+1 < len(l) {
			if isDigit(l[i+1]) {
				i += 3
			} else {
				i++
			}
		}
		n++
	}
	return n
}

// wireNameLen is the uncompressed wire length of a name.
func wireNameLen(n string) int {
	if n == "." || n == "" {
		return 1
	}
	var idx [maxLabels]int
	cnt := labelStarts(n, &idx)
	size := 1
	for i := 0; i < cnt; i++ {
		end := len(n) - 1
		if i+1 < cnt {
			end = idx[i+1] - 1
		}
		if i == cnt-1 && !strings.HasSuffix(n, ".") {
			end = len(n)
		}
		size += 1 + labelOctets(n[idx[i]:end])
	}
	return size
}
