package kubectl

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
)

var waitCommand = &command{
	name:  "wait",
	short: "Wait for a specific condition on one or many resources",
	usage: "kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
	notes: "kubesim lets virtual time pass, one cluster event at a time, until the condition holds\n" +
		"or --timeout (30s by default) has passed.",
	flags: append([]flagDef{
		{long: "for", kind: stringFlag, usage: "The condition to wait on: [delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true."},
		{long: "timeout", kind: durationFlag, def: "30s", usage: "The length of time to wait before giving up.  Zero means check once and don't wait, negative means wait for a week."},
		{long: "selector", short: "l", kind: stringFlag, usage: "Selector (label query) to filter on."},
		{long: "all", kind: boolFlag, def: "false", usage: "Select all resources in the namespace of the specified resource types"},
		{long: "all-namespaces", short: "A", kind: boolFlag, def: "false", usage: "If present, list the requested object(s) across all namespaces."},
	}, fileFlags...),
	run: runWait,
}

// errNoMatch is kubectl wait's answer when nothing matched.
var errNoMatch = errors.New("no matching resources found")

// waitCheck tests an object's JSON value; an error ends the wait.
type waitCheck func(v any) (bool, error)

// runWait follows kubectl wait: it collects the objects first, then waits
// for each in turn against one deadline, stopping at the first failure.
func runWait(c *call) error {
	cond := c.flags.str("for")
	isDelete := strings.EqualFold(cond, "delete")
	var check waitCheck
	if !isDelete {
		var err error
		if check, err = conditionCheck(cond); err != nil {
			return err
		}
	}
	timeout := c.flags.duration("timeout")
	if timeout < 0 {
		timeout = 168 * time.Hour
	}
	sel, err := c.selector()
	if err != nil {
		return err
	}
	// Collect the objects first, as kubectl's resource builder does.
	var objs []found
	if files := c.flags.strs("filename"); len(files) > 0 {
		fobjs, err := c.objectsFromFiles(files)
		if err != nil {
			return err
		}
		for _, o := range fobjs {
			got, err := c.r.Cluster.GetObject(api.RefOf(o.obj))
			if err != nil {
				if isDelete && api.IsNotFound(err) {
					continue
				}
				return err
			}
			objs = append(objs, found{obj: got, info: o.info})
		}
	} else {
		targets, err := parseTargets(c.args)
		if err != nil {
			return err
		}
		if len(targets) == 0 {
			return &usageError{path: c.path, msg: "You must provide one or more resources by argument or filename.\n" +
				"Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"}
		}
		for _, t := range targets {
			if len(t.names) == 0 && !c.flags.bool("all") && c.flags.str("selector") == "" {
				return errNoName
			}
			got, errs := c.fetch(t, sel, c.flags.bool("all-namespaces"))
			for _, e := range errs {
				if !(isDelete && api.IsNotFound(e)) {
					return e
				}
			}
			objs = append(objs, got...)
		}
	}
	if len(objs) == 0 {
		if isDelete {
			return nil
		}
		return errNoMatch
	}
	deadline := c.r.Cluster.Now().Add(timeout)
	for _, f := range objs {
		ref := api.RefOf(f.obj)
		uid := f.obj.GetObjectMeta().UID
		name := f.info.Resource + "/" + ref.Name
		var met func() (bool, error)
		if isDelete {
			met = func() (bool, error) {
				o, err := c.r.Cluster.GetObject(ref)
				return err != nil || o.GetObjectMeta().UID != uid, nil
			}
		} else {
			met = func() (bool, error) {
				o, err := c.r.Cluster.GetObject(ref)
				if err != nil {
					return false, err
				}
				v, err := waitValue(o)
				if err != nil {
					return false, err
				}
				return check(v)
			}
		}
		var checkErr error
		ok := c.r.waitUntil(deadline, func() bool {
			m, err := met()
			if err != nil {
				checkErr = err
				return true
			}
			return m
		})
		switch {
		case checkErr != nil:
			return checkErr
		case ok:
			fmt.Fprintln(c.stdout, qualifiedName(f.info, ref.Name)+" condition met")
		case timeout == 0:
			return fmt.Errorf("condition not met for %s", name)
		default:
			return fmt.Errorf("timed out waiting for the condition on %s", name)
		}
	}
	return nil
}

