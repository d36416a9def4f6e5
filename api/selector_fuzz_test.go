package api

import (
	"reflect"
	"testing"
)

func FuzzParseSelector(f *testing.F) {
	for _, seed := range []string{
		"", "app=web,tier!=db", "env in (a,b)", "env notin (a)", "x", "!x", "a==b",
		"x in (a,,b)", "x in ()", "in in (in)", "x>5", "y<-3", "a=b\x00c", "a_", "a/b/c",
		"example.com/app=web", "a in (a b)", "!a=b", "a,", "((", "!==", "a=(,)",
	} {
		f.Add(seed)
	}
	labels := map[string]string{"app": "web", "x": "", "n": "7"}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSelector(in)
		if err != nil {
			return
		}
		s.Matches(labels)
		back, err := ParseSelector(s.String())
		if err != nil {
			t.Fatalf("ParseSelector(%q) printed %q, which does not parse: %v", in, s.String(), err)
		}
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("ParseSelector(%q) = %#v, but its String %q parses to %#v", in, s, s.String(), back)
		}
	})
}
