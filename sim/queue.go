package sim

import "math/bits"

// key orders one pending event: by due time, then by scheduling sequence.
// seq is unique, so the order is total and ties go to the earlier-scheduled
// event. Keys hold no pointers, so moving them around the heap costs no GC
// write barriers and the garbage collector never scans the heap array.
type key struct {
	at   uint64 // nanoseconds since the loop's start, at most math.MaxInt64
	seq  uint64
	slot int // index of the event's payload in queue.vals
}

// payload is what an event does. It stays put in its slot while the key
// moves through the heap.
type payload struct {
	h   Handler
	arg uint64
}

// less returns 1 if a sorts before b and 0 otherwise. It compares (at, seq)
// as one 128-bit number by subtract-with-borrow, which compiles without
// branches: over random due times the outcome is a coin flip, and branch
// mispredictions would otherwise dominate the cost of a pop.
func less(a, b *key) uint64 {
	_, borrow := bits.Sub64(a.seq, b.seq, 0)
	_, borrow = bits.Sub64(a.at, b.at, borrow)
	return borrow
}

// arity is the heap's fan-out. Four children per node halve the depth of a
// binary heap, and their 96 bytes of keys span at most two cache lines.
const arity = 4

// queue is a min-heap of events written out by hand: container/heap would
// box every element in an interface and allocate on each push.
type queue struct {
	keys []key     // 4-ary min-heap by less
	vals []payload // slab indexed by key.slot
	free []int     // vacant slots in vals, reused last-in first-out
}

func (q *queue) len() int { return len(q.keys) }

// peek returns the due time of the earliest event. The queue must not be
// empty.
func (q *queue) peek() uint64 { return q.keys[0].at }

func (q *queue) push(at, seq uint64, v payload) {
	k := key{at: at, seq: seq}
	if n := len(q.free); n > 0 {
		k.slot = q.free[n-1]
		q.free = q.free[:n-1]
		q.vals[k.slot] = v
	} else {
		k.slot = len(q.vals)
		q.vals = append(q.vals, v)
	}
	q.keys = append(q.keys, k)
	q.up(len(q.keys)-1, k)
}

// up moves k, destined for index i, towards the root to its place.
func (q *queue) up(i int, k key) {
	h := q.keys
	for i > 0 {
		p := (i - 1) / arity
		if less(&k, &h[p]) == 0 {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = k
}

// pop removes the earliest event and returns its due time and payload. The
// queue must not be empty.
func (q *queue) pop() (uint64, payload) {
	h := q.keys
	top := h[0]
	v := q.vals[top.slot]
	// Drop the handler reference so a vacant slot does not keep a dead
	// component reachable.
	q.vals[top.slot] = payload{}
	q.free = append(q.free, top.slot)

	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.keys = h
	if n == 0 {
		return top.at, v
	}
	// Floyd's bottom-up deletion: walk the hole down to a leaf along the
	// smaller children without comparing against last, which came from the
	// bottom and usually belongs near it, then let up place last.
	i := 0
	for {
		c := i*arity + 1
		if c >= n {
			break
		}
		m := c
		if c+arity <= n {
			// Tournament of four, selected with masks instead of branches.
			m += int(less(&h[c+1], &h[c]))
			m2 := c + 2 + int(less(&h[c+3], &h[c+2]))
			m ^= (m ^ m2) & -int(less(&h[m2], &h[m]))
		} else {
			for j := c + 1; j < n; j++ {
				if less(&h[j], &h[m]) != 0 {
					m = j
				}
			}
		}
		h[i] = h[m]
		i = m
	}
	q.up(i, last)
	return top.at, v
}
