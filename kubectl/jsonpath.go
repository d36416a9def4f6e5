package kubectl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// This file implements kubectl's JSONPath templates (client-go's
// util/jsonpath) over JSON values decoded as kubectl decodes API objects:
// map[string]any, []any, string, int64, float64, bool and nil. The grammar,
// the quirks and the error messages follow client-go, because scripts and
// their expected output depend on them:
//
//   - text outside {...} is printed as is; inside, .field, ['field'],
//     [n], [start:end:step], [*], .*, ..field, [a,b] unions, [?(@.x=="y")]
//     filters, "quoted text", and {range ...}...{end} loops;
//   - a missing field prints nothing (kubectl get allows missing keys), but an
//     index out of bounds is an error;
//   - several results of one {...} are separated by a space, maps and lists
//     print as compact JSON, and nothing adds a newline.

// jpNode is one node of a parsed template.
type jpNode interface{}

type (
	jpText      string   // literal text, from outside {...} or a quoted string
	jpList      []jpNode // the nodes of one {...}, applied in turn
	jpField     string   // .name or ['name']
	jpWildcard  struct{} // .* or [*] on a map
	jpRecursive struct{} // ..
	jpIdent     string   // range or end
	jpInt       int
	jpFloat     float64
	jpBool      bool
	jpUnion     []jpList // [a,b]
	jpArray     [3]jpParam
	jpFilter    struct {
		left, right jpList
		op          string
	}
)

// jpParam is one of start, end and step of an array slice.
type jpParam struct {
	value   int
	known   bool
	derived bool // an end computed as start+1 from [n]
}

// jsonPath is a parsed template.
type jsonPath struct {
	raw   string
	nodes []jpNode

	// Evaluation state of range/end, as in client-go.
	stack      [][]any
	cur        []any
	beginRange int
	inRange    int
	endRange   int
	steps      int

	// allowMissing makes a missing field print nothing instead of failing,
	// as kubectl get's --allow-missing-template-keys (true by default) does.
	allowMissing bool
}

// maxJSONPathSteps bounds the work of one template, counted in nodes
// evaluated and values produced: nested range loops over recursive descents
// multiply, and a script must not hang on one. Real templates take a few
// hundred steps per object.
const maxJSONPathSteps = 1_000_000

// execute writes the template's output for data.
func (j *jsonPath) execute(w io.Writer, data any) error {
	results, err := j.find(data)
	if err != nil {
		return err
	}
	for _, r := range results {
		if err := printResults(w, r); err != nil {
			return err
		}
	}
	return nil
}

// find returns the results of every action of the template for data.
func (j *jsonPath) find(data any) ([][]any, error) {
	j.stack, j.cur, j.beginRange, j.inRange, j.endRange, j.steps = nil, nil, 0, 0, 0, 0
	return j.findResults(data, j.nodes)
}

// findResults evaluates nodes against data; range loops re-run the nodes
// after {range ...} for each element, which {end} cuts short, exactly as
// client-go does (including printing nothing after {end} for an empty list).
func (j *jsonPath) findResults(data any, nodes []jpNode) ([][]any, error) {
	j.cur = []any{data}
	var full [][]any
	for i, node := range nodes {
		results, err := j.walk(j.cur, node)
		if err != nil {
			return nil, err
		}
		if j.endRange > 0 && j.endRange <= j.inRange {
			j.endRange--
			break
		}
		if j.beginRange > 0 {
			j.beginRange--
			j.inRange++
			for k, v := range results {
				if k == len(results)-1 {
					j.inRange--
				}
				next, err := j.findResults(v, nodes[i+1:])
				if err != nil {
					return nil, err
				}
				full = append(full, next...)
			}
			break
		}
		full = append(full, results)
	}
	return full, nil
}

// printResults prints one action's results, separated by spaces.
func printResults(w io.Writer, results []any) error {
	for i, r := range results {
		var text []byte
		switch r.(type) {
		case map[string]any, []any:
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			text = b
		default:
			text = []byte(fmt.Sprint(r))
		}
		if i != len(results)-1 {
			text = append(text, ' ')
		}
		if _, err := w.Write(text); err != nil {
			return err
		}
	}
	return nil
}

