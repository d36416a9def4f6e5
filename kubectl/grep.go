package kubectl

import (
	"errors"
	"regexp"
	"strings"
)

// translateRegexp turns a POSIX regular expression, basic (grep) or extended
// (grep -E), into Go's syntax. Go's engine matches the same lines for what
// transcripts use: anchors, bracket expressions such as [^*] and
// [[:digit:]], repetition, alternation and grouping. Back-references, which
// Go cannot match, are errors.
func translateRegexp(pat string, extended bool) (string, error) {
	var b strings.Builder
	// atStart is true where a * is literal: at the start of the expression
	// or of a group, or after an alternation or a ^ anchor.
	atStart := true
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\':
			if i+1 >= len(pat) {
				return "", errors.New("trailing backslash (\\)")
			}
			i++
			n := pat[i]
			switch {
			case n >= '1' && n <= '9':
				return "", errors.New("back-references are not supported")
			case n == '<' || n == '>':
				b.WriteString(`\b`)
			case strings.IndexByte("wWsSbB", n) >= 0:
				b.WriteByte('\\')
				b.WriteByte(n)
			case !extended && strings.IndexByte("(){}|+?", n) >= 0:
				// In a BRE these are special only when escaped.
				b.WriteByte(n)
				atStart = n == '(' || n == '|'
				continue
			default:
				b.WriteString(regexp.QuoteMeta(string(n)))
			}
		case c == '[':
			end, class, err := bracket(pat, i)
			if err != nil {
				return "", err
			}
			b.WriteString(class)
			i = end
		case c == '*' && atStart:
			b.WriteString(`\*`)
		case c == '^':
			if extended || atStart {
				b.WriteByte('^')
				continue // a * after ^ is still at the start
			}
			b.WriteString(`\^`)
		case c == '$':
			if extended || i == len(pat)-1 || strings.HasPrefix(pat[i+1:], `\)`) || strings.HasPrefix(pat[i+1:], `\|`) {
				b.WriteByte('$')
			} else {
				b.WriteString(`\$`)
			}
		case !extended && strings.IndexByte("(){}|+?", c) >= 0:
			b.WriteString(regexp.QuoteMeta(string(c)))
		case extended && (c == '(' || c == '|'):
			b.WriteByte(c)
			atStart = true
			continue
		default:
			b.WriteByte(c)
		}
		atStart = false
	}
	return b.String(), nil
}

// bracket translates the bracket expression starting at pat[i] and returns
// the index of its closing ]. In POSIX a backslash is literal inside brackets
// and a ] right after [ or [^ is a member; Go needs both escaped.
func bracket(pat string, i int) (int, string, error) {
	var b strings.Builder
	b.WriteByte('[')
	j := i + 1
	if j < len(pat) && pat[j] == '^' {
		b.WriteByte('^')
		j++
	}
	first := true
	for ; j < len(pat); j++ {
		c := pat[j]
		switch {
		case c == ']' && !first:
			b.WriteByte(']')
			return j, b.String(), nil
		case c == '[' && j+1 < len(pat) && (pat[j+1] == ':' || pat[j+1] == '.' || pat[j+1] == '='):
			end := strings.Index(pat[j+2:], string(pat[j+1])+"]")
			if end < 0 {
				return 0, "", errors.New("unmatched [, [^, [:, [., or [=")
			}
			if pat[j+1] != ':' {
				return 0, "", errors.New("collating elements and equivalence classes are not supported")
			}
			b.WriteString(pat[j : j+2+end+2])
			j += 2 + end + 1
		case c == '\\' || c == '[' || c == ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		first = false
	}
	return 0, "", errors.New("unmatched [, [^, [:, [., or [=")
}
