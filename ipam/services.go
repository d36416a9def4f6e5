package ipam

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"

	"github.com/kubesim/kubesim/api"
)

// Services is the API server's allocation for Services, as an admission plugin
// for the store: it gives each service its cluster IPs and node ports, honours
// or refuses requested ones, keeps them across updates and frees them when the
// service goes. ServiceCIDR objects add ranges to allocate from.
type Services struct {
	rand  *rand.Rand
	pools []*AddrPool // configured ranges first (primary family first), then ServiceCIDRs
	from  []string    // the ServiceCIDR each pool came from; "" for configured ranges
	ports *PortPool
}

// NewServices returns the allocator for the given service ranges (at most one
// per family, the first being the cluster's primary family) and node-port range.
func NewServices(cidrs []netip.Prefix, nodePorts api.PortRange, r *rand.Rand) (*Services, error) {
	if len(cidrs) == 0 || len(cidrs) > 2 {
		return nil, fmt.Errorf("service CIDRs: want one or two (one per family), got %d", len(cidrs))
	}
	if len(cidrs) == 2 && cidrs[0].Addr().Is4() == cidrs[1].Addr().Is4() {
		return nil, fmt.Errorf("service CIDRs %s and %s: want one per IP family", cidrs[0], cidrs[1])
	}
	s := &Services{rand: r, ports: NewPortPool(nodePorts.Base, nodePorts.Size)}
	for _, c := range cidrs {
		p, err := NewAddrPool(c)
		if err != nil {
			return nil, err
		}
		s.pools = append(s.pools, p)
		s.from = append(s.from, "")
	}
	return s, nil
}

// Families returns the cluster's IP families, primary first.
func (s *Services) Families() []api.IPFamily {
	var fams []api.IPFamily
	for i, p := range s.pools {
		if s.from[i] != "" {
			continue
		}
		fams = append(fams, familyOf(p.Prefix().Addr()))
	}
	return fams
}

// Ranges returns every range cluster IPs come from, configured ones first.
func (s *Services) Ranges() []netip.Prefix {
	out := make([]netip.Prefix, len(s.pools))
	for i, p := range s.pools {
		out[i] = p.Prefix()
	}
	return out
}

func familyOf(a netip.Addr) api.IPFamily {
	if a.Is4() {
		return api.IPv4
	}
	return api.IPv6
}

// holdings is what one service holds: its cluster IPs and node ports.
type holdings struct {
	ips   []netip.Addr
	ports []int
}

func held(o api.Object) holdings {
	var h holdings
	svc, ok := o.(*api.Service)
	if !ok || svc == nil {
		return h
	}
	for _, ip := range svc.Spec.ClusterIPs {
		if a, err := netip.ParseAddr(ip); err == nil {
			h.ips = append(h.ips, a)
		}
	}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 && !slices.Contains(h.ports, int(p.NodePort)) {
			h.ports = append(h.ports, int(p.NodePort))
		}
	}
	if hc := int(svc.Spec.HealthCheckNodePort); hc != 0 && !slices.Contains(h.ports, hc) {
		h.ports = append(h.ports, hc)
	}
	return h
}

func (s *Services) release(h, keep holdings) {
	for _, ip := range h.ips {
		if !slices.Contains(keep.ips, ip) {
			for _, p := range s.pools {
				p.Release(ip)
			}
		}
	}
	for _, port := range h.ports {
		if !slices.Contains(keep.ports, port) {
			s.ports.Release(port)
		}
	}
}

// Admit allocates what a Service needs; it refuses taken or out-of-range
// requests with the API server's messages. Other kinds pass, except
// ServiceCIDR, whose ranges are checked.
func (s *Services) Admit(obj, old api.Object) error {
	switch o := obj.(type) {
	case *api.Service:
		var os *api.Service
		if old != nil {
			os = old.(*api.Service)
		}
		got := holdings{}
		err := s.admitService(o, os, &got)
		if err != nil {
			s.release(got, held(old))
		}
		return err
	case *api.ServiceCIDR:
		if old != nil && !slices.Equal(o.Spec.CIDRs, old.(*api.ServiceCIDR).Spec.CIDRs) {
			return invalid(o.Kind, o.Name, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.cidrs", BadValue: o.Spec.CIDRs, Detail: "field is immutable"})
		}
		for i, c := range o.Spec.CIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				continue // validation reports it
			}
			if _, err := NewAddrPool(p); err != nil {
				return invalid(o.Kind, o.Name, api.FieldError{Type: api.ErrorTypeInvalid, Field: fmt.Sprintf("spec.cidrs[%d]", i), BadValue: c, Detail: err.Error()})
			}
		}
	}
	return nil
}

