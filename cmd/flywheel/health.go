package main

import (
	"errors"
	"os"

	"github.com/flywheel-stack/flywheel/health"
	"github.com/spf13/cobra"
)

func newHealthCommand() *cobra.Command {
	var url, probe, tokenEnv string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Probe a running flywheel: exit 0 when it passes or warns, 1 when it fails",
		Long: `Probe a running flywheel and print the verbose listing of its checks. The exit
status is 0 when the probe passes or warns and 1 when it fails or the server
cannot be reached: an exec probe for containers and systemd. The admin token,
from the variable --token-env names, is sent when set: the server shows the
checks' reasons only to it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var token string
			if tokenEnv != "" {
				token = os.Getenv(tokenEnv)
			}
			code, err := health.ProbeWithToken(cmd.Context(), url, probe, token, cmd.OutOrStdout())
			if errors.Is(err, health.ErrUnknownProbe) {
				// Other errors (an unreachable server) are already in
				// the listing Probe wrote.
				cmd.PrintErrln("flywheel:", err)
			}
			if code != 0 {
				return exitCode(code)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "http://127.0.0.1:8700", "base URL of the flywheel to probe")
	cmd.Flags().StringVar(&probe, "probe", "ready", "live, ready or startup")
	cmd.Flags().StringVar(&tokenEnv, "token-env", "FLYWHEEL_ADMIN_TOKEN", "environment variable holding the admin token to send (empty: none)")
	return cmd
}
