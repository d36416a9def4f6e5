package sim

import "math/rand/v2"

// Rand returns the random stream for the named component. The stream is a
// PCG generator seeded with the Loop's seed and the FNV-64a hash of the name,
// so it depends on nothing else: not on which other streams exist nor on the
// order they were created in. Later calls with the same name return the same
// *rand.Rand, continuing its sequence.
//
// Rand looks the name up in a map; components on a hot path should keep the
// returned pointer rather than call Rand per draw.
func (l *Loop) Rand(component string) *rand.Rand {
	if r, ok := l.rands[component]; ok {
		return r
	}
	if l.rands == nil {
		l.rands = make(map[string]*rand.Rand)
		l.pcgs = make(map[string]*rand.PCG)
	}
	pcg := rand.NewPCG(l.seed, fnv64a(component))
	r := rand.New(pcg)
	l.rands[component] = r
	l.pcgs[component] = pcg
	return r
}

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// fnv64a is FNV-1a over s, written out so that hashing a name needs no
// allocation or []byte conversion.
func fnv64a(s string) uint64 {
	h := uint64(fnvOffset64)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

// RandState is a saved position of some random streams; see SaveRand.
type RandState struct {
	names  []string
	states [][]byte
}

// SaveRand records the position of the named streams, so that work which turns
// out to be refused can be undone without leaving a trace in later draws.
func (l *Loop) SaveRand(components ...string) RandState {
	st := RandState{names: components, states: make([][]byte, len(components))}
	for i, name := range components {
		l.Rand(name)
		b, _ := l.pcgs[name].MarshalBinary()
		st.states[i] = b
	}
	return st
}

// RestoreRand moves the streams saved in st back to where they were.
func (l *Loop) RestoreRand(st RandState) {
	for i, name := range st.names {
		// The state came from MarshalBinary of the same generator type, so it
		// always unmarshals.
		_ = l.pcgs[name].UnmarshalBinary(st.states[i])
	}
}