// walk evaluates one node, charging the template a step for the node and one
// for each value it yields.
func (j *jsonPath) walk(in []any, node jpNode) ([]any, error) {
	if j.steps++; j.steps > maxJSONPathSteps {
		return nil, errTooExpensive
	}
	out, err := j.eval(in, node)
	if j.steps += len(out); j.steps > maxJSONPathSteps {
		return nil, errTooExpensive
	}
	return out, err
}

var errTooExpensive = errors.New("template too expensive: kubesim stops a JSONPath template after a million steps")

func (j *jsonPath) eval(in []any, node jpNode) ([]any, error) {
	switch n := node.(type) {
	case jpList:
		return j.evalList(in, n)
	case jpText:
		return []any{string(n)}, nil
	case jpField:
		return j.evalField(in, string(n))
	case jpArray:
		return evalArray(in, n)
	case jpFilter:
		return j.evalFilter(in, n)
	case jpInt:
		return repeat(in, int(n)), nil
	case jpFloat:
		return repeat(in, float64(n)), nil
	case jpBool:
		return repeat(in, bool(n)), nil
	case jpWildcard:
		var out []any
		for _, v := range in {
			out = append(out, children(v)...)
		}
		return out, nil
	case jpRecursive:
		return evalRecursive(in), nil
	case jpUnion:
		var out []any
		for _, l := range n {
			r, err := j.evalList(in, l)
			if err != nil {
				return in, err
			}
			out = append(out, r...)
		}
		return out, nil
	case jpIdent:
		return j.evalIdent(in, string(n))
	}
	return in, fmt.Errorf("unexpected Node %v", node)
}

// repeat returns v once per input value, as literals evaluate in client-go.
func repeat(in []any, v any) []any {
	out := make([]any, len(in))
	for i := range out {
		out[i] = v
	}
	return out
}

func (j *jsonPath) evalList(in []any, l jpList) ([]any, error) {
	cur := in
	for _, n := range l {
		var err error
		if cur, err = j.walk(cur, n); err != nil {
			return cur, err
		}
	}
	return cur, nil
}

func (j *jsonPath) evalIdent(in []any, name string) ([]any, error) {
	switch name {
	case "range":
		j.stack = append(j.stack, j.cur)
		j.beginRange++
		return in, nil
	case "end":
		if j.endRange < j.inRange {
			j.endRange++
			return nil, nil
		}
		if len(j.stack) == 0 {
			return nil, errors.New("not in range, nothing to end")
		}
		j.cur, j.stack = j.stack[len(j.stack)-1], j.stack[:len(j.stack)-1]
		return nil, nil
	}
	return in, fmt.Errorf("unrecognized identifier %v", name)
}

func (j *jsonPath) evalField(in []any, name string) ([]any, error) {
	var out []any
	if len(in) == 0 {
		return out, nil
	}
	for _, v := range in {
		if m, ok := v.(map[string]any); ok {
			if x, ok := m[name]; ok {
				out = append(out, x)
			}
		}
	}
	if len(out) == 0 && !j.allowMissing {
		return out, fmt.Errorf("%s is not found", name)
	}
	return out, nil
}

// typeName names a value's Go type as client-go's messages do.
func typeName(v any) string { return reflect.TypeOf(v).String() }

func evalArray(in []any, a jpArray) ([]any, error) {
	var out []any
	for _, v := range in {
		if v == nil {
			continue
		}
		list, ok := v.([]any)
		if !ok {
			return in, fmt.Errorf("%v is not array or slice", typeName(v))
		}
		n := len(list)
		p := a
		if !p[0].known {
			p[0].value = 0
		}
		if p[0].value < 0 {
			p[0].value += n
		}
		if !p[1].known {
			p[1].value = n
		}
		if p[1].value < 0 || (p[1].value == 0 && p[1].derived) {
			p[1].value += n
		}
		if p[1].value == p[0].value {
			return out, nil
		}
		if p[0].value >= n || p[0].value < 0 {
			return in, fmt.Errorf("array index out of bounds: index %d, length %d", p[0].value, n)
		}
		if p[1].value > n || p[1].value < 0 {
			return in, fmt.Errorf("array index out of bounds: index %d, length %d", p[1].value-1, n)
		}
		if p[0].value > p[1].value {
			return in, fmt.Errorf("starting index %d is greater than ending index %d", p[0].value, p[1].value)
		}
		step := 1
		if p[2].known {
			if p[2].value <= 0 {
				return in, errors.New("step must be > 0")
			}
			step = p[2].value
		}
		for i := p[0].value; i < p[1].value; i += step {
			out = append(out, list[i])
		}
	}
	return out, nil
}

