package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/flywheel-stack/flywheel/catalog"
	"github.com/spf13/cobra"
)

// catalogFlags are shared by the catalog subcommands.
type catalogFlags struct {
	json     bool
	hardware string
	file     string
}

func newCatalogCommand() *cobra.Command {
	var f catalogFlags
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Which model fits this machine, and how fast it will run",
		Long: `Detect the machine's CPU, memory and GPUs, list the model catalog, recommend
the models that fit, and estimate a GGUF file's memory from its header.

--hardware FILE plans for another machine: a profile saved by
'flywheel catalog detect --json', or written by hand, e.g.
  {"memory": {"total": "64GB"}, "gpus": [{"vendor": "nvidia", "name": "RTX 4090", "vram_total": "24GB"}]}
--catalog FILE adds your own models (same YAML shape as the built-in catalog;
an entry with an existing id replaces it). docs/catalog.md has the formulas.`,
	}
	cmd.PersistentFlags().BoolVar(&f.json, "json", false, "print JSON")
	cmd.PersistentFlags().StringVar(&f.hardware, "hardware", "", "plan for the hardware profile in this JSON file instead of detecting")
	cmd.PersistentFlags().StringVar(&f.file, "catalog", "", "YAML file of extra models to merge into the built-in catalog")
	cmd.AddCommand(newCatalogDetectCommand(&f), newCatalogListCommand(&f), newCatalogRecommendCommand(&f), newCatalogFitCommand(&f))
	return cmd
}

// hardware returns the profile from --hardware, or detects this machine.
func (f *catalogFlags) hardwareProfile(cmd *cobra.Command) (catalog.Hardware, error) {
	if f.hardware != "" {
		return catalog.LoadProfile(f.hardware)
	}
	return catalog.Detect(cmd.Context())
}

