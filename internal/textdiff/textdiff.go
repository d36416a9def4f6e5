// Package textdiff holds what the project's golden-file tests share: a line
// diff that points at the first lines where a transcript, table or rule dump
// moved away from its golden file or from another run, and the golden check
// with its -update rewrite.
package textdiff

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxShown bounds the report: the first differences are where to look.
const maxShown = 10

// Lines shows the first lines where want and got differ, with line numbers
// and quoted text so that spaces and tabs are visible.
func Lines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < maxShown; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n   got %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

// Golden compares got with the golden file at path, or, when update is set
// (each package's -update flag), rewrites the file with got. A mismatch fails
// the test with the first differing lines.
func Golden(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff if the change is intended):\n%s", path, Lines(string(want), got))
	}
}
