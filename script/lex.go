package script

import (
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of $(...), so that hostile input cannot
// exhaust the stack; real transcripts nest one level.
const maxDepth = 32

// lexer splits source text into shell tokens. One lexer serves both Parse
// (script lines) and ParseShell (the text of sh -c); they differ only in how
// errors read, since the shell's are printed by a simulated busybox sh.
type lexer struct {
	src   string
	pos   int
	line  int
	shell bool
	depth int // nesting of $(...) around the current position
	// pending are here-documents whose bodies start after the next newline.
	pending []*heredoc
}

type heredoc struct {
	delim string
	strip bool // <<- strips leading tabs from body lines and the delimiter line
	line  int  // line of the << operator
	body  string
}

type tokKind int

const (
	tEOF tokKind = iota
	tNewline
	tWord
	tOp
)

type token struct {
	kind       tokKind
	op         string // for tOp
	fd         int    // for a redirection written with a descriptor (2>), else -1
	word       Word   // for tWord
	start, end int    // byte offsets in src
	line       int
}

// operators lists the shell operators, longest first where one is a prefix of
// another, so that the first match is the longest.
var operators = []string{"<<-", "&&", "||", ";;", "<<", ">>", ">&", "<&", "|", "&", ";", "<", ">", "(", ")"}

func matchOp(s string) string {
	for _, op := range operators {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

func isOpByte(c byte) bool { return strings.IndexByte("|&;<>()", c) >= 0 }

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func (l *lexer) errorf(line int, script, shell string) error {
	if l.shell {
		return &Error{Line: line, Msg: shell}
	}
	return &Error{Line: line, Msg: script}
}

// next returns the next token, skipping blanks, comments and line
// continuations. After a newline it reads the bodies of pending
// here-documents, so that they never reach the token stream.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isBlank(c):
			l.pos++
			continue
		case c == '\\' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '\n':
			l.pos += 2
			l.line++
			continue
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
			continue
		case c == '\n':
			tok := token{kind: tNewline, start: l.pos, end: l.pos + 1, line: l.line, fd: -1}
			l.pos++
			l.line++
			if len(l.pending) > 0 && l.depth == 0 {
				if err := l.readHeredocs(); err != nil {
					return token{}, err
				}
			}
			return tok, nil
		}
		if op := matchOp(l.src[l.pos:]); op != "" {
			tok := token{kind: tOp, op: op, start: l.pos, end: l.pos + len(op), line: l.line, fd: -1}
			l.pos += len(op)
			return tok, nil
		}
		tok, err := l.lexWord()
		if err != nil {
			return token{}, err
		}
		// A word of digits right before < or > is the descriptor the
		// redirection applies to, as in 2>/dev/null.
		if l.pos < len(l.src) && (l.src[l.pos] == '<' || l.src[l.pos] == '>') {
			if n, ok := ioNumber(l.src[tok.start:tok.end]); ok {
				op := matchOp(l.src[l.pos:])
				tok = token{kind: tOp, op: op, fd: n, start: tok.start, end: l.pos + len(op), line: tok.line}
				l.pos += len(op)
			}
		}
		return tok, nil
	}
	return token{kind: tEOF, start: l.pos, end: l.pos, line: l.line, fd: -1}, nil
}

