package kubectl

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kubesim/kubesim/api"
)

// ExecEnv provides the programs of container images to kubectl exec: the
// network tools a lab runs in a pod, such as nslookup, dig, wget, curl, ping
// and cat /etc/resolv.conf. kubesim's busybox-like shell (sh -c with pipes,
// ;, && and ||) and its text utilities (grep, head, tail, wc, sort, echo,
// cat of standard input, sleep, hostname) are built in; the shell asks
// ExecEnv first for every program it runs, so an ExecEnv may also replace a
// builtin.
type ExecEnv interface {
	// Exec runs argv (argv[0] is the program, as typed) in the named
	// container of pod p, with stdin as its standard input, writing to
	// stdout and stderr, and returns its exit status. It returns ok false,
	// having written nothing, when the image has no such program (or this
	// use of it, as for cat reading standard input); the shell then runs its
	// builtin of that name, or reports that the program is not found.
	Exec(p *api.Pod, container string, argv []string, stdin string, stdout, stderr io.Writer) (status int, ok bool)
}

// ExecFunc adapts a function to ExecEnv.
type ExecFunc func(p *api.Pod, container string, argv []string, stdin string, stdout, stderr io.Writer) (int, bool)

// Exec calls f.
func (f ExecFunc) Exec(p *api.Pod, container string, argv []string, stdin string, stdout, stderr io.Writer) (int, bool) {
	return f(p, container, argv, stdin, stdout, stderr)
}

var execCommand = &command{
	name:  "exec",
	short: "Execute a command in a container",
	usage: "kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
	notes: "TYPE/NAME picks a pod of a deployment, replica set or service as kubectl does: the\n" +
		"oldest running and ready one. The container's programs are kubesim's shell and text\n" +
		"utilities, plus what the Runner's ExecEnv provides. -t is accepted and has no effect.",
	flags: []flagDef{
		{long: "container", short: "c", kind: stringFlag, usage: "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen"},
		{long: "stdin", short: "i", kind: boolFlag, def: "false", usage: "Pass stdin to the container"},
		{long: "tty", short: "t", kind: boolFlag, def: "false", usage: "Stdin is a TTY"},
		{long: "quiet", short: "q", kind: boolFlag, def: "false", usage: "Only print output from the remote session"},
		{long: "pod-running-timeout", kind: durationFlag, def: "1m0s", usage: "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running"},
	},
	run: runExec,
}

const execUsage = "expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]'.\nPOD or TYPE/NAME is a required argument for the exec command"

// runExec picks the pod and container, checks what the API server and kubelet
// check, and runs the command without a shell, as the container runtime does.
func runExec(c *call) error {
	if len(c.args) == 0 {
		return &usageError{msg: execUsage, path: c.path}
	}
	if len(c.args) > 1 {
		return &usageError{msg: "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead", path: c.path}
	}
	if len(c.dash) == 0 {
		return fmt.Errorf("you must specify at least one command for the container")
	}
	pod, err := c.attachablePod(c.args[0], c.flags.duration("pod-running-timeout"))
	if err != nil {
		return err
	}
	if err := c.execable(pod); err != nil {
		return err
	}
	container, err := c.container(pod)
	if err != nil {
		return err
	}
	var stdin string
	if c.flags.bool("stdin") {
		b, err := io.ReadAll(c.stdin)
		if err != nil {
			return err
		}
		stdin = string(b)
	}
	p := &proc{r: c.r, pod: pod, container: container}
	status := p.exec(c.dash, stdin, c.stdout, c.stderr)
	if status != 0 {
		return &exitError{code: status}
	}
	return nil
}

// attachablePod resolves POD or TYPE/NAME to the pod kubectl would attach to
// (polymorphichelpers.AttachablePodForObject).
func (c *call) attachablePod(arg string, timeout time.Duration) (*api.Pod, error) {
	typ, name, ok := strings.Cut(arg, "/")
	if !ok {
		typ, name = "pods", arg
	}
	if name == "" {
		return nil, fmt.Errorf("arguments in resource/name form must have a single resource and name")
	}
	info, err := lookupResource(typ)
	if err != nil {
		return nil, err
	}
	obj, err := c.r.Cluster.GetObject(api.Ref{Kind: info.Kind, Namespace: c.objectNS(info, false), Name: name})
	if err != nil {
		return nil, err
	}
	var sel api.Selector
	switch o := obj.(type) {
	case *api.Pod:
		return o, nil
	case *api.Deployment:
		sel, err = api.SelectorFromLabelSelector(o.Spec.Selector)
	case *api.ReplicaSet:
		sel, err = api.SelectorFromLabelSelector(o.Spec.Selector)
	case *api.Service:
		if len(o.Spec.Selector) == 0 {
			return nil, fmt.Errorf("invalid service '%s': Service is defined without a selector", o.Name)
		}
		sel = api.SelectorFromSet(o.Spec.Selector)
	default:
		return nil, fmt.Errorf("cannot attach to *v1.%s: not implemented", info.Kind)
	}
	if err != nil {
		return nil, err
	}
	var pods []*api.Pod
	found := c.r.waitUntil(c.r.Cluster.Now().Add(timeout), func() bool {
		pods = c.podsMatching(obj.GetObjectMeta().Namespace, sel)
		return len(pods) > 0
	})
	if !found {
		return nil, fmt.Errorf("timed out waiting for the condition")
	}
	return FirstPod(pods), nil
}

