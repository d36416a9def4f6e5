package store_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/store"
)

var start = time.Date(2024, 1, 18, 9, 0, 0, 0, time.UTC)

// newStore returns a store on a fresh loop with the namespaces of a new
// cluster and "doomed", plus one more namespace per name in extra.
func newStore(t testing.TB, seed uint64, extra ...string) (*sim.Loop, *store.Store) {
	t.Helper()
	loop := sim.New(start, seed)
	st := store.New(loop, store.Options{})
	for _, ns := range append([]string{"default", "kube-system", "kube-public", "kube-node-lease"}, extra...) {
		if _, err := st.Create(&api.Namespace{ObjectMeta: api.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	return loop, st
}

func i32(v int32) *int32 { return &v }
func i64(v int64) *int64 { return &v }

func fmtPtr[T any](p *T) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func service(ns, name string) *api.Service {
	return &api.Service{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"app": name}},
		Spec: api.ServiceSpec{
			Selector: map[string]string{"app": name},
			Ports:    []api.ServicePort{{Port: 80}},
		},
	}
}

func pod(ns, name string, labels map[string]string) *api.Pod {
	return &api.Pod{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1.25"}}},
	}
}

func deployment(ns, name string) *api.Deployment {
	l := map[string]string{"app": name}
	return &api.Deployment{
		ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns},
		Spec: api.DeploymentSpec{
			Replicas: i32(2),
			Selector: &api.LabelSelector{MatchLabels: l},
			Template: api.PodTemplateSpec{
				ObjectMeta: api.ObjectMeta{Labels: l},
				Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "nginx:1.25"}}},
			},
		},
	}
}

func endpoints(ns, name string) *api.Endpoints {
	return &api.Endpoints{ObjectMeta: api.ObjectMeta{Name: name, Namespace: ns}}
}

func mustCreate(t testing.TB, st *store.Store, o api.Object) api.Object {
	t.Helper()
	got, err := st.Create(o)
	if err != nil {
		t.Fatalf("create %s: %v", api.RefOf(o), err)
	}
	return got
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCreateFillsMetadata(t *testing.T) {
	tests := []struct {
		obj        api.Object
		apiVersion string
		namespace  string
		generation int64
	}{
		{service("", "web"), "v1", "default", 1},
		{deployment("kube-system", "web"), "apps/v1", "kube-system", 1},
		{endpoints("", "web"), "v1", "default", 0},
		{&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team-a"}}, "v1", "", 1},
		{&api.Node{ObjectMeta: api.ObjectMeta{Name: "n1", Namespace: "ignored"}}, "v1", "", 1},
	}
	loop, st := newStore(t, 1)
	lastRV := 0
	for i, tt := range tests {
		kind := api.KindOf(tt.obj)
		t.Run(string(kind), func(t *testing.T) {
			loop.RunFor(time.Duration(i+1) * time.Second)
			got := mustCreate(t, st, tt.obj)
			m := got.GetObjectMeta()
			if tm := *got.GetTypeMeta(); tm.APIVersion != tt.apiVersion || tm.Kind != string(kind) {
				t.Errorf("typeMeta = %+v, want %s %s", tm, tt.apiVersion, kind)
			}
			if m.Namespace != tt.namespace {
				t.Errorf("namespace = %q, want %q", m.Namespace, tt.namespace)
			}
			if !uuidV4.MatchString(m.UID) {
				t.Errorf("uid = %q, want a version-4 UUID", m.UID)
			}
			rv, err := strconv.Atoi(m.ResourceVersion)
			if err != nil || rv <= lastRV {
				t.Errorf("resourceVersion = %q, want a number above %d", m.ResourceVersion, lastRV)
			}
			lastRV = rv
			if !m.CreationTimestamp.Equal(loop.Now()) {
				t.Errorf("creationTimestamp = %v, want the virtual clock %v", m.CreationTimestamp, loop.Now())
			}
			if m.Generation != tt.generation {
				t.Errorf("generation = %d, want %d", m.Generation, tt.generation)
			}
			if m.DeletionTimestamp != nil {
				t.Errorf("deletionTimestamp = %v on a new object", m.DeletionTimestamp)
			}
			// The caller's object is not the stored one.
			if tt.obj.GetObjectMeta().UID != "" {
				t.Error("Create changed the caller's object")
			}
		})
	}
}

func TestUIDsUniqueAndSeeded(t *testing.T) {
	uids := func(seed uint64) []string {
		_, st := newStore(t, seed)
		var out []string
		for i := range 2000 {
			out = append(out, mustCreate(t, st, endpoints("default", fmt.Sprintf("ep-%d", i))).GetObjectMeta().UID)
		}
		return out
	}
	a := uids(3)
	seen := make(map[string]bool, len(a))
	for _, u := range a {
		if seen[u] {
			t.Fatalf("uid %s given twice", u)
		}
		seen[u] = true
	}
	if b := uids(3); !slices.Equal(a, b) {
		t.Error("the same seed gave different uids")
	}
	if c := uids(4); c[0] == a[0] {
		t.Error("seeds 3 and 4 gave the same first uid")
	}
}

func TestGenerateName(t *testing.T) {
	long := strings.Repeat("a", 70) + "-"
	tests := []struct {
		prefix, wantPrefix string
	}{
		{"web-", "web-"},
		{"sleep-2-7f69798f94-", "sleep-2-7f69798f94-"},
		{long, long[:58]},
	}
	suffix := regexp.MustCompile(`^[` + store.Alphabet + `]{5}$`)
	for _, tt := range tests {
		t.Run(tt.prefix[:min(len(tt.prefix), 10)], func(t *testing.T) {
			_, st := newStore(t, 1)
			seen := map[string]bool{}
			for range 50 {
				o := mustCreate(t, st, &api.Pod{
					ObjectMeta: api.ObjectMeta{GenerateName: tt.prefix, Namespace: "default"},
					Spec:       api.PodSpec{Containers: []api.Container{{Name: "c", Image: "x:1"}}},
				})
				name := o.GetObjectMeta().Name
				if !strings.HasPrefix(name, tt.wantPrefix) || !suffix.MatchString(name[len(tt.wantPrefix):]) || len(name) > 63 {
					t.Fatalf("name %q: want %q + 5 characters of %q", name, tt.wantPrefix, store.Alphabet)
				}
				if o.GetObjectMeta().GenerateName != tt.prefix {
					t.Errorf("generateName = %q, want it kept as %q", o.GetObjectMeta().GenerateName, tt.prefix)
				}
				if seen[name] {
					t.Fatalf("name %q generated twice", name)
				}
				seen[name] = true
			}
		})
	}
	// Apply needs a name, as kubectl apply does.
	_, st := newStore(t, 1)
	_, err := st.Apply([]api.Object{&api.Pod{ObjectMeta: api.ObjectMeta{GenerateName: "web-"},
		Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "x:1"}}}}})
	if err == nil {
		t.Error("apply of an object with only generateName succeeded")
	}
}

