package script_test

import (
	"fmt"
	"strings"

	"github.com/kubesim/kubesim/script"
)

// A runner parses the script, then for each command expands its words,
// evaluating each $(...) first, and runs the result.
func ExampleParse() {
	src := `# find the pod's IP, then ping it
kubectl exec deploy/sleep-1 -- ping -c 2 \
    $(kubectl get pod -l app=sleep-2 --output jsonpath='{.items[0].status.podIP}')
kubectl apply -f - <<EOF
kind: Namespace
EOF
`
	cmds, err := script.Parse(src)
	if err != nil {
		fmt.Println(err)
		return
	}
	run := func(c *script.Command) (string, error) {
		args, _ := c.Expand(nil)
		fmt.Printf("  (running %s first)\n", strings.Join(args, " "))
		return "10.1.0.29", nil
	}
	for _, c := range cmds {
		fmt.Printf("line %d: %s\n", c.Line, strings.ReplaceAll(c.Text, "\n", "⏎"))
		args, err := c.Expand(run)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("  argv %q\n", args)
		if c.HasStdin {
			fmt.Printf("  stdin %q\n", c.Stdin)
		}
	}
	// Output:
	// line 2: kubectl exec deploy/sleep-1 -- ping -c 2 \⏎    $(kubectl get pod -l app=sleep-2 --output jsonpath='{.items[0].status.podIP}')
	//   (running kubectl get pod -l app=sleep-2 --output jsonpath={.items[0].status.podIP} first)
	//   argv ["kubectl" "exec" "deploy/sleep-1" "--" "ping" "-c" "2" "10.1.0.29"]
	// line 4: kubectl apply -f - <<EOF
	//   argv ["kubectl" "apply" "-f" "-"]
	//   stdin "kind: Namespace\n"
}

func ExampleParseShell() {
	list, err := script.ParseShell(`nslookup numbers-api | grep "^[^*]" || echo failed`)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range list {
		fmt.Printf("op %q:", p.Op)
		for _, c := range p.Commands {
			args, _ := c.Expand(nil)
			fmt.Printf(" %q", args)
		}
		fmt.Println()
	}
	_, err = script.ParseShell("echo 'oops")
	fmt.Println("sh:", err.(*script.Error).Msg)
	// Output:
	// op "": ["nslookup" "numbers-api"] ["grep" "^[^*]"]
	// op "||": ["echo" "failed"]
	// sh: syntax error: unterminated quoted string
}
