// Package kubectl provides kubectl-shaped commands against a simulated cluster.
//
// A [Runner] takes a command line, such as one parsed by package script, and
// runs it against a [kubesim.Cluster], printing what kubectl prints: the same
// tables, column widths and AGE values, the same messages for created,
// deleted and scaled objects, and the same errors with the same exit
// statuses. It implements apply, create, get, describe, delete, scale,
// rollout status and restart, wait, exec and port-forward, with kubectl's
// flags for them.
//
//	r := kubectl.New(cluster)
//	cmds, _ := script.Parse("kubectl apply -f sleep/sleep1.yaml\nkubectl get pods\n")
//	for _, c := range cmds {
//		r.Run(c, os.Stdout, os.Stderr)
//	}
//
// # Time
//
// The cluster's clock is virtual. Run lets [Runner.ThinkTime] pass before each
// command, as a person's typing would; commands that block in kubectl (wait,
// rollout status, delete waiting for the deletion, exec waiting for a pod)
// step the cluster one event at a time until they are satisfied or time out,
// as a watch would see each change; sleep lets time pass.
//
// # Programs in pods
//
// kubectl exec runs a busybox-like shell (sh -c with pipes, ;, && and ||) and
// text utilities (grep, head, tail, wc, sort, echo, cat, sleep, hostname).
// The network tools of an image (nslookup, dig, wget, curl, ping) come from
// an [ExecEnv] that the caller plugs in.
//
// # Fidelity
//
// Output follows kubectl 1.31 against a cluster of that version: names,
// messages and table layouts come from kubectl's and the API server's
// sources. Where kubesim knows less than a real cluster (container IDs,
// events), output shows what the simulated objects hold. Where a kubectl
// command would block forever, kubesim says so and returns.
package kubectl