// podsMatching lists the pods of a namespace that sel selects.
func (c *call) podsMatching(ns string, sel api.Selector) []*api.Pod {
	var pods []*api.Pod
	for _, o := range c.r.Cluster.List(api.KindPod, ns, sel) {
		pods = append(pods, o.(*api.Pod))
	}
	return pods
}

// FirstPod picks what kubectl exec picks among a workload's pods: the most
// "active" by podutils.ActivePods reversed, which in practice is the oldest
// running and ready pod. Times compare to the second, as the API serializes
// them, and ties keep the listing's name order, as kubectl's stable sort of
// short lists does.
func FirstPod(pods []*api.Pod) *api.Pod {
	slices.SortStableFunc(pods, func(a, b *api.Pod) int { return -activeOrder(a, b) })
	return pods[0]
}

// activeOrder orders pods from least to most active.
func activeOrder(a, b *api.Pod) int {
	if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
		return boolOrder(a.Spec.NodeName != "", b.Spec.NodeName != "")
	}
	if c := cmp.Compare(phaseRank(a.Status.Phase), phaseRank(b.Status.Phase)); c != 0 {
		return c
	}
	ra, rb := podReady(a), podReady(b)
	if ra != rb {
		return boolOrder(ra, rb)
	}
	if da, db := a.DeletionTimestamp != nil, b.DeletionTimestamp != nil; da != db {
		return boolOrder(!da, !db)
	}
	if ra && rb {
		ta, tb := readySince(a), readySince(b)
		if !ta.Equal(tb) {
			// Ready for less time is less active.
			return -cmpTime(ta, tb)
		}
	}
	if c := cmp.Compare(restarts(b), restarts(a)); c != 0 {
		return c
	}
	ca, cb := a.CreationTimestamp.Truncate(time.Second), b.CreationTimestamp.Truncate(time.Second)
	return -cmpTime(ca, cb)
}

// cmpTime orders times with the zero time last, as podutils' afterOrZero
// treats an unknown time as the newest.
func cmpTime(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}

func phaseRank(p api.PodPhase) int {
	switch p {
	case api.PodRunning:
		return 2
	case "Unknown":
		return 1
	}
	return 0
}

func readySince(p *api.Pod) time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == "Ready" && c.Status == api.ConditionTrue {
			return c.LastTransitionTime.Truncate(time.Second)
		}
	}
	return time.Time{}
}

func restarts(p *api.Pod) int32 {
	var n int32
	for _, c := range p.Status.ContainerStatuses {
		n = max(n, c.RestartCount)
	}
	return n
}

// execable checks what the API server and kubelet check before they run a
// command in a pod.
func (c *call) execable(p *api.Pod) error {
	if p.Status.Phase == api.PodSucceeded || p.Status.Phase == api.PodFailed {
		return fmt.Errorf("cannot exec into a container in a completed pod; current phase is %s", p.Status.Phase)
	}
	if p.Spec.NodeName == "" {
		return &statusError{reason: "BadRequest", msg: fmt.Sprintf("pod %s does not have a host assigned", p.Name)}
	}
	return nil
}

// container picks the container to exec in: -c, else the default-container
// annotation, else the first, saying so when there was a choice.
func (c *call) container(p *api.Pod) (string, error) {
	name := c.flags.str("container")
	if name == "" {
		name = p.Spec.Containers[0].Name
		if d := p.Annotations["kubectl.kubernetes.io/default-container"]; d != "" {
			name = d
		} else if len(p.Spec.Containers)+len(p.Spec.InitContainers) > 1 && !c.flags.bool("quiet") {
			var all []string
			for _, ct := range p.Spec.Containers {
				all = append(all, ct.Name)
			}
			for _, ct := range p.Spec.InitContainers {
				all = append(all, ct.Name+" (init)")
			}
			fmt.Fprintf(c.stderr, "Defaulted container %q out of: %s\n", name, strings.Join(all, ", "))
		}
	}
	known := false
	for _, ct := range append(slices.Clone(p.Spec.Containers), p.Spec.InitContainers...) {
		known = known || ct.Name == name
	}
	if !known {
		return "", &statusError{reason: "BadRequest", msg: fmt.Sprintf("container %s is not valid for pod %s", name, p.Name)}
	}
	running := false
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name == name && cs.Started != nil && *cs.Started {
			running = p.Status.Phase == api.PodRunning
		}
	}
	if !running {
		return "", fmt.Errorf("unable to upgrade connection: container not found (%q)", name)
	}
	return name, nil
}