func TestGenerationBumpsOnSpecChangeOnly(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*api.Deployment)
		wantGen int64
	}{
		{"label", func(d *api.Deployment) { d.Labels = map[string]string{"tier": "web"} }, 1},
		{"annotation", func(d *api.Deployment) { d.Annotations = map[string]string{"note": "x"} }, 1},
		{"status", func(d *api.Deployment) { d.Status.ReadyReplicas = 2 }, 1},
		{"replicas", func(d *api.Deployment) { d.Spec.Replicas = i32(5) }, 2},
		{"image", func(d *api.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:1.26" }, 2},
		{"nothing", func(*api.Deployment) {}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st := newStore(t, 1)
			orig := mustCreate(t, st, deployment("default", "web")).(*api.Deployment)
			c := orig.DeepCopy()
			tt.change(c)
			got, err := st.Update(c)
			if err != nil {
				t.Fatal(err)
			}
			if g := got.GetObjectMeta().Generation; g != tt.wantGen {
				t.Errorf("generation = %d, want %d", g, tt.wantGen)
			}
			rvChanged := got.GetObjectMeta().ResourceVersion != orig.ResourceVersion
			if rvChanged != (tt.name != "nothing") {
				t.Errorf("resourceVersion %s -> %s", orig.ResourceVersion, got.GetObjectMeta().ResourceVersion)
			}
			if got.GetObjectMeta().UID != orig.UID || !got.GetObjectMeta().CreationTimestamp.Equal(orig.CreationTimestamp.Time) {
				t.Error("update changed uid or creationTimestamp")
			}
		})
	}
	// A controller's status write never bumps the generation.
	_, st := newStore(t, 1)
	d := mustCreate(t, st, deployment("default", "web")).(*api.Deployment).DeepCopy()
	d.Status.Replicas = 2
	if err := st.UpdateStatus(d, "status"); err != nil {
		t.Fatal(err)
	}
	if got := st.Peek(api.RefOf(d)).GetObjectMeta().Generation; got != 1 {
		t.Errorf("generation after a status write = %d, want 1", got)
	}
}

