package script

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// render prints commands compactly: the line, each word in brackets with
// substitutions as $(...) or "$(...)", and the here-document body if any.
func render(cmds []Command) string {
	var b strings.Builder
	for i, c := range cmds {
		if i > 0 {
			b.WriteString(" | ")
		}
		fmt.Fprintf(&b, "%d:", c.Line)
		for _, w := range c.Words {
			b.WriteString(" " + renderWord(w))
		}
		for _, r := range c.Redirects {
			fmt.Fprintf(&b, " %d%s%s", r.Fd, r.Op, renderWord(r.Target))
		}
		if c.HasStdin {
			fmt.Fprintf(&b, " <<%q", c.Stdin)
		}
	}
	return b.String()
}

func renderWord(w Word) string {
	var b strings.Builder
	b.WriteString("[")
	for _, p := range w.Parts {
		switch {
		case p.Var != "" && p.Quoted:
			b.WriteString(`"${` + p.Var + `}"`)
		case p.Var != "":
			b.WriteString("${" + p.Var + "}")
		case p.Sub == nil:
			b.WriteString(p.Lit)
		case p.Quoted:
			b.WriteString(`"$(` + render([]Command{*p.Sub}) + `)"`)
		default:
			b.WriteString("$(" + render([]Command{*p.Sub}) + ")")
		}
	}
	b.WriteString("]")
	return b.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", ""},
		{"blank and comments", "\n  # a comment\n\t\n#\n", ""},
		{"simple", "kubectl get svc", "1: [kubectl] [get] [svc]"},
		{"two lines", "kubectl get po\nkubectl get svc\n", "1: [kubectl] [get] [po] ; 2: [kubectl] [get] [svc]"},
		{"trailing comment", "kubectl get pods # show them", "1: [kubectl] [get] [pods]"},
		{"hash inside word", "echo a#b", "1: [echo] [a#b]"},
		{"hash in quotes", "echo '# not a comment' \"# nor this\"", "1: [echo] [# not a comment] [# nor this]"},
		{"single quotes keep everything", `sh -c 'nslookup numbers-api | grep "^[^*]"'`,
			`1: [sh] [-c] [nslookup numbers-api | grep "^[^*]"]`},
		{"jsonpath", `kubectl get svc -o jsonpath='{.items[0].status.podIP}'`,
			"1: [kubectl] [get] [svc] [-o] [jsonpath={.items[0].status.podIP}]"},
		{"double quote escapes", `echo "a \"b\" \$c \\ \x"`, `1: [echo] [a "b" $c \ \x]`},
		{"backslash escapes", `echo a\ b \'c\'`, "1: [echo] [a b] ['c']"},
		{"empty quotes are an argument", `echo '' ""`, "1: [echo] [] []"},
		{"glued quotes", `echo ab'c d'"e f"g`, "1: [echo] [abc de fg]"},
		{"continuation", "kubectl get \\\n  pods \\\n  -A\nkubectl get svc", "1: [kubectl] [get] [pods] [-A] ; 4: [kubectl] [get] [svc]"},
		{"continuation inside word", "kub\\\nectl", "1: [kubectl]"},
		{"quote across lines", "echo 'a\nb'\necho c", "1: [echo] [a\nb] ; 3: [echo] [c]"},
		{"dollar stays", "echo $HOME $ a$", "1: [echo] [$HOME] [$] [a$]"},
		{"substitution", `kubectl exec deploy/sleep-1 -- ping -c 2 $(kubectl get pod -l app=sleep-2 --output jsonpath='{.items[0].status.podIP}')`,
			"1: [kubectl] [exec] [deploy/sleep-1] [--] [ping] [-c] [2] [$(1: [kubectl] [get] [pod] [-l] [app=sleep-2] [--output] [jsonpath={.items[0].status.podIP}])]"},
		{"glued substitution", `echo http://$(a b):8080/x`, "1: [echo] [http://$(1: [a] [b]):8080/x]"},
		{"quoted substitution", `echo "ip=$(a)"`, `1: [echo] [ip="$(1: [a])"]`},
		{"nested substitution", `echo $(a $(b))`, "1: [echo] [$(1: [a] [$(1: [b])])]"},
		{"paren in quotes inside substitution", `echo $(a ')' ")")`, "1: [echo] [$(1: [a] [)] [)])]"},
		{"heredoc", "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nEOF\nkubectl get ns",
			`1: [kubectl] [apply] [-f] [-] <<"apiVersion: v1\nkind: Namespace\n" ; 5: [kubectl] [get] [ns]`},
		{"quoted heredoc", "cat <<'EOF'\n$x `y`\nEOF\n", "1: [cat] <<\"$x `y`\\n\""},
		{"double-quoted heredoc", "cat <<\"END\"\na\nEND", `1: [cat] <<"a\n"`},
		{"heredoc strip tabs", "cat <<-EOF\n\t\tindented\n\tEOF\n", `1: [cat] <<"indented\n"`},
		{"heredoc keeps spaces", "cat <<EOF\n  two\nEOF", `1: [cat] <<"  two\n"`},
		{"empty heredoc", "cat <<EOF\nEOF", `1: [cat] <<""`},
		{"heredoc delimiter must match whole line", "cat <<EOF\nEOF x\n EOF\nEOF\n", `1: [cat] <<"EOF x\n EOF\n"`},
		{"heredoc then comment", "cat <<EOF # the manifest\nx\nEOF", `1: [cat] <<"x\n"`},
		{"crlf", "kubectl get po\r\nkubectl get svc\r\n", "1: [kubectl] [get] [po] ; 2: [kubectl] [get] [svc]"},
		{"utf8", "echo 'héllo' wörld", "1: [echo] [héllo] [wörld]"},
		{"trailing backslash", `echo a\`, `1: [echo] [a\]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			var parts []string
			for _, c := range cmds {
				parts = append(parts, render([]Command{c}))
			}
			if got := strings.Join(parts, " ; "); got != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseText(t *testing.T) {
	src := "# setup\n" +
		"kubectl apply -f sleep/sleep1.yaml   # first\n" +
		"kubectl get \\\n    pods\n" +
		"kubectl apply -f - <<EOF\nkind: Namespace\nEOF\n" +
		"echo $(kubectl get pod -o 'jsonpath={.items[0]}' )\n"
	cmds, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		text string
	}{
		{2, "kubectl apply -f sleep/sleep1.yaml"},
		{3, "kubectl get \\\n    pods"},
		{5, "kubectl apply -f - <<EOF"},
		{8, "echo $(kubectl get pod -o 'jsonpath={.items[0]}' )"},
	}
	if len(cmds) != len(want) {
		t.Fatalf("got %d commands, want %d", len(cmds), len(want))
	}
	for i, w := range want {
		if cmds[i].Line != w.line || cmds[i].Text != w.text {
			t.Errorf("command %d: line %d text %q, want line %d text %q", i, cmds[i].Line, cmds[i].Text, w.line, w.text)
		}
	}
	sub := cmds[3].Words[1].Parts[0].Sub
	if sub.Text != "kubectl get pod -o 'jsonpath={.items[0]}'" || sub.Line != 8 {
		t.Errorf("substitution: line %d text %q", sub.Line, sub.Text)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"echo 'abc", "line 1: unterminated single-quoted string"},
		{"ok\n\necho \"abc\nmore", "line 3: unterminated double-quoted string"},
		{"echo $(kubectl get", "line 1: unterminated $(...): no closing parenthesis"},
		{"echo $(a | b)", `line 1: only a single command is supported inside $(...), not "|"`},
		{"echo $()", "line 1: empty command substitution $()"},
		{"echo $((1+2))", "line 1: arithmetic expansion $((...)) is not supported"},
		{"echo `date`", "line 1: backquote command substitution is not supported: write $(...)"},
		{"kubectl apply -f - <<EOF\nkind: x\n", `line 1: here-document is not terminated: no line "EOF" follows`},
		{"cat <<EOF", `line 1: here-document is not terminated: no line "EOF" follows`},
		{"a\nkubectl get pods | grep x", `line 2: unsupported shell operator "|": a script line holds one command (pipes and lists belong inside sh -c '...' in kubectl exec)`},
		{"a; b", `line 1: unsupported shell operator ";": a script line holds one command (pipes and lists belong inside sh -c '...' in kubectl exec)`},
		{"kubectl get po 2>/dev/null", `line 1: unsupported shell operator ">": a script line holds one command (pipes and lists belong inside sh -c '...' in kubectl exec)`},
		{"<<EOF\nx\nEOF", "line 1: here-document without a command"},
		{"cat <<", "line 1: << needs a delimiter word, as in <<EOF"},
		{"cat <<$(x)\n", "line 1: a here-document delimiter must be a plain word, as in <<EOF"},
		{"cat <<A <<B\n", "line 1: a command may read only one here-document"},
		{"echo $(a\nb)", `line 1: a $(...) must hold one command on one line (continue lines with \)`},
		{"echo " + strings.Repeat("$(a ", 40) + strings.Repeat(")", 40), "line 1: command substitutions are nested too deeply"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		var perr *Error
		if !errors.As(err, &perr) {
			t.Errorf("Parse(%q): err %v, want *Error", tt.src, err)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.src, err, tt.want)
		}
	}
}