func ioNumber(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// wordBuilder accumulates the parts of a word, merging adjacent literal text.
type wordBuilder struct {
	parts []Part
	lit   strings.Builder
	have  bool // lit holds a part, possibly empty (from '' or "")
}

func (b *wordBuilder) text(s string) {
	b.lit.WriteString(s)
	b.have = true
}

func (b *wordBuilder) byte(c byte) {
	b.lit.WriteByte(c)
	b.have = true
}

func (b *wordBuilder) flush() {
	if b.have {
		b.parts = append(b.parts, Part{Lit: b.lit.String()})
		b.lit.Reset()
		b.have = false
	}
}

func (b *wordBuilder) sub(c *Command, quoted bool) {
	b.flush()
	b.parts = append(b.parts, Part{Sub: c, Quoted: quoted})
}

func (b *wordBuilder) param(name string, quoted bool) {
	b.flush()
	b.parts = append(b.parts, Part{Var: name, Quoted: quoted})
}

// lexParam reads a shell parameter at l.pos (a $), in ParseShell's input:
// $NAME, ${NAME}, or one of the special parameters $? $$ $# $! $- $0..$9.
// It returns ok false when the $ starts none, and so is literal.
func (l *lexer) lexParam() (name string, ok bool, err error) {
	if !l.shell || l.pos+1 >= len(l.src) {
		return "", false, nil
	}
	rest := l.src[l.pos+1:]
	switch c := rest[0]; {
	case strings.IndexByte("?$#!-", c) >= 0 || (c >= '0' && c <= '9'):
		l.pos += 2
		return rest[:1], true, nil
	case c == '{':
		end := strings.IndexByte(rest, '}')
		if end < 0 || !isName(rest[1:end]) {
			return "", false, &Error{Line: l.line, Msg: "syntax error: bad substitution"}
		}
		l.pos += end + 2
		return rest[1:end], true, nil
	case isNameStart(c):
		n := 1
		for n < len(rest) && (isNameStart(rest[n]) || (rest[n] >= '0' && rest[n] <= '9')) {
			n++
		}
		l.pos += n + 1
		return rest[:n], true, nil
	}
	return "", false, nil
}

func isNameStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return len(s) == 1 && strings.IndexByte("?$#!-0123456789", s[0]) >= 0
	}
	for i := 1; i < len(s); i++ {
		if !isNameStart(s[i]) && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// lexWord reads one word: everything up to an unquoted blank, newline or
// operator character.
func (l *lexer) lexWord() (token, error) {
	start, line := l.pos, l.line
	var b wordBuilder
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if isBlank(c) || c == '\n' || isOpByte(c) {
			break
		}
		switch c {
		case '\\':
			switch {
			case l.pos+1 >= len(l.src):
				b.byte('\\')
				l.pos++
			case l.src[l.pos+1] == '\n':
				l.pos += 2
				l.line++
			default:
				b.byte(l.src[l.pos+1])
				l.pos += 2
			}
		case '\'':
			n := strings.IndexByte(l.src[l.pos+1:], '\'')
			if n < 0 {
				return token{}, l.errorf(l.line, "unterminated single-quoted string", "syntax error: unterminated quoted string")
			}
			s := l.src[l.pos+1 : l.pos+1+n]
			b.text(s)
			l.line += strings.Count(s, "\n")
			l.pos += n + 2
		case '"':
			if err := l.lexDouble(&b); err != nil {
				return token{}, err
			}
		case '$':
			if strings.HasPrefix(l.src[l.pos:], "$(") {
				sub, err := l.lexSubst()
				if err != nil {
					return token{}, err
				}
				b.sub(sub, false)
				continue
			}
			name, ok, err := l.lexParam()
			if err != nil {
				return token{}, err
			}
			if !ok {
				b.byte(c)
				l.pos++
				continue
			}
			b.param(name, false)
		case '`':
			return token{}, l.errorf(l.line, "backquote command substitution is not supported: write $(...)",
				"syntax error: backquote command substitution is not supported: write $(...)")
		default:
			b.byte(c)
			l.pos++
		}
	}
	b.flush()
	return token{kind: tWord, word: Word{Parts: b.parts}, start: start, end: l.pos, line: line, fd: -1}, nil
}

