package api

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// ErrorType says what is wrong with a field; its value is the phrase kubectl
// prints after the field path, as in "spec.selector: Required value".
type ErrorType string

// The field error types of apimachinery's field package, spelled as printed.
const (
	ErrorTypeInvalid      ErrorType = "Invalid value"
	ErrorTypeRequired     ErrorType = "Required value"
	ErrorTypeDuplicate    ErrorType = "Duplicate value"
	ErrorTypeNotSupported ErrorType = "Unsupported value"
	ErrorTypeForbidden    ErrorType = "Forbidden"
	ErrorTypeTooMany      ErrorType = "Too many"
	ErrorTypeTooLong      ErrorType = "Too long"
	ErrorTypeNotFound     ErrorType = "Not found"
	ErrorTypeInternal     ErrorType = "Internal error"
)

// FieldError is one cause of an invalid object: the field path, what is wrong
// with it, the offending value and a detail sentence.
type FieldError struct {
	Type     ErrorType
	Field    string
	BadValue any
	Detail   string
}

// Error renders the cause exactly as the apiserver does, e.g.
// `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`.
func (e FieldError) Error() string {
	return e.Field + ": " + e.body()
}

// body renders the cause without its field, following apimachinery's
// field.Error formatting up to Kubernetes 1.33: Required, Forbidden, Too long and
// Internal errors never show the value; strings are quoted; numbers and booleans
// are plain; pointers are followed; anything else prints with %#v, which is why
// validation passes k8s-named stand-ins for its own structs.
func (e FieldError) body() string {
	var s string
	switch e.Type {
	case ErrorTypeRequired, ErrorTypeForbidden, ErrorTypeTooLong, ErrorTypeInternal:
		s = string(e.Type)
	default:
		s = string(e.Type) + ": " + formatBadValue(e.BadValue)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func formatBadValue(v any) string {
	if v == nil {
		return "null"
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "null"
		}
		v = rv.Elem().Interface()
	}
	switch t := v.(type) {
	case int64, int32, float64, float32, bool:
		return fmt.Sprintf("%v", t)
	case string:
		return fmt.Sprintf("%q", t)
	case fmt.Stringer:
		return t.String()
	}
	return fmt.Sprintf("%#v", v)
}

// InvalidError is the 422 Invalid error of a create or update that failed
// validation.
type InvalidError struct {
	Kind   Kind
	Name   string
	Causes []FieldError
}

// Error renders the message as the apiserver's NewInvalid does: the kind
// qualified by its group (`Deployment.apps "web" is invalid: ...`), then the
// single cause, or the distinct causes in brackets. kubectl prints the same text
// after "The <Kind> ... is invalid" using the bare kind.
func (e InvalidError) Error() string {
	kind := string(e.Kind)
	if info, ok := InfoFor(e.Kind); ok && info.Group != "" {
		kind += "." + info.Group
	}
	msg := fmt.Sprintf("%s %q is invalid", kind, e.Name)
	seen := make(map[string]bool, len(e.Causes))
	var parts []string
	for _, c := range e.Causes {
		s := c.Error()
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	switch len(parts) {
	case 0:
		return msg
	case 1:
		return msg + ": " + parts[0]
	}
	return msg + ": [" + strings.Join(parts, ", ") + "]"
}

// NotFoundError is the 404 of a get, update or delete of a missing object.
type NotFoundError struct {
	Resource string // "services", or "deployments.apps" outside the core group
	Name     string
}

// Error renders `services "web" not found`.
func (e NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", e.Resource, e.Name)
}

// AlreadyExistsError is the 409 of a create whose name is taken.
type AlreadyExistsError struct {
	Resource string
	Name     string
}

// Error renders `services "web" already exists`.
func (e AlreadyExistsError) Error() string {
	return fmt.Sprintf("%s %q already exists", e.Resource, e.Name)
}

// ConflictError is the 409 of an update that lost an optimistic-concurrency race
// or otherwise collides with the stored state.
type ConflictError struct {
	Resource string
	Name     string
	Message  string
}

// Error renders `Operation cannot be fulfilled on services "web": <Message>`.
func (e ConflictError) Error() string {
	return fmt.Sprintf("Operation cannot be fulfilled on %s %q: %s", e.Resource, e.Name, e.Message)
}

// ForbiddenError is the 403 of an operation that policy refuses, such as
// deleting namespace default or creating in a terminating namespace.
type ForbiddenError struct {
	Resource string
	Name     string
	Message  string
}

// Error renders `namespaces "default" is forbidden: <Message>`, dropping the
// name when there is none and the resource when there is neither, as the
// apiserver's NewForbidden does.
func (e ForbiddenError) Error() string {
	switch {
	case e.Resource == "" && e.Name == "":
		return "forbidden: " + e.Message
	case e.Name == "":
		return fmt.Sprintf("%s is forbidden: %s", e.Resource, e.Message)
	}
	return fmt.Sprintf("%s %q is forbidden: %s", e.Resource, e.Name, e.Message)
}

// The Is functions match values and pointers alike, since the error types have
// value receivers and callers may return either.

// IsNotFound reports whether err is, or wraps, a NotFoundError.
func IsNotFound(err error) bool {
	var v NotFoundError
	var p *NotFoundError
	return errors.As(err, &v) || errors.As(err, &p)
}

// IsAlreadyExists reports whether err is, or wraps, an AlreadyExistsError.
func IsAlreadyExists(err error) bool {
	var v AlreadyExistsError
	var p *AlreadyExistsError
	return errors.As(err, &v) || errors.As(err, &p)
}

// IsInvalid reports whether err is, or wraps, an InvalidError.
func IsInvalid(err error) bool {
	var v InvalidError
	var p *InvalidError
	return errors.As(err, &v) || errors.As(err, &p)
}

// IsConflict reports whether err is, or wraps, a ConflictError.
func IsConflict(err error) bool {
	var v ConflictError
	var p *ConflictError
	return errors.As(err, &v) || errors.As(err, &p)
}

// IsForbidden reports whether err is, or wraps, a ForbiddenError.
func IsForbidden(err error) bool {
	var v ForbiddenError
	var p *ForbiddenError
	return errors.As(err, &v) || errors.As(err, &p)
}

// Reason returns the status reason kubectl prints in
// "Error from server (NotFound): ...": any error that is none of the typed ones
// is a bad request, and nil has no reason.
func Reason(err error) string {
	switch {
	case err == nil:
		return ""
	case IsNotFound(err):
		return "NotFound"
	case IsAlreadyExists(err):
		return "AlreadyExists"
	case IsInvalid(err):
		return "Invalid"
	case IsConflict(err):
		return "Conflict"
	case IsForbidden(err):
		return "Forbidden"
	}
	return "BadRequest"
}
