package kubectl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/script"
)

// proc runs programs inside one container of a pod: kubesim's stand-in for
// the container's busybox userland.
type proc struct {
	r         *Runner
	pod       *api.Pod
	container string
	exited    bool // the shell ran exit
	status    int  // the status of the last pipeline, $?
}

// builtin is a program of the simulated image.
type builtin func(p *proc, args []string, stdin string, stdout, stderr io.Writer) int

var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{
		"cat": catCmd, "echo": echoCmd, "grep": grepCmd, "head": headCmd, "tail": tailCmd,
		"wc": wcCmd, "sort": sortCmd, "sleep": sleepCmd, "hostname": hostnameCmd,
		"true":  func(*proc, []string, string, io.Writer, io.Writer) int { return 0 },
		"false": func(*proc, []string, string, io.Writer, io.Writer) int { return 1 },
	}
}

// exec runs a command as kubectl exec starts it: without a shell, so an
// unknown program fails as the container runtime reports it.
func (p *proc) exec(argv []string, stdin string, stdout, stderr io.Writer) int {
	st, ok := p.run(argv, stdin, stdout, stderr)
	if !ok {
		fmt.Fprintf(stdout, "OCI runtime exec failed: exec failed: unable to start container process: exec: %q: executable file not found in $PATH: unknown\n", argv[0])
		return 126
	}
	return st
}

// run runs one program; ok is false when the image has none of that name.
func (p *proc) run(argv []string, stdin string, stdout, stderr io.Writer) (int, bool) {
	name := argv[0]
	if strings.Contains(name, "/") {
		name = path.Base(name)
	}
	if name == "sh" || name == "ash" {
		return p.sh(argv[1:], stdin, stdout, stderr), true
	}
	if p.r.Exec != nil {
		if st, ok := p.r.Exec.Exec(p.pod, p.container, argv, stdin, stdout, stderr); ok {
			return st, true
		}
	}
	if b := builtins[name]; b != nil {
		return b(p, argv[1:], stdin, stdout, stderr), true
	}
	return 0, false
}

// sh is busybox sh: -c runs its argument, and without -c the script comes on
// standard input.
func (p *proc) sh(args []string, stdin string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		return p.shell(stdin, "", stdout, stderr)
	case args[0] == "-c":
		if len(args) < 2 {
			fmt.Fprintln(stderr, "sh: -c requires an argument")
			return 2
		}
		return p.shell(args[1], stdin, stdout, stderr)
	case strings.HasPrefix(args[0], "-"):
		fmt.Fprintf(stderr, "sh: %s: kubesim's sh takes only -c\n", args[0])
		return 2
	}
	fmt.Fprintf(stderr, "sh: can't open '%s': No such file or directory\n", args[0])
	return 2
}

// shell runs a command list: pipelines joined by ;, && and ||.
func (p *proc) shell(src, stdin string, stdout, stderr io.Writer) int {
	list, err := script.ParseShell(src)
	if err != nil {
		var se *script.Error
		if errors.As(err, &se) {
			fmt.Fprintf(stderr, "sh: %s\n", se.Msg)
		}
		return 2
	}
	status := 0
	for i, pl := range list {
		if (pl.Op == "&&" && status != 0) || (pl.Op == "||" && status == 0) {
			continue
		}
		in := ""
		if i == 0 {
			in = stdin
		}
		status = p.pipeline(pl, in, stdout, stderr)
		p.status = status
		if p.exited {
			break
		}
	}
	return status
}

// pipeline runs commands left to right, each reading what the previous one
// wrote: programs here are synchronous and deterministic, so running them in
// turn gives what a real pipe would. Its status is the last command's.
func (p *proc) pipeline(pl script.Pipeline, stdin string, stdout, stderr io.Writer) int {
	in := stdin
	status := 0
	for i, cmd := range pl.Commands {
		var buf bytes.Buffer
		out := stdout
		if i < len(pl.Commands)-1 {
			out = &buf
		}
		status = p.command(cmd, in, out, stderr, len(pl.Commands) == 1)
		in = buf.String()
	}
	return status
}

