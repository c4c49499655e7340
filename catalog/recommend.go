package catalog

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// DefaultMinTokensPerSecond is the slowest decode speed a recommendation
// accepts unless told otherwise: about reading speed (5 tokens are some 4
// words, 225 words a minute), below which a chat feels stuck.
const DefaultMinTokensPerSecond = 5

// DefaultMinContext is the smallest context recommendations consider.
const DefaultMinContext = 4096

// RecommendOptions filter and shape recommendations.
type RecommendOptions struct {
	// Tags are required: a model must carry every one of them. The first
	// one picks the quality score to rank by and to compare with
	// MinQuality; a model without a score for it ranks below every model
	// with one. Empty means chat models, ranked by their chat score.
	Tags []string `json:"tags,omitempty"`
	// MinQuality is the lowest score for the first tag (after the
	// quantization's factor) to offer; a model without a score for that
	// tag is left out when it is set.
	MinQuality float64 `json:"min_quality,omitempty"`
	// MinContext is the smallest context to consider; 0 means
	// DefaultMinContext. Larger contexts are tried by doubling up to the
	// model's trained context.
	MinContext int `json:"min_context,omitempty"`
	// MinTokensPerSecond is the slowest expected decode speed to offer; 0
	// means DefaultMinTokensPerSecond and a negative value accepts any.
	MinTokensPerSecond float64 `json:"min_tokens_per_second,omitempty"`
	// Limits bound the memory a plan may use (MaxMemoryShare and reserves).
	Limits Limits `json:"limits"`
	// Settings are the run settings other than the context: parallel
	// sequences, KV cache type, flash attention.
	Settings Settings `json:"settings"`
}

// Fit is one (model, quantization, context) that runs on the machine.
type Fit struct {
	// Model is the catalog entry.
	Model Model `json:"-"`
	// ModelID, Quant and Context name the configuration.
	ModelID string `json:"model"`
	Quant   string `json:"quant"`
	Context int    `json:"context"`
	// MaxContext is the largest context tried that fits as well for this
	// model and quantization.
	MaxContext int `json:"max_context"`
	// Quality is the model's score for the ranking tag times the
	// quantization's factor, 0 when the model has no score for that tag;
	// QualitySource names the benchmark and document, or says there is
	// none.
	Quality       float64 `json:"quality"`
	QualitySource string  `json:"quality_source"`
	// Parameters is the model's parameter count.
	Parameters Count `json:"parameters"`
	// MinTier names the smallest GPU tier whose typical card (the Reference
	// of [Tiers]) holds it entirely in VRAM, for planning; empty when
	// even MULTI_GPU's two cards do not.
	MinTier string `json:"min_tier,omitempty"`
	// Estimate and Placement are the numbers behind the fit.
	Estimate  Estimate  `json:"estimate"`
	Placement Placement `json:"placement"`
}

// Rejection is a (model, quantization, context) that was not offered and why.
type Rejection struct {
	// ModelID, Quant and Context name the configuration; Quant and Context
	// are empty when the whole model was left out (a tag or context filter).
	ModelID string `json:"model"`
	Quant   string `json:"quant,omitempty"`
	Context int    `json:"context,omitempty"`
	// Reason says why, with numbers: "needs 9.1 GB VRAM on GPU 0 (...), 7.6 GB usable".
	Reason string `json:"reason"`
}

// Recommendations is the answer of [Catalog.Recommend].
type Recommendations struct {
	// Tier is the machine's tier.
	Tier Tier `json:"tier"`
	// Fits are ranked by quality, then expected speed, then context.
	Fits []Fit `json:"fits"`
	// Rejected lists every configuration considered and not offered.
	Rejected []Rejection `json:"rejected"`
}

// Best returns the best-ranked fit of each model and quantization, in rank
// order, at most n of them (all when n <= 0).
func (r Recommendations) Best(n int) []Fit {
	seen := map[string]bool{}
	var out []Fit
	for _, f := range r.Fits {
		k := f.ModelID + "/" + f.Quant
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
		if n > 0 && len(out) == n {
			break
		}
	}
	return out
}

