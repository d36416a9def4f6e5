package kubectl

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kubesim/kubesim/api"
)

// statusError is an error of the API server, which kubectl prints as
// "Error from server (Reason): message". Errors of the api package convert
// to it; commands also make their own for server answers the store does not
// model, such as exec into an unscheduled pod.
type statusError struct {
	reason string
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// asStatus returns err as a server error, if it is one.
func asStatus(err error) (*statusError, bool) {
	var se *statusError
	if errors.As(err, &se) {
		return se, true
	}
	if api.IsNotFound(err) || api.IsAlreadyExists(err) || api.IsConflict(err) || api.IsForbidden(err) || api.IsInvalid(err) {
		return &statusError{reason: api.Reason(err), msg: err.Error()}, true
	}
	return nil, false
}

// invalidError returns the Invalid error err carries, if any.
func invalidError(err error) (api.InvalidError, bool) {
	var v api.InvalidError
	if errors.As(err, &v) {
		return v, true
	}
	var p *api.InvalidError
	if errors.As(err, &p) && p != nil {
		return *p, true
	}
	return api.InvalidError{}, false
}

// sourceError is a server error about an object read from a file, which
// kubectl words as `error when creating "web.yaml": ...` (AddSourceToErr).
type sourceError struct {
	verb, source string
	err          error
}

func (e *sourceError) Error() string {
	return fmt.Sprintf("error when %s %q: %v", e.verb, e.source, e.err)
}

func (e *sourceError) Unwrap() error { return e.err }

// withSource names the file an object came from in a server error, as kubectl
// does for apply, create and delete -f. Invalid errors are left alone: kubectl
// prints those from their details, which do not mention the file.
func withSource(verb, source string, err error) error {
	if source == "" {
		return err
	}
	if _, ok := invalidError(err); ok {
		return err
	}
	if s, ok := asStatus(err); ok {
		return &statusError{reason: s.reason, msg: fmt.Sprintf("error when %s %q: %s", verb, source, s.msg)}
	}
	return &sourceError{verb: verb, source: source, err: err}
}

// exitError is a remote command's failure: kubectl prints "command terminated
// with exit code N" and exits with N.
type exitError struct{ code int }

func (e *exitError) Error() string {
	return fmt.Sprintf("command terminated with exit code %d", e.code)
}

// usageError is a misuse kubectl answers with a pointer to the command's
// examples (cmdutil.UsageErrorf).
type usageError struct {
	msg  string
	path string
}

func (e *usageError) Error() string {
	return e.msg + "\nSee '" + e.path + " -h' for help and examples"
}

// errorList is several errors of one command, which kubectl prints one per
// line after the command's output.
type errorList []error

func (l errorList) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// result returns nil, the single error, or the list.
func (l errorList) result() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return l
}

// report prints err to w as kubectl's CheckErr does and returns the exit
// status: 0 without an error, the remote status for a failed exec, else 1.
func report(w io.Writer, err error) int {
	if err == nil {
		return 0
	}
	code := 1
	var msg string
	var ee *exitError
	var list errorList
	switch {
	case errors.As(err, &ee):
		msg, code = ee.Error(), ee.code
	case errors.As(err, &list):
		var b strings.Builder
		for _, e := range list {
			b.WriteString(listMessage(e))
			b.WriteByte('\n')
		}
		msg = b.String()
	default:
		msg = message(err)
	}
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	io.WriteString(w, msg)
	return code
}

// message renders one error as kubectl prints it alone.
func message(err error) string {
	if inv, ok := invalidError(err); ok {
		return invalidMessage(inv)
	}
	if s, ok := asStatus(err); ok {
		return "Error from server (" + s.reason + "): " + s.msg
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "error: ") {
		msg = "error: " + msg
	}
	return msg
}

// listMessage renders one error of several: server errors as alone, others
// without the "error: " prefix (cmdutil.MultipleErrors).
func listMessage(err error) string {
	if s, ok := asStatus(err); ok {
		return "Error from server (" + s.reason + "): " + s.msg
	}
	return err.Error()
}

// invalidMessage renders a validation failure from its details, as kubectl
// does: "The Service "web" is invalid: <cause>", or the causes one per line.
func invalidMessage(e api.InvalidError) string {
	head := fmt.Sprintf("The %s %q is invalid", e.Kind, e.Name)
	var causes []string
	seen := map[string]bool{}
	for _, c := range e.Causes {
		if s := c.Error(); !seen[s] {
			seen[s] = true
			causes = append(causes, s)
		}
	}
	switch len(causes) {
	case 0:
		return head
	case 1:
		return head + ": " + causes[0]
	}
	var b strings.Builder
	b.WriteString(head + ": \n")
	for _, c := range causes {
		b.WriteString("* " + c + "\n")
	}
	return b.String()
}
