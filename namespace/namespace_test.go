package namespace_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/namespace"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

var t0 = time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC)

const latency = 100 * time.Millisecond

// fakeKubelet removes a terminating pod when its grace period ends, as a
// kubelet whose containers take the whole grace period to stop.
type fakeKubelet struct {
	loop *sim.Loop
	st   *store.Store
}

func (k *fakeKubelet) onPod(ev store.Event) {
	p := ev.Object.(*api.Pod)
	if ev.Type != store.Modified || ev.Old.(*api.Pod).DeletionTimestamp != nil || p.DeletionTimestamp == nil {
		return
	}
	ref, uid := api.RefOf(p), p.UID
	k.loop.At(p.DeletionTimestamp.Time, handler(func() {
		if cur := k.st.Peek(ref); cur != nil && cur.GetObjectMeta().UID == uid {
			k.st.Remove(ref)
		}
	}), 0)
}

type handler func()

func (h handler) Fire(uint64) { h() }

func setup(t *testing.T) (*sim.Loop, *store.Store, *[]string) {
	t.Helper()
	loop := sim.New(t0, 1)
	st := store.New(loop, store.Options{})
	namespace.Start(loop, st, latency)
	k := &fakeKubelet{loop: loop, st: st}
	st.Watch(k.onPod, api.KindPod)
	var log []string
	st.Watch(func(ev store.Event) {
		ns := ev.Object.(*api.Namespace)
		log = append(log, fmt.Sprintf("%v %s %s %s", loop.Now().Sub(t0), ev.Type, ns.Name, ns.Status.Phase))
	}, api.KindNamespace)
	for _, ns := range namespace.Initial {
		if _, err := st.Create(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ns := range []string{"team-a", "team-b"} {
		if _, err := st.Create(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	log = nil
	return loop, st, &log
}

func fill(t *testing.T, st *store.Store, ns string) {
	t.Helper()
	labels := map[string]string{"app": "web"}
	c := []api.Container{{Name: "c", Image: "nginx:1.25"}}
	objs := []api.Object{
		&api.Service{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: ns},
			Spec: api.ServiceSpec{Selector: labels, Ports: []api.ServicePort{{Port: 80}}}},
		&api.Endpoints{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: ns}},
		&api.Deployment{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: ns}, Spec: api.DeploymentSpec{
			Selector: &api.LabelSelector{MatchLabels: labels},
			Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: labels}, Spec: api.PodSpec{Containers: c}}}},
		&api.Pod{ObjectMeta: api.ObjectMeta{Name: "bound", Namespace: ns, Labels: labels},
			Spec: api.PodSpec{Containers: c, NodeName: "n1"}},
		&api.Pod{ObjectMeta: api.ObjectMeta{Name: "pending", Namespace: ns, Labels: labels},
			Spec: api.PodSpec{Containers: c}},
	}
	if _, err := st.Apply(objs); err != nil {
		t.Fatal(err)
	}
}

