module github.com/kubesim/kubesim

go 1.26

require (
	github.com/miekg/dns v1.1.73
	go.yaml.in/yaml/v2 v2.4.2
	sigs.k8s.io/yaml v1.6.0
)

require (
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
