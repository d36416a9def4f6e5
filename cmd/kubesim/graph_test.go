package main

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/internal/textdiff"
)

// graphCases are the lab's setups the goldens draw: the numbers app with
// the sleep pods, the lab's solution, an ExternalName and a selector-less
// service with a hand-written Endpoints, and a headless service.
var graphCases = []struct {
	name  string
	files []string
	flags []string
}{
	{"numbers", []string{lab("sleep"), lab("numbers")}, nil},
	{"lab", []string{lab("lab"), lab("lab/solution")}, nil},
	{"externalname", []string{lab("numbers"), lab("numbers-services/api-service-externalName.yaml")}, nil},
	{"selectorless", []string{lab("sleep"), lab("numbers-services/api-service-headless.yaml"), lab("numbers-services/web-service-nodePort.yaml")}, nil},
	{"headless", []string{"testdata/manifests/headless.yaml", "testdata/manifests/no-endpoints.yaml"}, nil},
	{"all-namespaces", []string{lab("sleep")}, []string{"-A"}},
}

func graphArgs(format string, files, flags []string) []string {
	args := []string{"graph", "-o", format}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	return append(args, flags...)
}

// TestGraphGolden pins both notations for each setup and checks that a
// second run prints the same bytes.
func TestGraphGolden(t *testing.T) {
	for _, tc := range graphCases {
		for _, format := range []string{"mermaid", "dot"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				args := graphArgs(format, tc.files, tc.flags)
				out, errOut, code := kubesimRun(args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				again, _, _ := kubesimRun(args...)
				if again != out {
					t.Errorf("two runs differ:\n%s", textdiff.Lines(out, again))
				}
				goldenCheck(t, "graph-"+tc.name+"-"+format, transcript(args, out, errOut, code))
			})
		}
	}
}

