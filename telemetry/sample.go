package telemetry

import "hash/fnv"

// Sampled reports whether the inference with this id is among the fraction
// rate (in [0,1]) whose prompts and answers are captured. The choice
// depends on the id alone, so every sink and replica agrees on it.
func Sampled(id string, rate float64) bool {
	switch {
	case rate >= 1:
		return true
	case rate <= 0:
		return false
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return float64(h.Sum64()>>11)/(1<<53) < rate
}
