package ipam

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// ErrFull is returned when a range has no free address or port left.
var ErrFull = errors.New("range is full")

// ErrAllocated is returned when a requested address or port is taken.
var ErrAllocated = errors.New("provided IP is already allocated")

// ErrPortAllocated is returned when a requested node port is taken.
var ErrPortAllocated = errors.New("provided port is already allocated")

// NotInRangeError is returned when a requested address lies outside every range.
type NotInRangeError struct {
	Addr   netip.Addr
	Ranges []netip.Prefix
}

// Error words the refusal as the API server does.
func (e *NotInRangeError) Error() string {
	r := ""
	for i, p := range e.Ranges {
		if i > 0 {
			r += ","
		}
		r += p.String()
	}
	return fmt.Sprintf("the provided IP (%s) is not in the valid range. The range of valid IPs is %s", e.Addr, r)
}

// AddrPool allocates addresses from one prefix at random, preferring the upper
// part of the range for random picks and leaving the lower band to requested
// addresses, as the API server's allocator does since Kubernetes 1.26.
type AddrPool struct {
	prefix netip.Prefix
	base   netip.Addr // first usable address (offset 0)
	size   uint64     // usable addresses
	band   uint64     // size of the lower band kept for requests
	used   map[uint64]struct{}
}

// maxPoolBits bounds a pool to 2^20 addresses: kube-apiserver refuses larger
// service ranges for IPv6 (a /108), and no IPv4 service range is larger.
const maxPoolBits = 20

// NewAddrPool returns a pool over p. The network address, and for IPv4 the
// broadcast address, are never handed out.
func NewAddrPool(p netip.Prefix) (*AddrPool, error) {
	p = p.Masked()
	hostBits := p.Addr().BitLen() - p.Bits()
	if hostBits > maxPoolBits+4 || (p.Addr().Is6() && hostBits > maxPoolBits) {
		return nil, fmt.Errorf("service range %s is too large: at most %d addresses", p, 1<<maxPoolBits)
	}
	if hostBits < 2 {
		return nil, fmt.Errorf("service range %s is too small", p)
	}
	size := uint64(1)<<hostBits - 1 // without the network address
	if p.Addr().Is4() {
		size-- // without broadcast
	}
	band := min(max(16, size/16), 256)
	if band > size {
		band = size
	}
	return &AddrPool{prefix: p, base: p.Addr().Next(), size: size, band: band, used: make(map[uint64]struct{})}, nil
}

// Prefix returns the pool's range.
func (a *AddrPool) Prefix() netip.Prefix { return a.prefix }

// Contains reports whether addr can be handed out by this pool.
func (a *AddrPool) Contains(addr netip.Addr) bool {
	_, ok := a.offset(addr)
	return ok
}

// Used returns how many addresses are taken.
func (a *AddrPool) Used() int { return len(a.used) }

// Free returns how many addresses are left.
func (a *AddrPool) Free() uint64 { return a.size - uint64(len(a.used)) }

// IsAllocated reports whether addr is taken.
func (a *AddrPool) IsAllocated(addr netip.Addr) bool {
	off, ok := a.offset(addr)
	if !ok {
		return false
	}
	_, used := a.used[off]
	return used
}

func (a *AddrPool) offset(addr netip.Addr) (uint64, bool) {
	if !a.prefix.Contains(addr) || addr.Zone() != "" {
		return 0, false
	}
	if addr.Less(a.base) {
		return 0, false
	}
	off := offsetOf(a.base, addr)
	if off >= a.size {
		return 0, false
	}
	return off, true
}

func (a *AddrPool) addr(off uint64) netip.Addr { return addOffset(a.base, off) }

// Allocate picks a free address at random from r.
func (a *AddrPool) Allocate(r *rand.Rand) (netip.Addr, error) {
	off, err := pick(r, a.size, a.band, a.used)
	if err != nil {
		return netip.Addr{}, err
	}
	a.used[off] = struct{}{}
	return a.addr(off), nil
}

// AllocateSpecific takes addr, which must be in range and free.
func (a *AddrPool) AllocateSpecific(addr netip.Addr) error {
	off, ok := a.offset(addr)
	if !ok {
		return &NotInRangeError{Addr: addr, Ranges: []netip.Prefix{a.prefix}}
	}
	if _, taken := a.used[off]; taken {
		return ErrAllocated
	}
	a.used[off] = struct{}{}
	return nil
}

// Release frees addr; releasing a free or foreign address does nothing.
func (a *AddrPool) Release(addr netip.Addr) {
	if off, ok := a.offset(addr); ok {
		delete(a.used, off)
	}
}

// pick draws a free offset in [0,size): at random in the upper part [band,size)
// first, probing upwards and wrapping from a random start as the bitmap
// allocator does, then in the lower band.
func pick(r *rand.Rand, size, band uint64, used map[uint64]struct{}) (uint64, error) {
	if uint64(len(used)) >= size {
		return 0, ErrFull
	}
	if off, ok := probe(r, band, size, used); ok {
		return off, nil
	}
	if off, ok := probe(r, 0, band, used); ok {
		return off, nil
	}
	return 0, ErrFull
}

func probe(r *rand.Rand, lo, hi uint64, used map[uint64]struct{}) (uint64, bool) {
	n := hi - lo
	if n == 0 {
		return 0, false
	}
	start := r.Uint64N(n)
	for i := range n {
		off := lo + (start+i)%n
		if _, taken := used[off]; !taken {
			return off, true
		}
	}
	return 0, false
}

// PortRange is an inclusive range of ports, such as the node-port range.
type PortRange struct {
	Base, Size int
}

// PortPool allocates ports from a range at random, keeping a lower band for
// requested ports as the API server's node-port allocator does.
type PortPool struct {
	base, size, band uint64
	used             map[uint64]struct{}
}

// NewPortPool returns a pool of the ports base..base+size-1.
func NewPortPool(base, size int) *PortPool {
	s := uint64(size)
	band := min(max(16, s/32), 128)
	if band > s {
		band = s
	}
	return &PortPool{base: uint64(base), size: s, band: band, used: make(map[uint64]struct{})}
}

// Contains reports whether port is in the range.
func (p *PortPool) Contains(port int) bool {
	return port >= int(p.base) && uint64(port) < p.base+p.size
}

// Allocate picks a free port at random from r.
func (p *PortPool) Allocate(r *rand.Rand) (int, error) {
	off, err := pick(r, p.size, p.band, p.used)
	if err != nil {
		return 0, err
	}
	p.used[off] = struct{}{}
	return int(p.base + off), nil
}

// AllocateSpecific takes port, which must be in range and free.
func (p *PortPool) AllocateSpecific(port int) error {
	if !p.Contains(port) {
		return fmt.Errorf("provided port is not in the valid range. The range of valid ports is %d-%d", p.base, p.base+p.size-1)
	}
	off := uint64(port) - p.base
	if _, taken := p.used[off]; taken {
		return ErrPortAllocated
	}
	p.used[off] = struct{}{}
	return nil
}

// IsAllocated reports whether port is taken.
func (p *PortPool) IsAllocated(port int) bool {
	if !p.Contains(port) {
		return false
	}
	_, ok := p.used[uint64(port)-p.base]
	return ok
}

// Release frees port.
func (p *PortPool) Release(port int) {
	if p.Contains(port) {
		delete(p.used, uint64(port)-p.base)
	}
}

// Used returns how many ports are taken.
func (p *PortPool) Used() int { return len(p.used) }
