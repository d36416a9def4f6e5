package kubectl

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kubesim/kubesim/api"
)

// newTable returns a tab writer with the settings of kubectl's get output
// (cli-runtime's GetNewTabWriter): cells padded by three spaces to the widest
// cell of their column, columns at least six wide.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 6, 4, 3, ' ', 0)
}

// table is one kind's rows, ready to print.
type table struct {
	headers []string
	rows    [][]string
}

// writeTable prints t through a fresh tab writer, so that each table of a
// multi-kind listing is aligned on its own, as kubectl's are.
func writeTable(w io.Writer, t *table, noHeaders bool) {
	tw := newTable(w)
	if !noHeaders {
		fmt.Fprintln(tw, strings.Join(t.headers, "\t"))
	}
	for _, row := range t.rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = cellText(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

// cellText cuts a cell at its first line break, which would otherwise break
// the table, as kubectl's table printer does.
func cellText(s string) string {
	if i := strings.IndexAny(s, "\f\n\r"); i >= 0 {
		return s[:i] + "..."
	}
	return strings.ReplaceAll(s, "\t", " ")
}

// humanDuration renders d as kubectl's AGE column does
// (apimachinery's duration.HumanDuration): two units while they are both
// informative, one after that, "<invalid>" for the future beyond a second of
// clock skew.
func humanDuration(d time.Duration) string {
	if seconds := int(d.Seconds()); seconds < -1 {
		return "<invalid>"
	} else if seconds < 0 {
		return "0s"
	} else if seconds < 60*2 {
		return fmt.Sprintf("%ds", seconds)
	}
	minutes := int(d / time.Minute)
	if minutes < 10 {
		if s := int(d/time.Second) % 60; s != 0 {
			return fmt.Sprintf("%dm%ds", minutes, s)
		}
		return fmt.Sprintf("%dm", minutes)
	} else if minutes < 60*3 {
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int(d / time.Hour)
	switch {
	case hours < 8:
		if m := int(d/time.Minute) % 60; m != 0 {
			return fmt.Sprintf("%dh%dm", hours, m)
		}
		return fmt.Sprintf("%dh", hours)
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 24*8:
		if h := hours % 24; h != 0 {
			return fmt.Sprintf("%dd%dh", hours/24, h)
		}
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*2:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 24*365*8:
		if dy := hours / 24 % 365; dy != 0 {
			return fmt.Sprintf("%dy%dd", hours/24/365, dy)
		}
		return fmt.Sprintf("%dy", hours/24/365)
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

// since renders the time from t to now as AGE does. The API serializes
// timestamps to the second, so kubectl sees them truncated; so does this.
func since(now time.Time, t api.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return humanDuration(now.Sub(t.Truncate(time.Second)))
}

// formatLabels renders labels as k=v pairs sorted by key, or <none>
// (apimachinery's labels.FormatLabels).
func formatLabels(m map[string]string) string {
	if len(m) == 0 {
		return "<none>"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

// joinMore joins up to max items with commas, then " + N more...", or
// returns empty for an empty list (kubectl's listWithMoreString and
// formatEndpoints share this shape).
func joinMore(items []string, max int) string {
	if len(items) > max {
		return strings.Join(items[:max], ",") + fmt.Sprintf(" + %d more...", len(items)-max)
	}
	return strings.Join(items, ",")
}
