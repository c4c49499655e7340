package writer

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/flywheel-stack/flywheel/config"
)

// decodedText is what encoding/json makes of one response or chunk: the
// reference quickText must agree with whenever it answers.
func decodedText(t *testing.T, data string, stream bool) (string, bool) {
	t.Helper()
	var a answer
	if json.Unmarshal([]byte(data), &a) != nil || len(a.Choices) == 0 {
		return "", false
	}
	if !stream {
		return choiceText(a.Choices[0], false), true
	}
	var b strings.Builder
	for _, ch := range a.Choices {
		if ch.Index == 0 {
			b.WriteString(choiceText(ch, true))
		}
	}
	return b.String(), true
}

func TestQuickTextAgreesWithEncodingJSON(t *testing.T) {
	cases := []struct {
		data      string
		stream    bool
		wantQuick bool // the usual shapes take the quick path
	}{
		{`{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"Hi \"you\" \u00e9\n"}}],"usage":{"total_tokens":3}}`, false, true},
		{`{"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c"}]}}]}`, false, true},
		{`{"choices":[{"index":0,"text":"done."}]}`, false, true},
		{`{"choices":[{"message":{"content":"first"}},{"message":{"content":"second"}}]}`, false, true},
		{`{"choices":[{"index":0,"delta":{"content":"A"}},{"index":1,"delta":{"content":"B"}},{"index":0,"text":"C"}]}`, true, true},
		{`{"choices":[{"index":0,"delta":{}}]}`, true, true},
		{`{"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}`, true, true},
		{`{"choices":[{"index":0,"message":{"content":["parts"]}}]}`, false, false},
		{`{"choices":[{"index":"0","message":{"content":"x"}}]}`, false, false},
		{`{"choices":[{"index":0.5,"delta":{"content":"x"}}]}`, true, false},
		{`{"choices":[1]}`, false, false},
		{`{"choices":{"index":0}}`, false, false},
		{`{"choices":[]}`, false, false},
		{`[{"choices":[]}]`, false, false},
		{`{"choices":[{"message":"text"}]}`, false, false},
		{`{"error":{"message":"bad"}}`, false, false},
		{`{"choices":[{"message":{"content":"cut`, false, false},
	}
	for _, tc := range cases {
		got, ok := quickText([]byte(tc.data), tc.stream)
		if ok != tc.wantQuick {
			t.Errorf("quickText(%s) ok = %v, want %v", tc.data, ok, tc.wantQuick)
		}
		if !ok {
			continue
		}
		want, decoded := decodedText(t, tc.data, tc.stream)
		if !decoded || got != want {
			t.Errorf("quickText(%s) = %q, encoding/json reads %q (decoded %v)", tc.data, got, want, decoded)
		}
	}
}

func TestRedactSkipsOnlyWhenThePrefixIsAbsent(t *testing.T) {
	c := newCapturer(config.Capture{Redact: []config.Regexp{
		{Regexp: regexp.MustCompile(`sk-[A-Za-z0-9]{20,}`)},
		{Regexp: regexp.MustCompile(`(?i)password=\S+`)},
		{Regexp: regexp.MustCompile(`\d{4}-\d{4}`)},
	}})
	cases := map[string]string{
		"key sk-abcdefghijklmnopqrstuvwxyz0 end": "key [REDACTED] end",
		"sk-short stays":                         "sk-short stays",
		"PASSWORD=hunter2 and password=x":        "[REDACTED] and [REDACTED]",
		"card 1234-5678":                         "card [REDACTED]",
		"nothing here":                           "nothing here",
		"bad \xff byte":                          "bad \uFFFD byte",
	}
	for in, want := range cases {
		if got := c.redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}
