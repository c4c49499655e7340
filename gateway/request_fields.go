package gateway

import (
	"bytes"
	"errors"
	"strconv"
)

// requestFields are the only parts of a client's request body the gateway
// reads. Everything else is forwarded as it came.
type requestFields struct {
	// model is the decoded model name; modelStart and modelEnd delimit its
	// JSON string (quotes included) in the body, for rewriting.
	model                string
	modelStart, modelEnd int
	stream               bool
	user                 string
	// includeUsage is stream_options.include_usage.
	includeUsage bool
	// hasStreamOptions tells whether the body carries stream_options.
	hasStreamOptions bool
	// objectEnd is the offset of the body's closing brace.
	objectEnd int
}

var (
	errNotObject    = errors.New("the request body must be a JSON object")
	errBadJSON      = errors.New("the request body is not valid JSON")
	errModelType    = errors.New("'model' must be a string")
	errStreamType   = errors.New("'stream' must be a boolean")
	errUserType     = errors.New("'user' must be a string")
	errStreamOptObj = errors.New("'stream_options' must be an object")
)

// scanRequest reads the top-level fields the gateway needs from a JSON
// object without decoding the rest. It validates the whole body's syntax.
func scanRequest(body []byte) (requestFields, error) {
	var f requestFields
	s := scanner{b: body}
	s.ws()
	if !s.eat('{') {
		if validValue(body) {
			return f, errNotObject
		}
		return f, errBadJSON
	}
	s.ws()
	if s.eat('}') {
		f.objectEnd = s.i - 1
		return f, s.end()
	}
	for {
		s.ws()
		keyStart := s.i
		if !s.str() {
			return f, errBadJSON
		}
		key := s.b[keyStart+1 : s.i-1]
		s.ws()
		if !s.eat(':') {
			return f, errBadJSON
		}
		s.ws()
		vStart := s.i
		if !s.value(0) {
			return f, errBadJSON
		}
		v := s.b[vStart:s.i]
		switch string(key) {
		case "model":
			if v[0] != '"' {
				return f, errModelType
			}
			name, err := unquote(v)
			if err != nil {
				return f, errBadJSON
			}
			f.model, f.modelStart, f.modelEnd = name, vStart, s.i
		case "stream":
			switch string(v) {
			case "true":
				f.stream = true
			case "false", "null":
				f.stream = false
			default:
				return f, errStreamType
			}
		case "user":
			if v[0] == 'n' {
				break
			}
			if v[0] != '"' {
				return f, errUserType
			}
			u, err := unquote(v)
			if err != nil {
				return f, errBadJSON
			}
			f.user = u
		case "stream_options":
			if v[0] == 'n' {
				break
			}
			if v[0] != '{' {
				return f, errStreamOptObj
			}
			f.hasStreamOptions = true
			f.includeUsage = bytes.Contains(v, []byte(`"include_usage"`)) && includeUsageTrue(v)
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			f.objectEnd = s.i - 1
			return f, s.end()
		}
		return f, errBadJSON
	}
}

// includeUsageTrue reports whether a stream_options object sets
// include_usage to true.
func includeUsageTrue(obj []byte) bool {
	s := scanner{b: obj, i: 1}
	for {
		s.ws()
		k := s.i
		if !s.str() {
			return false
		}
		key := s.b[k+1 : s.i-1]
		s.ws()
		s.eat(':')
		s.ws()
		v := s.i
		if !s.value(0) {
			return false
		}
		if string(key) == "include_usage" {
			return string(s.b[v:s.i]) == "true"
		}
		s.ws()
		if !s.eat(',') {
			return false
		}
	}
}

func unquote(v []byte) (string, error) {
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), nil
	}
	return strconv.Unquote(string(v))
}

// maxDepth bounds nesting, so a hostile body cannot exhaust the stack.
const maxDepth = 512

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) end() error {
	s.ws()
	if s.i != len(s.b) {
		return errBadJSON
	}
	return nil
}

// str consumes a JSON string, validating escapes.
func (s *scanner) str() bool {
	if !s.eat('"') {
		return false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if s.i+4 >= len(s.b) {
					return false
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !isHex(h) {
						return false
					}
				}
				s.i += 5
			default:
				return false
			}
		case c < 0x20:
			return false
		default:
			s.i++
		}
	}
	return false
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// value consumes any JSON value.
func (s *scanner) value(depth int) bool {
	if s.i >= len(s.b) || depth > maxDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{':
		s.i++
		s.ws()
		if s.eat('}') {
			return true
		}
		for {
			s.ws()
			if !s.str() {
				return false
			}
			s.ws()
			if !s.eat(':') {
				return false
			}
			s.ws()
			if !s.value(depth + 1) {
				return false
			}
			s.ws()
			if s.eat('}') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == '[':
		s.i++
		s.ws()
		if s.eat(']') {
			return true
		}
		for {
			s.ws()
			if !s.value(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(']') {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.num()
	}
	return false
}

func (s *scanner) lit(l string) bool {
	if len(s.b)-s.i >= len(l) && string(s.b[s.i:s.i+len(l)]) == l {
		s.i += len(l)
		return true
	}
	return false
}

func (s *scanner) num() bool {
	start := s.i
	s.eat('-')
	if s.eat('0') {
		// a leading zero stands alone
	} else if !s.digits() {
		return false
	}
	if s.eat('.') && !s.digits() {
		return false
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if !s.eat('+') {
			s.eat('-')
		}
		if !s.digits() {
			return false
		}
	}
	return s.i > start
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func validValue(b []byte) bool {
	s := scanner{b: b}
	s.ws()
	return s.value(0) && s.end() == nil
}

// rewriteModel returns body with the model field's value replaced by model
// and, when addUsage is set and the body has no stream_options of its own,
// stream_options.include_usage added. f must come from scanRequest(body)
// with a model present.
func rewriteModel(body []byte, f requestFields, model string, addUsage bool) []byte {
	out := make([]byte, 0, len(body)+len(model)+48)
	out = append(out, body[:f.modelStart]...)
	out = strconv.AppendQuote(out, model)
	if !addUsage || f.hasStreamOptions {
		return append(out, body[f.modelEnd:]...)
	}
	out = append(out, body[f.modelEnd:f.objectEnd]...)
	out = append(out, `,"stream_options":{"include_usage":true}`...)
	return append(out, body[f.objectEnd:]...)
}
