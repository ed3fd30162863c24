/** Progress of a long operation (image build, lab boot), for progress bars in the CLI and the app. */
export interface ProgressEvent {
  /** Short stable name of the current stage, e.g. `download`, `install`, `import`, `boot`. */
  stage: string;
  /** Overall completion, 0–100. */
  percent: number;
  /** What is happening right now, for people. */
  message: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
