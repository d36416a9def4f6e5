package ipam

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"net/netip"
)

// NodeCIDRs carves per-node pod ranges out of the cluster CIDR in order, as the
// controller manager's node IPAM does (a /24 per node by default for IPv4).
type NodeCIDRs struct {
	cluster netip.Prefix
	bits    int
	next    uint64
	count   uint64
	taken   map[uint64]bool // ranges that Node objects brought, skipped when carving
}

// NewNodeCIDRs returns a carver of /bits ranges from cluster.
func NewNodeCIDRs(cluster netip.Prefix, bits int) (*NodeCIDRs, error) {
	cluster = cluster.Masked()
	if bits < cluster.Bits() || bits > cluster.Addr().BitLen()-2 {
		return nil, fmt.Errorf("node CIDR mask size /%d does not fit cluster CIDR %s", bits, cluster)
	}
	span := bits - cluster.Bits()
	if span > 62 {
		span = 62
	}
	return &NodeCIDRs{cluster: cluster, bits: bits, count: 1 << span, taken: make(map[uint64]bool)}, nil
}

// Next returns the next free node range.
func (n *NodeCIDRs) Next() (netip.Prefix, error) {
	for n.next < n.count && n.taken[n.next] {
		n.next++
	}
	if n.next >= n.count {
		return netip.Prefix{}, fmt.Errorf("failed to allocate a pod range for a node: cluster CIDR %s has no /%d left: %w", n.cluster, n.bits, ErrFull)
	}
	p := netip.PrefixFrom(addShifted(n.cluster.Addr(), n.next, n.cluster.Addr().BitLen()-n.bits), n.bits)
	n.next++
	return p, nil
}

// Reserve marks p (a range a Node object brought with it) as taken, so that later
// carving does not hand it out again. Ranges outside the cluster CIDR are left
// to their owner.
func (n *NodeCIDRs) Reserve(p netip.Prefix) {
	if !n.cluster.Contains(p.Addr()) || p.Bits() != n.bits {
		return
	}
	n.taken[indexOf(n.cluster.Addr(), p.Addr(), n.cluster.Addr().BitLen()-n.bits)] = true
}

// PodIPs hands out pod addresses from one node's range in sequence, continuing
// after the last one given and wrapping, as the host-local CNI plugin does. The
// network address and the gateway (the first address) are never given.
type PodIPs struct {
	prefix netip.Prefix
	size   uint64
	last   uint64
	used   map[uint64]struct{}
}

// NewPodIPs returns the allocator for a node's pod range.
func NewPodIPs(p netip.Prefix) *PodIPs {
	p = p.Masked()
	hostBits := p.Addr().BitLen() - p.Bits()
	if hostBits > 24 {
		hostBits = 24
	}
	size := uint64(1) << hostBits
	return &PodIPs{prefix: p, size: size, last: 1, used: make(map[uint64]struct{})}
}

// Prefix returns the node's pod range.
func (a *PodIPs) Prefix() netip.Prefix { return a.prefix }

func (a *PodIPs) usable(off uint64) bool {
	if off < 2 {
		return false
	}
	return !a.prefix.Addr().Is4() || off != a.size-1
}

// Allocate returns the next free address.
func (a *PodIPs) Allocate() (netip.Addr, error) {
	for i := uint64(1); i <= a.size; i++ {
		off := (a.last + i) % a.size
		if !a.usable(off) {
			continue
		}
		if _, taken := a.used[off]; !taken {
			a.used[off] = struct{}{}
			a.last = off
			return addOffset(a.prefix.Addr(), off), nil
		}
	}
	return netip.Addr{}, fmt.Errorf("failed to allocate a pod IP from %s: %w", a.prefix, ErrFull)
}

// AllocateSpecific takes addr for a pod that pins its address.
func (a *PodIPs) AllocateSpecific(addr netip.Addr) error {
	if !a.prefix.Contains(addr) {
		return &NotInRangeError{Addr: addr, Ranges: []netip.Prefix{a.prefix}}
	}
	off := offsetOf(a.prefix.Addr(), addr)
	if off >= a.size || !a.usable(off) {
		return &NotInRangeError{Addr: addr, Ranges: []netip.Prefix{a.prefix}}
	}
	if _, taken := a.used[off]; taken {
		return ErrAllocated
	}
	a.used[off] = struct{}{}
	return nil
}

// Release frees addr.
func (a *PodIPs) Release(addr netip.Addr) {
	if a.prefix.Contains(addr) {
		delete(a.used, offsetOf(a.prefix.Addr(), addr))
	}
}

// addShifted returns base + idx<<shift, for shifts that reach past the low 64
// bits of an IPv6 address (a /64 carved out of a /56).
func addShifted(base netip.Addr, idx uint64, shift int) netip.Addr {
	hi, lo := halves(base)
	switch {
	case shift >= 64:
		hi += idx << (shift - 64)
	case shift == 0:
		var carry uint64
		lo, carry = bits.Add64(lo, idx, 0)
		hi += carry
	default:
		add := idx << shift
		var carry uint64
		lo, carry = bits.Add64(lo, add, 0)
		hi += carry + idx>>(64-shift)
	}
	return fromHalves(base, hi, lo)
}

// indexOf is the inverse of addShifted: which range of size 1<<shift addr is in.
func indexOf(base, addr netip.Addr, shift int) uint64 {
	bh, bl := halves(base)
	ah, al := halves(addr)
	lo, borrow := bits.Sub64(al, bl, 0)
	hi := ah - bh - borrow
	if shift >= 64 {
		return hi >> (shift - 64)
	}
	if shift == 0 {
		return lo
	}
	return lo>>shift | hi<<(64-shift)
}

func halves(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

func fromHalves(like netip.Addr, hi, lo uint64) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	a := netip.AddrFrom16(b)
	if like.Is4() {
		return a.Unmap()
	}
	return a
}

// addOffset returns base+off for offsets that fit the low 64 bits.
func addOffset(base netip.Addr, off uint64) netip.Addr {
	if base.Is4() {
		b := base.As4()
		v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		v += uint32(off)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	b := base.As16()
	var lo uint64
	for i := 8; i < 16; i++ {
		lo = lo<<8 | uint64(b[i])
	}
	lo += off
	for i := 15; i >= 8; i-- {
		b[i] = byte(lo)
		lo >>= 8
	}
	return netip.AddrFrom16(b)
}

// offsetOf returns addr-base for addresses that share their high 64 bits.
func offsetOf(base, addr netip.Addr) uint64 {
	if base.Is4() {
		a, b := base.As4(), addr.As4()
		x := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		y := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		return uint64(y - x)
	}
	a, b := base.As16(), addr.As16()
	var x, y uint64
	for i := 8; i < 16; i++ {
		x = x<<8 | uint64(a[i])
		y = y<<8 | uint64(b[i])
	}
	return y - x
}