func TestExpand(t *testing.T) {
	outputs := map[string]string{
		"ip":    "10.1.0.5",
		"nl":    "10.1.0.5\n\n",
		"two":   "a b\tc\nd",
		"edges": " a b ",
		"none":  "",
		"blank": "  \n",
	}
	run := func(c *Command) (string, error) {
		args, err := c.Expand(nil)
		if err != nil {
			return "", err
		}
		out, ok := outputs[args[0]]
		if !ok {
			return "", fmt.Errorf("no output for %q", args[0])
		}
		return out, nil
	}
	tests := []struct {
		src  string
		want []string
	}{
		{"x $(ip)", []string{"x", "10.1.0.5"}},
		{"x $(nl)", []string{"x", "10.1.0.5"}},
		{"x $(two)", []string{"x", "a", "b", "c", "d"}},
		{`x "$(two)"`, []string{"x", "a b\tc\nd"}},
		{"x pre$(two)post", []string{"x", "prea", "b", "c", "dpost"}},
		{"x pre$(edges)post", []string{"x", "pre", "a", "b", "post"}},
		{"x $(none)", []string{"x"}},
		{`x "$(none)"`, []string{"x", ""}},
		{"x $(blank) y", []string{"x", "y"}},
		{"x a$(none)b", []string{"x", "ab"}},
		{"x '' $(ip)$(ip)", []string{"x", "", "10.1.0.510.1.0.5"}},
	}
	for _, tt := range tests {
		cmds, err := Parse(tt.src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.src, err)
		}
		got, err := cmds[0].Expand(run)
		if err != nil {
			t.Fatalf("Expand(%q): %v", tt.src, err)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("Expand(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}

	list, err := ParseShell(`echo $A "$A" x$A $B "$B"`)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"A": "1 2", "B": ""}
	got, err := list[0].Commands[0].ExpandEnv(nil, func(n string) string { return vars[n] })
	if want := []string{"echo", "1", "2", "1 2", "x1", "2", ""}; err != nil || fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("ExpandEnv = %q, %v; want %q", got, err, want)
	}
	if got, _ := list[0].Commands[0].Expand(nil); fmt.Sprintf("%q", got) != `["echo" "" "x" ""]` {
		t.Errorf("Expand without parameters = %q", got)
	}

	cmds, _ := Parse("x $(ip)")
	if _, err := cmds[0].Expand(nil); !errors.Is(err, ErrNoRunner) {
		t.Errorf("Expand(nil) with a substitution: err %v, want ErrNoRunner", err)
	}
	boom := errors.New("boom")
	if _, err := cmds[0].Expand(func(*Command) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("Expand: err %v, want the runner's error", err)
	}
}

