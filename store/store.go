package store

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
)

// EventType says what happened to an object.
type EventType uint8

// Event types, as in a Kubernetes watch.
const (
	Added EventType = iota + 1
	Modified
	Deleted
)

// String returns the watch event type as Kubernetes spells it ("ADDED").
func (t EventType) String() string {
	switch t {
	case Added:
		return "ADDED"
	case Modified:
		return "MODIFIED"
	case Deleted:
		return "DELETED"
	}
	return "EventType(" + strconv.Itoa(int(t)) + ")"
}

// Event is one change seen by watchers. Object is the new state (the last state
// for Deleted); Old is the previous state for Modified and nil otherwise. Both
// are shared and read-only.
type Event struct {
	Type   EventType
	Object api.Object
	Old    api.Object
}

// Watcher receives every event of the kinds it registered for.
type Watcher func(Event)

// Plugin is an admission plugin: it may change an object before it is stored
// (allocating addresses, for instance) and refuse it with an error. Every call to
// Admit is followed by exactly one call to Commit (the object was stored) or
// Abort (it was not, because a later object of the same batch failed), so a
// plugin can reserve in Admit and release in Abort.
type Plugin interface {
	// Admit checks and completes obj; old is the stored object for an update
	// and nil for a create. obj is a private copy that Admit may change.
	Admit(obj, old api.Object) error
	// Commit is told that obj replaced old (old is nil for a create).
	Commit(obj, old api.Object)
	// Abort is told that obj, admitted against old, will not be stored.
	Abort(obj, old api.Object)
	// Removed is told that obj left the store for good.
	Removed(obj api.Object)
}

// Options configure a Store.
type Options struct {
	// Validation is passed to api.Validate.
	Validation api.ValidationOptions
}

// Store holds the cluster's objects. It is not safe for concurrent use; the
// Cluster serialises calls.
type Store struct {
	loop    *sim.Loop
	rand    *rand.Rand
	opts    Options
	rv      uint64
	kinds   map[api.Kind]*kindStore
	plugins []Plugin
	watch   map[api.Kind][]Watcher
	labels  *labelIndex
	owners  map[string][]api.Ref // owner uid -> dependents, in creation order
	uids    map[string]api.Ref   // uid -> object
}

type kindStore struct {
	objs map[nsName]api.Object
}

type nsName struct{ ns, name string }

// New returns an empty store that takes time and randomness (uids, generated
// names) from loop.
func New(loop *sim.Loop, opts Options) *Store {
	s := &Store{
		loop:   loop,
		rand:   loop.Rand("apiserver"),
		opts:   opts,
		kinds:  make(map[api.Kind]*kindStore, len(api.Kinds)),
		watch:  make(map[api.Kind][]Watcher),
		labels: newLabelIndex(),
		owners: make(map[string][]api.Ref),
		uids:   make(map[string]api.Ref),
	}
	for _, k := range api.Kinds {
		s.kinds[k] = &kindStore{objs: make(map[nsName]api.Object)}
	}
	return s
}

// Use adds an admission plugin; plugins run in the order they were added.
func (s *Store) Use(p Plugin) { s.plugins = append(s.plugins, p) }

// Watch registers w for changes to objects of the given kinds.
func (s *Store) Watch(w Watcher, kinds ...api.Kind) {
	for _, k := range kinds {
		s.watch[k] = append(s.watch[k], w)
	}
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.loop.Now() }

// Get returns the stored object; it is shared and read-only.
func (s *Store) Get(ref api.Ref) (api.Object, error) {
	ks, ok := s.kinds[ref.Kind]
	if !ok {
		return nil, fmt.Errorf("store: unknown kind %q", ref.Kind)
	}
	o, ok := ks.objs[nsName{ref.Namespace, ref.Name}]
	if !ok {
		return nil, notFound(ref)
	}
	return o, nil
}

// Peek returns the stored object or nil; it is shared and read-only.
func (s *Store) Peek(ref api.Ref) api.Object {
	ks, ok := s.kinds[ref.Kind]
	if !ok {
		return nil
	}
	return ks.objs[nsName{ref.Namespace, ref.Name}]
}

// Count returns how many objects of kind k the store holds.
func (s *Store) Count(k api.Kind) int {
	if ks, ok := s.kinds[k]; ok {
		return len(ks.objs)
	}
	return 0
}

