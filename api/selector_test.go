package api

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const (
	labelKeyNameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	labelValueMsg   = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

func TestParseSelector(t *testing.T) {
	tests := []struct {
		in      string
		want    []Requirement
		wantStr string
		wantErr string
	}{
		{in: "", wantStr: ""},
		{in: "   ", wantStr: ""},
		{in: "app=web,tier!=db", wantStr: "app=web,tier!=db", want: []Requirement{
			{Key: "app", Op: OpEquals, Values: []string{"web"}},
			{Key: "tier", Op: OpNotEquals, Values: []string{"db"}},
		}},
		{in: "tier!=db,app=web", wantStr: "app=web,tier!=db"},
		{in: "a==b", wantStr: "a==b", want: []Requirement{{Key: "a", Op: OpDoubleEquals, Values: []string{"b"}}}},
		{in: "env in (b,a,b)", wantStr: "env in (a,b)", want: []Requirement{{Key: "env", Op: OpIn, Values: []string{"a", "b"}}}},
		{in: " env notin ( a ) ", wantStr: "env notin (a)"},
		{in: "x", wantStr: "x", want: []Requirement{{Key: "x", Op: OpExists}}},
		{in: "!x", wantStr: "!x", want: []Requirement{{Key: "x", Op: OpDoesNotExist}}},
		{in: "\tx\n,\r!y ", wantStr: "x,!y"},
		{in: "a=", wantStr: "a=", want: []Requirement{{Key: "a", Op: OpEquals, Values: []string{""}}}},
		{in: "a=,b", wantStr: "a=,b"},
		{in: "x in ()", wantStr: "x in ()", want: []Requirement{{Key: "x", Op: OpIn, Values: []string{""}}}},
		{in: "x in (a,,b)", wantStr: "x in (,a,b)"},
		{in: "x in (,a)", wantStr: "x in (,a)"},
		{in: "x in (a,)", wantStr: "x in (,a)"},
		{in: "in in (in,notin)", wantStr: "in in (in,notin)"},
		{in: "notin=in", wantStr: "notin=in"},
		{in: "x>5,y<3", wantStr: "x>5,y<3", want: []Requirement{
			{Key: "x", Op: OpGreaterThan, Values: []string{"5"}},
			{Key: "y", Op: OpLessThan, Values: []string{"3"}},
		}},
		{in: "example.com/app=web", wantStr: "example.com/app=web"},
		{in: "a=b \x00garbage!!", wantStr: "a=b"},
		{in: "a=b\x00garbage", wantErr: "found 'garbage', expected: ',' or 'end of string'"},
		{in: "a=b,a=b", wantStr: "a=b,a=b"},
		{in: "a,!a,a=b,a in (b),a in (a)", wantStr: "!a,a=b,a,a in (a),a in (b)"},
		{in: "a=\x00b", wantStr: "a=b"},
		{in: "a_", wantErr: `unable to parse requirement: <nil>: Invalid value: "a_": ` + labelKeyNameMsg},
		{in: "/a", wantErr: `unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty`},
		{in: "a/b/c", wantErr: `unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`},
		{in: "a=b_", wantErr: `unable to parse requirement: values[0][a]: Invalid value: "b_": ` + labelValueMsg},
		{in: "a=" + strings.Repeat("x", 64), wantErr: `unable to parse requirement: values[0][a]: Invalid value: "` + strings.Repeat("x", 64) + `": must be no more than 63 characters`},
		{in: "x>abc", wantErr: `unable to parse requirement: values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`},
		{in: "x>a_", wantErr: `unable to parse requirement: [values[0]: Invalid value: "a_": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "a_": ` + labelValueMsg + `]`},
		{in: "a=b c", wantErr: "found 'c', expected: ',' or 'end of string'"},
		{in: "!a=b", wantErr: "found '=', expected: ',' or 'end of string'"},
		{in: "a,", wantErr: "found '', expected: identifier after ','"},
		{in: "a,,b", wantErr: "found ',', expected: identifier after ','"},
		{in: "a b", wantErr: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"},
		{in: "(", wantErr: "found '(', expected: !, identifier, or 'end of string'"},
		{in: ",", wantErr: "found ',', expected: !, identifier, or 'end of string'"},
		{in: "!", wantErr: "unable to parse requirement: found '', expected: identifier"},
		{in: "a=(", wantErr: "unable to parse requirement: found '(', expected: identifier"},
		{in: "a in a", wantErr: "unable to parse requirement: found 'a' expected: '('"},
		{in: "a in (a b)", wantErr: "unable to parse requirement: found 'b', expected: ',' or ')'"},
		{in: "a in (", wantErr: "unable to parse requirement: found '', expected: ',', ')' or identifier"},
		{in: "a in (a,=)", wantErr: "unable to parse requirement: found '=', expected: ',', or identifier"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := ParseSelector(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("ParseSelector(%q) error = %v, want %s", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSelector(%q): %v", tt.in, err)
			}
			if got := s.String(); got != tt.wantStr {
				t.Errorf("String() = %q, want %q", got, tt.wantStr)
			}
			if tt.want != nil && !reflect.DeepEqual(s.Requirements(), tt.want) {
				t.Errorf("Requirements() = %#v, want %#v", s.Requirements(), tt.want)
			}
			back, err := ParseSelector(s.String())
			if err != nil || !reflect.DeepEqual(back, s) {
				t.Errorf("round trip of %q gave %#v, %v", s.String(), back, err)
			}
		})
	}
}

func TestSelectorMatches(t *testing.T) {
	web := map[string]string{"app": "web", "tier": "front", "n": "5"}
	tests := []struct {
		sel    string
		labels map[string]string
		want   bool
	}{
		{"", nil, true},
		{"", web, true},
		{"app=web", web, true},
		{"app==web", web, true},
		{"app=db", web, false},
		{"app=web", nil, false},
		{"app!=db", web, true},
		{"app!=web", web, false},
		{"missing!=x", web, true},
		{"app in (db,web)", web, true},
		{"app in (db)", web, false},
		{"missing in (x)", web, false},
		{"app notin (db)", web, true},
		{"app notin (web)", web, false},
		{"missing notin (x)", web, true},
		{"app", web, true},
		{"missing", web, false},
		{"!missing", web, true},
		{"!app", web, false},
		{"app=web,tier=front", web, true},
		{"app=web,tier=back", web, false},
		{"n>4", web, true},
		{"n>5", web, false},
		{"n<6", web, true},
		{"app>1", web, false},
		{"missing<1", web, false},
		{"x=", map[string]string{"x": ""}, true},
		{"x=", nil, false},
	}
	for _, tt := range tests {
		s, err := ParseSelector(tt.sel)
		if err != nil {
			t.Fatalf("ParseSelector(%q): %v", tt.sel, err)
		}
		if got := s.Matches(tt.labels); got != tt.want {
			t.Errorf("%q.Matches(%v) = %v, want %v", tt.sel, tt.labels, got, tt.want)
		}
	}
}

func TestSelectorEverythingNothing(t *testing.T) {
	tests := []struct {
		name      string
		sel       Selector
		wantEmpty bool
		wantMatch bool
	}{
		{"Everything", Everything(), true, true},
		{"zero", Selector{}, true, true},
		{"Nothing", Nothing(), false, false},
		{"FromSet nil", SelectorFromSet(nil), true, true},
		{"FromSet", SelectorFromSet(map[string]string{"app": "web"}), false, true},
	}
	for _, tt := range tests {
		if got := tt.sel.Empty(); got != tt.wantEmpty {
			t.Errorf("%s.Empty() = %v, want %v", tt.name, got, tt.wantEmpty)
		}
		if got := tt.sel.Matches(map[string]string{"app": "web"}); got != tt.wantMatch {
			t.Errorf("%s.Matches = %v, want %v", tt.name, got, tt.wantMatch)
		}
	}
	if s := SelectorFromSet(map[string]string{"b": "2", "a": "1"}).String(); s != "a=1,b=2" {
		t.Errorf("SelectorFromSet String() = %q", s)
	}
}

func TestSelectorFromLabelSelector(t *testing.T) {
	tests := []struct {
		name      string
		ls        *LabelSelector
		wantStr   string
		wantEmpty bool
		wantErr   string
	}{
		{name: "nil selects nothing", ls: nil},
		{name: "empty selects everything", ls: &LabelSelector{}, wantEmpty: true},
		{name: "labels and expressions", ls: &LabelSelector{
			MatchLabels: map[string]string{"app": "web"},
			MatchExpressions: []LabelSelectorRequirement{
				{Key: "tier", Operator: "In", Values: []string{"b", "a"}},
				{Key: "env", Operator: "NotIn", Values: []string{"prod"}},
				{Key: "x", Operator: "Exists"},
				{Key: "y", Operator: "DoesNotExist"},
			},
		}, wantStr: "app=web,env notin (prod),tier in (a,b),x,!y"},
		{name: "bad operator", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "x", Operator: "Gt"}}},
			wantErr: `"Gt" is not a valid label selector operator`},
		{name: "bad key", ls: &LabelSelector{MatchLabels: map[string]string{"a_": "b"}},
			wantErr: `key: Invalid value: "a_": ` + labelKeyNameMsg},
		{name: "in without values", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "x", Operator: "In"}}},
			wantErr: `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`},
		{name: "exists with values", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "x", Operator: "Exists", Values: []string{"a"}}}},
			wantErr: `values: Invalid value: []string{"a"}: values set must be empty for exists and does not exist`},
		{name: "several problems", ls: &LabelSelector{MatchExpressions: []LabelSelectorRequirement{{Key: "x_", Operator: "In", Values: []string{"b_"}}}},
			wantErr: `[key: Invalid value: "x_": ` + labelKeyNameMsg + `, values[0][x_]: Invalid value: "b_": ` + labelValueMsg + `]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := SelectorFromLabelSelector(tt.ls)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tt.wantStr || s.Empty() != tt.wantEmpty {
				t.Errorf("got %q (empty %v), want %q (empty %v)", s.String(), s.Empty(), tt.wantStr, tt.wantEmpty)
			}
			if tt.ls == nil && s.Matches(nil) {
				t.Error("nil LabelSelector matched")
			}
		})
	}
}

func TestRequirementString(t *testing.T) {
	tests := []struct {
		r    Requirement
		want string
	}{
		{Requirement{Key: "app", Op: OpEquals, Values: []string{"web"}}, "app=web"},
		{Requirement{Key: "app", Op: OpNotIn, Values: []string{"a", "b"}}, "app notin (a,b)"},
		{Requirement{Key: "app", Op: OpDoesNotExist}, "!app"},
		{Requirement{Key: "n", Op: OpLessThan, Values: []string{"3"}}, "n<3"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
	if Everything().Requirements() != nil {
		t.Error("Everything has requirements")
	}
}

func TestRequirementsIsACopy(t *testing.T) {
	s, err := ParseSelector("a in (x,y)")
	if err != nil {
		t.Fatal(err)
	}
	s.Requirements()[0].Values[0] = "changed"
	if got := s.String(); got != "a in (x,y)" {
		t.Errorf("selector changed through Requirements: %q", got)
	}
}

func TestMatchesDoesNotAllocate(t *testing.T) {
	s, err := ParseSelector("app=web,tier in (front,back),env notin (prod),!legacy,n>3,x")
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "web", "tier": "front", "env": "dev", "n": "4", "x": ""}
	if !s.Matches(labels) {
		t.Fatal("selector does not match")
	}
	if n := testing.AllocsPerRun(100, func() { s.Matches(labels) }); n != 0 {
		t.Errorf("Matches allocates %v times per run", n)
	}
}

func TestParseInt64(t *testing.T) {
	for _, s := range []string{"0", "-0", "+7", "-7", "42", "9223372036854775807", "9223372036854775808",
		"-9223372036854775808", "-9223372036854775809", "", "+", "-", "1_0", "0x1", "12a", "99999999999999999999"} {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt64(s)
		if ok != (err == nil) || (ok && got != want) {
			t.Errorf("parseInt64(%q) = %d, %v; strconv says %d, %v", s, got, ok, want, err)
		}
	}
}
