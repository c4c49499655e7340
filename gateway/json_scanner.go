package gateway

// maxDepth bounds nesting (the outermost object or array is level 1), so a
// hostile body cannot exhaust the stack.
const maxDepth = 512

// scanner validates JSON syntax in place, without decoding.
type scanner struct {
	b []byte
	i int
	// tooDeep is set when a value failed for nesting deeper than maxDepth.
	tooDeep bool
	// esc tells whether the last string str consumed has an escape.
	esc bool
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

// str consumes a JSON string, validating escapes, and sets esc.
func (s *scanner) str() bool {
	if !s.eat('"') {
		return false
	}
	s.esc = false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			s.esc = true
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

// value consumes any JSON value; depth is the number of objects and arrays
// it is nested in.
func (s *scanner) value(depth int) bool {
	if s.i >= len(s.b) {
		return false
	}
	c := s.b[s.i]
	if (c == '{' || c == '[') && depth >= maxDepth {
		s.tooDeep = true
		return false
	}
	switch {
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

// validValue checks that b is one JSON value: nil, errTooDeep or
// errBadJSON.
func validValue(b []byte) error {
	s := scanner{b: b}
	s.ws()
	if s.value(0) && s.end() == nil {
		return nil
	}
	if s.tooDeep {
		return errTooDeep
	}
	return errBadJSON
}
