package sim

import "math/bits"

// The queue is a monotone priority queue: a radix heap whose buckets are
// split by digits of the due time. It relies on the Loop never scheduling an
// event before the due time of the last event dispatched (scheduling in the
// past is clamped to now, and now is at least that time), and in return it
// costs a bounded number of sequential passes per event instead of the
// cache-missing sift of a binary or d-ary heap: with a million events queued
// the keys of a heap no longer fit in cache and every level of a pop misses.
//
// The buckets are relative to last, a lower bound of every pending due time
// that is never ahead of the clock: the due time the latest refill started
// cur at. An event due at at is in one of:
//
//   - cur, a FIFO of events all due at curAt, which pop drains from the
//     front. No event in a bucket is due at or before curAt. cur holds the
//     events due at last, and also takes the first event scheduled into an
//     empty queue (curAt > last) without touching a bucket; an event
//     scheduled later but due before such a curAt first demotes cur's
//     events to their bucket.
//   - otherwise at > last and the two first differ in digit lv (digits being
//     digitBits wide, lv counted from the least significant), and the event
//     is in bucket b[lv*fanout + digit lv of at].
//
// Every event in a lower level is due before every event in a higher one,
// and within a level the buckets are ordered by digit. When cur runs dry,
// pop takes the first non-empty bucket, sets last to its smallest due time
// and redistributes its events, which all share their digits from lv up with
// the new last, into cur and the levels below lv; a bucket of level 0 (one
// instant) or of a single event simply becomes cur. No other event changes
// bucket. An event therefore moves at most once per level, and with due
// times spread over a millisecond (about 2^20 ns) it moves three times, each
// a sequential read plus an append to one of 64 bucket tails.
//
// Ties: every bucket is a FIFO and an event is appended when scheduled.
// Events with equal due times are always in the same bucket (cur takes all
// of them or none), and whenever events move, their bucket is read in order
// and appended to buckets that hold none of them yet: a redistribution fills
// levels below the first non-empty bucket and an empty cur, a demotion fills
// the bucket of cur's due time, which cur kept empty of it. So events due at
// the same instant stay in scheduling order and leave cur in that order, and
// the ordering needs no sequence numbers.
//
// Buckets are linked lists of fixed-size chunks drawn from a free list that
// the queue shares between all its buckets, so memory is bounded by the peak
// number of pending events (plus a chunk per non-empty bucket) wherever on
// the clock those events fall, and the steady state allocates nothing.

const (
	digitBits = 6
	fanout    = 1 << digitBits                   // buckets per level; one uint64 bitmap
	levels    = (63 + digitBits - 1) / digitBits // due times have 63 bits
	chunkCap  = 128                              // events per chunk: 4 KiB of entries
	maxBlock  = 256                              // chunks allocated at once, at most
)

// The levels fit the uint16 bitmap queue.lvls.
var _ [16 - levels]struct{}

// entry is one pending event. It carries its payload with it: the time a
// bucket is drained is the time its handlers are wanted, and a payload left
// in a side table would cost a cache miss per pop.
type entry struct {
	at  uint64 // nanoseconds since the loop's start, at most math.MaxInt64
	arg uint64
	h   Handler
}

// chunk is a segment of a bucket's FIFO. Every chunk of a bucket but the
// last is full, so only the bucket keeps a count. The header is padded to 32
// bytes so that entries stay aligned to half cache lines, and the odd size
// (64.5 cache lines) spreads the heads of consecutive chunks over different
// cache sets. Vacant entries hold no Handler, so a dead component is not kept
// reachable. Larger chunks make longer sequential runs for the hardware
// prefetcher when a deep bucket is redistributed, at the price of more
// memory left vacant in the tails of shallow buckets.
type chunk struct {
	next *chunk
	_    [3]uint64
	e    [chunkCap]entry
}

// bucket is a FIFO of chunks from head to tail, the first filled from
// e[0]. n counts the entries appended to them, so the tail holds
// (n-1)%chunkCap+1; an empty bucket has no chunks (except cur, which may
// keep one). min is the smallest due time in it, meaningful when non-empty.
type bucket struct {
	head, tail *chunk
	n          int
	min        uint64
}

// tailLen returns how many entries the tail of a non-empty bucket holds.
func (b *bucket) tailLen() int { return (b.n-1)%chunkCap + 1 }

type queue struct {
	n     int    // pending events
	curN  int    // events in cur
	pos   int    // index in cur.head of the next event to pop
	curAt uint64 // due time of the events in cur
	last  uint64 // the digits of the buckets are relative to last
	// cur is a FIFO of events due at curAt, which no event in a bucket
	// precedes. It keeps its last chunk when it runs dry, so that a queue
	// of one event at a time touches no other chunk.
	cur  bucket
	lvls uint16         // bit lv set when level lv has a non-empty bucket
	mask [levels]uint64 // bit d set when b[lv*fanout+d] is non-empty
	b    [levels * fanout]bucket
	free *chunk // vacant chunks, linked through next
	grow int    // chunks in the last block allocated
}

func (q *queue) len() int { return q.n }

// peek returns the due time of the earliest event. The queue must not be
// empty. It moves nothing, so last stays at or below the loop's clock, which
// may stop short of the earliest due time (RunUntil).
func (q *queue) peek() uint64 {
	if q.curN > 0 {
		return q.curAt
	}
	lv := bits.TrailingZeros16(q.lvls)
	return q.b[lv*fanout+bits.TrailingZeros64(q.mask[lv])].min
}

