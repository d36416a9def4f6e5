package sim_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// refEvent is an event as the reference queue sees it.
type refEvent struct {
	at  time.Duration // since the start
	seq uint64        // scheduling order
	id  uint64        // the event's arg
}

// refQueue is the naive reference for the loop's ordering: the pending
// events in a slice, the next one found by a linear scan for the smallest
// (time, scheduling order), and a clock that only moves forwards.
type refQueue struct {
	now time.Duration
	seq uint64
	evs []refEvent
}

func (r *refQueue) push(at time.Duration, id uint64) {
	r.seq++
	r.evs = append(r.evs, refEvent{max(at, r.now), r.seq, id})
}

// first returns the index of the next event, or -1 if none is pending.
func (r *refQueue) first() int {
	best := -1
	for i, e := range r.evs {
		if best < 0 || e.at < r.evs[best].at || e.at == r.evs[best].at && e.seq < r.evs[best].seq {
			best = i
		}
	}
	return best
}

func (r *refQueue) pop() (refEvent, bool) {
	i := r.first()
	if i < 0 {
		return refEvent{}, false
	}
	e := r.evs[i]
	r.evs[i] = r.evs[len(r.evs)-1]
	r.evs = r.evs[:len(r.evs)-1]
	r.now = e.at
	return e, true
}

// satAdd is a+b for b >= 0, saturating at math.MaxInt64.
func satAdd(a, b time.Duration) time.Duration {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

// differ drives a Loop and a refQueue in lockstep with random operations.
// Every event the loop dispatches must be the one the reference pops next,
// at the same time; between operations the clocks, pending counts and next
// due times must agree and the queue's invariants must hold.
type differ struct {
	t      *testing.T
	name   string
	l      *sim.Loop
	ref    refQueue
	rng    *rand.Rand
	nextID uint64
	budget int   // events still allowed to be scheduled
	depth  int   // nesting of run calls
	fires  []int // events dispatched per nesting depth
	// Per-case weights of the delay shapes, so that some cases are all
	// ties and others spread over every magnitude.
	weights [len(delayShapes)]int
	total   int
}

var delayShapes = [...]func(r *rand.Rand) time.Duration{
	func(r *rand.Rand) time.Duration { return 0 },
	func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(4)) },                         // ties
	func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(1000)) },                      // near
	func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(time.Millisecond))) }, // the benchmarks' spread
	func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(1 << r.IntN(63))) },         // every magnitude
	func(r *rand.Rand) time.Duration { // digit and power-of-two boundaries
		return time.Duration(1)<<r.IntN(63) + time.Duration(r.IntN(3)-1)
	},
	func(r *rand.Rand) time.Duration { return -time.Duration(r.Int64N(math.MaxInt64)) }, // the past: now
	func(r *rand.Rand) time.Duration { // far future, saturating
		return []time.Duration{math.MaxInt64, math.MaxInt64 - 1, 1 << 62, 100 * 365 * 24 * time.Hour}[r.IntN(4)]
	},
}

func (d *differ) delay() time.Duration {
	x := d.rng.IntN(d.total)
	for i, w := range d.weights {
		if x < w {
			return delayShapes[i](d.rng)
		}
		x -= w
	}
	panic("unreachable")
}

func (d *differ) fatalf(format string, args ...any) {
	d.t.Helper()
	d.t.Fatalf("%s: %s", d.name, fmt.Sprintf(format, args...))
}

// schedule schedules one event on both queues, by Schedule or At.
func (d *differ) schedule() {
	if d.budget == 0 {
		return
	}
	d.budget--
	d.nextID++
	id := d.nextID
	dl := d.delay()
	if d.rng.IntN(4) == 0 {
		// At, including times before the start and beyond what a
		// Duration from the start can hold.
		var at time.Time
		switch d.rng.IntN(6) {
		case 0:
			at = time.Time{}
		case 1:
			at = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		default:
			at = d.l.Now().Add(dl)
		}
		d.l.At(at, d, id)
		d.ref.push(at.Sub(epoch), id)
		return
	}
	d.l.Schedule(dl, d, id)
	d.ref.push(satAdd(d.ref.now, max(dl, 0)), id)
}

