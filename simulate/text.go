package simulate

import "strings"

// The simulated model's vocabulary. An answer is a sequence of these words
// chosen by a generator seeded with a hash of the prompt; each word is one
// token (one stream chunk).
var vocabulary = [...]string{
	"the", "model", "answer", "stream", "token", "server", "local", "remote",
	"request", "latency", "backend", "gateway", "route", "circuit", "breaker", "retry",
	"health", "probe", "fallback", "cache", "queue", "batch", "prompt", "context",
	"window", "memory", "graph", "vector", "index", "search", "result", "signal",
	"quiet", "steady", "bright", "simple", "rapid", "gentle", "clear", "solid",
	"river", "stone", "forest", "cloud", "light", "field", "harbor", "bridge",
	"learns", "serves", "routes", "retries", "answers", "measures", "recovers", "waits",
	"and", "of", "to", "with", "from", "over", "under", "through",
	"engine", "kernel", "thread", "socket", "buffer", "packet", "channel", "pulse",
	"compute", "measure", "balance", "observe", "predict", "adapt", "improve", "repeat",
	"small", "large", "early", "late", "fresh", "stable", "fast", "careful",
	"data", "set", "sample", "feedback", "rating", "label", "score", "trace",
	"north", "south", "east", "west", "morning", "evening", "winter", "summer",
	"first", "second", "third", "next", "last", "every", "each", "some",
	"builds", "keeps", "makes", "finds", "holds", "moves", "turns", "opens",
	"calm", "wheel", "spin", "flow", "loop", "turn", "path", "home",
}

// capitalized holds the vocabulary with an upper-case first letter, for the
// first word of an answer.
var capitalized = func() (c [len(vocabulary)]string) {
	for i, w := range vocabulary {
		c[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return c
}()

// Natural answer lengths, in tokens, before max_tokens caps them.
const (
	minAnswerTokens = 8
	maxAnswerTokens = 40
)

// answer is a deterministic completion: the seed picks the words and its
// natural length; max_tokens may cut it short.
type answer struct {
	seed   uint64
	tokens int
	// finish is "stop" when the answer ended by itself, "length" when
	// max_tokens cut it.
	finish string
}

// newAnswer derives the answer for a prompt hash, capped at maxTokens when
// maxTokens is positive.
func newAnswer(promptHash uint64, maxTokens int) answer {
	seed := mix64(promptHash)
	n := minAnswerTokens + int(seed%(maxAnswerTokens-minAnswerTokens+1))
	a := answer{seed: seed, tokens: n, finish: "stop"}
	if maxTokens > 0 && maxTokens < n {
		a.tokens, a.finish = maxTokens, "length"
	}
	return a
}

// appendToken appends the text of token i (JSON-safe, no quotes): the first
// word capitalized, the others after a space, and a full stop after the
// last word of an answer that ended by itself.
func (a answer) appendToken(buf []byte, i int) []byte {
	w := mix64(a.seed+uint64(i+1)*0x9e3779b97f4a7c15) % uint64(len(vocabulary))
	if i == 0 {
		buf = append(buf, capitalized[w]...)
	} else {
		buf = append(buf, ' ')
		buf = append(buf, vocabulary[w]...)
	}
	if i == a.tokens-1 && a.finish == "stop" {
		buf = append(buf, '.')
	}
	return buf
}

// appendText appends the whole answer (JSON-safe, no quotes).
func (a answer) appendText(buf []byte) []byte {
	for i := 0; i < a.tokens; i++ {
		buf = a.appendToken(buf, i)
	}
	return buf
}

// mix64 is SplitMix64's finalizer: a fast, well-distributed 64-bit mix.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
