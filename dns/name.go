package dns

import (
	"net/netip"
	"strings"
)

// Limits of a domain name on the wire (RFC 1035 §2.3.4).
const (
	maxLabelLen = 63
	maxWireLen  = 255
	maxLabels   = 128
)

// nameInfo is what scanName learns about a name in presentation format.
type nameInfo struct {
	valid    bool // no empty label, labels ≤ 63 octets, ≤ 255 octets on the wire
	lower    bool // no ASCII upper-case letter
	fqdn     bool // ends with an unescaped dot
	escaped  bool // contains a backslash escape
	nlabels  int  // number of labels, the root excluded
	wireLen  int
	dotCount int // unescaped dots, a trailing one included (what resolvers count)
}

// scanName checks a name without allocating. Escapes (\. and \DDD) count as
// one octet, as in miekg/dns and BIND.
func scanName(s string) nameInfo {
	ni := nameInfo{lower: true}
	if s == "" {
		return ni
	}
	if s == "." {
		ni.valid, ni.fqdn, ni.wireLen, ni.dotCount = true, true, 1, 1
		return ni
	}
	label := 0 // octets in the current label
	wire := 1  // the root label's length octet
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			ni.escaped = true
			if i+1 >= len(s) {
				return ni // dangling escape
			}
			if isDigit(s[i+1]) {
				// \DDD
				if i+3 >= len(s) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
					return ni
				}
				v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
				if v > 255 {
					return ni
				}
				i += 3
			} else {
				if 'A' <= s[i+1] && s[i+1] <= 'Z' {
					ni.lower = false
				}
				i++
			}
			label++
		case c == '.':
			if label == 0 {
				return ni // empty label
			}
			if label > maxLabelLen {
				return ni
			}
			wire += label + 1
			label = 0
			ni.nlabels++
			ni.dotCount++
			if i == len(s)-1 {
				ni.fqdn = true
			}
		default:
			if 'A' <= c && c <= 'Z' {
				ni.lower = false
			}
			label++
		}
	}
	if label > 0 {
		if label > maxLabelLen {
			return ni
		}
		wire += label + 1
		ni.nlabels++
	}
	ni.wireLen = wire
	ni.valid = wire <= maxWireLen
	return ni
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// nameClass sorts bytes for canonicalName: 1 a dot, 2 a byte that needs the
// full scan (upper case, backslash), 0 anything else.
var nameClass = func() (t [256]uint8) {
	t['.'] = 1
	t['\\'] = 2
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 2
	}
	return t
}()

// canonicalName reports, fast, whether s is a valid lower-case fully
// qualified name without escapes: the form prebuilt answers are keyed by.
// When it says false, scanName decides.
func canonicalName(s string) bool {
	n := len(s)
	if n < 2 || n > maxWireLen-1 || s[n-1] != '.' {
		return false
	}
	label := 0
	for i := 0; i < n; i++ {
		switch nameClass[s[i]] {
		case 0:
			label++
		case 1:
			if label == 0 || label > maxLabelLen {
				return false
			}
			label = 0
		default:
			return false
		}
	}
	return true
}

// lowerASCII returns s with ASCII letters folded to lower case; it returns s
// itself when nothing changes.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// lowerASCIIInPlace is lowerASCII for a name being built.
func lowerASCIIInPlace(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// fqdn appends the root dot when it is missing.
func fqdn(s string) string {
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "\\.") {
		return s
	}
	if strings.HasSuffix(s, "\\.") {
		// an escaped dot ends a label, it is not the root
		n := 0
		for i := len(s) - 2; i >= 0 && s[i] == '\\'; i-- {
			n++
		}
		if n%2 == 0 {
			return s
		}
	}
	return s + "."
}

// labels splits a fully qualified name into its labels, right to left
// positions recorded in idx (start offsets); escapes are honoured. It returns
// the number of labels. The root name has none.
func labelStarts(s string, idx *[maxLabels]int) int {
	if s == "." || s == "" {
		return 0
	}
	n := 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 < len(s) && isDigit(s[i+1]) {
				i += 3
			} else {
				i++
			}
		case '.':
			if n < maxLabels {
				idx[n] = start
			}
			n++
			start = i + 1
		}
	}
	if start < len(s) {
		if n < maxLabels {
			idx[n] = start
		}
		n++
	}
	if n > maxLabels {
		n = maxLabels
	}
	return n
}