// children returns the elements of a list, or a map's values in key order;
// other values have none.
func children(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = v[k]
		}
		return out
	}
	return nil
}

// evalRecursive returns every map and list under the input values, each
// before its descendants: the values .. applies its next node to.
func evalRecursive(in []any) []any {
	var out []any
	for _, v := range in {
		if v == nil {
			continue
		}
		if kids := children(v); len(kids) > 0 {
			out = append(out, v)
			out = append(out, evalRecursive(kids)...)
		}
	}
	return out
}

// evalFilter keeps the elements of lists (or values of maps) for which the
// filter holds; a missing left side skips the element.
func (j *jsonPath) evalFilter(in []any, f jpFilter) ([]any, error) {
	var out []any
	for _, v := range in {
		items, ok := v.([]any)
		if m, isMap := v.(map[string]any); isMap {
			items, ok = children(m), true
		}
		if !ok {
			items = []any{v}
		}
		for _, item := range items {
			lefts, err := j.evalList([]any{item}, f.left)
			if err != nil && !j.allowMissing {
				return in, err
			}
			rights, err := j.evalList([]any{item}, f.right)
			if err != nil {
				return in, err
			}
			switch {
			case len(lefts) == 0:
				continue
			case len(lefts) > 1:
				return in, errors.New("can only compare one element at a time")
			case f.op == "exists":
				out = append(out, item)
				continue
			case len(rights) == 0:
				continue
			case len(rights) > 1:
				return in, errors.New("can only compare one element at a time")
			}
			pass, err := compare(f.op, lefts[0], rights[0])
			if err != nil {
				return out, err
			}
			if pass {
				out = append(out, item)
			}
		}
	}
	return out, nil
}

// compare applies a filter operator as client-go does with text/template's
// comparison functions: an int literal compares as a float, values of
// different kinds (an API integer against that float, say) never match,
// and only == and != work on booleans.
func compare(op string, l, r any) (bool, error) {
	if i, ok := l.(int); ok {
		l = float64(i)
	}
	if i, ok := r.(int); ok {
		r = float64(i)
	}
	lk, rk := basicKind(l), basicKind(r)
	if lk == "" || rk == "" || lk != rk {
		switch op {
		case "<", ">", "==", "!=", "<=", ">=":
			return false, nil
		}
		return false, fmt.Errorf("unrecognized filter operator %s", op)
	}
	var c int
	switch lk {
	case "bool":
		if op != "==" && op != "!=" {
			return false, nil
		}
		if l.(bool) == r.(bool) {
			c = 0
		} else {
			c = 1
		}
	case "int":
		c = cmpOrdered(l.(int64), r.(int64))
	case "float":
		c = cmpOrdered(l.(float64), r.(float64))
	case "string":
		c = strings.Compare(l.(string), r.(string))
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "==":
		return c == 0, nil
	case "!=":
		return c != 0, nil
	case "<=":
		return c <= 0, nil
	case ">=":
		return c >= 0, nil
	}
	return false, fmt.Errorf("unrecognized filter operator %s", op)
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func basicKind(v any) string {
	switch v.(type) {
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "string"
	}
	return ""
}

// relaxedJSONPath turns the field specs of custom-columns and kubectl wait
// (metadata.name, .metadata.name, {metadata.name}) into a template.
func relaxedJSONPath(expr string) (string, error) {
	if expr == "" {
		return expr, nil
	}
	m := relaxedRx.FindStringSubmatch(expr)
	if m == nil {
		return "", errors.New("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'")
	}
	field := m[1]
	if field == "" {
		field = m[2]
	}
	return "{." + field + "}", nil
}

var relaxedRx = regexp.MustCompile(`^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`)

// toValue converts an object to the JSON value kubectl's printers see:
// numbers that are integers become int64, others float64.
func toValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return fixNumbers(out), nil
}

// fixNumbers turns json.Numbers into int64 or float64, the types kubectl's
// unstructured decoding gives and its printers and comparisons expect.
func fixNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = fixNumbers(x)
		}
	case []any:
		for i, x := range v {
			v[i] = fixNumbers(x)
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	}
	return v
}
