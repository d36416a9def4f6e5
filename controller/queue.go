package controller

import (
	"time"

	"github.com/kubesim/kubesim/sim"
)

// Queue is a work queue on the event loop: a key added while it is already
// waiting is not added twice, and each key is handled once, delay after it was
// first added, as a controller's rate-limited work queue coalesces bursts.
type Queue struct {
	loop    *sim.Loop
	delay   time.Duration
	handle  func(key string)
	pending map[string]bool
	due     []string // keys in the order they were added; consumed from the front
	head    int
}

// NewQueue returns a queue that calls handle(key) delay after key is added.
func NewQueue(loop *sim.Loop, delay time.Duration, handle func(key string)) *Queue {
	return &Queue{loop: loop, delay: delay, handle: handle, pending: make(map[string]bool)}
}

// Add schedules key unless it is already waiting.
func (q *Queue) Add(key string) {
	if q.pending[key] {
		return
	}
	q.pending[key] = true
	q.due = append(q.due, key)
	q.loop.Schedule(q.delay, q, 0)
}

// Fire handles the oldest waiting key; the loop calls it once per Add that
// scheduled, and since every key waits the same delay, the oldest is the due one.
func (q *Queue) Fire(uint64) {
	key := q.due[q.head]
	q.due[q.head] = ""
	q.head++
	switch {
	case q.head == len(q.due):
		q.due, q.head = q.due[:0], 0
	case q.head > 1024 && q.head > len(q.due)/2:
		q.due = append(q.due[:0], q.due[q.head:]...)
		q.head = 0
	}
	delete(q.pending, key)
	q.handle(key)
}

// Len returns how many keys wait.
func (q *Queue) Len() int { return len(q.due) - q.head }