// Fire checks that the event is the reference's next and reacts at random:
// scheduling more events, among them ties with this instant, and now and
// then running the loop from inside the handler.
func (d *differ) Fire(id uint64) {
	d.fires[d.depth]++
	want, ok := d.ref.pop()
	if !ok {
		d.fatalf("dispatched event %d, but the reference has none pending", id)
	}
	if id != want.id || d.l.Since() != want.at {
		d.fatalf("dispatched event %d at %v, reference wants event %d at %v", id, d.l.Since(), want.id, want.at)
	}
	for range d.rng.IntN(4) {
		d.schedule()
	}
	if d.depth < 3 && d.rng.IntN(50) == 0 {
		d.op()
	}
}

// window returns a run length: often short, sometimes negative or huge.
func (d *differ) window() time.Duration {
	switch d.rng.IntN(8) {
	case 0:
		return -time.Duration(d.rng.IntN(10))
	case 1:
		return 0
	case 2:
		return d.delay()
	case 3:
		if d.rng.IntN(20) == 0 {
			return math.MaxInt64
		}
	}
	return time.Duration(d.rng.Int64N(1 << d.rng.IntN(40)))
}

// run calls f as a run method at the next depth and returns how many events
// it dispatched itself.
func (d *differ) run(f func() int) (ret, fired int) {
	d.depth++
	if len(d.fires) == d.depth {
		d.fires = append(d.fires, 0)
	}
	before := d.fires[d.depth]
	ret = f()
	fired = d.fires[d.depth] - before
	d.depth--
	return ret, fired
}

// runTo checks a RunFor or RunUntil to end that returned n.
func (d *differ) ranTo(end time.Duration, n, fired int) {
	if n != fired {
		d.fatalf("run to %v returned %d, dispatched %d", end, n, fired)
	}
	if i := d.ref.first(); i >= 0 && d.ref.evs[i].at <= end {
		d.fatalf("run to %v stopped with event %d due at %v", end, d.ref.evs[i].id, d.ref.evs[i].at)
	}
	d.ref.now = max(d.ref.now, end)
}

// op performs one random operation on the loop.
func (d *differ) op() {
	switch d.rng.IntN(8) {
	case 0, 1:
		for range 1 + d.rng.IntN(20) {
			d.schedule()
		}
	case 2:
		pending := len(d.ref.evs) > 0
		ok, fired := d.run(func() int {
			if d.l.Step() {
				return 1
			}
			return 0
		})
		if (ok == 1) != pending || fired != ok {
			d.fatalf("Step = %v with %d pending, dispatched %d", ok == 1, len(d.ref.evs), fired)
		}
	case 3, 4:
		w := d.window()
		end := satAdd(d.ref.now, w)
		n, fired := d.run(func() int { return d.l.RunFor(w) })
		if w >= 0 {
			d.ranTo(end, n, fired)
		} else if n != 0 || fired != 0 {
			d.fatalf("RunFor(%v) ran %d", w, n)
		}
	case 5, 6:
		// RunUntil, sometimes before now.
		w := d.window()
		if d.rng.IntN(4) == 0 {
			w = -w
		}
		t := d.l.Now().Add(w)
		end, now := t.Sub(epoch), d.ref.now
		n, fired := d.run(func() int { return d.l.RunUntil(t) })
		if end >= now {
			d.ranTo(end, n, fired)
		} else if n != 0 || fired != 0 {
			d.fatalf("RunUntil(%v) before now ran %d", end, n)
		}
	case 7:
		budget := 1 + d.rng.IntN(50)
		var err error
		n, fired := d.run(func() int {
			var n int
			n, err = d.l.RunUntilIdle(budget)
			return n
		})
		var le *sim.LivelockError
		switch {
		case n != fired:
			d.fatalf("RunUntilIdle returned %d, dispatched %d", n, fired)
		case err == nil && len(d.ref.evs) != 0:
			d.fatalf("RunUntilIdle returned with %d pending", len(d.ref.evs))
		case err != nil && (!errors.As(err, &le) || n != budget || le.Pending != len(d.ref.evs)):
			d.fatalf("RunUntilIdle(%d) = %d, %v with %d pending", budget, n, err, len(d.ref.evs))
		}
	}
}

