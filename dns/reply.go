package dns

import (
	"strings"
	"time"
)

// Question is what a query asks: a name, spelled as the client spelled it,
// and a type. The class is always IN.
type Question struct {
	Name string `json:"name"`
	Type uint16 `json:"type"`
}

// Reply is a DNS response. Its record slices may be shared with the server's
// prebuilt answers: read them, never modify them.
type Reply struct {
	Question Question `json:"question"`
	Rcode    int      `json:"rcode"`
	// Authoritative is the AA bit: set by the cluster DNS for its own zones
	// and by caches, clear on answers forwarded from the outside world.
	Authoritative bool `json:"aa"`
	// RecursionAvailable is the RA bit. CoreDNS's kubernetes plugin leaves it
	// clear (dig warns "recursion requested but not available"); forwarded
	// answers carry the outside resolver's, which is set.
	RecursionAvailable bool `json:"ra"`
	Answer             []RR `json:"answer"`
	Authority          []RR `json:"authority"`
	Additional         []RR `json:"additional"`
	// Latency is the modelled time the server spent, including any round
	// trips to the outside world.
	Latency time.Duration `json:"latency"`
	// Note says how the reply was produced when that is not the plain path:
	// "autopath", "cache hit", "upstream".
	Note string `json:"note,omitempty"`
}

// NoData reports whether the reply is a NODATA answer: NOERROR without
// records in the answer section.
func (r Reply) NoData() bool { return r.Rcode == RcodeSuccess && len(r.Answer) == 0 }

// RcodeName is the reply's status as dig prints it, with NODATA for an empty
// NOERROR.
func (r Reply) RcodeName() string {
	if r.NoData() {
		return "NODATA"
	}
	return RcodeString(r.Rcode)
}

// Text renders the reply as a compact multi-line summary: a status line, then
// each section's records in zone-file form. It is meant for tests and
// debugging; Dig renders what dig prints.
func (r Reply) Text() string {
	var b strings.Builder
	b.WriteString(";; ")
	b.WriteString(RcodeString(r.Rcode))
	b.WriteString(" ")
	b.WriteString(r.Question.Name)
	b.WriteString(" ")
	b.WriteString(TypeString(r.Question.Type))
	if r.Authoritative {
		b.WriteString(" aa")
	}
	b.WriteString("\n")
	for _, sec := range [...]struct {
		name string
		rrs  []RR
	}{{"ANSWER", r.Answer}, {"AUTHORITY", r.Authority}, {"ADDITIONAL", r.Additional}} {
		if len(sec.rrs) == 0 {
			continue
		}
		b.WriteString(";; ")
		b.WriteString(sec.name)
		b.WriteString("\n")
		for _, rr := range sec.rrs {
			b.WriteString(rr.String())
			b.WriteString("\n")
		}
	}
	return b.String()
}
