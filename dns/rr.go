package dns

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Record types the package knows by name. Any other uint16 is a valid query
// type too; it prints in the RFC 3597 form TYPEnnn.
const (
	TypeA     uint16 = 1
	TypeNS    uint16 = 2
	TypeCNAME uint16 = 5
	TypeSOA   uint16 = 6
	TypePTR   uint16 = 12
	TypeHINFO uint16 = 13
	TypeMX    uint16 = 15
	TypeTXT   uint16 = 16
	TypeAAAA  uint16 = 28
	TypeSRV   uint16 = 33
	TypeOPT   uint16 = 41
	TypeIXFR  uint16 = 251
	TypeAXFR  uint16 = 252
	TypeANY   uint16 = 255
)

var typeNames = [...]struct {
	t uint16
	s string
}{
	{TypeA, "A"}, {TypeNS, "NS"}, {TypeCNAME, "CNAME"}, {TypeSOA, "SOA"},
	{TypePTR, "PTR"}, {TypeHINFO, "HINFO"}, {TypeMX, "MX"}, {TypeTXT, "TXT"},
	{TypeAAAA, "AAAA"}, {TypeSRV, "SRV"}, {TypeOPT, "OPT"}, {TypeIXFR, "IXFR"},
	{TypeAXFR, "AXFR"}, {TypeANY, "ANY"},
}

// TypeString returns the mnemonic of a record type ("A", "SRV"), or TYPEnnn
// for a type without one.
func TypeString(t uint16) string {
	for _, n := range typeNames {
		if n.t == t {
			return n.s
		}
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// ParseType reads a record type mnemonic, case-insensitively, or the RFC 3597
// form TYPEnnn.
func ParseType(s string) (uint16, bool) {
	for _, n := range typeNames {
		if strings.EqualFold(n.s, s) {
			return n.t, true
		}
	}
	if len(s) > 4 && strings.EqualFold(s[:4], "TYPE") {
		v, err := strconv.ParseUint(s[4:], 10, 16)
		if err == nil {
			return uint16(v), true
		}
	}
	return 0, false
}

// QType is a record type that prints, and marshals to JSON, as its
// mnemonic.
type QType uint16

// String returns the type's mnemonic ("A", "SRV").
func (t QType) String() string { return TypeString(uint16(t)) }

// MarshalText renders the mnemonic.
func (t QType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a mnemonic or TYPEnnn.
func (t *QType) UnmarshalText(b []byte) error {
	v, ok := ParseType(string(b))
	if !ok {
		return fmt.Errorf("dns: unknown record type %q", b)
	}
	*t = QType(v)
	return nil
}

// Rcode is a response code that prints, and marshals to JSON, as dig names
// it. NoReply marks a query nothing answered; it prints as "".
type Rcode int

// NoReply is the Rcode of a query that got no answer.
const NoReply Rcode = -1

// String returns the rcode's name ("NXDOMAIN").
func (r Rcode) String() string {
	if r == NoReply {
		return ""
	}
	return RcodeString(int(r))
}

// MarshalText renders the name.
func (r Rcode) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a name ("" is NoReply).
func (r *Rcode) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = NoReply
		return nil
	}
	for i, n := range rcodeNames {
		if n == string(b) {
			*r = Rcode(i)
			return nil
		}
	}
	if v, err := strconv.Atoi(strings.TrimPrefix(string(b), "RCODE")); err == nil {
		*r = Rcode(v)
		return nil
	}
	return fmt.Errorf("dns: unknown rcode %q", b)
}

// Response codes (RFC 1035 §4.1.1, RFC 6895).
const (
	RcodeSuccess        = 0 // NOERROR
	RcodeFormatError    = 1 // FORMERR
	RcodeServerFailure  = 2 // SERVFAIL
	RcodeNameError      = 3 // NXDOMAIN
	RcodeNotImplemented = 4 // NOTIMP
	RcodeRefused        = 5 // REFUSED
)

var rcodeNames = [...]string{
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
}

// RcodeString returns the name of a response code as dig prints it
// ("NXDOMAIN"), or RCODEn for an unnamed one.
func RcodeString(rcode int) string {
	if rcode >= 0 && rcode < len(rcodeNames) {
		return rcodeNames[rcode]
	}
	return "RCODE" + strconv.Itoa(rcode)
}

// RR is one resource record of class IN. It is a plain value: which fields
// are meaningful depends on Type.
//
//	A, AAAA       Addr
//	CNAME, PTR, NS Target
//	SRV           Priority, Weight, Port, Target
//	TXT           Text (one character-string)
//	SOA           Target (the primary server, MNAME), Mbox, Serial, Refresh,
//	              Retry, Expire, Minimum
//	MX            Priority (preference), Target
//
// Names are in presentation format and fully qualified (trailing dot). The
// zero RR is invalid.
type RR struct {
	Name   string
	Type   uint16
	TTL    uint32
	Addr   netip.Addr
	Target string

	Priority uint16
	Weight   uint16
	Port     uint16

	Text string

	Mbox                                    string
	Serial, Refresh, Retry, Expire, Minimum uint32
}

// String renders the record in zone-file form with tabs between the fields,
// as CoreDNS's tests and miekg/dns write it:
//
//	numbers-api.default.svc.cluster.local.	5	IN	A	10.106.142.227
func (rr RR) String() string {
	b := make([]byte, 0, 96)
	return string(rr.appendText(b))
}

func (rr RR) appendText(b []byte) []byte {
	b = append(b, rr.Name...)
	b = append(b, '\t')
	b = strconv.AppendUint(b, uint64(rr.TTL), 10)
	b = append(b, "\tIN\t"...)
	b = append(b, TypeString(rr.Type)...)
	b = append(b, '\t')
	return rr.appendRdata(b)
}

// Rdata renders the record's data alone, as dig +short prints it.
func (rr RR) Rdata() string { return string(rr.appendRdata(nil)) }

func (rr RR) appendRdata(b []byte) []byte {
	switch rr.Type {
	case TypeA, TypeAAAA:
		b = rr.Addr.AppendTo(b)
	case TypeCNAME, TypePTR, TypeNS:
		b = append(b, rr.Target...)
	case TypeSRV:
		b = strconv.AppendUint(b, uint64(rr.Priority), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(rr.Weight), 10)
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(rr.Port), 10)
		b = append(b, ' ')
		b = append(b, rr.Target...)
	case TypeMX:
		b = strconv.AppendUint(b, uint64(rr.Priority), 10)
		b = append(b, ' ')
		b = append(b, rr.Target...)
	case TypeTXT:
		b = appendQuoted(b, rr.Text)
	case TypeSOA:
		b = append(b, rr.Target...)
		b = append(b, ' ')
		b = append(b, rr.Mbox...)
		for _, v := range [...]uint32{rr.Serial, rr.Refresh, rr.Retry, rr.Expire, rr.Minimum} {
			b = append(b, ' ')
			b = strconv.AppendUint(b, uint64(v), 10)
		}
	}
	return b
}

