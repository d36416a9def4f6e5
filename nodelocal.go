package kubesim

import (
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/dns"
)

// nodeCache returns the NodeLocal DNSCache of the pod's node, creating it on
// first use, or nil when the cluster does not run it. Called with c.mu held.
func (c *Cluster) nodeCache(p *api.Pod) *dns.NodeCache {
	if !c.cfg.NodeLocalDNSCache || p.Spec.NodeName == "" {
		return nil
	}
	if nc := c.caches[p.Spec.NodeName]; nc != nil {
		return nc
	}
	if c.caches == nil {
		c.caches = make(map[string]*dns.NodeCache)
	}
	nc := dns.NewNodeCache(p.Status.HostIP)
	c.caches[p.Spec.NodeName] = nc
	return nc
}
