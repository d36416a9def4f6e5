package sim_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// log is a Handler that records "elapsed:arg" for every event it receives.
type log struct {
	l   *sim.Loop
	got []string
}

func (r *log) Fire(arg uint64) {
	r.got = append(r.got, fmt.Sprintf("%v:%d", r.l.Since(), arg))
}

func (r *log) String() string { return strings.Join(r.got, " ") }

// funcs adapts a function to Handler so tests can react to the argument.
type funcs func(arg uint64)

func (f funcs) Fire(arg uint64) { f(arg) }

func TestOrdering(t *testing.T) {
	type sched struct {
		after time.Duration
		arg   uint64
	}
	tests := []struct {
		name  string
		sched []sched
		want  string
	}{
		{"empty", nil, ""},
		{"by time", []sched{{3, 3}, {1, 1}, {2, 2}}, "1ns:1 2ns:2 3ns:3"},
		{"ties FIFO", []sched{{5, 1}, {5, 2}, {5, 3}, {5, 4}}, "5ns:1 5ns:2 5ns:3 5ns:4"},
		{"ties FIFO interleaved", []sched{{2, 1}, {1, 2}, {2, 3}, {1, 4}, {0, 5}}, "0s:5 1ns:2 1ns:4 2ns:1 2ns:3"},
		{"negative is now", []sched{{1, 1}, {-time.Hour, 2}, {0, 3}}, "0s:2 0s:3 1ns:1"},
		{"saturates", []sched{{math.MaxInt64, 1}, {time.Hour, 2}}, "1h0m0s:2 2562047h47m16.854775807s:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sim.New(epoch, 1)
			r := &log{l: l}
			for _, s := range tt.sched {
				l.Schedule(s.after, r, s.arg)
			}
			if _, err := l.RunUntilIdle(0); err != nil {
				t.Fatal(err)
			}
			if got := r.String(); got != tt.want {
				t.Errorf("order = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAt(t *testing.T) {
	l := sim.New(epoch, 1)
	r := &log{l: l}
	l.RunFor(10 * time.Second)
	l.At(epoch.Add(12*time.Second), r, 1)
	l.At(epoch.Add(5*time.Second), r, 2) // in the past: runs now
	l.At(time.Time{}, r, 3)              // far in the past
	l.At(l.Now(), r, 4)
	if at, ok := l.NextAt(); !ok || !at.Equal(epoch.Add(10*time.Second)) {
		t.Fatalf("NextAt = %v, %v; want %v, true", at, ok, epoch.Add(10*time.Second))
	}
	l.RunUntilIdle(0)
	if got, want := r.String(), "10s:2 10s:3 10s:4 12s:1"; got != want {
		t.Errorf("order = %q, want %q", got, want)
	}
}

func TestStep(t *testing.T) {
	l := sim.New(epoch, 1)
	r := &log{l: l}
	if l.Step() {
		t.Fatal("Step on empty loop reported true")
	}
	if _, ok := l.NextAt(); ok {
		t.Fatal("NextAt on empty loop reported true")
	}
	l.Schedule(2*time.Second, r, 2)
	l.Schedule(time.Second, r, 1)
	for i, want := range []time.Duration{time.Second, 2 * time.Second} {
		if !l.Step() {
			t.Fatalf("Step %d reported false", i)
		}
		if got := l.Since(); got != want {
			t.Errorf("after Step %d, Since = %v, want %v", i, got, want)
		}
		if got := l.Now(); !got.Equal(epoch.Add(want)) {
			t.Errorf("after Step %d, Now = %v, want %v", i, got, epoch.Add(want))
		}
	}
	if l.Step() || l.Pending() != 0 {
		t.Errorf("Step after drain = true or Pending = %d", l.Pending())
	}
}

// TestRunWindows checks RunFor and RunUntil, including events that handlers
// schedule while the window is running.
func TestRunWindows(t *testing.T) {
	tests := []struct {
		name    string
		initial []time.Duration // one event per delay, arg = index
		// chain: when event with this arg fires, schedule a new one
		// (arg+100) this far ahead.
		chain       map[uint64]time.Duration
		run         func(l *sim.Loop) int
		wantRan     int
		wantOrder   string
		wantSince   time.Duration
		wantPending int
	}{
		{
			name:    "RunFor includes boundary",
			initial: []time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second},
			run:     func(l *sim.Loop) int { return l.RunFor(2 * time.Second) },
			wantRan: 2, wantOrder: "1s:0 2s:1", wantSince: 2 * time.Second, wantPending: 1,
		},
		{
			name:    "RunFor advances clock with no events",
			run:     func(l *sim.Loop) int { return l.RunFor(time.Minute) },
			wantRan: 0, wantSince: time.Minute,
		},
		{
			name:    "RunFor zero runs events due now",
			initial: []time.Duration{0, 0, 1},
			run:     func(l *sim.Loop) int { return l.RunFor(0) },
			wantRan: 2, wantOrder: "0s:0 0s:1", wantSince: 0, wantPending: 1,
		},
		{
			name:    "RunFor negative does nothing",
			initial: []time.Duration{0},
			run:     func(l *sim.Loop) int { return l.RunFor(-time.Second) },
			wantRan: 0, wantSince: 0, wantPending: 1,
		},
		{
			name:    "scheduled inside window runs",
			initial: []time.Duration{1 * time.Second},
			chain:   map[uint64]time.Duration{0: time.Second, 100: 0},
			run:     func(l *sim.Loop) int { return l.RunFor(3 * time.Second) },
			wantRan: 3, wantOrder: "1s:0 2s:100 2s:200", wantSince: 3 * time.Second,
		},
		{
			name:    "scheduled outside window waits",
			initial: []time.Duration{1 * time.Second},
			chain:   map[uint64]time.Duration{0: 5 * time.Second},
			run:     func(l *sim.Loop) int { return l.RunFor(3 * time.Second) },
			wantRan: 1, wantOrder: "1s:0", wantSince: 3 * time.Second, wantPending: 1,
		},
		{
			name:    "RunUntil",
			initial: []time.Duration{1 * time.Second, 4 * time.Second},
			run:     func(l *sim.Loop) int { return l.RunUntil(epoch.Add(3 * time.Second)) },
			wantRan: 1, wantOrder: "1s:0", wantSince: 3 * time.Second, wantPending: 1,
		},
		{
			name:    "RunUntil past does nothing",
			initial: []time.Duration{0},
			run: func(l *sim.Loop) int {
				l.RunFor(0)
				l.Schedule(0, funcs(func(uint64) {}), 0)
				return l.RunUntil(epoch.Add(-time.Second))
			},
			wantRan: 0, wantOrder: "0s:0", wantSince: 0, wantPending: 1,
		},
		{
			name:    "RunUntilIdle",
			initial: []time.Duration{time.Hour, time.Second},
			chain:   map[uint64]time.Duration{1: 2 * time.Hour},
			run: func(l *sim.Loop) int {
				n, err := l.RunUntilIdle(0)
				if err != nil {
					panic(err)
				}
				return n
			},
			wantRan: 3, wantOrder: "1s:1 1h0m0s:0 2h0m1s:101", wantSince: 2*time.Hour + time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := sim.New(epoch, 1)
			r := &log{l: l}
			var h sim.Handler
			h = funcs(func(arg uint64) {
				r.Fire(arg)
				if d, ok := tt.chain[arg]; ok {
					l.Schedule(d, h, arg+100)
				}
			})
			for i, d := range tt.initial {
				l.Schedule(d, h, uint64(i))
			}
			ran := tt.run(l)
			if ran != tt.wantRan {
				t.Errorf("ran %d events, want %d", ran, tt.wantRan)
			}
			if got := r.String(); got != tt.wantOrder {
				t.Errorf("order = %q, want %q", got, tt.wantOrder)
			}
			if got := l.Since(); got != tt.wantSince {
				t.Errorf("Since = %v, want %v", got, tt.wantSince)
			}
			if got := l.Pending(); got != tt.wantPending {
				t.Errorf("Pending = %d, want %d", got, tt.wantPending)
			}
		})
	}
}

// TestAgainstReference drives the loop with random schedules, including ones
// made from handlers, and compares the firing order with a plain sort by
// (time, scheduling order). It also checks that the clock never goes back.
func TestAgainstReference(t *testing.T) {
	for seed := range uint64(20) {
		l := sim.New(epoch, seed)
		rng := l.Rand("test")
		type ev struct {
			at  time.Duration
			seq uint64
		}
		var scheduled, fired []ev
		var seq uint64
		last := time.Duration(-1)
		var h sim.Handler
		schedule := func() {
			d := time.Duration(rng.IntN(50)) - 5 // some negative, many ties
			seq++
			scheduled = append(scheduled, ev{l.Since() + max(d, 0), seq})
			l.Schedule(d, h, seq)
		}
		h = funcs(func(arg uint64) {
			now := l.Since()
			if now < last {
				t.Fatalf("seed %d: clock went back from %v to %v", seed, last, now)
			}
			last = now
			fired = append(fired, ev{now, arg})
			if len(scheduled) < 5000 {
				for range rng.IntN(3) {
					schedule()
				}
			}
		})
		for range 100 {
			schedule()
		}
		for l.Pending() > 0 {
			switch rng.IntN(3) {
			case 0:
				l.Step()
			case 1:
				l.RunFor(time.Duration(rng.IntN(20)))
			case 2:
				l.RunUntil(l.Now().Add(time.Duration(rng.IntN(20) - 5)))
			}
			if l.Since() < last {
				t.Fatalf("seed %d: clock went back from %v to %v", seed, last, l.Since())
			}
			last = l.Since()
			if !sim.VacatedSlotsClear(l) {
				t.Fatalf("seed %d: popped slot still holds a handler", seed)
			}
		}
		want := slices.Clone(scheduled)
		slices.SortFunc(want, func(a, b ev) int {
			if a.at != b.at {
				return int(a.at - b.at)
			}
			return int(a.seq) - int(b.seq)
		})
		if !slices.Equal(fired, want) {
			t.Fatalf("seed %d: fired %d events in a different order from the reference (%d)", seed, len(fired), len(want))
		}
	}
}

// rearm reschedules itself twice per firing, at +0 and +1ns, so the queue
// never drains.
type rearm struct{ l *sim.Loop }

func (r *rearm) Fire(uint64) {
	r.l.Schedule(0, r, 0)
	r.l.Schedule(time.Nanosecond, r, 0)
}

func TestLivelock(t *testing.T) {
	l := sim.New(epoch, 1)
	l.Schedule(time.Hour, &rearm{l}, 0)
	n, err := l.RunUntilIdle(1000)
	var le *sim.LivelockError
	if !errors.As(err, &le) {
		t.Fatalf("RunUntilIdle error = %v, want *LivelockError", err)
	}
	if n != 1000 || le.Events != 1000 || le.Pending != l.Pending() || le.Pending != 1001 || le.At != l.Since() {
		t.Errorf("n = %d, err = %+v, Pending = %d, Since = %v", n, le, l.Pending(), l.Since())
	}
	// The +0 copy always re-arms at the same instant, so time stands still.
	if want := "sim: livelock: 1000 events run without going idle (at +1h0m0s, 1001 pending)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestLivelockDefaultBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ten million events")
	}
	l := sim.New(epoch, 1)
	var h sim.Handler
	h = funcs(func(uint64) { l.Schedule(time.Millisecond, h, 0) })
	l.Schedule(0, h, 0)
	n, err := l.RunUntilIdle(0)
	var le *sim.LivelockError
	if !errors.As(err, &le) || n != sim.DefaultMaxEvents {
		t.Fatalf("RunUntilIdle(0) = %d, %v; want %d, *LivelockError", n, err, sim.DefaultMaxEvents)
	}
	want := "sim: livelock: 10000000 events run without going idle (at +2h46m39.999s, 1 pending)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestIdleAtBudgetIsNotLivelock(t *testing.T) {
	l := sim.New(epoch, 1)
	r := &log{l: l}
	for i := range 5 {
		l.Schedule(0, r, uint64(i))
	}
	if n, err := l.RunUntilIdle(5); n != 5 || err != nil {
		t.Errorf("RunUntilIdle(5) = %d, %v; want 5, nil", n, err)
	}
}

