package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreStopClosesTheWindow checks the example's point for several seeds:
// without a preStop hook some requests reach pods already gone or told to
// stop; with a 5s preStop sleep the same requests still reach terminating
// pods (the propagation window is unchanged) but none fails.
func TestPreStopClosesTheWindow(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		without, err := simulate(seed, 0)
		if err != nil {
			t.Fatal(err)
		}
		with, err := simulate(seed, 5)
		if err != nil {
			t.Fatal(err)
		}
		if without.Failed() == 0 {
			t.Errorf("seed %d: no failed request without preStop: the window is not visible; tune the latencies", seed)
		}
		if with.Failed() != 0 || with.Failed() >= without.Failed() {
			t.Errorf("seed %d: %d failed with preStop, %d without; want 0 with", seed, with.Failed(), without.Failed())
		}
		if with.Late() == 0 {
			t.Errorf("seed %d: no request reached a terminating pod with preStop: the window should be there still", seed)
		}
		for _, r := range []*result{without, with} {
			if r.total(r.sent) != len(nodes)*int(runFor/interval) {
				t.Errorf("seed %d, %s: %d requests sent, want %d", seed, r.title(), r.total(r.sent), len(nodes)*int(runFor/interval))
			}
			// The window closes: the last seconds are clean.
			for i := range r.nodes {
				if tail := r.late[i][r.slots()-2:]; tail[0] != 0 || tail[1] != 0 {
					t.Errorf("seed %d, %s, %s: late requests in the last two seconds: %v", seed, r.title(), r.nodes[i], r.late[i])
				}
			}
		}
	}
}

// TestRunDeterministic runs the program twice with one seed: same text,
// same chart; and the chart is well-formed XML with one line per node and
// series in each panel.
func TestRunDeterministic(t *testing.T) {
	dir := t.TempDir()
	var outs [2]string
	var svgs [2][]byte
	for i := range outs {
		var b bytes.Buffer
		path := filepath.Join(dir, "chart.svg")
		if err := run(&b, path, 7); err != nil {
			t.Fatal(err)
		}
		outs[i] = strings.ReplaceAll(b.String(), path, "CHART")
		var err error
		if svgs[i], err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if outs[0] != outs[1] || !bytes.Equal(svgs[0], svgs[1]) {
		t.Error("two runs with the same seed differ")
	}
	for _, want := range []string{"without preStop", "with preStop sleep 5s", "node-a", "chart written to CHART"} {
		if !strings.Contains(outs[0], want) {
			t.Errorf("output lacks %q:\n%s", want, outs[0])
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(svgs[0]))
	polylines := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "polyline" {
			polylines++
		}
	}
	if want := 2 * len(nodes) * 2; polylines != want {
		t.Errorf("%d polylines, want %d (2 panels x %d nodes x 2 series)", polylines, want, len(nodes))
	}
}

// TestRunBadPath reports an unwritable chart path instead of panicking.
func TestRunBadPath(t *testing.T) {
	err := run(io.Discard, filepath.Join(t.TempDir(), "no", "such", "dir", "x.svg"), 1)
	if err == nil {
		t.Error("no error for an unwritable path")
	}
}
