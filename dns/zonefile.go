package dns

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ParseZone reads RFC 1035 master-file text: $ORIGIN and $TTL directives,
// relative names (completed with the origin; @ is the origin itself),
// a blank owner repeating the previous one, TTL and class in either order,
// BIND's TTL units (1h30m), comments after ';', parentheses spanning lines
// and quoted strings. Record types: A, AAAA, CNAME, NS, PTR, MX, SRV, TXT
// and SOA. origin may be "" when every name is absolute or a $ORIGIN comes
// first. A record without a TTL takes $TTL, else the last TTL given, else
// 3600.
func ParseZone(text, origin string) ([]RR, error) {
	var p zoneParser
	p.defaultTTL = 3600
	if origin != "" {
		o := fqdn(origin)
		// A name that starts with $ would read back as a directive.
		if ni := scanName(o); !ni.valid || !plainToken(o) || strings.HasPrefix(o, "$") {
			return nil, fmt.Errorf("dns: ParseZone: bad origin %q", origin)
		}
		p.origin = o
	}
	return p.parse(text)
}

// plainToken reports whether s reads as one zone-file token: no unescaped
// blank, quote, parenthesis or semicolon.
func plainToken(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ' ', '\t', '\r', '\n', ';', '(', ')', '"':
			return false
		}
	}
	return true
}

type zoneParser struct {
	origin     string
	defaultTTL uint32
	haveTTL    bool // $TTL seen, or set by the caller
	lastTTL    uint32
	haveLast   bool
	lastOwner  string
}

type zoneToken struct {
	s      string
	quoted bool
}

type zoneLine struct {
	no      int
	indent  bool // the line started with a blank: the owner is omitted
	tokens  []zoneToken
	rawText string
}

// lines splits the text into logical lines, joining parenthesised spans and
// dropping comments.
func (p *zoneParser) lines(text string) ([]zoneLine, error) {
	var out []zoneLine
	var cur zoneLine
	depth := 0
	lineNo := 1
	startLine := func() {
		cur = zoneLine{no: lineNo}
	}
	startLine()
	atStart := true
	i := 0
	flush := func() {
		if len(cur.tokens) > 0 {
			out = append(out, cur)
		}
	}
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\n':
			lineNo++
			i++
			if depth == 0 {
				flush()
				startLine()
				atStart = true
			}
			continue
		case c == ';':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			continue
		case c == ' ' || c == '\t' || c == '\r':
			if atStart && depth == 0 && len(cur.tokens) == 0 {
				cur.indent = true
			}
			i++
			continue
		case c == '(':
			depth++
			i++
			atStart = false
			continue
		case c == ')':
			if depth == 0 {
				return nil, fmt.Errorf("dns: zone line %d: unbalanced ')'", lineNo)
			}
			depth--
			i++
			continue
		case c == '"':
			j := i + 1
			var b strings.Builder
			for ; j < len(text) && text[j] != '"'; j++ {
				if text[j] == '\\' && j+1 < len(text) {
					if j+3 < len(text) && isDigit(text[j+1]) && isDigit(text[j+2]) && isDigit(text[j+3]) {
						v, _ := strconv.Atoi(text[j+1 : j+4])
						if v > 255 {
							return nil, fmt.Errorf("dns: zone line %d: bad escape in string", lineNo)
						}
						b.WriteByte(byte(v))
						j += 3
						continue
					}
					j++
				}
				if text[j] == '\n' {
					lineNo++
				}
				b.WriteByte(text[j])
			}
			if j >= len(text) {
				return nil, fmt.Errorf("dns: zone line %d: unterminated string", lineNo)
			}
			cur.tokens = append(cur.tokens, zoneToken{s: b.String(), quoted: true})
			i = j + 1
			atStart = false
			continue
		}
		j := i
		for j < len(text) {
			d := text[j]
			if d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == ';' || d == '(' || d == ')' || d == '"' {
				break
			}
			if d == '\\' && j+1 < len(text) {
				j++
			}
			j++
		}
		cur.tokens = append(cur.tokens, zoneToken{s: text[i:j]})
		i = j
		atStart = false
	}
	if depth != 0 {
		return nil, fmt.Errorf("dns: zone line %d: unbalanced '('", lineNo)
	}
	flush()
	return out, nil
}

