package kubectl

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// resourceKinds lists the kinds kubectl can name here, in the order `kubectl
// api-resources` lists them.
var resourceKinds = []api.Kind{
	api.KindEndpoints, api.KindNamespace, api.KindNode, api.KindPod, api.KindService,
	api.KindDeployment, api.KindReplicaSet, api.KindEndpointSlice,
}

// allKinds are the kinds `kubectl get all` covers that kubesim stores: the
// "all" category holds pods, services, daemonsets, deployments, replicasets,
// statefulsets, jobs and cronjobs, listed in that order.
var allKinds = []api.Kind{api.KindPod, api.KindService, api.KindDeployment, api.KindReplicaSet}

// singular returns the lower-case kind, the singular name kubectl accepts.
func singular(info api.KindInfo) string { return strings.ToLower(string(info.Kind)) }

// kindName renders a kind as kubectl's messages name it: the lower-case kind
// and its group, "deployment.apps", or "service" in the core group.
func kindName(info api.KindInfo) string {
	if info.Group == "" {
		return singular(info)
	}
	return singular(info) + "." + info.Group
}

// qualifiedName is "deployment.apps/web", as apply, scale and wait print.
func qualifiedName(info api.KindInfo, name string) string { return kindName(info) + "/" + name }

// noResourceError is the error of a resource type the server does not have.
type noResourceError struct{ name string }

func (e *noResourceError) Error() string {
	return fmt.Sprintf("the server doesn't have a resource type %q", e.name)
}

// lookupResource resolves a resource type as kubectl's REST mapper does:
// plural, singular, short name or kind, in any case, optionally qualified by
// group ("deployments.apps") or version and group ("deployments.v1.apps").
func lookupResource(name string) (api.KindInfo, error) {
	lower := strings.ToLower(name)
	res, group, _ := strings.Cut(lower, ".")
	if v, g, ok := strings.Cut(group, "."); ok && len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		group = g
	}
	for _, k := range resourceKinds {
		info, _ := api.InfoFor(k)
		if group != "" && group != info.Group {
			continue
		}
		if res == info.Resource || res == singular(info) {
			return info, nil
		}
		for _, s := range info.ShortNames {
			if res == s {
				return info, nil
			}
		}
	}
	return api.KindInfo{}, &noResourceError{name: name}
}

// target is what one argument group of a command names: a kind, and either
// names or (with no names) every object a selector picks.
type target struct {
	info  api.KindInfo
	names []string
	// slash reports the TYPE/NAME form, which changes some messages.
	slash bool
}

// parseTargets reads kubectl's resource arguments: either TYPE[,TYPE...]
// followed by names, or only TYPE/NAME arguments. "all" stands for the kinds
// of the all category where a type list is allowed.
func parseTargets(args []string) ([]target, error) {
	if len(args) == 0 {
		return nil, nil
	}
	slashes := 0
	for _, a := range args {
		if strings.Contains(a, "/") {
			slashes++
		}
	}
	if slashes > 0 {
		if slashes != len(args) {
			return nil, fmt.Errorf("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'")
		}
		var out []target
		for _, a := range args {
			typ, name, _ := strings.Cut(a, "/")
			if typ == "" || name == "" || strings.Contains(name, "/") {
				return nil, fmt.Errorf("arguments in resource/name form must have a single resource and name")
			}
			info, err := lookupResource(typ)
			if err != nil {
				return nil, err
			}
			out = append(out, target{info: info, names: []string{name}, slash: true})
		}
		return out, nil
	}
	var out []target
	for _, typ := range strings.Split(args[0], ",") {
		if typ == "" {
			continue
		}
		if strings.EqualFold(typ, "all") {
			for _, k := range allKinds {
				info, _ := api.InfoFor(k)
				out = append(out, target{info: info, names: args[1:]})
			}
			continue
		}
		info, err := lookupResource(typ)
		if err != nil {
			return nil, err
		}
		out = append(out, target{info: info, names: args[1:]})
	}
	return out, nil
}

// multipleKinds reports whether targets span more than one kind, which makes
// kubectl prefix names with their kind.
func multipleKinds(ts []target) bool {
	for _, t := range ts {
		if t.info.Kind != ts[0].info.Kind {
			return true
		}
	}
	return false
}
