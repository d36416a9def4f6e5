// Package textdiff holds the line diff the project's golden-file tests share:
// it points at the first lines where a transcript, table or rule dump moved
// away from its golden file or from another run.
package textdiff

import (
	"fmt"
	"strings"
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