func TestResourceVersionIncreasesOnEveryWrite(t *testing.T) {
	_, st := newStore(t, 1)
	var rvs []int
	record := func(o api.Object) {
		rv, err := strconv.Atoi(o.GetObjectMeta().ResourceVersion)
		if err != nil {
			t.Fatal(err)
		}
		rvs = append(rvs, rv)
	}
	s := mustCreate(t, st, service("default", "web"))
	record(s)
	for i := range 3 {
		c := s.(*api.Service).DeepCopy()
		c.Labels["round"] = strconv.Itoa(i)
		var err error
		if s, err = st.Update(c); err != nil {
			t.Fatal(err)
		}
		record(s)
	}
	record(mustCreate(t, st, endpoints("default", "other")))
	if !slices.IsSorted(rvs) || len(slices.Compact(slices.Clone(rvs))) != len(rvs) {
		t.Errorf("resourceVersions %v are not strictly increasing", rvs)
	}
}

func TestErrorsInKubectlWords(t *testing.T) {
	type op func(loop *sim.Loop, st *store.Store) error
	tests := []struct {
		name   string
		op     op
		want   string
		reason string
	}{
		{"get missing service", func(_ *sim.Loop, st *store.Store) error {
			_, err := st.Get(api.Ref{Kind: api.KindService, Namespace: "default", Name: "x"})
			return err
		}, `services "x" not found`, "NotFound"},
		{"get missing deployment", func(_ *sim.Loop, st *store.Store) error {
			_, err := st.Get(api.Ref{Kind: api.KindDeployment, Namespace: "default", Name: "x"})
			return err
		}, `deployments.apps "x" not found`, "NotFound"},
		{"get missing endpointslice", func(_ *sim.Loop, st *store.Store) error {
			_, err := st.Get(api.Ref{Kind: api.KindEndpointSlice, Namespace: "default", Name: "x"})
			return err
		}, `endpointslices.discovery.k8s.io "x" not found`, "NotFound"},
		{"delete missing service", func(_ *sim.Loop, st *store.Store) error {
			return st.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "x"}, store.DeleteOptions{})
		}, `services "x" not found`, "NotFound"},
		{"update missing service", func(_ *sim.Loop, st *store.Store) error {
			_, err := st.Update(service("default", "x"))
			return err
		}, `services "x" not found`, "NotFound"},
		{"create twice", func(_ *sim.Loop, st *store.Store) error {
			if _, err := st.Create(service("default", "x")); err != nil {
				return err
			}
			_, err := st.Create(service("default", "x"))
			return err
		}, `services "x" already exists`, "AlreadyExists"},
		{"create deployment twice", func(_ *sim.Loop, st *store.Store) error {
			if _, err := st.Create(deployment("default", "x")); err != nil {
				return err
			}
			_, err := st.Create(deployment("default", "x"))
			return err
		}, `deployments.apps "x" already exists`, "AlreadyExists"},
		{"stale resourceVersion", func(_ *sim.Loop, st *store.Store) error {
			s, err := st.Create(service("default", "x"))
			if err != nil {
				return err
			}
			stale := s.(*api.Service).DeepCopy()
			fresh := stale.DeepCopy()
			fresh.Labels["v"] = "2"
			if _, err := st.Update(fresh); err != nil {
				return err
			}
			stale.Labels["v"] = "3"
			_, err = st.Update(stale)
			return err
		}, `Operation cannot be fulfilled on services "x": the object has been modified; please apply your changes to the latest version and try again`, "Conflict"},
		{"create in missing namespace", func(_ *sim.Loop, st *store.Store) error {
			_, err := st.Create(service("nope", "x"))
			return err
		}, `namespaces "nope" not found`, "NotFound"},
		{"apply in missing namespace", func(_ *sim.Loop, st *store.Store) error {
			_, err := st.Apply([]api.Object{service("nope", "x")})
			return err
		}, `namespaces "nope" not found`, "NotFound"},
		{"create in terminating namespace", func(_ *sim.Loop, st *store.Store) error {
			if err := st.Delete(api.Ref{Kind: api.KindNamespace, Name: "doomed"}, store.DeleteOptions{}); err != nil {
				return err
			}
			_, err := st.Create(pod("doomed", "p", nil))
			return err
		}, `pods "p" is forbidden: unable to create new content in namespace doomed because it is being terminated`, "Forbidden"},
		{"apply deployment in terminating namespace", func(_ *sim.Loop, st *store.Store) error {
			if err := st.Delete(api.Ref{Kind: api.KindNamespace, Name: "doomed"}, store.DeleteOptions{}); err != nil {
				return err
			}
			_, err := st.Apply([]api.Object{deployment("doomed", "web")})
			return err
		}, `deployments.apps "web" is forbidden: unable to create new content in namespace doomed because it is being terminated`, "Forbidden"},
		{"delete namespace default", func(_ *sim.Loop, st *store.Store) error {
			return st.Delete(api.Ref{Kind: api.KindNamespace, Name: "default"}, store.DeleteOptions{})
		}, `namespaces "default" is forbidden: this namespace may not be deleted`, "Forbidden"},
		{"delete namespace kube-system", func(_ *sim.Loop, st *store.Store) error {
			return st.Delete(api.Ref{Kind: api.KindNamespace, Name: "kube-system"}, store.DeleteOptions{})
		}, `namespaces "kube-system" is forbidden: this namespace may not be deleted`, "Forbidden"},
		{"delete namespace kube-public", func(_ *sim.Loop, st *store.Store) error {
			return st.Delete(api.Ref{Kind: api.KindNamespace, Name: "kube-public"}, store.DeleteOptions{})
		}, `namespaces "kube-public" is forbidden: this namespace may not be deleted`, "Forbidden"},
		{"invalid", func(_ *sim.Loop, st *store.Store) error {
			s := service("default", "x")
			s.Spec.Ports[0].Port = 0
			s.Spec.Ports[0].TargetPort = api.FromInt(8080)
			_, err := st.Create(s)
			return err
		}, `Service "x" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`, "Invalid"},
		{"immutable selector", func(_ *sim.Loop, st *store.Store) error {
			d, err := st.Create(deployment("default", "x"))
			if err != nil {
				return err
			}
			c := d.(*api.Deployment).DeepCopy()
			c.Spec.Selector.MatchLabels["tier"] = "web"
			c.Spec.Template.Labels["tier"] = "web"
			_, err = st.Update(c)
			return err
		}, `Deployment.apps "x" is invalid: spec.selector: Invalid value: `, "Invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loop, st := newStore(t, 1, "doomed")
			err := tt.op(loop, st)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want && !(strings.HasSuffix(tt.want, ": ") && strings.HasPrefix(got, tt.want)) {
				t.Errorf("error = %q\nwant    %q", got, tt.want)
			}
			if got := api.Reason(err); got != tt.reason {
				t.Errorf("reason = %s, want %s", got, tt.reason)
			}
		})
	}
}

