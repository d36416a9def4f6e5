package script

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse and ParseShell never panic or hang, that every
// error is an *Error with a line inside the input, and that the text of each
// command is a piece of the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"kubectl get svc\n",
		"kubectl exec deploy/sleep-1 -- sh -c 'nslookup numbers-api | grep \"^[^*]\"'",
		"kubectl exec deploy/sleep-1 -- ping -c 2 $(kubectl get pod -l app=sleep-2 --output jsonpath='{.items[0].status.podIP}')",
		"kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nEOF\n",
		"cat <<-'EOF'\n\tx\n\tEOF\n",
		"a \\\n b # c\n",
		`echo "a $(b "c" 'd') e"`,
		"a && b || c; d | e 2>&1 >/dev/null",
		"echo 'unterminated",
		"$($($(",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lines := strings.Count(src, "\n") + 1
		cmds, err := Parse(src)
		checkErr(t, err, lines)
		norm := strings.ReplaceAll(src, "\r\n", "\n")
		for _, c := range cmds {
			if !strings.Contains(norm, c.Text) {
				t.Errorf("command text %q is not part of the input", c.Text)
			}
			if c.Line < 1 || c.Line > lines {
				t.Errorf("command line %d outside 1..%d", c.Line, lines)
			}
			if len(c.Words) == 0 {
				t.Errorf("command without words at line %d", c.Line)
			}
			if _, err := c.Expand(func(*Command) (string, error) { return "x y", nil }); err != nil {
				t.Errorf("Expand: %v", err)
			}
		}
		list, err := ParseShell(src)
		checkErr(t, err, lines)
		for _, p := range list {
			if len(p.Commands) == 0 {
				t.Errorf("empty pipeline")
			}
		}
	})
}

func checkErr(t *testing.T, err error, lines int) {
	t.Helper()
	if err == nil {
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v is %T, want *Error", err, err)
	}
	if e.Line < 1 || e.Line > lines {
		t.Errorf("error line %d outside 1..%d: %v", e.Line, lines, e)
	}
}
