package ipam

import (
	"fmt"
	"net/netip"

	"github.com/kubesim/kubesim/api"
)

// Nodes gives each node its pod range, as the controller manager's node IPAM
// does, and keeps each node's pod address allocator. As a store admission
// plugin it fills in spec.podCIDR(s) of a Node created without one.
type Nodes struct {
	carvers []*NodeCIDRs // one per cluster CIDR (family)
	pods    map[string][]*PodIPs
}

// NewNodes returns node IPAM over the cluster CIDRs (one per family), carving
// ranges of maskBits4 bits for IPv4 and maskBits6 for IPv6.
func NewNodes(clusterCIDRs []netip.Prefix, maskBits4, maskBits6 int) (*Nodes, error) {
	n := &Nodes{pods: make(map[string][]*PodIPs)}
	for _, c := range clusterCIDRs {
		bits := maskBits4
		if c.Addr().Is6() {
			bits = maskBits6
		}
		cv, err := NewNodeCIDRs(c, bits)
		if err != nil {
			return nil, err
		}
		n.carvers = append(n.carvers, cv)
	}
	return n, nil
}

// PodIPs returns the allocators of a node's pod ranges, primary family first;
// nil for a node the plugin has not seen.
func (n *Nodes) PodIPs(node string) []*PodIPs { return n.pods[node] }

// Admit assigns pod ranges to a new Node that has none.
func (n *Nodes) Admit(obj, old api.Object) error {
	node, ok := obj.(*api.Node)
	if !ok {
		return nil
	}
	if old != nil {
		on := old.(*api.Node)
		if len(node.Spec.PodCIDRs) == 0 && node.Spec.PodCIDR == "" {
			node.Spec.PodCIDR, node.Spec.PodCIDRs = on.Spec.PodCIDR, on.Spec.PodCIDRs
		}
		return nil
	}
	if len(node.Spec.PodCIDRs) == 0 && node.Spec.PodCIDR != "" {
		node.Spec.PodCIDRs = []string{node.Spec.PodCIDR}
	}
	if len(node.Spec.PodCIDRs) > 0 {
		for i, c := range node.Spec.PodCIDRs {
			p, err := netip.ParsePrefix(c)
			if err != nil {
				return &api.InvalidError{Kind: api.KindNode, Name: node.Name, Causes: []api.FieldError{{
					Type: api.ErrorTypeInvalid, Field: fmt.Sprintf("spec.podCIDRs[%d]", i), BadValue: c, Detail: "must be a valid CIDR"}}}
			}
			for _, cv := range n.carvers {
				cv.Reserve(p.Masked())
			}
		}
		return nil
	}
	for _, cv := range n.carvers {
		p, err := cv.Next()
		if err != nil {
			return err
		}
		node.Spec.PodCIDRs = append(node.Spec.PodCIDRs, p.String())
	}
	if len(node.Spec.PodCIDRs) > 0 {
		node.Spec.PodCIDR = node.Spec.PodCIDRs[0]
	}
	return nil
}

// Commit starts the pod allocators of a new node.
func (n *Nodes) Commit(obj, old api.Object) {
	node, ok := obj.(*api.Node)
	if !ok || old != nil {
		return
	}
	var pools []*PodIPs
	for _, c := range node.Spec.PodCIDRs {
		if p, err := netip.ParsePrefix(c); err == nil {
			pools = append(pools, NewPodIPs(p))
		}
	}
	n.pods[node.Name] = pools
}

// Abort has nothing to undo: a carved range that was not used stays carved,
// which wastes a range but never duplicates one.
func (n *Nodes) Abort(obj, old api.Object) {}

// Removed forgets a deleted node's allocators.
func (n *Nodes) Removed(obj api.Object) {
	if node, ok := obj.(*api.Node); ok {
		delete(n.pods, node.Name)
	}
}
