package kubectl

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kubesim/kubesim/api"
)

var fileFlags = []flagDef{
	{long: "filename", short: "f", kind: stringsFlag, usage: "The files that contain the configurations; a directory means its .yaml, .yml and .json files; - means standard input."},
	{long: "recursive", short: "R", kind: boolFlag, def: "false", usage: "Process the directory used in -f, --filename recursively."},
}

// dryRunFlag is kubectl's --dry-run, for the commands that change objects.
var dryRunFlag = flagDef{long: "dry-run", kind: stringFlag, def: "none", usage: "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource."}

// dryRun reads --dry-run and returns the suffix kubectl adds to messages of
// what it would have done: "", " (dry run)" or " (server dry run)".
func (c *call) dryRun() (string, error) {
	switch v := c.flags.str("dry-run"); v {
	case "none":
		return "", nil
	case "client":
		return " (dry run)", nil
	case "server":
		return " (server dry run)", nil
	default:
		return "", fmt.Errorf("Invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\".", v)
	}
}

var applyCommand = &command{
	name:  "apply",
	short: "Apply a configuration to a resource by file name or stdin",
	usage: "kubectl apply (-f FILENAME | -f DIRECTORY | -f -) [flags]",
	notes: "Each file is applied as a whole: if one of its objects is invalid, none of them is stored.\n" +
		"With --dry-run, an object that exists is reported configured, without comparing it.",
	flags: append([]flagDef{dryRunFlag}, fileFlags...),
	run: func(c *call) error {
		return c.applyOrCreate("apply", func(objs []fileObject) ([]string, error) {
			in := make([]api.Object, len(objs))
			for i, o := range objs {
				in[i] = o.obj
			}
			res, err := c.r.Cluster.ApplyObjects(in...)
			if err != nil {
				return nil, withSource("creating", objs[0].source, err)
			}
			lines := make([]string, len(res))
			for i, r := range res {
				lines[i] = r.String()
			}
			return lines, nil
		})
	},
}

var createCommand = &command{
	name:  "create",
	short: "Create a resource from a file or from stdin",
	usage: "kubectl create -f FILENAME [flags]",
	flags: append([]flagDef{dryRunFlag}, fileFlags...),
	run: func(c *call) error {
		return c.applyOrCreate("create", func(objs []fileObject) ([]string, error) {
			var lines []string
			var errs errorList
			for _, o := range objs {
				got, err := c.r.Cluster.Create(o.obj)
				if err != nil {
					errs = append(errs, withSource("creating", o.source, err))
					continue
				}
				lines = append(lines, qualifiedName(o.info, got.GetObjectMeta().Name)+" created")
			}
			return lines, errs.result()
		})
	},
}

