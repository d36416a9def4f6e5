package api

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// PortRange is the inclusive range Base..Base+Size-1, as the apiserver's
// --service-node-port-range flag describes it.
type PortRange struct {
	Base, Size int
}

// defaultNodePortRange is the apiserver's default --service-node-port-range.
var defaultNodePortRange = PortRange{Base: 30000, Size: 2768}

// String renders "30000-32767", or "" for the empty range, as Kubernetes'
// PortRange does.
func (r PortRange) String() string {
	if r.Size == 0 {
		return ""
	}
	return fmt.Sprintf("%d-%d", r.Base, r.Base+r.Size-1)
}

// Contains reports whether port lies in the range.
func (r PortRange) Contains(port int) bool {
	return port >= r.Base && port < r.Base+r.Size
}

// ParsePortRange reads a range in the flag's forms: "30000-32767", "30000+2767"
// (base plus offset) or a single port. An empty string is the empty range.
func ParsePortRange(s string) (PortRange, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return PortRange{}, nil
	}
	num := func(part string) (int, error) {
		n, err := strconv.Atoi(part)
		if err != nil {
			return 0, fmt.Errorf("invalid port range %q: %q is not a number", s, part)
		}
		return n, nil
	}
	hyphen, plus := strings.Index(s, "-"), strings.Index(s, "+")
	var low, high int
	var err error
	switch {
	case hyphen < 0 && plus < 0:
		if low, err = num(s); err != nil {
			return PortRange{}, err
		}
		high = low
	case plus < 0:
		if low, err = num(s[:hyphen]); err != nil {
			return PortRange{}, err
		}
		if high, err = num(s[hyphen+1:]); err != nil {
			return PortRange{}, err
		}
	case hyphen < 0:
		var offset int
		if low, err = num(s[:plus]); err != nil {
			return PortRange{}, err
		}
		if offset, err = num(s[plus+1:]); err != nil {
			return PortRange{}, err
		}
		high = low + offset
	default:
		return PortRange{}, fmt.Errorf("unable to parse port range: %s", s)
	}
	if low > 65535 || high > 65535 {
		return PortRange{}, fmt.Errorf("the port range cannot be greater than 65535: %s", s)
	}
	if high < low {
		return PortRange{}, fmt.Errorf("end port cannot be less than start port: %s", s)
	}
	return PortRange{Base: low, Size: 1 + high - low}, nil
}

// ValidationOptions carries the cluster configuration that validation depends on.
type ValidationOptions struct {
	// NodePortRange is the range explicit nodePorts must fall in; the zero
	// value means Kubernetes' default 30000-32767.
	NodePortRange PortRange
}

// Validate checks an object, after SetDefaults, as the apiserver does on
// create: it returns nil or an *InvalidError whose causes are in the order the
// apiserver reports them. Fields the apiserver defaults are reported as
// required when missing, so callers must default first. Namespaced objects
// must already carry their namespace and cluster-scoped ones none, as the
// apiserver arranges from the request before validating.
//
// For a Service, the checks the apiserver runs while allocating, before
// validation proper, come first and alone: inconsistent clusterIPs and
// ipFamilies, then the first explicit nodePort outside opts.NodePortRange (or
// requested twice). Allocation against other Services is the store's job.
func Validate(o Object, opts ValidationOptions) error {
	var kind Kind
	var meta *ObjectMeta
	var causes []FieldError
	switch t := o.(type) {
	case *Namespace:
		t = orZero(t)
		kind, meta, causes = KindNamespace, &t.ObjectMeta, validateNamespace(t)
	case *Node:
		t = orZero(t)
		kind, meta, causes = KindNode, &t.ObjectMeta, validateNode(t)
	case *Pod:
		t = orZero(t)
		kind, meta, causes = KindPod, &t.ObjectMeta, validatePod(t)
	case *Deployment:
		t = orZero(t)
		kind, meta, causes = KindDeployment, &t.ObjectMeta, validateDeployment(t)
	case *ReplicaSet:
		t = orZero(t)
		kind, meta, causes = KindReplicaSet, &t.ObjectMeta, validateReplicaSet(t)
	case *Service:
		t = orZero(t)
		nodePorts := opts.NodePortRange
		if nodePorts.Size == 0 {
			nodePorts = defaultNodePortRange
		}
		kind, meta, causes = KindService, &t.ObjectMeta, validateService(t, nodePorts)
	case *Endpoints:
		t = orZero(t)
		kind, meta, causes = KindEndpoints, &t.ObjectMeta, validateEndpoints(t)
	case *EndpointSlice:
		t = orZero(t)
		kind, meta, causes = KindEndpointSlice, &t.ObjectMeta, validateEndpointSlice(t)
	case *ServiceCIDR:
		t = orZero(t)
		kind, meta, causes = KindServiceCIDR, &t.ObjectMeta, validateServiceCIDR(t)
	default:
		return fmt.Errorf("api: cannot validate a %T", o)
	}
	if len(causes) == 0 {
		return nil
	}
	return &InvalidError{Kind: kind, Name: meta.Name, Causes: causes}
}