// Recommend ranks every (model, quantization, context) of the catalog that
// runs on h: by quality, then by expected decode speed, then by context.
// Nothing is matched to an exact tier: a model that fits a smaller machine
// is offered on a larger one too. Every configuration left out is in
// Rejected with its reason.
func (c *Catalog) Recommend(h Hardware, o RecommendOptions) Recommendations {
	r := Recommendations{Tier: Classify(h)}
	minCtx := o.MinContext
	if minCtx <= 0 {
		minCtx = DefaultMinContext
	}
	minTPS := o.MinTokensPerSecond
	if minTPS == 0 {
		minTPS = DefaultMinTokensPerSecond
	}
	if len(o.Tags) == 0 {
		o.Tags = []string{TagChat}
	}
	rankTag := o.Tags[0]
	for _, m := range c.Models {
		if missing := m.MissingTags(o.Tags); len(missing) > 0 {
			r.Rejected = append(r.Rejected, Rejection{ModelID: m.ID,
				Reason: fmt.Sprintf("tags %v do not include %s (every tag asked for is required)", m.Tags, strings.Join(missing, ", "))})
			continue
		}
		if m.Architecture.ContextLength < minCtx {
			r.Rejected = append(r.Rejected, Rejection{ModelID: m.ID, Reason: fmt.Sprintf("trained context %d is below the %d asked for", m.Architecture.ContextLength, minCtx)})
			continue
		}
		q, scored := m.ScoreFor(rankTag)
		source := q.Benchmark + ", " + q.Source
		if !scored {
			if o.MinQuality > 0 {
				r.Rejected = append(r.Rejected, Rejection{ModelID: m.ID,
					Reason: fmt.Sprintf("has no %s score to compare with the minimum %.3g", rankTag, o.MinQuality)})
				continue
			}
			source = "no " + rankTag + " score in the catalog"
		}
		for _, quant := range c.QuantsOf(m) {
			score := q.Score * quant.QualityFactor
			if score < o.MinQuality {
				r.Rejected = append(r.Rejected, Rejection{ModelID: m.ID, Quant: quant.Name,
					Reason: fmt.Sprintf("quality %.3f (%s) is below the minimum %.3g", score, q.Benchmark, o.MinQuality)})
				continue
			}
			var fits []Fit
			w := m.Architecture.WeightsFor(quant) // the same at every context
			for _, ctx := range contextLadder(minCtx, m.Architecture.ContextLength) {
				s := o.Settings
				s.Context, s.FixedGPULayers = ctx, false
				e, err := EstimateMemory(m.Architecture, w, s)
				if err != nil {
					r.Rejected = append(r.Rejected, Rejection{ModelID: m.ID, Quant: quant.Name, Context: ctx, Reason: err.Error()})
					continue
				}
				p := PlanPlacement(e, h, o.Limits)
				reason := p.Reason
				if p.Fits && minTPS > 0 && p.TokensPerSecond < minTPS {
					reason = fmt.Sprintf("decodes at about %.1f tokens/s (%s), below the minimum %.3g", p.TokensPerSecond, p.Mode(), minTPS)
				}
				if !p.Fits || reason != "" {
					r.Rejected = append(r.Rejected, Rejection{ModelID: m.ID, Quant: quant.Name, Context: ctx, Reason: reason})
					continue
				}
				fits = append(fits, Fit{
					Model: m, ModelID: m.ID, Quant: quant.Name, Context: ctx,
					Quality: score, QualitySource: source,
					Parameters: m.Architecture.Parameters,
					MinTier:    minTier(e), Estimate: e, Placement: p,
				})
			}
			for i := range fits {
				fits[i].MaxContext = fits[len(fits)-1].Context
			}
			r.Fits = append(r.Fits, fits...)
		}
	}
	slices.SortStableFunc(r.Fits, func(a, b Fit) int {
		return cmp.Or(
			cmp.Compare(b.Quality, a.Quality),
			cmp.Compare(b.Placement.TokensPerSecond, a.Placement.TokensPerSecond),
			cmp.Compare(b.Context, a.Context),
			cmp.Compare(a.ModelID, b.ModelID),
		)
	})
	return r
}

// contextLadder returns min, 2×min, 4×min ... up to max, and max itself.
func contextLadder(minCtx, maxCtx int) []int {
	var out []int
	for c := minCtx; c < maxCtx; c *= 2 {
		out = append(out, c)
	}
	return append(out, maxCtx)
}

// minTier returns the smallest GPU tier whose reference machine holds the
// estimate entirely in VRAM; "" when none does.
func minTier(e Estimate) string {
	for _, b := range tierTable {
		var h Hardware
		switch b.Tier {
		case TierIGPU, TierCPUOnly:
			continue
		case TierMultiGPU:
			h = Hardware{Memory: Memory{Total: 2 * b.Reference, Available: 2 * b.Reference}}
			for i := range 2 {
				h.GPUs = append(h.GPUs, GPU{Index: i, Vendor: VendorNVIDIA, VRAMTotal: b.Reference / 2, MemoryBandwidthGBps: 1})
			}
		default:
			h = Hardware{Memory: Memory{Total: 2 * b.Reference, Available: 2 * b.Reference},
				GPUs: []GPU{{Vendor: VendorNVIDIA, VRAMTotal: b.Reference, MemoryBandwidthGBps: 1}}}
		}
		h.CPU.MemoryBandwidthGBps = 1
		p := PlanPlacement(e, h, Limits{})
		if p.Fits && p.FullOffload() {
			return b.Name
		}
	}
	return ""
}
