package sim

import (
	"io"
	"strconv"
	"strings"
	"time"
)

// Entry is one line of a [Trace]: at virtual time At (since the loop's
// start), Component changed Object as described by Change.
type Entry struct {
	At        time.Duration
	Component string
	Object    string
	Change    string
}

// String returns the entry's text form, for example
//
//	+1.500s kubelet pod/default/web-1: phase=Running
//
// The form is a contract that golden files and [Trace.Hash] depend on, and it
// will not change: a sign ("+", or "-" for a negative At), whole seconds
// (as many digits as needed), a dot, exactly three digits of milliseconds
// (sub-millisecond time is truncated towards zero), "s", a space, Component,
// a space and Object (both omitted if Object is empty), ": " and Change.
// Fields are written verbatim, so they should not contain newlines.
func (e Entry) String() string {
	return string(e.appendTo(make([]byte, 0, 32+len(e.Component)+len(e.Object)+len(e.Change))))
}

func (e *Entry) appendTo(b []byte) []byte {
	return appendEntry(b, e.At, e.Component, e.Object, e.Change)
}

// appendEntry is the single implementation of the text form; Record uses it
// on its hot path, so it avoids fmt.
func appendEntry(b []byte, at time.Duration, component, object, change string) []byte {
	sign, u := byte('+'), uint64(at)
	if at < 0 {
		// Negating in uint64 is exact even for math.MinInt64.
		sign, u = '-', -u
	}
	ms := u / uint64(time.Millisecond)
	frac := ms % 1000
	b = append(b, sign)
	b = strconv.AppendUint(b, ms/1000, 10)
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10), 's', ' ')
	b = append(b, component...)
	if object != "" {
		b = append(b, ' ')
		b = append(b, object...)
	}
	b = append(b, ':', ' ')
	return append(b, change...)
}

// chunkLen is the number of entries per storage chunk: about 200 KiB.
const chunkLen = 4096

// Trace records what happened during a simulation, in order, as [Entry]
// values. It maintains a running 64-bit FNV-1a hash of its text form, so two
// runs can be compared cheaply, even when entries are not kept in memory.
//
// The zero value is an empty Trace that keeps entries. A Trace is not safe
// for concurrent use.
type Trace struct {
	// Kept entries live in fixed-size chunks so that a long trace grows
	// without re-copying (and page-faulting) everything recorded so far.
	chunks  [][]Entry
	kept    int
	n       int
	sum     uint64 // FNV-1a state; meaningful only once n > 0
	discard bool   // inverted so that the zero value keeps entries
	buf     []byte // reused by Record to render each line
}

// Record appends an entry at virtual time at. It renders the entry's text
// form into a reused buffer to update the hash, so it does not allocate
// beyond growing the list of kept entries.
func (t *Trace) Record(at time.Duration, component, object, change string) {
	b := appendEntry(t.buf[:0], at, component, object, change)
	b = append(b, '\n')
	h := t.sum
	if t.n == 0 {
		h = fnvOffset64
	}
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime64
	}
	t.sum, t.buf = h, b
	t.n++
	if !t.discard {
		if t.kept%chunkLen == 0 {
			t.chunks = append(t.chunks, make([]Entry, 0, chunkLen))
		}
		c := &t.chunks[len(t.chunks)-1]
		*c = append(*c, Entry{At: at, Component: component, Object: object, Change: change})
		t.kept++
	}
}

// Len returns the number of entries recorded, including those not kept.
func (t *Trace) Len() int { return t.n }

// Entries returns a copy of the kept entries, in record order.
func (t *Trace) Entries() []Entry {
	out := make([]Entry, 0, t.kept)
	for _, c := range t.chunks {
		out = append(out, c...)
	}
	return out
}

// SetKeep sets whether later entries are kept in memory; the default is
// true. Long runs that only need [Trace.Hash] turn keeping off. Entries
// already kept stay kept, and the hash covers every entry either way.
func (t *Trace) SetKeep(keep bool) { t.discard = !keep }

// Sum64 returns the running FNV-1a hash of the text form of every recorded
// entry, each followed by "\n", in record order.
func (t *Trace) Sum64() uint64 {
	if t.n == 0 {
		return fnvOffset64
	}
	return t.sum
}

// Hash returns [Trace.Sum64] as 16 lower-case hex digits. Equal hashes mean,
// up to FNV collisions, byte-identical traces.
func (t *Trace) Hash() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	h := t.Sum64()
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}

// WriteTo writes the kept entries in text form, one per line, each ending in
// "\n". It implements [io.WriterTo].
func (t *Trace) WriteTo(w io.Writer) (int64, error) {
	const flushAt = 32 << 10
	var total int64
	b := make([]byte, 0, flushAt+256)
	flush := func() error {
		n, err := w.Write(b)
		total += int64(n)
		b = b[:0]
		return err
	}
	for _, c := range t.chunks {
		for i := range c {
			b = c[i].appendTo(b)
			b = append(b, '\n')
			if len(b) >= flushAt {
				if err := flush(); err != nil {
					return total, err
				}
			}
		}
	}
	if len(b) > 0 {
		if err := flush(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// String returns the kept entries in the form [Trace.WriteTo] writes.
func (t *Trace) String() string {
	var sb strings.Builder
	t.WriteTo(&sb) // a strings.Builder never fails
	return sb.String()
}