// orZero stands a zero object in for a nil one, so that validation reports what
// is missing instead of failing.
func orZero[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// Field error constructors, mirroring apimachinery's field package.

func required(field, detail string) FieldError {
	return FieldError{Type: ErrorTypeRequired, Field: field, BadValue: "", Detail: detail}
}

func invalid(field string, value any, detail string) FieldError {
	return FieldError{Type: ErrorTypeInvalid, Field: field, BadValue: value, Detail: detail}
}

func duplicate(field string, value any) FieldError {
	return FieldError{Type: ErrorTypeDuplicate, Field: field, BadValue: value}
}

func forbidden(field, detail string) FieldError {
	return FieldError{Type: ErrorTypeForbidden, Field: field, BadValue: "", Detail: detail}
}

func notSupported(field string, value any, supported ...string) FieldError {
	quoted := make([]string, len(supported))
	for i, s := range supported {
		quoted[i] = strconv.Quote(s)
	}
	return FieldError{Type: ErrorTypeNotSupported, Field: field, BadValue: value,
		Detail: "supported values: " + strings.Join(quoted, ", ")}
}

func tooMany(field string, actual, limit int) FieldError {
	unit := "items"
	if limit == 1 {
		unit = "item"
	}
	return FieldError{Type: ErrorTypeTooMany, Field: field, BadValue: actual,
		Detail: fmt.Sprintf("must have at most %d %s", limit, unit)}
}

func tooLong(field string, limit int) FieldError {
	return FieldError{Type: ErrorTypeTooLong, Field: field, BadValue: "<value omitted>",
		Detail: fmt.Sprintf("may not be more than %d bytes", limit)}
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func key(path, k string) string { return path + "[" + k + "]" }

// invalidEach turns a list of format messages into one Invalid cause each.
func invalidEach(field string, value any, msgs []string) []FieldError {
	var out []FieldError
	for _, m := range msgs {
		out = append(out, invalid(field, value, m))
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// present reports whether a raw JSON field was given.
func present(raw []byte) bool { return len(raw) > 0 && string(raw) != "null" }

const isNegativeErrorMsg = "must be greater than or equal to 0"

func nonNegative(field string, v int64) []FieldError {
	if v < 0 {
		return []FieldError{invalid(field, v, isNegativeErrorMsg)}
	}
	return nil
}

// Name and value formats, with apimachinery's messages.

const (
	dns1123LabelFmt        = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123LabelErrMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainFmt    = dns1123LabelFmt + `(\.` + dns1123LabelFmt + `)*`
	dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"

	dns1123LabelUnderscoreFmt        = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
	dns1123SubdomainUnderscoreFmt    = dns1123LabelUnderscoreFmt + `(\.` + dns1123LabelUnderscoreFmt + `)*`
	dns1123SubdomainUnderscoreErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character"

	dns1035LabelFmt    = "[a-z]([-a-z0-9]*[a-z0-9])?"
	dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"

	labelKeyFmt      = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	labelKeyErrMsg   = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
	labelValueFmt    = "(" + labelKeyFmt + ")?"
	labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

	percentFmt    = "[0-9]+%"
	percentErrMsg = "a valid percent string must be a numeric string followed by an ending '%'"

	ipErrMsg   = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
	cidrErrMsg = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
)

func maxLenError(n int) string { return fmt.Sprintf("must be no more than %d characters", n) }

func regexError(msg, format string, examples ...string) string {
	var b strings.Builder
	b.WriteString(msg + " (e.g. ")
	for i, e := range examples {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString("'" + e + "', ")
	}
	b.WriteString("regex used for validation is '" + format + "')")
	return b.String()
}

func inclusiveRangeError(lo, hi int) string {
	return fmt.Sprintf("must be between %d and %d, inclusive", lo, hi)
}

func isLower(c byte) bool      { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isLowerAlnum(c byte) bool { return isLower(c) || isDigit(c) }
func isAlnum(c byte) bool      { return isLowerAlnum(c) || c >= 'A' && c <= 'Z' }

// matchWord reports whether s is first, then any number of mid, ending (if
// longer than one byte) with last: the shape of every name regex here.
func matchWord(s string, first, mid, last func(byte) bool) bool {
	if s == "" || !first(s[0]) {
		return false
	}
	if len(s) == 1 {
		return true
	}
	for i := 1; i < len(s)-1; i++ {
		if !mid(s[i]) {
			return false
		}
	}
	return last(s[len(s)-1])
}

func isDNSMid(c byte) bool { return isLowerAlnum(c) || c == '-' }

func matchDNS1123Label(s string) bool { return matchWord(s, isLowerAlnum, isDNSMid, isLowerAlnum) }

func matchDNS1123LabelUnderscore(s string) bool {
	s = strings.TrimPrefix(s, "_")
	return matchWord(s, isLowerAlnum, func(c byte) bool { return isDNSMid(c) || c == '_' }, isLowerAlnum)
}

func matchSubdomain(s string, label func(string) bool) bool {
	for part := range strings.SplitSeq(s, ".") {
		if !label(part) {
			return false
		}
	}
	return true
}

func matchLabelName(s string) bool {
	return matchWord(s, isAlnum, func(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }, isAlnum)
}

func isDNS1123Label(v string) []string {
	var errs []string
	if len(v) > 63 {
		errs = append(errs, maxLenError(63))
	}
	if !matchDNS1123Label(v) {
		if matchSubdomain(v, matchDNS1123Label) {
			errs = append(errs, "must not contain dots")
		} else {
			errs = append(errs, regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"))
		}
	}
	return errs
}

func isDNS1123Subdomain(v string) []string {
	var errs []string
	if len(v) > 253 {
		errs = append(errs, maxLenError(253))
	}
	if !matchSubdomain(v, matchDNS1123Label) {
		errs = append(errs, regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, "example.com"))
	}
	return errs
}

func isDNS1123SubdomainWithUnderscore(v string) []string {
	var errs []string
	if len(v) > 253 {
		errs = append(errs, maxLenError(253))
	}
	if !matchSubdomain(v, matchDNS1123LabelUnderscore) {
		errs = append(errs, regexError(dns1123SubdomainUnderscoreErrMsg, dns1123SubdomainUnderscoreFmt, "example.com"))
	}
	return errs
}

func isDNS1035Label(v string) []string {
	var errs []string
	if len(v) > 63 {
		errs = append(errs, maxLenError(63))
	}
	if !matchWord(v, isLower, isDNSMid, isLowerAlnum) {
		errs = append(errs, regexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"))
	}
	return errs
}

// isQualifiedName checks a label key (and the many fields that share its
// format): an optional DNS subdomain prefix and "/", then a name of at most 63
// characters.
func isQualifiedName(v string) []string {
	var errs []string
	name := v
	if prefix, suffix, ok := strings.Cut(v, "/"); ok {
		if strings.Contains(suffix, "/") {
			return []string{"a valid label key " + regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc") +
				" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}
		}
		name = suffix
		if prefix == "" {
			errs = append(errs, "prefix part must be non-empty")
		} else {
			for _, m := range isDNS1123Subdomain(prefix) {
				errs = append(errs, "prefix part "+m)
			}
		}
	}
	if name == "" {
		errs = append(errs, "name part must be non-empty")
	} else if len(name) > 63 {
		errs = append(errs, "name part "+maxLenError(63))
	}
	if !matchLabelName(name) {
		errs = append(errs, "name part "+regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

func isLabelValue(v string) []string {
	var errs []string
	if len(v) > 63 {
		errs = append(errs, maxLenError(63))
	}
	if v != "" && !matchLabelName(v) {
		errs = append(errs, regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

func isValidPortNum(p int) []string {
	if p >= 1 && p <= 65535 {
		return nil
	}
	return []string{inclusiveRangeError(1, 65535)}
}

// isValidPortName checks an IANA_SVC_NAME: a container port name a Service's
// targetPort may refer to.
func isValidPortName(v string) []string {
	var errs []string
	if len(v) > 15 {
		errs = append(errs, maxLenError(15))
	}
	if v == "" || strings.IndexFunc(v, func(r rune) bool { return r > 127 || !isDNSMid(byte(r)) }) >= 0 {
		errs = append(errs, "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
	}
	if strings.IndexFunc(v, func(r rune) bool { return r <= 127 && isLower(byte(r)) }) < 0 {
		errs = append(errs, "must contain at least one letter (a-z)")
	}
	if strings.Contains(v, "--") {
		errs = append(errs, "must not contain consecutive hyphens")
	}
	if v != "" && (v[0] == '-' || v[len(v)-1] == '-') {
		errs = append(errs, "must not begin or end with a hyphen")
	}
	return errs
}

func isValidPercent(v string) []string {
	if len(v) < 2 || v[len(v)-1] != '%' || strings.IndexFunc(v[:len(v)-1], func(r rune) bool { return r > 127 || !isDigit(byte(r)) }) >= 0 {
		return []string{regexError(percentErrMsg, percentFmt, "1%", "93%")}
	}
	return nil
}

// nameFunc checks an object name; prefix says the name is a generateName that
// will have random characters appended.
type nameFunc func(name string, prefix bool) []string

func nameWith(check func(string) []string) nameFunc {
	return func(name string, prefix bool) []string {
		if prefix && strings.HasSuffix(name, "-") {
			// As apimachinery's maskTrailingDash, which replaces the last
			// two characters, so that a trailing dash is allowed.
			if len(name) < 2 {
				name = "a"
			} else {
				name = name[:len(name)-2] + "a"
			}
		}
		return check(name)
	}
}

var (
	nameIsDNSSubdomain = nameWith(isDNS1123Subdomain)
	nameIsDNSLabel     = nameWith(isDNS1123Label)
	nameIsDNS1035Label = nameWith(isDNS1035Label)
)

// IP and CIDR parsing as Kubernetes' netutils does it: IPv4 octets may carry
// leading zeros (read as decimal), zones are refused, and an IPv4-mapped IPv6
// address counts as IPv4.

func parseIP(s string) (netip.Addr, bool) {
	if strings.Contains(s, "%") {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	return parseIPv4Sloppy(s)
}

func parseIPv4Sloppy(s string) (netip.Addr, bool) {
	var b [4]byte
	for i := range b {
		if i > 0 {
			if s == "" || s[0] != '.' {
				return netip.Addr{}, false
			}
			s = s[1:]
		}
		n, used := 0, 0
		for used < len(s) && isDigit(s[used]) {
			n = n*10 + int(s[used]-'0')
			used++
			if n > 255 {
				return netip.Addr{}, false
			}
		}
		if used == 0 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
		s = s[used:]
	}
	if s != "" {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

func validIP(s string) bool {
	_, ok := parseIP(s)
	return ok
}

func isIPv4(a netip.Addr) bool { return a.Is4() || a.Is4In6() }

// isIPv6String follows netutils.IsIPv6String: a valid address that is not IPv4.
func isIPv6String(s string) bool {
	a, ok := parseIP(s)
	return ok && !isIPv4(a)
}

func parseCIDR(s string) (netip.Addr, bool) {
	addr, mask, ok := strings.Cut(s, "/")
	if !ok || mask == "" || strings.Contains(addr, "%") {
		return netip.Addr{}, false
	}
	a, ok := parseIPv4Sloppy(addr)
	bits := 32
	if !ok {
		var err error
		if a, err = netip.ParseAddr(addr); err != nil || !a.Is6() {
			return netip.Addr{}, false
		}
		bits = 128
	}
	n := 0
	for i := 0; i < len(mask); i++ {
		if !isDigit(mask[i]) {
			return netip.Addr{}, false
		}
		if n = n*10 + int(mask[i]-'0'); n > bits {
			return netip.Addr{}, false
		}
	}
	return a, true
}

// dualStack reports whether the addresses (or CIDRs) cover both families, or
// returns the first value that does not parse.
func dualStack(values []string, parse func(string) (netip.Addr, bool)) (dual bool, bad string, ok bool) {
	var v4, v6 bool
	for _, v := range values {
		a, ok := parse(v)
		if !ok {
			return false, v, false
		}
		if isIPv4(a) {
			v4 = true
		} else {
			v6 = true
		}
	}
	return v4 && v6, "", true
}

func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// validateEndpointIP refuses addresses that make no sense as a destination,
// as Kubernetes' ValidateEndpointIP does for endpoints and external IPs.
func validateEndpointIP(field, ip string) []FieldError {
	a, ok := parseIP(ip)
	if !ok {
		return []FieldError{invalid(field, ip, "must be a valid IP address")}
	}
	a = a.Unmap()
	var errs []FieldError
	if a.IsUnspecified() {
		errs = append(errs, invalid(field, ip, fmt.Sprintf("may not be unspecified (%v)", ip)))
	}
	if a.IsLoopback() {
		errs = append(errs, invalid(field, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
	if a.IsLinkLocalUnicast() {
		errs = append(errs, invalid(field, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
	}
	if a.IsLinkLocalMulticast() {
		errs = append(errs, invalid(field, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
	}
	return errs
}

func validateIP(field, ip string) []FieldError {
	if validIP(ip) {
		return nil
	}
	return []FieldError{invalid(field, ip, ipErrMsg)}
}

func validateCIDR(field, cidr string) []FieldError {
	if _, ok := parseCIDR(cidr); ok {
		return nil
	}
	return []FieldError{invalid(field, cidr, cidrErrMsg)}
}

// Stand-ins that print with %#v as the apiserver's internal types do, so that
// causes carrying a struct read as they do from a real cluster.

// servicePortKey is the protocol and port pair by which ports must be unique.
type servicePortKey struct {
	Protocol Protocol
	Port     int32
}

// GoString renders the key as the apiserver's core.ServicePort.
func (k servicePortKey) GoString() string {
	return fmt.Sprintf(`core.ServicePort{Name:"", Protocol:%q, AppProtocol:(*string)(nil), Port:%d, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
		string(k.Protocol), k.Port)
}

// intstrValue is an IntOrString that prints as intstr.IntOrString, whose String
// method has a pointer receiver and so is not used for values.
type intstrValue IntOrString

// GoString renders the value as intstr.IntOrString.
func (v intstrValue) GoString() string {
	t := 0
	if v.IsString {
		t = 1
	}
	return fmt.Sprintf("intstr.IntOrString{Type:%d, IntVal:%d, StrVal:%q}", t, v.IntVal, v.StrVal)
}

// labelSelectorValue prints a LabelSelector as metav1's.
type labelSelectorValue LabelSelector

// GoString renders the selector as v1.LabelSelector.
func (v labelSelectorValue) GoString() string {
	var exprs []string
	for _, e := range v.MatchExpressions {
		exprs = append(exprs, fmt.Sprintf("v1.LabelSelectorRequirement{Key:%q, Operator:%q, Values:%#v}", e.Key, e.Operator, e.Values))
	}
	es := "[]v1.LabelSelectorRequirement(nil)"
	if v.MatchExpressions != nil {
		es = "[]v1.LabelSelectorRequirement{" + strings.Join(exprs, ", ") + "}"
	}
	return fmt.Sprintf("v1.LabelSelector{MatchLabels:%#v, MatchExpressions:%s}", v.MatchLabels, es)
}

// fakePointer stands in for the address %#v prints for a non-nil pointer, which
// differs on every run of a real apiserver and would break determinism here.
const fakePointer = "0xc000000000"

func goPointer(typ string, isNil bool) string {
	if isNil {
		return "(" + typ + ")(nil)"
	}
	return "(" + typ + ")(" + fakePointer + ")"
}

// strategyValue prints a DeploymentStrategy as apps.DeploymentStrategy.
type strategyValue DeploymentStrategy

// GoString renders the strategy as apps.DeploymentStrategy.
func (v strategyValue) GoString() string {
	return fmt.Sprintf("apps.DeploymentStrategy{Type:%q, RollingUpdate:%s}", v.Type,
		goPointer("*apps.RollingUpdateDeployment", v.RollingUpdate == nil))
}

// serviceCIDRSpecValue prints a ServiceCIDRSpec as networking.ServiceCIDRSpec.
type serviceCIDRSpecValue ServiceCIDRSpec

// GoString renders the spec as networking.ServiceCIDRSpec.
func (v serviceCIDRSpecValue) GoString() string {
	return fmt.Sprintf("networking.ServiceCIDRSpec{CIDRs:%#v}", v.CIDRs)
}

// ownerRefsValue prints owner references as []v1.OwnerReference.
type ownerRefsValue []OwnerReference

// GoString renders the references as []v1.OwnerReference.
func (v ownerRefsValue) GoString() string {
	parts := make([]string, len(v))
	for i, r := range v {
		parts[i] = fmt.Sprintf("v1.OwnerReference{APIVersion:%q, Kind:%q, Name:%q, UID:%q, Controller:%s, BlockOwnerDeletion:%s}",
			r.APIVersion, r.Kind, r.Name, r.UID, goPointer("*bool", r.Controller == nil), goPointer("*bool", r.BlockOwnerDeletion == nil))
	}
	return "[]v1.OwnerReference{" + strings.Join(parts, ", ") + "}"
}

// Metadata.

func validateObjectMeta(m *ObjectMeta, namespaced bool, name nameFunc) []FieldError {
	var errs []FieldError
	if m.GenerateName != "" {
		errs = append(errs, invalidEach("metadata.generateName", m.GenerateName, name(m.GenerateName, true))...)
	}
	if m.Name == "" {
		errs = append(errs, required("metadata.name", "name or generateName is required"))
	} else {
		errs = append(errs, invalidEach("metadata.name", m.Name, name(m.Name, false))...)
	}
	switch {
	case namespaced && m.Namespace == "":
		errs = append(errs, required("metadata.namespace", ""))
	case namespaced:
		errs = append(errs, invalidEach("metadata.namespace", m.Namespace, isDNS1123Label(m.Namespace))...)
	case m.Namespace != "":
		errs = append(errs, forbidden("metadata.namespace", "not allowed on this type"))
	}
	errs = append(errs, nonNegative("metadata.generation", m.Generation)...)
	errs = append(errs, validateLabels(m.Labels, "metadata.labels")...)
	errs = append(errs, validateAnnotations(m.Annotations, "metadata.annotations")...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences)...)
	errs = append(errs, validateFinalizers(m.Finalizers)...)
	return errs
}

func validateLabels(labels map[string]string, path string) []FieldError {
	var errs []FieldError
	for _, k := range sortedKeys(labels) {
		errs = append(errs, invalidEach(path, k, isQualifiedName(k))...)
		errs = append(errs, invalidEach(path, labels[k], isLabelValue(labels[k]))...)
	}
	return errs
}

const maxAnnotationBytes = 256 * (1 << 10)

func validateAnnotations(annotations map[string]string, path string) []FieldError {
	var errs []FieldError
	size := 0
	for _, k := range sortedKeys(annotations) {
		// Annotation keys are qualified names in any case.
		errs = append(errs, invalidEach(path, k, isQualifiedName(strings.ToLower(k)))...)
		size += len(k) + len(annotations[k])
	}
	if size > maxAnnotationBytes {
		errs = append(errs, tooLong(path, maxAnnotationBytes))
	}
	return errs
}

func validateOwnerReferences(refs []OwnerReference) []FieldError {
	const path = "metadata.ownerReferences"
	var errs []FieldError
	firstController := ""
	for _, r := range refs {
		version := r.APIVersion
		switch strings.Count(version, "/") {
		case 0:
		case 1:
			_, version, _ = strings.Cut(version, "/")
		default:
			version = ""
		}
		if version == "" {
			errs = append(errs, invalid(path+".apiVersion", r.APIVersion, "version must not be empty"))
		}
		if r.Kind == "" {
			errs = append(errs, invalid(path+".kind", r.Kind, "must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, invalid(path+".name", r.Name, "must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, invalid(path+".uid", r.UID, "must not be empty"))
		}
		if r.Controller != nil && *r.Controller {
			current := r.Kind + "/" + r.Name
			if firstController == "" {
				firstController = current
			} else {
				errs = append(errs, invalid(path, ownerRefsValue(refs), fmt.Sprintf(
					"Only one reference can have Controller set to true. Found \"true\" in references for %s and %s", firstController, current)))
			}
		}
	}
	return errs
}

// standardFinalizers are the finalizer names that need no domain prefix.
var standardFinalizers = []string{"kubernetes", "orphan", "foregroundDeletion"}

func validateFinalizers(finalizers []string) []FieldError {
	const path = "metadata.finalizers"
	var errs []FieldError
	for _, f := range finalizers {
		errs = append(errs, invalidEach(path, f, isQualifiedName(f))...)
	}
	if slices.Contains(finalizers, "orphan") && slices.Contains(finalizers, "foregroundDeletion") {
		errs = append(errs, invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
	}
	for i, f := range finalizers {
		errs = append(errs, validateKubeFinalizerName(index(path, i), f)...)
	}
	return errs
}

func validateKubeFinalizerName(path, f string) []FieldError {
	if !strings.Contains(f, "/") && !slices.Contains(standardFinalizers, f) {
		return []FieldError{invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified")}
	}
	return nil
}

// Namespaces, nodes and service CIDRs.

func validateNamespace(ns *Namespace) []FieldError {
	errs := validateObjectMeta(&ns.ObjectMeta, false, nameIsDNSLabel)
	for _, f := range ns.Spec.Finalizers {
		errs = append(errs, invalidEach("spec.finalizers", f, isQualifiedName(f))...)
		errs = append(errs, validateKubeFinalizerName("spec.finalizers", f)...)
	}
	return errs
}

func validateNode(n *Node) []FieldError {
	errs := validateObjectMeta(&n.ObjectMeta, false, nameIsDNSSubdomain)
	// The apiserver converts a lone podCIDR into podCIDRs before validating.
	cidrs := n.Spec.PodCIDRs
	if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
		cidrs = []string{n.Spec.PodCIDR}
	}
	const path = "spec.podCIDRs"
	for i, c := range cidrs {
		errs = append(errs, validateCIDR(index(path, i), c)...)
	}
	if len(cidrs) > 1 {
		dual, bad, ok := dualStack(cidrs, parseCIDR)
		if !ok {
			errs = append(errs, FieldError{Type: ErrorTypeInternal, Field: path, Detail: fmt.Sprintf(
				"invalid PodCIDRs. failed to check with dual stack with error:failed to parse cidr value:%q with error:invalid CIDR address: %s", bad, bad)})
		}
		if !dual || len(cidrs) > 2 {
			errs = append(errs, invalid(path, cidrs, "may specify no more than one CIDR for each IP family"))
		}
		seen := map[string]bool{}
		for i, c := range cidrs {
			if seen[c] {
				errs = append(errs, duplicate(index(path, i), c))
			}
			seen[c] = true
		}
	}
	return errs
}

func validateServiceCIDR(sc *ServiceCIDR) []FieldError {
	errs := validateObjectMeta(&sc.ObjectMeta, false, nameIsDNSSubdomain)
	const path = "spec.cidrs"
	cidrs := sc.Spec.CIDRs
	switch {
	case len(cidrs) == 0:
		return append(errs, required(path, "at least one CIDR required"))
	case len(cidrs) > 2:
		return append(errs, invalid(path, serviceCIDRSpecValue(sc.Spec), "may only hold up to 2 values"))
	case len(cidrs) == 2:
		if dual, _, _ := dualStack(cidrs, parseCIDR); !dual {
			return append(errs, invalid(path, serviceCIDRSpecValue(sc.Spec),
				"may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64"))
		}
	}
	for i, c := range cidrs {
		errs = append(errs, validateCIDR(index(path, i), c)...)
	}
	return errs
}

// Services.

func validateService(s *Service, nodePorts PortRange) []FieldError {
	if errs := serviceIPFamilyErrors(s); len(errs) > 0 {
		return errs
	}
	if err, ok := serviceNodePortError(s, nodePorts); ok {
		return []FieldError{err}
	}
	return serviceErrors(s)
}

func isHeadless(s *Service) bool {
	return len(s.Spec.ClusterIPs) == 1 && s.Spec.ClusterIPs[0] == ClusterIPNone
}

// serviceIPFamilyErrors are the checks the apiserver makes while settling a
// Service's IP families, before it allocates anything.
func serviceIPFamilyErrors(s *Service) []FieldError {
	if s.Spec.Type == ServiceTypeExternalName {
		return nil
	}
	if errs := clusterIPErrors(s); len(errs) > 0 {
		return errs
	}
	var errs []FieldError
	if p := s.Spec.IPFamilyPolicy; p != nil && *p == SingleStack {
		if len(s.Spec.ClusterIPs) == 2 {
			errs = append(errs, invalid("spec.ipFamilyPolicy", p,
				"must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
		}
		if len(s.Spec.IPFamilies) == 2 {
			errs = append(errs, invalid("spec.ipFamilyPolicy", p,
				"must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
		}
	}
	return errs
}

// clusterIPErrors checks clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy
// against each other, as ValidateServiceClusterIPsRelatedFields does. The
// apiserver runs it again during validation proper, where it can only find
// nothing new, so serviceErrors does not repeat it.
func clusterIPErrors(s *Service) []FieldError {
	const (
		ipsPath      = "spec.clusterIPs"
		familiesPath = "spec.ipFamilies"
	)
	var errs []FieldError
	ips := s.Spec.ClusterIPs
	switch {
	case s.Spec.ClusterIP != "" && len(ips) == 0:
		errs = append(errs, required(ipsPath, ""))
	case s.Spec.ClusterIP != "" && ips[0] != s.Spec.ClusterIP:
		errs = append(errs, invalid(ipsPath, ips, "first value must match `clusterIP`"))
	case s.Spec.ClusterIP == "" && len(ips) != 0:
		errs = append(errs, invalid(ipsPath, ips, "must be empty when `clusterIP` is not specified"))
	}
	seen := map[IPFamily]bool{}
	for i, f := range s.Spec.IPFamilies {
		if f != IPv4 && f != IPv6 {
			errs = append(errs, notSupported(index(familiesPath, i), f, string(IPv4), string(IPv6)))
		}
		if seen[f] {
			errs = append(errs, duplicate(index(familiesPath, i), f))
		}
		seen[f] = true
	}
	if p := s.Spec.IPFamilyPolicy; p != nil && *p != SingleStack && *p != PreferDualStack && *p != RequireDualStack {
		errs = append(errs, notSupported("spec.ipFamilyPolicy", p, string(PreferDualStack), string(RequireDualStack), string(SingleStack)))
	}
	hasInvalid := false
	for i, ip := range ips {
		if i == 0 && ip == ClusterIPNone {
			if len(ips) > 1 {
				hasInvalid = true
				errs = append(errs, invalid(ipsPath, ips, "'None' must be the first and only value"))
			}
			continue
		}
		if e := validateIP(index(ipsPath, i), ip); len(e) > 0 {
			hasInvalid = true
			errs = append(errs, e...)
		}
	}
	if len(ips) > 2 {
		errs = append(errs, invalid(ipsPath, ips, "may only hold up to 2 values"))
	}
	if hasInvalid {
		return errs
	}
	if len(ips) > 1 {
		if dual, _, _ := dualStack(ips, parseIP); !dual {
			errs = append(errs, invalid(ipsPath, ips, "may specify no more than one IP for each IP family"))
		}
	}
	if !isHeadless(s) && len(ips) > 0 {
		for i, ip := range ips {
			if i >= len(s.Spec.IPFamilies) {
				break
			}
			switch f := s.Spec.IPFamilies[i]; {
			case f == IPv4 && isIPv6String(ip):
				errs = append(errs, invalid(index(ipsPath, i), ip, fmt.Sprintf("expected an IPv4 value as indicated by `ipFamilies[%d]`", i)))
			case f == IPv6 && !isIPv6String(ip):
				errs = append(errs, invalid(index(ipsPath, i), ip, fmt.Sprintf("expected an IPv6 value as indicated by `ipFamilies[%d]`", i)))
			}
		}
	}
	return errs
}

// serviceNodePortError replays the apiserver's node port allocation for the
// explicitly requested ports: ports sharing a port number share a node port,
// and the first request outside the range, or for a node port this Service
// already took, fails alone.
func serviceNodePortError(s *Service, r PortRange) (FieldError, bool) {
	t := s.Spec.Type
	if t != ServiceTypeNodePort && t != ServiceTypeLoadBalancer {
		return FieldError{}, false
	}
	allocates := t == ServiceTypeNodePort || s.Spec.AllocateLoadBalancerNodePorts == nil || *s.Spec.AllocateLoadBalancerNodePorts
	ports := s.Spec.Ports
	taken := map[int32]bool{}
	claim := func(i int, np int32) (FieldError, bool) {
		field := index("spec.ports", i) + ".nodePort"
		if !r.Contains(int(np)) {
			return invalid(field, np, "provided port is not in the valid range. The range of valid ports is "+r.String()), true
		}
		if taken[np] {
			return invalid(field, np, "provided port is already allocated"), true
		}
		taken[np] = true
		return FieldError{}, false
	}
	// byPort maps a service port to its node port; -1 stands for one the
	// store will pick, which is always in range.
	byPort := map[int32]int32{}
	for i, sp := range ports {
		if sp.NodePort == 0 && !allocates {
			continue
		}
		assigned := byPort[sp.Port]
		if assigned == 0 {
			requested := int32(0)
			for _, other := range ports {
				if other.Port == sp.Port && other.NodePort != 0 {
					requested = other.NodePort
					break
				}
			}
			if requested == 0 {
				byPort[sp.Port] = -1
				continue
			}
			if err, bad := claim(i, requested); bad {
				return err, true
			}
			byPort[sp.Port] = requested
		} else if sp.NodePort != 0 && sp.NodePort != assigned {
			if err, bad := claim(i, sp.NodePort); bad {
				return err, true
			}
		}
	}
	return FieldError{}, false
}

// externallyAccessible says whether a Service is reachable from outside the
// cluster, which is when externalTrafficPolicy applies.
func externallyAccessible(s *Service) bool {
	t := s.Spec.Type
	return t == ServiceTypeLoadBalancer || t == ServiceTypeNodePort ||
		(t == ServiceTypeClusterIP && len(s.Spec.ExternalIPs) > 0)
}

const (
	annotationTopologyMode       = "service.kubernetes.io/topology-mode"
	annotationTopologyAwareHints = "service.kubernetes.io/topology-aware-hints"
	annotationLBSourceRanges     = "service.beta.kubernetes.io/load-balancer-source-ranges"
)

func serviceErrors(s *Service) []FieldError {
	spec := &s.Spec
	errs := validateObjectMeta(&s.ObjectMeta, true, nameIsDNS1035Label)
	mode, modeSet := s.Annotations[annotationTopologyMode]
	if hints, hintsSet := s.Annotations[annotationTopologyAwareHints]; modeSet && hintsSet && mode != hints {
		errs = append(errs, invalid(key("metadata.annotations", annotationTopologyMode), mode,
			"must match annotations["+annotationTopologyAwareHints+"] when both are specified"))
	}
	if len(spec.Ports) == 0 && !isHeadless(s) && spec.Type != ServiceTypeExternalName {
		errs = append(errs, required("spec.ports", ""))
	}
	switch spec.Type {
	case ServiceTypeLoadBalancer, ServiceTypeNodePort:
		if isHeadless(s) {
			errs = append(errs, invalid("spec.clusterIPs[0]", spec.ClusterIPs[0],
				fmt.Sprintf("may not be set to 'None' for %s services", spec.Type)))
		}
	case ServiceTypeExternalName:
		if len(spec.ClusterIPs) > 0 {
			errs = append(errs, forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
		}
		if len(spec.IPFamilies) > 0 {
			errs = append(errs, forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
		}
		if spec.IPFamilyPolicy != nil {
			errs = append(errs, forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
		}
		// A trailing dot marks the CNAME as fully qualified.
		if cname := strings.TrimSuffix(spec.ExternalName, "."); cname != "" {
			errs = append(errs, invalidEach("spec.externalName", cname, isDNS1123Subdomain(cname))...)
		} else {
			errs = append(errs, required("spec.externalName", ""))
		}
	}
	names := map[string]bool{}
	for i := range spec.Ports {
		errs = append(errs, validateServicePort(&spec.Ports[i], len(spec.Ports) > 1, names, index("spec.ports", i))...)
	}
	if spec.Selector != nil {
		errs = append(errs, validateLabels(spec.Selector, "spec.selector")...)
	}
	switch spec.SessionAffinity {
	case "":
		errs = append(errs, required("spec.sessionAffinity", ""))
	case SessionAffinityClientIP:
		errs = append(errs, validateClientIPAffinity(spec.SessionAffinityConfig)...)
	case SessionAffinityNone:
		if spec.SessionAffinityConfig != nil {
			errs = append(errs, forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"))
		}
	default:
		errs = append(errs, notSupported("spec.sessionAffinity", spec.SessionAffinity, SessionAffinityClientIP, SessionAffinityNone))
	}
	for i, ip := range spec.ExternalIPs {
		field := index("spec.externalIPs", i)
		if e := validateIP(field, ip); len(e) > 0 {
			errs = append(errs, e...)
		} else {
			errs = append(errs, validateEndpointIP(field, ip)...)
		}
	}
	switch spec.Type {
	case ServiceTypeClusterIP, ServiceTypeNodePort, ServiceTypeLoadBalancer, ServiceTypeExternalName:
	case "":
		errs = append(errs, required("spec.type", ""))
	default:
		errs = append(errs, notSupported("spec.type", spec.Type, "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"))
	}
	if spec.Type == ServiceTypeClusterIP {
		for i, p := range spec.Ports {
			if p.NodePort != 0 {
				errs = append(errs, forbidden(index("spec.ports", i)+".nodePort", "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}
	nodePorts := map[servicePortKey]bool{}
	for i, p := range spec.Ports {
		if p.NodePort == 0 {
			continue
		}
		k := servicePortKey{Protocol: p.Protocol, Port: p.NodePort}
		if nodePorts[k] {
			errs = append(errs, duplicate(index("spec.ports", i)+".nodePort", p.NodePort))
		}
		nodePorts[k] = true
	}
	ports := map[servicePortKey]bool{}
	for i, p := range spec.Ports {
		k := servicePortKey{Protocol: p.Protocol, Port: p.Port}
		if ports[k] {
			errs = append(errs, duplicate(index("spec.ports", i), k))
		}
		ports[k] = true
	}
	errs = append(errs, validateSourceRanges(s)...)
	if spec.AllocateLoadBalancerNodePorts != nil && spec.Type != ServiceTypeLoadBalancer {
		errs = append(errs, forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"))
	}
	if spec.Type == ServiceTypeLoadBalancer && spec.AllocateLoadBalancerNodePorts == nil {
		// The apiserver reports this path without its "spec." prefix.
		errs = append(errs, required("allocateLoadBalancerNodePorts", ""))
	}
	if spec.LoadBalancerClass != nil {
		if spec.Type == ServiceTypeLoadBalancer {
			errs = append(errs, invalidEach("spec.loadBalancerClass", *spec.LoadBalancerClass, isQualifiedName(*spec.LoadBalancerClass))...)
		} else {
			errs = append(errs, forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"))
		}
	}
	errs = append(errs, validateTrafficPolicies(s)...)
	if td := spec.TrafficDistribution; td != nil && *td != "PreferClose" {
		errs = append(errs, notSupported("spec.trafficDistribution", *td, "PreferClose"))
	}
	return errs
}

func validateServicePort(sp *ServicePort, requireName bool, names map[string]bool, path string) []FieldError {
	var errs []FieldError
	switch {
	case requireName && sp.Name == "":
		errs = append(errs, required(path+".name", ""))
	case sp.Name != "":
		errs = append(errs, invalidEach(path+".name", sp.Name, isDNS1123Label(sp.Name))...)
		if names[sp.Name] {
			errs = append(errs, duplicate(path+".name", sp.Name))
		}
		names[sp.Name] = true
	}
	errs = append(errs, invalidEach(path+".port", sp.Port, isValidPortNum(int(sp.Port)))...)
	errs = append(errs, validateProtocol(path+".protocol", sp.Protocol)...)
	if tp := sp.TargetPort; tp.IsString {
		errs = append(errs, invalidEach(path+".targetPort", tp.StrVal, isValidPortName(tp.StrVal))...)
	} else {
		errs = append(errs, invalidEach(path+".targetPort", tp.IntVal, isValidPortNum(int(tp.IntVal)))...)
	}
	if sp.AppProtocol != nil {
		errs = append(errs, invalidEach(path+".appProtocol", *sp.AppProtocol, isQualifiedName(*sp.AppProtocol))...)
	}
	return errs
}

func validateProtocol(path string, p Protocol) []FieldError {
	switch p {
	case ProtocolTCP, ProtocolUDP, ProtocolSCTP:
		return nil
	case "":
		return []FieldError{required(path, "")}
	}
	return []FieldError{notSupported(path, p, "SCTP", "TCP", "UDP")}
}

// maxClientIPAffinitySeconds is the longest ClientIP affinity, one day.
const maxClientIPAffinitySeconds = 86400

func validateClientIPAffinity(c *SessionAffinityConfig) []FieldError {
	const path = "spec.sessionAffinityConfig"
	const detail = "when session affinity type is ClientIP"
	switch {
	case c == nil:
		return []FieldError{required(path, detail)}
	case c.ClientIP == nil:
		return []FieldError{required(path+".clientIP", detail)}
	case c.ClientIP.TimeoutSeconds == nil:
		return []FieldError{required(path+".clientIP.timeoutSeconds", detail)}
	}
	if t := c.ClientIP.TimeoutSeconds; *t <= 0 || *t > maxClientIPAffinitySeconds {
		return []FieldError{invalid(path+".clientIP.timeoutSeconds", t,
			fmt.Sprintf("must be greater than 0 and less than %d", maxClientIPAffinitySeconds))}
	}
	return nil
}

func validateSourceRanges(s *Service) []FieldError {
	const lbOnly = "may only be used when `type` is 'LoadBalancer'"
	var errs []FieldError
	if ranges := s.Spec.LoadBalancerSourceRanges; len(ranges) > 0 {
		// The apiserver spells this path with a capital L.
		const path = "spec.LoadBalancerSourceRanges"
		if s.Spec.Type != ServiceTypeLoadBalancer {
			errs = append(errs, forbidden(path, lbOnly))
		}
		for i, r := range ranges {
			// Padding is tolerated, a leftover of the annotation's format.
			errs = append(errs, validateCIDR(index(path, i), strings.TrimSpace(r))...)
		}
		return errs
	}
	val, ok := s.Annotations[annotationLBSourceRanges]
	if !ok {
		return nil
	}
	path := key("metadata.annotations", annotationLBSourceRanges)
	if s.Spec.Type != ServiceTypeLoadBalancer {
		errs = append(errs, forbidden(path, lbOnly))
	}
	if val = strings.TrimSpace(val); val != "" {
		for r := range strings.SplitSeq(val, ",") {
			errs = append(errs, validateCIDR(path, strings.TrimSpace(r))...)
		}
	}
	return errs
}

// validateTrafficPolicies checks externalTrafficPolicy, healthCheckNodePort and
// internalTrafficPolicy. A LoadBalancer with policy Local may still lack its
// healthCheckNodePort: the store allocates it, as the apiserver does before
// validating.
func validateTrafficPolicies(s *Service) []FieldError {
	spec := &s.Spec
	var errs []FieldError
	if !externallyAccessible(s) {
		if spec.ExternalTrafficPolicy != "" {
			errs = append(errs, invalid("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, "may only be set for externally-accessible services"))
		}
	} else {
		switch spec.ExternalTrafficPolicy {
		case TrafficPolicyCluster, TrafficPolicyLocal:
		case "":
			errs = append(errs, required("spec.externalTrafficPolicy", ""))
		default:
			errs = append(errs, notSupported("spec.externalTrafficPolicy", spec.ExternalTrafficPolicy, "Cluster", "Local"))
		}
	}
	needsHealthCheck := spec.Type == ServiceTypeLoadBalancer && spec.ExternalTrafficPolicy == TrafficPolicyLocal
	switch {
	case !needsHealthCheck && spec.HealthCheckNodePort != 0:
		errs = append(errs, invalid("spec.healthCheckNodePort", spec.HealthCheckNodePort,
			"may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
	case needsHealthCheck && spec.HealthCheckNodePort != 0:
		errs = append(errs, invalidEach("spec.healthCheckNodePort", spec.HealthCheckNodePort, isValidPortNum(int(spec.HealthCheckNodePort)))...)
	}
	if p := spec.InternalTrafficPolicy; p == nil {
		// Other types are tolerated for historical reasons.
		if spec.Type == ServiceTypeNodePort || spec.Type == ServiceTypeLoadBalancer || spec.Type == ServiceTypeClusterIP {
			errs = append(errs, required("spec.internalTrafficPolicy", ""))
		}
	} else if *p != TrafficPolicyCluster && *p != TrafficPolicyLocal {
		errs = append(errs, notSupported("spec.internalTrafficPolicy", *p, "Cluster", "Local"))
	}
	return errs
}

// Endpoints and EndpointSlices.

func validateEndpoints(ep *Endpoints) []FieldError {
	errs := validateObjectMeta(&ep.ObjectMeta, true, nameIsDNSSubdomain)
	for i := range ep.Subsets {
		ss := &ep.Subsets[i]
		path := index("subsets", i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, required(path, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			errs = append(errs, validateEndpointAddress(&ss.Addresses[j], index(path+".addresses", j))...)
		}
		for j := range ss.NotReadyAddresses {
			errs = append(errs, validateEndpointAddress(&ss.NotReadyAddresses[j], index(path+".notReadyAddresses", j))...)
		}
		for j := range ss.Ports {
			errs = append(errs, validateEndpointPort(&ss.Ports[j], len(ss.Ports) > 1, index(path+".ports", j))...)
		}
	}
	return errs
}

func validateEndpointAddress(a *EndpointAddress, path string) []FieldError {
	ip := addrString(a.IP)
	errs := validateIP(path+".ip", ip)
	if a.Hostname != "" {
		errs = append(errs, invalidEach(path+".hostname", a.Hostname, isDNS1123Label(a.Hostname))...)
	}
	if a.NodeName != nil {
		errs = append(errs, invalidEach(path+".nodeName", *a.NodeName, isDNS1123Subdomain(*a.NodeName))...)
	}
	return append(errs, validateEndpointIP(path+".ip", ip)...)
}

func validateEndpointPort(p *EndpointPort, requireName bool, path string) []FieldError {
	var errs []FieldError
	switch {
	case requireName && p.Name == "":
		errs = append(errs, required(path+".name", ""))
	case p.Name != "":
		errs = append(errs, invalidEach(path+".name", p.Name, isDNS1123Label(p.Name))...)
	}
	errs = append(errs, invalidEach(path+".port", p.Port, isValidPortNum(int(p.Port)))...)
	errs = append(errs, validateProtocol(path+".protocol", p.Protocol)...)
	if p.AppProtocol != nil {
		errs = append(errs, invalidEach(path+".appProtocol", *p.AppProtocol, isQualifiedName(*p.AppProtocol))...)
	}
	return errs
}

// EndpointSlice limits.
const (
	maxSliceEndpoints = 1000
	maxSliceAddresses = 100
	maxSlicePorts     = 20000
	maxZoneHints      = 8
)

func validateEndpointSlice(es *EndpointSlice) []FieldError {
	errs := validateObjectMeta(&es.ObjectMeta, true, nameIsDNSSubdomain)
	switch es.AddressType {
	case AddressTypeIPv4, AddressTypeIPv6, AddressTypeFQDN:
	case "":
		errs = append(errs, required("addressType", ""))
	default:
		errs = append(errs, notSupported("addressType", es.AddressType, "FQDN", "IPv4", "IPv6"))
	}
	if len(es.Endpoints) > maxSliceEndpoints {
		errs = append(errs, tooMany("endpoints", len(es.Endpoints), maxSliceEndpoints))
	} else {
		for i := range es.Endpoints {
			errs = append(errs, validateSliceEndpoint(&es.Endpoints[i], es.AddressType, index("endpoints", i))...)
		}
	}
	if len(es.Ports) > maxSlicePorts {
		return append(errs, tooMany("ports", len(es.Ports), maxSlicePorts))
	}
	names := map[string]bool{}
	for i, p := range es.Ports {
		path := index("ports", i)
		name := ""
		if p.Name != nil {
			name = *p.Name
		}
		if name != "" {
			errs = append(errs, invalidEach(path+".name", name, isDNS1123Label(name))...)
		}
		if names[name] {
			errs = append(errs, duplicate(path+".name", name))
		}
		names[name] = true
		switch {
		case p.Protocol == nil:
			errs = append(errs, required(path+".protocol", ""))
		case *p.Protocol != ProtocolTCP && *p.Protocol != ProtocolUDP && *p.Protocol != ProtocolSCTP:
			errs = append(errs, notSupported(path+".protocol", *p.Protocol, "SCTP", "TCP", "UDP"))
		}
		if p.AppProtocol != nil {
			errs = append(errs, invalidEach(path+".appProtocol", *p.AppProtocol, isQualifiedName(*p.AppProtocol))...)
		}
	}
	return errs
}

func validateSliceEndpoint(ep *Endpoint, addressType AddressType, path string) []FieldError {
	var errs []FieldError
	addrPath := path + ".addresses"
	if len(ep.Addresses) == 0 {
		errs = append(errs, required(addrPath, "must contain at least 1 address"))
	} else if len(ep.Addresses) > maxSliceAddresses {
		errs = append(errs, tooMany(addrPath, len(ep.Addresses), maxSliceAddresses))
	}
	for i, a := range ep.Addresses {
		field, s := index(addrPath, i), addrString(a)
		parsed, ok := parseIP(s)
		switch addressType {
		case AddressTypeIPv4:
			if !ok || !isIPv4(parsed) {
				errs = append(errs, invalid(field, s, "must be a valid IPv4 address"))
			}
			errs = append(errs, validateEndpointIP(field, s)...)
		case AddressTypeIPv6:
			if !ok || isIPv4(parsed) {
				errs = append(errs, invalid(field, s, "must be a valid IPv6 address"))
			}
			errs = append(errs, validateEndpointIP(field, s)...)
		case AddressTypeFQDN:
			errs = append(errs, validateFQDN(field, s)...)
		}
	}
	if ep.NodeName != nil {
		errs = append(errs, invalidEach(path+".nodeName", *ep.NodeName, isDNS1123Subdomain(*ep.NodeName))...)
	}
	if ep.Hostname != nil {
		errs = append(errs, invalidEach(path+".hostname", *ep.Hostname, isDNS1123Label(*ep.Hostname))...)
	}
	if ep.Hints != nil {
		errs = append(errs, validateZoneHints(ep.Hints.ForZones, path+".hints.forZones")...)
	}
	return errs
}

// validateFQDN follows IsFullyQualifiedDomainName. This model keeps slice
// addresses as IPs, so a name here is an IP's text: an IPv4 address always has
// enough valid segments and only the subdomain check can fail.
func validateFQDN(field, name string) []FieldError {
	if name == "" {
		return []FieldError{required(field, "")}
	}
	if msgs := isDNS1123Subdomain(name); len(msgs) > 0 {
		return []FieldError{invalid(field, name, strings.Join(msgs, ","))}
	}
	return nil
}

func validateZoneHints(zones []ForZone, path string) []FieldError {
	if len(zones) > maxZoneHints {
		return []FieldError{tooMany(path, len(zones), maxZoneHints)}
	}
	var errs []FieldError
	seen := map[string]bool{}
	for i, z := range zones {
		field := index(path, i) + ".name"
		if seen[z.Name] {
			errs = append(errs, duplicate(field, z.Name))
		}
		seen[z.Name] = true
		errs = append(errs, invalidEach(field, z.Name, isLabelValue(z.Name))...)
	}
	return errs
}

// Pods and workloads.

func validatePod(p *Pod) []FieldError {
	errs := validateObjectMeta(&p.ObjectMeta, true, nameIsDNSSubdomain)
	errs = append(errs, validatePodSpec(&p.Spec, "spec", true)...)
	// Only pods, not templates, refuse padded images, for compatibility.
	for _, list := range []struct {
		path string
		cs   []Container
	}{{"spec.containers", p.Spec.Containers}, {"spec.initContainers", p.Spec.InitContainers}} {
		for i, c := range list.cs {
			if strings.TrimSpace(c.Image) != c.Image {
				errs = append(errs, invalid(index(list.path, i)+".image", c.Image, "must not have leading or trailing whitespace"))
			}
		}
	}
	return errs
}

// validatePodSpec checks a pod's spec or a template's; isPod says it is a
// pod's, where a host-network port must name its host port.
func validatePodSpec(spec *PodSpec, path string, isPod bool) []FieldError {
	var errs []FieldError
	grace := spec.TerminationGracePeriodSeconds
	if grace == nil {
		errs = append(errs, required(path+".terminationGracePeriodSeconds", ""))
	}
	errs = append(errs, validateContainers(spec.Containers, path+".containers", grace)...)
	errs = append(errs, validateInitContainers(spec.InitContainers, spec.Containers, path+".initContainers")...)
	if spec.HostNetwork {
		for i, c := range spec.Containers {
			for j, p := range c.Ports {
				if (isPod || p.HostPort != 0) && p.HostPort != p.ContainerPort {
					errs = append(errs, invalid(index(index(path+".containers", i)+".ports", j)+".hostPort", p.HostPort,
						"must match `containerPort` when `hostNetwork` is true"))
				}
			}
		}
	}
	switch spec.RestartPolicy {
	case "Always", "OnFailure", "Never":
	case "":
		errs = append(errs, required(path+".restartPolicy", ""))
	default:
		errs = append(errs, notSupported(path+".restartPolicy", spec.RestartPolicy, "Always", "OnFailure", "Never"))
	}
	switch spec.DNSPolicy {
	case DNSClusterFirstWithHostNet, DNSClusterFirst, DNSDefault, DNSNone:
	case "":
		errs = append(errs, required(path+".dnsPolicy", ""))
	default:
		errs = append(errs, notSupported(path+".dnsPolicy", spec.DNSPolicy, "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"))
	}
	errs = append(errs, validateLabels(spec.NodeSelector, path+".nodeSelector")...)
	errs = append(errs, validateDNSConfig(spec.DNSConfig, spec.DNSPolicy, path+".dnsConfig")...)
	if spec.ServiceAccountName != "" {
		errs = append(errs, invalidEach(path+".serviceAccountName", spec.ServiceAccountName, isDNS1123Subdomain(spec.ServiceAccountName))...)
	}
	if spec.NodeName != "" {
		errs = append(errs, invalidEach(path+".nodeName", spec.NodeName, isDNS1123Subdomain(spec.NodeName))...)
	}
	if spec.Hostname != "" {
		errs = append(errs, invalidEach(path+".hostname", spec.Hostname, isDNS1123Label(spec.Hostname))...)
	}
	if spec.Subdomain != "" {
		errs = append(errs, invalidEach(path+".subdomain", spec.Subdomain, isDNS1123Label(spec.Subdomain))...)
	}
	if spec.PriorityClassName != "" {
		errs = append(errs, invalidEach(path+".priorityClassName", spec.PriorityClassName, isDNS1123Subdomain(spec.PriorityClassName))...)
	}
	return errs
}

// Limits on dnsConfig, from what the resolver in libc handles.
const (
	maxDNSNameservers     = 3
	maxDNSSearchPaths     = 32
	maxDNSSearchListChars = 2048
)

// validateDNSConfig follows Kubernetes 1.33, whose relaxed search validation
// (on by default) allows "." and underscores in search domains.
func validateDNSConfig(c *PodDNSConfig, policy DNSPolicy, path string) []FieldError {
	if policy == DNSNone {
		if c == nil {
			return []FieldError{required(path, "must provide `dnsConfig` when `dnsPolicy` is None")}
		}
		if len(c.Nameservers) == 0 {
			return []FieldError{required(path+".nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None")}
		}
	}
	if c == nil {
		return nil
	}
	var errs []FieldError
	if len(c.Nameservers) > maxDNSNameservers {
		errs = append(errs, invalid(path+".nameservers", c.Nameservers, fmt.Sprintf("must not have more than %d nameservers", maxDNSNameservers)))
	}
	for i, ns := range c.Nameservers {
		errs = append(errs, validateIP(index(path+".nameservers", i), ns)...)
	}
	if len(c.Searches) > maxDNSSearchPaths {
		errs = append(errs, invalid(path+".searches", c.Searches, fmt.Sprintf("must not have more than %d search paths", maxDNSSearchPaths)))
	}
	if len(strings.Join(c.Searches, " ")) > maxDNSSearchListChars {
		errs = append(errs, invalid(path+".searches", c.Searches,
			fmt.Sprintf("must not have more than %d characters (including spaces) in the search list", maxDNSSearchListChars)))
	}
	for i, s := range c.Searches {
		if s != "." {
			s = strings.TrimSuffix(s, ".")
			errs = append(errs, invalidEach(index(path+".searches", i), s, isDNS1123SubdomainWithUnderscore(s))...)
		}
	}
	for i, o := range c.Options {
		if o.Name == "" {
			errs = append(errs, required(index(path+".options", i), "must not be empty"))
		}
	}
	return errs
}

func validateContainerCommon(c *Container, path string) []FieldError {
	var errs []FieldError
	if c.Name == "" {
		errs = append(errs, required(path+".name", ""))
	} else {
		errs = append(errs, invalidEach(path+".name", c.Name, isDNS1123Label(c.Name))...)
	}
	if c.Image == "" {
		errs = append(errs, required(path+".image", ""))
	}
	switch c.TerminationMessagePolicy {
	case "File", "FallbackToLogsOnError":
	case "":
		errs = append(errs, required(path+".terminationMessagePolicy", ""))
	default:
		errs = append(errs, notSupported(path+".terminationMessagePolicy", c.TerminationMessagePolicy, "File", "FallbackToLogsOnError"))
	}
	errs = append(errs, validateContainerPorts(c.Ports, path+".ports")...)
	switch c.ImagePullPolicy {
	case "Always", "IfNotPresent", "Never":
	case "":
		errs = append(errs, required(path+".imagePullPolicy", ""))
	default:
		errs = append(errs, notSupported(path+".imagePullPolicy", c.ImagePullPolicy, "Always", "IfNotPresent", "Never"))
	}
	return errs
}

func validateContainerPorts(ports []ContainerPort, path string) []FieldError {
	var errs []FieldError
	names := map[string]bool{}
	for i, p := range ports {
		idx := index(path, i)
		if p.Name != "" {
			if msgs := isValidPortName(p.Name); len(msgs) > 0 {
				errs = append(errs, invalidEach(idx+".name", p.Name, msgs)...)
			} else if names[p.Name] {
				errs = append(errs, duplicate(idx+".name", p.Name))
			} else {
				names[p.Name] = true
			}
		}
		if p.ContainerPort == 0 {
			errs = append(errs, required(idx+".containerPort", ""))
		} else {
			errs = append(errs, invalidEach(idx+".containerPort", p.ContainerPort, isValidPortNum(int(p.ContainerPort)))...)
		}
		if p.HostPort != 0 {
			errs = append(errs, invalidEach(idx+".hostPort", p.HostPort, isValidPortNum(int(p.HostPort)))...)
		}
		errs = append(errs, validateProtocol(idx+".protocol", p.Protocol)...)
	}
	return errs
}

func validateContainers(cs []Container, path string, grace *int64) []FieldError {
	if len(cs) == 0 {
		return []FieldError{required(path, "")}
	}
	var errs []FieldError
	names := map[string]bool{}
	for i := range cs {
		c, idx := &cs[i], index(path, i)
		errs = append(errs, validateContainerCommon(c, idx)...)
		if names[c.Name] {
			errs = append(errs, duplicate(idx+".name", c.Name))
		}
		names[c.Name] = true
		if c.Lifecycle != nil {
			errs = append(errs, validateLifecycle(c.Lifecycle, grace, idx+".lifecycle")...)
		}
		if c.ReadinessProbe != nil {
			errs = append(errs, validateReadinessProbe(c.ReadinessProbe, idx+".readinessProbe")...)
		}
	}
	return append(errs, hostPortConflicts(cs, path)...)
}

func validateInitContainers(cs, regular []Container, path string) []FieldError {
	const notAlways = "may not be set for init containers without restartPolicy=Always"
	var errs []FieldError
	names := map[string]bool{}
	for _, c := range regular {
		names[c.Name] = true
	}
	for i := range cs {
		c, idx := &cs[i], index(path, i)
		errs = append(errs, validateContainerCommon(c, idx)...)
		if names[c.Name] {
			errs = append(errs, duplicate(idx+".name", c.Name))
		} else if c.Name != "" {
			names[c.Name] = true
		}
		// Init containers run one at a time, so only a container's own
		// ports can collide; the apiserver indexes it as the only one.
		errs = append(errs, hostPortConflicts(cs[i:i+1], path)...)
		if c.Lifecycle != nil {
			errs = append(errs, forbidden(idx+".lifecycle", notAlways))
		}
		if present(c.LivenessProbe) {
			errs = append(errs, forbidden(idx+".livenessProbe", notAlways))
		}
		if c.ReadinessProbe != nil {
			errs = append(errs, forbidden(idx+".readinessProbe", notAlways))
		}
		if present(c.StartupProbe) {
			errs = append(errs, forbidden(idx+".startupProbe", notAlways))
		}
	}
	return errs
}

func hostPortConflicts(cs []Container, path string) []FieldError {
	var errs []FieldError
	seen := map[string]bool{}
	for i, c := range cs {
		for j, p := range c.Ports {
			if p.HostPort == 0 {
				continue
			}
			k := fmt.Sprintf("%s/%s/%d", p.Protocol, p.HostIP, p.HostPort)
			if seen[k] {
				errs = append(errs, duplicate(index(index(path, i)+".ports", j)+".hostPort", k))
			}
			seen[k] = true
		}
	}
	return errs
}

// handlerKinds counts the actions a hook or probe names, returning the
// Forbidden causes for every action after the first.
func handlerKinds(path string, kinds []string, set []bool) (int, []FieldError) {
	n := 0
	var errs []FieldError
	for i, k := range kinds {
		if !set[i] {
			continue
		}
		if n > 0 {
			errs = append(errs, forbidden(path+"."+k, "may not specify more than 1 handler type"))
			continue
		}
		n++
	}
	return n, errs
}

// validateLifecycle checks the preStop hook, whose sleep kubesim models; the
// postStart hook is kept as raw JSON and not inspected.
func validateLifecycle(l *Lifecycle, grace *int64, path string) []FieldError {
	h := l.PreStop
	if h == nil {
		return nil
	}
	path += ".preStop"
	n, errs := handlerKinds(path, []string{"exec", "httpGet", "sleep"}, []bool{present(h.Exec), present(h.HTTPGet), h.Sleep != nil})
	if n == 0 {
		return append(errs, required(path, "must specify a handler type"))
	}
	// With Kubernetes 1.33's PodLifecycleSleepActionAllowZero (on by
	// default) a zero sleep is allowed.
	if s := h.Sleep; s != nil && !present(h.Exec) && !present(h.HTTPGet) && grace != nil && (s.Seconds < 0 || s.Seconds > *grace) {
		errs = append(errs, invalid(path+".sleep", s.Seconds,
			fmt.Sprintf("must be non-negative and less than terminationGracePeriodSeconds (%d)", *grace)))
	}
	return errs
}

func validateReadinessProbe(p *Probe, path string) []FieldError {
	n, errs := handlerKinds(path, []string{"exec", "httpGet", "tcpSocket", "grpc"},
		[]bool{present(p.Exec), present(p.HTTPGet), present(p.TCPSocket), present(p.GRPC)})
	if n == 0 {
		errs = append(errs, required(path, "must specify a handler type"))
	}
	errs = append(errs, nonNegative(path+".initialDelaySeconds", int64(p.InitialDelaySeconds))...)
	errs = append(errs, nonNegative(path+".timeoutSeconds", int64(p.TimeoutSeconds))...)
	errs = append(errs, nonNegative(path+".periodSeconds", int64(p.PeriodSeconds))...)
	errs = append(errs, nonNegative(path+".successThreshold", int64(p.SuccessThreshold))...)
	errs = append(errs, nonNegative(path+".failureThreshold", int64(p.FailureThreshold))...)
	if t := p.TerminationGracePeriodSeconds; t != nil {
		if *t <= 0 {
			errs = append(errs, invalid(path+".terminationGracePeriodSeconds", *t, "must be greater than 0"))
		}
		errs = append(errs, invalid(path+".terminationGracePeriodSeconds", t, "must not be set for readinessProbes"))
	}
	return errs
}

func validatePodTemplate(t *PodTemplateSpec, path string) []FieldError {
	errs := validateLabels(t.Labels, path+".labels")
	errs = append(errs, validateAnnotations(t.Annotations, path+".annotations")...)
	return append(errs, validatePodSpec(&t.Spec, path+".spec", false)...)
}

// validateWorkloadSelector checks a Deployment's or ReplicaSet's selector and
// its agreement with the pod template, as apps validation does for both.
func validateWorkloadSelector(sel *LabelSelector, t *PodTemplateSpec) []FieldError {
	var errs []FieldError
	if sel == nil {
		errs = append(errs, required("spec.selector", ""))
	} else {
		errs = append(errs, validateLabelSelector(sel, "spec.selector")...)
		if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
			// ReplicaSets get the same message, naming deployments.
			errs = append(errs, invalid("spec.selector", labelSelectorValue(*sel), "empty selector is invalid for deployment"))
		}
	}
	s, err := SelectorFromLabelSelector(sel)
	if err != nil {
		return append(errs, invalid("spec.selector", labelSelectorValue(*sel), "invalid label selector"))
	}
	if !s.Empty() && !s.Matches(t.Labels) {
		errs = append(errs, invalid("spec.template.metadata.labels", t.Labels, "`selector` does not match template `labels`"))
	}
	errs = append(errs, validatePodTemplate(t, "spec.template")...)
	if t.Spec.RestartPolicy != "Always" {
		errs = append(errs, notSupported("spec.template.spec.restartPolicy", t.Spec.RestartPolicy, "Always"))
	}
	return errs
}

func validateLabelSelector(sel *LabelSelector, path string) []FieldError {
	errs := validateLabels(sel.MatchLabels, path+".matchLabels")
	for i, e := range sel.MatchExpressions {
		p := index(path+".matchExpressions", i)
		switch e.Operator {
		case "In", "NotIn":
			if len(e.Values) == 0 {
				errs = append(errs, required(p+".values", "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case "Exists", "DoesNotExist":
			if len(e.Values) > 0 {
				errs = append(errs, forbidden(p+".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		default:
			errs = append(errs, invalid(p+".operator", e.Operator, "not a valid selector operator"))
		}
		errs = append(errs, invalidEach(p+".key", e.Key, isQualifiedName(e.Key))...)
		for j, v := range e.Values {
			errs = append(errs, invalidEach(index(p+".values", j), v, isLabelValue(v))...)
		}
	}
	return errs
}

func validateDeployment(d *Deployment) []FieldError {
	spec := &d.Spec
	errs := validateObjectMeta(&d.ObjectMeta, true, nameIsDNSSubdomain)
	if spec.Replicas != nil {
		errs = append(errs, nonNegative("spec.replicas", int64(*spec.Replicas))...)
	}
	errs = append(errs, validateWorkloadSelector(spec.Selector, &spec.Template)...)
	errs = append(errs, validateStrategy(&spec.Strategy)...)
	errs = append(errs, nonNegative("spec.minReadySeconds", int64(spec.MinReadySeconds))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, nonNegative("spec.revisionHistoryLimit", int64(*spec.RevisionHistoryLimit))...)
	}
	if p := spec.ProgressDeadlineSeconds; p != nil {
		errs = append(errs, nonNegative("spec.progressDeadlineSeconds", int64(*p))...)
		if *p <= spec.MinReadySeconds {
			errs = append(errs, invalid("spec.progressDeadlineSeconds", p, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

func validateReplicaSet(rs *ReplicaSet) []FieldError {
	spec := &rs.Spec
	errs := validateObjectMeta(&rs.ObjectMeta, true, nameIsDNSSubdomain)
	if spec.Replicas != nil {
		errs = append(errs, nonNegative("spec.replicas", int64(*spec.Replicas))...)
	}
	errs = append(errs, nonNegative("spec.minReadySeconds", int64(spec.MinReadySeconds))...)
	return append(errs, validateWorkloadSelector(spec.Selector, &spec.Template)...)
}

func validateStrategy(s *DeploymentStrategy) []FieldError {
	const path = "spec.strategy"
	switch s.Type {
	case RecreateStrategy:
		if s.RollingUpdate != nil {
			return []FieldError{forbidden(path+".rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")}
		}
		return nil
	case RollingUpdateStrategy:
		if s.RollingUpdate == nil {
			return []FieldError{required(path+".rollingUpdate", "this should be defaulted and never be nil")}
		}
		return validateRollingUpdate(s.RollingUpdate, path+".rollingUpdate")
	}
	return []FieldError{notSupported(path, strategyValue(*s), RecreateStrategy, RollingUpdateStrategy)}
}

func validateRollingUpdate(ru *RollingUpdateDeployment, path string) []FieldError {
	var unavailable, surge IntOrString
	if ru.MaxUnavailable != nil {
		unavailable = *ru.MaxUnavailable
	}
	if ru.MaxSurge != nil {
		surge = *ru.MaxSurge
	}
	errs := validateIntOrPercent(unavailable, path+".maxUnavailable")
	errs = append(errs, validateIntOrPercent(surge, path+".maxSurge")...)
	if intOrPercentValue(unavailable) == 0 && intOrPercentValue(surge) == 0 {
		errs = append(errs, invalid(path+".maxUnavailable", intstrValue(unavailable), "may not be 0 when `maxSurge` is 0"))
	}
	if p, ok := percentValue(unavailable); ok && p > 100 {
		errs = append(errs, invalid(path+".maxUnavailable", intstrValue(unavailable), "must not be greater than 100%"))
	}
	return errs
}

func validateIntOrPercent(v IntOrString, path string) []FieldError {
	if v.IsString {
		return invalidEach(path, intstrValue(v), isValidPercent(v.StrVal))
	}
	return nonNegative(path, int64(v.IntVal))
}

func percentValue(v IntOrString) (int, bool) {
	if !v.IsString || len(isValidPercent(v.StrVal)) > 0 {
		return 0, false
	}
	n, err := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, err == nil
}

// intOrPercentValue reads the number the way apps validation does: a
// percentage's number, an integer, or a string's number when it is one and 0
// otherwise.
func intOrPercentValue(v IntOrString) int {
	if p, ok := percentValue(v); ok {
		return p
	}
	if v.IsString {
		n, _ := strconv.Atoi(v.StrVal)
		return n
	}
	return int(v.IntVal)
}
