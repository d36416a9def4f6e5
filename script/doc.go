// Package script parses kubesim scripts: transcripts of a terminal session,
// one command per line, written as a learner would type them into a shell.
//
//	# chapter 3: a ClusterIP service
//	kubectl apply -f sleep/sleep1.yaml -f sleep/sleep2.yaml
//	kubectl wait --for=condition=Ready pod -l app=sleep-2
//	kubectl exec deploy/sleep-1 -- ping -c 2 \
//	    $(kubectl get pod -l app=sleep-2 --output jsonpath='{.items[0].status.podIP}')
//	kubectl apply -f - <<EOF
//	apiVersion: v1
//	kind: Namespace
//	metadata:
//	  name: lab
//	EOF
//
// The syntax is the part of the POSIX shell that such transcripts use:
// comments (a line whose first non-blank character is #, and a # that starts
// a word), backslash line continuations, single and double quotes and
// backslash escapes, here-documents (<<EOF, <<'EOF', <<"EOF" and <<-EOF, whose
// body becomes the command's standard input), and $(...) command
// substitution. A substitution is kept in the parse result as a [Command] of
// its own, so that a runner evaluates it first and splices its output into
// the outer command with [Word.Expand].
//
// A script line holds one command: pipes, ;, && and redirections are errors at
// the top level, because a kubesim script drives a cluster rather than a
// shell. They are what [ParseShell] accepts instead, for the text of
// `sh -c '...'` run inside a simulated pod.
//
// Parsing never runs anything, reads no files and has no side effects.
// Errors are *[Error] values that name the line where the problem starts.
//
// In a script, $ is literal: a script drives a cluster and has no variables.
// ParseShell's output holds parameters ($?, $NAME, ${NAME}) for the runner
// to expand with [Word.ExpandEnv].
//
// Things a POSIX shell does that this package does not: parameter expansion
// beyond plain $NAME, arithmetic, globbing, backquote substitution (an error,
// with a hint to use $(...)), assignments, aliases, functions and control
// flow. Here-document bodies are kept verbatim, even with an unquoted
// delimiter.
package script
