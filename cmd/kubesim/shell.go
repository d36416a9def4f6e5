package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/kubectl"
	"github.com/kubesim/kubesim/script"
)

func init() {
	register(command{
		name:    "shell",
		summary: "interactive prompt, the default: kubectl against a simulated cluster",
		run:     runShell,
	})
}

const shellDescription = `Read commands from standard input, one a line, and run each on a simulated
cluster as soon as it is complete: kubectl ..., sleep DURATION, help and exit.
A line ending in \, an open quote or a here-document (<<EOF) continues on the
next lines. The prompt "$ " (and "> " on continuation lines) is shown only when
standard input is a terminal, so that piping a script in gives a clean
transcript of the output.

Exit status: that of "exit N", else of the last command when the input ends;
1 when the cluster cannot be built.`

const shellHelp = `Commands, one a line as in a terminal:
  kubectl apply|create|get|describe|delete|scale|rollout|wait|exec|port-forward ...
                  kubectl's commands and flags ("kubectl help" lists them)
  kubectl exec POD -- nslookup|dig|ping|wget|curl|cat /etc/resolv.conf ...
                  the network tools of the pod's image, run inside the pod
  sleep DURATION  let virtual time pass (30s, 5m, 2h)
  help            this list
  exit [N]        leave (so does end of input)
Quotes, \ continuations, here-documents (<<EOF) and $(...) work as in sh.
Before each command %s of virtual time passes (--think-time).
`

func runShell(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	think := kubectl.DefaultThinkTime
	fs := newFlagSet("shell", "[flags]", shellDescription, stderr)
	cf.register(fs)
	fs.DurationVar(&think, "think-time", kubectl.DefaultThinkTime, "virtual time that passes before each command")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "kubesim shell: unexpected argument %q (to run a script: kubesim run SCRIPT)\n", pos[0])
		return 2
	}
	if think < 0 {
		fmt.Fprintf(stderr, "kubesim shell: --think-time %s is negative\n", think)
		return 2
	}
	c, err := cf.build()
	if err != nil {
		return fail(stderr, err)
	}
	sh := &shell{r: newRunner(c, "", think), stdout: stdout, stderr: stderr, interactive: isTerminal(stdin)}
	if sh.interactive {
		cfg := c.Config()
		fmt.Fprintf(stdout, "kubesim: a simulated %s cluster (seed %d). Type help for the commands, exit to leave.\n", cfg.Platform, cfg.Seed)
	}
	return sh.loop(bufio.NewReader(stdin))
}

// shell is the interactive prompt's state.
type shell struct {
	r              *kubectl.Runner
	stdout, stderr io.Writer
	interactive    bool
	status         int // of the last command
}

// loop reads and runs commands until exit or the end of the input.
func (sh *shell) loop(in *bufio.Reader) int {
	var pending strings.Builder
	line, first := 0, 0 // line numbers: the current one, and the first of pending
	for {
		if sh.interactive {
			if pending.Len() == 0 {
				io.WriteString(sh.stdout, "$ ")
			} else {
				io.WriteString(sh.stdout, "> ")
			}
		}
		text, err := in.ReadString('\n')
		if text == "" && err != nil {
			if pending.Len() > 0 {
				sh.report(first, pending.String(), true)
			}
			if sh.interactive {
				io.WriteString(sh.stdout, "\n")
			}
			return sh.status
		}
		line++
		text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
		if pending.Len() == 0 {
			first = line
			status, exit, handled := sh.builtin(text)
			if exit {
				return status
			}
			if handled {
				continue
			}
		}
		pending.WriteString(text + "\n")
		src := pending.String()
		if incomplete(src) {
			continue
		}
		pending.Reset()
		sh.report(first, src, false)
		if err != nil {
			return sh.status
		}
	}
}

// builtin answers help and exit, which the shell runs itself: handled says
// it did, exit that the shell must end with status.
func (sh *shell) builtin(text string) (status int, exit, handled bool) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return 0, false, false
	}
	switch {
	case f[0] == "help" && len(f) == 1:
		fmt.Fprintf(sh.stdout, shellHelp, sh.r.ThinkTime)
		return 0, false, true
	case f[0] == "exit" && len(f) == 1:
		return sh.status, true, true
	case f[0] == "exit" && len(f) == 2:
		n, err := strconv.Atoi(f[1])
		if err != nil {
			fmt.Fprintf(sh.stderr, "kubesim: exit: Illegal number: %s\n", f[1])
			return 2, true, true
		}
		return n & 0xff, true, true
	}
	return 0, false, false
}

// report parses a complete chunk of input and runs its commands; at the end
// of the input an incomplete chunk is an error.
func (sh *shell) report(first int, src string, eof bool) {
	cmds, err := script.Parse(src)
	if err == nil && eof && incomplete(src) {
		err = &script.Error{Line: 1, Msg: "unexpected end of input after \\"}
	}
	if err != nil {
		var se *script.Error
		if errors.As(err, &se) {
			fmt.Fprintf(sh.stderr, "kubesim: line %d: %s\n", first+se.Line-1, se.Msg)
		} else {
			fmt.Fprintf(sh.stderr, "kubesim: %v\n", err)
		}
		sh.status = 2
		return
	}
	for _, c := range cmds {
		c.Line += first - 1
		sh.status = sh.r.Run(c, sh.stdout, sh.stderr)
	}
}

// incomplete reports whether src needs more lines: it ends in a line
// continuation, or leaves a quote or a here-document open.
func incomplete(src string) bool {
	body := strings.TrimSuffix(src, "\n")
	n := len(body) - len(strings.TrimRight(body, "\\"))
	if n%2 == 1 {
		return true
	}
	_, err := script.Parse(src)
	var se *script.Error
	if !errors.As(err, &se) {
		return false
	}
	return strings.HasPrefix(se.Msg, "unterminated single-quoted") ||
		strings.HasPrefix(se.Msg, "unterminated double-quoted") ||
		strings.HasPrefix(se.Msg, "here-document is not terminated")
}

// isTerminal reports whether r is a terminal (a character device), where the
// shell shows its prompt.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