// catalog returns the built-in catalog merged with --catalog.
func (f *catalogFlags) catalog() (*catalog.Catalog, error) {
	c := catalog.Default()
	if f.file == "" {
		return c, nil
	}
	u, err := catalog.LoadFile(f.file)
	if err != nil {
		return nil, err
	}
	return c.Merge(u), nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newCatalogDetectCommand(f *catalogFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "detect",
		Short: "Show the CPU, memory and GPUs of this machine and its tier",
		Long: `Show the CPU (model, cores, instruction sets), memory (container limits
applied) and every GPU (nvidia-smi, rocm-smi, sysfs) of this machine, and its
tier. With --json the output is a hardware profile that --hardware reads back.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := f.hardwareProfile(cmd)
			if err != nil {
				return err
			}
			if f.json {
				return writeJSON(cmd.OutOrStdout(), h)
			}
			printHardware(cmd.OutOrStdout(), h)
			return nil
		},
	}
}

func printHardware(out io.Writer, h catalog.Hardware) {
	fmt.Fprintf(out, "tier:    %s\n", h.Tier)
	fmt.Fprintf(out, "cpu:     %s, %d cores, %d threads, %s; memory bandwidth %.0f GB/s (%s)\n",
		orDash(h.CPU.Model), h.CPU.PhysicalCores, h.CPU.LogicalCores, orDash(strings.Join(h.CPU.Features, " ")),
		h.CPU.MemoryBandwidthGBps, h.CPU.BandwidthSource)
	m := h.Memory
	fmt.Fprintf(out, "memory:  %s total, %s available", m.Total, m.Available)
	if m.CgroupLimit > 0 {
		fmt.Fprintf(out, " (cgroup v%d limit; host has %s, %s available)", m.CgroupVersion, m.HostTotal, m.HostAvailable)
	}
	fmt.Fprintln(out)
	if len(h.GPUs) == 0 {
		fmt.Fprintln(out, "gpus:    none")
	}
	for _, g := range h.GPUs {
		fmt.Fprintf(out, "gpu %d:   %s %s", g.Index, g.Vendor, g.Name)
		switch {
		case g.Integrated:
			fmt.Fprint(out, ", integrated (shares system memory)")
		case g.MIGEnabled:
			fmt.Fprint(out, ", MIG enabled (its instances are listed separately)")
		default:
			fmt.Fprintf(out, ", %s VRAM, %s free", g.VRAMTotal, g.VRAMFree)
		}
		if g.Driver != "" {
			fmt.Fprintf(out, ", driver %s", g.Driver)
		}
		if g.ComputeCapability != "" {
			fmt.Fprintf(out, ", compute %s", g.ComputeCapability)
		}
		if g.MemoryBandwidthGBps > 0 {
			fmt.Fprintf(out, ", %.0f GB/s (%s)", g.MemoryBandwidthGBps, g.BandwidthSource)
		}
		fmt.Fprintf(out, " [%s]\n", g.Source)
	}
	for _, n := range h.Notes {
		fmt.Fprintf(out, "note:    %s\n", n)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newCatalogListCommand(f *catalogFlags) *cobra.Command {
	var tag string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the models of the catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.catalog()
			if err != nil {
				return err
			}
			var models []catalog.Model
			for _, m := range c.Models {
				if tag == "" || m.HasTag(tag) {
					models = append(models, m)
				}
			}
			if f.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					Version  int             `json:"version"`
					Revision string          `json:"revision"`
					Models   []catalog.Model `json:"models"`
				}{c.Version, c.Revision, models})
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "MODEL\tPARAMS\tARCH\tCONTEXT\tTAGS\tQUALITY\tQUANTS\n")
			for _, m := range models {
				q := m.QualityFor(tag)
				names := make([]string, 0)
				for _, x := range c.QuantsOf(m) {
					names = append(names, x.Name)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%.3f %s\t%s\n", m.ID, m.Architecture.Parameters, m.Architecture.Name,
					m.Architecture.ContextLength, strings.Join(m.Tags, ","), q.Score, q.Benchmark, strings.Join(names, " "))
			}
			fmt.Fprintf(tw, "\n%d models, catalog revision %s\n", len(models), c.Revision)
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&tag, "tag", "", "only models with this tag (chat, code, reasoning, embedding, vision)")
	return cmd
}

func newCatalogRecommendCommand(f *catalogFlags) *cobra.Command {
	var (
		o      catalog.RecommendOptions
		kvType string
		limit  int
		all    bool
		why    bool
	)
	cmd := &cobra.Command{
		Use:   "recommend",
		Short: "Rank the models that fit this machine by quality, then speed",
		Long: `Rank every (model, quantization, context) of the catalog that fits this machine
(or --hardware), on its tier or any smaller one, by quality and then by
expected decode speed. --tag code,reasoning keeps only the models that carry
every tag listed; the first tag picks the score to rank by and to compare
with --min-quality (a model without a score for it ranks last, and is left
out when --min-quality is set). Without --tag, chat models are ranked by
their chat score. Plans decoding below --min-speed tokens/s are left out
(default 5, about reading speed; 0 keeps them, as -1 does in the library).
--why lists why each model left out was rejected.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.catalog()
			if err != nil {
				return err
			}
			h, err := f.hardwareProfile(cmd)
			if err != nil {
				return err
			}
			kv, err := catalog.ParseKVType(kvType)
			if err != nil {
				return err
			}
			o.Settings.KVType = kv
			if o.MinTokensPerSecond == 0 {
				o.MinTokensPerSecond = -1 // the flag's 0 means no minimum
			}
			r := c.Recommend(h, o)
			if f.json {
				if !all {
					r.Fits = r.Best(limit)
				}
				return writeJSON(cmd.OutOrStdout(), r)
			}
			printRecommendations(cmd.OutOrStdout(), h, r, limit, all, why)
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&o.Tags, "tag", nil, "only models with all of these tags; the first one picks the score to rank by and to compare with --min-quality")
	cmd.Flags().Float64Var(&o.MinQuality, "min-quality", 0, "lowest score for the first --tag to offer (0 to 1)")
	cmd.Flags().IntVar(&o.MinContext, "context", catalog.DefaultMinContext, "smallest context in tokens to consider")
	cmd.Flags().Float64Var(&o.Limits.MaxMemoryShare, "max-memory-share", 0, "largest share of free VRAM and available RAM to use (0 to 1; 0 means all)")
	cmd.Flags().Float64Var(&o.MinTokensPerSecond, "min-speed", catalog.DefaultMinTokensPerSecond, "slowest expected decode speed in tokens/s to offer (0: no minimum)")
	cmd.Flags().IntVar(&o.Settings.Parallel, "parallel", 1, "sequences served at once (llama.cpp -np)")
	cmd.Flags().StringVar(&kvType, "kv-type", "f16", "KV cache type: f16, q8_0 or q4_0")
	cmd.Flags().IntVar(&limit, "limit", 10, "how many (model, quantization) rows to show")
	cmd.Flags().BoolVar(&all, "all", false, "show every (model, quantization, context) that fits")
	cmd.Flags().BoolVar(&why, "why", false, "say why each model left out does not fit")
	return cmd
}

