// Package ipam hands out the cluster's addresses as Kubernetes does: cluster IPs
// at random from the service ranges (requested ones honoured or refused), node
// ports at random from the node-port range, pod ranges carved per node from the
// cluster CIDR, and pod IPs in sequence from each node's range, as the
// host-local CNI plugin gives them.
//
// Every random choice comes from a *rand.Rand the caller passes in, so the same
// seed gives the same addresses. Exhaustion is an error, never a duplicate.
package ipam
