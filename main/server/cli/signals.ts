/**
 * The signals that ask a command to stop: Ctrl-C (SIGINT), `kill` (SIGTERM), and a closed
 * terminal or a dropped SSH session (SIGHUP). Node's default for each is to exit at once,
 * which would leave a half-booted lab behind; a command that must clean up handles all three.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Calls `stop` on the first stop signal; returns the function that stops listening. */
export function onStopSignal(stop: () => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    // After a hang-up the terminal is gone: writing to it fails (EIO, EPIPE), and an unhandled
    // stream error would end the process before it has cleaned up. What is written is lost anyway.
    if (signal === 'SIGHUP') for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    stop();
  };
  for (const signal of STOP_SIGNALS) process.once(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