// Commit frees what the old version held that the new one does not, and adds
// the ranges of a new ServiceCIDR.
func (s *Services) Commit(obj, old api.Object) {
	if sc, ok := obj.(*api.ServiceCIDR); ok && old == nil {
		for _, c := range sc.Spec.CIDRs {
			if p, err := netip.ParsePrefix(c); err == nil {
				if pool, err := NewAddrPool(p); err == nil {
					s.pools = append(s.pools, pool)
					s.from = append(s.from, sc.Name)
				}
			}
		}
		return
	}
	if old != nil {
		s.release(held(old), held(obj))
	}
}

// Abort frees what Admit took for an object that was not stored.
func (s *Services) Abort(obj, old api.Object) { s.release(held(obj), held(old)) }

// Removed frees everything a deleted service held, and drops the ranges of a
// deleted ServiceCIDR (addresses already given from it stay with their services).
func (s *Services) Removed(obj api.Object) {
	if sc, ok := obj.(*api.ServiceCIDR); ok {
		for i := len(s.pools) - 1; i >= 0; i-- {
			if s.from[i] == sc.Name {
				s.pools = slices.Delete(s.pools, i, i+1)
				s.from = slices.Delete(s.from, i, i+1)
			}
		}
		return
	}
	s.release(held(obj), holdings{})
}

func invalid(kind, name string, causes ...api.FieldError) error {
	return &api.InvalidError{Kind: api.Kind(kind), Name: name, Causes: causes}
}

func (s *Services) admitService(svc, old *api.Service, got *holdings) error {
	spec := &svc.Spec
	if spec.Type == api.ServiceTypeExternalName {
		spec.ClusterIP, spec.ClusterIPs, spec.IPFamilies, spec.IPFamilyPolicy = "", nil, nil, nil
		return nil
	}
	if err := s.admitClusterIPs(svc, old, got); err != nil {
		return err
	}
	return s.admitNodePorts(svc, old, got)
}

