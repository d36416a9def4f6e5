package sim

import (
	"fmt"
	"math/bits"
)

// VacatedSlotsClear reports whether every vacant entry of the queue (popped,
// moved on, or never used) is free of Handler references.
func VacatedSlotsClear(l *Loop) bool {
	q := &l.q
	vacant := func(es []entry) bool {
		for i := range es {
			if es[i].h != nil {
				return false
			}
		}
		return true
	}
	for c := q.free; c != nil; c = c.next {
		if !vacant(c.e[:]) {
			return false
		}
	}
	if c := q.cur.head; c != nil && !vacant(c.e[:q.pos]) {
		return false
	}
	for i := -1; i < len(q.b); i++ {
		b := &q.cur
		if i >= 0 {
			b = &q.b[i]
		}
		if b.tail != nil && !vacant(b.tail.e[(b.n-1)%chunkCap+1:]) {
			return false
		}
	}
	return true
}

// CheckQueue verifies the queue's invariants: every event in the bucket its
// due time and last call for, bucket minima, counts and bitmaps accurate.
func CheckQueue(l *Loop) error {
	q := &l.q
	if q.last > l.now {
		return fmt.Errorf("last %d after now %d", q.last, l.now)
	}
	if q.curN > 0 && q.curAt < q.last {
		return fmt.Errorf("cur due at %d before last %d", q.curAt, q.last)
	}
	total := 0
	// walk calls fn for each event in b from index from of its head.
	walk := func(b *bucket, from int, fn func(e *entry) error) (int, error) {
		if (b.head == nil) != (b.tail == nil) {
			return 0, fmt.Errorf("head %p, tail %p", b.head, b.tail)
		}
		if b.n == 0 {
			if b.head != b.tail || b.head != nil && b != &q.cur {
				return 0, fmt.Errorf("empty bucket holds chunks")
			}
			return 0, nil
		}
		n, chunks := 0, 0
		for c := b.head; c != nil; c = c.next {
			chunks++
			end := chunkCap
			if c == b.tail {
				if c.next != nil {
					return 0, fmt.Errorf("tail is not the last chunk")
				}
				end = (b.n-1)%chunkCap + 1
			}
			for i := from; i < end; i++ {
				if c.e[i].h == nil {
					return 0, fmt.Errorf("entry without handler")
				}
				if err := fn(&c.e[i]); err != nil {
					return 0, err
				}
				n++
			}
			from = 0
		}
		if b != &q.cur && chunks != (b.n+chunkCap-1)/chunkCap {
			return 0, fmt.Errorf("%d events in %d chunks", b.n, chunks)
		}
		total += n
		return n, nil
	}
	n, err := walk(&q.cur, q.pos, func(e *entry) error {
		if e.at != q.curAt {
			return fmt.Errorf("cur holds %d, due at %d", e.at, q.curAt)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n != q.curN || q.curN == 0 && q.pos != 0 {
		return fmt.Errorf("cur holds %d events from %d, counts %d", n, q.pos, q.curN)
	}
	for lv := range levels {
		if (q.mask[lv] != 0) != (q.lvls&(1<<lv) != 0) {
			return fmt.Errorf("level %d: mask %x, levels %b", lv, q.mask[lv], q.lvls)
		}
		for dg := range fanout {
			b := &q.b[lv*fanout+dg]
			if (b.n != 0) != (q.mask[lv]&(1<<dg) != 0) {
				return fmt.Errorf("bucket %d/%d: bitmap disagrees", lv, dg)
			}
			lo := ^uint64(0)
			n, err := walk(b, 0, func(e *entry) error {
				d := e.at ^ q.last
				if e.at < q.last || d == 0 || (bits.Len64(d)-1)/digitBits != lv ||
					int(e.at>>(lv*digitBits))&(fanout-1) != dg {
					return fmt.Errorf("bucket %d/%d holds %d, last %d", lv, dg, e.at, q.last)
				}
				if q.curN > 0 && e.at <= q.curAt {
					return fmt.Errorf("bucket %d/%d holds %d, cur due at %d", lv, dg, e.at, q.curAt)
				}
				lo = min(lo, e.at)
				return nil
			})
			if err != nil {
				return err
			}
			if n != b.n || n > 0 && lo != b.min {
				return fmt.Errorf("bucket %d/%d: %d events, min %d; counts %d, min %d", lv, dg, n, lo, b.n, b.min)
			}
		}
	}
	if total != q.n {
		return fmt.Errorf("holds %d events, counts %d", total, q.n)
	}
	return nil
}
