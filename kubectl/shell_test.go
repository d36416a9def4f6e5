package kubectl

import (
	"bytes"
	"testing"

	"github.com/kubesim/kubesim/api"
)

func TestShell(t *testing.T) {
	r := &Runner{Exec: testImage}
	p := &proc{r: r, pod: &api.Pod{ObjectMeta: api.ObjectMeta{Name: "web-1", Namespace: "default"}}, container: "c"}
	const text = "b 2\na 10\nc 1\na 10\n"
	tests := []struct {
		script, stdin, stdout, stderr string
		status                        int
	}{
		{"echo a b", "", "a b\n", "", 0},
		{"echo -n a; echo -e 'x\\ty\\c'; echo", "", "ax\ty\n", "", 0},
		{"cat", text, text, "", 0},
		{"cat /nope", "", "", "cat: can't open '/nope': No such file or directory\n", 1},
		{"grep a", text, "a 10\na 10\n", "", 0},
		{"grep -v a", text, "b 2\nc 1\n", "", 0},
		{"grep -c a", text, "2\n", "", 0},
		{"grep -n '^c'", text, "3:c 1\n", "", 0},
		{"grep -in A", text, "2:a 10\n4:a 10\n", "", 0},
		{"grep -E '^(b|c) '", text, "b 2\nc 1\n", "", 0},
		{"grep -e b -e c", text, "b 2\nc 1\n", "", 0},
		{"grep -x 'c 1'", text, "c 1\n", "", 0},
		{"grep -w 1", text, "c 1\n", "", 0},
		{"grep -o '[0-9]*'", text, "2\n10\n1\n10\n", "", 0},
		{"grep -F '.'", "a.b\nab\n", "a.b\n", "", 0},
		{"grep -q a && echo yes", text, "yes\n", "", 0},
		{"grep z", text, "", "", 1},
		{"grep", "", "", "Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n", 2},
		{"grep -Z a", "", "", "grep: unrecognized option: Z\n", 2},
		{"grep 'a\\1'", text, "", "grep: bad regex 'a\\1': back-references are not supported\n", 2},
		{"grep ndots /etc/resolv.conf", "", "options ndots:5\n", "", 0},
		{"grep x /nope", "", "", "grep: /nope: No such file or directory\n", 2},
		{"head -n 2", text, "b 2\na 10\n", "", 0},
		{"head -1", text, "b 2\n", "", 0},
		{"head", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "", 0},
		{"tail -n 1", text, "a 10\n", "", 0},
		{"tail -2", text, "c 1\na 10\n", "", 0},
		{"tail -n +3", text, "c 1\na 10\n", "", 0},
		{"tail -n x", text, "", "tail: invalid number 'x'\n", 1},
		{"wc -l", text, "4\n", "", 0},
		{"wc -w", text, "8\n", "", 0},
		{"wc", text, "      4       8      18\n", "", 0},
		{"wc -l /etc/resolv.conf", "", "      3 /etc/resolv.conf\n", "", 0},
		{"sort", text, "a 10\na 10\nb 2\nc 1\n", "", 0},
		{"sort -u -r", text, "c 1\nb 2\na 10\n", "", 0},
		{"sort -k 2", text, "", "sort: unrecognized option: k\n", 1},
		{"cut -c1 | sort", text, "", "sh: cut: not found\n", 0},
		{"nope", "", "", "sh: nope: not found\n", 127},
		{"true; false", "", "", "", 1},
		{"false || echo rescued", "", "rescued\n", "", 0},
		{"true && false && echo no", "", "", "", 1},
		{"false; echo $?", "", "1\n", "", 0},
		{"exit 300", "", "", "", 44},
		{"exit x", "", "", "sh: exit: Illegal number: x\n", 2},
		{"echo a | exit 3; echo after", "", "after\n", "", 0},
		{"echo out; echo err >&2", "", "out\n", "err\n", 0},
		{"nope 2>/dev/null; echo $?", "", "127\n", "", 0},
		{"nope 2>&1 | wc -l", "", "1\n", "", 0},
		{"echo x >/dev/null", "", "", "", 0},
		{"echo x > /tmp/x", "", "", "sh: can't create /tmp/x: kubesim's containers have no writable files\n", 1},
		{"grep nameserver < /etc/resolv.conf", "", "nameserver 10.96.0.10\n", "", 0},
		{"cat < /nope", "", "", "sh: can't open '/nope': No such file or directory\n", 1},
		{"echo $HOSTNAME $(hostname) \"$0\"", "", "web-1 web-1 sh\n", "", 0},
		{"echo 'unterminated", "", "", "sh: syntax error: unterminated quoted string\n", 2},
		{"| x", "", "", "sh: syntax error: unexpected \"|\"\n", 2},
		{"ping -c 1 x | tail -n 1", "", "1 packets transmitted, 0 packets received, 100% packet loss\n", "", 0},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		p.status = 0
		p.exited = false
		st := p.shell(tt.script, tt.stdin, &out, &errOut)
		if out.String() != tt.stdout || errOut.String() != tt.stderr || st != tt.status {
			t.Errorf("sh -c %q:\n got %q %q %d\nwant %q %q %d", tt.script, out.String(), errOut.String(), st, tt.stdout, tt.stderr, tt.status)
		}
	}
}

func TestShInvocation(t *testing.T) {
	r := &Runner{}
	p := &proc{r: r, pod: &api.Pod{ObjectMeta: api.ObjectMeta{Name: "x"}}, container: "c"}
	tests := []struct {
		argv          []string
		stdin, stdout string
		stderr        string
		status        int
	}{
		{[]string{"sh", "-c", "echo hi"}, "", "hi\n", "", 0},
		{[]string{"/bin/sh", "-c", "echo hi"}, "", "hi\n", "", 0},
		{[]string{"ash", "-c", "cat", "arg0"}, "in\n", "in\n", "", 0},
		{[]string{"sh"}, "echo from stdin\n", "from stdin\n", "", 0},
		{[]string{"sh", "-c"}, "", "", "sh: -c requires an argument\n", 2},
		{[]string{"sh", "-e"}, "", "", "sh: -e: kubesim's sh takes only -c\n", 2},
		{[]string{"sh", "script.sh"}, "", "", "sh: can't open 'script.sh': No such file or directory\n", 2},
		{[]string{"/usr/bin/echo", "a"}, "", "a\n", "", 0},
		{[]string{"nslookup", "x"}, "", "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nslookup\": executable file not found in $PATH: unknown\n", "", 126},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		st := p.exec(tt.argv, tt.stdin, &out, &errOut)
		if out.String() != tt.stdout || errOut.String() != tt.stderr || st != tt.status {
			t.Errorf("%q:\n got %q %q %d\nwant %q %q %d", tt.argv, out.String(), errOut.String(), st, tt.stdout, tt.stderr, tt.status)
		}
	}
}
