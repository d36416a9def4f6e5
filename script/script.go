package script

import (
	"errors"
	"strconv"
	"strings"
)

// Command is one command of a script: its words, where it was written, and the
// here-document it reads, if any.
type Command struct {
	// Line is the 1-based line on which the command starts.
	Line int
	// Text is the command as written, from its first word to its last:
	// continuation lines and quotes included, the here-document body and any
	// trailing comment left out. Runners echo it as `$ kubectl ...`.
	Text string
	// Words are the command's words in order; the first names the program.
	Words []Word
	// Stdin is the body of the command's here-document, each line ending in a
	// newline, and HasStdin reports whether there is one (an empty body is
	// still standard input).
	Stdin    string
	HasStdin bool
	// Redirects are the command's redirections, in order. Only ParseShell
	// accepts them; a script command never has any.
	Redirects []Redirect
}

// Redirect is one redirection of a shell command, such as 2>/dev/null or 2>&1.
type Redirect struct {
	// Fd is the descriptor redirected: the number written before the
	// operator, else 0 for < and <&, and 1 for the others.
	Fd int
	// Op is "<", ">", ">>", "<&" or ">&".
	Op string
	// Target is the file name, or the descriptor for <& and >&.
	Target Word
}

// Word is one shell word: literal text and command substitutions, glued
// together as written, as in `http://$(kubectl get ...):8080`.
type Word struct {
	Parts []Part
}

// Part is a run of literal text, with quotes and escapes already removed, one
// command substitution, or (in ParseShell's output) one shell parameter.
type Part struct {
	// Lit is the literal text; it is empty for a substitution or parameter,
	// and for a word written as '' or "", which still makes one (empty)
	// argument.
	Lit string
	// Sub is the command of a $(...) substitution, or nil.
	Sub *Command
	// Var names the shell parameter of $NAME, ${NAME} or a special one such
	// as $?, or is empty. Only ParseShell produces parameters: in a script, $
	// is literal.
	Var string
	// Quoted reports that the substitution or parameter was written inside
	// double quotes, so that its value is one field rather than split at
	// blanks.
	Quoted bool
}

// ErrNoRunner is returned by Word.Expand when a word holds a command
// substitution but no function was given to run it.
var ErrNoRunner = errors.New("script: command substitution needs a runner")

// Expand returns the fields w becomes: its literal text with each command
// substitution replaced by the output of run, less trailing newlines, as a
// POSIX shell does. The output of an unquoted substitution is split at
// blanks (space, tab and newline) into several fields and may vanish
// altogether; a quoted one stays one field. A word without substitutions is
// always exactly one field. Parameters expand to nothing; see ExpandEnv.
func (w Word) Expand(run func(*Command) (string, error)) ([]string, error) {
	return w.ExpandEnv(run, nil)
}

// ExpandEnv is Expand with parameter expansion: each $NAME becomes
// param(NAME), split like a substitution's output unless quoted. A nil param
// expands every parameter to nothing, as for unset variables.
func (w Word) ExpandEnv(run func(*Command) (string, error), param func(string) string) ([]string, error) {
	var fields []string
	var cur strings.Builder
	started := false
	end := func() {
		if started {
			fields = append(fields, cur.String())
			cur.Reset()
			started = false
		}
	}
	for _, p := range w.Parts {
		var out string
		switch {
		case p.Var != "":
			if param != nil {
				out = param(p.Var)
			}
		case p.Sub != nil:
			if run == nil {
				return nil, ErrNoRunner
			}
			var err error
			if out, err = run(p.Sub); err != nil {
				return nil, err
			}
			out = strings.TrimRight(out, "\n")
		default:
			cur.WriteString(p.Lit)
			started = true
			continue
		}
		if p.Quoted {
			cur.WriteString(out)
			started = true
			continue
		}
		split := strings.FieldsFunc(out, isIFS)
		if out != "" && isIFS(rune(out[0])) {
			end()
		}
		for i, f := range split {
			if i > 0 {
				end()
			}
			cur.WriteString(f)
			started = true
		}
		if out != "" && isIFS(rune(out[len(out)-1])) {
			end()
		}
	}
	end()
	return fields, nil
}