func (p *zoneParser) parse(text string) ([]RR, error) {
	lines, err := p.lines(text)
	if err != nil {
		return nil, err
	}
	var out []RR
	for _, l := range lines {
		toks := l.tokens
		if !l.indent && !toks[0].quoted && strings.HasPrefix(toks[0].s, "$") {
			if err := p.directive(l); err != nil {
				return nil, err
			}
			continue
		}
		rr, err := p.record(l)
		if err != nil {
			return nil, err
		}
		out = append(out, rr)
	}
	return out, nil
}

func (p *zoneParser) errf(l zoneLine, format string, args ...any) error {
	return fmt.Errorf("dns: zone line %d: "+format, append([]any{l.no}, args...)...)
}

func (p *zoneParser) directive(l zoneLine) error {
	d := strings.ToUpper(l.tokens[0].s)
	switch d {
	case "$ORIGIN":
		if len(l.tokens) != 2 || l.tokens[1].quoted {
			return p.errf(l, "$ORIGIN wants one name")
		}
		n, err := p.name(l, l.tokens[1].s)
		if err != nil {
			return err
		}
		p.origin = n
	case "$TTL":
		if len(l.tokens) != 2 || l.tokens[1].quoted {
			return p.errf(l, "$TTL wants one value")
		}
		ttl, ok := parseTTL(l.tokens[1].s)
		if !ok {
			return p.errf(l, "bad TTL %q", l.tokens[1].s)
		}
		p.defaultTTL, p.haveTTL = ttl, true
	default:
		return p.errf(l, "unsupported directive %s", l.tokens[0].s)
	}
	return nil
}

// name completes a possibly relative name.
func (p *zoneParser) name(l zoneLine, s string) (string, error) {
	if s == "@" {
		if p.origin == "" {
			return "", p.errf(l, "@ without an origin")
		}
		return p.origin, nil
	}
	n := s
	if fqdn(s) != s { // relative
		if p.origin == "" {
			return "", p.errf(l, "relative name %q without an origin", s)
		}
		if p.origin == "." {
			n = s + "."
		} else {
			n = s + "." + p.origin
		}
	}
	if ni := scanName(n); !ni.valid || !ni.fqdn {
		return "", p.errf(l, "bad name %q", s)
	}
	if strings.HasPrefix(n, "$") {
		// Written back at the start of a line, it would read as a directive.
		return "", p.errf(l, "name %q starts with $ (write it as \\$)", s)
	}
	return n, nil
}

// parseTTL reads a TTL in seconds or with BIND's units (1w2d3h4m5s).
func parseTTL(s string) (uint32, bool) {
	if s == "" {
		return 0, false
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(v), true
	}
	var total, cur uint64
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			cur = cur*10 + uint64(c-'0')
			digits = true
			if cur > 1<<32 {
				return 0, false
			}
			continue
		}
		if !digits {
			return 0, false
		}
		var mul uint64
		switch c | 0x20 {
		case 's':
			mul = 1
		case 'm':
			mul = 60
		case 'h':
			mul = 3600
		case 'd':
			mul = 86400
		case 'w':
			mul = 604800
		default:
			return 0, false
		}
		total += cur * mul
		cur, digits = 0, false
	}
	if digits {
		return 0, false // BIND wants a unit after every number once one is used
	}
	if total > 1<<32-1 {
		return 0, false
	}
	return uint32(total), true
}

