// Package store plays the Kubernetes API server's part in kubesim: it keeps every
// object, assigns uid, resourceVersion, generation and creationTimestamp, applies
// defaults and validation, runs admission plugins (such as cluster IP and node
// port allocation), handles graceful deletion, and tells watchers of every change.
//
// Objects handed out by the store and carried in watch events are shared and must
// be treated as read-only: the store never changes a stored object in place, it
// replaces it, so a watcher may keep the pointer it was given as a snapshot.
// Callers that want to edit an object take a DeepCopy first.
//
// Watchers are called synchronously, in registration order, inside the store
// call that made the change. They must not call back into the store; they record
// the change and schedule their reaction on the event loop. That rule is what
// keeps every run deterministic: the order of events is the order of calls.
package store
