package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/kubesim/kubesim/podnet"
	"github.com/kubesim/kubesim/script"
)

func init() {
	register(command{
		name:    "trace",
		summary: "follow one HTTP request from a pod, hop by hop",
		run:     runTrace,
	})
}

const traceDescription = `Send one HTTP GET for URL from inside POD, as curl would, and explain every
hop: the DNS queries the pod's resolver sent and what came back, the packet
the pod sent, what its node's kube-proxy rules did with it (the rules walked
and their cost), what the packet reached, and the answer. With -o json the
trace is a JSON object.

POD is NAME or NS/NAME, or deploy/NAME (NS/deploy/NAME) for a ready pod of a
deployment. The cluster is built from the -f manifests, then --script, if
given, runs (its output is not shown), so that the request sees the state the
script leaves: a deleted pod, an emptied Service, a headless one.

Exit status: 0 when the request got an HTTP answer (whatever its status), 2
when it did not (no address, refused, timed out), 1 on any other error.`

func runTrace(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var cf clusterFlags
	var scriptPath, output string
	fs := newFlagSet("trace", "[-f MANIFESTS] [--script SCRIPT] POD URL", traceDescription, stderr)
	cf.register(fs)
	fs.StringVar(&scriptPath, "script", "", "a kubesim script to run first (see kubesim run)")
	fs.StringVar(&output, "o", "", "output format: json, or empty for text")
	fs.StringVar(&output, "output", "", "same as -o")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return parseStatus(err)
	}
	if len(pos) != 2 {
		return fail(stderr, fmt.Errorf("trace takes POD and URL, got %d arguments (see kubesim trace -h)", len(pos)))
	}
	if err := checkOutput(output, "", "json"); err != nil {
		return fail(stderr, err)
	}
	var cmds []script.Command
	name, src := "", ""
	if scriptPath != "" {
		name, src, err = readScript(scriptPath, stdin)
		if err != nil {
			return fail(stderr, err)
		}
		if cmds, err = script.Parse(src); err != nil {
			return scriptError(stderr, name, err)
		}
	}
	c, err := cf.build()
	if err != nil {
		return fail(stderr, err)
	}
	if len(cmds) > 0 {
		r := newRunner(c, scriptDir(name), scriptPace(src))
		for _, cmd := range cmds {
			r.Run(cmd, io.Discard, io.Discard)
		}
	}
	ns, pod, err := findPod(c, pos[0])
	if err != nil {
		return fail(stderr, err)
	}
	t, err := podnet.New(c).Trace(ns, pod, pos[1])
	if err != nil {
		return fail(stderr, err)
	}
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(t); err != nil {
			return fail(stderr, err)
		}
	} else {
		io.WriteString(stdout, t.String())
	}
	if t.Outcome != podnet.Connected {
		return exitNotFound
	}
	return exitOK
}