func TestParseShell(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"", ""},
		{"nslookup numbers-api", "1: [nslookup] [numbers-api]"},
		{`nslookup numbers-api | grep "^[^*]"`, "1: [nslookup] [numbers-api] | 1: [grep] [^[^*]]"},
		{"a | b | c", "1: [a] | 1: [b] | 1: [c]"},
		{"a; b", "1: [a] ;; 1: [b]"},
		{"a && b || c", "1: [a] &&; 1: [b] ||; 1: [c]"},
		{"a;\nb\n\nc;", "1: [a] ;; 2: [b] ;; 4: [c]"},
		{"a &&\n b |\n c", "1: [a] &&; 2: [b] | 3: [c]"},
		{"a 2>/dev/null", "1: [a] 2>[/dev/null]"},
		{"a >out 2>&1 <in", "1: [a] 1>[out] 2>&[1] 0<[in]"},
		{"a >>log", "1: [a] 1>>[log]"},
		{"a x2>y", "1: [a] [x2] 1>[y]"},
		{"cat /etc/resolv.conf # show it", "1: [cat] [/etc/resolv.conf]"},
		{"echo $(hostname)", "1: [echo] [$(1: [hostname])]"},
		{`echo $? $HOME "x$HOSTNAME" ${PATH}y $1 '$NO' \$no $ a$`, `1: [echo] [${?}] [${HOME}] [x"${HOSTNAME}"] [${PATH}y] [${1}] [$NO] [$no] [$] [a$]`},
		{`echo "$(echo "$?")"`, `1: [echo] ["$(1: [echo] ["${?}"])"]`},
	}
	for _, tt := range tests {
		list, err := ParseShell(tt.src)
		if err != nil {
			t.Errorf("ParseShell(%q): %v", tt.src, err)
			continue
		}
		var parts []string
		for i, p := range list {
			s := render(p.Commands)
			if i > 0 {
				s = p.Op + "; " + s
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("ParseShell(%q)\n got %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

func TestParseShellErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"echo 'a", "syntax error: unterminated quoted string"},
		{`echo "a`, "syntax error: unterminated quoted string"},
		{"a |", "syntax error: unexpected end of file"},
		{"a &&", "syntax error: unexpected end of file"},
		{"| a", `syntax error: unexpected "|"`},
		{"a && && b", `syntax error: unexpected "&&"`},
		{"; a", `syntax error: unexpected ";"`},
		{"a &", "syntax error: background jobs (&) are not supported"},
		{"(a)", `syntax error: unexpected "("`},
		{"a >", "syntax error: unexpected end of file"},
		{"a > | b", `syntax error: unexpected "|"`},
		{"cat <<EOF", "syntax error: here-documents are not supported in sh -c"},
		{"echo $(a", `syntax error: unexpected end of file (expecting ")")`},
		{"echo ${a:-b}", "syntax error: bad substitution"},
		{"echo ${a", "syntax error: bad substitution"},
	}
	for _, tt := range tests {
		_, err := ParseShell(tt.src)
		var perr *Error
		if !errors.As(err, &perr) {
			t.Errorf("ParseShell(%q): err %v, want *Error", tt.src, err)
			continue
		}
		if perr.Msg != tt.want {
			t.Errorf("ParseShell(%q):\n got %s\nwant %s", tt.src, perr.Msg, tt.want)
		}
	}
}
