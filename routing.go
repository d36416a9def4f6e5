package kubesim

import (
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/proxy"
)

// RulesFor returns the rules a node's kube-proxy would have programmed in mode
// m for one IP family, whatever mode the cluster runs: the same cluster seen
// through iptables, nftables or IPVS.
func (c *Cluster) RulesFor(node string, m proxy.Mode, fam api.IPFamily) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.node(node)
	if err != nil {
		return "", err
	}
	return n.RulesFor(m, fam), nil
}

// SetProxySyncLatency sets how long one node's kube-proxy takes to sync,
// overriding Config.Proxy.SyncLatency for it: a slow node keeps routing to
// what it knew for longer.
func (c *Cluster) SetProxySyncLatency(node string, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.node(node); err != nil {
		return err
	}
	c.proxy.SetSyncLatency(node, d)
	return nil
}
