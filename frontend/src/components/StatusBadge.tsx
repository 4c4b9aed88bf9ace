import type { StreamStatus, StreamQuality } from '../api/types';
import { formatBitrate, qualityLevel } from '../lib/format';

export function StatusBadge({ cameraId, status, active = true }: { cameraId: string; status: StreamStatus; active?: boolean }) {
  return (
    <span className={`badge badge--${status}`} data-testid={`status-${cameraId}`} title={active ? undefined : 'Camera is deactivated'}>
      <span className="badge__dot" aria-hidden="true" />
      {status}
    </span>
  );
}

export function QualityBadge({ cameraId, quality }: { cameraId: string; quality: StreamQuality | null | undefined }) {
  if (!quality) return null;
  const level = qualityLevel(quality.score);
  return (
    <span
      className={`quality quality--${level}`}
      data-testid={`quality-${cameraId}`}
      title={`speed ${quality.speed.toFixed(2)}×, ${quality.dropped_frames} dropped frames`}
    >
      {quality.fps.toFixed(0)} fps{quality.bitrate_kbps > 0 ? ` · ${formatBitrate(quality.bitrate_kbps)}` : ''} · score {Math.round(quality.score)}
    </span>
  );
}