func printRecommendations(out io.Writer, h catalog.Hardware, r catalog.Recommendations, limit int, all, why bool) {
	fmt.Fprintf(out, "machine: %s; %s RAM available", r.Tier, h.Memory.Available)
	for _, g := range h.UsableGPUs() {
		fmt.Fprintf(out, "; GPU %d %s %s free", g.Index, g.Name, g.FreeVRAM())
	}
	fmt.Fprintln(out)
	fits := r.Fits
	if !all {
		fits = r.Best(limit)
	}
	if len(fits) == 0 {
		fmt.Fprintln(out, "\nNo model of the catalog fits with these filters; --why says why.")
	} else {
		tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\n#\tMODEL\tQUANT\tCONTEXT\tQUALITY\tTOKENS/S\tRUNS ON\tVRAM\tRAM\tSMALLEST GPU TIER")
		for i, fit := range fits {
			ctx := fmt.Sprint(fit.Context)
			if !all && fit.MaxContext > fit.Context {
				ctx = fmt.Sprintf("%d-%d", fit.Context, fit.MaxContext)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.3f\t%.1f\t%s\t%s\t%s\t%s\n", i+1, fit.ModelID, fit.Quant, ctx, fit.Quality,
				fit.Placement.TokensPerSecond, fit.Placement.Mode(), fit.Placement.VRAM, fit.Placement.RAM, orDash(fit.MinTier))
		}
		_ = tw.Flush()
		fmt.Fprintf(out, "\n%d configurations fit; quality is the publisher's score (see 'flywheel catalog list') times the quantization's factor.\n", len(r.Fits))
	}
	if !why {
		fmt.Fprintf(out, "%d configurations were left out; --why says why.\n", len(r.Rejected))
		return
	}
	// One line per model that has no fit at all: the reason of its
	// smallest configuration, the one closest to fitting.
	offered := map[string]bool{}
	for _, fit := range r.Fits {
		offered[fit.ModelID] = true
	}
	shown := map[string]bool{}
	fmt.Fprintln(out, "\nnot offered:")
	for _, x := range r.Rejected {
		if offered[x.ModelID] || shown[x.ModelID] {
			continue
		}
		shown[x.ModelID] = true
		what := x.ModelID
		if x.Quant != "" {
			what += " " + x.Quant
		}
		if x.Context > 0 {
			what += fmt.Sprintf(" at %d", x.Context)
		}
		fmt.Fprintf(out, "  %s: %s\n", what, x.Reason)
	}
}

