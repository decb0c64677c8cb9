/**
 * A widget's way through the pipeline, for the studio: the version product-api accepted next to the one
 * the ingester applied to the core database, and how long that took or has been taking.
 */
export type PipelineStatus =
  | { state: 'delivered'; version: number; lagMs: number }
  | {
      state: 'in-flight';
      accepted: number;
      ingested: number | undefined;
      versionsBehind: number;
      waitingMs: number;
    };

export interface AcceptedVersion {
  dataVersion: number;
  /** When product-api accepted it (its listing's updatedAt). */
  updatedAt: string;
}

export interface IngestedVersion {
  dataVersion: number;
  acceptedAt: string;
  ingestedAt: string;
}

export function pipelineStatus(
  accepted: AcceptedVersion,
  ingested: IngestedVersion | undefined,
  now: number,
): PipelineStatus {
  if (ingested !== undefined && ingested.dataVersion >= accepted.dataVersion) {
    return {
      state: 'delivered',
      version: ingested.dataVersion,
      lagMs: Math.max(0, Date.parse(ingested.ingestedAt) - Date.parse(ingested.acceptedAt)),
    };
  }
  return {
    state: 'in-flight',
    accepted: accepted.dataVersion,
    ingested: ingested?.dataVersion,
    versionsBehind: accepted.dataVersion - (ingested?.dataVersion ?? 0),
    waitingMs: Math.max(0, now - Date.parse(accepted.updatedAt)),
  };
}

/** "850 ms", "3.2 s", "4 min", "2 h". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
