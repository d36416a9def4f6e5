package sim_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kubesim/kubesim/sim"
)

// prober is a long-lived Handler: the argument says which backend to probe,
// so one value serves every probe without allocating a closure per event.
type prober struct {
	l        *sim.Loop
	backends []string
}

func (p *prober) Fire(i uint64) {
	fmt.Printf("%v probe %s\n", p.l.Since(), p.backends[i])
	p.l.Schedule(10*time.Second, p, i) // periodic: re-arm
}

func ExampleLoop_Schedule() {
	l := sim.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 1)
	p := &prober{l: l, backends: []string{"10.0.0.1", "10.0.0.2"}}
	l.Schedule(0, p, 0)
	l.Schedule(5*time.Second, p, 1)
	l.After(12*time.Second, func() { fmt.Println(l.Since(), "config change") })

	n := l.RunFor(20 * time.Second)
	fmt.Println(n, "events; now", l.Now().Format(time.TimeOnly), "with", l.Pending(), "pending")
	// Output:
	// 0s probe 10.0.0.1
	// 5s probe 10.0.0.2
	// 10s probe 10.0.0.1
	// 12s config change
	// 15s probe 10.0.0.2
	// 20s probe 10.0.0.1
	// 6 events; now 00:00:20 with 2 pending
}

func ExampleLoop_RunUntilIdle() {
	l := sim.New(time.Time{}, 1)
	// A periodic prober never lets the loop go idle.
	l.Schedule(0, &prober{l: l, backends: []string{"10.0.0.1"}}, 0)

	_, err := l.RunUntilIdle(3)
	var livelock *sim.LivelockError
	if errors.As(err, &livelock) {
		fmt.Println(err)
	}
	// Output:
	// 0s probe 10.0.0.1
	// 10s probe 10.0.0.1
	// 20s probe 10.0.0.1
	// sim: livelock: 3 events run without going idle (at +20s, 1 pending)
}

func ExampleTrace() {
	l := sim.New(time.Time{}, 1)
	l.Record("apiserver", "pod/default/web-1", "created")
	l.After(1500*time.Millisecond, func() {
		l.Record("kubelet", "pod/default/web-1", "phase=Running")
	})
	l.RunUntilIdle(0)

	l.Trace().WriteTo(os.Stdout)
	fmt.Println(l.Trace().Len(), "entries, hash", l.Trace().Hash())
	// Output:
	// +0.000s apiserver pod/default/web-1: created
	// +1.500s kubelet pod/default/web-1: phase=Running
	// 2 entries, hash 8c07659064af2435
}

func ExampleLoop_Rand() {
	a := sim.New(time.Time{}, 42)
	b := sim.New(time.Time{}, 42)
	b.Rand("scheduler").IntN(100) // another component's draws do not matter

	fmt.Println(a.Rand("kubelet").IntN(1000) == b.Rand("kubelet").IntN(1000))
	// Output:
	// true
}
