package kubectl

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/kubesim/kubesim/api"
)

// FuzzJSONPath checks that no template, however malformed, makes the parser
// or the evaluator panic or run away, on a pod and on a list of them.
func FuzzJSONPath(f *testing.F) {
	for _, s := range []string{
		"{.items[0].status.podIP}",
		"{range .items[*]}{.metadata.name}{\"\\n\"}{end}",
		"http://{.status.loadBalancer.ingress[0].*}:8080",
		"{.items[?(@.metadata.name==\"a\")].spec.containers[*].image}",
		"{..name}", "{.items[-1:]}", "{.items[0:2:1]['metadata','spec']}",
		"{.a[?(@.b)]}", "{range}{end}{end}", "{'x\\'y'}", "{@}{$}", "{.items[?(@.x>1.5)]}",
	} {
		f.Add(s)
	}
	p := &api.Pod{
		TypeMeta:   api.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: api.ObjectMeta{Name: "a", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "i", Ports: []api.ContainerPort{{ContainerPort: 80}}}}},
		Status:     api.PodStatus{Phase: api.PodRunning, PodIP: netip.MustParseAddr("10.1.0.5"), PodIPs: []api.PodIP{{IP: netip.MustParseAddr("10.1.0.5")}}},
	}
	obj, err := toValue(p)
	if err != nil {
		f.Fatal(err)
	}
	list := map[string]any{"apiVersion": "v1", "kind": "List", "items": []any{obj, obj}}
	f.Fuzz(func(t *testing.T, tmpl string) {
		jp, err := parseJSONPath(tmpl)
		if err != nil {
			return
		}
		for _, data := range []any{obj, list} {
			var b bytes.Buffer
			_ = jp.execute(&b, data)
			jp.allowMissing = false
			_ = jp.execute(&b, data)
			jp.allowMissing = true
		}
		if cols, err := parseCustomColumns("X:" + tmpl); err == nil {
			_ = printCustomColumns(&bytes.Buffer{}, cols, list, list["items"].([]any))
		}
		if check, err := conditionCheck("jsonpath=" + tmpl); err == nil {
			_, _ = check(obj)
		}
	})
}
