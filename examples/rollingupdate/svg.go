package main

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	panelW  = 600
	panelH  = 220
	marginL = 48
	marginR = 32
	marginT = 56
	marginB = 44
	gapY    = 40
	legendH = 48
)

// nodeColors tell the nodes apart; they are distinguishable in print and
// by most colour-blind readers (Okabe-Ito).
var nodeColors = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

// writeSVG draws one panel per run, stacked: x is virtual seconds since the
// update, y is requests per second; per node, a solid line counts the
// requests that reached a terminating or deleted pod and a dashed line
// those of them that failed. All panels share both scales so that they
// compare at a glance.
func writeSVG(out io.Writer, runs []*result) error {
	w := bufio.NewWriter(out)
	slots, top := 1, 1
	for _, r := range runs {
		slots = max(slots, r.slots())
		for _, m := range [][][]int{r.late, r.failed} {
			for _, row := range m {
				for _, v := range row {
					top = max(top, v)
				}
			}
		}
	}
	top = niceCeil(top)
	width := marginL + panelW + marginR
	height := legendH + len(runs)*(marginT+panelH+marginB) + (len(runs)-1)*gapY

	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(w, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)

	// Legend: one swatch per node, then the two line styles.
	x := marginL
	for i, n := range runs[0].nodes {
		col := nodeColors[i%len(nodeColors)]
		fmt.Fprintf(w, `<line x1="%d" y1="16" x2="%d" y2="16" stroke="%s" stroke-width="3"/>`, x, x+18, col)
		fmt.Fprintf(w, `<text x="%d" y="20">%s</text>`+"\n", x+22, html.EscapeString(n))
		x += 30 + 8*len(n)
	}
	x = marginL
	fmt.Fprintf(w, `<line x1="%d" y1="38" x2="%d" y2="38" stroke="black" stroke-width="4" stroke-opacity="0.35"/><text x="%d" y="42">reached a terminating or deleted pod</text>`+"\n", x, x+18, x+22)
	x += 270
	fmt.Fprintf(w, `<line x1="%d" y1="38" x2="%d" y2="38" stroke="black" stroke-width="2" stroke-dasharray="5 3"/><text x="%d" y="42">failed (the pod had SIGTERM or was gone)</text>`+"\n", x, x+18, x+22)

	for k, r := range runs {
		oy := legendH + k*(marginT+panelH+marginB+gapY)
		px, py := marginL, oy+marginT
		fmt.Fprintf(w, `<text x="%d" y="%d" font-size="14" font-weight="bold">%s: %d late, %d failed</text>`+"\n",
			px, oy+marginT-24, html.EscapeString(r.title()), r.Late(), r.Failed())
		// Axes and grid.
		for t := 0; t <= 4; t++ {
			v := top * t / 4
			y := py + panelH - panelH*v/top
			fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text x="%d" y="%d" text-anchor="end">%d</text>`+"\n",
				px, y, px+panelW, y, px-6, y+4, v)
		}
		step := max(1, slots/10)
		for s := 0; s <= slots; s += step {
			xx := px + panelW*s/slots
			fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/><text x="%d" y="%d" text-anchor="middle">%ds</text>`+"\n",
				xx, py+panelH, xx, py+panelH+4, xx, py+panelH+18, s)
		}
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", px, py+panelH, px+panelW, py+panelH)
		fmt.Fprintf(w, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", px, py, px, py+panelH)
		fmt.Fprintf(w, `<text x="%d" y="%d" text-anchor="middle">seconds since the update (requests per second per node)</text>`+"\n", px+panelW/2, py+panelH+36)
		// Lines: each slot's count is plotted at the slot's middle.
		for i := range r.nodes {
			col := nodeColors[i%len(nodeColors)]
			// Late is wide and faint, failed narrow and dashed on top,
			// so that both show where they coincide.
			for _, series := range []struct {
				data  [][]int
				style string
			}{{r.late, `stroke-width="4" stroke-opacity="0.35"`}, {r.failed, `stroke-width="2" stroke-dasharray="5 3"`}} {
				var pts []string
				for s, v := range series.data[i] {
					xx := float64(px) + float64(panelW)*(float64(s)+0.5)/float64(slots)
					yy := float64(py+panelH) - float64(panelH*v)/float64(top)
					pts = append(pts, fmt.Sprintf("%.1f,%.1f", xx, yy))
				}
				fmt.Fprintf(w, `<polyline fill="none" stroke="%s" %s points="%s"/>`+"\n", col, series.style, strings.Join(pts, " "))
			}
		}
	}
	fmt.Fprintln(w, "</svg>")
	return w.Flush()
}

// niceCeil rounds an axis maximum up to 1, 2 or 5 times a power of ten, so
// that the quarter grid lines fall on round numbers where they can.
func niceCeil(v int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 4, 5, 8, 10} {
			if m*p >= v {
				return m * p
			}
		}
	}
}
