// A recording in a dialog: the player and the recording's facts (Recordings and Timeline pages).

import type { Recording } from '../api/types';
import { Modal } from '../components/Modal';
import { formatBytes, formatDateTime, formatDuration } from '../lib/format';
import { RecordingPlayer } from './RecordingPlayer';

export function RecordingPlayerModal({ recording, title, startAt = 0, onClose }: {
  recording: Recording;
  title: string;
  /** Seconds into the recording to start from. */
  startAt?: number;
  onClose: () => void;
}) {
  return (
    <Modal title={title} onClose={onClose} wide>
      <div className="modal__body">
        <RecordingPlayer recordingId={recording.id} startAt={startAt} />
        <p className="muted small">
          {formatDateTime(recording.started_at)} · {formatDuration(recording.duration_ms)} · {formatBytes(recording.size_bytes)}
          {recording.width && recording.height ? ` · ${recording.width}×${recording.height}` : ''}
          {recording.video_codec ? ` · ${recording.video_codec}/${recording.audio_codec ?? '—'}` : ''}
        </p>
      </div>
    </Modal>
  );
}
