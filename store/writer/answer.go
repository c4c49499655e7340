package writer

import "github.com/tidwall/gjson"

// quickText returns the text of the choices with index 0 in one OpenAI
// response object or stream chunk (message or delta content, else text),
// with gjson: one validating pass and one lookup, without decoding the
// rest of the answer. It reports false for anything but that usual shape
// (no choices, an unexpected type, a number where a string belongs), which
// ResponseText then reads with encoding/json. Keys are matched exactly, as
// OpenAI-compatible servers send them.
func quickText(data []byte, stream bool) (string, bool) {
	if !gjson.ValidBytes(data) {
		return "", false
	}
	root := gjson.ParseBytes(data)
	if !root.IsObject() {
		return "", false
	}
	choices := root.Get("choices")
	if !choices.IsArray() {
		return "", false
	}
	list := choices.Array()
	if len(list) == 0 {
		return "", false
	}
	if !stream {
		list = list[:1] // a response's answer is its first choice
	}
	var text string
	for _, ch := range list {
		if !ch.IsObject() {
			return "", false
		}
		index, ok := intOrZero(ch.Get("index"))
		if !ok {
			return "", false
		}
		if stream && index != 0 {
			continue
		}
		t, ok := choiceTextOf(ch, stream)
		if !ok {
			return "", false
		}
		text += t
	}
	return text, true
}

// choiceTextOf is choiceText for a gjson choice.
func choiceTextOf(ch gjson.Result, stream bool) (string, bool) {
	holder := "message"
	if stream {
		holder = "delta"
	}
	switch m := ch.Get(holder); m.Type {
	case gjson.JSON:
		if !m.IsObject() {
			return "", false
		}
		return stringOrEmpty(m.Get("content"))
	case gjson.Null: // absent or null: the completion text
	default:
		return "", false
	}
	return stringOrEmpty(ch.Get("text"))
}

func stringOrEmpty(r gjson.Result) (string, bool) {
	switch r.Type {
	case gjson.String:
		return r.Str, true
	case gjson.Null:
		return "", true
	}
	return "", false
}

func intOrZero(r gjson.Result) (int, bool) {
	switch r.Type {
	case gjson.Null:
		return 0, true
	case gjson.Number:
		if r.Num == float64(int(r.Num)) {
			return int(r.Num), true
		}
	}
	return 0, false
}
