import type { RecordingDto } from "@vtp/protocol";

/** Where a recording is: being recorded, processing (with progress), ready, or failed. */
export function RecordingStatus({ r: recording }: { r: RecordingDto }) {
  if (recording.status === "ready")
    return (
      <span className="badge badge-success" data-testid="recording-status" data-status="ready">
        Ready
      </span>
    );
  if (recording.status === "recording")
    return (
      <span className="badge badge-live" data-testid="recording-status" data-status="recording">
        Recording
      </span>
    );
  if (recording.status === "failed")
    return (
      <span className="badge badge-danger" data-testid="recording-status" data-status="failed" title={recording.error ?? undefined}>
        Failed
      </span>
    );
  return (
    <span className="progress-inline" data-testid="recording-status" data-status="processing">
      <span className="badge badge-warning">Processing {recording.progress}%</span>
      <span className="progress" role="progressbar" aria-label="Processing" aria-valuemin={0} aria-valuemax={100} aria-valuenow={recording.progress}>
        <span style={{ width: `${recording.progress}%` }} />
      </span>
    </span>
  );
}