func (s *Services) admitClusterIPs(svc, old *api.Service, got *holdings) error {
	spec := &svc.Spec
	name := svc.Name
	cluster := s.Families()
	policy := api.SingleStack
	if spec.IPFamilyPolicy != nil {
		policy = *spec.IPFamilyPolicy
	}
	headless := spec.ClusterIP == api.ClusterIPNone
	var requested []netip.Addr
	if !headless {
		ips := spec.ClusterIPs
		if len(ips) == 0 && spec.ClusterIP != "" {
			ips = []string{spec.ClusterIP}
		}
		for _, ip := range ips {
			a, err := netip.ParseAddr(ip)
			if err != nil {
				return invalid("Service", name, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.clusterIPs", BadValue: ips, Detail: "must be a valid IP address"})
			}
			requested = append(requested, a)
		}
	}
	fams := slices.Clone(spec.IPFamilies)
	if len(fams) == 0 {
		for _, a := range requested {
			fams = append(fams, familyOf(a))
		}
	}
	if len(fams) == 0 {
		fams = []api.IPFamily{cluster[0]}
	}
	if headless && len(spec.Selector) == 0 {
		// A headless service without a selector may list endpoints of either
		// family, so the API server gives it both when its policy allows,
		// whatever families the cluster has (initIPFamilyFields).
		if policy != api.SingleStack && len(fams) == 1 {
			fams = append(fams, otherFamily(fams[0]))
		}
	} else {
		for i, f := range fams {
			if !slices.Contains(cluster, f) {
				return invalid("Service", name, api.FieldError{Type: api.ErrorTypeInvalid, Field: fmt.Sprintf("spec.ipFamilies[%d]", i), BadValue: string(f), Detail: "not configured on this cluster"})
			}
		}
		switch policy {
		case api.RequireDualStack:
			if len(cluster) < 2 {
				return invalid("Service", name, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.ipFamilyPolicy", BadValue: string(policy), Detail: "this cluster is not configured for dual-stack services"})
			}
			fallthrough
		case api.PreferDualStack:
			if len(fams) == 1 && len(cluster) == 2 {
				fams = append(fams, otherFamily(fams[0]))
			}
		}
	}
	spec.IPFamilies = fams
	spec.IPFamilyPolicy = &policy
	if headless {
		spec.ClusterIPs = []string{api.ClusterIPNone}
		return nil
	}
	var oldIPs []netip.Addr
	if old != nil && old.Spec.Type != api.ServiceTypeExternalName && old.Spec.ClusterIP != api.ClusterIPNone {
		oldIPs = held(old).ips
	}
	ips := make([]netip.Addr, len(fams))
	for i, f := range fams {
		var prev netip.Addr
		for _, a := range oldIPs {
			if familyOf(a) == f {
				prev = a
			}
		}
		var want netip.Addr
		for _, a := range requested {
			if familyOf(a) == f {
				want = a
			}
		}
		switch {
		case prev.IsValid() && want.IsValid() && prev != want:
			return invalid("Service", name, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.clusterIPs[0]", BadValue: spec.ClusterIPs, Detail: "may not change once set"})
		case prev.IsValid():
			ips[i] = prev
		case want.IsValid():
			if err := s.allocateSpecific(want); err != nil {
				return invalid("Service", name, api.FieldError{Type: api.ErrorTypeInvalid, Field: "spec.clusterIPs", BadValue: addrStrings(requested),
					Detail: fmt.Sprintf("failed to allocate IP %s: %v", want, err)})
			}
			got.ips = append(got.ips, want)
			ips[i] = want
		default:
			a, err := s.allocate(f)
			if err != nil {
				return fmt.Errorf("Internal error occurred: failed to allocate a serviceIP: %w", err)
			}
			got.ips = append(got.ips, a)
			ips[i] = a
		}
	}
	spec.ClusterIPs = addrStrings(ips)
	spec.ClusterIP = spec.ClusterIPs[0]
	return nil
}

func otherFamily(f api.IPFamily) api.IPFamily {
	if f == api.IPv4 {
		return api.IPv6
	}
	return api.IPv4
}

func addrStrings(as []netip.Addr) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

func (s *Services) allocateSpecific(a netip.Addr) error {
	var ranges []netip.Prefix
	for _, p := range s.pools {
		if p.Contains(a) {
			return p.AllocateSpecific(a)
		}
		if familyOf(p.Prefix().Addr()) == familyOf(a) {
			ranges = append(ranges, p.Prefix())
		}
	}
	return &NotInRangeError{Addr: a, Ranges: ranges}
}

func (s *Services) allocate(f api.IPFamily) (netip.Addr, error) {
	for _, p := range s.pools {
		if familyOf(p.Prefix().Addr()) != f || p.Free() == 0 {
			continue
		}
		return p.Allocate(s.rand)
	}
	return netip.Addr{}, ErrFull
}

func (s *Services) admitNodePorts(svc, old *api.Service, got *holdings) error {
	spec := &svc.Spec
	wants := spec.Type == api.ServiceTypeNodePort ||
		(spec.Type == api.ServiceTypeLoadBalancer && (spec.AllocateLoadBalancerNodePorts == nil || *spec.AllocateLoadBalancerNodePorts))
	var oldHeld holdings
	if old != nil {
		oldHeld = held(old)
	}
	take := func(field string, port int) error {
		if slices.Contains(oldHeld.ports, port) || slices.Contains(got.ports, port) {
			return nil
		}
		if err := s.ports.AllocateSpecific(port); err != nil {
			return invalid("Service", svc.Name, api.FieldError{Type: api.ErrorTypeInvalid, Field: field, BadValue: port, Detail: err.Error()})
		}
		got.ports = append(got.ports, port)
		return nil
	}
	fresh := func() (int, error) {
		p, err := s.ports.Allocate(s.rand)
		if err != nil {
			return 0, fmt.Errorf("Internal error occurred: failed to allocate a nodePort: %w", err)
		}
		got.ports = append(got.ports, p)
		return p, nil
	}
	if wants {
		for i := range spec.Ports {
			p := &spec.Ports[i]
			if p.NodePort != 0 {
				if err := take(fmt.Sprintf("spec.ports[%d].nodePort", i), int(p.NodePort)); err != nil {
					return err
				}
				continue
			}
			if old != nil {
				for _, op := range old.Spec.Ports {
					if op.NodePort != 0 && op.Port == p.Port && op.Protocol == p.Protocol {
						p.NodePort = op.NodePort
					}
				}
			}
			// The same port number under several protocols shares one node
			// port, as the API server allocates it.
			for _, other := range spec.Ports[:i] {
				if other.Port == p.Port && other.NodePort != 0 && p.NodePort == 0 {
					p.NodePort = other.NodePort
				}
			}
			if p.NodePort == 0 {
				n, err := fresh()
				if err != nil {
					return err
				}
				p.NodePort = int32(n)
			}
		}
	}
	needsHC := spec.Type == api.ServiceTypeLoadBalancer && spec.ExternalTrafficPolicy == api.TrafficPolicyLocal
	switch {
	case !needsHC:
		spec.HealthCheckNodePort = 0
	case spec.HealthCheckNodePort != 0:
		return take("spec.healthCheckNodePort", int(spec.HealthCheckNodePort))
	default:
		if old != nil && old.Spec.HealthCheckNodePort != 0 {
			spec.HealthCheckNodePort = old.Spec.HealthCheckNodePort
			return nil
		}
		n, err := fresh()
		if err != nil {
			return err
		}
		spec.HealthCheckNodePort = int32(n)
	}
	return nil
}

// IsFull reports whether err is a range exhaustion.
func IsFull(err error) bool { return errors.Is(err, ErrFull) }
