package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v2"
)

// The limits keep hostile or broken input from hanging Decode or exhausting
// memory. The YAML library bounds alias expansion and its own nesting (at 10,000
// levels); the tighter depth limit here also bounds the recursion of the
// conversion to JSON and of the strict field check. No real manifest nests
// anywhere near 100 levels.
const (
	maxManifestBytes = 10 << 20
	maxManifestDepth = 100
)

// DecodeError reports where a document failed.
type DecodeError struct {
	// Doc is the 1-based index of the document among those separated by ---
	// lines, counting from the first that holds more than blank lines and
	// comments, so that a leading --- or a licence header does not count.
	Doc int
	// Line is the 1-based line of the input on which the document starts, since
	// the YAML library's line numbers count from the start of the document.
	Line int
	// Kind and Name identify the failing object (for a List, the failing item)
	// as far as the document got before it failed; either may be empty.
	Kind string
	Name string
	Err  error
}

// Error renders the error as "document 2 (line 5, Service "web"): ...".
func (e *DecodeError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "document %d (line %d", e.Doc, e.Line)
	switch {
	case e.Kind != "" && e.Name != "":
		fmt.Fprintf(&b, ", %s %q", e.Kind, e.Name)
	case e.Kind != "":
		fmt.Fprintf(&b, ", %s", e.Kind)
	}
	fmt.Fprintf(&b, "): %v", e.Err)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decode reads manifests as `kubectl apply -f` takes them: YAML or JSON, several
// documents separated by `---` lines, empty documents skipped, `kind: List`
// (apiVersion v1) with `items` expanded in order. Every object gets its TypeMeta
// set. Decoding is strict: an unknown field is an error naming its full path.
//
// Decode returns every object or an error, never part of the input; failures
// inside a document are *DecodeError. Error messages follow what kubectl and
// the API server print for the same mistakes.
func Decode(data []byte) ([]Object, error) {
	if len(data) > maxManifestBytes {
		return nil, fmt.Errorf("manifest is %d bytes; the limit is %d bytes (10 MiB)", len(data), maxManifestBytes)
	}
	docs, err := splitDocuments(data)
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, d := range docs {
		out, err = d.decode(out)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// document is one piece of the input between separator lines.
type document struct {
	n    int // 1-based index
	line int // 1-based line of the input where it starts
	data []byte
}

// splitDocuments cuts data at lines that are "---", optionally followed by
// spaces or a comment, as kubectl's YAML reader does; like that reader, it
// rejects a "---" line followed by anything else rather than guess. A "..."
// line ends a document early; content after it that is not led by "---" is an
// error, because the YAML library would silently ignore it.
func splitDocuments(data []byte) ([]document, error) {
	var docs []document
	// start and startLine locate the current document; end is where a "..."
	// line ended it, or -1.
	start, startLine, end := 0, 1, -1
	flush := func(to int) {
		if end >= 0 {
			to = end
		}
		piece := data[start:to]
		if len(docs) > 0 || !blankOrComment(piece) {
			docs = append(docs, document{n: len(docs) + 1, line: startLine, data: piece})
		}
	}
	for lineNo, off := 1, 0; off < len(data); lineNo++ {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		line := data[off:next]
		switch {
		case bytes.HasPrefix(line, []byte("---")):
			rest := bytes.TrimSpace(line[3:])
			if len(rest) > 0 && rest[0] != '#' {
				return nil, fmt.Errorf("line %d: invalid YAML document separator: %s", lineNo, rest)
			}
			flush(off)
			start, startLine, end = next, lineNo+1, -1
		case end >= 0:
			if !blankOrComment(line) {
				return nil, fmt.Errorf("line %d: content after the document end marker \"...\" must follow a --- line", lineNo)
			}
		case bytes.HasPrefix(line, []byte("...")) && blankOrComment(line[3:]):
			end = off
		}
		off = next
	}
	flush(len(data))
	return docs, nil
}

// blankOrComment reports whether b holds only whitespace and # comments.
func blankOrComment(b []byte) bool {
	for line := range bytes.Lines(b) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' {
			return false
		}
	}
	return true
}

