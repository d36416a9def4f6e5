// Package simtest is kubesim's randomised simulation tester, in the manner of
// FoundationDB's simulator and TigerBeetle's VOPR: a seed drives a generator
// of operation sequences (workloads created, scaled, rolled and deleted;
// services of every type with and without selectors; hand-written Endpoints
// and EndpointSlices; namespaces; killed pods; lookups and connections;
// injected faults; virtual time), the cluster's invariant checker runs after
// every step, and a failure is shrunk to the shortest sequence that still
// fails and printed with the seed, the configuration and a one-line command
// that replays it.
//
// Operations have a text form, one per line, which Parse reads back:
//
//	ns create team-1
//	deploy create team-1/d1 replicas=3 image=nginx:1 ports=http:8080,dns:53/UDP labels=tier=web
//	svc create team-1/s1 type=NodePort selector=app=d1 ports=http:80:http
//	fault stall-proxy node-00002 for=30s
//	advance 2.5s
//
// Run executes a sequence; Generate makes one from a seed; Shrink reduces a
// failing one. The command simtest/cmd/kubesim-sim does the same from the
// command line. TestRandom runs a bounded number of seeds in CI; see its
// documentation for the long run.
package simtest

import (
	"fmt"
	"strings"
)

// Op is one step of a simulation: a verb and its arguments, as written in
// the text form.
type Op struct {
	Verb string
	Args []string
}

// String renders the op in the text form Parse reads.
func (o Op) String() string {
	if len(o.Args) == 0 {
		return o.Verb
	}
	return o.Verb + " " + strings.Join(o.Args, " ")
}

// verbs lists every verb with its argument count (positional, at least).
var verbs = map[string]int{
	"ns":      2, // create|delete NAME
	"deploy":  2, // create|scale|image|delete NS/NAME ...
	"svc":     2, // create|delete NS/NAME ...
	"ep":      2, // create|delete NS/NAME ...
	"slice":   2, // create|delete NS/NAME ...
	"pod":     2, // create|kill NS/NAME ...
	"fault":   1, // FAULT... [after=D] [for=D]
	"heal":    1, // ID|all
	"advance": 1, // DURATION
	"settle":  0,
	"resolve": 2, // NS/DEPLOY#K NAME
	"curl":    3, // NS/DEPLOY#K NS/SVC PORT
}

// Parse reads ops in the text form: one per line, or separated by ";" (as
// the replay command writes them); blank lines and lines starting with "#"
// are skipped.
func Parse(text string) ([]Op, error) {
	var ops []Op
	for i, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		n, ok := verbs[f[0]]
		if !ok {
			return nil, fmt.Errorf("simtest: op %d %q: unknown verb %q", i+1, line, f[0])
		}
		if len(f)-1 < n {
			return nil, fmt.Errorf("simtest: op %d %q: %s needs %d arguments", i+1, line, f[0], n)
		}
		ops = append(ops, Op{Verb: f[0], Args: f[1:]})
	}
	return ops, nil
}

// Format renders ops one per line.
func Format(ops []Op) string {
	var b strings.Builder
	for _, o := range ops {
		b.WriteString(o.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// opts splits "key=value" arguments from positional ones. A bare word after
// the positional ones is a flag, stored with an empty value.
func opts(args []string) (pos []string, kv map[string]string) {
	kv = map[string]string{}
	for _, a := range args {
		if k, v, ok := strings.Cut(a, "="); ok {
			kv[k] = v
		} else if strings.HasPrefix(a, "+") {
			kv[a[1:]] = ""
		} else {
			pos = append(pos, a)
		}
	}
	return pos, kv
}
