package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// delays returns a fixed table of pseudo-random delays in [1ns, 1ms) drawn
// from a loop's stream, so benchmarks measure the queue, not the PRNG.
func delays(n int) []time.Duration {
	rng := sim.New(epoch, 1).Rand("bench")
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = 1 + time.Duration(rng.Int64N(int64(time.Millisecond)))
	}
	return out
}

// reportEvents adds throughput metrics for a benchmark that ran events in
// total.
func reportEvents(b *testing.B, events int) {
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}

// rescheduler re-arms itself on every firing with the next delay from a
// table, keeping the number of pending events constant.
type rescheduler struct {
	l      *sim.Loop
	delays []time.Duration
	i      int
}

func (r *rescheduler) Fire(arg uint64) {
	r.i = (r.i + 1) & (len(r.delays) - 1)
	r.l.Schedule(r.delays[r.i], r, arg)
}

func BenchmarkScheduleDispatch(b *testing.B) {
	// One event scheduled and dispatched per op against an otherwise empty
	// queue: the fixed cost of the loop.
	b.Run("pending=0", func(b *testing.B) {
		b.ReportAllocs()
		l := sim.New(epoch, 1)
		var h sim.Handler = nop{}
		n := 0
		for b.Loop() {
			l.Schedule(time.Microsecond, h, 0)
			l.Step()
			n++
		}
		reportEvents(b, n)
	})
	// Steady state with a realistic backlog: each dispatched event
	// schedules its successor at a random future time.
	for _, pending := range []int{1000, 100_000} {
		b.Run(fmt.Sprintf("pending=%d", pending), func(b *testing.B) {
			b.ReportAllocs()
			l := sim.New(epoch, 1)
			r := &rescheduler{l: l, delays: delays(1 << 12)}
			for i := range pending {
				l.Schedule(r.delays[i&(len(r.delays)-1)], r, uint64(i))
			}
			n := 0
			for b.Loop() {
				l.Step()
				n++
			}
			reportEvents(b, n)
		})
	}
	// A million events per op through a backlog of 1000 self-rescheduling
	// handlers: the steady state of a long run.
	b.Run("events=1e6/pending=1000", func(b *testing.B) {
		const events = 1_000_000
		b.ReportAllocs()
		l := sim.New(epoch, 1)
		r := &rescheduler{l: l, delays: delays(1 << 12)}
		for i := range 1000 {
			l.Schedule(r.delays[i], r, uint64(i))
		}
		n := 0
		for b.Loop() {
			for range events {
				l.Step()
			}
			n += events
		}
		reportEvents(b, n)
	})
	// A million events per op scheduled up front at random times and then
	// all dispatched: a deep queue whose keys no longer fit in cache.
	b.Run("events=1e6/upfront", func(b *testing.B) {
		const events = 1_000_000
		b.ReportAllocs()
		l := sim.New(epoch, 1)
		ds := delays(1 << 12)
		var h sim.Handler = nop{}
		batch := func() {
			for i := range events {
				l.Schedule(ds[i&(len(ds)-1)], h, 0)
			}
			if ran, err := l.RunUntilIdle(0); err != nil || ran != events {
				b.Fatal(ran, err)
			}
		}
		batch() // grow the queue outside the timed loop
		n := 0
		for b.Loop() {
			batch()
			n += events
		}
		reportEvents(b, n)
	})
}

func BenchmarkRecord(b *testing.B) {
	for _, keep := range []bool{false, true} {
		b.Run(fmt.Sprintf("keep=%v", keep), func(b *testing.B) {
			b.ReportAllocs()
			l := sim.New(epoch, 1)
			l.Trace().SetKeep(keep)
			for b.Loop() {
				l.Record("kubelet", "pod/default/web-1", "phase=Running")
			}
		})
	}
}