// applyOrCreate reads the -f files and hands each file's objects to do,
// printing what it reports and collecting errors, so that one bad file does
// not stop the others (kubectl continues on error).
func (c *call) applyOrCreate(verb string, do func([]fileObject) ([]string, error)) error {
	paths := c.flags.strs("filename")
	if len(paths) == 0 {
		return errors.New("must specify one of -f and -k")
	}
	if len(c.args) > 0 {
		return &usageError{msg: fmt.Sprintf("Unexpected args: %v", c.args), path: c.path}
	}
	suffix, err := c.dryRun()
	if err != nil {
		return err
	}
	files, err := c.readManifests(paths)
	if err != nil {
		return err
	}
	if suffix != "" {
		// Nothing is sent: say what would happen to each object.
		do = func(objs []fileObject) ([]string, error) {
			var lines []string
			for _, o := range objs {
				action := "created"
				if _, err := c.r.Cluster.GetObject(api.RefOf(o.obj)); err == nil && verb == "apply" {
					action = "configured"
				}
				lines = append(lines, qualifiedName(o.info, o.obj.GetObjectMeta().Name)+" "+action+suffix)
			}
			return lines, nil
		}
	}
	var errs errorList
	total := 0
	for _, f := range files {
		if f.err != nil {
			errs = append(errs, f.err)
			continue
		}
		if len(f.objs) == 0 {
			continue
		}
		total += len(f.objs)
		lines, err := do(f.objs)
		for _, l := range lines {
			fmt.Fprintln(c.stdout, l)
		}
		if l, ok := err.(errorList); ok {
			errs = append(errs, l...)
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	if total == 0 && len(errs) == 0 {
		return fmt.Errorf("no objects passed to %s", verb)
	}
	return errs.result()
}

// fileObject is an object read from a manifest, with where it came from.
type fileObject struct {
	obj    api.Object
	info   api.KindInfo
	source string // the path as given, or STDIN
}

// manifestFile is one file's objects, or why it could not be read.
type manifestFile struct {
	objs []fileObject
	err  error
}

// readManifests reads -f arguments as kubectl does: files; directories,
// whose .json, .yaml and .yml files are read in lexical order (and their
// subdirectories' with -R); and - for standard input. Namespaced objects
// without a namespace get the command's; an object in another namespace than
// an explicit -n is an error.
func (c *call) readManifests(paths []string) ([]manifestFile, error) {
	var out []manifestFile
	for _, p := range paths {
		if p == "-" {
			b, err := io.ReadAll(c.stdin)
			if err != nil {
				return nil, err
			}
			out = append(out, c.decodeManifest("STDIN", b))
			continue
		}
		if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			return nil, fmt.Errorf("kubesim reads no URLs: save %s to a file and pass its path", p)
		}
		full := p
		if !filepath.IsAbs(p) && c.r.Dir != "" {
			full = filepath.Join(c.r.Dir, p)
		}
		st, err := os.Stat(full)
		if err != nil {
			return nil, fmt.Errorf("the path %q does not exist", p)
		}
		if !st.IsDir() {
			b, err := os.ReadFile(full)
			if err != nil {
				return nil, err
			}
			out = append(out, c.decodeManifest(p, b))
			continue
		}
		var files []string
		err = filepath.WalkDir(full, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != full && !c.flags.bool("recursive") {
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(path) {
			case ".json", ".yaml", ".yml":
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(files)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			rel, err := filepath.Rel(full, f)
			if err != nil {
				rel = filepath.Base(f)
			}
			out = append(out, c.decodeManifest(filepath.Join(p, rel), b))
		}
	}
	return out, nil
}

// decodeManifest decodes one file and settles each object's namespace.
func (c *call) decodeManifest(source string, data []byte) manifestFile {
	objs, err := api.Decode(data)
	if err != nil {
		return manifestFile{err: decodeError(source, err)}
	}
	var out []fileObject
	for _, o := range objs {
		info, _ := api.InfoFor(api.KindOf(o))
		m := o.GetObjectMeta()
		switch {
		case !info.Namespaced:
			m.Namespace = ""
		case m.Namespace == "":
			m.Namespace = c.ns
		case c.nsSet && m.Namespace != c.ns:
			return manifestFile{err: fmt.Errorf("the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation.",
				m.Namespace, c.ns, m.Namespace)}
		}
		out = append(out, fileObject{obj: o, info: info, source: source})
	}
	return manifestFile{objs: out}
}

// decodeError words a manifest that does not decode as kubectl does: it
// names the file, not the document, and a strict decoding failure comes from
// the API server, which validates fields.
func decodeError(source string, err error) error {
	var de *api.DecodeError
	if !errors.As(err, &de) {
		return fmt.Errorf("error parsing %s: %v", source, err)
	}
	msg := de.Err.Error()
	switch {
	case strings.Contains(msg, "strict decoding error"):
		return withSource("creating", source, &statusError{reason: "BadRequest", msg: msg})
	case strings.HasPrefix(msg, "no matches for kind"):
		return fmt.Errorf("resource mapping not found for name: %q namespace: \"\" from %q: %s\nensure CRDs are installed first", de.Name, source, msg)
	case strings.HasPrefix(msg, "Object 'apiVersion' is missing"):
		return fmt.Errorf("error validating %q: error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false", source)
	case strings.HasPrefix(msg, "Object 'Kind' is missing") || strings.HasPrefix(msg, "Object 'kind' is missing"):
		return fmt.Errorf("error validating %q: error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false", source)
	}
	return fmt.Errorf("error parsing %s: %s", source, msg)
}

// objectsFromFiles reads -f for commands that act on existing objects (get,
// delete), stopping at the first unreadable file.
func (c *call) objectsFromFiles(paths []string) ([]fileObject, error) {
	files, err := c.readManifests(paths)
	if err != nil {
		return nil, err
	}
	var out []fileObject
	for _, f := range files {
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, f.objs...)
	}
	return out, nil
}
