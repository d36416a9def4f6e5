package kubectl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/api"
)

var getCommand = &command{
	name:  "get",
	short: "Display one or many resources",
	usage: "kubectl get [(-o|--output=)json|yaml|name|wide|custom-columns=...|jsonpath=...] (TYPE[.VERSION][.GROUP] [NAME | -l label] | TYPE[.VERSION][.GROUP]/NAME ...) [flags]",
	notes: "Types: pods (po), services (svc), endpoints (ep), endpointslices, deployments (deploy),\n" +
		"replicasets (rs), namespaces (ns), nodes (no), and all (pods, services, deployments,\n" +
		"replicasets). Tables, AGE and messages follow kubectl 1.31.",
	flags: []flagDef{
		{long: "all-namespaces", short: "A", kind: boolFlag, def: "false", usage: "If present, list the requested object(s) across all namespaces."},
		{long: "selector", short: "l", kind: stringFlag, usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2)"},
		{long: "output", short: "o", kind: stringFlag, usage: "Output format. One of: (json, yaml, name, wide, custom-columns, jsonpath)."},
		{long: "template", kind: stringFlag, usage: "Template string to use when -o=jsonpath."},
		{long: "show-labels", kind: boolFlag, def: "false", usage: "When printing, show all labels as the last column."},
		{long: "label-columns", short: "L", kind: stringsFlag, usage: "Accepts a comma separated list of labels that are going to be presented as columns."},
		{long: "no-headers", kind: boolFlag, def: "false", usage: "When using the default or custom-column output format, don't print headers."},
		{long: "ignore-not-found", kind: boolFlag, def: "false", usage: "If the requested object does not exist the command will return exit code 0."},
		{long: "allow-missing-template-keys", kind: boolFlag, def: "true", usage: "If true, ignore any errors in templates when a field or map key is missing in the template."},
		{long: "sort-by", kind: stringFlag, usage: "If non-empty, sort list types using this field specification (a JSONPath expression)."},
		{long: "filename", short: "f", kind: stringsFlag, usage: "Filename, directory, or URL to files identifying the resource to get from a server."},
		{long: "recursive", short: "R", kind: boolFlag, def: "false", usage: "Process the directory used in -f recursively."},
		{long: "watch", short: "w", kind: boolFlag, def: "false", usage: "After listing/getting the requested object, watch for changes."},
	},
	run: runGet,
}

// found is an object a command selected, with the target it came from.
type found struct {
	obj  api.Object
	info api.KindInfo
}

// runGet follows kubectl get: tables for the default and wide formats,
// with "No resources found" when nothing matched, and one object or a List
// for the others.
func runGet(c *call) error {
	if c.flags.bool("watch") {
		return fmt.Errorf("kubesim does not implement --watch: a script cannot block; let time pass with sleep and get again")
	}
	out, err := parseOutput(c.flags.str("output"), c.flags.str("template"), c.flags.bool("allow-missing-template-keys"))
	if err != nil {
		return err
	}
	allNS := c.flags.bool("all-namespaces")
	sel, err := c.selector()
	if err != nil {
		return err
	}
	var objs []found
	var errs errorList
	var targets []target
	single := false
	if files := c.flags.strs("filename"); len(files) > 0 {
		if len(c.args) > 0 {
			return errFilesAndArgs
		}
		refs, err := c.objectsFromFiles(files)
		if err != nil {
			return err
		}
		for _, o := range refs {
			got, err := c.r.Cluster.GetObject(api.RefOf(o.obj))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			objs = append(objs, found{obj: got, info: o.info})
			targets = append(targets, target{info: o.info, names: []string{o.obj.GetObjectMeta().Name}})
		}
		single = len(refs) == 1
	} else {
		if len(c.args) == 0 {
			fmt.Fprintf(c.stderr, "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n")
			return &usageError{msg: "Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).", path: c.path}
		}
		targets, err = parseTargets(c.args)
		if err != nil {
			return err
		}
		if named(targets) {
			if allNS {
				return fmt.Errorf("a resource cannot be retrieved by name across all namespaces")
			}
			if c.flags.str("selector") != "" {
				return errNameAndSelect
			}
		}
		single = len(targets) == 1 && len(targets[0].names) == 1
		for _, t := range targets {
			got, terrs := c.fetch(t, sel, allNS)
			objs = append(objs, got...)
			errs = append(errs, terrs...)
		}
	}
	if c.flags.bool("ignore-not-found") {
		errs = slices.DeleteFunc(errs, api.IsNotFound)
	}
	if by := c.flags.str("sort-by"); by != "" {
		if err := sortObjects(objs, by); err != nil {
			return err
		}
	}
	if out.format != "" && out.format != "wide" {
		if single && len(errs) > 0 {
			// kubectl reports a single missing object without printing
			// an empty list.
			return errs.result()
		}
		list := make([]api.Object, len(objs))
		for i, f := range objs {
			list[i] = f.obj
		}
		if err := printObjects(c.stdout, out, list, single); err != nil {
			errs = append(errs, err)
		}
		return errs.result()
	}
	if len(objs) == 0 && len(errs) == 0 {
		if c.flags.bool("ignore-not-found") {
			return nil
		}
		if allNS || !allNamespaced(targets) {
			fmt.Fprintln(c.stderr, "No resources found")
		} else {
			fmt.Fprintf(c.stderr, "No resources found in %s namespace.\n", c.ns)
		}
		return nil
	}
	c.printTables(objs, multipleKinds(targets), out.format == "wide", allNS)
	return errs.result()
}