func newCatalogFitCommand(f *catalogFlags) *cobra.Command {
	var (
		s      catalog.Settings
		kvType string
		ngl    int
	)
	cmd := &cobra.Command{
		Use:   "fit FILE.gguf",
		Short: "Estimate a GGUF file's memory and speed on this machine from its header",
		Long: `Read the header of a GGUF file (metadata and tensor infos; the tensor data is
not read) and estimate its weights, KV cache, compute buffers and overhead for
the given settings, then place it on this machine (or --hardware): how many
layers fit on the GPUs, what stays in RAM, and the expected decode speed.
--gpu-layers N fixes llama.cpp's -ngl (the output layer counts as one);
without it as many layers are offloaded as fit.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := catalog.OpenGGUF(args[0])
			if err != nil {
				return err
			}
			kv, err := catalog.ParseKVType(kvType)
			if err != nil {
				return err
			}
			s.KVType = kv
			if cmd.Flags().Changed("gpu-layers") {
				s.FixedGPULayers, s.GPULayers = true, ngl
			}
			a, e, err := catalog.EstimateFile(g, s)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			h, err := f.hardwareProfile(cmd)
			if err != nil {
				return err
			}
			p := catalog.PlanPlacement(e, h, catalog.Limits{})
			q, _ := g.Quant()
			name, _ := g.String("general.name")
			if f.json {
				return writeJSON(cmd.OutOrStdout(), struct {
					File         string               `json:"file"`
					Name         string               `json:"name,omitempty"`
					Quant        string               `json:"quant,omitempty"`
					Architecture catalog.Architecture `json:"architecture"`
					Estimate     catalog.Estimate     `json:"estimate"`
					Tier         catalog.Tier         `json:"tier"`
					Placement    catalog.Placement    `json:"placement"`
				}{args[0], name, q.Name, a, e, h.Tier, p})
			}
			printFit(cmd.OutOrStdout(), args[0], name, q.Name, a, e, h, p)
			return nil
		},
	}
	cmd.Flags().IntVar(&s.Context, "context", 0, "context per sequence in tokens (default 8192, or the model's if smaller)")
	cmd.Flags().IntVar(&s.Parallel, "parallel", 1, "sequences served at once (llama.cpp -np)")
	cmd.Flags().StringVar(&kvType, "kv-type", "f16", "KV cache type: f16, q8_0 or q4_0")
	cmd.Flags().IntVar(&ngl, "gpu-layers", 0, "llama.cpp -ngl to place (default: as many as fit)")
	cmd.Flags().IntVar(&s.UBatch, "ubatch", 0, "physical batch (llama.cpp -ub, default 512)")
	cmd.Flags().BoolVar(&s.NoFlashAttention, "no-flash-attention", false, "estimate without flash attention (-fa off)")
	return cmd
}

func printFit(out io.Writer, file, name, quant string, a catalog.Architecture, e catalog.Estimate, h catalog.Hardware, p catalog.Placement) {
	fmt.Fprintf(out, "file:          %s", file)
	if name != "" {
		fmt.Fprintf(out, " (%s)", name)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "model:         %s, %s parameters", a.Name, a.Parameters)
	if a.IsMoE() {
		fmt.Fprintf(out, " (%s active, %d of %d experts)", a.ActiveParameters, a.ExpertsUsed, a.Experts)
	}
	if quant != "" {
		fmt.Fprintf(out, ", %s", quant)
	}
	fmt.Fprintf(out, "; %d layers, %d embedding, %d heads, %d KV heads, head dim %d, trained context %d",
		a.Layers, a.Embedding, a.Heads, a.KVHeads, a.HeadDim, a.ContextLength)
	if a.SlidingWindow > 0 {
		fmt.Fprintf(out, ", sliding window %d on %d layers", a.SlidingWindow, a.SlidingLayers())
	}
	fmt.Fprintln(out)
	st := e.Settings
	fmt.Fprintf(out, "settings:      context %d x %d sequence(s), KV cache %s, ubatch %d, flash attention %v\n",
		st.Context, st.Parallel, st.KVType, st.UBatch, !st.NoFlashAttention)
	fmt.Fprintf(out, "weights:       %s (%d bytes)\n", catalog.Bytes(e.Weights), e.Weights)
	fmt.Fprintf(out, "KV cache:      %s (%d bytes)\n", catalog.Bytes(e.KVCache), e.KVCache)
	fmt.Fprintf(out, "compute:       %s (%d bytes)\n", catalog.Bytes(e.Compute), e.Compute)
	fmt.Fprintf(out, "overhead:      %s (%d bytes)\n", catalog.Bytes(e.Overhead), e.Overhead)
	fmt.Fprintf(out, "total:         %s on one device\n", catalog.Bytes(e.Total))
	fmt.Fprintf(out, "on this %s machine: %s, -ngl %d (%d/%d blocks offloaded), %s VRAM + %s RAM, about %.1f tokens/s\n",
		h.Tier, p.Mode(), p.GPULayers, p.OffloadedBlocks, p.Blocks, p.VRAM, p.RAM, p.TokensPerSecond)
	for _, d := range p.GPUs {
		fmt.Fprintf(out, "  %s: %d blocks%s, %s of %s usable\n", d.Device, d.Layers, outputNote(d.Output), d.Total, d.Budget)
	}
	fmt.Fprintf(out, "  RAM: %d blocks%s, %s of %s usable\n", p.Host.Layers, outputNote(p.Host.Output), p.Host.Total, p.Host.Budget)
	if p.Fits {
		fmt.Fprintln(out, "fits:          yes")
	} else {
		fmt.Fprintf(out, "fits:          no: %s\n", p.Reason)
	}
}

func outputNote(b bool) string {
	if b {
		return " + output"
	}
	return ""
}
