package api

// ServiceCIDR is a networking.k8s.io/v1 ServiceCIDR: an extra range (or a pair,
// one per family) from which cluster IPs may be allocated.
type ServiceCIDR struct {
	TypeMeta   `json:",inline"`
	ObjectMeta `json:"metadata,omitzero"`
	Spec       ServiceCIDRSpec   `json:"spec,omitzero"`
	Status     ServiceCIDRStatus `json:"status,omitzero"`
}

// ServiceCIDRSpec lists at most one CIDR per IP family.
type ServiceCIDRSpec struct {
	CIDRs []string `json:"cidrs,omitempty"`
}

// ServiceCIDRStatus reports the range's Ready condition.
type ServiceCIDRStatus struct {
	Conditions []PodCondition `json:"conditions,omitempty"`
}
