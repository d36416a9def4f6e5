package textdiff

import "testing"

func TestLines(t *testing.T) {
	for _, tt := range []struct{ want, got, diff string }{
		{"a\nb", "a\nb", ""},
		{"a\nb", "a\nc", "line 2:\n  want \"b\"\n   got \"c\"\n"},
		{"a", "a\n\tx", "line 2:\n  want \"\"\n   got \"\\tx\"\n"},
	} {
		if d := Lines(tt.want, tt.got); d != tt.diff {
			t.Errorf("Lines(%q, %q) = %q, want %q", tt.want, tt.got, d, tt.diff)
		}
	}
}

func TestGoldenRewritesThenMatches(t *testing.T) {
	path := t.TempDir() + "/sub/x.golden"
	Golden(t, path, "a\nb\n", true)
	Golden(t, path, "a\nb\n", false)
}