// lexDouble reads a double-quoted string, l.pos at its opening quote. Inside,
// a backslash escapes only $, `, ", \ and newline, and $(...) substitutes.
func (l *lexer) lexDouble(b *wordBuilder) error {
	open := l.line
	parts := len(b.parts)
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '"':
			l.pos++
			if !b.have && len(b.parts) == parts {
				b.text("") // "" is an argument of its own
			}
			return nil
		case c == '\\' && l.pos+1 < len(l.src):
			switch n := l.src[l.pos+1]; n {
			case '\n':
				l.line++
			case '$', '`', '"', '\\':
				b.byte(n)
			default:
				b.text(l.src[l.pos : l.pos+2])
			}
			l.pos += 2
		case strings.HasPrefix(l.src[l.pos:], "$("):
			sub, err := l.lexSubst()
			if err != nil {
				return err
			}
			b.sub(sub, true)
		case c == '$':
			name, ok, err := l.lexParam()
			if err != nil {
				return err
			}
			if !ok {
				b.byte(c)
				l.pos++
				continue
			}
			b.param(name, true)
		case c == '`':
			return l.errorf(l.line, "backquote command substitution is not supported: write $(...)",
				"syntax error: backquote command substitution is not supported: write $(...)")
		default:
			if c == '\n' {
				l.line++
			}
			b.byte(c)
			l.pos++
		}
	}
	return l.errorf(open, "unterminated double-quoted string", "syntax error: unterminated quoted string")
}

// lexSubst reads a $(...) substitution, l.pos at the $, and returns the
// command inside. The command must be a single simple command: that is all
// that transcripts put there, and all a runner needs to evaluate.
func (l *lexer) lexSubst() (*Command, error) {
	open := l.line
	if strings.HasPrefix(l.src[l.pos:], "$((") {
		return nil, l.errorf(open, "arithmetic expansion $((...)) is not supported",
			"syntax error: arithmetic expansion $((...)) is not supported")
	}
	if l.depth >= maxDepth {
		return nil, l.errorf(open, "command substitutions are nested too deeply", "syntax error: command substitutions are nested too deeply")
	}
	l.depth++
	defer func() { l.depth-- }()
	l.pos += 2
	cmd := &Command{Line: open}
	start, end := -1, -1
	for {
		tok, err := l.next()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case tEOF:
			return nil, l.errorf(open, "unterminated $(...): no closing parenthesis",
				`syntax error: unexpected end of file (expecting ")")`)
		case tNewline:
			return nil, l.errorf(tok.line, "a $(...) must hold one command on one line (continue lines with \\)",
				"syntax error: a $(...) must hold one command on one line")
		case tWord:
			if start < 0 {
				start, cmd.Line = tok.start, tok.line
			}
			end = tok.end
			cmd.Words = append(cmd.Words, tok.word)
		case tOp:
			if tok.op != ")" {
				return nil, l.errorf(tok.line, "only a single command is supported inside $(...), not "+strconv.Quote(tok.op),
					"syntax error: only a single command is supported inside $(...), not "+strconv.Quote(tok.op))
			}
			if len(cmd.Words) == 0 {
				return nil, l.errorf(open, "empty command substitution $()", `syntax error: unexpected ")"`)
			}
			cmd.Text = l.src[start:end]
			return cmd, nil
		}
	}
}

// readHeredocs reads the bodies of the pending here-documents, in order, from
// the line after the one that introduced them.
func (l *lexer) readHeredocs() error {
	for _, d := range l.pending {
		var body strings.Builder
		for {
			if l.pos >= len(l.src) {
				return l.unterminatedHeredoc(d)
			}
			eol := strings.IndexByte(l.src[l.pos:], '\n')
			line := l.src[l.pos:]
			next := len(l.src)
			if eol >= 0 {
				line = l.src[l.pos : l.pos+eol]
				next = l.pos + eol + 1
			}
			if d.strip {
				line = strings.TrimLeft(line, "\t")
			}
			l.pos = next
			if eol >= 0 {
				l.line++
			}
			if line == d.delim {
				break
			}
			body.WriteString(line)
			body.WriteByte('\n')
		}
		d.body = body.String()
	}
	l.pending = l.pending[:0]
	return nil
}

func (l *lexer) unterminatedHeredoc(d *heredoc) error {
	return l.errorf(d.line, "here-document is not terminated: no line "+strconv.Quote(d.delim)+" follows",
		"syntax error: here-document is not terminated")
}
