package kubectl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// describeDeployment follows kubectl's DeploymentDescriber; its conditions are
// derived when the controller left none (see deploymentConditions).
func (c *call) describeDeployment(w *prefixWriter, d *api.Deployment) {
	w.write(0, "Name:\t%s\n", d.Name)
	w.write(0, "Namespace:\t%s\n", d.Namespace)
	w.write(0, "CreationTimestamp:\t%s\n", d.CreationTimestamp.Format(rfc1123Z))
	labelsMultiline(w, "Labels", d.Labels)
	annotationsMultiline(w, "Annotations", d.Annotations)
	w.write(0, "Selector:\t%s\n", orNone(selectorString(d.Spec.Selector)))
	w.write(0, "Replicas:\t%d desired | %d updated | %d total | %d available | %d unavailable\n",
		replicasOf(d.Spec.Replicas), d.Status.UpdatedReplicas, d.Status.Replicas, d.Status.AvailableReplicas, d.Status.UnavailableReplicas)
	strategy := d.Spec.Strategy.Type
	w.write(0, "StrategyType:\t%s\n", strategy)
	w.write(0, "MinReadySeconds:\t%d\n", d.Spec.MinReadySeconds)
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		w.write(0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", intOrPercent(ru.MaxUnavailable), intOrPercent(ru.MaxSurge))
	}
	describeTemplate(w, &d.Spec.Template)
	var conds []any
	if len(d.Status.Conditions) > 0 {
		_ = json.Unmarshal(d.Status.Conditions, &conds)
	} else {
		conds = deploymentConditions(d)
	}
	if len(conds) > 0 {
		w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
		w.write(1, "----\t------\t------\n")
		for _, x := range conds {
			m, _ := x.(map[string]any)
			reason, _ := m["reason"].(string)
			w.write(1, "%v \t%v\t%v\n", m["type"], m["status"], reason)
		}
	}
	var old, cur []string
	for _, o := range c.r.Cluster.List(api.KindReplicaSet, d.Namespace, api.Everything()) {
		rs := o.(*api.ReplicaSet)
		if !api.IsControlledBy(rs, d.UID) {
			continue
		}
		entry := fmt.Sprintf("%s (%d/%d replicas created)", rs.Name, rs.Status.Replicas, replicasOf(rs.Spec.Replicas))
		if templatesEqual(&rs.Spec.Template, &d.Spec.Template) {
			cur = append(cur, entry)
		} else if replicasOf(rs.Spec.Replicas) > 0 || rs.Status.Replicas > 0 {
			old = append(old, entry)
		}
	}
	w.write(0, "OldReplicaSets:\t%s\n", orNone(strings.Join(old, ", ")))
	w.write(0, "NewReplicaSet:\t%s\n", orNone(strings.Join(cur, ", ")))
}

// templatesEqual compares a replica set's template with its deployment's,
// ignoring the pod-template-hash label the replica set adds.
func templatesEqual(rs, d *api.PodTemplateSpec) bool {
	a := rs.DeepCopy()
	delete(a.Labels, "pod-template-hash")
	if len(a.Labels) == 0 {
		a.Labels = nil
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(d)
	return bytes.Equal(ja, jb)
}

func intOrPercent(v *api.IntOrString) string {
	if v == nil {
		return "25%"
	}
	return v.String()
}

// describeTemplate prints a workload's pod template (DescribePodTemplate).
func describeTemplate(w *prefixWriter, t *api.PodTemplateSpec) {
	w.write(0, "Pod Template:\n")
	labelsMultiline(w, "  Labels", t.Labels)
	if len(t.Annotations) > 0 {
		annotationsMultiline(w, "  Annotations", t.Annotations)
	}
	if t.Spec.ServiceAccountName != "" {
		w.write(1, "Service Account:\t%s\n", t.Spec.ServiceAccountName)
	}
	if len(t.Spec.InitContainers) > 0 {
		describeContainers(w, "Init Containers", t.Spec.InitContainers, nil, "  ")
	}
	describeContainers(w, "Containers", t.Spec.Containers, nil, "  ")
	describeVolumes(w, t.Spec.Volumes, "  ")
	if t.Spec.PriorityClassName != "" {
		w.write(1, "Priority Class Name:\t%s\n", t.Spec.PriorityClassName)
	}
	labelsMultiline(w, "  Node-Selectors", t.Spec.NodeSelector)
	tolerationsMultiline(w, "  Tolerations", t.Spec.Tolerations)
}

// describeReplicaSet follows kubectl's describeReplicaSet, counting the pods
// the replica set controls by phase.
func (c *call) describeReplicaSet(w *prefixWriter, rs *api.ReplicaSet) {
	w.write(0, "Name:\t%s\n", rs.Name)
	w.write(0, "Namespace:\t%s\n", rs.Namespace)
	w.write(0, "Selector:\t%s\n", orNone(selectorString(rs.Spec.Selector)))
	labelsMultiline(w, "Labels", rs.Labels)
	annotationsMultiline(w, "Annotations", rs.Annotations)
	if ref := api.ControllerOf(rs); ref != nil {
		w.write(0, "Controlled By:\t%s/%s\n", ref.Kind, ref.Name)
	}
	w.write(0, "Replicas:\t%d current / %d desired\n", rs.Status.Replicas, replicasOf(rs.Spec.Replicas))
	running, waiting, succeeded, failed := 0, 0, 0, 0
	for _, o := range c.r.Cluster.List(api.KindPod, rs.Namespace, api.Everything()) {
		p := o.(*api.Pod)
		if !api.IsControlledBy(p, rs.UID) {
			continue
		}
		switch p.Status.Phase {
		case api.PodRunning:
			running++
		case api.PodSucceeded:
			succeeded++
		case api.PodFailed:
			failed++
		default:
			waiting++
		}
	}
	w.write(0, "Pods Status:\t%d Running / %d Waiting / %d Succeeded / %d Failed\n", running, waiting, succeeded, failed)
	describeTemplate(w, &rs.Spec.Template)
}
