package kubectl

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	jpDictKey = regexp.MustCompile(`^'([^']*)'$`)
	jpSlice   = regexp.MustCompile(`^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`)
	jpCompare = regexp.MustCompile(`^([^!<>=]+)([!<>=]+)(.+?)$`)
)

// parseJSONPath parses a template as client-go's parser does.
func parseJSONPath(text string) (*jsonPath, error) {
	p := &jpParser{input: text}
	nodes, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &jsonPath{raw: text, nodes: nodes, allowMissing: true}, nil
}

type jpParser struct {
	input string
	pos   int
	start int
	width int
}

const jpEOF = -1

func (p *jpParser) next() rune {
	if p.pos >= len(p.input) {
		p.width = 0
		return jpEOF
	}
	r, w := utf8.DecodeRuneInString(p.input[p.pos:])
	p.width = w
	p.pos += w
	return r
}

func (p *jpParser) backup() { p.pos -= p.width }

func (p *jpParser) peek() rune {
	r := p.next()
	p.backup()
	return r
}

func (p *jpParser) consume() string {
	s := p.input[p.start:p.pos]
	p.start = p.pos
	return s
}

// parse reads text and actions to the end of the input.
func (p *jpParser) parse() ([]jpNode, error) {
	var root []jpNode
	for {
		i := strings.Index(p.input[p.pos:], "{")
		if i < 0 {
			p.pos = len(p.input)
			if p.pos > p.start {
				root = append(root, jpText(p.consume()))
			}
			return root, nil
		}
		p.pos += i
		if p.pos > p.start {
			root = append(root, jpText(p.consume()))
		}
		p.pos++
		p.consume()
		list, err := p.action()
		if err != nil {
			return nil, err
		}
		root = append(root, list)
	}
}

// action reads the inside of {...} up to and including the closing brace.
func (p *jpParser) action() (jpList, error) {
	var cur jpList
	for {
		rest := p.input[p.pos:]
		switch {
		case strings.HasPrefix(rest, "}"):
			p.pos++
			p.consume()
			return cur, nil
		case strings.HasPrefix(rest, "[?("):
			f, err := p.filter()
			if err != nil {
				return nil, err
			}
			cur = append(cur, f)
			continue
		case strings.HasPrefix(rest, ".."):
			if n := len(cur); n > 0 {
				if _, ok := cur[n-1].(jpRecursive); ok {
					return nil, errors.New("invalid multiple recursive descent")
				}
			}
			p.pos += 2
			p.consume()
			cur = append(cur, jpRecursive{})
			if isJPAlnum(p.peek()) {
				cur = append(cur, p.field())
			}
			continue
		}
		switch r := p.next(); {
		case r == jpEOF || r == '\r' || r == '\n':
			return nil, errors.New("unclosed action")
		case r == ' ' || r == '@' || r == '$':
			p.consume()
		case r == '[':
			nodes, err := p.array()
			if err != nil {
				return nil, err
			}
			cur = append(cur, nodes...)
		case r == '"' || r == '\'':
			t, err := p.quote(r)
			if err != nil {
				return nil, err
			}
			cur = append(cur, t)
		case r == '.':
			cur = append(cur, p.field())
		case r == '+' || r == '-' || unicode.IsDigit(r):
			p.backup()
			n, err := p.number()
			if err != nil {
				return nil, err
			}
			cur = append(cur, n)
		case isJPAlnum(r):
			p.backup()
			cur = append(cur, p.identifier())
		default:
			return nil, fmt.Errorf("unrecognized character in action: %#U", r)
		}
	}
}

// subAction parses text as the inside of one action, for unions and
// filters, which client-go parses as templates of their own.
func subAction(text string) (jpList, error) {
	p := &jpParser{input: "{" + text + "}"}
	nodes, err := p.parse()
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, nil
	}
	if l, ok := nodes[0].(jpList); ok {
		return l, nil
	}
	return nil, nil
}

func (p *jpParser) identifier() jpNode {
	for !isJPTerminator(p.next()) {
	}
	p.backup()
	v := p.consume()
	if v == "true" || v == "false" {
		return jpBool(v == "true")
	}
	return jpIdent(v)
}

func (p *jpParser) number() (jpNode, error) {
	if r := p.peek(); r == '+' || r == '-' {
		p.next()
	}
	for {
		r := p.next()
		if r != '.' && !unicode.IsDigit(r) {
			p.backup()
			break
		}
	}
	v := p.consume()
	if i, err := strconv.Atoi(v); err == nil {
		return jpInt(i), nil
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return jpFloat(f), nil
	}
	return nil, fmt.Errorf("cannot parse number %s", v)
}