// check compares the observable state with the reference.
func (d *differ) check() {
	if got := d.l.Since(); got != d.ref.now {
		d.fatalf("Since = %v, reference %v", got, d.ref.now)
	}
	if got := d.l.Pending(); got != len(d.ref.evs) {
		d.fatalf("Pending = %d, reference %d", got, len(d.ref.evs))
	}
	at, ok := d.l.NextAt()
	if i := d.ref.first(); i < 0 {
		if ok {
			d.fatalf("NextAt = %v, reference has none pending", at)
		}
	} else if want := epoch.Add(d.ref.evs[i].at); !ok || !at.Equal(want) {
		d.fatalf("NextAt = %v, %v; reference %v", at, ok, want)
	}
	if err := sim.CheckQueue(d.l); err != nil {
		d.fatalf("queue: %v", err)
	}
	if !sim.VacatedSlotsClear(d.l) {
		d.fatalf("a vacant queue entry still holds a handler")
	}
}

// TestDifferential runs thousands of random schedules against the naive
// reference queue: ties, zero and negative delays, far-future and
// saturating times, events scheduled from handlers, and every run method,
// also called from inside handlers.
func TestDifferential(t *testing.T) {
	cases := 4000
	if testing.Short() {
		cases = 400
	} else if raceEnabled {
		// One goroutine: the race detector only slows this down.
		cases = 1000
	}
	for c := range cases {
		rng := rand.New(rand.NewPCG(uint64(c), 0x5eed))
		d := &differ{
			t:      t,
			name:   fmt.Sprintf("case %d", c),
			l:      sim.New(epoch, uint64(c)),
			rng:    rng,
			budget: 1 + rng.IntN(1<<(4+rng.IntN(8))), // up to 2048 events
			fires:  []int{0},
		}
		for i := range d.weights {
			if rng.IntN(3) > 0 {
				d.weights[i] = rng.IntN(10)
			}
		}
		d.weights[rng.IntN(len(d.weights))]++ // at least one shape
		for _, w := range d.weights {
			d.total += w
		}
		// Start away from zero sometimes, so that early due times do not
		// share their high digits with the clock.
		if rng.IntN(2) == 0 {
			d.l.RunFor(time.Duration(rng.Int64N(math.MaxInt64 / 2)))
			d.ref.now = d.l.Since()
		}
		for d.budget > 0 || len(d.ref.evs) > 0 {
			d.op()
			d.check()
			if d.budget == 0 && rng.IntN(10) == 0 {
				d.run(func() int { n, _ := d.l.RunUntilIdle(0); return n })
				d.check()
			}
		}
	}
}

// TestDeepQueueAllocs checks that a deep queue reaches a steady state
// without allocations even as the clock moves on to new buckets.
func TestDeepQueueAllocs(t *testing.T) {
	l := sim.New(epoch, 1)
	ds := delays(1 << 12)
	var h sim.Handler = nop{}
	batch := func() {
		for i := range 20_000 {
			l.Schedule(ds[i&(len(ds)-1)]*time.Duration(1+i%7), h, 0)
		}
		if n, err := l.RunUntilIdle(0); n != 20_000 || err != nil {
			t.Fatal(n, err)
		}
	}
	batch()
	if got := testing.AllocsPerRun(20, batch); got != 0 {
		t.Errorf("a batch of 20000 events allocated %v times, want 0", got)
	}
}