func TestDeleteNamespaceMarksTerminating(t *testing.T) {
	loop, st := newStore(t, 1, "team-a", "kube-node-lease-2")
	loop.RunFor(time.Minute)
	ref := api.Ref{Kind: api.KindNamespace, Name: "team-a"}
	if err := st.Delete(ref, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	ns := st.Peek(ref).(*api.Namespace)
	if ns.Status.Phase != api.NamespaceTerminating || ns.DeletionTimestamp == nil || !ns.DeletionTimestamp.Equal(loop.Now()) {
		t.Errorf("namespace after delete: phase %s deletionTimestamp %v, want Terminating at %v", ns.Status.Phase, ns.DeletionTimestamp, loop.Now())
	}
	rv := ns.ResourceVersion
	if err := st.Delete(ref, store.DeleteOptions{}); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if st.Peek(ref).GetObjectMeta().ResourceVersion != rv {
		t.Error("second delete of a terminating namespace changed it")
	}
	// kube-node-lease is not protected.
	if err := st.Delete(api.Ref{Kind: api.KindNamespace, Name: "kube-node-lease"}, store.DeleteOptions{}); err != nil {
		t.Errorf("delete kube-node-lease: %v", err)
	}
}

func TestApplyResults(t *testing.T) {
	tests := []struct {
		obj  api.Object
		name string
	}{
		{service("", "numbers-api"), "service/numbers-api"},
		{deployment("", "web"), "deployment.apps/web"},
		{endpoints("", "ext"), "endpoints/ext"},
		{&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team-a"}}, "namespace/team-a"},
		{&api.Node{ObjectMeta: api.ObjectMeta{Name: "n1"}}, "node/n1"},
		{pod("", "p", map[string]string{"app": "p"}), "pod/p"},
		{&api.ReplicaSet{ObjectMeta: api.ObjectMeta{Name: "rs"}, Spec: api.ReplicaSetSpec{
			Selector: &api.LabelSelector{MatchLabels: map[string]string{"a": "b"}},
			Template: api.PodTemplateSpec{ObjectMeta: api.ObjectMeta{Labels: map[string]string{"a": "b"}},
				Spec: api.PodSpec{Containers: []api.Container{{Name: "c", Image: "x:1"}}}}}}, "replicaset.apps/rs"},
		{&api.EndpointSlice{ObjectMeta: api.ObjectMeta{Name: "es", Labels: map[string]string{api.LabelServiceName: "ext"}},
			AddressType: api.AddressTypeIPv4}, "endpointslice.discovery.k8s.io/es"},
		{&api.ServiceCIDR{ObjectMeta: api.ObjectMeta{Name: "extra"}, Spec: api.ServiceCIDRSpec{CIDRs: []string{"10.200.0.0/24"}}},
			"servicecidr.networking.k8s.io/extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st := newStore(t, 1)
			var events []string
			st.Watch(func(ev store.Event) { events = append(events, ev.Type.String()) }, api.Kinds...)
			var ref api.Ref
			apply := func(o api.Object) string {
				t.Helper()
				res, err := st.Apply([]api.Object{o})
				if err != nil {
					t.Fatal(err)
				}
				if len(res) != 1 {
					t.Fatalf("results = %v", res)
				}
				ref = res[0].Ref
				return res[0].String()
			}
			if got := apply(tt.obj); got != tt.name+" created" {
				t.Errorf("first apply = %q, want %q", got, tt.name+" created")
			}
			rv := st.Peek(ref).GetObjectMeta().ResourceVersion
			if got := apply(tt.obj); got != tt.name+" unchanged" {
				t.Errorf("second apply = %q, want %q", got, tt.name+" unchanged")
			}
			if st.Peek(ref).GetObjectMeta().ResourceVersion != rv {
				t.Error("an unchanged apply bumped the resourceVersion")
			}
			changed := tt.obj.DeepCopyObject()
			changed.GetObjectMeta().Labels = map[string]string{"changed": "yes"}
			if got := apply(changed); got != tt.name+" configured" {
				t.Errorf("third apply = %q, want %q", got, tt.name+" configured")
			}
			if want := []string{"ADDED", "MODIFIED"}; !slices.Equal(events, want) {
				t.Errorf("watch events = %v, want %v", events, want)
			}
		})
	}
}

// recorder is an admission plugin that logs every call, and refuses objects
// named "refuse-me".
type recorder struct{ log []string }

func (r *recorder) Admit(obj, old api.Object) error {
	r.log = append(r.log, "admit "+obj.GetObjectMeta().Name)
	if obj.GetObjectMeta().Name == "refuse-me" {
		return errors.New("refused")
	}
	return nil
}
func (r *recorder) Commit(obj, old api.Object) {
	r.log = append(r.log, "commit "+obj.GetObjectMeta().Name)
}
func (r *recorder) Abort(obj, old api.Object) {
	r.log = append(r.log, "abort "+obj.GetObjectMeta().Name)
}
func (r *recorder) Removed(obj api.Object) {
	r.log = append(r.log, "removed "+obj.GetObjectMeta().Name)
}

func TestApplyBatchIsAllOrNothing(t *testing.T) {
	bad := service("default", "broken")
	bad.Spec.Ports[0].Port = 0
	bad.Spec.Ports[0].TargetPort = api.FromInt(8080)
	tests := []struct {
		name    string
		batch   []api.Object
		wantErr string
		wantLog []string
	}{
		{
			name: "invalid last",
			batch: []api.Object{&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team-a"}}, service("team-a", "a"),
				deployment("team-a", "d"), bad},
			wantErr: `Service "broken" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`,
			wantLog: []string{"admit team-a", "admit a", "admit d", "abort d", "abort a", "abort team-a"},
		},
		{
			name:    "refused by admission",
			batch:   []api.Object{service("default", "a"), service("default", "refuse-me"), service("default", "c")},
			wantErr: "refused",
			wantLog: []string{"admit a", "admit refuse-me", "abort a"},
		},
		{
			name:    "duplicate",
			batch:   []api.Object{service("default", "a"), service("default", "a")},
			wantErr: "service/a appears twice in one apply (objects 1 and 2)",
			wantLog: []string{"admit a", "abort a"},
		},
		{
			name:    "missing namespace",
			batch:   []api.Object{service("default", "a"), service("nope", "b")},
			wantErr: `namespaces "nope" not found`,
			wantLog: []string{"admit a", "abort a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loop, st := newStore(t, 1)
			rec := &recorder{}
			st.Use(rec)
			var events int
			st.Watch(func(store.Event) { events++ }, api.Kinds...)
			before := loop.Trace().Hash()
			res, err := st.Apply(tt.batch)
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if res != nil {
				t.Errorf("results = %v from a failed batch", res)
			}
			for _, o := range tt.batch {
				ref := api.RefOf(o)
				if ref.Namespace == "" && ref.Kind != api.KindNamespace {
					ref.Namespace = "default"
				}
				if st.Peek(ref) != nil {
					t.Errorf("%s stored from a failed batch", ref)
				}
			}
			if events != 0 || loop.Trace().Hash() != before {
				t.Errorf("a failed batch sent %d watch events or changed the trace", events)
			}
			if !slices.Equal(rec.log, tt.wantLog) {
				t.Errorf("plugin calls = %q\nwant           %q", rec.log, tt.wantLog)
			}
		})
	}
}

func TestApplySeesNamespaceOfSameBatch(t *testing.T) {
	_, st := newStore(t, 1)
	res, err := st.Apply([]api.Object{&api.Namespace{ObjectMeta: api.ObjectMeta{Name: "team-a"}}, service("team-a", "web")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.String())
	}
	if want := []string{"namespace/team-a created", "service/web created"}; !slices.Equal(got, want) {
		t.Errorf("results = %q, want %q", got, want)
	}
}

func names(objs []api.Object) []string {
	var out []string
	for _, o := range objs {
		m := o.GetObjectMeta()
		out = append(out, m.Namespace+"/"+m.Name)
	}
	return out
}

func TestListByNamespaceAndSelector(t *testing.T) {
	_, st := newStore(t, 1, "a", "b")
	for _, p := range []*api.Pod{
		pod("b", "web-2", map[string]string{"app": "web", "tier": "front"}),
		pod("a", "web-1", map[string]string{"app": "web", "tier": "front"}),
		pod("a", "api-1", map[string]string{"app": "api", "tier": "back"}),
		pod("a", "db-1", map[string]string{"app": "db"}),
		pod("b", "api-2", map[string]string{"app": "api"}),
	} {
		mustCreate(t, st, p)
	}
	for _, s := range []*api.Service{service("b", "web"), service("a", "web"), service("a", "api")} {
		mustCreate(t, st, s)
	}
	tests := []struct {
		kind    api.Kind
		ns, sel string
		want    string
	}{
		{api.KindPod, "", "", "a/api-1 a/db-1 a/web-1 b/api-2 b/web-2"},
		{api.KindPod, "a", "", "a/api-1 a/db-1 a/web-1"},
		{api.KindPod, "a", "app=web", "a/web-1"},
		{api.KindPod, "", "app=web", "a/web-1 b/web-2"},
		{api.KindPod, "a", "app in (web,api)", "a/api-1 a/web-1"},
		{api.KindPod, "a", "app in (web)", "a/web-1"},
		{api.KindPod, "a", "app!=web", "a/api-1 a/db-1"},
		{api.KindPod, "a", "!tier", "a/db-1"},
		{api.KindPod, "a", "tier", "a/api-1 a/web-1"},
		{api.KindPod, "a", "app=web,tier=back", ""},
		{api.KindPod, "c", "app=web", ""},
		{api.KindService, "", "", "a/api a/web b/web"},
		{api.KindService, "a", "app=web", "a/web"},
		{api.KindNamespace, "", "", "/a /b /default /kube-node-lease /kube-public /kube-system"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.kind, tt.ns, tt.sel), func(t *testing.T) {
			sel, err := api.ParseSelector(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(names(st.List(tt.kind, tt.ns, sel)), " "); got != tt.want {
				t.Errorf("list = %q, want %q", got, tt.want)
			}
		})
	}
	// The label index follows relabelling.
	p := st.Peek(api.Ref{Kind: api.KindPod, Namespace: "a", Name: "web-1"}).(*api.Pod).DeepCopy()
	p.Labels = map[string]string{"app": "web2"}
	if _, err := st.Update(p); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{"app=web": "", "app=web2": "a/web-1"} {
		if got := strings.Join(names(st.List(api.KindPod, "a", api.SelectorFromSet(parseSet(sel)))), " "); got != want {
			t.Errorf("after relabel, list %s = %q, want %q", sel, got, want)
		}
	}
	st.Remove(api.RefOf(p))
	if got := st.List(api.KindPod, "a", api.SelectorFromSet(map[string]string{"app": "web2"})); len(got) != 0 {
		t.Errorf("removed pod still listed: %v", names(got))
	}
}

func parseSet(s string) map[string]string {
	k, v, _ := strings.Cut(s, "=")
	return map[string]string{k: v}
}

func TestWatchEventsInOrder(t *testing.T) {
	loop, st := newStore(t, 1)
	var log []string
	var mods []store.Event
	for _, who := range []string{"first", "second"} {
		st.Watch(func(ev store.Event) {
			m := ev.Object.GetObjectMeta()
			log = append(log, fmt.Sprintf("%s %s %s/%s rv=%s", who, ev.Type, api.KindOf(ev.Object), m.Name, m.ResourceVersion))
			if ev.Type == store.Modified && who == "first" {
				mods = append(mods, ev)
			}
		}, api.KindService, api.KindPod)
	}
	s := mustCreate(t, st, service("default", "web")).(*api.Service).DeepCopy()
	s.Labels["v"] = "2"
	if _, err := st.Update(s); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, st, endpoints("default", "web")) // not watched
	p := pod("default", "p", nil)
	p.Spec.NodeName = "n1" // a bound pod is deleted gracefully
	mustCreate(t, st, p)
	if err := st.Delete(api.Ref{Kind: api.KindService, Namespace: "default", Name: "web"}, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(api.Ref{Kind: api.KindPod, Namespace: "default", Name: "p"}, store.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	loop.RunFor(time.Second)
	st.Remove(api.Ref{Kind: api.KindPod, Namespace: "default", Name: "p"})
	want := []string{
		"first ADDED Service/web rv=5", "second ADDED Service/web rv=5",
		"first MODIFIED Service/web rv=6", "second MODIFIED Service/web rv=6",
		"first ADDED Pod/p rv=8", "second ADDED Pod/p rv=8",
		"first DELETED Service/web rv=6", "second DELETED Service/web rv=6",
		"first MODIFIED Pod/p rv=9", "second MODIFIED Pod/p rv=9",
		"first DELETED Pod/p rv=9", "second DELETED Pod/p rv=9",
	}
	if !slices.Equal(log, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	if len(mods) != 2 || mods[0].Old == nil || mods[0].Old.GetObjectMeta().ResourceVersion != "5" ||
		mods[1].Old.(*api.Pod).DeletionTimestamp != nil || mods[1].Object.(*api.Pod).DeletionTimestamp == nil {
		t.Errorf("MODIFIED events do not carry the previous state: %+v", mods)
	}
}

func TestPodGracefulDelete(t *testing.T) {
	tests := []struct {
		name      string
		specGrace *int64
		preDelete *int64        // an earlier delete's grace period, at start
		wait      time.Duration // before the delete under test
		opt       *int64
		wantGrace int64 // -1: removed at once
		wantAt    time.Duration
	}{
		{"default 30s", nil, nil, 2 * time.Second, nil, 30, 32 * time.Second},
		{"terminationGracePeriodSeconds", i64(10), nil, 2 * time.Second, nil, 10, 12 * time.Second},
		{"grace period option", i64(10), nil, 2 * time.Second, i64(5), 5, 7 * time.Second},
		{"grace period 0", nil, nil, 2 * time.Second, i64(0), -1, 0},
		{"spec grace 0", i64(0), nil, 2 * time.Second, nil, -1, 0},
		// A second delete may only shorten the grace period, counted from
		// the first request (BeforeDelete).
		{"shorter second delete", nil, i64(30), 2 * time.Second, i64(5), 5, 5 * time.Second},
		{"longer second delete changes nothing", nil, i64(10), 2 * time.Second, i64(60), 10, 10 * time.Second},
		{"second delete without a grace period changes nothing", nil, i64(10), 2 * time.Second, nil, 10, 10 * time.Second},
		{"second delete with 0 removes", nil, i64(30), 2 * time.Second, i64(0), -1, 0},
		// ... but never into the past: the deadline becomes now and the
		// grace period 1s, and the kubelet still makes the final delete.
		{"shortened into the past", nil, i64(30), 20 * time.Second, i64(5), 1, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loop, st := newStore(t, 1)
			p := pod("default", "p", nil)
			p.Spec.NodeName = "n1"
			p.Spec.TerminationGracePeriodSeconds = tt.specGrace
			mustCreate(t, st, p)
			ref := api.RefOf(p)
			if tt.preDelete != nil {
				if err := st.Delete(ref, store.DeleteOptions{GracePeriodSeconds: tt.preDelete}); err != nil {
					t.Fatal(err)
				}
			}
			loop.RunFor(tt.wait)
			if err := st.Delete(ref, store.DeleteOptions{GracePeriodSeconds: tt.opt}); err != nil {
				t.Fatal(err)
			}
			got, _ := st.Peek(ref).(*api.Pod)
			if tt.wantGrace < 0 {
				if got != nil {
					t.Errorf("pod still stored: deletionTimestamp %v", got.DeletionTimestamp)
				}
				return
			}
			if got == nil {
				t.Fatal("pod removed at once, want graceful deletion")
			}
			if g := got.DeletionGracePeriodSeconds; g == nil || *g != tt.wantGrace {
				t.Errorf("deletionGracePeriodSeconds = %s, want %d", fmtPtr(g), tt.wantGrace)
			}
			if want := start.Add(tt.wantAt); got.DeletionTimestamp == nil || !got.DeletionTimestamp.Equal(want) {
				t.Errorf("deletionTimestamp = %v, want %v", got.DeletionTimestamp, want)
			}
		})
	}
}

// TestDeleteUnscheduledPodIsImmediate: the API server deletes a pod that was
// never bound to a node at once (grace period 0), and so one that has already
// finished, since no kubelet has anything to stop (pod strategy
// CheckGracefulDelete).
func TestDeleteUnscheduledPodIsImmediate(t *testing.T) {
	tests := []struct {
		name  string
		node  string
		phase api.PodPhase
	}{
		{"unscheduled", "", ""},
		{"succeeded", "n1", api.PodSucceeded},
		{"failed", "n1", api.PodFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, st := newStore(t, 1)
			p := pod("default", "p", nil)
			p.Spec.NodeName = tt.node
			p.Status.Phase = tt.phase
			mustCreate(t, st, p)
			if err := st.Delete(api.RefOf(p), store.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := st.Peek(api.RefOf(p)); got != nil {
				t.Errorf("pod still stored with deletionTimestamp %v; Kubernetes removes it at once", got.GetObjectMeta().DeletionTimestamp)
			}
		})
	}
}

func TestOwnerIndex(t *testing.T) {
	_, st := newStore(t, 1)
	owner := mustCreate(t, st, deployment("default", "web"))
	uid := owner.GetObjectMeta().UID
	if got := st.ByUID(uid); got != owner {
		t.Errorf("ByUID = %v", got)
	}
	yes := true
	for _, n := range []string{"b", "a"} {
		p := pod("default", n, nil)
		p.OwnerReferences = []api.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: "web", UID: uid, Controller: &yes}}
		mustCreate(t, st, p)
	}
	want := []api.Ref{{Kind: api.KindPod, Namespace: "default", Name: "b"}, {Kind: api.KindPod, Namespace: "default", Name: "a"}}
	if got := st.Dependents(uid); !slices.Equal(got, want) {
		t.Errorf("dependents = %v, want %v (creation order)", got, want)
	}
	st.Remove(want[0])
	if got := st.Dependents(uid); !slices.Equal(got, want[1:]) {
		t.Errorf("dependents after removal = %v", got)
	}
	st.Remove(api.RefOf(owner))
	if st.ByUID(uid) != nil {
		t.Error("ByUID finds a removed object")
	}
}

// TestCreatedPodIsPending: the API server creates every pod in phase Pending
// (pod strategy PrepareForCreate), before any scheduler sees it, so that
// `kubectl get pods` shows Pending for a pod no node has taken yet.
func TestCreatedPodIsPending(t *testing.T) {
	_, st := newStore(t, 1)
	p := mustCreate(t, st, pod("default", "p", nil)).(*api.Pod)
	if p.Status.Phase != api.PodPending {
		t.Errorf("phase of a new pod = %q, want Pending", p.Status.Phase)
	}
}
