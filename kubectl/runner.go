package kubectl

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/script"
)

// DefaultThinkTime is how much virtual time passes before each script
// command by default: the pause of a person typing the next command, which is
// what lets a pod start between `kubectl apply` and `kubectl get pods`.
const DefaultThinkTime = 2 * time.Second

// ExitNotFound is the status of a command that names no program, as a shell
// reports it.
const ExitNotFound = 127

// Runner runs kubectl commands, and the other commands of a kubesim script,
// against a simulated cluster, printing what kubectl would print. A Runner
// is not safe for concurrent use: commands drive the cluster's clock.
type Runner struct {
	// Cluster is the cluster the commands act on.
	Cluster *kubesim.Cluster
	// Namespace is the namespace of the current context, used when a command
	// has no -n; "" means "default".
	Namespace string
	// Dir is the directory that relative -f paths start from; "" means the
	// process's working directory.
	Dir string
	// Exec provides the programs of container images (nslookup, wget, ...) to
	// kubectl exec; the shell and its text utilities are built in. Nil means
	// the images hold only those.
	Exec ExecEnv
	// ThinkTime is the virtual time Run lets pass before each command.
	ThinkTime time.Duration
}

// New returns a Runner for c in namespace default, with DefaultThinkTime.
func New(c *kubesim.Cluster) *Runner {
	return &Runner{Cluster: c, Namespace: "default", ThinkTime: DefaultThinkTime}
}

// Run runs one script command: it lets ThinkTime pass, expands the words
// (running each $(...) first and splicing in its output), feeds the
// here-document, if any, to standard input, and runs the result with
// RunArgs. It returns the command's exit status.
func (r *Runner) Run(cmd script.Command, stdout, stderr io.Writer) int {
	if r.ThinkTime > 0 {
		r.Cluster.Advance(r.ThinkTime)
	}
	argv, err := r.expand(&cmd, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "kubesim: line %d: %v\n", cmd.Line, err)
		return 1
	}
	if len(argv) == 0 {
		return 0
	}
	var stdin io.Reader
	if cmd.HasStdin {
		stdin = strings.NewReader(cmd.Stdin)
	}
	return r.RunArgs(argv, stdin, stdout, stderr)
}

// expand expands a command's words; substitutions run with their standard
// error passed through, as in a shell, and their status ignored.
func (r *Runner) expand(cmd *script.Command, stderr io.Writer) ([]string, error) {
	var run func(*script.Command) (string, error)
	run = func(sub *script.Command) (string, error) {
		argv, err := sub.Expand(run)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		if len(argv) > 0 {
			r.RunArgs(argv, nil, &out, stderr)
		}
		return out.String(), nil
	}
	return cmd.Expand(run)
}

// RunArgs runs one expanded command line: `kubectl ...` or `sleep DURATION`
// (which lets virtual time pass). It does not add think time. stdin may be
// nil. Any other program is unknown, with status ExitNotFound.
func (r *Runner) RunArgs(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(argv) == 0 {
		return 0
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	switch argv[0] {
	case "kubectl":
		return r.kubectl(argv[1:], stdin, stdout, stderr)
	case "sleep":
		d, bad, err := parseSleep(argv[1:])
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "sleep: %v\nTry 'sleep --help' for more information.\n", err)
			return 1
		case bad != "":
			fmt.Fprintf(stderr, "sleep: invalid time interval '%s'\nTry 'sleep --help' for more information.\n", bad)
			return 1
		}
		r.Cluster.Advance(d)
		return 0
	}
	fmt.Fprintf(stderr, "kubesim: %s: command not found (a script runs kubectl and sleep)\n", argv[0])
	return ExitNotFound
}

// parseSleep reads the operands of sleep: numbers, possibly fractional, each
// with an optional s, m, h or d suffix, added together. It returns the first
// operand that does not parse.
func parseSleep(args []string) (time.Duration, string, error) {
	if len(args) == 0 {
		return 0, "", fmt.Errorf("missing operand")
	}
	var total time.Duration
	for _, a := range args {
		unit := time.Second
		num := a
		if n := len(a); n > 0 {
			switch a[n-1] {
			case 's':
				num = a[:n-1]
			case 'm':
				num, unit = a[:n-1], time.Minute
			case 'h':
				num, unit = a[:n-1], time.Hour
			case 'd':
				num, unit = a[:n-1], 24*time.Hour
			}
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f < 0 || f > 1e7 || strings.ContainsAny(num, "xXpPeEiInN_") {
			return 0, a, nil
		}
		total += time.Duration(f * float64(unit))
	}
	return total, "", nil
}

// namespace returns the namespace of the current context.
func (r *Runner) namespace() string {
	if r.Namespace == "" {
		return "default"
	}
	return r.Namespace
}
