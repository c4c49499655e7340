package gateway

import "bytes"

// stripUsageNull removes the top-level "usage":null member from a chunk
// event, in place, and returns the event. A backend asked for
// stream_options.include_usage (by the gateway, for its token counts) puts
// it on every chunk; a client that did not ask must get the chunks it
// would have got without it.
func stripUsageNull(event []byte) []byte {
	start, end, ok := usageNullMember(event)
	if !ok {
		return event
	}
	return append(event[:start], event[end:]...)
}

// usageNullMember finds the top-level "usage":null member of an event's
// JSON data, with the comma that separates it from its neighbour: the span
// [start, end) to cut.
func usageNullMember(ev []byte) (start, end int, ok bool) {
	i := bytes.Index(ev, []byte("data:"))
	if i < 0 {
		return 0, 0, false
	}
	j := bytes.IndexByte(ev[i:], '{')
	if j < 0 {
		return 0, 0, false
	}
	depth, sep := 0, -1 // sep: the '{' or ',' before the current top-level member
	inString, escaped := false, false
	for k := i + j; k < len(ev); k++ {
		c := ev[k]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			if depth == 1 && bytes.HasPrefix(ev[k:], []byte(`"usage"`)) {
				if v := skipSpace(ev, k+len(`"usage"`)); v < len(ev) && ev[v] == ':' {
					if v = skipSpace(ev, v+1); bytes.HasPrefix(ev[v:], []byte("null")) {
						after := skipSpace(ev, v+len("null"))
						switch {
						case after < len(ev) && ev[after] == ',':
							return k, after + 1, true // "usage":null, and the next member follows
						case after < len(ev) && ev[after] == '}' && sep >= 0 && ev[sep] == ',':
							return sep, v + len("null"), true // the last member: from the comma before it
						case after < len(ev) && ev[after] == '}':
							return k, v + len("null"), true // the only member
						}
					}
				}
			}
			inString = true
		case '{', '[':
			depth++
			if depth == 1 {
				sep = k
			}
		case '}', ']':
			if depth--; depth == 0 {
				return 0, 0, false
			}
		case ',':
			if depth == 1 {
				sep = k
			}
		}
	}
	return 0, 0, false
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
