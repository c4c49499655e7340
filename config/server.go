package config

import "time"

// Server configures the HTTP listener.
type Server struct {
	// Listen is the host:port to listen on. Default 127.0.0.1:8700.
	Listen string `yaml:"listen"`
	// AdminTokenEnv names the environment variable that holds the token
	// the /admin/v1 API requires. Default FLYWHEEL_ADMIN_TOKEN; empty
	// turns the admin API off.
	AdminTokenEnv string `yaml:"admin_token_env"`
	// APIKeysEnv names the environment variable that holds the
	// comma-separated client API keys; when that variable is unset or empty
	// clients need no key. Default FLYWHEEL_API_KEYS.
	APIKeysEnv string `yaml:"api_keys_env"`
	// MaxBodyBytes caps the size of a request body. Default 4MiB.
	MaxBodyBytes ByteSize `yaml:"max_body_bytes"`
	// BodyTimeout bounds how long a client may take to send a request's
	// body, from the end of its headers; a client still sending then gets
	// 408 and its connection is closed. Responses (streams included) are
	// not bounded by it. Default 30s.
	BodyTimeout time.Duration `yaml:"body_timeout"`
}

// DefaultServer returns the server section's defaults.
func DefaultServer() Server {
	return Server{
		Listen:        "127.0.0.1:8700",
		AdminTokenEnv: "FLYWHEEL_ADMIN_TOKEN",
		APIKeysEnv:    "FLYWHEEL_API_KEYS",
		MaxBodyBytes:  4 * MiB,
		BodyTimeout:   30 * time.Second,
	}
}

func (s *Server) validate(v *validator, path string) {
	v.hostPort(join(path, "listen"), s.Listen, true)
	v.envName(join(path, "admin_token_env"), s.AdminTokenEnv)
	v.envName(join(path, "api_keys_env"), s.APIKeysEnv)
	if s.MaxBodyBytes <= 0 {
		v.errorf(join(path, "max_body_bytes"), "must be > 0, got %s", s.MaxBodyBytes)
	}
	v.positive(join(path, "body_timeout"), s.BodyTimeout)
}