// command runs one simple command with its redirections. alone says it is
// not part of a longer pipeline, where exit would leave only its subshell.
func (p *proc) command(cmd script.Command, stdin string, stdout, stderr io.Writer, alone bool) int {
	var run func(*script.Command) (string, error)
	run = func(sub *script.Command) (string, error) {
		argv, err := sub.ExpandEnv(run, p.param)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		if len(argv) > 0 {
			if _, ok := p.run(argv, "", &out, stderr); !ok {
				fmt.Fprintf(stderr, "sh: %s: not found\n", argv[0])
			}
		}
		return out.String(), nil
	}
	argv, err := cmd.ExpandEnv(run, p.param)
	if err != nil {
		fmt.Fprintf(stderr, "sh: %v\n", err)
		return 2
	}
	for _, rd := range cmd.Redirects {
		targets, err := rd.Target.ExpandEnv(run, p.param)
		if err != nil || len(targets) != 1 {
			fmt.Fprintln(stderr, "sh: ambiguous redirect")
			return 1
		}
		target := targets[0]
		switch rd.Op {
		case ">", ">>":
			if target != "/dev/null" {
				fmt.Fprintf(stderr, "sh: can't create %s: kubesim's containers have no writable files\n", target)
				return 1
			}
			if rd.Fd == 2 {
				stderr = io.Discard
			} else if rd.Fd == 1 {
				stdout = io.Discard
			}
		case ">&", "<&":
			var w io.Writer
			switch target {
			case "1":
				w = stdout
			case "2":
				w = stderr
			default:
				fmt.Fprintf(stderr, "sh: %s: bad file descriptor\n", target)
				return 1
			}
			if rd.Fd == 2 {
				stderr = w
			} else if rd.Fd == 1 {
				stdout = w
			}
		case "<":
			content, ok := p.readFile(target)
			if !ok {
				fmt.Fprintf(stderr, "sh: can't open '%s': No such file or directory\n", target)
				return 1
			}
			stdin = content
		}
	}
	if len(argv) == 0 {
		return 0
	}
	if argv[0] == "exit" {
		status := 0
		if len(argv) > 1 {
			n, err := strconv.Atoi(argv[1])
			if err != nil {
				fmt.Fprintf(stderr, "sh: exit: Illegal number: %s\n", argv[1])
				n = 2
			}
			status = n & 0xff
		}
		p.exited = alone
		return status
	}
	status, ok := p.run(argv, stdin, stdout, stderr)
	if !ok {
		fmt.Fprintf(stderr, "sh: %s: not found\n", argv[0])
		return ExitNotFound
	}
	return status
}

// param is the value of a shell parameter: $? and $0, the standard
// variables of a busybox container, and the container's own env values.
func (p *proc) param(name string) string {
	switch name {
	case "?":
		return strconv.Itoa(p.status)
	case "0":
		return "sh"
	case "#":
		return "0"
	case "HOSTNAME":
		var b strings.Builder
		hostnameCmd(p, nil, "", &b, io.Discard)
		return strings.TrimSuffix(b.String(), "\n")
	case "HOME":
		return "/root"
	case "PWD":
		return "/"
	case "PATH":
		return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for _, c := range p.pod.Spec.Containers {
		if c.Name != p.container || len(c.Env) == 0 {
			continue
		}
		var env []envVar
		_ = json.Unmarshal(c.Env, &env)
		for _, e := range env {
			if e.Name == name && e.ValueFrom == nil {
				return e.Value
			}
		}
	}
	return ""
}

// readFile reads a file of the container through the image's cat, if the
// ExecEnv serves it.
func (p *proc) readFile(name string) (string, bool) {
	if p.r.Exec == nil {
		return "", false
	}
	var out bytes.Buffer
	st, ok := p.r.Exec.Exec(p.pod, p.container, []string{"cat", name}, "", &out, io.Discard)
	return out.String(), ok && st == 0
}

// lines splits text into lines without their newlines; a last line without
// one still counts.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// inputs returns the text of the files a utility names, or its standard
// input; unreadable files are reported as busybox does.
func (p *proc) inputs(prog string, files []string, stdin string, stderr io.Writer) ([]string, bool) {
	if len(files) == 0 {
		return []string{stdin}, true
	}
	var out []string
	okAll := true
	for _, f := range files {
		if f == "-" {
			out = append(out, stdin)
			continue
		}
		content, ok := p.readFile(f)
		if !ok {
			fmt.Fprintf(stderr, "%s: %s: No such file or directory\n", prog, f)
			okAll = false
			continue
		}
		out = append(out, content)
	}
	return out, okAll
}

// catCmd prints standard input and the files the ExecEnv serves.
func catCmd(p *proc, args []string, stdin string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"-"}
	}
	status := 0
	for _, f := range args {
		if f == "-" {
			io.WriteString(stdout, stdin)
			continue
		}
		content, ok := p.readFile(f)
		if !ok {
			fmt.Fprintf(stderr, "cat: can't open '%s': No such file or directory\n", f)
			status = 1
			continue
		}
		io.WriteString(stdout, content)
	}
	return status
}

