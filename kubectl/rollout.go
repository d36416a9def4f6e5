package kubectl

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/kubesim/kubesim/api"
)

var scaleCommand = &command{
	name:  "scale",
	short: "Set a new size for a deployment or replica set",
	usage: "kubectl scale [--current-replicas=count] --replicas=COUNT (-f FILENAME | TYPE NAME)",
	flags: append([]flagDef{
		{long: "replicas", kind: intFlag, def: "-1", usage: "The new desired number of replicas. Required."},
		{long: "current-replicas", kind: intFlag, def: "-1", usage: "Precondition for current size. Requires that the current size of the resource match this value in order to scale."},
		{long: "selector", short: "l", kind: stringFlag, usage: "Selector (label query) to filter on."},
		{long: "all", kind: boolFlag, def: "false", usage: "Select all resources in the namespace of the specified resource types"},
	}, fileFlags...),
	run: runScale,
}

// runScale sets spec.replicas of each deployment or replica set named.
func runScale(c *call) error {
	if !c.flags.changed("replicas") {
		return errors.New(`required flag(s) "replicas" not set`)
	}
	replicas := c.flags.int("replicas")
	if replicas < 0 {
		return errors.New("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
	}
	objs, err := c.resolve()
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		return errors.New("no objects passed to scale")
	}
	var errs errorList
	for _, f := range objs {
		n := int32(replicas)
		var updated api.Object
		switch o := f.obj.(type) {
		case *api.Deployment:
			if cur := c.flags.int("current-replicas"); cur >= 0 && int32(cur) != replicasOf(o.Spec.Replicas) {
				errs = append(errs, preconditionError(cur, replicasOf(o.Spec.Replicas)))
				continue
			}
			d := o.DeepCopy()
			d.Spec.Replicas = &n
			updated = d
		case *api.ReplicaSet:
			if cur := c.flags.int("current-replicas"); cur >= 0 && int32(cur) != replicasOf(o.Spec.Replicas) {
				errs = append(errs, preconditionError(cur, replicasOf(o.Spec.Replicas)))
				continue
			}
			rs := o.DeepCopy()
			rs.Spec.Replicas = &n
			updated = rs
		default:
			errs = append(errs, &statusError{reason: "NotFound", msg: "the server could not find the requested resource"})
			continue
		}
		if _, err := c.r.Cluster.Update(updated); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintln(c.stdout, qualifiedName(f.info, f.obj.GetObjectMeta().Name)+" scaled")
	}
	return errs.result()
}

func preconditionError(want int, have int32) error {
	return fmt.Errorf("Expected replicas to be %d, was %d", want, have)
}

// resolve returns the objects named by -f, TYPE NAME..., TYPE/NAME..., or
// TYPE with -l or --all, for commands that act on existing objects.
func (c *call) resolve() ([]found, error) {
	if files := c.flags.strs("filename"); len(files) > 0 {
		if len(c.args) > 0 {
			return nil, errFilesAndArgs
		}
		fobjs, err := c.objectsFromFiles(files)
		if err != nil {
			return nil, err
		}
		var out []found
		for _, o := range fobjs {
			got, err := c.r.Cluster.GetObject(api.RefOf(o.obj))
			if err != nil {
				return nil, withSource("getting", o.source, err)
			}
			out = append(out, found{obj: got, info: o.info})
		}
		return out, nil
	}
	targets, err := parseTargets(c.args)
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, &usageError{path: c.path, msg: "You must provide one or more resources by argument or filename.\n" +
			"Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'"}
	}
	sel, err := c.selector()
	if err != nil {
		return nil, err
	}
	selecting := c.flags.str("selector") != "" || c.flags.bool("all")
	var out []found
	for _, t := range targets {
		if len(t.names) == 0 && !selecting {
			return nil, errNoName
		}
		got, errs := c.fetch(t, sel, false)
		if len(errs) > 0 {
			return nil, errs[0]
		}
		out = append(out, got...)
	}
	return out, nil
}

