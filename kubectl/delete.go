package kubectl

import (
	"fmt"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/store"
)

var deleteCommand = &command{
	name:  "delete",
	short: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
	usage: "kubectl delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [flags]",
	notes: "As kubectl does by default (--wait=true), delete lets virtual time pass until the\n" +
		"deleted objects are gone: a pod for its graceful termination.",
	flags: append([]flagDef{
		{long: "selector", short: "l", kind: stringFlag, usage: "Selector (label query) to filter on."},
		{long: "all", kind: boolFlag, def: "false", usage: "Delete all resources, in the namespace of the specified resource types."},
		{long: "all-namespaces", short: "A", kind: boolFlag, def: "false", usage: "If present, list the requested object(s) across all namespaces."},
		{long: "grace-period", kind: intFlag, def: "-1", usage: "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion)."},
		{long: "now", kind: boolFlag, def: "false", usage: "If true, resources are signaled for immediate shutdown (same as --grace-period=1)."},
		{long: "force", kind: boolFlag, def: "false", usage: "If true, immediately remove resources from API and bypass graceful deletion."},
		{long: "wait", kind: boolFlag, def: "true", usage: "If true, wait for resources to be gone before returning."},
		{long: "timeout", kind: durationFlag, def: "0s", usage: "The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object"},
		{long: "ignore-not-found", kind: boolFlag, def: "false", usage: "Treat \"resource not found\" as a successful delete. Defaults to \"true\" when --all is specified."},
		{long: "output", short: "o", kind: stringFlag, usage: "Output mode. Use \"-o name\" for shorter output (resource/name)."},
		dryRunFlag,
	}, fileFlags...),
	run: runDelete,
}

// runDelete follows kubectl delete: it resolves every target first, deletes
// each (continuing past errors), then waits for the deleted objects to go.
func runDelete(c *call) error {
	grace := c.flags.int("grace-period")
	force := c.flags.bool("force")
	if c.flags.bool("now") {
		if grace != -1 {
			return fmt.Errorf("--now and --grace-period cannot be specified together")
		}
		grace = 1
	}
	if grace == 0 && !force {
		// kubectl turns --grace-period=0 into 1 unless --force says otherwise.
		grace = 1
	}
	if force && grace < 0 {
		grace = 0
	}
	dryRun, err := c.dryRun()
	if err != nil {
		return err
	}
	output := c.flags.str("output")
	if output != "" && output != "name" {
		return fmt.Errorf("unexpected -o output mode: %v. We only support '-o name'", output)
	}
	deleteAll := c.flags.bool("all")
	selector := c.flags.str("selector")
	if deleteAll && selector != "" {
		return fmt.Errorf("cannot set --all and --selector at the same time")
	}
	switch {
	case grace == 0 && force:
		fmt.Fprintln(c.stderr, "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.")
	case grace > 0 && force:
		return fmt.Errorf("--force and --grace-period greater than 0 cannot be specified together")
	}
	ignoreNotFound := c.flags.bool("ignore-not-found")
	if (deleteAll || selector != "") && !c.flags.changed("ignore-not-found") {
		ignoreNotFound = true
	}
	sel, err := c.selector()
	if err != nil {
		return err
	}
	allNS := c.flags.bool("all-namespaces")

	// Find what to delete, in kubectl's order, before deleting anything.
	type victim struct {
		ref    api.Ref
		info   api.KindInfo
		source string
	}
	var victims []victim
	if files := c.flags.strs("filename"); len(files) > 0 {
		if len(c.args) > 0 {
			return errFilesAndArgs
		}
		objs, err := c.objectsFromFiles(files)
		if err != nil {
			return err
		}
		for _, o := range objs {
			victims = append(victims, victim{ref: api.RefOf(o.obj), info: o.info, source: o.source})
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
		if named(targets) && (deleteAll || selector != "") {
			return errNameAndSelect
		}
		for _, t := range targets {
			if len(t.names) == 0 && !deleteAll && selector == "" {
				return errNoName
			}
			if len(t.names) > 0 {
				for _, n := range t.names {
					victims = append(victims, victim{ref: api.Ref{Kind: t.info.Kind, Namespace: c.objectNS(t.info, false), Name: n}, info: t.info})
				}
				continue
			}
			for _, o := range c.r.Cluster.List(t.info.Kind, c.objectNS(t.info, allNS), sel) {
				victims = append(victims, victim{ref: api.RefOf(o), info: t.info})
			}
		}
	}

	var errs errorList
	type gone struct {
		ref api.Ref
		uid string
	}
	var waitFor []gone
	found := 0
	warned := false
	for _, v := range victims {
		obj, err := c.r.Cluster.GetObject(v.ref)
		if err != nil {
			if !(ignoreNotFound && api.IsNotFound(err)) {
				errs = append(errs, withSource("deleting", v.source, err))
			}
			continue
		}
		if c.nsSet && !allNS && !v.info.Namespaced && !warned {
			fmt.Fprintln(c.stderr, "Warning: deleting cluster-scoped resources, not scoped to the provided namespace")
			warned = true
		}
		if dryRun == "" {
			var opts store.DeleteOptions
			if grace >= 0 {
				g := int64(grace)
				opts.GracePeriodSeconds = &g
			}
			if err := c.r.Cluster.DeleteWith(v.ref, opts); err != nil {
				errs = append(errs, withSource("deleting", v.source, err))
				continue
			}
			waitFor = append(waitFor, gone{ref: v.ref, uid: obj.GetObjectMeta().UID})
		}
		found++
		operation := "deleted"
		if grace == 0 {
			operation = "force deleted"
		}
		if output == "name" {
			fmt.Fprintln(c.stdout, qualifiedName(v.info, v.ref.Name))
		} else {
			fmt.Fprintf(c.stdout, "%s %q %s%s\n", kindName(v.info), v.ref.Name, operation, dryRun)
		}
	}
	if found == 0 && len(errs) == 0 {
		fmt.Fprintln(c.stdout, "No resources found")
		return nil
	}
	if c.flags.bool("wait") && len(waitFor) > 0 {
		timeout := c.flags.duration("timeout")
		if timeout == 0 {
			timeout = 168 * time.Hour
		}
		deadline := c.r.Cluster.Now().Add(timeout)
		for _, g := range waitFor {
			isGone := func() bool {
				o, err := c.r.Cluster.GetObject(g.ref)
				return err != nil || o.GetObjectMeta().UID != g.uid
			}
			if !c.r.waitUntil(deadline, isGone) {
				info, _ := api.InfoFor(g.ref.Kind)
				errs = append(errs, fmt.Errorf("timed out waiting for the condition on %s/%s", info.Resource, g.ref.Name))
				break
			}
		}
	}
	return errs.result()
}
