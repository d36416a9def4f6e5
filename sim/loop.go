package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// DefaultMaxEvents is the event budget [Loop.RunUntilIdle] uses when it is
// given a budget of zero or less.
const DefaultMaxEvents = 10_000_000

// Handler is the allocation-free way to schedule work. A Handler is a
// long-lived value, typically a pointer to a component, whose Fire method
// runs when an event it was scheduled with falls due; arg is the value passed
// at scheduling time.
//
// Fire may schedule further events, including at the current instant; they
// run after every event already due at that instant.
type Handler interface {
	Fire(arg uint64)
}

// funcHandler adapts a closure to Handler. A func value is a single pointer,
// so storing it in the interface does not allocate.
type funcHandler func()

func (f funcHandler) Fire(uint64) { f() }

// Loop is a deterministic event loop with a virtual clock. Events run in
// order of due time, and events due at the same instant in the order they
// were scheduled.
//
// The zero value is a Loop starting at the zero time with seed 0. A Loop is
// not safe for concurrent use; callers serialise access.
type Loop struct {
	start time.Time
	now   uint64 // nanoseconds since start, at most math.MaxInt64; never decreases
	q     queue
	seed  uint64
	rands map[string]*rand.Rand // lookup only; never iterated
	pcgs  map[string]*rand.PCG  // the generators behind rands, for SaveRand
	trace Trace
}

// New returns a Loop whose clock reads start and whose random streams derive
// from seed.
func New(start time.Time, seed uint64) *Loop {
	// A start from time.Now carries a monotonic reading, which Now would
	// inherit and print as "m=+0.000012", different on every run.
	return &Loop{start: start.Round(0), seed: seed}
}

// Start returns the time the clock started at.
func (l *Loop) Start() time.Time { return l.start }

// Now returns the current virtual time.
func (l *Loop) Now() time.Time { return l.start.Add(time.Duration(l.now)) }

// Since returns the virtual time elapsed since the start.
func (l *Loop) Since() time.Duration { return time.Duration(l.now) }

// Seed returns the seed the Loop was created with.
func (l *Loop) Seed() uint64 { return l.seed }

// Schedule arranges for h.Fire(arg) to run after the given virtual delay.
// A negative delay is treated as zero. Schedule does not allocate once the
// queue has grown to its working size. It panics if h is nil.
func (l *Loop) Schedule(after time.Duration, h Handler, arg uint64) {
	l.push(addSat(l.now, uint64(max(after, 0))), h, arg)
}

// At arranges for h.Fire(arg) to run at the given virtual time. A time
// before Now is treated as Now. It panics if h is nil.
func (l *Loop) At(at time.Time, h Handler, arg uint64) {
	// time.Time.Sub saturates, so far-future times stay far in the future.
	l.push(uint64(max(int64(at.Sub(l.start)), int64(l.now))), h, arg)
}

// After arranges for fn to run after the given virtual delay; a negative
// delay is treated as zero. It is a convenience over [Loop.Schedule] for code
// off the hot path: the closure usually allocates. It panics if fn is nil.
func (l *Loop) After(after time.Duration, fn func()) {
	if fn == nil {
		panic("sim: After with nil func")
	}
	l.Schedule(after, funcHandler(fn), 0)
}

func (l *Loop) push(at uint64, h Handler, arg uint64) {
	if h == nil {
		panic("sim: nil Handler")
	}
	l.q.push(at, h, arg)
}

// Pending returns the number of scheduled events that have not run.
func (l *Loop) Pending() int { return l.q.len() }

// NextAt returns the due time of the earliest pending event, or false if
// none is pending.
func (l *Loop) NextAt() (time.Time, bool) {
	if l.q.len() == 0 {
		return time.Time{}, false
	}
	return l.start.Add(time.Duration(l.q.peek())), true
}

// Step runs the earliest pending event, first advancing the clock to its due
// time. It reports false, doing nothing, if no event is pending.
func (l *Loop) Step() bool {
	if l.q.len() == 0 {
		return false
	}
	l.step()
	return true
}

func (l *Loop) step() {
	at, h, arg := l.q.pop()
	l.now = at
	h.Fire(arg)
}

// RunFor runs every event due at or before Now()+d, in order, including
// events scheduled meanwhile that fall inside that window, and then sets the
// clock to Now()+d. It returns the number of events run. A negative d runs
// nothing and leaves the clock alone.
func (l *Loop) RunFor(d time.Duration) int {
	if d < 0 {
		return 0
	}
	return l.runUntil(addSat(l.now, uint64(d)))
}

// RunUntil runs every event due at or before t, in order, including events
// scheduled meanwhile that fall inside that window, and then sets the clock
// to t. It returns the number of events run. A t before Now runs nothing and
// leaves the clock alone, since the clock never moves backwards.
func (l *Loop) RunUntil(t time.Time) int {
	end := t.Sub(l.start)
	if end < l.Since() {
		return 0
	}
	return l.runUntil(uint64(end))
}

func (l *Loop) runUntil(end uint64) int {
	n := 0
	for l.q.len() > 0 && l.q.peek() <= end {
		l.step()
		n++
	}
	// A handler may itself have run the loop past end; keep the later time.
	l.now = max(l.now, end)
	return n
}

// RunUntilIdle runs events until none is pending and returns how many ran.
// A simulation that never goes idle (a timer that always re-arms, two
// components that keep poking each other) would spin forever, so after
// maxEvents events with work still pending it stops and returns a
// *[LivelockError]. A maxEvents of zero or less means [DefaultMaxEvents].
func (l *Loop) RunUntilIdle(maxEvents int) (int, error) {
	if maxEvents <= 0 {
		maxEvents = DefaultMaxEvents
	}
	n := 0
	for l.q.len() > 0 {
		if n == maxEvents {
			return n, &LivelockError{Events: n, At: l.Since(), Pending: l.q.len()}
		}
		l.step()
		n++
	}
	return n, nil
}

// Trace returns the Loop's event trace.
func (l *Loop) Trace() *Trace { return &l.trace }

// Record appends an entry to the Loop's trace at the current virtual time.
// See [Trace.Record].
func (l *Loop) Record(component, object, change string) {
	l.trace.Record(l.Since(), component, object, change)
}

// LivelockError is returned by [Loop.RunUntilIdle] when its event budget runs
// out before the queue empties.
type LivelockError struct {
	Events  int           // events run before giving up
	At      time.Duration // virtual time since start when it gave up
	Pending int           // events still pending
}

// Error describes the livelock, for example
// "sim: livelock: 10000000 events run without going idle (at +1h2m3s, 5 pending)".
func (e *LivelockError) Error() string {
	return fmt.Sprintf("sim: livelock: %d events run without going idle (at +%v, %d pending)",
		e.Events, e.At, e.Pending)
}

// addSat returns a+b for a, b <= math.MaxInt64, saturating at math.MaxInt64
// so that a huge delay means "never" rather than wrapping into the past, and
// so that every time stays representable as a time.Duration.
func addSat(a, b uint64) uint64 {
	return min(a+b, math.MaxInt64)
}