var rolloutRestartCommand = &command{
	name:  "rollout restart",
	short: "Restart a resource",
	usage: "kubectl rollout restart RESOURCE",
	notes: "Sets the pod template annotation kubectl.kubernetes.io/restartedAt to the virtual time,\nwhich starts a rolling update.",
	flags: append([]flagDef{
		{long: "selector", short: "l", kind: stringFlag, usage: "Selector (label query) to filter on."},
	}, fileFlags...),
	run: func(c *call) error {
		objs, err := c.resolve()
		if err != nil {
			return err
		}
		if len(objs) == 0 {
			return errors.New("required resource not specified")
		}
		var errs errorList
		for _, f := range objs {
			d, ok := f.obj.(*api.Deployment)
			if !ok {
				errs = append(errs, fmt.Errorf("error: %s %q restarting is not supported", f.info.GroupResource(), f.obj.GetObjectMeta().Name))
				continue
			}
			if d.Spec.Paused {
				errs = append(errs, fmt.Errorf("error: %s %q can't restart paused deployment (run rollout resume first)", f.info.GroupResource(), d.Name))
				continue
			}
			n := d.DeepCopy()
			n.Spec.Template.Annotations = maps.Clone(n.Spec.Template.Annotations)
			if n.Spec.Template.Annotations == nil {
				n.Spec.Template.Annotations = map[string]string{}
			}
			n.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] = c.r.Cluster.Now().Format(time.RFC3339)
			if _, err := c.r.Cluster.Update(n); err != nil {
				errs = append(errs, fmt.Errorf("failed to patch: %v", err))
				continue
			}
			fmt.Fprintln(c.stdout, qualifiedName(f.info, d.Name)+" restarted")
		}
		return errs.result()
	},
}

var rolloutStatusCommand = &command{
	name:  "rollout status",
	short: "Show the status of the rollout",
	usage: "kubectl rollout status (TYPE NAME | TYPE/NAME) [flags]",
	notes: "kubesim lets virtual time pass, one cluster event at a time, printing kubectl's status line\n" +
		"on every change of the deployment, until the rollout is done. With no --timeout it gives up\n" +
		"when the simulated cluster has nothing left to do, where kubectl would wait forever.",
	flags: append([]flagDef{
		{long: "watch", short: "w", kind: boolFlag, def: "true", usage: "Watch the status of the rollout until it's done."},
		{long: "timeout", kind: durationFlag, def: "0s", usage: "The length of time to wait before ending watch, zero means never."},
		{long: "revision", kind: intFlag, def: "0", usage: "Pin to a specific revision for showing its status. Defaults to 0 (last revision)."},
	}, fileFlags...),
	run: runRolloutStatus,
}

// runRolloutStatus prints the status viewer's line for the deployment as it
// is, then again at every change of the deployment, until it is done.
func runRolloutStatus(c *call) error {
	if len(c.args) == 0 && len(c.flags.strs("filename")) == 0 {
		return errors.New("required resource not specified")
	}
	objs, err := c.resolve()
	if err != nil {
		return err
	}
	if len(objs) != 1 {
		return fmt.Errorf("rollout status is only supported on individual resources and resource collections - %d resources were found", len(objs))
	}
	f := objs[0]
	if _, ok := f.obj.(*api.Deployment); !ok {
		kind := string(f.info.Kind)
		if f.info.Group != "" {
			kind += "." + f.info.Group
		}
		return fmt.Errorf("no status viewer has been implemented for %s", kind)
	}
	ref := api.RefOf(f.obj)
	var deadline time.Time
	if t := c.flags.duration("timeout"); t > 0 {
		deadline = c.r.Cluster.Now().Add(t)
	}
	lastRV := ""
	for {
		o, err := c.r.Cluster.GetObject(ref)
		if err != nil {
			return errors.New("object has been deleted")
		}
		d := o.(*api.Deployment)
		if d.ResourceVersion != lastRV {
			lastRV = d.ResourceVersion
			msg, done, err := rolloutStatus(d)
			if err != nil {
				return err
			}
			fmt.Fprint(c.stdout, msg)
			if done || !c.flags.bool("watch") {
				return nil
			}
		}
		if !c.r.next(deadline) {
			if deadline.IsZero() {
				return fmt.Errorf("deployment %q cannot finish its rollout: the simulated cluster has nothing left to do", d.Name)
			}
			if now := c.r.Cluster.Now(); now.Before(deadline) {
				c.r.Cluster.Advance(deadline.Sub(now))
			}
			return errors.New("timed out waiting for the condition")
		}
	}
}

// rolloutStatus is kubectl's DeploymentStatusViewer: the line to print and
// whether the rollout is done.
func rolloutStatus(d *api.Deployment) (string, bool, error) {
	if d.Generation > d.Status.ObservedGeneration {
		return "Waiting for deployment spec update to be observed...\n", false, nil
	}
	want := replicasOf(d.Spec.Replicas)
	st := d.Status
	switch {
	case st.UpdatedReplicas < want:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...\n", d.Name, st.UpdatedReplicas, want), false, nil
	case st.Replicas > st.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...\n", d.Name, st.Replicas-st.UpdatedReplicas), false, nil
	case st.AvailableReplicas < st.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...\n", d.Name, st.AvailableReplicas, st.UpdatedReplicas), false, nil
	}
	return fmt.Sprintf("deployment %q successfully rolled out\n", d.Name), true, nil
}