func isIFS(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }

// literal returns the word's text when it holds no substitution.
func (w Word) literal() (string, bool) {
	var b strings.Builder
	for _, p := range w.Parts {
		if p.Sub != nil || p.Var != "" {
			return "", false
		}
		b.WriteString(p.Lit)
	}
	return b.String(), true
}

// Expand returns the arguments of c: every word expanded with Word.Expand, in
// order.
func (c *Command) Expand(run func(*Command) (string, error)) ([]string, error) {
	return c.ExpandEnv(run, nil)
}

// ExpandEnv returns the arguments of c: every word expanded with
// Word.ExpandEnv, in order.
func (c *Command) ExpandEnv(run func(*Command) (string, error), param func(string) string) ([]string, error) {
	var args []string
	for _, w := range c.Words {
		f, err := w.ExpandEnv(run, param)
		if err != nil {
			return nil, err
		}
		args = append(args, f...)
	}
	return args, nil
}

// Error is a parse error: what is wrong and the line where it starts, such
// as the line of the quote that is never closed.
type Error struct {
	Line int // 1-based
	Msg  string
}

// Error renders "line 3: unterminated single-quoted string".
func (e *Error) Error() string {
	return "line " + strconv.Itoa(e.Line) + ": " + e.Msg
}

// Parse parses a kubesim script into its commands, in order. Blank lines and
// comments produce nothing.
func Parse(src string) ([]Command, error) {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	l := &lexer{src: src, line: 1}
	var cmds []Command
	var cur *Command
	var doc *heredoc
	start, end := 0, 0
	finish := func() {
		if cur == nil {
			return
		}
		cur.Text = src[start:end]
		if doc != nil {
			cur.Stdin, cur.HasStdin = doc.body, true
		}
		cmds = append(cmds, *cur)
		cur, doc = nil, nil
	}
	for {
		tok, err := l.next()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case tEOF:
			if len(l.pending) > 0 {
				return nil, l.unterminatedHeredoc(l.pending[0])
			}
			finish()
			return cmds, nil
		case tNewline:
			finish()
		case tWord:
			if cur == nil {
				cur = &Command{Line: tok.line}
				start = tok.start
			}
			cur.Words = append(cur.Words, tok.word)
			end = tok.end
		case tOp:
			if tok.op != "<<" && tok.op != "<<-" {
				return nil, &Error{Line: tok.line, Msg: "unsupported shell operator " + strconv.Quote(tok.op) +
					": a script line holds one command (pipes and lists belong inside sh -c '...' in kubectl exec)"}
			}
			if cur == nil {
				return nil, &Error{Line: tok.line, Msg: "here-document without a command"}
			}
			if doc != nil {
				return nil, &Error{Line: tok.line, Msg: "a command may read only one here-document"}
			}
			d, err := l.heredocDelimiter(tok)
			if err != nil {
				return nil, err
			}
			doc = d
			end = l.pos
		}
	}
}

// heredocDelimiter reads the delimiter word after << and registers the
// here-document, whose body the lexer reads after the next newline.
func (l *lexer) heredocDelimiter(op token) (*heredoc, error) {
	tok, err := l.next()
	if err != nil {
		return nil, err
	}
	if tok.kind != tWord {
		return nil, &Error{Line: op.line, Msg: op.op + " needs a delimiter word, as in <<EOF"}
	}
	delim, ok := tok.word.literal()
	if !ok || delim == "" {
		return nil, &Error{Line: op.line, Msg: "a here-document delimiter must be a plain word, as in <<EOF"}
	}
	d := &heredoc{delim: delim, strip: op.op == "<<-", line: op.line}
	l.pending = append(l.pending, d)
	return d, nil
}
