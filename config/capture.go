package config

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