func contents(st *store.Store, ns string) string {
	var out []string
	for _, k := range api.Kinds {
		for _, o := range st.List(k, ns, api.Everything()) {
			s := strings.ToLower(string(k)) + "/" + o.GetObjectMeta().Name
			if o.GetObjectMeta().DeletionTimestamp != nil {
				s += "(terminating)"
			}
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

func TestNamespaceLifecycle(t *testing.T) {
	loop, st, log := setup(t)
	fill(t, st, "team-a")
	fill(t, st, "team-b")
	ref := api.Ref{Kind: api.KindNamespace, Name: "team-a"}
	if err := st.Delete(ref, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		at       time.Duration
		wantNS   string // phase, or "gone"
		contents string
	}{
		{0, "Terminating", "service/web endpoints/web deployment/web pod/bound pod/pending"},
		{latency - time.Millisecond, "Terminating", "service/web endpoints/web deployment/web pod/bound pod/pending"},
		// The controller deletes everything; the bound pod terminates
		// for its 30s grace period.
		{latency, "Terminating", "pod/bound(terminating)"},
		{latency + 30*time.Second - time.Millisecond, "Terminating", "pod/bound(terminating)"},
		{latency + 30*time.Second, "Terminating", ""},
		// Then the namespace goes once the controller sees it empty.
		{2*latency + 30*time.Second, "gone", ""},
	}
	for _, s := range steps {
		loop.RunUntil(t0.Add(s.at))
		got := "gone"
		if ns, ok := st.Peek(ref).(*api.Namespace); ok {
			got = string(ns.Status.Phase)
			if ns.DeletionTimestamp == nil || !ns.DeletionTimestamp.Equal(t0) {
				t.Errorf("+%v: deletionTimestamp = %v, want %v", s.at, ns.DeletionTimestamp, t0)
			}
		}
		if got != s.wantNS {
			t.Errorf("+%v: namespace %s, want %s", s.at, got, s.wantNS)
		}
		if c := contents(st, "team-a"); c != s.contents {
			t.Errorf("+%v: contents %q, want %q", s.at, c, s.contents)
		}
		if got == "Terminating" {
			_, err := st.Create(&api.Service{ObjectMeta: api.ObjectMeta{Name: "late", Namespace: "team-a"},
				Spec: api.ServiceSpec{Ports: []api.ServicePort{{Port: 80}}}})
			if want := `services "late" is forbidden: unable to create new content in namespace team-a because it is being terminated`; err == nil || err.Error() != want {
				t.Errorf("+%v: create in a terminating namespace: %v", s.at, err)
			}
		}
	}
	if got, want := contents(st, "team-b"), "service/web endpoints/web deployment/web pod/bound pod/pending"; got != want {
		t.Errorf("team-b was touched: %s", got)
	}
	want := []string{"0s MODIFIED team-a Terminating", "30.2s DELETED team-a Terminating"}
	if !slices.Equal(*log, want) {
		t.Errorf("namespace events %q, want %q", *log, want)
	}
	// Once gone, the name may be used again.
	if _, err := st.Create(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team-a"}}); err != nil {
		t.Errorf("recreate team-a: %v", err)
	}
	if _, err := st.Create(&api.Service{ObjectMeta: api.ObjectMeta{Name: "web", Namespace: "team-a"},
		Spec: api.ServiceSpec{Ports: []api.ServicePort{{Port: 80}}}}); err != nil {
		t.Errorf("create in the recreated namespace: %v", err)
	}
}

func TestEmptyNamespaceGoesAfterLatency(t *testing.T) {
	loop, st, _ := setup(t)
	ref := api.Ref{Kind: api.KindNamespace, Name: "team-b"}
	if err := st.Delete(ref, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	loop.RunUntil(t0.Add(latency - time.Millisecond))
	if st.Peek(ref) == nil {
		t.Fatal("namespace gone before the controller's latency")
	}
	loop.RunUntil(t0.Add(latency))
	if st.Peek(ref) != nil {
		t.Errorf("empty namespace still there after %v", latency)
	}
}

func TestProtectedNamespaces(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string
	}{
		{"default", `namespaces "default" is forbidden: this namespace may not be deleted`},
		{"kube-system", `namespaces "kube-system" is forbidden: this namespace may not be deleted`},
		{"kube-public", `namespaces "kube-public" is forbidden: this namespace may not be deleted`},
		{"kube-node-lease", ""},
		{"missing", `namespaces "missing" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loop, st, _ := setup(t)
			err := st.Delete(api.Ref{Kind: api.KindNamespace, Name: tt.name}, store.DeleteOptions{})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				loop.RunFor(time.Second)
				if st.Peek(api.Ref{Kind: api.KindNamespace, Name: tt.name}) != nil {
					t.Errorf("%s not deleted", tt.name)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.name != "missing" {
				if ns := st.Peek(api.Ref{Kind: api.KindNamespace, Name: tt.name}).(*api.Namespace); ns.Status.Phase != api.NamespaceActive {
					t.Errorf("%s is %s after a refused delete", tt.name, ns.Status.Phase)
				}
			}
		})
	}
}

func TestInitialNamespaces(t *testing.T) {
	want := []string{"default", "kube-node-lease", "kube-public", "kube-system"}
	if got := slices.Sorted(slices.Values(namespace.Initial)); !slices.Equal(got, want) {
		t.Errorf("initial namespaces %v, want %v", got, want)
	}
}