// List returns the objects of kind k in namespace ns ("" for all namespaces)
// that sel matches, sorted by namespace then name. The objects are shared and
// read-only.
func (s *Store) List(k api.Kind, ns string, sel api.Selector) []api.Object {
	ks, ok := s.kinds[k]
	if !ok {
		return nil
	}
	var out []api.Object
	if k == api.KindPod && ns != "" {
		if pods, ok := s.labels.candidates(ns, sel); ok {
			for _, o := range pods {
				if sel.Matches(o.GetObjectMeta().Labels) {
					out = append(out, o)
				}
			}
			sortObjects(out)
			return out
		}
	}
	for key, o := range ks.objs {
		if ns != "" && key.ns != ns {
			continue
		}
		if sel.Matches(o.GetObjectMeta().Labels) {
			out = append(out, o)
		}
	}
	sortObjects(out)
	return out
}

// PodsWithLabels returns what List(api.KindPod, ns, api.SelectorFromSet(set))
// returns, without building the selector: the endpoint controllers list the
// pods of a service's selector on every sync.
func (s *Store) PodsWithLabels(ns string, set map[string]string) []api.Object {
	if ns == "" || len(set) == 0 {
		return s.List(api.KindPod, ns, api.SelectorFromSet(set))
	}
	// The pods of the rarest label hold every match; which one it is, when
	// two are as rare, changes nothing.
	var pods map[string]api.Object
	found := false
	for k, v := range set {
		if c := s.labels.byNS[ns][label{k, v}]; !found || len(c) < len(pods) {
			pods, found = c, true
		}
	}
	var out []api.Object
	for _, o := range pods {
		if hasLabels(o.GetObjectMeta().Labels, set) {
			out = append(out, o)
		}
	}
	sortObjects(out)
	return out
}

// hasLabels reports whether labels hold every pair of set.
func hasLabels(labels, set map[string]string) bool {
	for k, v := range set {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func sortObjects(objs []api.Object) {
	slices.SortFunc(objs, func(a, b api.Object) int {
		am, bm := a.GetObjectMeta(), b.GetObjectMeta()
		return cmp.Or(cmp.Compare(am.Namespace, bm.Namespace), cmp.Compare(am.Name, bm.Name))
	})
}

// ByUID returns the stored object with the given uid, or nil.
func (s *Store) ByUID(uid string) api.Object {
	ref, ok := s.uids[uid]
	if !ok {
		return nil
	}
	return s.Peek(ref)
}

// Dependents returns the objects whose ownerReferences name uid, in the order
// they were created.
func (s *Store) Dependents(uid string) []api.Ref {
	return slices.Clone(s.owners[uid])
}

// SharedDependents is Dependents without the copy, for controllers that list
// an owner's dependents on every sync: the slice is the store's own, shared
// and read-only, and holds until the next write.
func (s *Store) SharedDependents(uid string) []api.Ref {
	return s.owners[uid]
}

func notFound(ref api.Ref) error {
	info, _ := api.InfoFor(ref.Kind)
	return &api.NotFoundError{Resource: info.GroupResource(), Name: ref.Name}
}

func (s *Store) nextRV() string {
	s.rv++
	return strconv.FormatUint(s.rv, 10)
}

// newUID returns a random version-4 style UUID from the store's seeded stream.
func (s *Store) newUID() string {
	var b [16]byte
	hi, lo := s.rand.Uint64(), s.rand.Uint64()
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&0xf])
	}
	return string(out)
}

// RandomSuffix returns n characters from Kubernetes' random-string alphabet
// (no vowels, no confusable digits), drawn from the store's seeded stream, as
// generateName and pod names use them.
func (s *Store) RandomSuffix(n int) string { return RandomString(s.rand, n) }

// Alphabet is the character set of apimachinery's util/rand: consonants and
// digits chosen so that generated names never spell words.
const Alphabet = "bcdfghjklmnpqrstvwxz2456789"

// RandomString returns n characters from Alphabet drawn from r.
func RandomString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = Alphabet[r.IntN(len(Alphabet))]
	}
	return string(b)
}

func (s *Store) notify(k api.Kind, ev Event) {
	for _, w := range s.watch[k] {
		w(ev)
	}
}

func (s *Store) trace(ref api.Ref, change string) {
	s.loop.Record("apiserver", traceObject(ref), change)
}

// lowerKinds holds each kind's name in lower case, as Ref.String writes it.
var lowerKinds = func() map[api.Kind]string {
	m := make(map[api.Kind]string, len(api.Kinds))
	for _, k := range api.Kinds {
		m[k] = strings.ToLower(string(k))
	}
	return m
}()

// traceObject is ref.String() in one allocation rather than two: every write
// is traced.
func traceObject(ref api.Ref) string {
	k, ok := lowerKinds[ref.Kind]
	if !ok {
		return ref.String()
	}
	if ref.Namespace == "" {
		return k + "/" + ref.Name
	}
	return k + "/" + ref.Namespace + "/" + ref.Name
}
