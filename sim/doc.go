// Package sim is a deterministic discrete-event loop: a virtual clock, a
// priority queue of pending events, named random streams and an event trace.
//
// Nothing in this package reads the wall clock, sleeps, starts goroutines or
// draws from global randomness, so a run is a pure function of the start
// time, the seed and the calls made on the [Loop]. Two runs that make the same
// calls produce the same events in the same order and the same [Trace]. The
// package knows nothing about Kubernetes; higher layers model controllers,
// kubelets and networks as [Handler] values driven by the loop.
//
// # Time and ordering
//
// The clock starts at the time given to [New] and moves only when an event
// runs or a Run method reaches the end of its window. Events run in order of
// their due time; events due at the same instant run in the order they were
// scheduled (FIFO), which makes ties deterministic without callers having to
// break them. The clock never moves backwards: scheduling in the past means
// "now".
//
// # Scheduling without allocation
//
// [Loop.Schedule] and [Loop.At] take a long-lived [Handler] and a uint64
// argument instead of a closure, so the hot path of a large simulation
// allocates nothing once the queue has grown to its working size. The
// argument typically carries an index or a generation number; a handler that
// wants to "cancel" an event bumps its generation and ignores stale ones.
// [Loop.After] accepts a closure for code where convenience matters more.
//
// # Randomness
//
// [Loop.Rand] hands out one independent stream per component name, derived
// from the seed and the name alone. Adding a component, or asking for streams
// in a different order, does not change what any other component draws, so
// a scenario can grow without invalidating existing golden traces.
//
// # Running
//
//	l := sim.New(start, 42)
//	l.Schedule(time.Second, h, 0)
//	l.RunFor(time.Minute)              // advance a fixed window
//	if _, err := l.RunUntilIdle(0); err != nil {
//		// a *LivelockError: something keeps rescheduling itself
//	}
//
// A Loop is not safe for concurrent use; callers serialise access, as a
// simulation runs on one goroutine by design.
package sim