func (p *zoneParser) record(l zoneLine) (RR, error) {
	toks := l.tokens
	var rr RR
	if l.indent {
		if p.lastOwner == "" {
			return rr, p.errf(l, "no owner for the record")
		}
		rr.Name = p.lastOwner
	} else {
		if toks[0].quoted {
			return rr, p.errf(l, "a quoted string is not an owner name")
		}
		n, err := p.name(l, toks[0].s)
		if err != nil {
			return rr, err
		}
		rr.Name = n
		toks = toks[1:]
	}
	haveTTL := false
	haveClass := false
	for len(toks) > 0 {
		t := toks[0].s
		if toks[0].quoted {
			break
		}
		if !haveTTL && len(t) > 0 && isDigit(t[0]) {
			ttl, ok := parseTTL(t)
			if !ok {
				return rr, p.errf(l, "bad TTL %q", t)
			}
			rr.TTL, haveTTL = ttl, true
			toks = toks[1:]
			continue
		}
		if !haveClass && (strings.EqualFold(t, "IN") || strings.EqualFold(t, "CH") || strings.EqualFold(t, "HS") || strings.EqualFold(t, "CS")) {
			if !strings.EqualFold(t, "IN") {
				return rr, p.errf(l, "class %s is not supported", t)
			}
			haveClass = true
			toks = toks[1:]
			continue
		}
		break
	}
	if len(toks) == 0 {
		return rr, p.errf(l, "missing record type")
	}
	typ, ok := ParseType(toks[0].s)
	if !ok || toks[0].quoted {
		return rr, p.errf(l, "unknown record type %q", toks[0].s)
	}
	rr.Type = typ
	data := toks[1:]
	switch {
	case haveTTL:
		p.lastTTL, p.haveLast = rr.TTL, true
	case p.haveTTL:
		rr.TTL = p.defaultTTL
	case p.haveLast:
		rr.TTL = p.lastTTL
	default:
		rr.TTL = p.defaultTTL
	}
	p.lastOwner = rr.Name
	want := func(n int) error {
		if len(data) != n {
			return p.errf(l, "%s wants %d fields, found %d", TypeString(typ), n, len(data))
		}
		for _, d := range data {
			if d.quoted && typ != TypeTXT {
				return p.errf(l, "unexpected string in %s data", TypeString(typ))
			}
		}
		return nil
	}
	u16 := func(s string) (uint16, error) {
		v, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return 0, p.errf(l, "bad number %q", s)
		}
		return uint16(v), nil
	}
	var err error
	switch typ {
	case TypeA, TypeAAAA:
		if err = want(1); err != nil {
			return rr, err
		}
		a, perr := netip.ParseAddr(data[0].s)
		if perr != nil || a.Zone() != "" || (typ == TypeA) != a.Is4() {
			return rr, p.errf(l, "bad %s address %q", TypeString(typ), data[0].s)
		}
		rr.Addr = a
	case TypeCNAME, TypeNS, TypePTR:
		if err = want(1); err != nil {
			return rr, err
		}
		rr.Target, err = p.name(l, data[0].s)
	case TypeMX:
		if err = want(2); err != nil {
			return rr, err
		}
		if rr.Priority, err = u16(data[0].s); err != nil {
			return rr, err
		}
		rr.Target, err = p.name(l, data[1].s)
	case TypeSRV:
		if err = want(4); err != nil {
			return rr, err
		}
		if rr.Priority, err = u16(data[0].s); err != nil {
			return rr, err
		}
		if rr.Weight, err = u16(data[1].s); err != nil {
			return rr, err
		}
		if rr.Port, err = u16(data[2].s); err != nil {
			return rr, err
		}
		rr.Target, err = p.name(l, data[3].s)
	case TypeTXT:
		if len(data) == 0 {
			return rr, p.errf(l, "TXT wants a string")
		}
		var b strings.Builder
		for _, d := range data {
			b.WriteString(d.s)
		}
		rr.Text = b.String()
	case TypeSOA:
		if err = want(7); err != nil {
			return rr, err
		}
		if rr.Target, err = p.name(l, data[0].s); err != nil {
			return rr, err
		}
		if rr.Mbox, err = p.name(l, data[1].s); err != nil {
			return rr, err
		}
		serial, perr := strconv.ParseUint(data[2].s, 10, 32)
		if perr != nil {
			return rr, p.errf(l, "bad serial %q", data[2].s)
		}
		rr.Serial = uint32(serial)
		for i, f := range []*uint32{&rr.Refresh, &rr.Retry, &rr.Expire, &rr.Minimum} {
			v, ok := parseTTL(data[3+i].s)
			if !ok {
				return rr, p.errf(l, "bad SOA timer %q", data[3+i].s)
			}
			*f = v
		}
	default:
		return rr, p.errf(l, "record type %s is not supported", TypeString(typ))
	}
	return rr, err
}
