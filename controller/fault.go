package controller

import (
	"time"

	"github.com/kubesim/kubesim/api"
)

// Fault-injection hooks for the endpoints controllers. They only add
// behaviour: a Manager on which they are never called behaves as before.

// SetEndpointsWatchFault changes how the endpoints and endpoint-slice
// controllers receive their watch events, as a slow or broken informer would:
// each change reaches them extra later than their configured latency, and
// when drop is not nil, a change for which drop(key) returns true (key is the
// service's "namespace/name") is lost, so that the controller never syncs
// that service for it. Changes coalesce per service as in the controllers'
// work queues, so a drop loses every change waiting for that service. A
// zero extra and a nil drop restore normal delivery; call ResyncEndpoints
// afterwards to model the relist that follows a broken watch.
//
// A change of extra applies to changes that arrive from then on; those
// already waiting keep their time, and the queues stay first in, first out.
func (m *Manager) SetEndpointsWatchFault(extra time.Duration, drop func(controller, key string) bool) {
	m.endpoints.queue.delay = m.cfg.Latencies.Endpoints + max(extra, 0)
	m.slices.queue.delay = m.cfg.Latencies.EndpointSlice + max(extra, 0)
	m.endpoints.queue.handle = m.endpoints.sync
	m.slices.queue.handle = m.slices.sync
	if drop == nil {
		return
	}
	m.endpoints.queue.handle = func(key string) {
		if !drop("endpoint-controller", key) {
			m.endpoints.sync(key)
		}
	}
	m.slices.queue.handle = func(key string) {
		if !drop("endpointslice-controller", key) {
			m.slices.sync(key)
		}
	}
}

// ResyncEndpoints makes both endpoints controllers sync every service again,
// as they do when their informers relist: whatever a lost watch event left
// stale is brought up to date.
func (m *Manager) ResyncEndpoints() {
	for _, o := range m.store.List(api.KindService, "", api.Everything()) {
		meta := o.GetObjectMeta()
		m.endpoints.queue.Add(key(meta.Namespace, meta.Name))
		m.slices.queue.Add(key(meta.Namespace, meta.Name))
	}
}