// echoCmd is busybox echo, with -n, -e and -E.
func echoCmd(_ *proc, args []string, _ string, stdout, _ io.Writer) int {
	newline, escapes := true, false
	for len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && strings.Trim(args[0][1:], "neE") == "" {
		for _, c := range args[0][1:] {
			switch c {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		var stop bool
		s, stop = echoEscapes(s)
		if stop {
			newline = false
		}
	}
	if newline {
		s += "\n"
	}
	io.WriteString(stdout, s)
	return 0
}

// echoEscapes interprets echo -e's escapes; \c stops the output.
func echoEscapes(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '\\':
			b.WriteByte('\\')
		case 'c':
			return b.String(), true
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String(), false
}

// grepCmd is busybox grep with -v, -i, -c, -n, -o, -q, -E, -F, -w, -x and
// -e.
func grepCmd(p *proc, args []string, stdin string, stdout, stderr io.Writer) int {
	var patterns []string
	var invert, icase, count, number, only, quiet, extended, fixed, word, line bool
	var files []string
	havePattern := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			files = append(files, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			files = append(files, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 'v':
				invert = true
			case 'i':
				icase = true
			case 'c':
				count = true
			case 'n':
				number = true
			case 'o':
				only = true
			case 'q', 's':
				quiet = quiet || a[j] == 'q'
			case 'E':
				extended = true
			case 'F':
				fixed = true
			case 'w':
				word = true
			case 'x':
				line = true
			case 'e':
				pat := a[j+1:]
				if pat == "" {
					if i+1 >= len(args) {
						fmt.Fprintln(stderr, "grep: option requires an argument -- 'e'")
						return 2
					}
					i++
					pat = args[i]
				}
				patterns = append(patterns, pat)
				havePattern = true
				j = len(a)
			default:
				fmt.Fprintf(stderr, "grep: unrecognized option: %c\n", a[j])
				return 2
			}
		}
	}
	if !havePattern {
		if len(files) == 0 {
			fmt.Fprintln(stderr, "Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...")
			return 2
		}
		patterns, files = []string{files[0]}, files[1:]
	}
	var alts []string
	for _, pat := range patterns {
		var re string
		if fixed {
			re = regexp.QuoteMeta(pat)
		} else {
			var err error
			if re, err = translateRegexp(pat, extended); err != nil {
				fmt.Fprintf(stderr, "grep: bad regex '%s': %v\n", pat, err)
				return 2
			}
		}
		alts = append(alts, "(?:"+re+")")
	}
	expr := strings.Join(alts, "|")
	switch {
	case line:
		expr = "^(?:" + expr + ")$"
	case word:
		expr = `\b(?:` + expr + `)\b`
	}
	if icase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		fmt.Fprintf(stderr, "grep: bad regex '%s': %v\n", strings.Join(patterns, "|"), err)
		return 2
	}
	texts, readable := p.inputs("grep", files, stdin, stderr)
	matched := 0
	for ti, text := range texts {
		prefix := ""
		if len(files) > 1 {
			prefix = files[ti] + ":"
		}
		n := 0
		for li, l := range lines(text) {
			if re.MatchString(l) == invert {
				continue
			}
			n++
			matched++
			if quiet {
				return 0
			}
			if count || (only && invert) {
				continue
			}
			out := []string{l}
			if only {
				// Like GNU and busybox grep, -o prints no empty matches.
				out = slices.DeleteFunc(re.FindAllString(l, -1), func(m string) bool { return m == "" })
			}
			for _, o := range out {
				if number {
					fmt.Fprintf(stdout, "%s%d:%s\n", prefix, li+1, o)
				} else {
					fmt.Fprintf(stdout, "%s%s\n", prefix, o)
				}
			}
		}
		if count {
			fmt.Fprintf(stdout, "%s%d\n", prefix, n)
		}
	}
	switch {
	case !readable:
		return 2
	case matched == 0:
		return 1
	}
	return 0
}

// countArg reads the line count of head and tail: -n N, -nN, -N, and for
// tail +N (from line N).
func countArg(prog string, args []string, stderr io.Writer) (n int, fromStart bool, files []string, ok bool) {
	n = 10
	for i := 0; i < len(args); i++ {
		a := args[i]
		var v string
		switch {
		case a == "-n":
			if i+1 >= len(args) {
				fmt.Fprintf(stderr, "%s: option requires an argument -- 'n'\n", prog)
				return 0, false, nil, false
			}
			i++
			v = args[i]
		case strings.HasPrefix(a, "-n"):
			v = a[2:]
		case len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9':
			v = a[1:]
		case len(a) > 1 && a[0] == '-':
			fmt.Fprintf(stderr, "%s: unrecognized option: %s\n", prog, a[1:])
			return 0, false, nil, false
		default:
			files = append(files, a)
			continue
		}
		if prog == "tail" && strings.HasPrefix(v, "+") {
			fromStart, v = true, v[1:]
		}
		num, err := strconv.Atoi(v)
		if err != nil || num < 0 {
			fmt.Fprintf(stderr, "%s: invalid number '%s'\n", prog, v)
			return 0, false, nil, false
		}
		n = num
	}
	return n, fromStart, files, true
}

