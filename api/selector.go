package api

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Operator relates a label key to a requirement's values, spelled as in
// apimachinery's selection package.
type Operator string

// The label selector operators. A LabelSelector's matchExpressions use In,
// NotIn, Exists and DoesNotExist, which map to OpIn, OpNotIn, OpExists and
// OpDoesNotExist.
const (
	OpEquals       Operator = "="
	OpDoubleEquals Operator = "=="
	OpNotEquals    Operator = "!="
	OpIn           Operator = "in"
	OpNotIn        Operator = "notin"
	OpExists       Operator = "exists"
	OpDoesNotExist Operator = "!"
	OpGreaterThan  Operator = "gt"
	OpLessThan     Operator = "lt"
)

// binaryOperators lists the operators that take values, in the order the
// parser names them when it finds something else.
const binaryOperators = "in, notin, =, ==, !=, gt, lt"

// Requirement is one term of a selector: a key, an operator and the operator's
// values, sorted and without duplicates (none for OpExists and OpDoesNotExist).
type Requirement struct {
	Key    string
	Op     Operator
	Values []string
}

// Selector is a label selector: the AND of its requirements, which are kept
// sorted by key, then operator, then values, so that equal selectors compare
// and print equal. The zero Selector is Everything.
type Selector struct {
	reqs    []Requirement
	nothing bool
}

// Everything returns the selector that matches every set of labels.
func Everything() Selector { return Selector{} }

// Nothing returns the selector that matches no set of labels: what a nil
// LabelSelector means. It has no requirements and prints as "".
func Nothing() Selector { return Selector{nothing: true} }

// Empty reports whether the selector places no restriction, as Everything
// does. Nothing is not empty.
func (s Selector) Empty() bool { return len(s.reqs) == 0 && !s.nothing }

// Requirements returns a copy of the selector's requirements, so that an index
// can narrow its candidates with the equality terms and then call Matches.
func (s Selector) Requirements() []Requirement {
	if len(s.reqs) == 0 {
		return nil
	}
	out := make([]Requirement, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = Requirement{Key: r.Key, Op: r.Op, Values: slices.Clone(r.Values)}
	}
	return out
}

// Matches reports whether labels satisfy every requirement. As in Kubernetes,
// notin and != match when the key is absent. It does not allocate, because
// controllers call it for every pod on every change.
func (s Selector) Matches(labels map[string]string) bool {
	if s.nothing {
		return false
	}
	for i := range s.reqs {
		if !s.reqs[i].matches(labels) {
			return false
		}
	}
	return true
}

func (r *Requirement) matches(labels map[string]string) bool {
	v, ok := labels[r.Key]
	switch r.Op {
	case OpEquals, OpDoubleEquals, OpIn:
		return ok && r.hasValue(v)
	case OpNotEquals, OpNotIn:
		return !ok || !r.hasValue(v)
	case OpExists:
		return ok
	case OpDoesNotExist:
		return !ok
	}
	// What is left is gt and lt, whose single integer value newRequirement
	// guarantees; a label that is not an integer does not match.
	if !ok {
		return false
	}
	have, ok1 := parseInt64(v)
	want, ok2 := parseInt64(r.Values[0])
	if !ok1 || !ok2 {
		return false
	}
	if r.Op == OpGreaterThan {
		return have > want
	}
	return have < want
}

func (r *Requirement) hasValue(v string) bool {
	for _, x := range r.Values {
		if x == v {
			return true
		}
	}
	return false
}

