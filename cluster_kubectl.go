package kubesim

import "time"

// NextEventAt returns when the earliest pending event is due, and false when
// nothing is pending. Commands that wait, such as kubectl wait and rollout
// status, step the cluster one event at a time to see every state a watch
// would see, and use this to stop at their deadline instead of stepping past
// it.
func (c *Cluster) NextEventAt() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loop.NextAt()
}