// conditionCheck parses --for=condition=... and --for=jsonpath=....
func conditionCheck(cond string) (waitCheck, error) {
	switch {
	case strings.HasPrefix(cond, "condition="):
		name, want, ok := strings.Cut(strings.TrimPrefix(cond, "condition="), "=")
		if !ok {
			want = "true"
		}
		return func(v any) (bool, error) { return hasCondition(v, name, want), nil }, nil
	case strings.HasPrefix(cond, "jsonpath="):
		expr := strings.TrimPrefix(cond, "jsonpath=")
		value, matchAny := "", true
		if i := strings.LastIndex(expr, "}"); i >= 0 && i+1 < len(expr) {
			if expr[i+1] != '=' {
				return nil, fmt.Errorf("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'")
			}
			expr, value, matchAny = expr[:i+1], expr[i+2:], false
			if value == "" {
				return nil, errors.New("jsonpath wait value cannot be empty")
			}
			value = strings.Trim(value, `'"`)
		}
		tmpl, err := relaxedJSONPath(expr)
		if err != nil {
			return nil, err
		}
		if tmpl == "" {
			return nil, errors.New("jsonpath expression cannot be empty")
		}
		p, err := parseJSONPath(tmpl)
		if err != nil {
			return nil, err
		}
		return func(v any) (bool, error) {
			res, err := p.find(v)
			if err != nil {
				return false, err
			}
			switch {
			case len(res) == 0 || len(res[0]) == 0:
				return false, nil
			case len(res) > 1:
				return false, errors.New("given jsonpath expression matches more than one list")
			case len(res[0]) > 1:
				return false, errors.New("given jsonpath expression matches more than one value")
			case matchAny:
				return true, nil
			}
			switch res[0][0].(type) {
			case map[string]any, []any:
				return false, errors.New("jsonpath leads to a nested object or list which is not supported")
			}
			return strings.TrimSpace(fmt.Sprint(res[0][0])) == strings.TrimSpace(value), nil
		}, nil
	}
	return nil, fmt.Errorf("unrecognized condition: %q", cond)
}

// hasCondition reports whether status.conditions holds a condition of the
// given type (compared without case) with the given status, and that the
// condition is not older than the object's generation.
func hasCondition(v any, name, want string) bool {
	obj, _ := v.(map[string]any)
	status, _ := obj["status"].(map[string]any)
	conds, _ := status["conditions"].([]any)
	for _, x := range conds {
		cond, _ := x.(map[string]any)
		typ, _ := cond["type"].(string)
		if !strings.EqualFold(typ, name) {
			continue
		}
		st, ok := cond["status"].(string)
		if !ok {
			continue
		}
		meta, _ := obj["metadata"].(map[string]any)
		if gen, ok := meta["generation"].(int64); ok {
			observed, found := cond["observedGeneration"].(int64)
			if !found {
				observed, found = status["observedGeneration"].(int64)
			}
			if found && observed < gen {
				return false
			}
		}
		return strings.EqualFold(st, want)
	}
	return false
}

// waitValue returns the JSON value wait tests. kubesim's deployment
// controller keeps no status conditions, so a deployment gets the Available
// and Progressing conditions its controller would set.
func waitValue(o api.Object) (any, error) {
	v, err := objectValue(o)
	if err != nil {
		return nil, err
	}
	d, ok := o.(*api.Deployment)
	if !ok || len(d.Status.Conditions) > 0 {
		return v, nil
	}
	status, _ := v.(map[string]any)["status"].(map[string]any)
	if status == nil {
		status = map[string]any{}
		v.(map[string]any)["status"] = status
	}
	status["conditions"] = deploymentConditions(d)
	return v, nil
}

// deploymentConditions derives a deployment's conditions as its controller
// sets them: Available once enough replicas are available (the desired
// count less maxUnavailable), Progressing once the new replica set is rolled
// out.
func deploymentConditions(d *api.Deployment) []any {
	want := replicasOf(d.Spec.Replicas)
	var unavailable *api.IntOrString
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil && d.Spec.Strategy.Type != api.RecreateStrategy {
		unavailable = ru.MaxUnavailable
	}
	maxUnavailable := int32(0)
	if d.Spec.Strategy.Type != api.RecreateStrategy {
		maxUnavailable = scaledValue(unavailable, want)
	}
	available := map[string]any{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}
	if d.Status.AvailableReplicas >= want-maxUnavailable {
		available["status"], available["reason"] = "True", "MinimumReplicasAvailable"
	}
	progressing := map[string]any{"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated"}
	st := d.Status
	if st.UpdatedReplicas == want && st.Replicas == want && st.AvailableReplicas == want {
		progressing["reason"] = "NewReplicaSetAvailable"
	}
	return []any{available, progressing}
}

// scaledValue resolves maxUnavailable against the replica count, rounding a
// percentage down, 25% when unset.
func scaledValue(v *api.IntOrString, total int32) int32 {
	if v == nil {
		return total * 25 / 100
	}
	if !v.IsString {
		return v.IntVal
	}
	var pct int32
	if _, err := fmt.Sscanf(v.StrVal, "%d%%", &pct); err != nil {
		return 0
	}
	return total * pct / 100
}

// next runs the next pending event if one is due no later than deadline (the
// zero deadline means none), and reports whether it ran one.
func (r *Runner) next(deadline time.Time) bool {
	at, ok := r.Cluster.NextEventAt()
	if !ok || (!deadline.IsZero() && at.After(deadline)) {
		return false
	}
	return r.Cluster.Step()
}

// waitUntil steps the cluster event by event until done holds, as a watch
// sees every change. When nothing more is due by the deadline, the clock
// runs to the deadline, as a blocked kubectl would sit there. It reports
// whether done held in time.
func (r *Runner) waitUntil(deadline time.Time, done func() bool) bool {
	for !done() {
		if !r.next(deadline) {
			if now := r.Cluster.Now(); now.Before(deadline) {
				r.Cluster.Advance(deadline.Sub(now))
			}
			return done()
		}
	}
	return true
}
