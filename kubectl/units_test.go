package kubectl

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
)

func TestParseFlags(t *testing.T) {
	defs := append([]flagDef{
		{long: "all-namespaces", short: "A", kind: boolFlag, def: "false"},
		{long: "output", short: "o", kind: stringFlag},
		{long: "filename", short: "f", kind: stringsFlag},
		{long: "replicas", kind: intFlag, def: "-1"},
		{long: "timeout", kind: durationFlag, def: "30s"},
	}, globalFlags...)
	tests := []struct {
		args string
		want string // namespace|all|output|files|replicas|timeout|args|dash
		err  string
	}{
		{"get pods", "||false|||-1|30s|[get pods]|[]", ""},
		{"-n ns get", "|ns|false|||-1|30s|[get]|[]", ""},
		{"-nns", "|ns|false|||-1|30s|[]|[]", ""},
		{"-n=ns", "|ns|false|||-1|30s|[]|[]", ""},
		{"--namespace ns", "|ns|false|||-1|30s|[]|[]", ""},
		{"--namespace=ns", "|ns|false|||-1|30s|[]|[]", ""},
		{"-A", "||true|||-1|30s|[]|[]", ""},
		{"-Ao wide", "||true|wide||-1|30s|[]|[]", ""},
		{"-Aowide", "||true|wide||-1|30s|[]|[]", ""},
		{"--all-namespaces=false -o=yaml", "||false|yaml||-1|30s|[]|[]", ""},
		{"-f a -f b,c --filename=d", "||false||[a b c d]|-1|30s|[]|[]", ""},
		{"--replicas=3 --timeout 1m", "||false|||3|1m0s|[]|[]", ""},
		{"pod - x -- sh -c -n", "||false|||-1|30s|[pod - x]|[sh -c -n]", ""},
		{"--foo", "", "unknown flag: --foo\nSee 'kubectl test --help' for usage."},
		{"-x", "", "unknown shorthand flag: 'x' in -x\nSee 'kubectl test --help' for usage."},
		{"-Ax", "", "unknown shorthand flag: 'x' in -Ax\nSee 'kubectl test --help' for usage."},
		{"-n", "", "flag needs an argument: 'n' in -n\nSee 'kubectl test --help' for usage."},
		{"--namespace", "", "flag needs an argument: --namespace\nSee 'kubectl test --help' for usage."},
		{"--replicas=x", "", `invalid argument "x" for "--replicas" flag: strconv.ParseInt: parsing "x": invalid syntax` + "\nSee 'kubectl test --help' for usage."},
		{"-A=maybe", "", `invalid argument "maybe" for "-A, --all-namespaces" flag: strconv.ParseBool: parsing "maybe": invalid syntax` + "\nSee 'kubectl test --help' for usage."},
		{"--timeout=5", "", `invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"` + "\nSee 'kubectl test --help' for usage."},
	}
	for _, tt := range tests {
		p, err := parseFlags("kubectl test", defs, strings.Fields(tt.args))
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseFlags(%q) error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseFlags(%q): %v", tt.args, err)
			continue
		}
		f := p.flags
		files := ""
		if fs := f.strs("filename"); len(fs) > 0 {
			files = fmt.Sprint(fs)
		}
		got := fmt.Sprintf("|%s|%v|%s|%s|%d|%v|%v|%v", f.str("namespace"), f.bool("all-namespaces"), f.str("output"),
			files, f.int("replicas"), f.duration("timeout"), p.args, p.dash)
		if got != tt.want {
			t.Errorf("parseFlags(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}

func TestReport(t *testing.T) {
	tests := []struct {
		err    error
		want   string
		status int
	}{
		{nil, "", 0},
		{errors.New("boom"), "error: boom\n", 1},
		{errors.New("error: already prefixed"), "error: already prefixed\n", 1},
		{&api.NotFoundError{Resource: "services", Name: "x"}, "Error from server (NotFound): services \"x\" not found\n", 1},
		{&api.AlreadyExistsError{Resource: "deployments.apps", Name: "x"}, "Error from server (AlreadyExists): deployments.apps \"x\" already exists\n", 1},
		{withSource("creating", "web.yaml", &api.NotFoundError{Resource: "namespaces", Name: "lab"}),
			"Error from server (NotFound): error when creating \"web.yaml\": namespaces \"lab\" not found\n", 1},
		{api.InvalidError{Kind: api.KindDeployment, Name: "web", Causes: []api.FieldError{{Type: api.ErrorTypeRequired, Field: "spec.selector"}}},
			"The Deployment \"web\" is invalid: spec.selector: Required value\n", 1},
		{&api.InvalidError{Kind: api.KindService, Name: "s", Causes: []api.FieldError{
			{Type: api.ErrorTypeRequired, Field: "spec.ports"}, {Type: api.ErrorTypeRequired, Field: "spec.ports"}, {Type: api.ErrorTypeInvalid, Field: "spec.type", BadValue: "X"}}},
			"The Service \"s\" is invalid: \n* spec.ports: Required value\n* spec.type: Invalid value: \"X\"\n", 1},
		{api.InvalidError{Kind: api.KindService, Name: "s"}, "The Service \"s\" is invalid\n", 1},
		{&exitError{code: 7}, "command terminated with exit code 7\n", 7},
		{&usageError{msg: "bad", path: "kubectl exec"}, "error: bad\nSee 'kubectl exec -h' for help and examples\n", 1},
		{errorList{&api.NotFoundError{Resource: "pods", Name: "a"}, errors.New("plain")},
			"Error from server (NotFound): pods \"a\" not found\nplain\n", 1},
		{&noResourceError{name: "foo"}, "error: the server doesn't have a resource type \"foo\"\n", 1},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if st := report(&b, tt.err); b.String() != tt.want || st != tt.status {
			t.Errorf("report(%v) = %q, %d; want %q, %d", tt.err, b.String(), st, tt.want, tt.status)
		}
	}
}

func TestLookupResource(t *testing.T) {
	for name, want := range map[string]api.Kind{
		"po": api.KindPod, "pod": api.KindPod, "pods": api.KindPod, "Pod": api.KindPod, "PODS": api.KindPod,
		"svc": api.KindService, "service": api.KindService, "services": api.KindService,
		"ep": api.KindEndpoints, "endpoints": api.KindEndpoints,
		"endpointslice": api.KindEndpointSlice, "endpointslices.discovery.k8s.io": api.KindEndpointSlice,
		"deploy": api.KindDeployment, "deployment.apps": api.KindDeployment, "deployments.v1.apps": api.KindDeployment,
		"rs": api.KindReplicaSet, "replicasets": api.KindReplicaSet,
		"ns": api.KindNamespace, "namespace": api.KindNamespace, "no": api.KindNode, "nodes": api.KindNode,
	} {
		info, err := lookupResource(name)
		if err != nil || info.Kind != want {
			t.Errorf("lookupResource(%q) = %v, %v; want %s", name, info.Kind, err, want)
		}
	}
	for _, name := range []string{"foo", "pods.apps", "deployments.v1", "configmaps", ""} {
		if _, err := lookupResource(name); err == nil || err.Error() != fmt.Sprintf("the server doesn't have a resource type %q", name) {
			t.Errorf("lookupResource(%q): %v", name, err)
		}
	}
}

func TestTranslateRegexp(t *testing.T) {
	tests := []struct {
		pat      string
		extended bool
		line     string
		match    bool
	}{
		{"^[^*]", false, "Server:\t\t10.96.0.10", true},
		{"^[^*]", false, "** server can't find x: NXDOMAIN", false},
		{"^[^*]", false, "", false},
		{"a.c", false, "abc", true},
		{"a\\.c", false, "abc", false},
		{"*star", false, "*star", true},
		{"^*star", false, "*star", true},
		{"a*", false, "b", true},
		{"a\\{2\\}", false, "aa", true},
		{"a{2}", false, "a{2}", true},
		{"a{2}", true, "aa", true},
		{"\\(ab\\)\\+", false, "abab", true},
		{"(ab)+", false, "(ab)+", true},
		{"(ab)+", true, "abab", true},
		{"cat|dog", false, "dog", false},
		{"cat\\|dog", false, "dog", true},
		{"cat|dog", true, "dog", true},
		{"^(search|options)", true, "options ndots:5", true},
		{"[[:digit:]]\\+", false, "port 53", true},
		{"[]x]", false, "]", true},
		{"[a\\]", false, "\\", true},
		{"a$b", false, "a$b", true},
		{"done$", false, "well done", true},
		{"\\<ndots\\>", false, "options ndots:5", true},
		{"x^y", false, "x^y", true},
	}
	for _, tt := range tests {
		re, err := translateRegexp(tt.pat, tt.extended)
		if err != nil {
			t.Errorf("translateRegexp(%q, %v): %v", tt.pat, tt.extended, err)
			continue
		}
		got, err := matchString(re, tt.line)
		if err != nil || got != tt.match {
			t.Errorf("%q (extended %v) as %q on %q: %v, %v; want %v", tt.pat, tt.extended, re, tt.line, got, err, tt.match)
		}
	}
	for _, pat := range []string{"\\(a\\)\\1", "[abc", "a\\", "[[=a=]]"} {
		if _, err := translateRegexp(pat, false); err == nil {
			t.Errorf("translateRegexp(%q): no error", pat)
		}
	}
}

func TestJSONPath(t *testing.T) {
	data := map[string]any{
		"kind": "List",
		"items": []any{
			map[string]any{"metadata": map[string]any{"name": "a", "labels": map[string]any{"app": "web", "tier": "1"}}, "spec": map[string]any{"replicas": int64(2), "ports": []any{map[string]any{"port": int64(80), "name": "http"}, map[string]any{"port": int64(443)}}}, "ready": true},
			map[string]any{"metadata": map[string]any{"name": "b", "labels": map[string]any{"app": "db"}}, "spec": map[string]any{"replicas": int64(1), "ratio": 0.5}},
		},
	}
	tests := []struct{ tmpl, want string }{
		{"{.kind}", "List"},
		{"{.items[0].metadata.name}", "a"},
		{"{.items[-1].metadata.name}", "b"},
		{"{.items[*].metadata.name}", "a b"},
		{"{.items[0:1].metadata.name}", "a"},
		{"{.items[0:2:2].metadata.name}", "a"},
		{"{.items[*].spec.replicas}", "2 1"},
		{"{.items[1].spec.ratio}", "0.5"},
		{"{.items[0].ready}", "true"},
		{"{.items[0].metadata.labels}", `{"app":"web","tier":"1"}`},
		{"{.items[0].metadata.labels.*}", "web 1"},
		{"{.items[0].spec.ports[*].port}", "80 443"},
		{"{.items[0]['metadata']['name']}", "a"},
		{"{.items[*]['metadata.name']}", "a b"},
		{"{.items[0].metadata['name','labels']}", `a {"app":"web","tier":"1"}`},
		{"{..name}", "a http b"},
		{"{.items[?(@.metadata.labels.app==\"db\")].metadata.name}", "b"},
		{"{.items[?(@.ready)].metadata.name}", "a"},
		{"{.items[?(@.spec.replicas==2)].metadata.name}", ""},
		{"{.items[?(@.spec.replicas>1)].metadata.name}", ""},
		{"{.items[0].spec.ports[?(@.name=='http')].port}", "80"},
		{"{range .items[*]}{.metadata.name}{\"\\n\"}{end}", "a\nb\n"},
		{"{range .items[*]}[{.metadata.name}]{end}done", "[a][b]done"},
		// client-go runs what follows an inner {end} only after the last
		// element of every enclosing range, so the ; never prints.
		{"{range .items[*]}{range .spec.ports[*]}{.port},{end};{end}", "80,443,"},
		{"text only", "text only"},
		{"x{.kind}y{.missing}z", "xListyz"},
		{"{.items[0].spec.replicas} {'quoted'}", "2 quoted"},
		{"{@.kind}{$.kind}", "ListList"},
		{"{.items[5:5]}", ""},
	}
	for _, tt := range tests {
		p, err := parseJSONPath(tt.tmpl)
		if err != nil {
			t.Errorf("parse %q: %v", tt.tmpl, err)
			continue
		}
		var b bytes.Buffer
		if err := p.execute(&b, data); err != nil {
			t.Errorf("execute %q: %v", tt.tmpl, err)
			continue
		}
		if b.String() != tt.want {
			t.Errorf("%q = %q, want %q", tt.tmpl, b.String(), tt.want)
		}
	}
	parseErrors := map[string]string{
		"{.items[0}":                     "unterminated array",
		"{.kind":                         "unclosed action",
		"{.items[x]}":                    "invalid array index x",
		"{\"open}":                       "unterminated quoted string",
		"{.a[?(@.x==1}":                  "unterminated filter",
		"{#}":                            "unrecognized character in action: U+0023 '#'",
		"{..a..b}":                       "",
		"{.....}":                        "invalid multiple recursive descent",
		"{-}":                            "cannot parse number -",
		"{.a[?(@.x==1)x]}":               "unclosed array expect ]",
		"{.items[99999999999999999999]}": "array index 99999999999999999999 is not a number",
	}
	for tmpl, want := range parseErrors {
		_, err := parseJSONPath(tmpl)
		switch {
		case want == "" && err != nil:
			t.Errorf("parse %q: %v", tmpl, err)
		case want != "" && (err == nil || err.Error() != want):
			t.Errorf("parse %q: error %v, want %q", tmpl, err, want)
		}
	}
	execErrors := map[string]string{
		"{.items[2]}":             "array index out of bounds: index 2, length 2",
		"{.items[1:0]}":           "starting index 1 is greater than ending index 0",
		"{.items[0:1:0]}":         "step must be > 0",
		"{.kind[0]}":              "string is not array or slice",
		"{.items[0].metadata[0]}": "map[string]interface {} is not array or slice",
		"{foo}":                   "unrecognized identifier foo",
		"{end}":                   "not in range, nothing to end",
	}
	for tmpl, want := range execErrors {
		p, err := parseJSONPath(tmpl)
		if err != nil {
			t.Errorf("parse %q: %v", tmpl, err)
			continue
		}
		if err := p.execute(&bytes.Buffer{}, data); err == nil || err.Error() != want {
			t.Errorf("execute %q: error %v, want %q", tmpl, err, want)
		}
	}
	p, _ := parseJSONPath("{.missing}")
	p.allowMissing = false
	if err := p.execute(&bytes.Buffer{}, data); err == nil || err.Error() != "missing is not found" {
		t.Errorf("missing key without allowMissing: %v", err)
	}
	// Ten levels of ten-element lists, sharing their elements, make 10^10
	// iterations of nested ranges from a few hundred bytes of data.
	var deep any = []any{int64(1)}
	for range 10 {
		deep = []any{deep, deep, deep, deep, deep, deep, deep, deep, deep, deep}
	}
	p, _ = parseJSONPath(strings.Repeat("{range [*]}", 10) + "{@}" + strings.Repeat("{end}", 10))
	if err := p.execute(&bytes.Buffer{}, deep); err == nil || !strings.Contains(err.Error(), "too expensive") {
		t.Errorf("exponential template: %v", err)
	}
}

func TestRelaxedJSONPath(t *testing.T) {
	for in, want := range map[string]string{
		"metadata.name": "{.metadata.name}", ".metadata.name": "{.metadata.name}",
		"{metadata.name}": "{.metadata.name}", "{.metadata.name}": "{.metadata.name}", "": "",
	} {
		if got, err := relaxedJSONPath(in); got != want || err != nil {
			t.Errorf("relaxedJSONPath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := relaxedJSONPath("{a}{b}"); err == nil {
		t.Error("relaxedJSONPath of two actions: no error")
	}
}

func TestThinkTimeAndSleep(t *testing.T) {
	r := newRunner(t)
	r.ThinkTime = New(r.Cluster).ThinkTime
	start := r.Cluster.Now()
	must(t, r, "kubectl get ns")
	if d := r.Cluster.Now().Sub(start); d != DefaultThinkTime {
		t.Errorf("one command took %v of virtual time, want %v", d, DefaultThinkTime)
	}
	r.ThinkTime = 0
	for _, tt := range []struct {
		line string
		want time.Duration
	}{
		{"kubectl get ns", 0},
		{"sleep 1.5", 1500 * time.Millisecond},
		{"sleep 2s 1m", time.Minute + 2*time.Second},
		{"sleep 1h", time.Hour},
		{"sleep 0.5d", 12 * time.Hour},
		{"kubectl exec -n kube-system deploy/coredns -- sleep 30", 30 * time.Second},
	} {
		before := r.Cluster.Now()
		must(t, r, tt.line)
		if d := r.Cluster.Now().Sub(before); d != tt.want {
			t.Errorf("%s took %v, want %v", tt.line, d, tt.want)
		}
	}
	for _, bad := range []string{"sleep", "sleep x", "sleep -1", "sleep 1e3", "sleep 0x10", "sleep inf"} {
		if _, errOut, st := run(t, r, bad); st != 1 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q", bad, st, errOut)
		}
	}
}

func TestSubstitution(t *testing.T) {
	r := newRunner(t)
	r.ThinkTime = 0
	must(t, r, "kubectl apply -f sleep/sleep1.yaml")
	must(t, r, "kubectl wait --for=condition=Available deploy/sleep-1")
	out, errOut, st := run(t, r, "kubectl get pods $(tr a-z A-Z) -o name")
	if st != 0 || !strings.HasPrefix(out, "pod/sleep-1-") || !strings.Contains(errOut, "kubesim: tr: command not found") {
		t.Errorf("unknown program in $(): %q %q %d", out, errOut, st)
	}
	out = must(t, r, "kubectl get $(kubectl get pods -o name) -o jsonpath={.kind}")
	if out != "Pod" {
		t.Errorf("substituted TYPE/NAME: %q", out)
	}
	out = must(t, r, "kubectl get pods -o jsonpath=$(kubectl get svc kubernetes -o jsonpath={.kind})")
	if out != "Service" {
		t.Errorf("glued substitution: %q", out)
	}
	out = must(t, r, `kubectl exec $(kubectl get pods -o name) -- sh -c "echo $(kubectl get svc kubernetes -o jsonpath={.spec.clusterIP})"`)
	if out != "10.96.0.1\n" {
		t.Errorf("substitution inside double quotes: %q", out)
	}
}

// matchString compiles a translated expression and matches it.
func matchString(re, s string) (bool, error) {
	rx, err := regexp.Compile(re)
	if err != nil {
		return false, err
	}
	return rx.MatchString(s), nil
}

func TestCommandLine(t *testing.T) {
	r := newRunner(t)
	tests := []struct {
		line, stdout, stderr string
		status               int
	}{
		{"kubectl -n kube-system get svc -o name", "service/kube-dns\n", "", 0},
		{"kubectl --namespace=kube-system get svc -o name", "service/kube-dns\n", "", 0},
		{"kubectl -o name get svc kubernetes", "service/kubernetes\n", "", 0},
		{"kubectl -A get svc", "", "error: unknown command \"svc\" for \"kubectl\"\n\nDid you mean this?\n\tset\n", 1},
		{"kubectl get svc kubernetes -o name -n default --", "service/kubernetes\n", "", 0},
		{"kubectl rollout -n default status", "", "error: required resource not specified\n", 1},
	}
	for _, tt := range tests {
		out, errOut, st := run(t, r, tt.line)
		if out != tt.stdout || errOut != tt.stderr || st != tt.status {
			t.Errorf("%s:\n got %q %q %d\nwant %q %q %d", tt.line, out, errOut, st, tt.stdout, tt.stderr, tt.status)
		}
	}
	for _, line := range []string{"kubectl --help", "kubectl", "kubectl get --help", "kubectl rollout status -h", "kubectl port-forward --help"} {
		out, errOut, st := run(t, r, line)
		if st != 0 || errOut != "" || !strings.Contains(out, "kubectl") {
			t.Errorf("%s: %q %q %d", line, out, errOut, st)
		}
	}
	if out, _, _ := run(t, r, "kubectl port-forward --help"); !strings.Contains(out, "returns at once") {
		t.Errorf("port-forward help does not say it returns at once:\n%s", out)
	}
}
