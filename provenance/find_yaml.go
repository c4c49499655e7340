package provenance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/flywheel-stack/flywheel/internal/yamlerr"
	"go.yaml.in/yaml/v3"
)

// containerListKeys are the pod spec fields that hold containers.
var containerListKeys = map[string]string{
	"containers":          "container",
	"initContainers":      "init container",
	"ephemeralContainers": "ephemeral container",
}

// findYAML reads a YAML stream (several documents) and finds the images of
// Kubernetes objects (any kind with a pod spec, Lists and custom resources
// included), compose services and kustomization images.
func findYAML(path string, data []byte) ([]Occurrence, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Occurrence
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, yamlInputError(path, data, err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		root := doc.Content[0]
		switch {
		case isKustomization(path, root):
			out = append(out, findKustomize(path, root)...)
		case lookup(root, "kind") != nil:
			out = append(out, findKubernetes(path, root, objectName(root))...)
		case lookup(root, "services") != nil:
			out = append(out, findCompose(path, root)...)
		}
	}
}

func yamlInputError(path string, data []byte, err error) error {
	line, msg, ok := yamlerr.Locate(data, err)
	if !ok {
		msg = err.Error()
	}
	if bytes.Contains(data, []byte("{{")) {
		msg += " (a Helm template? scan the output of `helm template` instead)"
	}
	return &InputError{Path: path, Line: line, Err: errors.New(msg)}
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func scalar(m *yaml.Node, key string) string {
	if v := lookup(m, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

func objectName(root *yaml.Node) string {
	kind := scalar(root, "kind")
	if n := scalar(lookup(root, "metadata"), "name"); n != "" {
		return kind + "/" + n
	}
	return kind
}

func isKustomization(path string, root *yaml.Node) bool {
	switch strings.ToLower(filepath.Base(path)) {
	case "kustomization.yaml", "kustomization.yml":
		return true
	}
	return scalar(root, "kind") == "Kustomization" && strings.HasPrefix(scalar(root, "apiVersion"), "kustomize.config.k8s.io")
}

// imageNode returns the scalar an image value is written as, following a
// YAML alias to its anchor (where a pin must rewrite it), or nil.
func imageNode(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.ScalarNode {
		return nil
	}
	return n
}

// occurrenceAt builds the occurrence of a scalar image node.
func occurrenceAt(path string, n *yaml.Node, src Source, where, policy string) Occurrence {
	o := Occurrence{File: path, Line: n.Line, Column: n.Column, Text: n.Value, Image: n.Value,
		Source: src, Where: where, PullPolicy: policy, Rewritable: true}
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		o.Column++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		o.Rewritable, o.Note = false, "block scalar"
	}
	return o
}

// findKubernetes walks an object for container lists, wherever its kind
// keeps its pod template (Pod, Deployment, CronJob, List, custom kinds).
func findKubernetes(path string, n *yaml.Node, object string) []Occurrence {
	var out []Occurrence
	switch n.Kind {
	case yaml.MappingNode:
		if k := scalar(n, "kind"); k != "" && lookup(n, "apiVersion") != nil {
			object = objectName(n) // an item of a List
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			if what, ok := containerListKeys[key]; ok && val.Kind == yaml.SequenceNode {
				out = append(out, containers(path, val, object, what)...)
				continue
			}
			out = append(out, findKubernetes(path, val, object)...)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			out = append(out, findKubernetes(path, c, object)...)
		}
	}
	return out
}

func containers(path string, list *yaml.Node, object, what string) []Occurrence {
	var out []Occurrence
	for _, c := range list.Content {
		img := imageNode(lookup(c, "image"))
		if img == nil {
			continue
		}
		where := strings.TrimSpace(fmt.Sprintf("%s %s %s", object, what, scalar(c, "name")))
		out = append(out, occurrenceAt(path, img, SourceKubernetes, where, scalar(c, "imagePullPolicy")))
	}
	return out
}

// composePullPolicy maps compose's pull_policy onto Kubernetes' words.
func composePullPolicy(p string) string {
	switch strings.ToLower(p) {
	case "always", "daily", "weekly":
		return "Always"
	case "missing", "if_not_present":
		return "IfNotPresent"
	case "never":
		return "Never"
	}
	return ""
}

func findCompose(path string, root *yaml.Node) []Occurrence {
	services := lookup(root, "services")
	if services == nil || services.Kind != yaml.MappingNode {
		return nil
	}
	var out []Occurrence
	for i := 0; i+1 < len(services.Content); i += 2 {
		svc := services.Content[i+1]
		img := imageNode(lookup(svc, "image"))
		if img == nil {
			continue
		}
		out = append(out, occurrenceAt(path, img, SourceCompose, "service "+services.Content[i].Value,
			composePullPolicy(scalar(svc, "pull_policy"))))
	}
	return out
}

// findKustomize reads images: entries (name, newName, newTag, digest). A pin
// adds a digest: line to a block-style entry, which kustomize (4.5.4 and
// later) turns into name:newTag@digest.
func findKustomize(path string, root *yaml.Node) []Occurrence {
	images := lookup(root, "images")
	if images == nil || images.Kind != yaml.SequenceNode {
		return nil
	}
	var out []Occurrence
	for _, e := range images.Content {
		nameNode := lookup(e, "name")
		if nameNode == nil {
			continue
		}
		img := scalar(e, "name")
		if nn := scalar(e, "newName"); nn != "" {
			img = nn
		}
		at := nameNode
		if t := lookup(e, "newTag"); t != nil {
			img += ":" + t.Value
			at = t
		}
		if d := scalar(e, "digest"); d != "" {
			img += "@" + d
		}
		o := occurrenceAt(path, at, SourceKustomize, "images entry "+scalar(e, "name"), "")
		o.Text, o.Image = at.Value, img
		o.Rewritable, o.Note = false, "kustomize images entry in flow style: add digest: by hand"
		if e.Style&yaml.FlowStyle == 0 && len(e.Content) > 0 {
			last := e.Content[len(e.Content)-1]
			if last.Kind == yaml.ScalarNode && last.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
				o.Rewritable, o.Note = true, ""
				o.insertAfter = last.Line
				o.indent = strings.Repeat(" ", e.Content[0].Column-1)
			}
		}
		out = append(out, o)
	}
	return out
}
