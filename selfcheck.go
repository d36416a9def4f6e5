package kubesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// Snapshot returns a canonical dump of the cluster's state: the virtual
// clock and the number of pending events, the trace's length and hash, every
// stored object in JSON (kind by kind, then by namespace and name), the API
// server's resourceVersion counter, a fingerprint of each address allocator
// (cluster IPs, node ports, pod ranges and pod IPs) and of each random
// stream, and the kube-proxies' versions.
//
// Two snapshots are equal when the clusters are in the same state and will
// make the same choices from here on, up to 64-bit hash collisions; a rejected
// Apply must leave the snapshot byte for byte as it was. The format is meant
// for comparing and diffing, not for parsing; it may change between versions.
func (c *Cluster) Snapshot() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b bytes.Buffer
	tr := c.loop.Trace()
	fmt.Fprintf(&b, "clock %s pending %d\n", c.since(c.loop.Now()), c.loop.Pending())
	fmt.Fprintf(&b, "trace %s entries %d\n", tr.Hash(), tr.Len())
	if f := reflect.ValueOf(c.store).Elem().FieldByName("rv"); f.IsValid() && f.CanUint() {
		fmt.Fprintf(&b, "resourceVersion %d\n", f.Uint())
	}
	fmt.Fprintf(&b, "alloc services %016x\n", fingerprint(reflect.ValueOf(c.svcs)))
	fmt.Fprintf(&b, "alloc nodes %016x\n", fingerprint(reflect.ValueOf(c.nodes)))
	if rs := reflect.ValueOf(c.loop).Elem().FieldByName("rands"); rs.IsValid() && rs.Kind() == reflect.Map {
		var names []string
		byName := map[string]reflect.Value{}
		for it := rs.MapRange(); it.Next(); {
			names = append(names, it.Key().String())
			byName[it.Key().String()] = it.Value()
		}
		slices.Sort(names)
		for _, n := range names {
			fmt.Fprintf(&b, "rand %s %016x\n", n, fingerprint(byName[n].Elem()))
		}
	}
	fmt.Fprintf(&b, "proxy v%d", c.proxy.Version())
	for _, n := range c.proxy.Nodes() {
		fmt.Fprintf(&b, " %s=v%d", n, c.proxy.Node(n).Version())
	}
	b.WriteByte('\n')
	for _, r := range c.faults.runs {
		fmt.Fprintf(&b, "fault #%d %s %s\n", r.ID, r.State, r.Fault)
	}
	for _, k := range api.Kinds {
		for _, o := range c.store.List(k, "", api.Everything()) {
			js, err := json.Marshal(o)
			if err != nil {
				js = []byte(strconv.Quote(err.Error()))
			}
			fmt.Fprintf(&b, "%s %s\n", api.RefOf(o), js)
		}
	}
	return b.Bytes()
}

// fingerprint hashes everything reachable from v (unexported fields
// included, maps in an order-independent way, each pointer once), so that two
// values with equal fingerprints hold, up to collisions, the same state.
// Functions and channels count only as present or absent, and random streams
// not at all below the top (each is fingerprinted on its own).
func fingerprint(v reflect.Value) uint64 {
	h := fnv.New64a()
	walk(h, v, map[uintptr]bool{})
	return h.Sum64()
}

var randType = reflect.TypeFor[*rand.Rand]()

type hasher interface {
	Write([]byte) (int, error)
	Sum64() uint64
}

