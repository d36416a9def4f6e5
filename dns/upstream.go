package dns

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Upstream is the world outside the cluster as the cluster DNS's forwarder
// sees it: a recursive resolver that knows the records of one zone-file-like
// set and nothing else. A name it does not hold, and that is not an ancestor
// of one it holds, is NXDOMAIN; an ancestor, or a held name without the asked
// type, is NODATA. CNAMEs are followed (up to 8 in a chain). Replies are not
// authoritative and offer recursion, as a public resolver's are. Names can be
// made to fail with SERVFAIL, for fault injection.
//
// An Upstream is safe for concurrent use.
type Upstream struct {
	mu    sync.RWMutex
	gen   atomic.Uint64
	nodes map[string][]RR   // lower-case owner -> records, in insertion order
	ents  map[string]int    // lower-case proper ancestors of owners -> count
	fail  map[string]bool   // lower-case names answering SERVFAIL
	order map[string]uint64 // insertion order of owners, for Records
	seq   uint64
}

// NewUpstream returns an empty outside world: every name is NXDOMAIN.
func NewUpstream() *Upstream {
	u := &Upstream{
		nodes: map[string][]RR{},
		ents:  map[string]int{},
		fail:  map[string]bool{},
		order: map[string]uint64{},
	}
	u.gen.Store(1)
	return u
}

// DefaultUpstream returns the outside world of the examples: the lab's
// raw.githubusercontent.com with its four A and four AAAA records (TTL 300).
func DefaultUpstream() *Upstream {
	u := NewUpstream()
	err := u.AddZone(`$ORIGIN githubusercontent.com.
$TTL 300
raw	IN A    185.199.108.133
	IN A    185.199.109.133
	IN A    185.199.110.133
	IN A    185.199.111.133
	IN AAAA 2606:50c0:8000::154
	IN AAAA 2606:50c0:8001::154
	IN AAAA 2606:50c0:8002::154
	IN AAAA 2606:50c0:8003::154
`, "")
	if err != nil {
		panic(err)
	}
	return u
}

// Gen returns a number that changes whenever the Upstream does.
func (u *Upstream) Gen() uint64 { return u.gen.Load() }

// AddZone parses zone-file text (see ParseZone) and adds every record, or
// none if the text does not parse or a record is refused.
func (u *Upstream) AddZone(text, origin string) error {
	rrs, err := ParseZone(text, origin)
	if err != nil {
		return err
	}
	return u.Add(rrs...)
}

// Add adds records; adding one that is already there changes nothing. A
// CNAME cannot share its owner with other data (RFC 1034 §3.6.2); nothing is
// added if a record is refused.
func (u *Upstream) Add(rrs ...RR) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, rr := range rrs {
		if err := u.check(rr, rrs); err != nil {
			return err
		}
	}
	for _, rr := range rrs {
		k := lowerASCII(rr.Name)
		if slices.ContainsFunc(u.nodes[k], func(x RR) bool { return sameRR(x, rr) }) {
			continue
		}
		if _, ok := u.nodes[k]; !ok {
			u.seq++
			u.order[k] = u.seq
			for a := parentName(k); a != ""; a = parentName(a) {
				u.ents[a]++
			}
		}
		u.nodes[k] = append(slices.Clip(u.nodes[k]), rr)
	}
	u.gen.Add(1)
	return nil
}

func (u *Upstream) check(rr RR, batch []RR) error {
	ni := scanName(rr.Name)
	if !ni.valid || !ni.fqdn {
		return fmt.Errorf("dns: upstream record %q: owner is not a fully qualified name", rr.String())
	}
	switch rr.Type {
	case TypeA, TypeAAAA, TypeCNAME, TypeNS, TypePTR, TypeMX, TypeSRV, TypeTXT, TypeSOA:
	default:
		return fmt.Errorf("dns: upstream record %q: type %s not supported", rr.String(), TypeString(rr.Type))
	}
	if (rr.Type == TypeA && !rr.Addr.Is4()) || (rr.Type == TypeAAAA && (!rr.Addr.IsValid() || rr.Addr.Is4())) {
		return fmt.Errorf("dns: upstream record %q: bad address", rr.String())
	}
	k := lowerASCII(rr.Name)
	others := func(pred func(RR) bool) bool {
		for _, x := range u.nodes[k] {
			if pred(x) {
				return true
			}
		}
		for _, x := range batch {
			if equalFoldName(x.Name, rr.Name) && pred(x) {
				return true
			}
		}
		return false
	}
	if rr.Type == TypeCNAME && others(func(x RR) bool { return x.Type != TypeCNAME }) {
		return fmt.Errorf("dns: upstream record %q: CNAME and other data", rr.String())
	}
	if rr.Type != TypeCNAME && others(func(x RR) bool { return x.Type == TypeCNAME }) {
		return fmt.Errorf("dns: upstream record %q: CNAME and other data", rr.String())
	}
	if rr.Type == TypeCNAME && others(func(x RR) bool { return x.Type == TypeCNAME && !sameRR(x, rr) }) {
		return fmt.Errorf("dns: upstream record %q: more than one CNAME", rr.String())
	}
	return nil
}

