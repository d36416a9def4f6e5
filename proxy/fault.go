package proxy

import (
	"slices"
	"strconv"
	"time"
)

// Fault-injection hooks. They only add behaviour: a Proxy on which they are
// never called behaves exactly as before.

// stateStalled marks a node whose sync loop hangs: no sync event is pending
// for it and none starts until Resume.
const stateStalled uint8 = 100

// Stall freezes the named node's kube-proxy as if its sync loop hung (an
// iptables-restore stuck on the xtables lock, say): a sync in progress never
// completes, no new sync starts, and the node keeps routing with the rules of
// its last completed sync while the other nodes move on. The history the
// node still reads is kept. Stall reports whether it stalled the node: false
// for an unknown node or one already stalled.
//
// A stalled node is a new *Node value: a pointer obtained earlier from
// Proxy.Node keeps the pre-stall object, which no longer syncs.
func (p *Proxy) Stall(node string) bool {
	n := p.nodes[node]
	if n == nil || n.state == stateStalled {
		return false
	}
	// The old value's pending sync and cooldown events must come to nothing,
	// and the loop offers no way to cancel them: retire it (its events check
	// deleted) and carry on with a copy that has no event pending.
	c := new(Node)
	*c = *n
	n.deleted = true
	p.idle = slices.DeleteFunc(p.idle, func(x *Node) bool { return x == n })
	c.state = stateStalled
	p.nodes[node] = c
	p.loop.Record("proxy", "node/"+node, "sync stalled at v"+strconv.FormatUint(c.ver, 10))
	return true
}

// Resume ends a stall: the node's kube-proxy starts a full sync at once,
// reading every change made meanwhile, as a restarted kube-proxy does. It
// reports whether the node was stalled.
func (p *Proxy) Resume(node string) bool {
	n := p.nodes[node]
	if n == nil || n.state != stateStalled {
		return false
	}
	n.state = stateIdle
	p.loop.Record("proxy", "node/"+node, "sync resumed at v"+strconv.FormatUint(n.ver, 10)+" (cluster at v"+strconv.FormatUint(p.ver, 10)+")")
	n.startSync()
	return true
}

// Stalled reports whether the named node's kube-proxy is stalled.
func (p *Proxy) Stalled(node string) bool {
	n := p.nodes[node]
	return n != nil && n.state == stateStalled
}

// SyncLatency returns how long the named node's syncs take: its
// SetSyncLatency override, else Config.SyncLatency.
func (p *Proxy) SyncLatency(node string) time.Duration {
	if d, ok := p.latency[node]; ok {
		return d
	}
	return p.cfg.SyncLatency
}
