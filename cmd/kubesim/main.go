// Command kubesim runs a simulated Kubernetes cluster from the command line:
// kubectl-shaped scripts and an interactive prompt, DNS lookups from inside a
// pod, kube-proxy's routing decisions and rules, and a DNS server real clients
// can query.
//
//	kubesim run examples/ch03/lab.kubesim    replay a lab script
//	kubesim                                  interactive prompt
//	kubesim resolve -f DIR --pod NS/NAME NAME
//	kubesim route -f DIR --node N --src IP --dst IP --port P
//	kubesim rules NODE -f DIR
//	kubesim serve-dns --listen 127.0.0.1:5353 -f DIR
//	kubesim trace POD URL -f DIR
//	kubesim graph -f DIR
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand: its name, a one-line summary, and its entry
// point, which returns the process exit status.
type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

// commands is filled by each subcommand's file.
var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// With no command, or only flags (kubesim -f DIR), the prompt starts.
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help") {
		return commands["shell"].run(args, stdin, stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "kubesim: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: kubesim [COMMAND] [FLAGS]")
	fmt.Fprintln(w, "\nWith no command, kubesim starts an interactive prompt.\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'kubesim COMMAND -h' for a command's flags.")
}

// join renders a list for messages.
func join(items []string) string { return strings.Join(items, ", ") }