// array reads [...] after its opening bracket: a union, a quoted key or a
// slice.
func (p *jpParser) array() ([]jpNode, error) {
	for {
		r := p.next()
		if r == jpEOF || r == '\n' {
			return nil, errors.New("unterminated array")
		}
		if r == ']' {
			break
		}
	}
	text := p.consume()
	text = text[1 : len(text)-1]
	if text == "*" {
		text = ":"
	}
	if parts := strings.Split(text, ","); len(parts) > 1 {
		var u jpUnion
		for _, s := range parts {
			l, err := subAction("[" + strings.Trim(s, " ") + "]")
			if err != nil {
				return nil, err
			}
			u = append(u, l)
		}
		return []jpNode{u}, nil
	}
	if m := jpDictKey.FindStringSubmatch(text); m != nil {
		l, err := subAction("." + m[1])
		if err != nil {
			return nil, err
		}
		return l, nil
	}
	m := jpSlice.FindStringSubmatch(text)
	if m == nil {
		return nil, fmt.Errorf("invalid array index %s", text)
	}
	var a jpArray
	for i, v := range m[1:] {
		switch {
		case v != "" && i > 0 && v[1:] == "":
			// "[1:]": the end is unknown
		case v != "":
			if i > 0 {
				v = v[1:]
			}
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("array index %s is not a number", v)
			}
			a[i] = jpParam{value: n, known: true}
		case i == 1:
			a[i] = jpParam{value: a[0].value + 1, known: true, derived: true}
		}
	}
	return []jpNode{a}, nil
}

// filter reads [?(...)] from its opening bracket.
func (p *jpParser) filter() (jpNode, error) {
	p.pos += len("[?(")
	p.consume()
	begin, end := false, false
	var pair rune
loop:
	for {
		r := p.next()
		switch r {
		case jpEOF, '\n':
			return nil, errors.New("unterminated filter")
		case '"', '\'':
			if !begin {
				begin, pair = true, r
				continue
			}
			if p.input[p.pos-2] != '\\' && r == pair {
				end = true
			}
		case ')':
			if begin == end {
				break loop
			}
		}
	}
	if p.next() != ']' {
		return nil, errors.New("unclosed array expect ]")
	}
	text := p.consume()
	text = text[:len(text)-2]
	m := jpCompare.FindStringSubmatch(text)
	if m == nil {
		l, err := subAction(text)
		if err != nil {
			return nil, err
		}
		return jpFilter{left: l, op: "exists"}, nil
	}
	left, err := subAction(m[1])
	if err != nil {
		return nil, err
	}
	right, err := subAction(m[3])
	if err != nil {
		return nil, err
	}
	return jpFilter{left: left, right: right, op: m[2]}, nil
}

// quote reads a quoted string after its opening quote.
func (p *jpParser) quote(end rune) (jpNode, error) {
	for {
		r := p.next()
		if r == jpEOF || r == '\n' {
			return nil, errors.New("unterminated quoted string")
		}
		if r == end && p.input[p.pos-2] != '\\' {
			break
		}
	}
	v := p.consume()
	s, err := unquoteExtend(v)
	if err != nil {
		return nil, fmt.Errorf("unquote string %s error %v", v, err)
	}
	return jpText(s), nil
}

// unquoteExtend is strconv.Unquote that also takes single-quoted strings.
func unquoteExtend(s string) (string, error) {
	n := len(s)
	if n < 2 || s[0] != s[n-1] || (s[0] != '"' && s[0] != '\'') {
		return "", strconv.ErrSyntax
	}
	quote := s[0]
	s = s[1 : n-1]
	var b strings.Builder
	for len(s) > 0 {
		c, multibyte, rest, err := strconv.UnquoteChar(s, quote)
		if err != nil {
			return "", err
		}
		s = rest
		if c < utf8.RuneSelf || !multibyte {
			b.WriteByte(byte(c))
		} else {
			b.WriteRune(c)
		}
	}
	return b.String(), nil
}

// field reads a field name after its dot, up to an unescaped terminator.
func (p *jpParser) field() jpNode {
	p.consume()
	for {
		r := p.next()
		if r == '\\' {
			p.next()
			continue
		}
		if isJPTerminator(r) {
			p.backup()
			break
		}
	}
	v := p.consume()
	if v == "*" {
		return jpWildcard{}
	}
	return jpField(strings.ReplaceAll(v, "\\", ""))
}

func isJPTerminator(r rune) bool {
	switch r {
	case jpEOF, ' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}':
		return true
	}
	return false
}

func isJPAlnum(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