// TestGraphMeaning checks the edges the drawing exists to show, in both
// notations, independently of the goldens.
func TestGraphMeaning(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  []string // edges as "from -> to [label]" with ids as in the output
	}{
		{
			name:  "clusterIP name to service, service to pod via its slice, pod to node",
			files: []string{lab("numbers")},
			want: []string{
				"dns__default__numbers_api -> svc__default__numbers_api [A]",
				"svc__default__numbers_api -> eps__default__numbers_api_",
				"pod__default__numbers_api_",
				"-> node__docker_desktop [runs on]",
			},
		},
		{
			name:  "ExternalName to its CNAME target",
			files: []string{lab("numbers-services/api-service-externalName.yaml")},
			want:  []string{"dns__default__numbers_api -> ext__raw_githubusercontent_com [CNAME]"},
		},
		{
			name:  "headless name to the pods",
			files: []string{"testdata/manifests/headless.yaml"},
			want:  []string{"dns__default__db -> pod__default__db_"},
		},
		{
			name:  "kubernetes endpoints to the node",
			files: []string{lab("sleep")},
			want:  []string{"eps__default__kubernetes -> node__docker_desktop"},
		},
	}
	mermaidEdge := regexp.MustCompile(`^  (\S+) -\.?->(?:\|"([^"]*)"\|)? (\S+)$`)
	dotEdge := regexp.MustCompile(`^  (\S+) -> (\S+?)(?: \[(?:label="([^"]*)")?.*\])?;$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []string{"mermaid", "dot"} {
				out, errOut, code := kubesimRun(graphArgs(format, tt.files, nil)...)
				if code != 0 {
					t.Fatalf("%s: exit %d: %s", format, code, errOut)
				}
				var edges []string
				for _, l := range strings.Split(out, "\n") {
					var from, to, label string
					if m := mermaidEdge.FindStringSubmatch(l); format == "mermaid" && m != nil {
						from, label, to = m[1], m[2], m[3]
					} else if m := dotEdge.FindStringSubmatch(l); format == "dot" && m != nil {
						from, to, label = m[1], m[2], m[3]
					} else {
						continue
					}
					e := from + " -> " + to
					if label != "" {
						e += " [" + label + "]"
					}
					edges = append(edges, e)
				}
				all := strings.Join(edges, "\n")
				for _, w := range tt.want {
					if !strings.Contains(all, w) {
						t.Errorf("%s: no edge matching %q among:\n%s", format, w, all)
					}
				}
			}
		})
	}
}

// TestGraphMermaidWellFormed checks what a Mermaid parser would reject:
// unbalanced subgraphs, edges to undeclared nodes, and ids declared twice.
func TestGraphMermaidWellFormed(t *testing.T) {
	decl := regexp.MustCompile(`^    ([A-Za-z0-9_]+)[\[\(\{>]`)
	sub := regexp.MustCompile(`^  subgraph ([A-Za-z0-9_]+)\["[^"]*"\]$`)
	edge := regexp.MustCompile(`^  ([A-Za-z0-9_]+) -\.?->(?:\|"[^"]*"\|)? ([A-Za-z0-9_]+)$`)
	for _, tc := range graphCases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, code := kubesimRun(graphArgs("mermaid", tc.files, tc.flags)...)
			if code != 0 {
				t.Fatal("graph failed")
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if lines[0] != "flowchart LR" {
				t.Fatalf("first line %q", lines[0])
			}
			ids := map[string]bool{}
			depth := 0
			for i, l := range lines[1:] {
				switch {
				case sub.MatchString(l):
					id := sub.FindStringSubmatch(l)[1]
					if ids[id] {
						t.Errorf("line %d: %s declared twice", i+2, id)
					}
					ids[id] = true
					depth++
				case l == "  end":
					depth--
				case decl.MatchString(l):
					id := decl.FindStringSubmatch(l)[1]
					if ids[id] {
						t.Errorf("line %d: %s declared twice", i+2, id)
					}
					ids[id] = true
				case edge.MatchString(l):
					m := edge.FindStringSubmatch(l)
					for _, id := range m[1:] {
						if !ids[id] {
							t.Errorf("line %d: edge to undeclared %s", i+2, id)
						}
					}
				default:
					t.Errorf("line %d: unexpected %q", i+2, l)
				}
				if depth < 0 || depth > 1 {
					t.Errorf("line %d: subgraph depth %d", i+2, depth)
				}
			}
			if depth != 0 {
				t.Errorf("%d subgraphs left open", depth)
			}
		})
	}
}

// TestGraphDotRenders runs Graphviz on the DOT output: it must parse and
// render without a warning.
func TestGraphDotRenders(t *testing.T) {
	dot := needTool(t, "dot", "graphviz")
	for _, tc := range graphCases {
		t.Run(tc.name, func(t *testing.T) {
			out, _, code := kubesimRun(graphArgs("dot", tc.files, tc.flags)...)
			if code != 0 {
				t.Fatal("graph failed")
			}
			cmd := exec.Command(dot, "-Tsvg", "-o", "/dev/null")
			cmd.Stdin = strings.NewReader(out)
			msg, err := cmd.CombinedOutput()
			if err != nil || len(msg) > 0 {
				t.Errorf("dot: %v\n%s", err, msg)
			}
		})
	}
}

func TestGraphErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"bad format", []string{"-o", "png"}, `output format "png"`},
		{"positional", []string{"extra"}, "graph takes no arguments"},
		{"bad seed", []string{"--seed", "-1"}, `invalid value "-1" for flag -seed`},
		{"bad service cidr", []string{"--service-cidr", "10.96.0.0"}, "--service-cidr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := kubesimRun(append([]string{"graph"}, tt.args...)...)
			if code != 1 || out != "" || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errOut, tt.stderr)
			}
		})
	}
}

func TestEndpointState(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		c    api.EndpointConditions
		want string
	}{
		{api.EndpointConditions{}, ""},
		{api.EndpointConditions{Ready: &yes}, ""},
		{api.EndpointConditions{Ready: &no}, "not ready"},
		{api.EndpointConditions{Ready: &no, Serving: &yes, Terminating: &yes}, "terminating, serving"},
		{api.EndpointConditions{Ready: &no, Serving: &no, Terminating: &yes}, "terminating"},
		{api.EndpointConditions{Terminating: &no}, ""},
	}
	for _, tt := range tests {
		if got := endpointState(tt.c); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestGraphIDs checks that ids stay unique and valid where Kubernetes names
// differ only in characters the ids cannot hold.
func TestGraphIDs(t *testing.T) {
	g := &graph{ids: map[string]bool{}}
	valid := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
	seen := map[string]bool{}
	for _, parts := range [][]string{
		{"pod", "default", "a-b"}, {"pod", "default", "a.b"}, {"pod", "default", "a_b"},
		{"pod", "a", "b-c"}, {"pod", "a-b", "c"}, {"ext", "2606:50c0:8000::154"}, {"ext", "ünï"},
	} {
		id := g.id(parts...)
		if !valid.MatchString(id) || seen[id] {
			t.Errorf("%v: id %q invalid or repeated", parts, id)
		}
		seen[id] = true
	}
}
