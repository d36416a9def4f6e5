package main

// Shared by the subcommands' tests: running the command in process, golden
// transcripts, and the tools the real-client tests need.

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubesim/kubesim/internal/textdiff"
)

// update rewrites the golden files in testdata instead of comparing with
// them; review the diff before committing.
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// ch03 is the chapter 3 lab's manifests, relative to this package.
const ch03 = "../../examples/ch03"

// lab returns the path of a file or directory of the ch03 lab.
func lab(p string) string { return filepath.Join(ch03, p) }

// kubesimRun runs the command line in process with an empty stdin and
// returns what it printed and its exit status.
func kubesimRun(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// transcript renders a run as a terminal would show it: the command line,
// stdout, stderr lines marked "! ", and the exit status when it is not 0.
func transcript(args []string, stdout, stderr string, code int) string {
	var b strings.Builder
	b.WriteString("$ kubesim " + strings.Join(args, " ") + "\n")
	b.WriteString(stdout)
	if stdout != "" && !strings.HasSuffix(stdout, "\n") {
		b.WriteString("%\n")
	}
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if l != "" {
			b.WriteString("! " + strings.TrimSuffix(l, "\n") + "\n")
		}
	}
	if code != 0 {
		fmt.Fprintf(&b, "[exit %d]\n", code)
	}
	return b.String()
}

// goldenCheck compares got with testdata/NAME.golden, or rewrites that file
// under -update.
func goldenCheck(t *testing.T, name, got string) {
	t.Helper()
	textdiff.Golden(t, filepath.Join("testdata", name+".golden"), got, *update)
}

// needTool returns the path of an external program. A test that cannot
// find it skips, saying how to install it, except under CI=true, where the
// tools are expected and a missing one fails the test.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		cannotRun(t, fmt.Sprintf("%s not installed: skipping (apt-get install -y %s)", name, pkg))
	}
	return p
}

// cannotRun skips a test that needs what this machine lacks, except under
// CI=true, where it fails.
func cannotRun(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true requires it)")
	}
	t.Skip(why)
}

// writeManifest writes a manifest into a temporary directory and returns
// its path.
func writeManifest(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
