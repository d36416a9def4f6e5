package sim_test

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

func TestEntryString(t *testing.T) {
	tests := []struct {
		e    sim.Entry
		want string
	}{
		{sim.Entry{1500 * time.Millisecond, "kubelet", "pod/default/web-1", "phase=Running"}, "+1.500s kubelet pod/default/web-1: phase=Running"},
		{sim.Entry{0, "scheduler", "pod/a", "bound"}, "+0.000s scheduler pod/a: bound"},
		{sim.Entry{999_999 * time.Nanosecond, "c", "o", "x"}, "+0.000s c o: x"},
		{sim.Entry{time.Millisecond, "c", "o", "x"}, "+0.001s c o: x"},
		{sim.Entry{10*time.Second + 20*time.Millisecond, "c", "o", "x"}, "+10.020s c o: x"},
		{sim.Entry{3*time.Hour + 7*time.Millisecond, "c", "o", "x"}, "+10800.007s c o: x"},
		{sim.Entry{time.Second, "controller", "", "started"}, "+1.000s controller: started"},
		{sim.Entry{time.Second, "", "", ""}, "+1.000s : "},
		{sim.Entry{-1500 * time.Millisecond, "c", "o", "x"}, "-1.500s c o: x"},
		{sim.Entry{math.MaxInt64, "c", "o", "x"}, "+9223372036.854s c o: x"},
		{sim.Entry{math.MinInt64, "c", "o", "x"}, "-9223372036.854s c o: x"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

func TestTraceText(t *testing.T) {
	var tr sim.Trace // the zero value is ready and keeps entries
	tr.Record(0, "apiserver", "svc/default/web", "created")
	tr.Record(2*time.Second+5*time.Millisecond, "endpoints", "svc/default/web", "ready=2")
	want := "+0.000s apiserver svc/default/web: created\n" +
		"+2.005s endpoints svc/default/web: ready=2\n"
	if got := tr.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	var sb strings.Builder
	if n, err := tr.WriteTo(&sb); err != nil || n != int64(len(want)) || sb.String() != want {
		t.Errorf("WriteTo = %d, %v, %q; want %d, nil, %q", n, err, sb.String(), len(want), want)
	}
	h := fnv.New64a()
	h.Write([]byte(want))
	if got, want := tr.Hash(), fmt.Sprintf("%016x", h.Sum64()); got != want {
		t.Errorf("Hash() = %s, want FNV-1a of the text %s", got, want)
	}
	if got := tr.Entries(); len(got) != 2 || got[1].Change != "ready=2" {
		t.Errorf("Entries() = %v", got)
	}
	tr.Entries()[0].Change = "mutated"
	if tr.Entries()[0].Change != "created" {
		t.Error("Entries() exposes the trace's own storage")
	}
}

func TestTraceEmpty(t *testing.T) {
	var tr sim.Trace
	if tr.Len() != 0 || tr.String() != "" || len(tr.Entries()) != 0 {
		t.Errorf("empty trace: Len %d, String %q, Entries %v", tr.Len(), tr.String(), tr.Entries())
	}
	if got, want := tr.Hash(), "cbf29ce484222325"; got != want {
		t.Errorf("empty Hash() = %s, want the FNV-1a offset basis %s", got, want)
	}
}

// failWriter accepts limit bytes and then fails.
type failWriter struct{ limit int }

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errors.New("disk full")
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestTraceWriteToLarge(t *testing.T) {
	var tr sim.Trace
	for i := range 5000 {
		tr.Record(time.Duration(i)*time.Millisecond, "c", fmt.Sprintf("obj/%d", i), "x")
	}
	var sb strings.Builder
	n, err := tr.WriteTo(&sb)
	if err != nil || n != int64(sb.Len()) || strings.Count(sb.String(), "\n") != 5000 {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes, %d lines", n, err, sb.Len(), strings.Count(sb.String(), "\n"))
	}
	n, err = tr.WriteTo(&failWriter{limit: 40000})
	if err == nil || n != 40000 {
		t.Errorf("WriteTo to failing writer = %d, %v; want 40000, error", n, err)
	}
}

// pod is a toy component for a pseudo-scenario: it flips between phases at
// random intervals drawn from the kubelet's stream.
type pod struct {
	l     *sim.Loop
	name  string
	phase int
}

var phases = []string{"Pending", "Running", "Failed"}

func (p *pod) Fire(uint64) {
	rng := p.l.Rand("kubelet")
	p.phase = rng.IntN(len(phases))
	p.l.Record("kubelet", p.name, "phase="+phases[p.phase])
	p.l.Schedule(time.Duration(rng.Int64N(int64(5*time.Second))), p, 0)
}

func scenario(seed uint64, keep bool) *sim.Loop {
	l := sim.New(epoch, seed)
	l.Trace().SetKeep(keep)
	for i := range 5 {
		p := &pod{l: l, name: fmt.Sprintf("pod/default/web-%d", i)}
		l.Schedule(time.Duration(l.Rand("scheduler").IntN(1000))*time.Millisecond, p, 0)
	}
	l.RunFor(time.Minute)
	return l
}

func TestTraceHashDeterministic(t *testing.T) {
	first := scenario(42, true)
	tr := first.Trace()
	if tr.Len() < 50 {
		t.Fatalf("scenario recorded only %d entries", tr.Len())
	}
	for i := range 100 {
		l := scenario(42, true)
		if got := l.Trace(); got.Hash() != tr.Hash() || got.String() != tr.String() {
			t.Fatalf("run %d: hash %s, want %s", i, got.Hash(), tr.Hash())
		}
	}
	if other := scenario(43, true).Trace().Hash(); other == tr.Hash() {
		t.Errorf("seeds 42 and 43 gave the same hash %s", other)
	}
	discarded := scenario(42, false).Trace()
	if discarded.Hash() != tr.Hash() || discarded.Len() != tr.Len() {
		t.Errorf("SetKeep(false): hash %s, len %d; want %s, %d", discarded.Hash(), discarded.Len(), tr.Hash(), tr.Len())
	}
	if n := len(discarded.Entries()); n != 0 || discarded.String() != "" {
		t.Errorf("SetKeep(false) kept %d entries", n)
	}
}

func TestSetKeepKeepsEarlierEntries(t *testing.T) {
	var tr sim.Trace
	tr.Record(0, "c", "o", "kept")
	tr.SetKeep(false)
	tr.Record(1, "c", "o", "dropped")
	tr.SetKeep(true)
	tr.Record(2, "c", "o", "kept again")
	if got, want := tr.String(), "+0.000s c o: kept\n+0.000s c o: kept again\n"; got != want || tr.Len() != 3 {
		t.Errorf("String() = %q, Len %d; want %q, 3", got, tr.Len(), want)
	}
}

func TestRecordAllocs(t *testing.T) {
	l := sim.New(epoch, 1)
	l.Trace().SetKeep(false)
	l.Record("warm", "up", "buffer")
	got := testing.AllocsPerRun(1000, func() {
		l.Record("kubelet", "pod/default/web-1", "phase=Running")
	})
	if got != 0 {
		t.Errorf("Record without keeping allocated %v times, want 0", got)
	}
}