func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < ' ' || c > '~':
			b = append(b, '\\')
			b = append(b, '0'+c/100, '0'+c/10%10, '0'+c%10)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// MarshalText renders the record as String does, so that a []RR encodes as a
// JSON array of zone-file lines.
func (rr RR) MarshalText() ([]byte, error) { return rr.appendText(nil), nil }

// UnmarshalText reads one zone-file line as ParseRR does.
func (rr *RR) UnmarshalText(b []byte) error {
	r, err := ParseRR(string(b))
	if err != nil {
		return err
	}
	*rr = r
	return nil
}

// ParseRR reads one record in zone-file form: owner, TTL, optional class IN,
// type and data, separated by blanks. Names must be fully qualified. It reads
// everything String writes.
func ParseRR(s string) (RR, error) {
	var p zoneParser
	p.defaultTTL, p.haveTTL = 3600, true
	p.origin = "."
	rrs, err := p.parse(s)
	if err != nil {
		return RR{}, err
	}
	if len(rrs) != 1 {
		return RR{}, fmt.Errorf("dns: ParseRR(%q): want one record, found %d", s, len(rrs))
	}
	return rrs[0], nil
}

// MustParseRR is ParseRR for tests and examples with hard-coded records; it
// panics on a parse error.
func MustParseRR(s string) RR {
	rr, err := ParseRR(s)
	if err != nil {
		panic(err)
	}
	return rr
}

// ParseRRs reads zone-file lines (as ParseZone does, with origin ".") and
// returns their records in order.
func ParseRRs(text string) ([]RR, error) {
	var p zoneParser
	p.defaultTTL, p.haveTTL = 3600, true
	p.origin = "."
	return p.parse(text)
}

// sameRR reports whether two records are equal, comparing names
// case-insensitively as DNS does.
func sameRR(a, b RR) bool {
	return strings.EqualFold(a.Name, b.Name) && a.Type == b.Type && a.TTL == b.TTL &&
		a.Addr == b.Addr && strings.EqualFold(a.Target, b.Target) &&
		a.Priority == b.Priority && a.Weight == b.Weight && a.Port == b.Port &&
		a.Text == b.Text && strings.EqualFold(a.Mbox, b.Mbox) && a.Serial == b.Serial &&
		a.Refresh == b.Refresh && a.Retry == b.Retry && a.Expire == b.Expire && a.Minimum == b.Minimum
}
