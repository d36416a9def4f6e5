// Package namespace runs the namespace lifecycle: a deleted namespace turns
// Terminating, everything in it is deleted (pods gracefully), and once it is
// empty the namespace itself goes. The namespaces a cluster is born with are
// listed here too, with the ones the API server refuses to delete.
package namespace

import (
	"slices"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/controller"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

// Initial lists the namespaces of a fresh cluster, in creation order.
var Initial = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// Controller is the namespace controller.
type Controller struct {
	loop  *sim.Loop
	store *store.Store
	queue *controller.Queue
}

// Start registers the namespace controller on st; it acts latency after a
// namespace turns Terminating or an object in one goes.
func Start(loop *sim.Loop, st *store.Store, latency time.Duration) *Controller {
	c := &Controller{loop: loop, store: st}
	c.queue = controller.NewQueue(loop, latency, c.sync)
	st.Watch(c.onNamespace, api.KindNamespace)
	var namespaced []api.Kind
	for _, k := range api.Kinds {
		if info, _ := api.InfoFor(k); info.Namespaced {
			namespaced = append(namespaced, k)
		}
	}
	st.Watch(c.onContent, namespaced...)
	return c
}

func (c *Controller) onNamespace(ev store.Event) {
	ns := ev.Object.(*api.Namespace)
	if ev.Type != store.Deleted && ns.Status.Phase == api.NamespaceTerminating {
		c.queue.Add(ns.Name)
	}
}

func (c *Controller) onContent(ev store.Event) {
	if ev.Type != store.Deleted {
		return
	}
	ns := ev.Object.GetObjectMeta().Namespace
	if o, ok := c.store.Peek(api.Ref{Kind: api.KindNamespace, Name: ns}).(*api.Namespace); ok && o.Status.Phase == api.NamespaceTerminating {
		c.queue.Add(ns)
	}
}

// deletionOrder deletes workloads before what they own and services before
// their endpoints, so the cascade reads as it does on a real cluster.
var deletionOrder = []api.Kind{
	api.KindDeployment, api.KindReplicaSet, api.KindPod, api.KindService,
	api.KindEndpoints, api.KindEndpointSlice,
}

func (c *Controller) sync(name string) {
	ref := api.Ref{Kind: api.KindNamespace, Name: name}
	ns, ok := c.store.Peek(ref).(*api.Namespace)
	if !ok || ns.Status.Phase != api.NamespaceTerminating {
		return
	}
	remaining := 0
	kinds := slices.Clone(deletionOrder)
	for _, k := range api.Kinds {
		if info, _ := api.InfoFor(k); info.Namespaced && !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		for _, o := range c.store.List(k, name, api.Everything()) {
			remaining++
			if o.GetObjectMeta().DeletionTimestamp == nil {
				_ = c.store.Delete(api.RefOf(o), store.DeleteOptions{})
			}
		}
	}
	if remaining == 0 {
		c.store.Remove(ref)
	}
}