// push adds an event due at at, which must not be before the due time of the
// last event popped.
func (q *queue) push(at uint64, h Handler, arg uint64) {
	e := entry{at, arg, h}
	q.n++
	if q.curN > 0 {
		if at == q.curAt {
			q.curN++
			q.add(&q.cur, e)
			return
		}
		if at < q.curAt {
			q.demote()
		}
	} else if q.n == 1 {
		// The only event: it is due first whenever it is due, so it goes
		// to cur without touching a bucket, and last stays where it is.
		q.curAt = at
		q.curN++
		q.add(&q.cur, e)
		return
	}
	if at < q.last {
		panic("sim: internal error: event scheduled before the last one dispatched")
	}
	q.place(&e)
}

// demote moves the events of cur, which are due after last, into their
// bucket, for an event due before them.
func (q *queue) demote() {
	src, i := q.cur, q.pos
	q.cur, q.curN, q.pos = bucket{}, 0, 0
	for c := src.head; c != nil; i = 0 {
		end := chunkCap
		if c == src.tail {
			end = src.tailLen()
		}
		for ; i < end; i++ {
			q.place(&c.e[i])
		}
		next := c.next
		q.release(c, end)
		c = next
	}
}

// place appends e, which is not due before last nor after anything in cur,
// to its bucket, counting it there: cur if it is due at last, and otherwise
// the bucket of the first digit in which its due time and last differ.
func (q *queue) place(e *entry) {
	b := &q.cur
	if d := e.at ^ q.last; d == 0 {
		q.curAt = e.at
		q.curN++
	} else {
		lv := (bits.Len64(d) - 1) / digitBits
		dg := int(e.at>>(uint(lv)*digitBits)) & (fanout - 1)
		b = &q.b[lv*fanout+dg]
		if b.n == 0 {
			b.min = e.at
			q.mask[lv] |= 1 << dg
			q.lvls |= 1 << lv
		} else if e.at < b.min {
			b.min = e.at
		}
	}
	i := b.n % chunkCap
	if i == 0 && (b.n > 0 || b.tail == nil) {
		q.link(b)
	}
	b.tail.e[i] = *e
	b.n++
}

// add appends e to b.
func (q *queue) add(b *bucket, e entry) {
	i := b.n % chunkCap
	if i == 0 && (b.n > 0 || b.tail == nil) {
		q.link(b)
	}
	b.tail.e[i] = e
	b.n++
}

// link appends a vacant chunk to b.
func (q *queue) link(b *bucket) {
	c := q.free
	if c == nil {
		c = q.more()
	}
	q.free = c.next
	c.next = nil
	if b.tail == nil {
		b.head = c
	} else {
		b.tail.next = c
	}
	b.tail = c
}

// more allocates a block of vacant chunks, growing geometrically, and
// returns the first of them linked to the rest.
func (q *queue) more() *chunk {
	q.grow = min(max(2*q.grow, 1), maxBlock)
	blk := make([]chunk, q.grow)
	for i := range len(blk) - 1 {
		blk[i].next = &blk[i+1]
	}
	return &blk[0]
}

// release returns c, whose first n entries have been copied elsewhere, to
// the free list, dropping their Handler references.
func (q *queue) release(c *chunk, n int) {
	clear(c.e[:n])
	c.next = q.free
	q.free = c
}

// pop removes the earliest event and returns its due time and payload. The
// queue must not be empty.
func (q *queue) pop() (uint64, Handler, uint64) {
	if q.curN == 0 {
		q.refill()
	}
	c := q.cur.head
	e := &c.e[q.pos]
	h, arg := e.h, e.arg
	// Drop the handler reference at once, so a vacant entry does not keep a
	// dead component reachable.
	e.h = nil
	q.n--
	q.curN--
	q.pos++
	if q.curN == 0 {
		// cur keeps its last chunk, now vacant.
		q.cur.n, q.pos = 0, 0
	} else if q.pos == chunkCap {
		q.cur.head = c.next
		q.pos = 0
		c.next = q.free // its entries are already clear
		q.free = c
	}
	return q.curAt, h, arg
}

// refill moves the earliest events into cur, which must be empty while the
// queue is not.
func (q *queue) refill() {
	lv := bits.TrailingZeros16(q.lvls)
	m := q.mask[lv]
	dg := bits.TrailingZeros64(m)
	m &= m - 1
	q.mask[lv] = m
	if m == 0 {
		q.lvls &^= 1 << lv
	}
	b := &q.b[lv*fanout+dg]
	src := *b
	*b = bucket{}
	q.last, q.curAt = src.min, src.min
	// A bucket of level 0 holds events due at one instant (all their digits
	// agree), as does a bucket of one event: it becomes cur as it is.
	if lv == 0 || src.n == 1 {
		if c := q.cur.head; c != nil {
			q.release(c, 0)
		}
		q.cur, q.curN = src, src.n
		return
	}
	for c := src.head; c != nil; {
		end := chunkCap
		if c == src.tail {
			end = src.tailLen()
		}
		for i := range c.e[:end] {
			q.place(&c.e[i])
		}
		next := c.next
		q.release(c, end)
		c = next
	}
}