// decode appends the document's objects to out.
func (d document) decode(out []Object) ([]Object, error) {
	fail := func(err error) error { return &DecodeError{Doc: d.n, Line: d.line, Err: err} }
	var y any
	if err := yaml.UnmarshalStrict(d.data, &y); err != nil {
		return nil, fail(fmt.Errorf("error converting YAML to JSON: %w", err))
	}
	if y == nil {
		return out, nil
	}
	v, err := jsonValue(y, 1)
	if err != nil {
		return nil, fail(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(fmt.Errorf("document is %s, not an object with apiVersion and kind", describeJSON(v)))
	}
	out, derr := decodeObject(m, out)
	if derr != nil {
		derr.Doc, derr.Line = d.n, d.line
		return nil, derr
	}
	return out, nil
}

var errTooDeep = fmt.Errorf("document nests objects and lists deeper than %d levels", maxManifestDepth)

// jsonValue converts what the YAML library decoded into the generic form that
// encoding/json decodes JSON to with UseNumber, as sigs.k8s.io/yaml's
// YAMLToJSON would, with two differences: keys that read as the same string (1
// and "1") are an error, where YAMLToJSON keeps one of them at random, and
// nesting deeper than maxManifestDepth is an error. depth counts y's level.
func jsonValue(y any, depth int) (any, error) {
	switch y := y.(type) {
	case nil, string, bool:
		return y, nil
	case int:
		return json.Number(strconv.Itoa(y)), nil
	case int64:
		return json.Number(strconv.FormatInt(y, 10)), nil
	case uint64:
		return json.Number(strconv.FormatUint(y, 10)), nil
	case float64:
		b, err := json.Marshal(y)
		if err != nil {
			return nil, fmt.Errorf("error converting YAML to JSON: %w", err)
		}
		return json.Number(b), nil
	case []any:
		if depth > maxManifestDepth {
			return nil, errTooDeep
		}
		a := make([]any, len(y))
		for i, e := range y {
			var err error
			if a[i], err = jsonValue(e, depth+1); err != nil {
				return nil, err
			}
		}
		return a, nil
	case map[any]any:
		if depth > maxManifestDepth {
			return nil, errTooDeep
		}
		// Visit keys in order so that the error reported for a mapping with
		// several faults does not depend on map iteration order.
		type entry struct {
			key string
			val any
		}
		entries := make([]entry, 0, len(y))
		for k, v := range y {
			ks, err := jsonKey(k)
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry{ks, v})
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		m := make(map[string]any, len(entries))
		for i, e := range entries {
			if i > 0 && entries[i-1].key == e.key {
				return nil, fmt.Errorf("error converting YAML to JSON: mapping has two keys that read as %q", e.key)
			}
			v, err := jsonValue(e.val, depth+1)
			if err != nil {
				return nil, err
			}
			m[e.key] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("error converting YAML to JSON: unsupported value of type %T", y)
}

// jsonKey renders a YAML mapping key as a JSON object key, as YAMLToJSON does.
func jsonKey(k any) (string, error) {
	switch k := k.(type) {
	case string:
		return k, nil
	case int:
		return strconv.Itoa(k), nil
	case int64:
		return strconv.FormatInt(k, 10), nil
	case uint64:
		return strconv.FormatUint(k, 10), nil
	case bool:
		return strconv.FormatBool(k), nil
	case float64:
		switch s := strconv.FormatFloat(k, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", nil
		case "-Inf":
			return "-.inf", nil
		case "NaN":
			return ".nan", nil
		default:
			return s, nil
		}
	case nil:
		return "", errors.New("error converting YAML to JSON: a mapping key is null")
	}
	return "", fmt.Errorf("error converting YAML to JSON: unsupported mapping key of type %T", k)
}

// manifestList is the shape of a v1 List, checked as strictly as the objects in it.
type manifestList struct {
	TypeMeta `json:",inline"`
	Metadata json.RawMessage   `json:"metadata,omitempty"`
	Items    []json.RawMessage `json:"items"`
}

// decodeObject decodes one object, or the items of a List, from its generic
// form m and appends them to out. The error names the object but not the
// document, which the caller fills in.
func decodeObject(m map[string]any, out []Object) ([]Object, *DecodeError) {
	e := &DecodeError{}
	if md, ok := m["metadata"].(map[string]any); ok {
		e.Name, _ = md["name"].(string)
	}
	for _, k := range [...]string{"apiVersion", "kind"} {
		c := fieldChecker{path: []pathSeg{{name: k, index: -1}}}
		if c.check(m[k], reflect.TypeFor[string]()); c.typeErr != nil {
			e.Err = c.typeErr
			return nil, e
		}
	}
	kind, _ := m["kind"].(string)
	apiVersion, _ := m["apiVersion"].(string)
	e.Kind = kind
	switch {
	// The capitalised messages are apimachinery's own, which users search for.
	case kind == "":
		e.Err = fmt.Errorf("Object 'Kind' is missing in '%s'", abbreviateJSON(m))
		return nil, e
	case apiVersion == "":
		e.Err = fmt.Errorf("Object 'apiVersion' is missing in '%s'", abbreviateJSON(m))
		return nil, e
	case kind == "List" && apiVersion == "v1":
		if err := checkFields(m, reflect.TypeFor[manifestList]()); err != nil {
			e.Err = fmt.Errorf("List in version \"v1\" cannot be handled as a List: %w", err)
			return nil, e
		}
		items, _ := m["items"].([]any)
		for i, it := range items {
			im, ok := it.(map[string]any)
			if !ok {
				e.Err = fmt.Errorf("items[%d]: item is %s, not an object with apiVersion and kind", i, describeJSON(it))
				return nil, e
			}
			var ierr *DecodeError
			if out, ierr = decodeObject(im, out); ierr != nil {
				ierr.Err = fmt.Errorf("items[%d]: %w", i, ierr.Err)
				return nil, ierr
			}
		}
		return out, nil
	}
	info, ok := InfoFor(Kind(kind))
	if !ok || info.APIVersion() != apiVersion {
		e.Err = fmt.Errorf("no matches for kind %q in version %q", kind, apiVersion)
		return nil, e
	}
	obj := NewObject(info.Kind)
	err := checkFields(m, reflect.TypeOf(obj).Elem())
	if err == nil && !setValue(reflect.ValueOf(obj).Elem(), m) {
		// A form setValue leaves to encoding/json: start again there.
		obj = NewObject(info.Kind)
		var raw []byte
		if raw, err = json.Marshal(m); err == nil {
			err = json.Unmarshal(raw, obj)
		}
	}
	if err != nil {
		e.Err = fmt.Errorf("%s in version %q cannot be handled as a %s: %w", kind, info.Version, kind, err)
		return nil, e
	}
	return append(out, obj), nil
}

// abbreviateJSON renders a document as JSON for an error message, cut to its
// first 60 bytes. The document came from jsonValue, which only builds values
// that encode.
func abbreviateJSON(m map[string]any) string {
	raw, _ := json.Marshal(m)
	return shorten(string(raw), 60)
}

// describeJSON names the JSON type of a generic value for error messages, with
// the value itself when it is a scalar.
func describeJSON(v any) string {
	switch v := v.(type) {
	case string:
		if t := shorten(v, 64); t != v {
			return fmt.Sprintf("string %q...", strings.TrimSuffix(t, "..."))
		}
		return fmt.Sprintf("string %q", v)
	case json.Number:
		return "number " + shorten(string(v), 64)
	case bool:
		return "bool " + strconv.FormatBool(v)
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "null"
}

// shorten cuts s to at most max bytes at a character boundary, marking the
// cut with "...".
func shorten(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max] + "..."
}

var (
	rawMessageType      = reflect.TypeFor[json.RawMessage]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// checkFields checks generic JSON v against the Go type t as encoding/json
// would decode it, but strictly: keys must match json names exactly (encoding/json
// would also take "Spec" for "spec"), and every key must be a field. A type
// error, reported with the element's full path and its value, takes precedence
// over unknown fields, which are all reported, as the API server does.
func checkFields(v any, t reflect.Type) error {
	c := fieldChecker{}
	c.check(v, t)
	switch {
	case c.typeErr != nil:
		return c.typeErr
	case len(c.unknown) > 0:
		var b strings.Builder
		b.WriteString("strict decoding error: ")
		for i, p := range c.unknown {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "unknown field %q", p)
		}
		return errors.New(b.String())
	}
	return nil
}

// pathSeg is one step of a field path: a field name, a list index or a map key.
// Paths are kept as segments and only rendered for errors, since the check runs
// over every field of every object.
type pathSeg struct {
	name  string
	index int // >= 0 for a list index
	key   bool
}

type fieldChecker struct {
	path    []pathSeg
	unknown []string
	typeErr error
}

// pathString renders the path, plus a final field name when extra is not
// empty, as "spec.template.spec.containers[0].ports" and "metadata.labels[app]".
func (c *fieldChecker) pathString(extra string) string {
	var b strings.Builder
	for _, s := range c.path {
		switch {
		case s.index >= 0:
			fmt.Fprintf(&b, "[%d]", s.index)
		case s.key:
			fmt.Fprintf(&b, "[%s]", s.name)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		}
	}
	if extra != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(extra)
	}
	return b.String()
}

// fail records a type error at the current path; err, if any, is why the
// value's own unmarshaler refused it.
func (c *fieldChecker) fail(v any, t reflect.Type, err error) {
	where := "Go value"
	if p := c.pathString(""); p != "" {
		where = "Go struct field " + p
	}
	msg := fmt.Sprintf("json: cannot unmarshal %s into %s of type %s", describeJSON(v), where, t)
	if err != nil {
		msg += ": " + err.Error()
	}
	c.typeErr = errors.New(msg)
}

func (c *fieldChecker) check(v any, t reflect.Type) {
	// encoding/json takes null for any field, leaving it zero or unchanged.
	if v == nil || c.typeErr != nil {
		return
	}
	switch {
	case t == rawMessageType:
		return
	case unmarshalKindOf(t) == jsonUnmarshaler:
		b, err := json.Marshal(v)
		if err == nil {
			err = reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(b)
		}
		if err != nil {
			c.fail(v, t, err)
		}
		return
	case unmarshalKindOf(t) == textUnmarshaler:
		s, ok := v.(string)
		if !ok {
			c.fail(v, t, nil)
			return
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			c.fail(v, t, err)
		}
		return
	}
	ok := true
	switch t.Kind() {
	case reflect.Pointer:
		c.check(v, t.Elem())
	case reflect.Struct:
		var m map[string]any
		if m, ok = v.(map[string]any); ok {
			c.checkStruct(m, t)
		}
	case reflect.Slice:
		var a []any
		if a, ok = v.([]any); ok {
			for i, e := range a {
				c.path = append(c.path, pathSeg{index: i})
				c.check(e, t.Elem())
				c.path = c.path[:len(c.path)-1]
			}
		}
	case reflect.Map:
		var m map[string]any
		if m, ok = v.(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				c.path = append(c.path, pathSeg{name: k, index: -1, key: true})
				c.check(m[k], t.Elem())
				c.path = c.path[:len(c.path)-1]
			}
		}
	case reflect.String:
		_, ok = v.(string)
	case reflect.Bool:
		_, ok = v.(bool)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n json.Number
		if n, ok = v.(json.Number); ok {
			_, err := strconv.ParseInt(string(n), 10, t.Bits())
			ok = err == nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		var n json.Number
		if n, ok = v.(json.Number); ok {
			_, err := strconv.ParseUint(string(n), 10, t.Bits())
			ok = err == nil
		}
	case reflect.Float32, reflect.Float64:
		var n json.Number
		if n, ok = v.(json.Number); ok {
			_, err := strconv.ParseFloat(string(n), t.Bits())
			ok = err == nil
		}
	case reflect.Interface:
		// Any JSON value decodes into an interface.
	default:
		ok = false
	}
	if !ok {
		c.fail(v, t, nil)
	}
}

// checkStruct reports m's unknown keys, sorted, then checks its fields in the
// order the struct declares them, so that what is reported first does not
// depend on map order and a parent's mistakes come before its children's.
func (c *fieldChecker) checkStruct(m map[string]any, t reflect.Type) {
	fields := fieldsOf(t)
	var unknown []string
	// The fields m holds, by their place in the declaration: a struct
	// declares many more fields than a manifest sets.
	var buf [16]int
	present := buf[:0]
	for k := range m {
		if i, ok := fields.byName[k]; ok {
			present = append(present, i)
		} else {
			unknown = append(unknown, c.pathString(k))
		}
	}
	slices.Sort(unknown)
	c.unknown = append(c.unknown, unknown...)
	slices.Sort(present)
	for _, i := range present {
		f := &fields.list[i]
		c.path = append(c.path, pathSeg{name: f.name, index: -1})
		c.check(m[f.name], f.typ)
		c.path = c.path[:len(c.path)-1]
	}
}

// jsonField is a field as encoding/json names it.
type jsonField struct {
	name  string
	typ   reflect.Type
	index []int // for reflect.Value.FieldByIndex, through inlined structs
}

// structFields is a struct's JSON fields in declaration order, with embedded
// untagged or ",inline" structs flattened into their parent.
type structFields struct {
	list   []jsonField
	byName map[string]int // index in list
}

var fieldCache sync.Map // reflect.Type -> *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{byName: map[string]int{}}
	f.add(t)
	actual, _ := fieldCache.LoadOrStore(t, f)
	return actual.(*structFields)
}

// add collects t's fields. A field of the outer struct wins over an inlined
// one of the same name, as the shallower field does in encoding/json.
func (f *structFields) add(t reflect.Type) {
	var inline []reflect.StructField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			inline = append(inline, sf)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f.byName[name] = len(f.list)
		f.list = append(f.list, jsonField{name, sf.Type, sf.Index})
	}
	for _, sf := range inline {
		inner := fieldsOf(sf.Type)
		for _, jf := range inner.list {
			if _, dup := f.byName[jf.name]; !dup {
				jf.index = append(slices.Clone(sf.Index), jf.index...)
				f.byName[jf.name] = len(f.list)
				f.list = append(f.list, jf)
			}
		}
	}
}