// headCmd prints the first lines of its input (-n N, -N; 10 by default).
func headCmd(p *proc, args []string, stdin string, stdout, stderr io.Writer) int {
	n, _, files, ok := countArg("head", args, stderr)
	if !ok {
		return 1
	}
	texts, readable := p.inputs("head", files, stdin, stderr)
	for _, t := range texts {
		ls := lines(t)
		for _, l := range ls[:min(n, len(ls))] {
			fmt.Fprintln(stdout, l)
		}
	}
	if !readable {
		return 1
	}
	return 0
}

// tailCmd prints the last lines of its input (-n N, -N, -n +N).
func tailCmd(p *proc, args []string, stdin string, stdout, stderr io.Writer) int {
	n, fromStart, files, ok := countArg("tail", args, stderr)
	if !ok {
		return 1
	}
	texts, readable := p.inputs("tail", files, stdin, stderr)
	for _, t := range texts {
		ls := lines(t)
		var keep []string
		if fromStart {
			keep = ls[min(max(n-1, 0), len(ls)):]
		} else {
			keep = ls[len(ls)-min(n, len(ls)):]
		}
		for _, l := range keep {
			fmt.Fprintln(stdout, l)
		}
	}
	if !readable {
		return 1
	}
	return 0
}

// wcCmd counts lines, words and bytes. A single count of standard input
// prints bare; otherwise counts are right-aligned in columns.
func wcCmd(p *proc, args []string, stdin string, stdout, stderr io.Writer) int {
	var want []byte
	var files []string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' {
			for _, c := range a[1:] {
				if !strings.ContainsRune("lwc", c) {
					fmt.Fprintf(stderr, "wc: unrecognized option: %c\n", c)
					return 1
				}
				want = append(want, byte(c))
			}
			continue
		}
		files = append(files, a)
	}
	order := []byte("lwc")
	if len(want) > 0 {
		order = slices.DeleteFunc(order, func(c byte) bool { return !slices.Contains(want, c) })
	}
	texts, readable := p.inputs("wc", files, stdin, stderr)
	for i, t := range texts {
		counts := map[byte]int{'l': strings.Count(t, "\n"), 'w': len(strings.Fields(t)), 'c': len(t)}
		var cells []string
		for _, c := range order {
			if len(order) == 1 && len(files) == 0 {
				cells = append(cells, strconv.Itoa(counts[c]))
			} else {
				cells = append(cells, fmt.Sprintf("%7d", counts[c]))
			}
		}
		out := strings.Join(cells, " ")
		if len(files) > 0 {
			out += " " + files[i]
		}
		fmt.Fprintln(stdout, out)
	}
	if !readable {
		return 1
	}
	return 0
}

// sortCmd sorts lines bytewise, as in the C locale, with -r, -n and -u.
func sortCmd(p *proc, args []string, stdin string, stdout, stderr io.Writer) int {
	var reverse, numeric, unique bool
	var files []string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' {
			for _, c := range a[1:] {
				switch c {
				case 'r':
					reverse = true
				case 'n':
					numeric = true
				case 'u':
					unique = true
				default:
					fmt.Fprintf(stderr, "sort: unrecognized option: %c\n", c)
					return 1
				}
			}
			continue
		}
		files = append(files, a)
	}
	texts, readable := p.inputs("sort", files, stdin, stderr)
	var all []string
	for _, t := range texts {
		all = append(all, lines(t)...)
	}
	slices.SortStableFunc(all, func(a, b string) int {
		if numeric {
			if c := cmpOrdered(leadingNumber(a), leadingNumber(b)); c != 0 {
				return c
			}
		}
		return strings.Compare(a, b)
	})
	if unique {
		all = slices.Compact(all)
	}
	if reverse {
		slices.Reverse(all)
	}
	for _, l := range all {
		fmt.Fprintln(stdout, l)
	}
	if !readable {
		return 2
	}
	return 0
}

// leadingNumber reads the number a line starts with, as sort -n does; a line
// without one counts as zero.
func leadingNumber(s string) float64 {
	s = strings.TrimLeft(s, " \t")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && s[end] == '-')) {
		end++
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	return f
}

// sleepCmd is busybox sleep: it lets virtual time pass.
func sleepCmd(p *proc, args []string, _ string, _, stderr io.Writer) int {
	d, bad, err := parseSleep(args)
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "sleep: "+err.Error())
		return 1
	case bad != "":
		fmt.Fprintf(stderr, "sleep: invalid number '%s'\n", bad)
		return 1
	}
	p.r.Cluster.Advance(d)
	return 0
}

// hostnameCmd prints the pod's hostname: spec.hostname or its name.
func hostnameCmd(p *proc, _ []string, _ string, stdout, _ io.Writer) int {
	name := p.pod.Spec.Hostname
	if name == "" {
		name = p.pod.Name
	}
	fmt.Fprintln(stdout, name)
	return 0
}