// isSubdomain reports whether child is zone or below it; both are lower-case
// and fully qualified.
func isSubdomain(child, zone string) bool {
	if zone == "." {
		return true
	}
	if len(child) < len(zone) || child[len(child)-len(zone):] != zone {
		return false
	}
	if len(child) == len(zone) {
		return true
	}
	i := len(child) - len(zone) - 1
	if child[i] != '.' {
		return false
	}
	// the dot must not be escaped
	n := 0
	for j := i - 1; j >= 0 && child[j] == '\\'; j-- {
		n++
	}
	return n%2 == 0
}

// equalFoldName compares two names case-insensitively (ASCII only).
func equalFoldName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

const (
	ip4arpa = ".in-addr.arpa."
	ip6arpa = ".ip6.arpa."
)

// addrFromReverse extracts the address of a reverse name, as CoreDNS's
// dnsutil.ExtractAddressFromReverse does: four decimal labels under
// in-addr.arpa or 32 nibbles under ip6.arpa. An IPv4-mapped IPv6 address
// comes back as IPv4, as net.IP.String renders it. lname is lower-case.
func addrFromReverse(lname string) (netip.Addr, bool) {
	switch {
	case strings.HasSuffix(lname, ip4arpa):
		s := lname[:len(lname)-len(ip4arpa)]
		if s == "" || s[0] == '.' || strings.Contains(s, "..") {
			return netip.Addr{}, false
		}
		var oct [4]string
		n := 0
		for s != "" {
			i := strings.LastIndexByte(s, '.')
			if n == 4 {
				return netip.Addr{}, false
			}
			oct[n] = s[i+1:]
			n++
			if i < 0 {
				s = ""
			} else {
				s = s[:i]
			}
		}
		if n != 4 {
			return netip.Addr{}, false
		}
		var b [4]byte
		for i, o := range oct {
			if o == "" || len(o) > 3 || (len(o) > 1 && o[0] == '0') {
				return netip.Addr{}, false
			}
			v := 0
			for j := 0; j < len(o); j++ {
				if !isDigit(o[j]) {
					return netip.Addr{}, false
				}
				v = v*10 + int(o[j]-'0')
			}
			if v > 255 {
				return netip.Addr{}, false
			}
			b[i] = byte(v)
		}
		return netip.AddrFrom4(b), true
	case strings.HasSuffix(lname, ip6arpa):
		s := lname[:len(lname)-len(ip6arpa)]
		if len(s) != 63 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i := 0; i < 32; i++ {
			c := s[i*2]
			if i < 31 && s[i*2+1] != '.' {
				return netip.Addr{}, false
			}
			var v byte
			switch {
			case isDigit(c):
				v = c - '0'
			case 'a' <= c && c <= 'f':
				v = c - 'a' + 10
			default:
				return netip.Addr{}, false
			}
			// label i is nibble 31-i
			nib := 31 - i
			if nib%2 == 0 {
				b[nib/2] |= v << 4
			} else {
				b[nib/2] |= v
			}
		}
		return netip.AddrFrom16(b).Unmap(), true
	}
	return netip.Addr{}, false
}

// ReverseName returns the PTR owner name of an address: d.c.b.a.in-addr.arpa.
// for IPv4, the 32-nibble ip6.arpa. name for IPv6.
func ReverseName(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		buf := make([]byte, 0, 29)
		for i := 3; i >= 0; i-- {
			buf = appendUint8(buf, b[i])
			buf = append(buf, '.')
		}
		return string(append(buf, "in-addr.arpa."...))
	}
	if !a.IsValid() {
		return ""
	}
	b := a.As16()
	const hex = "0123456789abcdef"
	buf := make([]byte, 0, 73)
	for i := 15; i >= 0; i-- {
		buf = append(buf, hex[b[i]&0xf], '.', hex[b[i]>>4], '.')
	}
	return string(append(buf, "ip6.arpa."...))
}

func appendUint8(b []byte, v byte) []byte {
	switch {
	case v >= 100:
		return append(b, '0'+v/100, '0'+v/10%10, '0'+v%10)
	case v >= 10:
		return append(b, '0'+v/10, '0'+v%10)
	}
	return append(b, '0'+v)
}

// dashedIP renders a valid address as CoreDNS's endpoint id: dots or colons
// replaced by dashes, with a 0 appended when the result ends in a dash.
func dashedIP(a netip.Addr) string {
	return string(appendDashedIP(make([]byte, 0, 48), a))
}

// appendDashedIP appends dashedIP(a) to b.
func appendDashedIP(b []byte, a netip.Addr) []byte {
	start := len(b)
	b = a.AppendTo(b)
	sep := byte(':')
	if a.Is4() {
		sep = '.'
	}
	for i := start; i < len(b); i++ {
		if b[i] == sep {
			b[i] = '-'
		}
	}
	if !a.Is4() && len(b) > start && b[len(b)-1] == '-' {
		b = append(b, '0')
	}
	return b
}
