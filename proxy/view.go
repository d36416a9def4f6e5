package proxy

import (
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strings"
)

// viewPort is one service port as one node's kube-proxy sees it at its synced
// version, with kube-proxy's per-sync booleans (syncProxyRules in both the
// iptables and nftables proxiers derives the same ones).
type viewPort struct {
	st        *spState
	cluster   []Endpoint
	local     []Endpoint
	reachable []Endpoint

	usesClusterChain bool // cluster-policy chain exists
	usesLocalChain   bool // local-policy chain exists
	hasInternal      bool // cluster IP traffic has somewhere to go
	hasExternal      bool // external traffic from outside has somewhere to go
	usesExtChain     bool // the external chain exists
}

// viewPorts returns the node's service ports of one family at its version,
// in rule order.
func (n *Node) viewPorts(f family, only *spRecord) []viewPort {
	var recs []*spRecord
	for _, r := range n.p.recList {
		if r.fam == f && r.chain.at(n.ver) != nil {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, compareRecords)
	out := make([]viewPort, 0, len(recs))
	for _, r := range recs {
		st := r.chain.at(n.ver)
		vp := viewPort{st: st}
		if only == nil || only == r {
			if st.usesCluster() {
				vp.cluster = st.clusterSet(n.id, n.zone)
			}
			if st.usesLocal() {
				vp.local = st.localSet(n.id)
			}
			vp.reachable = st.reachable(n.id, n.zone)
		} else {
			// Only the shared chains are needed; they depend on whether
			// (local) endpoints exist, not on which.
			if st.usesLocal() {
				vp.local = st.localSet(n.id)
			}
		}
		vp.usesClusterChain = len(vp.cluster) > 0 && st.usesCluster()
		vp.usesLocalChain = len(vp.local) > 0 && st.usesLocal()
		vp.hasInternal = st.hasAny
		if st.svc.iTPLocal && len(vp.local) == 0 {
			vp.hasInternal = false
		}
		vp.hasExternal = st.hasAny
		if st.svc.eTPLocal && len(vp.local) == 0 {
			vp.hasExternal = false
		}
		vp.usesExtChain = st.hasAny && st.extAccessible
		out = append(out, vp)
	}
	return out
}

// base32SHA256 is kube-proxy's chain-name hash.
func base32SHA256(s string) string {
	h := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(h[:])
}

// iptHash returns the 16-character hash kube-proxy uses in KUBE-SVC-, KUBE-SVL-,
// KUBE-EXT- and KUBE-FW- chain names.
func (r *spRecord) iptHashed() string {
	if r.iptHash == "" {
		r.iptHash = base32SHA256(r.str + r.name.Protocol.String())[:16]
	}
	return r.iptHash
}

func (r *spRecord) svcChain() string { return "KUBE-SVC-" + r.iptHashed() }
func (r *spRecord) svlChain() string { return "KUBE-SVL-" + r.iptHashed() }
func (r *spRecord) extChain() string { return "KUBE-EXT-" + r.iptHashed() }
func (r *spRecord) fwChain() string  { return "KUBE-FW-" + r.iptHashed() }

// sepChain returns the KUBE-SEP- chain name of one endpoint.
func (r *spRecord) sepChain(ep Endpoint) string {
	return "KUBE-SEP-" + base32SHA256(r.str + r.name.Protocol.String() + ep.Addr.String())[:16]
}

// nftBaseName returns the hashed base of the service's nftables chain names,
// such as "ULMVA6XW-ns1/svc1/tcp/p80".
func (r *spRecord) nftBaseName() string {
	if r.nftBase == "" {
		r.nftBase = nftHashAndTruncate(r.name.Namespace + "/" + r.name.Name + "/" + r.name.Protocol.String() + "/" + r.name.Port)
	}
	return r.nftBase
}

// nftEndpointBase returns the base of an endpoint's nftables chain and
// affinity set names, such as "5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80".
func (r *spRecord) nftEndpointBase(ep Endpoint) string {
	ip := ep.Addr.Addr().String()
	ip = strings.ReplaceAll(ip, ":", ".")
	name := r.name.Namespace + "/" + r.name.Name + "/" + r.name.Protocol.String() + "/" + r.name.Port +
		"__" + ip + "/" + itoa(int(ep.Addr.Port()))
	return nftHashAndTruncate(name)
}

// nftHashAndTruncate prefixes a name with 8 characters of its hash and
// truncates it to nftables' limit, as kube-proxy does.
func nftHashAndTruncate(name string) string {
	const maxLen = 256 - 16
	name = base32SHA256(name)[:8] + "-" + name
	if len(name) > maxLen {
		name = name[:maxLen-3] + "..."
	}
	return name
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	neg := i < 0
	u := uint64(i)
	if neg {
		u = uint64(-i)
	}
	for {
		n--
		b[n] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