// unmarshalKind says which of encoding/json's unmarshaler interfaces a
// type's pointer implements; json.Unmarshaler comes first, as there.
type unmarshalKind uint8

const (
	plainValue unmarshalKind = iota
	jsonUnmarshaler
	textUnmarshaler
)

var unmarshalKinds sync.Map // reflect.Type -> unmarshalKind

// unmarshalKindOf caches the answer for t: checking the method sets on every
// value was a tenth of decoding.
func unmarshalKindOf(t reflect.Type) unmarshalKind {
	if k, ok := unmarshalKinds.Load(t); ok {
		return k.(unmarshalKind)
	}
	k := plainValue
	switch pt := reflect.PointerTo(t); {
	case pt.Implements(jsonUnmarshalerType):
		k = jsonUnmarshaler
	case pt.Implements(textUnmarshalerType):
		k = textUnmarshaler
	}
	unmarshalKinds.Store(t, k)
	return k
}

var stringMapType = reflect.TypeFor[map[string]string]()

// setValue stores v, generic JSON that checkFields accepted for dst's type,
// in dst as json.Unmarshal would store it, without writing v out as JSON and
// reading it back, which was a third of decoding. It reports false for the
// forms it leaves to json.Unmarshal, whose rules for them are subtle: null,
// interfaces, arrays, []byte and map keys other than plain strings. dst is
// zero.
func setValue(dst reflect.Value, v any) bool {
	if v == nil || !dst.CanSet() {
		return false
	}
	t := dst.Type()
	switch {
	case t == rawMessageType:
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		dst.SetBytes(b)
		return true
	case unmarshalKindOf(t) == jsonUnmarshaler:
		b, err := json.Marshal(v)
		return err == nil && dst.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b) == nil
	case unmarshalKindOf(t) == textUnmarshaler:
		s, ok := v.(string)
		return ok && dst.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) == nil
	case t == stringMapType:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		out := make(map[string]string, len(m))
		for k, e := range m {
			s, ok := e.(string)
			if !ok {
				return false
			}
			out[k] = s
		}
		dst.Set(reflect.ValueOf(out))
		return true
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if !setValue(p.Elem(), v) {
			return false
		}
		dst.Set(p)
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		fields := fieldsOf(t)
		for k, fv := range m {
			if !setValue(dst.FieldByIndex(fields.list[fields.byName[k]].index), fv) {
				return false
			}
		}
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 {
			return false
		}
		s := reflect.MakeSlice(t, len(a), len(a))
		for i, e := range a {
			if !setValue(s.Index(i), e) {
				return false
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String || unmarshalKindOf(t.Key()) != plainValue {
			return false
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if !setValue(ev, e) {
				return false
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		dst.Set(out)
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return false
		}
		dst.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return false
		}
		dst.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || dst.OverflowInt(i) {
			return false
		}
		dst.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		u, err := strconv.ParseUint(string(n), 10, 64)
		if err != nil || dst.OverflowUint(u) {
			return false
		}
		dst.SetUint(u)
	case reflect.Float32, reflect.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if err != nil || dst.OverflowFloat(f) {
			return false
		}
		dst.SetFloat(f)
	default:
		return false
	}
	return true
}
