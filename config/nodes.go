package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxMergeDepth bounds nested merge keys ("<<") so that a pathological file
// cannot recurse without end.
const maxMergeDepth = 32

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is absent or an explicit null ("key:", "~", "null").
func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names a node's kind and value for error messages: "a sequence",
// `string "ten"`, "integer 30".
func describe(n *yaml.Node) string {
	n = resolve(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!str":
		return fmt.Sprintf("string %q", v)
	case "!!int":
		return "integer " + v
	case "!!float":
		return "number " + v
	case "!!bool":
		return "boolean " + v
	case "!!timestamp":
		return "timestamp " + v
	default:
		return fmt.Sprintf("%s %q", n.ShortTag(), v)
	}
}

// typeError is the message for a value of the wrong kind.
func typeError(want string, n *yaml.Node) error {
	return fmt.Errorf("expected %s, got %s", want, describe(n))
}

// pair is one key and its value in a mapping.
type pair struct {
	key, value *yaml.Node
}

// pairs returns the entries of mapping n with merge keys ("<<: *anchor")
// expanded: explicit keys win over merged ones, and an earlier merged
// mapping wins over a later one. Duplicate explicit keys and keys that are
// not scalars are reported at their line.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	var explicit, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if !d.spend(posOf(k), path) {
			return nil
		}
		if k.Kind != yaml.ScalarNode {
			d.r.add(posOf(k), path, "keys must be plain strings, got %s", describe(k))
			continue
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			merged = append(merged, d.merge(v, path, depth+1)...)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.r.add(posOf(k), join(path, k.Value), "duplicate key (first at line %d)", first.Line)
			continue
		}
		seen[k.Value] = k
		explicit = append(explicit, pair{k, v})
	}
	for _, p := range merged {
		if _, ok := seen[p.key.Value]; !ok {
			seen[p.key.Value] = p.key
			explicit = append(explicit, p)
		}
	}
	return explicit
}

// merge returns the entries a merge key brings in: those of a mapping or of
// each mapping in a sequence, in order.
func (d *decoder) merge(v *yaml.Node, path string, depth int) []pair {
	v = resolve(v)
	if depth > maxMergeDepth {
		d.r.add(posOf(v), path, "merge keys nested too deeply")
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode:
		return d.pairs(v, path, depth)
	case yaml.SequenceNode:
		var out []pair
		for _, item := range v.Content {
			if m := resolve(item); m.Kind == yaml.MappingNode {
				out = append(out, d.pairs(m, path, depth)...)
			} else {
				d.r.add(posOf(item), path, "<< must merge a mapping, got %s", describe(item))
			}
		}
		return out
	}
	d.r.add(posOf(v), path, "<< must merge a mapping or a sequence of mappings, got %s", describe(v))
	return nil
}

// unknownKey is the message for a key the struct does not have: it suggests
// the closest known key, or lists them all in the order of the struct.
func unknownKey(key string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		d := editDistance(strings.ToLower(strings.ReplaceAll(key, "-", "_")), k)
		if d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" && (bestDist == 0 || len(key) > bestDist+1) {
		return fmt.Sprintf("unknown key (did you mean %q?)", best)
	}
	return "unknown key (known keys: " + strings.Join(known, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
