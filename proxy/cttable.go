package proxy

// ct4Table is the IPv4 connection-tracking table: open addressing with
// linear probing over a power-of-two array, keyed by the packed 16-byte
// tuple. It exists because the fast path's budget does not fit the generic
// map's hashing of a 16-byte struct key; a multiply-xor hash of two words is
// a few nanoseconds. Iteration order depends only on the keys, so it is
// deterministic.
type ct4Table struct {
	slots []ct4Slot
	live  int
	dead  int // tombstones
}

const (
	slotEmpty uint8 = iota
	slotUsed
	slotDead
)

type ct4Slot struct {
	key   ct4Key
	state uint8
	e     ctEntry
}

func (k ct4Key) hash() uint64 {
	h := k.addrs*0x9e3779b97f4a7c15 ^ k.rest*0xc2b2ae3d27d4eb4f
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>29
}

// get returns the entry for k.
func (t *ct4Table) get(k ct4Key) (ctEntry, bool) {
	if t.live == 0 {
		return ctEntry{}, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case s.state == slotEmpty:
			return ctEntry{}, false
		case s.state == slotUsed && s.key == k:
			return s.e, true
		}
	}
}

// put sets the entry for k.
func (t *ct4Table) put(k ct4Key, e ctEntry) {
	if (t.live+t.dead+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	tomb := -1
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch s.state {
		case slotEmpty:
			if tomb >= 0 {
				s = &t.slots[tomb]
				t.dead--
			}
			s.key, s.state, s.e = k, slotUsed, e
			t.live++
			return
		case slotDead:
			if tomb < 0 {
				tomb = int(i)
			}
		case slotUsed:
			if s.key == k {
				s.e = e
				return
			}
		}
	}
}

// del removes the entry for k, if any.
func (t *ct4Table) del(k ct4Key) {
	if t.live == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	for i := k.hash() & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		switch {
		case s.state == slotEmpty:
			return
		case s.state == slotUsed && s.key == k:
			s.state, s.e = slotDead, ctEntry{}
			t.live--
			t.dead++
			return
		}
	}
}

// each calls fn for every entry; fn returns false to delete the entry.
func (t *ct4Table) each(fn func(k ct4Key, e ctEntry) bool) {
	for i := range t.slots {
		s := &t.slots[i]
		if s.state == slotUsed && !fn(s.key, s.e) {
			s.state, s.e = slotDead, ctEntry{}
			t.live--
			t.dead++
		}
	}
}

func (t *ct4Table) grow() {
	size := 64
	for size*3 < (t.live+1)*4*2 {
		size *= 2
	}
	old := t.slots
	t.slots = make([]ct4Slot, size)
	t.live, t.dead = 0, 0
	for i := range old {
		if old[i].state == slotUsed {
			t.put(old[i].key, old[i].e)
		}
	}
}