// Remove deletes the records of one type at a name (every type for
// TypeANY) and returns how many went.
func (u *Upstream) Remove(name string, qtype uint16) int {
	k := lowerASCII(fqdn(name))
	u.mu.Lock()
	defer u.mu.Unlock()
	old := u.nodes[k]
	keep := old[:0:0]
	for _, rr := range old {
		if qtype != TypeANY && rr.Type != qtype {
			keep = append(keep, rr)
		}
	}
	n := len(old) - len(keep)
	if n == 0 {
		return 0
	}
	if len(keep) == 0 {
		delete(u.nodes, k)
		delete(u.order, k)
		for a := parentName(k); a != ""; a = parentName(a) {
			if u.ents[a]--; u.ents[a] == 0 {
				delete(u.ents, a)
			}
		}
	} else {
		u.nodes[k] = keep
	}
	u.gen.Add(1)
	return n
}

// Fail makes a name answer SERVFAIL, whatever its type, including when a
// CNAME chain reaches it.
func (u *Upstream) Fail(name string) {
	u.mu.Lock()
	u.fail[lowerASCII(fqdn(name))] = true
	u.mu.Unlock()
	u.gen.Add(1)
}

// Heal undoes Fail.
func (u *Upstream) Heal(name string) {
	u.mu.Lock()
	delete(u.fail, lowerASCII(fqdn(name)))
	u.mu.Unlock()
	u.gen.Add(1)
}

// Records returns every record, owners in the order they were first added.
func (u *Upstream) Records() []RR {
	u.mu.RLock()
	defer u.mu.RUnlock()
	keys := make([]string, 0, len(u.nodes))
	for k := range u.nodes {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return int(u.order[a]) - int(u.order[b])
	})
	var out []RR
	for _, k := range keys {
		out = append(out, u.nodes[k]...)
	}
	return out
}

// Query answers one question as a recursive resolver would.
func (u *Upstream) Query(name string, qtype uint16) Reply {
	ni := scanName(name)
	if !ni.valid {
		return Reply{Question: Question{Name: name, Type: qtype}, Rcode: RcodeFormatError, RecursionAvailable: true}
	}
	q := fqdn(name)
	return u.query(q, lowerASCII(q), qtype)
}

// parentName returns the name one label up, "." for a single label, "" for
// the root. n is lower-case and fully qualified.
func parentName(n string) string {
	if n == "." {
		return ""
	}
	var idx [maxLabels]int
	c := labelStarts(n, &idx)
	if c <= 1 {
		return "."
	}
	return n[idx[1]:]
}

func (u *Upstream) query(qname, lname string, qtype uint16) Reply {
	u.mu.RLock()
	defer u.mu.RUnlock()
	r := Reply{Question: Question{Name: qname, Type: qtype}, RecursionAvailable: true}
	if len(u.fail) > 0 && u.fail[lname] {
		r.Rcode = RcodeServerFailure
		return r
	}
	owner, cur := qname, lname
	var chain []RR
	for hop := 0; ; hop++ {
		if hop > 8 {
			r.Rcode = RcodeServerFailure
			r.Answer = nil
			return r
		}
		if hop > 0 && u.fail[cur] {
			r.Rcode = RcodeServerFailure
			return r
		}
		rrs, ok := u.nodes[cur]
		if !ok {
			if cur != "." && u.ents[cur] == 0 {
				r.Rcode = RcodeNameError
			}
			r.Answer = chain
			r.Authority = u.soaFor(cur)
			return r
		}
		var cname *RR
		n := 0
		for i := range rrs {
			if rrs[i].Type == TypeCNAME && qtype != TypeCNAME && qtype != TypeANY {
				cname = &rrs[i]
			}
			if rrs[i].Type == qtype || qtype == TypeANY {
				n++
			}
		}
		if cname != nil {
			c := *cname
			c.Name = owner
			chain = append(chain, c)
			owner, cur = c.Target, lowerASCII(c.Target)
			if slices.ContainsFunc(chain[:len(chain)-1], func(x RR) bool { return equalFoldName(x.Name, c.Target) }) || equalFoldName(c.Target, qname) {
				r.Rcode = RcodeServerFailure
				r.Answer = nil
				return r
			}
			continue
		}
		if n == 0 {
			r.Answer = chain
			r.Authority = u.soaFor(cur)
			return r
		}
		if chain == nil && n == len(rrs) && allNamed(rrs, owner) {
			r.Answer = rrs // a view: the stored records already read as asked
			return r
		}
		for _, rr := range rrs {
			if rr.Type == qtype || qtype == TypeANY {
				rr.Name = owner
				chain = append(chain, rr)
			}
		}
		r.Answer = chain
		return r
	}
}

// soaFor returns the SOA of the closest enclosing name that has one.
func (u *Upstream) soaFor(lname string) []RR {
	for n := lname; n != ""; n = parentName(n) {
		for _, rr := range u.nodes[n] {
			if rr.Type == TypeSOA {
				return []RR{rr}
			}
		}
	}
	return nil
}

// String renders the records as zone-file lines.
func (u *Upstream) String() string {
	var b strings.Builder
	for _, rr := range u.Records() {
		b.WriteString(rr.String())
		b.WriteString("\n")
	}
	return b.String()
}

func allNamed(rrs []RR, name string) bool {
	for _, rr := range rrs {
		if rr.Name != name {
			return false
		}
	}
	return true
}