// named reports whether any target names objects.
func named(ts []target) bool {
	for _, t := range ts {
		if len(t.names) > 0 {
			return true
		}
	}
	return false
}

func allNamespaced(ts []target) bool {
	for _, t := range ts {
		if !t.info.Namespaced {
			return false
		}
	}
	return len(ts) > 0
}

// selector parses -l.
func (c *call) selector() (api.Selector, error) {
	s := c.flags.str("selector")
	if s == "" {
		return api.Everything(), nil
	}
	sel, err := api.ParseSelector(s)
	if err != nil {
		return api.Selector{}, err
	}
	return sel, nil
}

// objectNS returns the namespace a target of kind info lives in: the
// command's namespace, none for cluster-scoped kinds, or every namespace.
func (c *call) objectNS(info api.KindInfo, allNS bool) string {
	if !info.Namespaced || allNS {
		return ""
	}
	return c.ns
}

// fetch returns the objects a target names, or lists them by selector, in
// kubectl's order: named objects as named, listed ones by namespace and name.
func (c *call) fetch(t target, sel api.Selector, allNS bool) ([]found, errorList) {
	var out []found
	var errs errorList
	if len(t.names) == 0 {
		for _, o := range c.r.Cluster.List(t.info.Kind, c.objectNS(t.info, allNS), sel) {
			out = append(out, found{obj: o, info: t.info})
		}
		return out, nil
	}
	for _, name := range t.names {
		o, err := c.r.Cluster.GetObject(api.Ref{Kind: t.info.Kind, Namespace: c.objectNS(t.info, false), Name: name})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !sel.Matches(o.GetObjectMeta().Labels) {
			continue
		}
		out = append(out, found{obj: o, info: t.info})
	}
	return out, errs
}

// printTables prints one table per kind, in the order the kinds came, with
// kind-prefixed names when several kinds were asked for and a blank line
// between tables.
func (c *call) printTables(objs []found, withKind, wide, allNS bool) {
	now := c.r.Cluster.Now()
	noHeaders := c.flags.bool("no-headers")
	showLabels := c.flags.bool("show-labels")
	var labelCols []string
	for _, l := range c.flags.strs("label-columns") {
		if l != "" {
			labelCols = append(labelCols, l)
		}
	}
	var kinds []api.Kind
	for _, f := range objs {
		if !slices.Contains(kinds, f.info.Kind) {
			kinds = append(kinds, f.info.Kind)
		}
	}
	for i, k := range kinds {
		t := &table{headers: columns(k, wide)}
		namespaced := false
		for _, f := range objs {
			if f.info.Kind != k {
				continue
			}
			namespaced = f.info.Namespaced
			m := f.obj.GetObjectMeta()
			cells := row(f.obj, now, wide)
			if withKind {
				cells[0] = qualifiedName(f.info, cells[0])
			}
			if allNS && namespaced {
				cells = append([]string{m.Namespace}, cells...)
			}
			for _, l := range labelCols {
				cells = append(cells, m.Labels[l])
			}
			if showLabels {
				cells = append(cells, formatLabels(m.Labels))
			}
			t.rows = append(t.rows, cells)
		}
		if allNS && namespaced {
			t.headers = append([]string{"NAMESPACE"}, t.headers...)
		}
		for _, l := range labelCols {
			t.headers = append(t.headers, labelHeader(l))
		}
		if showLabels {
			t.headers = append(t.headers, "LABELS")
		}
		if i > 0 && !noHeaders {
			fmt.Fprintln(c.stdout)
		}
		writeTable(c.stdout, t, noHeaders)
	}
}

// labelHeader is the header of a -L column: the key's name part, upper-cased.
func labelHeader(key string) string {
	if i := strings.LastIndex(key, "/"); i >= 0 {
		key = key[i+1:]
	}
	return strings.ToUpper(key)
}

// sortObjects orders objects by a field, as --sort-by does: numbers
// numerically, everything else as text, stably.
func sortObjects(objs []found, by string) error {
	tmpl, err := relaxedJSONPath(by)
	if err != nil {
		return err
	}
	p, err := parseJSONPath(tmpl)
	if err != nil {
		return fmt.Errorf("error parsing jsonpath %s, %v", tmpl, err)
	}
	keys := make([]any, len(objs))
	for i, f := range objs {
		v, err := objectValue(f.obj)
		if err != nil {
			return err
		}
		res, err := p.find(v)
		if err != nil {
			return err
		}
		if len(res) > 0 && len(res[0]) > 0 {
			keys[i] = res[0][0]
		}
	}
	idx := make([]int, len(objs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return compareKeys(keys[a], keys[b]) })
	sorted := make([]found, len(objs))
	for i, j := range idx {
		sorted[i] = objs[j]
	}
	copy(objs, sorted)
	return nil
}

func compareKeys(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if x, ok := a.(int64); ok {
		if y, ok := b.(int64); ok {
			return cmpOrdered(x, y)
		}
	}
	if x, ok := a.(float64); ok {
		if y, ok := b.(float64); ok {
			return cmpOrdered(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// Errors of kubectl's resource builder.
var (
	errFilesAndArgs  = errors.New("when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well")
	errNameAndSelect = errors.New("name cannot be provided when a selector is specified")
	errNoName        = errors.New("resource(s) were provided, but no name was specified")
)
