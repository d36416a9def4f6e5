package kubectl_test

import (
	"fmt"
	"io"
	"os"

	"github.com/kubesim/kubesim"
	"github.com/kubesim/kubesim/api"
	"github.com/kubesim/kubesim/kubectl"
	"github.com/kubesim/kubesim/script"
)

const session = `kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleep
spec:
  selector:
    matchLabels:
      app: sleep
  template:
    metadata:
      labels:
        app: sleep
    spec:
      containers:
        - name: sleep
          image: kiamol/ch03-sleep
EOF
kubectl wait --for=condition=Ready pod -l app=sleep
kubectl get deploy sleep
kubectl get pods -o jsonpath='{.items[0].status.phase}{"\n"}'
kubectl get svc nope
`

// A script runs command by command, each after the runner's think time of
// virtual time (two seconds by default).
func ExampleRunner_Run() {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := kubectl.New(c)
	cmds, err := script.Parse(session)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, cmd := range cmds {
		fmt.Println("$", cmd.Text)
		if status := r.Run(cmd, os.Stdout, os.Stdout); status != 0 {
			fmt.Println("exit status", status)
		}
	}
	// Output:
	// $ kubectl apply -f - <<EOF
	// deployment.apps/sleep created
	// $ kubectl wait --for=condition=Ready pod -l app=sleep
	// pod/sleep-7f7ddf8899-wbrdl condition met
	// $ kubectl get deploy sleep
	// NAME    READY   UP-TO-DATE   AVAILABLE   AGE
	// sleep   1/1     1            1           4s
	// $ kubectl get pods -o jsonpath='{.items[0].status.phase}{"\n"}'
	// Running
	// $ kubectl get svc nope
	// Error from server (NotFound): services "nope" not found
	// exit status 1
}

// An ExecEnv supplies the programs of container images; the shell pipes
// their output through its own utilities.
func ExampleExecFunc() {
	c, err := kubesim.New(kubesim.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := kubectl.New(c)
	r.Exec = kubectl.ExecFunc(func(p *api.Pod, container string, argv []string, stdin string, stdout, stderr io.Writer) (int, bool) {
		if argv[0] != "whoami" {
			return 0, false // not in this image
		}
		fmt.Fprintf(stdout, "root in %s/%s\n", p.Namespace, container)
		return 0, true
	})
	r.RunArgs([]string{"kubectl", "exec", "-n", "kube-system", "deploy/coredns", "--",
		"sh", "-c", "whoami | grep -o 'in [a-z-]*'; whoami | wc -c"}, nil, os.Stdout, os.Stdout)
	status := r.RunArgs([]string{"kubectl", "exec", "-n", "kube-system", "deploy/coredns", "--", "nslookup", "x"}, nil, os.Stdout, os.Stdout)
	fmt.Println("exit status", status)
	// Output:
	// in kube-system
	// 28
	// OCI runtime exec failed: exec failed: unable to start container process: exec: "nslookup": executable file not found in $PATH: unknown
	// command terminated with exit code 126
	// exit status 126
}
