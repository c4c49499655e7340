package gateway

import (
	"bytes"
	"errors"
	"fmt"
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
	errTooDeep      = fmt.Errorf("the request body is nested too deeply (more than %d levels of objects and arrays)", maxDepth)
	errModelType    = errors.New("'model' must be a string")
	errStreamType   = errors.New("'stream' must be a boolean")
	errUserType     = errors.New("'user' must be a string")
	errStreamOptObj = errors.New("'stream_options' must be an object")
)

// span is where a value lies in the body (end 0: absent), and whether it
// is a string with an escape.
type span struct {
	start, end int
	esc        bool
}

// scanRequest reads the top-level fields the gateway needs from a JSON
// object without decoding the rest. It validates the whole body's syntax.
// Like encoding/json, it reads keys and strings as JSON (escapes included)
// and, when a key repeats, the last one counts.
func scanRequest(body []byte) (requestFields, error) {
	var f requestFields
	s := scanner{b: body}
	s.ws()
	if !s.eat('{') {
		if err := validValue(body); err != nil {
			return f, err
		}
		return f, errNotObject
	}
	var model, stream, user, streamOpts span
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
		key, keyEsc := s.b[keyStart:s.i], s.esc
		s.ws()
		if !s.eat(':') {
			return f, errBadJSON
		}
		s.ws()
		v := span{start: s.i}
		if !s.value(1) {
			if s.tooDeep {
				return f, errTooDeep
			}
			return f, errBadJSON
		}
		v.end, v.esc = s.i, s.esc
		switch string(keyName(key, keyEsc)) {
		case "model":
			model = v
		case "stream":
			stream = v
		case "user":
			user = v
		case "stream_options":
			streamOpts = v
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			f.objectEnd = s.i - 1
			if err := s.end(); err != nil {
				return f, err
			}
			return f, f.decode(body, model, stream, user, streamOpts)
		}
		return f, errBadJSON
	}
}

// decode reads the fields from their (validated) values in body.
func (f *requestFields) decode(body []byte, model, stream, user, streamOpts span) error {
	if model.end != 0 {
		v := body[model.start:model.end]
		if v[0] != '"' {
			return errModelType
		}
		f.model, f.modelStart, f.modelEnd = decodeJSONString(v, model.esc), model.start, model.end
	}
	if stream.end != 0 {
		switch string(body[stream.start:stream.end]) {
		case "true":
			f.stream = true
		case "false", "null":
		default:
			return errStreamType
		}
	}
	if user.end != 0 {
		switch v := body[user.start:user.end]; v[0] {
		case 'n':
		case '"':
			f.user = decodeJSONString(v, user.esc)
		default:
			return errUserType
		}
	}
	if streamOpts.end != 0 {
		switch v := body[streamOpts.start:streamOpts.end]; v[0] {
		case 'n':
		case '{':
			f.hasStreamOptions = true
			// The key may be written with escapes: look at a body with a
			// backslash in it.
			f.includeUsage = (bytes.Contains(v, []byte("include_usage")) || bytes.IndexByte(v, '\\') >= 0) &&
				includeUsageTrue(v)
		default:
			return errStreamOptObj
		}
	}
	return nil
}

// keyName returns a key token's name: the bytes between its quotes, decoded
// only when it holds an escape (esc), so that string(keyName(k, esc)) in a
// switch allocates nothing in the usual case. Keys are compared with ASCII
// names: invalid UTF-8 in one, left as it is, matches none of them.
func keyName(key []byte, esc bool) []byte {
	if !esc {
		return key[1 : len(key)-1]
	}
	return []byte(decodeJSONString(key, true))
}

// includeUsageTrue reports whether a (validated) stream_options object
// sets include_usage to true; when the key repeats, the last one counts.
func includeUsageTrue(obj []byte) bool {
	s := scanner{b: obj, i: 1}
	set := false
	for {
		s.ws()
		k := s.i
		if !s.str() {
			return set
		}
		key, esc := s.b[k:s.i], s.esc
		s.ws()
		s.eat(':')
		s.ws()
		v := s.i
		if !s.value(1) {
			return set
		}
		if string(keyName(key, esc)) == "include_usage" {
			set = string(s.b[v:s.i]) == "true"
		}
		s.ws()
		if !s.eat(',') {
			return set
		}
	}
}

// rewriteModel returns body with the model field's value replaced by model
// and, when addUsage is set and the body has no stream_options of its own,
// stream_options.include_usage added. f must come from scanRequest(body)
// with a model present.
func rewriteModel(body []byte, f requestFields, model string, addUsage bool) []byte {
	out := make([]byte, 0, len(body)+len(model)+48)
	out = append(out, body[:f.modelStart]...)
	out = appendJSONString(out, model)
	if !addUsage || f.hasStreamOptions {
		return append(out, body[f.modelEnd:]...)
	}
	out = append(out, body[f.modelEnd:f.objectEnd]...)
	out = append(out, `,"stream_options":{"include_usage":true}`...)
	return append(out, body[f.objectEnd:]...)
}