func walk(h hasher, v reflect.Value, seen map[uintptr]bool) {
	var buf [8]byte
	put := func(u uint64) {
		for i := range buf {
			buf[i] = byte(u >> (8 * i))
		}
		h.Write(buf[:])
	}
	if !v.IsValid() {
		h.Write([]byte{0})
		return
	}
	put(uint64(v.Kind()))
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			put(1)
		} else {
			put(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		put(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		put(v.Uint())
	case reflect.Float32, reflect.Float64:
		put(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		put(math.Float64bits(real(v.Complex())))
		put(math.Float64bits(imag(v.Complex())))
	case reflect.String:
		put(uint64(v.Len()))
		h.Write([]byte(v.String()))
	case reflect.Array, reflect.Slice:
		if v.Kind() == reflect.Slice && v.IsNil() {
			put(math.MaxUint64)
			return
		}
		put(uint64(v.Len()))
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			h.Write(v.Bytes())
			return
		}
		for i := range v.Len() {
			walk(h, v.Index(i), seen)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			walk(h, v.Field(i), seen)
		}
	case reflect.Pointer:
		if v.IsNil() {
			put(0)
			return
		}
		if v.Type() == randType {
			// Random streams are fingerprinted on their own ("rand" lines).
			put(2)
			return
		}
		if seen[v.Pointer()] {
			put(1)
			return
		}
		seen[v.Pointer()] = true
		walk(h, v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			put(0)
			return
		}
		h.Write([]byte(v.Elem().Type().String()))
		walk(h, v.Elem(), seen)
	case reflect.Map:
		if v.IsNil() {
			put(math.MaxUint64)
			return
		}
		var entries []uint64
		for it := v.MapRange(); it.Next(); {
			eh := fnv.New64a()
			walk(eh, it.Key(), map[uintptr]bool{})
			walk(eh, it.Value(), seen)
			entries = append(entries, eh.Sum64())
		}
		slices.Sort(entries)
		put(uint64(len(entries)))
		for _, e := range entries {
			put(e)
		}
	default: // Func, Chan, UnsafePointer
		if v.IsNil() {
			put(0)
		} else {
			put(1)
		}
	}
}

// Divergence is how two runs of one scenario differ: the first trace entry
// that differs, or, when the traces agree, the first line of the final
// snapshots that does.
type Divergence struct {
	// Entry is the index of the first differing trace entry, or -1 when the
	// traces are identical.
	Entry int
	// First and Second are that entry in each run ("" where a run's trace
	// had already ended), or the differing snapshot lines.
	First, Second string
	// Snapshot reports that the traces agree but the final states differ.
	Snapshot bool
	// Err1 and Err2 are what the scenario returned in each run, when that
	// differs.
	Err1, Err2 string
	// Hash1 and Hash2 are the two trace hashes.
	Hash1, Hash2 string
}

// Error names the first difference between the two runs.
func (d *Divergence) Error() string {
	switch {
	case d.Err1 != d.Err2:
		return fmt.Sprintf("kubesim: nondeterministic scenario: run 1 returned %q, run 2 returned %q", d.Err1, d.Err2)
	case d.Snapshot:
		return fmt.Sprintf("kubesim: nondeterministic scenario: traces agree (%s) but the final states differ:\n  run 1: %s\n  run 2: %s", d.Hash1, d.First, d.Second)
	}
	return fmt.Sprintf("kubesim: nondeterministic scenario: traces differ at entry %d (hashes %s, %s):\n  run 1: %s\n  run 2: %s",
		d.Entry, d.Hash1, d.Hash2, orEnd(d.First), orEnd(d.Second))
}

func orEnd(s string) string {
	if s == "" {
		return "(trace ended)"
	}
	return s
}

// SelfCheck runs scenario twice, each time on a new cluster built from cfg,
// and compares the runs: their traces entry by entry, then their final
// snapshots. It returns nil when they are identical, a *Divergence naming the
// first difference when they are not, and any other error when a cluster
// cannot be built. A scenario that reads the wall clock, lets map order or
// goroutine scheduling decide what it does, or shares state between runs
// shows up here; so would any nondeterminism inside kubesim.
//
// The trace entries are kept for the comparison even if cfg.NoTrace is set.
func SelfCheck(cfg Config, scenario func(*Cluster) error) error {
	cfg.NoTrace = false
	type run struct {
		entries []string
		hash    string
		snap    []byte
		err     string
	}
	var runs [2]run
	for i := range runs {
		c, err := New(cfg)
		if err != nil {
			return err
		}
		if err := scenario(c); err != nil {
			runs[i].err = err.Error()
		}
		for _, e := range c.Trace().Entries() {
			runs[i].entries = append(runs[i].entries, e.String())
		}
		runs[i].hash = c.TraceHash()
		runs[i].snap = c.Snapshot()
	}
	a, b := runs[0], runs[1]
	d := &Divergence{Entry: -1, Hash1: a.hash, Hash2: b.hash, Err1: a.err, Err2: b.err}
	if a.err != b.err {
		return d
	}
	for i := 0; i < max(len(a.entries), len(b.entries)); i++ {
		var x, y string
		if i < len(a.entries) {
			x = a.entries[i]
		}
		if i < len(b.entries) {
			y = b.entries[i]
		}
		if x != y {
			d.Entry, d.First, d.Second = i, x, y
			return d
		}
	}
	if !bytes.Equal(a.snap, b.snap) {
		la, lb := strings.Split(string(a.snap), "\n"), strings.Split(string(b.snap), "\n")
		for i := 0; i < max(len(la), len(lb)); i++ {
			var x, y string
			if i < len(la) {
				x = la[i]
			}
			if i < len(lb) {
				y = lb[i]
			}
			if x != y {
				d.Snapshot, d.First, d.Second = true, x, y
				return d
			}
		}
	}
	return nil
}