// parseInt64 accepts what strconv.ParseInt(s, 10, 64) accepts without
// allocating an error on failure, which keeps Matches allocation-free.
func parseInt64(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		// -2^63 wraps onto itself, so one negation serves the whole range.
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// String renders the selector in kubectl -l syntax; ParseSelector reads it back
// to an equal selector (except Nothing, which has no spelling).
func (s Selector) String() string {
	var b strings.Builder
	for i := range s.reqs {
		if i > 0 {
			b.WriteByte(',')
		}
		s.reqs[i].write(&b)
	}
	return b.String()
}

// String renders the requirement as one term of kubectl -l syntax.
func (r Requirement) String() string {
	var b strings.Builder
	r.write(&b)
	return b.String()
}

func (r *Requirement) write(b *strings.Builder) {
	if r.Op == OpDoesNotExist {
		b.WriteByte('!')
	}
	b.WriteString(r.Key)
	switch r.Op {
	case OpExists, OpDoesNotExist:
		return
	case OpIn, OpNotIn:
		b.WriteString(" " + string(r.Op) + " (")
		b.WriteString(strings.Join(r.Values, ","))
		b.WriteByte(')')
		return
	case OpGreaterThan:
		b.WriteByte('>')
	case OpLessThan:
		b.WriteByte('<')
	default:
		b.WriteString(string(r.Op))
	}
	b.WriteString(strings.Join(r.Values, ","))
}

// newSelector sorts the requirements into canonical order.
func newSelector(reqs []Requirement) Selector {
	slices.SortFunc(reqs, compareRequirements)
	return Selector{reqs: reqs}
}

func compareRequirements(a, b Requirement) int {
	if c := strings.Compare(a.Key, b.Key); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Op), string(b.Op)); c != 0 {
		return c
	}
	return slices.Compare(a.Values, b.Values)
}

// SelectorFromSet returns the equality selector of a Service's spec.selector or
// a LabelSelector's matchLabels. It does not validate, as apimachinery's does
// not; a nil or empty set gives Everything.
func SelectorFromSet(m map[string]string) Selector {
	if len(m) == 0 {
		return Selector{}
	}
	reqs := make([]Requirement, 0, len(m))
	for k, v := range m {
		reqs = append(reqs, Requirement{Key: k, Op: OpEquals, Values: []string{v}})
	}
	return newSelector(reqs)
}

// SelectorFromLabelSelector converts a workload's structured selector as
// apimachinery's LabelSelectorAsSelector does: nil selects nothing, a selector
// without terms selects everything, and invalid keys, values or operators are
// errors worded like Kubernetes'.
func SelectorFromLabelSelector(ls *LabelSelector) (Selector, error) {
	if ls == nil {
		return Nothing(), nil
	}
	if len(ls.MatchLabels)+len(ls.MatchExpressions) == 0 {
		return Everything(), nil
	}
	reqs := make([]Requirement, 0, len(ls.MatchLabels)+len(ls.MatchExpressions))
	for _, k := range sortedKeys(ls.MatchLabels) {
		r, err := newRequirement(k, OpEquals, []string{ls.MatchLabels[k]})
		if err != nil {
			return Selector{}, err
		}
		reqs = append(reqs, r)
	}
	for _, e := range ls.MatchExpressions {
		var op Operator
		switch e.Operator {
		case "In":
			op = OpIn
		case "NotIn":
			op = OpNotIn
		case "Exists":
			op = OpExists
		case "DoesNotExist":
			op = OpDoesNotExist
		default:
			return Selector{}, fmt.Errorf("%q is not a valid label selector operator", e.Operator)
		}
		r, err := newRequirement(e.Key, op, slices.Clone(e.Values))
		if err != nil {
			return Selector{}, err
		}
		reqs = append(reqs, r)
	}
	return newSelector(reqs), nil
}

// newRequirement validates a requirement as apimachinery's NewRequirement does,
// reporting every problem, and canonicalizes its values. Its callers always
// pass one value for the equality operators, so only the value counts that
// can go wrong are checked.
func newRequirement(key string, op Operator, vals []string) (Requirement, error) {
	var errs []FieldError
	if msgs := isQualifiedName(key); len(msgs) > 0 {
		errs = append(errs, invalid("key", key, strings.Join(msgs, "; ")))
	}
	switch op {
	case OpIn, OpNotIn:
		if len(vals) == 0 {
			errs = append(errs, invalid("values", vals, "for 'in', 'notin' operators, values set can't be empty"))
		}
	case OpExists, OpDoesNotExist:
		if len(vals) != 0 {
			errs = append(errs, invalid("values", vals, "values set must be empty for exists and does not exist"))
		}
	case OpGreaterThan, OpLessThan:
		for i, v := range vals {
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				errs = append(errs, invalid(index("values", i), v, "for 'Gt', 'Lt' operators, the value must be an integer"))
			}
		}
	}
	for i, v := range vals {
		if msgs := isLabelValue(v); len(msgs) > 0 {
			errs = append(errs, invalid(index("values", i)+"["+key+"]", v, strings.Join(msgs, "; ")))
		}
	}
	if len(errs) > 0 {
		return Requirement{}, aggregate(errs)
	}
	if len(vals) == 0 {
		vals = nil
	} else {
		slices.Sort(vals)
		vals = slices.Compact(vals)
	}
	return Requirement{Key: key, Op: op, Values: vals}, nil
}

