package config

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/flywheel-stack/flywheel/telemetry"
)

// UserMode is how the user of an inference is stored.
type UserMode string

// User storage modes.
const (
	// UserPlain stores the user as the client sent it.
	UserPlain UserMode = "plain"
	// UserHashed stores a SHA-256 hash of the user, so per-user statistics
	// work without keeping the name.
	UserHashed UserMode = "hashed"
	// UserNone stores no user.
	UserNone UserMode = "none"
)

// Capture decides what of each inference is recorded in the store.
type Capture struct {
	// Prompts records the request messages. Default true.
	Prompts bool `yaml:"prompts"`
	// Responses records the generated answers. Default true.
	Responses bool `yaml:"responses"`
	// SampleRate is the fraction of inferences that are captured. In
	// [0,1]; default 1.0.
	SampleRate float64 `yaml:"sample_rate"`
	// Redact are regular expressions (Go RE2 syntax) whose matches are
	// replaced before prompts and responses are stored.
	Redact []Regexp `yaml:"redact"`
	// User is how the user (the OpenAI "user" field, or the
	// X-Flywheel-User header) is stored: plain, hashed or none. Default
	// plain.
	User UserMode `yaml:"user"`
}

// DefaultCapture returns the capture section's defaults.
func DefaultCapture() Capture {
	return Capture{Prompts: true, Responses: true, SampleRate: 1, User: UserPlain}
}

func (c *Capture) validate(v *validator, path string) {
	if !(c.SampleRate >= 0 && c.SampleRate <= 1) {
		v.errorf(join(path, "sample_rate"), "must be in [0,1], got %g", c.SampleRate)
	}
	v.oneOf(join(path, "user"), string(c.User), string(UserPlain), string(UserHashed), string(UserNone))
	for i, re := range c.Redact {
		if re.String() == "" {
			v.errorf(index(join(path, "redact"), i), "must be a non-empty regular expression")
		}
	}
}

// Kept is what capture keeps of one inference.
type Kept struct {
	// Prompt keeps the request messages.
	Prompt bool
	// Response keeps the answer.
	Response bool
}

// Any reports whether anything of the inference is kept.
func (k Kept) Any() bool { return k.Prompt || k.Response }

// Decide returns what of the inference with this id is kept: nothing when
// it falls outside sample_rate (decided by the id alone, so that every
// replica and sink agrees), else the prompts and answers the section keeps.
// It is the one place that decision is made.
func (c Capture) Decide(inferenceID string) Kept {
	if !(c.Prompts || c.Responses) || !telemetry.Sampled(inferenceID, c.SampleRate) {
		return Kept{}
	}
	return Kept{Prompt: c.Prompts, Response: c.Responses}
}

// StoredUser returns the user as capture.user stores it: as sent (plain),
// as HashUser (hashed), or not at all (none).
func (c Capture) StoredUser(user string) string {
	switch c.User {
	case UserNone:
		return ""
	case UserHashed:
		if user != "" {
			return HashUser(user)
		}
	}
	return user
}

// HashUser is how capture.user: hashed stores a user: "sha256:" and the
// first 16 bytes of its SHA-256, in hex. The same user always gets the same
// hash, so per-user statistics still work, but the name is not stored.
func HashUser(user string) string {
	sum := sha256.Sum256([]byte(user))
	return "sha256:" + hex.EncodeToString(sum[:16])
}
