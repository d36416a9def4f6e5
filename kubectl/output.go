package kubectl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v2"

	"github.com/kubesim/kubesim/api"
)

// output is a parsed -o/--output value.
type output struct {
	format string // "", "wide", "yaml", "json", "name", "jsonpath" or "custom-columns"
	path   *jsonPath
	cols   []customColumn
}

// customColumn is one HEADER:spec pair of -o custom-columns.
type customColumn struct {
	header string
	path   *jsonPath
}

// allowedFormats is kubectl's own list, printed when -o names none of them.
const allowedFormats = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"

// parseOutput reads -o (and --template, which -o jsonpath may take its
// template from) as kubectl's print flags do.
func parseOutput(o, template string, allowMissing bool) (*output, error) {
	format, arg, hasArg := strings.Cut(o, "=")
	switch format {
	case "", "wide", "yaml", "json", "name":
		if hasArg {
			break
		}
		return &output{format: format}, nil
	case "jsonpath":
		if !hasArg {
			arg = template
		}
		if arg == "" {
			return nil, fmt.Errorf("template format specified but no template given")
		}
		p, err := parseJSONPath(arg)
		if err != nil {
			return nil, fmt.Errorf("error parsing jsonpath %s, %v\n", arg, err)
		}
		p.allowMissing = allowMissing
		return &output{format: format, path: p}, nil
	case "custom-columns":
		cols, err := parseCustomColumns(arg)
		if err != nil {
			return nil, err
		}
		return &output{format: format, cols: cols}, nil
	case "go-template", "go-template-file", "template", "templatefile", "jsonpath-file", "jsonpath-as-json", "custom-columns-file":
		return nil, fmt.Errorf("kubesim does not implement -o %s; use -o jsonpath or -o custom-columns", format)
	}
	return nil, fmt.Errorf("unable to match a printer suitable for the output format %q, allowed formats are: %s", o, allowedFormats)
}

func parseCustomColumns(spec string) ([]customColumn, error) {
	if spec == "" {
		return nil, fmt.Errorf("custom-columns format specified but no custom columns given")
	}
	var cols []customColumn
	for _, part := range strings.Split(spec, ",") {
		header, field, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("unexpected custom-columns spec: %s, expected <header>:<json-path-expr>", part)
		}
		tmpl, err := relaxedJSONPath(field)
		if err != nil {
			return nil, err
		}
		p, err := parseJSONPath(tmpl)
		if err != nil {
			return nil, err
		}
		cols = append(cols, customColumn{header: header, path: p})
	}
	return cols, nil
}

// printObjects prints objects in one of the non-table formats. single says
// the command named exactly one object, which kubectl prints alone rather
// than in a List.
func printObjects(w io.Writer, o *output, objs []api.Object, single bool) error {
	if o.format == "name" {
		for _, obj := range objs {
			info, _ := api.InfoFor(api.KindOf(obj))
			fmt.Fprintln(w, qualifiedName(info, obj.GetObjectMeta().Name))
		}
		return nil
	}
	var data any
	var items []any
	for _, obj := range objs {
		v, err := objectValue(obj)
		if err != nil {
			return err
		}
		items = append(items, v)
	}
	if single && len(items) == 1 {
		data = items[0]
	} else {
		if items == nil {
			items = []any{}
		}
		data = map[string]any{
			"apiVersion": "v1",
			"kind":       "List",
			"items":      items,
			"metadata":   map[string]any{"resourceVersion": ""},
		}
	}
	switch o.format {
	case "json":
		b, err := json.MarshalIndent(data, "", "    ")
		if err != nil {
			return err
		}
		w.Write(append(b, '\n'))
	case "yaml":
		b, err := yaml.Marshal(data)
		if err != nil {
			return err
		}
		w.Write(b)
	case "jsonpath":
		var buf bytes.Buffer
		if err := o.path.execute(&buf, data); err != nil {
			return fmt.Errorf("error executing jsonpath %q: Error executing template: %v. Printing more information for debugging the template:\n"+
				"\ttemplate was:\n\t\t%s\n\tobject given to jsonpath engine was:\n\t\t%#v\n\n\n", o.path.raw, err, o.path.raw, data)
		}
		w.Write(buf.Bytes())
	case "custom-columns":
		return printCustomColumns(w, o.cols, data, items)
	}
	return nil
}

// printCustomColumns prints one row per object; a list prints its header
// even without items, as kubectl does.
func printCustomColumns(w io.Writer, cols []customColumn, data any, items []any) error {
	rows := items
	if _, isList := data.(map[string]any)["items"]; !isList {
		rows = []any{data}
	}
	tw := newTable(w)
	headers := make([]string, len(cols))
	for i, c := range cols {
		headers[i] = c.header
	}
	fmt.Fprintln(tw, strings.Join(headers, "\t"))
	for _, item := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			results, err := c.path.find(item)
			if err != nil {
				return err
			}
			var vals []string
			for _, r := range results {
				for _, v := range r {
					vals = append(vals, fmt.Sprint(v))
				}
			}
			if len(results) == 0 || len(results[0]) == 0 {
				vals = append([]string{"<none>"}, vals...)
			}
			cells[i] = strings.Join(vals, ",")
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// objectValue returns an object as the JSON value kubectl's printers see,
// with its apiVersion and kind set even if the store left them empty.
func objectValue(obj api.Object) (any, error) {
	c := obj.DeepCopyObject()
	info, _ := api.InfoFor(api.KindOf(c))
	*c.GetTypeMeta() = api.TypeMeta{APIVersion: info.APIVersion(), Kind: string(info.Kind)}
	return toValue(c)
}