// aggregate joins errors as apimachinery's aggregate does: one message alone,
// several distinct ones in brackets.
func aggregate(errs []FieldError) error {
	seen := map[string]bool{}
	var parts []string
	for _, e := range errs {
		if s := e.Error(); !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	if len(parts) == 1 {
		return errors.New(parts[0])
	}
	return errors.New("[" + strings.Join(parts, ", ") + "]")
}

// ParseSelector parses kubectl -l syntax (`app=web,tier!=db`, `env in (a,b)`,
// `env notin (a)`, `x`, `!x`, `a==b`, `n>3`), tolerating whitespace, and
// returns errors worded as apimachinery's labels.Parse does.
func ParseSelector(s string) (Selector, error) {
	p := selectorParser{items: lexSelector(s)}
	reqs, err := p.parse()
	if err != nil {
		return Selector{}, err
	}
	return newSelector(reqs), nil
}

type token int

const (
	tokEnd token = iota
	tokIdent
	tokIn
	tokNotIn
	tokOpenPar
	tokClosePar
	tokComma
	tokNot
	tokEquals
	tokDoubleEquals
	tokNotEquals
	tokGreater
	tokLess
)

type lexItem struct {
	tok token
	lit string
}

func isSelectorSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isSelectorSymbol(c byte) bool {
	switch c {
	case '=', '!', '(', ')', ',', '>', '<':
		return true
	}
	return false
}

// lexSelector splits the input into tokens up front, as apimachinery's parser
// does. Like it, it treats a NUL byte as the end of the input.
func lexSelector(s string) []lexItem {
	var items []lexItem
	i := 0
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for {
		for isSelectorSpace(at(i)) {
			i++
		}
		c := at(i)
		switch {
		case c == 0:
			return append(items, lexItem{tokEnd, ""})
		case isSelectorSymbol(c):
			switch {
			case c == '=' && at(i+1) == '=':
				items = append(items, lexItem{tokDoubleEquals, "=="})
				i += 2
			case c == '!' && at(i+1) == '=':
				items = append(items, lexItem{tokNotEquals, "!="})
				i += 2
			default:
				items = append(items, lexItem{symbolToken(c), s[i : i+1]})
				i++
			}
			if at(i) == 0 && i < len(s) {
				// A NUL right after an operator is swallowed with it.
				i++
			}
		default:
			start := i
			for c := at(i); c != 0 && !isSelectorSymbol(c) && !isSelectorSpace(c); c = at(i) {
				i++
			}
			lit := s[start:i]
			switch lit {
			case "in":
				items = append(items, lexItem{tokIn, lit})
			case "notin":
				items = append(items, lexItem{tokNotIn, lit})
			default:
				items = append(items, lexItem{tokIdent, lit})
			}
			if at(i) == 0 && i < len(s) {
				// A NUL ends the identifier and is consumed with it.
				i++
			}
		}
	}
}

func symbolToken(c byte) token {
	switch c {
	case '=':
		return tokEquals
	case '!':
		return tokNot
	case '(':
		return tokOpenPar
	case ')':
		return tokClosePar
	case ',':
		return tokComma
	case '>':
		return tokGreater
	}
	return tokLess
}

type selectorParser struct {
	items []lexItem
	pos   int
}

// peek and next read the current token. inValues says whether "in" and "notin"
// stand for themselves (a value or key) rather than operators.
func (p *selectorParser) peek(inValues bool) (token, string) {
	it := p.items[p.pos]
	if inValues && (it.tok == tokIn || it.tok == tokNotIn) {
		return tokIdent, it.lit
	}
	return it.tok, it.lit
}

func (p *selectorParser) next(inValues bool) (token, string) {
	t, l := p.peek(inValues)
	if p.pos < len(p.items)-1 {
		p.pos++
	}
	return t, l
}

func (p *selectorParser) parse() ([]Requirement, error) {
	var reqs []Requirement
	for {
		tok, lit := p.peek(true)
		switch tok {
		case tokIdent, tokNot:
			r, err := p.parseRequirement()
			if err != nil {
				return nil, fmt.Errorf("unable to parse requirement: %v", err)
			}
			reqs = append(reqs, r)
			t, l := p.next(true)
			switch t {
			case tokEnd:
				return reqs, nil
			case tokComma:
				if t2, l2 := p.peek(true); t2 != tokIdent && t2 != tokNot {
					return nil, fmt.Errorf("found '%s', expected: identifier after ','", l2)
				}
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or 'end of string'", l)
			}
		case tokEnd:
			return reqs, nil
		default:
			return nil, fmt.Errorf("found '%s', expected: !, identifier, or 'end of string'", lit)
		}
	}
}

func (p *selectorParser) parseRequirement() (Requirement, error) {
	op := Operator("")
	tok, key := p.next(true)
	if tok == tokNot {
		op = OpDoesNotExist
		tok, key = p.next(true)
	}
	if tok != tokIdent {
		return Requirement{}, fmt.Errorf("found '%s', expected: identifier", key)
	}
	if msgs := isQualifiedName(key); len(msgs) > 0 {
		return Requirement{}, invalid("<nil>", key, strings.Join(msgs, "; "))
	}
	if t, _ := p.peek(true); t == tokEnd || t == tokComma {
		if op != OpDoesNotExist {
			op = OpExists
		}
	}
	if op == OpExists || op == OpDoesNotExist {
		return newRequirement(key, op, nil)
	}
	tok, lit := p.next(false)
	switch tok {
	case tokIn:
		op = OpIn
	case tokNotIn:
		op = OpNotIn
	case tokEquals:
		op = OpEquals
	case tokDoubleEquals:
		op = OpDoubleEquals
	case tokNotEquals:
		op = OpNotEquals
	case tokGreater:
		op = OpGreaterThan
	case tokLess:
		op = OpLessThan
	default:
		return Requirement{}, fmt.Errorf("found '%s', expected: %s", lit, binaryOperators)
	}
	var vals []string
	var err error
	if op == OpIn || op == OpNotIn {
		vals, err = p.parseValueSet()
	} else {
		vals, err = p.parseExactValue()
	}
	if err != nil {
		return Requirement{}, err
	}
	return newRequirement(key, op, vals)
}

func (p *selectorParser) parseValueSet() ([]string, error) {
	if tok, lit := p.next(true); tok != tokOpenPar {
		return nil, fmt.Errorf("found '%s' expected: '('", lit)
	}
	tok, lit := p.peek(true)
	switch tok {
	case tokIdent, tokComma:
		return p.parseValueList()
	case tokClosePar:
		p.next(true)
		return []string{""}, nil
	}
	return nil, fmt.Errorf("found '%s', expected: ',', ')' or identifier", lit)
}

// parseValueList reads a parenthesized list up to and including ")". Empty
// entries ("(a,,b)", "(,a)", "(a,)") stand for the empty value, as in
// apimachinery.
func (p *selectorParser) parseValueList() ([]string, error) {
	var vals []string
	for {
		tok, lit := p.next(true)
		switch tok {
		case tokIdent:
			vals = append(vals, lit)
			switch t2, l2 := p.peek(true); t2 {
			case tokComma:
				continue
			case tokClosePar:
				p.next(true)
				return vals, nil
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or ')'", l2)
			}
		case tokComma:
			if len(vals) == 0 {
				vals = append(vals, "")
			}
			switch t2, _ := p.peek(true); t2 {
			case tokClosePar:
				p.next(true)
				return append(vals, ""), nil
			case tokComma:
				p.next(true)
				vals = append(vals, "")
			}
		default:
			return nil, fmt.Errorf("found '%s', expected: ',', or identifier", lit)
		}
	}
}

func (p *selectorParser) parseExactValue() ([]string, error) {
	if t, _ := p.peek(true); t == tokEnd || t == tokComma {
		return []string{""}, nil
	}
	tok, lit := p.next(true)
	if tok == tokIdent {
		return []string{lit}, nil
	}
	return nil, fmt.Errorf("found '%s', expected: identifier", lit)
}
