package script

import (
	"strconv"
	"strings"
)

// Pipeline is one or more commands joined by |, together with the operator
// that joins it to the pipeline before it in a list.
type Pipeline struct {
	// Op is "" for the first pipeline of a list, else ";" (also written as a
	// newline), "&&" or "||". The shell evaluates a list left to right with
	// && and || of equal precedence: `a && b || c` runs c when a or b fails.
	Op       string
	Commands []Command
}

// ParseShell parses the command string of `sh -c` as busybox sh would: a list
// of pipelines joined by ;, newlines, && and ||, each command with optional
// redirections (<, >, >>, <&, >& and a leading descriptor, as in 2>&1). Quotes,
// escapes, comments and $(...) work as in Parse, and $NAME, ${NAME} and the
// special parameters ($?, $$, $#, $!, $-, $0 to $9) become parameter parts.
// Here-documents, background jobs (&) and subshells are errors.
//
// Error messages read as busybox sh prints them after "sh: ", such as
// "syntax error: unterminated quoted string".
func ParseShell(src string) ([]Pipeline, error) {
	l := &lexer{src: src, line: 1, shell: true}
	var list []Pipeline
	var pipe Pipeline
	var cur *Command
	start, end := 0, 0
	op := ""          // joins the next pipeline to the previous one
	dangling := false // an operator was read and a command must follow
	endCommand := func() {
		cur.Text = src[start:end]
		pipe.Commands = append(pipe.Commands, *cur)
		cur = nil
	}
	endPipeline := func(next string) {
		pipe.Op = op
		list = append(list, pipe)
		pipe = Pipeline{}
		op = next
	}
	unexpected := func(t token) error {
		return &Error{Line: t.line, Msg: "syntax error: unexpected " + strconv.Quote(t.op)}
	}
	for {
		tok, err := l.next()
		if err != nil {
			return nil, err
		}
		switch tok.kind {
		case tWord:
			if cur == nil {
				cur = &Command{Line: tok.line}
				start = tok.start
			}
			cur.Words = append(cur.Words, tok.word)
			end = tok.end
			dangling = false
		case tNewline, tEOF:
			if cur != nil {
				endCommand()
				endPipeline(";")
			}
			if tok.kind == tEOF {
				if dangling {
					return nil, &Error{Line: tok.line, Msg: "syntax error: unexpected end of file"}
				}
				return list, nil
			}
		case tOp:
			switch tok.op {
			case "<", ">", ">>", "<&", ">&":
				if cur == nil {
					cur = &Command{Line: tok.line}
					start = tok.start
				}
				r, err := l.redirect(tok)
				if err != nil {
					return nil, err
				}
				cur.Redirects = append(cur.Redirects, r)
				end = l.pos
				dangling = false
			case "|":
				if cur == nil {
					return nil, unexpected(tok)
				}
				endCommand()
				dangling = true
			case "&&", "||", ";":
				if cur == nil {
					return nil, unexpected(tok)
				}
				endCommand()
				endPipeline(tok.op)
				dangling = tok.op != ";"
			case "&":
				return nil, &Error{Line: tok.line, Msg: "syntax error: background jobs (&) are not supported"}
			case "<<", "<<-":
				return nil, &Error{Line: tok.line, Msg: "syntax error: here-documents are not supported in sh -c"}
			default:
				return nil, unexpected(tok)
			}
		}
	}
}

// redirect reads the target of a redirection operator.
func (l *lexer) redirect(op token) (Redirect, error) {
	r := Redirect{Fd: op.fd, Op: op.op}
	if r.Fd < 0 {
		r.Fd = 1
		if strings.HasPrefix(op.op, "<") {
			r.Fd = 0
		}
	}
	tok, err := l.next()
	if err != nil {
		return Redirect{}, err
	}
	switch tok.kind {
	case tWord:
		r.Target = tok.word
		return r, nil
	case tOp:
		return Redirect{}, &Error{Line: tok.line, Msg: "syntax error: unexpected " + strconv.Quote(tok.op)}
	case tNewline:
		return Redirect{}, &Error{Line: tok.line, Msg: "syntax error: unexpected newline"}
	}
	return Redirect{}, &Error{Line: tok.line, Msg: "syntax error: unexpected end of file"}
}
