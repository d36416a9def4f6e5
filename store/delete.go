package store

import (
	"time"

	"github.com/kubesim/kubesim/api"
)

// DeleteOptions tune a delete.
type DeleteOptions struct {
	// GracePeriodSeconds overrides a pod's terminationGracePeriodSeconds; 0
	// removes the pod at once, as `kubectl delete --grace-period=0 --force`.
	GracePeriodSeconds *int64
}

// protectedNamespaces cannot be deleted, as the API server refuses.
var protectedNamespaces = map[string]bool{"default": true, "kube-system": true, "kube-public": true}

// Delete deletes an object as the API server does. Pods are deleted gracefully:
// they get a deletionTimestamp and stay, terminating, until their kubelet
// removes them with Remove. Namespaces turn Terminating and are removed by the
// namespace controller once empty. Other objects go at once; their dependents are
// left to the garbage collector.
func (s *Store) Delete(ref api.Ref, opts DeleteOptions) error {
	o, err := s.Get(ref)
	if err != nil {
		return err
	}
	switch o := o.(type) {
	case *api.Namespace:
		if protectedNamespaces[ref.Name] {
			return &api.ForbiddenError{Resource: "namespaces", Name: ref.Name, Message: "this namespace may not be deleted"}
		}
		if o.DeletionTimestamp != nil {
			return nil
		}
		n := o.DeepCopy()
		now := api.NewTime(s.loop.Now())
		n.DeletionTimestamp = &now
		n.Status.Phase = api.NamespaceTerminating
		s.replace(n, o, "terminating")
		return nil
	case *api.Pod:
		grace := int64(30)
		if o.Spec.TerminationGracePeriodSeconds != nil {
			grace = *o.Spec.TerminationGracePeriodSeconds
		}
		if opts.GracePeriodSeconds != nil {
			grace = *opts.GracePeriodSeconds
		}
		// A pod no kubelet runs (never scheduled, or finished) has nothing to
		// stop: the API server deletes it at once.
		if o.Spec.NodeName == "" || o.Status.Phase == api.PodSucceeded || o.Status.Phase == api.PodFailed {
			grace = 0
		}
		if grace <= 0 {
			s.Remove(ref)
			return nil
		}
		requested := s.loop.Now()
		if o.DeletionTimestamp != nil && o.DeletionGracePeriodSeconds != nil {
			if *o.DeletionGracePeriodSeconds <= grace {
				return nil
			}
			// A shorter grace period counts from the first request, as the
			// API server recomputes the deadline.
			requested = o.DeletionTimestamp.Add(-time.Duration(*o.DeletionGracePeriodSeconds) * time.Second)
		}
		n := o.DeepCopy()
		at := api.NewTime(requested.Add(time.Duration(grace) * time.Second))
		if now := s.loop.Now(); at.Before(now) {
			// The new deadline has passed already: the API server makes it
			// now, with a grace of one second.
			at, grace = api.NewTime(now), 1
		}
		n.DeletionTimestamp = &at
		n.DeletionGracePeriodSeconds = &grace
		s.replace(n, o, "terminating")
		return nil
	}
	s.Remove(ref)
	return nil
}

// Remove takes an object out of the store at once: the end of a graceful
// delete, or a delete with no grace.
func (s *Store) Remove(ref api.Ref) {
	ks := s.kinds[ref.Kind]
	key := nsName{ref.Namespace, ref.Name}
	o, ok := ks.objs[key]
	if !ok {
		return
	}
	delete(ks.objs, key)
	s.unindex(o)
	for _, pl := range s.plugins {
		pl.Removed(o)
	}
	s.trace(ref, "deleted")
	s.notify(ref.Kind, Event{Type: Deleted, Object: o})
}
