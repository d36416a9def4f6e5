package kubectl

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// command is one kubectl command that kubesim implements.
type command struct {
	name  string // "get", or "rollout status"
	short string // what it does, one line
	usage string // the synopsis after "Usage:"
	notes string // extra help text, such as what kubesim does differently
	flags []flagDef
	run   func(c *call) error
}

// call is one invocation of a command: its parsed command line and streams.
type call struct {
	r       *Runner
	cmd     *command
	path    string // "kubectl get", for error messages
	flags   *flags
	args    []string // positional arguments before --
	dash    []string // arguments after --
	sawDash bool
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	ns      string // the namespace to act in
	nsSet   bool   // -n was given, so objects from files must agree with it
}

// globalFlags are accepted by every command.
var globalFlags = []flagDef{
	{long: "namespace", short: "n", kind: stringFlag, usage: "If present, the namespace scope for this CLI request"},
	{long: "help", short: "h", kind: boolFlag, def: "false", usage: "help for the command"},
}

// commands lists what kubesim implements, in the order help shows them.
var commands []*command

func init() {
	commands = []*command{
		applyCommand, createCommand, getCommand, describeCommand, deleteCommand,
		scaleCommand, rolloutStatusCommand, rolloutRestartCommand, waitCommand,
		execCommand, portForwardCommand,
	}
}

// unimplemented are kubectl commands kubesim knows of but does not simulate:
// naming them gets an honest refusal rather than "unknown command".
var unimplemented = []string{
	"annotate", "api-resources", "api-versions", "attach", "auth", "autoscale", "certificate",
	"cluster-info", "completion", "config", "cordon", "cp", "debug", "diff", "drain", "edit",
	"events", "explain", "expose", "kustomize", "label", "logs", "patch", "plugin", "proxy",
	"replace", "run", "set", "taint", "top", "uncordon", "version",
}

// kubectl runs one kubectl command line (without the word kubectl).
func (r *Runner) kubectl(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name, rest := splitCommand(args)
	if name == "" {
		writeOverview(stdout)
		return 0
	}
	if name == "rollout" {
		sub, subRest := splitCommand(rest)
		switch {
		case sub == "status" || sub == "restart":
			name, rest = "rollout "+sub, subRest
		case sub == "history" || sub == "pause" || sub == "resume" || sub == "undo":
			return report(stderr, fmt.Errorf("kubesim does not implement \"kubectl rollout %s\"", sub))
		case sub == "":
			return report(stderr, fmt.Errorf("kubesim implements \"kubectl rollout status\" and \"kubectl rollout restart\"; name one"))
		default:
			return report(stderr, fmt.Errorf("unknown command %q for \"kubectl rollout\"", sub))
		}
	}
	var cmd *command
	for _, c := range commands {
		if c.name == name {
			cmd = c
		}
	}
	if cmd == nil {
		if slices.Contains(unimplemented, name) {
			return report(stderr, fmt.Errorf("kubesim does not implement \"kubectl %s\"", name))
		}
		return report(stderr, fmt.Errorf("unknown command %q for \"kubectl\"%s", name, suggest(name)))
	}
	c := &call{r: r, cmd: cmd, path: "kubectl " + cmd.name, stdin: stdin, stdout: stdout, stderr: stderr}
	p, err := parseFlags(c.path, append(slices.Clone(cmd.flags), globalFlags...), rest)
	if err != nil {
		return report(stderr, err)
	}
	if p.flags.bool("help") {
		writeHelp(stdout, cmd)
		return 0
	}
	c.flags, c.args, c.dash, c.sawDash = p.flags, p.args, p.dash, p.sawDash
	c.ns, c.nsSet = r.namespace(), p.flags.changed("namespace")
	if c.nsSet {
		c.ns = p.flags.str("namespace")
	}
	return report(stderr, cmd.run(c))
}

// splitCommand finds the command name among args and returns it with the
// other arguments. Like cobra, it takes a flag before the command to have a
// value unless it is --help or written -xVALUE or --flag=value, so that
// `kubectl -n web get pods` works and `kubectl -A get pods` does not.
func splitCommand(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", args
		case a == "-h" || a == "--help":
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="), len(a) == 2 && a[0] == '-':
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a, append(slices.Clone(args[:i]), args[i+1:]...)
		}
	}
	return "", args
}

// suggest returns cobra's "Did you mean this?" block for a mistyped command:
// commands within two edits of it, or that it is a prefix of.
func suggest(name string) string {
	var names []string
	for _, c := range commands {
		names = append(names, strings.Fields(c.name)[0])
	}
	names = append(names, unimplemented...)
	slices.Sort(names)
	names = slices.Compact(names)
	var hits []string
	for _, n := range names {
		if levenshtein(strings.ToLower(name), n) <= 2 || strings.HasPrefix(n, strings.ToLower(name)) {
			hits = append(hits, n)
		}
	}
	if len(hits) == 0 || name == "" {
		return ""
	}
	return "\n\nDid you mean this?\n\t" + strings.Join(hits, "\n\t") + "\n"
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func writeOverview(w io.Writer) {
	fmt.Fprintln(w, "kubectl controls the simulated Kubernetes cluster of kubesim.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands kubesim implements:")
	tw := newTable(w)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.short)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Use \"kubectl <command> --help\" for more information about a given command.")
}

func writeHelp(w io.Writer, c *command) {
	fmt.Fprintln(w, c.short)
	if c.notes != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, c.notes)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	fmt.Fprintf(w, "  %s\n", c.usage)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Options:")
	for _, d := range append(slices.Clone(c.flags), globalFlags...) {
		name := "--" + d.long
		if d.short != "" {
			name = "-" + d.short + ", --" + d.long
		}
		fmt.Fprintf(w, "    %s=%s:\n\t%s\n\n", name, helpDefault(d), d.usage)
	}
}

// helpDefault shows a flag's default as kubectl's help does: quoted
// strings, bracketed lists, plain numbers, booleans and durations.
func helpDefault(d flagDef) string {
	switch d.kind {
	case stringFlag:
		return "'" + d.def + "'"
	case stringsFlag:
		return "[" + d.def + "]"
	}
	return d.def
}
