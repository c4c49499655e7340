package config

// MetricType is the kind of value a feedback metric holds.
type MetricType string

// Feedback metric types.
const (
	// MetricBoolean is a yes/no judgement, like thumbs up.
	MetricBoolean MetricType = "boolean"
	// MetricFloat is a number, like a 1-5 rating.
	MetricFloat MetricType = "float"
	// MetricComment is free text.
	MetricComment MetricType = "comment"
	// MetricDemonstration is a corrected answer.
	MetricDemonstration MetricType = "demonstration"
)

// Optimize is the direction in which a metric is better.
type Optimize string

// Optimization directions.
const (
	// OptimizeMax means higher is better.
	OptimizeMax Optimize = "max"
	// OptimizeMin means lower is better.
	OptimizeMin Optimize = "min"
)

// Feedback declares the feedback clients may send.
type Feedback struct {
	// Metrics are the accepted feedback metrics; feedback naming another
	// metric is rejected.
	Metrics []Metric `yaml:"metrics"`
}

// Metric is one kind of feedback.
type Metric struct {
	// Name is what clients send as the metric name. Required, unique;
	// letters, digits, '_', '.' and '-'.
	Name string `yaml:"name"`
	// Type is boolean, float, comment or demonstration. Required.
	Type MetricType `yaml:"type"`
	// Optimize is max or min, for boolean and float metrics only. Default
	// max for those.
	Optimize Optimize `yaml:"optimize"`
	// Min is the lowest value a float metric accepts; nil means no bound.
	Min *float64 `yaml:"min"`
	// Max is the highest value a float metric accepts; nil means no bound.
	// Greater than Min.
	Max *float64 `yaml:"max"`
}

// normalize gives boolean and float metrics their default direction.
func (m *Metric) normalize(_ *validator, _ string) {
	if m.Optimize == "" && (m.Type == MetricBoolean || m.Type == MetricFloat) {
		m.Optimize = OptimizeMax
	}
}

func (m *Metric) validate(v *validator, path string) {
	key := func(k string) string { return join(path, k) }
	v.name(key("name"), m.Name)
	if !v.oneOf(key("type"), string(m.Type), string(MetricBoolean), string(MetricFloat), string(MetricComment), string(MetricDemonstration)) {
		return
	}
	scored := m.Type == MetricBoolean || m.Type == MetricFloat
	switch {
	case !scored && m.Optimize != "":
		v.errorf(key("optimize"), "applies only to boolean and float metrics, not %s", m.Type)
	case scored:
		v.oneOf(key("optimize"), string(m.Optimize), string(OptimizeMax), string(OptimizeMin))
	}
	for _, b := range []struct {
		key string
		val *float64
	}{{"min", m.Min}, {"max", m.Max}} {
		if b.val != nil && m.Type != MetricFloat {
			v.errorf(key(b.key), "applies only to float metrics, not %s", m.Type)
		}
	}
	if m.Type == MetricFloat && m.Min != nil && m.Max != nil && !(*m.Min < *m.Max) {
		v.errorf(key("max"), "must be > min (%g), got %g", *m.Min, *m.Max)
	}
}
