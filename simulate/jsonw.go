package simulate

import (
	"strconv"

	"github.com/flywheel-stack/flywheel/internal/jsonstr"
)

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string literal, quotes included
// (see jsonstr.Append).
func appendJSONString(buf []byte, s string) []byte { return jsonstr.Append(buf, s) }

// appendUsage appends OpenAI's usage object.
func appendUsage(buf []byte, prompt, completion int) []byte {
	buf = append(buf, `{"prompt_tokens":`...)
	buf = strconv.AppendInt(buf, int64(prompt), 10)
	buf = append(buf, `,"completion_tokens":`...)
	buf = strconv.AppendInt(buf, int64(completion), 10)
	buf = append(buf, `,"total_tokens":`...)
	buf = strconv.AppendInt(buf, int64(prompt+completion), 10)
	return append(buf, '}')
}
