package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/kubectl"
	"github.com/kubesim/kubesim/podnet"
	"github.com/kubesim/kubesim/script"
)

func init() {
	register(command{
		name:    "run",
		summary: "replay a kubectl script as a terminal transcript",
		run:     runRun,
	})
}

const runDescription = `Run SCRIPT, a kubesim script (one command a line, as a learner types them:
kubectl ..., sleep DURATION, with quotes, \ continuations, here-documents and
$(...)), against a fresh simulated cluster, and print what a terminal would
show: each command as "$ TEXT", then its output, standard error inline. Output
without a final newline is closed with zsh's "%" marker.

Relative -f paths in the script start at the script's directory. Before each
command --think-time of virtual time passes, as a person types the next one;
"sleep 30s" lets more pass, and kubectl wait, rollout status, delete and exec
step the cluster until what they wait for happens. Programs run by kubectl
exec (nslookup, dig, ping, wget, curl, cat /etc/resolv.conf) are those of the
pod's image, simulated by package podnet. -f files are applied, and the
cluster settled, before the script starts. SCRIPT "-" reads standard input.

A first line such as "#!/usr/bin/env -S kubesim run --think-time=300ms" gives
the script's own defaults for these flags (and makes it executable); flags on
the command line override them.

A command that fails is shown failing, and the script goes on, as in a lab
transcript; --stop-on-error stops there instead.

Exit status: 0 when the script ran to its end; 2 when it does not parse (the
error names the line) or cannot be read; 1 when a flag is wrong or the cluster
cannot be built; with --stop-on-error, the status of the command that failed.`

func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	think := kubectl.DefaultThinkTime
	var stopOnError bool
	fs := newFlagSet("run", "[flags] SCRIPT", runDescription, stderr)
	cf.register(fs)
	fs.DurationVar(&think, "think-time", kubectl.DefaultThinkTime, "virtual time that passes before each command")
	fs.BoolVar(&stopOnError, "stop-on-error", false, "stop at the first command that fails, exiting with its status")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "kubesim run: want exactly one SCRIPT, got %d arguments (see kubesim run -h)\n", len(pos))
		return 2
	}
	name, src, err := readScript(pos[0], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "kubesim run: %v\n", err)
		return 2
	}
	if line, ok := shebangFlags(src); ok {
		// The script's own defaults first, then the command line again, so
		// that what the user typed wins.
		cf, think, stopOnError = clusterFlags{}, kubectl.DefaultThinkTime, false
		if err := fs.Parse(line); err != nil {
			fmt.Fprintf(stderr, "kubesim: %s:1: bad flags in the #! line: %v\n", name, err)
			return 2
		}
		if len(fs.Args()) > 0 {
			fmt.Fprintf(stderr, "kubesim: %s:1: the #! line may hold only flags, not %q\n", name, fs.Args()[0])
			return 2
		}
		for i, f := range cf.files {
			if !filepath.IsAbs(f) {
				cf.files[i] = filepath.Join(scriptDir(name), f)
			}
		}
		if _, err := parseInterleaved(fs, args); err != nil {
			return parseStatus(err)
		}
	}
	if think < 0 {
		fmt.Fprintf(stderr, "kubesim run: --think-time %s is negative\n", think)
		return 2
	}
	cmds, err := script.Parse(src)
	if err != nil {
		return scriptError(stderr, name, err)
	}
	c, err := cf.build()
	if err != nil {
		return fail(stderr, err)
	}
	r := newRunner(c, scriptDir(name), think)
	term := newTerminal(stdout)
	for _, cmd := range cmds {
		fmt.Fprintf(term, "$ %s\n", cmd.Text)
		status := r.Run(cmd, term, term)
		term.end()
		if status != 0 && stopOnError {
			return status
		}
	}
	return exitOK
}

// newRunner returns a kubectl runner on c whose pods have podnet's network
// tools, reading -f paths from dir.
func newRunner(c *kubesim.Cluster, dir string, think time.Duration) *kubectl.Runner {
	r := kubectl.New(c)
	r.Dir = dir
	r.Exec = podnet.New(c)
	r.ThinkTime = think
	return r
}

// shebangFlags returns the flags of a script's first line when it is an
// interpreter line running kubesim run, such as
//
//	#!/usr/bin/env -S kubesim run --think-time=300ms
//
// so that a script carries the pace it was written for and can be made
// executable.
func shebangFlags(src string) ([]string, bool) {
	line, _, _ := strings.Cut(src, "\n")
	if !strings.HasPrefix(line, "#!") {
		return nil, false
	}
	f := strings.Fields(line[2:])
	for i := 0; i+1 < len(f); i++ {
		if (f[i] == "kubesim" || strings.HasSuffix(f[i], "/kubesim")) && f[i+1] == "run" {
			return f[i+2:], true
		}
	}
	return nil, false
}

// scriptPace returns the think time a script's #! line asks for, or
// kubectl.DefaultThinkTime.
func scriptPace(src string) time.Duration {
	think := kubectl.DefaultThinkTime
	line, ok := shebangFlags(src)
	if !ok {
		return think
	}
	var cf clusterFlags
	var stop bool
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cf.register(fs)
	fs.DurationVar(&think, "think-time", kubectl.DefaultThinkTime, "")
	fs.BoolVar(&stop, "stop-on-error", false, "")
	if fs.Parse(line) != nil || think < 0 {
		return kubectl.DefaultThinkTime
	}
	return think
}

// readScript reads a script file, or standard input for "-".
func readScript(path string, stdin io.Reader) (name, src string, err error) {
	if path == "-" {
		b, err := io.ReadAll(stdin)
		return "<stdin>", string(b), err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return path, "", fmt.Errorf("cannot read script %s: %v", path, pe.Err)
		}
		return path, "", err
	}
	return path, string(b), nil
}

// scriptDir is the directory relative -f paths of a script start from.
func scriptDir(name string) string {
	if name == "<stdin>" {
		return ""
	}
	return filepath.Dir(name)
}

// scriptError reports a parse error as FILE:LINE: message, the form editors
// jump to, and returns exit status 2.
func scriptError(stderr io.Writer, name string, err error) int {
	var se *script.Error
	if errors.As(err, &se) {
		fmt.Fprintf(stderr, "kubesim: %s:%d: %s\n", name, se.Line, se.Msg)
	} else {
		fmt.Fprintf(stderr, "kubesim: %s: %v\n", name, err)
	}
	return 2
}

// terminal renders a command's standard output and standard error into one
// stream, in the order they were written, as a terminal shows them. A line
// left open when the command ends is closed with zsh's "%" marker, which the
// lab's readers saw after -o jsonpath output.
type terminal struct {
	w    io.Writer
	open bool // the last write did not end its line
}

func newTerminal(w io.Writer) *terminal { return &terminal{w: w} }

func (t *terminal) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	t.open = p[len(p)-1] != '\n'
	return t.w.Write(p)
}

// end closes an unterminated line.
func (t *terminal) end() {
	if t.open {
		io.WriteString(t.w, "%\n")
		t.open = false
	}
}
