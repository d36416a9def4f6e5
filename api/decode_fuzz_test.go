package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

// FuzzDecode checks that Decode never panics, that its errors inside a document
// say which one, and that what it accepts survives being written back out.
//
// The round trip is checked in two steps because Decode's input is not always
// what the types write back, for legitimate reasons:
//   - an empty list or map becomes nil, since omitempty drops it, and a struct
//     left empty by that is then dropped too (spec: {ports: []} disappears);
//   - Time keeps whole seconds, as Kubernetes does;
//   - numbers inside json.RawMessage may be reformatted by the YAML library on
//     the way back: -0.0 is read as -0 but written back as 0.
//
// Objects holding a Time whose UTC year is not in 0..9999 are not round-tripped:
// Time.MarshalJSON writes such a year with five digits or a sign, which RFC 3339
// and so Time.UnmarshalJSON reject (9999-12-31T23:59:59-01:00 decodes, but is
// written back as 10000-01-01T00:59:59Z). That is a limit of Time, not of Decode.
//
// So the first re-decode must write the same JSON once empty objects, lists and
// nulls are pruned and numbers are read as float64; from then on the objects
// are a fixed point: a second re-decode must be reflect.DeepEqual to the first.
func FuzzDecode(f *testing.F) {
	for _, tc := range goodManifests {
		f.Add([]byte(tc.in))
	}
	for _, tc := range badManifests {
		if len(tc.in) < 1<<16 {
			f.Add([]byte(tc.in))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Decode(data)
		if err != nil {
			if objs != nil {
				t.Fatalf("Decode returned %d objects with error %v", len(objs), err)
			}
			var de *DecodeError
			if errors.As(err, &de) && (de.Doc < 1 || de.Line < 1) {
				t.Fatalf("DecodeError without a position: %v", err)
			}
			return
		}
		for _, o := range objs {
			if hasUnwritableTime(reflect.ValueOf(o)) {
				return
			}
		}
		once := reencode(t, objs)
		for i := range objs {
			if a, b := asJSON(t, objs[i]), asJSON(t, once[i]); !reflect.DeepEqual(a, b) {
				t.Fatalf("object %d changed meaning on re-decoding:\n got %v\nwant %v", i, b, a)
			}
		}
		if twice := reencode(t, once); !reflect.DeepEqual(once, twice) {
			t.Fatalf("re-decoding is not a fixed point:\n got %#v\nwant %#v", twice, once)
		}
	})
}

// reencode writes objs as one YAML stream and decodes it again.
func reencode(t *testing.T, objs []Object) []Object {
	t.Helper()
	var buf bytes.Buffer
	for _, o := range objs {
		y, err := yaml.Marshal(o)
		if err != nil {
			t.Fatalf("yaml.Marshal(%#v): %v", o, err)
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	again, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatalf("decoding re-encoded objects: %v\n%s", err, buf.Bytes())
	}
	if len(again) != len(objs) {
		t.Fatalf("re-decoding gave %d objects, want %d\n%s", len(again), len(objs), buf.Bytes())
	}
	return again
}

// hasUnwritableTime reports whether v holds a Time that Time.MarshalJSON
// writes in a form RFC 3339 cannot read back.
func hasUnwritableTime(v reflect.Value) bool {
	if v.Type() == reflect.TypeFor[Time]() {
		y := v.Interface().(Time).UTC().Year()
		return !v.IsZero() && (y < 0 || y > 9999)
	}
	switch v.Kind() {
	case reflect.Pointer:
		return !v.IsNil() && hasUnwritableTime(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && hasUnwritableTime(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if hasUnwritableTime(v.Index(i)) {
				return true
			}
		}
	}
	return false
}

// asJSON returns o as generic JSON with empty values pruned, so that equal
// meaning compares equal.
func asJSON(t *testing.T, o Object) any {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatalf("json.Marshal(%#v): %v", o, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", b, err)
	}
	return pruneEmptyJSON(v)
}

// pruneEmptyJSON drops object members that are null, {} or [] once pruned themselves.
func pruneEmptyJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			e = pruneEmptyJSON(e)
			if isEmptyJSON(e) {
				delete(v, k)
			} else {
				v[k] = e
			}
		}
	case []any:
		for i, e := range v {
			v[i] = pruneEmptyJSON(e)
		}
	}
	return v
}

func isEmptyJSON(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}
