package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decodeDuration reads a Go duration ("30s", "1m30s", "250ms"). A plain
// number other than 0 is an error that asks for a unit: "30" could mean
// seconds or milliseconds, and a config file should not make people guess.
func decodeDuration(n *yaml.Node) (time.Duration, error) {
	if n.Kind != yaml.ScalarNode {
		return 0, typeError(`a duration like "30s"`, n)
	}
	switch n.ShortTag() {
	case "!!int", "!!float", "!!str":
	default:
		return 0, typeError(`a duration like "30s"`, n)
	}
	s := strings.TrimSpace(n.Value)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, fmt.Errorf("duration %s has no unit; add one, like %ss or %sms (units: ns, us, ms, s, m, h)", s, s, s)
	}
	return 0, fmt.Errorf(`invalid duration %q; write it like "30s", "1m30s" or "250ms" (units: ns, us, ms, s, m, h)`, n.Value)
}
