package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/flywheel-stack/flywheel/provenance"
	"github.com/spf13/cobra"
)

// newImagesCommand builds `flywheel images`: check, pin and verify the
// container images named in deployment files, and print build tags.
func newImagesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Check, pin and verify the container images of deployment files",
		Long: `Find the container images named in Kubernetes YAML (Helm output included),
docker-compose files, kustomization images: entries and Dockerfiles, report
the ones that can change under a running system, pin them by digest and
verify the pins. See docs/provenance.md.`,
	}
	cmd.AddCommand(newImagesCheckCommand(), newImagesPinCommand(), newImagesVerifyCommand(), newImagesTagCommand())
	return cmd
}

// scanPaths scans paths and prints the files it could not read.
func scanPaths(paths []string, errOut io.Writer) ([]provenance.File, []error) {
	files, errs := provenance.Scan(paths)
	for _, err := range errs {
		fmt.Fprintln(errOut, err)
	}
	return files, errs
}

// writeReport prints the report of check or verify in format and turns
// its findings into the exit status.
func writeReport(w io.Writer, report *provenance.Report, format string) error {
	if err := report.Write(w, format); err != nil {
		return err
	}
	if code := report.ExitCode(); code != 0 {
		return exitCode(code)
	}
	return nil
}

func newImagesCheckCommand() *cobra.Command {
	var (
		format        string
		requireDigest bool
		mutableTags   []string
		patterns      []string
	)
	cmd := &cobra.Command{
		Use:   "check PATH...",
		Short: "Report images with no tag, a mutable tag or (with --require-digest) no digest",
		Long: `Scan files and directories and print one "path:line: message" per finding.
Exit status: 0 clean, 1 findings, 2 a file could not be read (the others are
still scanned).`,
		Example: `  flywheel images check deploy/
  flywheel images check --require-digest --format sarif deploy/ > images.sarif
  flywheel images check --mutable-pattern 'pr-[0-9]+' --mutable-pattern '.*-snapshot' k8s/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			policy := provenance.Policy{MutableTags: mutableTags, RequireDigest: requireDigest}
			if err := policy.AddPatterns(patterns...); err != nil {
				return err
			}
			files, errs := provenance.Scan(args)
			report := provenance.Check(files, policy)
			report.Errors = errs
			return writeReport(cmd.OutOrStdout(), report, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text, json or sarif")
	cmd.Flags().BoolVar(&requireDigest, "require-digest", false, "report every image that is not pinned by digest")
	cmd.Flags().StringSliceVar(&mutableTags, "mutable-tag", provenance.DefaultMutableTags, "tags treated as mutable (replaces the default list)")
	cmd.Flags().StringSliceVar(&patterns, "mutable-pattern", nil, "regular expression matching whole tags treated as mutable (repeatable)")
	return cmd
}

// resolverFlags are the registry flags of pin and verify.
type resolverFlags struct {
	concurrency int
	insecure    []string
	timeout     time.Duration
}

func (f *resolverFlags) register(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.concurrency, "concurrency", 4, "registry lookups in flight at once")
	cmd.Flags().StringSliceVar(&f.insecure, "insecure-registry", nil, "registry host:port reached over plain HTTP (loopback and private addresses already are)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 5*time.Minute, "bound on the whole run, retries included")
}

// bound limits ctx to --timeout, when set.
func (f *resolverFlags) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.timeout > 0 {
		return context.WithTimeout(ctx, f.timeout)
	}
	return ctx, func() {}
}

func (f *resolverFlags) resolver() *provenance.Resolver {
	return provenance.NewResolver(provenance.ResolverConfig{Concurrency: f.concurrency, Insecure: f.insecure})
}

func newImagesPinCommand() *cobra.Command {
	var (
		rf            resolverFlags
		write, dryRun bool
	)
	cmd := &cobra.Command{
		Use:   "pin PATH... [--write | --dry-run]",
		Short: "Resolve each tag to its digest and rewrite name:tag into name:tag@sha256:…",
		Long: `Resolve the tag of every unpinned image through the registry API (credentials
from the Docker config and its credential helpers; the index digest for
multi-arch images) and rewrite name:tag into name:tag@sha256:… in place,
changing nothing else (a kustomize images: entry gets a digest: line).
Images that already have a digest are left alone, so
a second run changes nothing. Without --write it prints a unified diff
(--dry-run, the default). Exit status: 0 done, 1 an image could not be
resolved (the others are still pinned), 2 a file could not be read.`,
		Example: `  flywheel images pin deploy/                 # show the diff
  flywheel images pin --write deploy/ compose.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, scanErrs := scanPaths(args, cmd.ErrOrStderr())
			ctx, cancel := rf.bound(cmd.Context())
			defer cancel()
			res := rf.resolver().Pin(ctx, files)
			for _, o := range res.Skipped {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d: %s: not rewritten: %s\n", o.File, o.Line, o.Image, o.Note)
			}
			for _, err := range res.Errors {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
			}
			edits := 0
			for _, f := range res.Files {
				edits += len(f.Edits)
			}
			if write {
				for _, err := range res.Write() {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					res.Errors = append(res.Errors, err)
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "pinned %d images in %d files (%d distinct tags resolved, %d already pinned)\n",
					edits, len(res.Files), res.Resolved, res.AlreadyPinned)
			} else {
				if err := res.WriteDiff(cmd.OutOrStdout()); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "would pin %d images in %d files (%d distinct tags resolved, %d already pinned); --write to apply\n",
					edits, len(res.Files), res.Resolved, res.AlreadyPinned)
			}
			switch {
			case len(scanErrs) > 0:
				return exitCode(2)
			case len(res.Errors) > 0:
				return exitCode(1)
			}
			return nil
		},
	}
	rf.register(cmd)
	cmd.Flags().BoolVar(&write, "write", false, "rewrite the files (atomically: temp file and rename)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print a unified diff and change nothing (the default)")
	cmd.MarkFlagsMutuallyExclusive("write", "dry-run")
	return cmd
}

func newImagesVerifyCommand() *cobra.Command {
	var (
		rf     resolverFlags
		format string
	)
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Check that every pinned digest still exists and its tag still points at it",
		Long: `Ask the registries about every image pinned by digest: report digests that are
gone and tags that have moved since the pin. Exit status: 0 all pins hold,
1 findings, 2 a file could not be read.`,
		Example: `  flywheel images verify deploy/`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, errs := provenance.Scan(args)
			ctx, cancel := rf.bound(cmd.Context())
			defer cancel()
			report := rf.resolver().Verify(ctx, files)
			report.Errors = errs
			return writeReport(cmd.OutOrStdout(), report, format)
		},
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output: text, json or sarif")
	return cmd
}

func newImagesTagCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "tag [--dir .]",
		Short: "Print an immutable tag for a build: <UTC timestamp>-<short commit>[-dirty]",
		Example: `  docker build -t registry.example.com/flywheel:$(flywheel images tag) -f deploy/Dockerfile .
  # 20261201T084509Z-10d338d, or 20261201T084509Z-10d338d-dirty with uncommitted changes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tag, err := provenance.BuildTag(cmd.Context(), dir, time.Now())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), tag)
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the git work tree")
	return cmd
}
