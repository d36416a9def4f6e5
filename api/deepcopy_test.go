package api

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

var (
	fillTimeType    = reflect.TypeFor[time.Time]()
	fillAddrType    = reflect.TypeFor[netip.Addr]()
	fillRawJSONType = reflect.TypeFor[json.RawMessage]()
)

// filler sets every reachable field to a non-zero value, distinct where the
// type allows, so that a field the copy drops shows up in reflect.DeepEqual.
// It fails the test on a field kind it does not know, so that a new kind of
// field forces this test to be taught about it rather than silently skipped.
type filler struct {
	t *testing.T
	n int
}

func (f *filler) next() int {
	f.n++
	return f.n
}

func (f *filler) fill(v reflect.Value, path string) {
	switch v.Type() {
	case fillTimeType:
		v.Set(reflect.ValueOf(time.Date(2024, 1, 1, 0, 0, f.next(), 0, time.UTC)))
		return
	case fillAddrType:
		v.Set(reflect.ValueOf(netip.AddrFrom4([4]byte{10, 0, 0, byte(f.next())})))
		return
	case fillRawJSONType:
		v.SetBytes(fmt.Appendf(nil, `{"n":%d}`, f.next()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", f.next()))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.next()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.next()))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			f.fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k := reflect.New(v.Type().Key()).Elem()
			f.fill(k, path+"{key}")
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(e, path+"{value}")
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() {
				f.t.Fatalf("%s.%s: unexported field; teach the test about %s", path, sf.Name, v.Type())
			}
			f.fill(v.Field(i), path+"."+sf.Name)
		}
	default:
		f.t.Fatalf("%s: field kind %s not handled by the test", path, v.Kind())
	}
}

// mutateReachable changes every value reachable from v in place: through pointers, slice
// elements and map entries, and adds a map key. Any memory the copy shares with
// the original therefore changes the original too.
func mutateReachable(v reflect.Value) {
	switch v.Type() {
	case fillTimeType:
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Hour)))
		return
	case fillAddrType:
		v.Set(reflect.ValueOf(v.Interface().(netip.Addr).Next()))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "'")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 100)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 100)
	case reflect.Pointer:
		if !v.IsNil() {
			mutateReachable(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			mutateReachable(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			mutateReachable(e)
			v.SetMapIndex(k, e)
		}
		k := reflect.New(v.Type().Key()).Elem()
		e := reflect.New(v.Type().Elem()).Elem()
		mutateReachable(k)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			mutateReachable(v.Field(i))
		}
	}
}

// deepCopyCase is one type under test: a constructor for a zero value (a
// pointer) and the copy method to check.
type deepCopyCase struct {
	name string
	zero func() any
	copy func(any) any
}

// deepCopyCases covers every stored kind, from Kinds so that a new kind is
// covered without editing this test, and the nested types with a DeepCopy of
// their own.
func deepCopyCases() []deepCopyCase {
	var cases []deepCopyCase
	for _, k := range Kinds {
		cases = append(cases, deepCopyCase{
			name: string(k),
			zero: func() any { return reflect.New(reflect.TypeOf(NewObject(k)).Elem()).Interface() },
			copy: func(o any) any { return o.(Object).DeepCopyObject() },
		})
	}
	nested := []any{
		&ObjectMeta{}, &OwnerReference{}, &PodSpec{}, &PodDNSConfig{}, &Container{},
		&Probe{}, &Lifecycle{}, &LifecycleHandler{}, &ServiceSpec{}, &DeploymentSpec{},
		&PodTemplateSpec{}, &LabelSelector{},
	}
	for _, p := range nested {
		typ := reflect.TypeOf(p)
		cases = append(cases, deepCopyCase{
			name: typ.Elem().Name(),
			zero: func() any { return reflect.New(typ.Elem()).Interface() },
			copy: func(o any) any { return reflect.ValueOf(o).MethodByName("DeepCopy").Call(nil)[0].Interface() },
		})
	}
	return cases
}

func TestDeepCopySharesNothing(t *testing.T) {
	for _, tc := range deepCopyCases() {
		t.Run(tc.name, func(t *testing.T) {
			filled := func() any {
				p := tc.zero()
				(&filler{t: t}).fill(reflect.ValueOf(p).Elem(), tc.name)
				return p
			}
			orig, want := filled(), filled()
			cp := tc.copy(orig)
			if reflect.TypeOf(cp) != reflect.TypeOf(orig) {
				t.Fatalf("copy has type %T, want %T", cp, orig)
			}
			if !reflect.DeepEqual(cp, orig) {
				t.Fatalf("copy differs from original:\n got %#v\nwant %#v", cp, orig)
			}
			mutateReachable(reflect.ValueOf(cp).Elem())
			if reflect.DeepEqual(cp, orig) {
				t.Fatal("mutating the copy changed nothing; the test is not exercising it")
			}
			if !reflect.DeepEqual(orig, want) {
				t.Fatalf("mutating the copy changed the original:\n got %#v\nwant %#v", orig, want)
			}
		})
	}
}

func TestDeepCopyKeepsNilAndEmpty(t *testing.T) {
	for _, tc := range deepCopyCases() {
		t.Run(tc.name, func(t *testing.T) {
			orig := tc.zero()
			if cp := tc.copy(orig); !reflect.DeepEqual(cp, orig) {
				t.Fatalf("copy of zero value differs:\n got %#v\nwant %#v", cp, orig)
			}
		})
	}
	empty := &Pod{
		ObjectMeta: ObjectMeta{Labels: map[string]string{}, Finalizers: []string{}},
		Spec:       PodSpec{Containers: []Container{}, Volumes: json.RawMessage{}},
	}
	if cp := empty.DeepCopy(); !reflect.DeepEqual(cp, empty) {
		t.Fatalf("copy of empty collections differs:\n got %#v\nwant %#v", cp, empty)
	}
}

func TestDeepCopyObjectNilReceiver(t *testing.T) {
	for _, k := range Kinds {
		t.Run(string(k), func(t *testing.T) {
			nilObj := reflect.Zero(reflect.TypeOf(NewObject(k))).Interface().(Object)
			if got := nilObj.DeepCopyObject(); got != nil {
				t.Fatalf("DeepCopyObject of nil %T = %#v, want untyped nil", nilObj, got)
			}
		})
	}
}