func TestAfter(t *testing.T) {
	l := sim.New(epoch, 1)
	var got []time.Duration
	l.After(time.Second, func() { got = append(got, l.Since()) })
	l.After(-time.Second, func() { got = append(got, l.Since()) })
	l.RunUntilIdle(0)
	if want := []time.Duration{0, time.Second}; !slices.Equal(got, want) {
		t.Errorf("After fired at %v, want %v", got, want)
	}
}

func TestNilPanics(t *testing.T) {
	l := sim.New(epoch, 1)
	for name, f := range map[string]func(){
		"Schedule": func() { l.Schedule(0, nil, 0) },
		"At":       func() { l.At(epoch, nil, 0) },
		"After":    func() { l.After(0, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with nil did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestNewStripsMonotonic(t *testing.T) {
	start := time.Now() // carries a monotonic reading
	l := sim.New(start, 1)
	if got := l.Start().String(); strings.Contains(got, "m=") {
		t.Errorf("Start() = %s still has a monotonic reading", got)
	}
	if l.Seed() != 1 {
		t.Errorf("Seed() = %d, want 1", l.Seed())
	}
}

func draws(l *sim.Loop, name string, n int) []uint64 {
	r := l.Rand(name)
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func TestRand(t *testing.T) {
	a := sim.New(epoch, 7)
	b := sim.New(epoch, 7)
	// b creates streams in another order, with an extra one, and draws from
	// the others in between; none of that may affect "kubelet".
	draws(b, "scheduler", 3)
	draws(b, "extra", 10)
	want := draws(a, "kubelet", 8)
	draws(a, "scheduler", 3)
	if got := draws(b, "kubelet", 8); !slices.Equal(got, want) {
		t.Errorf("kubelet stream depends on other streams:\n got %v\nwant %v", got, want)
	}
	if a.Rand("kubelet") != a.Rand("kubelet") {
		t.Error("Rand returned different instances for the same name")
	}
	// Continuing the stream, not restarting it.
	if slices.Equal(draws(a, "kubelet", 8), want) {
		t.Error("second Rand call restarted the stream")
	}
	if slices.Equal(draws(sim.New(epoch, 7), "proxy", 8), want) {
		t.Error("different names gave the same stream")
	}
	if slices.Equal(draws(sim.New(epoch, 8), "kubelet", 8), want) {
		t.Error("different seeds gave the same stream")
	}
}

type nop struct{}

func (nop) Fire(uint64) {}

func TestScheduleStepAllocs(t *testing.T) {
	l := sim.New(epoch, 1)
	var h sim.Handler = nop{}
	for range 64 {
		l.Schedule(time.Second, h, 0)
	}
	got := testing.AllocsPerRun(1000, func() {
		l.Schedule(time.Millisecond, h, 1)
		l.At(l.Now().Add(time.Millisecond), h, 2)
		l.Step()
		l.Step()
	})
	if got != 0 {
		t.Errorf("Schedule+At+Step allocated %v times per run, want 0", got)
	}
}

func TestZeroLoop(t *testing.T) {
	var l sim.Loop
	r := &log{l: &l}
	l.Schedule(time.Second, r, 1)
	l.Record("c", "o", "x")
	if n, err := l.RunUntilIdle(0); n != 1 || err != nil || !l.Now().Equal(time.Time{}.Add(time.Second)) {
		t.Errorf("zero Loop: RunUntilIdle = %d, %v; Now = %v", n, err, l.Now())
	}
	if l.Rand("x") == nil || l.Trace().Len() != 1 {
		t.Error("zero Loop: Rand or Trace unusable")
	}
}

func TestSaveRestoreRand(t *testing.T) {
	l := sim.New(time.Time{}, 5)
	r := l.Rand("a")
	r.Uint64()
	st := l.SaveRand("a", "b")
	want := []uint64{r.Uint64(), r.Uint64(), l.Rand("b").Uint64()}
	l.RestoreRand(st)
	got := []uint64{r.Uint64(), r.Uint64(), l.Rand("b").Uint64()}
	if !slices.Equal(got, want) {
		t.Fatalf("after RestoreRand draws = %v, want %v", got, want)
	}
}
