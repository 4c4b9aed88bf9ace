import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { describeError } from '../../api/errors';
import { useCameraMutation, useQuality } from '../../api/hooks';
import { keys } from '../../api/keys';
import type { Camera } from '../../api/types';
import { Can } from '../../auth/AuthProvider';
import { CopyButton } from '../../components/CopyButton';
import { RecentFootage } from '../../components/RecentFootage';
import { CameraHealth } from './CameraHealth';
import { GoBack } from '../../player/GoBack';
import { ConfirmDialog, Modal } from '../../components/Modal';
import { QualityBadge, StatusBadge } from '../../components/StatusBadge';
import { formatBitrate, formatDateTime, formatRelative } from '../../lib/format';

/** `rtmp://host:port/app/key` → OBS's "Server" and "Stream key". */
export function splitRtmpUrl(url: string): { server: string; key: string } {
  const i = url.lastIndexOf('/');
  return { server: url.slice(0, i), key: url.slice(i + 1) };
}

function PublishInfo({ camera }: { camera: Camera }) {
  if (!camera.rtmp_url) return null;
  const { server, key } = splitRtmpUrl(camera.rtmp_url);
  return (
    <section className="publish" aria-label="Publishing">
      <h3>Publish to</h3>
      <div className="publish__url">
        <code data-testid="rtmp-url">{camera.rtmp_url}</code>
        <CopyButton text={camera.rtmp_url} testId="copy-rtmp" />
      </div>
      <p className="muted small">
        FFmpeg: <code>ffmpeg -re -i input.mp4 -c:v libx264 -preset veryfast -g 50 -c:a aac -f flv {'<URL>'}</code> · OBS: Server{' '}
        <code>{server}</code>, Stream key <code>{key.slice(0, 6)}…</code>
      </p>
    </section>
  );
}

type Pending = 'rotate' | 'delete' | null;

export function CameraDetail({ camera: initial, onClose, onEdit }: { camera: Camera; onClose: () => void; onEdit: (c: Camera) => void }) {
  const { data: camera = initial } = useQuery({
    queryKey: keys.camera(initial.id),
    queryFn: () => api.cameras.get(initial.id),
    // The list row is only a placeholder: fetch the camera on open, since only the single-camera
    // answer carries `quality` (and the stream key / RTMP URL for those allowed to see them).
    placeholderData: initial,
    staleTime: 5_000,
  });
  const quality = useQuality(camera);
  const [pending, setPending] = useState<Pending>(null);
  const action = useCameraMutation((fn: () => Promise<Camera | void>) => fn());
  const run = (fn: () => Promise<Camera | void>, then?: () => void) =>
    action.mutate(fn, { onSuccess: () => { setPending(null); then?.(); } });

  return (
    <Modal title={camera.name} onClose={onClose} wide>
      <div className="modal__body detail">
        <div className="detail__status">
          <StatusBadge cameraId={camera.id} status={camera.stream_status} active={camera.is_active} />
          {!camera.is_active && <span className="tag tag--warn">deactivated</span>}
          <QualityBadge cameraId={camera.id} quality={quality} />
          <span className="muted">last seen {formatRelative(camera.last_seen_at)}</span>
          {camera.stream_status === 'online' && <Can needs="recording.read"><GoBack cameraId={camera.id} name={camera.name} /></Can>}
        </div>
        <dl className="detail__grid">
          <dt>Serial</dt><dd>{camera.serial_number}</dd>
          <dt>Company</dt><dd>{camera.company ?? '—'}</dd>
          <dt>Model</dt><dd>{camera.model ?? '—'}</dd>
          <dt>Location</dt><dd>{camera.location ?? '—'}</dd>
          <dt>Place</dt><dd>{camera.place ?? '—'}</dd>
          <dt>Profile</dt><dd>{camera.transcode_profile}</dd>
          <dt>Recording</dt><dd>{camera.recording_enabled ? 'on' : 'off'}</dd>
          <dt>Created</dt><dd>{formatDateTime(camera.created_at)} via {camera.created_via}</dd>
          {quality && (
            <>
              <dt>Stream</dt>
              <dd data-testid="detail-quality">
                {quality.fps.toFixed(0)} fps · {quality.bitrate_kbps > 0 ? formatBitrate(quality.bitrate_kbps) : 'bitrate —'} · speed {quality.speed.toFixed(2)}× ·{' '}
                {quality.dropped_frames} dropped · score {Math.round(quality.score)} · {formatRelative(quality.updated_at)}
              </dd>
            </>
          )}
        </dl>
        <Can needs="recording.read"><RecentFootage cameraId={camera.id} /></Can>
        <CameraHealth cameraId={camera.id} />
        <PublishInfo camera={camera} />
        {action.error && <div className="alert alert--error" role="alert">{describeError(action.error)}</div>}
        <Can needs="camera.write">
          <div className="detail__actions" role="group" aria-label="Camera actions">
            <button type="button" className="btn" onClick={() => onEdit(camera)} data-testid="camera-edit">Edit</button>
            <button
              type="button"
              className="btn"
              disabled={action.isPending}
              data-testid="toggle-recording"
              onClick={() => run(() => api.cameras.update(camera.id, { recording_enabled: !camera.recording_enabled }))}
            >
              {camera.recording_enabled ? 'Stop recording' : 'Start recording'}
            </button>
            <button
              type="button"
              className="btn"
              disabled={action.isPending}
              data-testid="toggle-active"
              onClick={() => run(() => (camera.is_active ? api.cameras.deactivate(camera.id) : api.cameras.activate(camera.id)))}
            >
              {camera.is_active ? 'Deactivate' : 'Activate'}
            </button>
            <button type="button" className="btn" onClick={() => setPending('rotate')} data-testid="rotate-key">Rotate key</button>
            <button type="button" className="btn btn--danger" onClick={() => setPending('delete')} data-testid="camera-delete">Delete</button>
          </div>
        </Can>
      </div>
      {pending === 'rotate' && (
        <ConfirmDialog
          title="Rotate stream key?"
          message="The current key stops working immediately; a live stream using it is dropped and must be reconfigured."
          confirmLabel="Rotate key"
          danger
          busy={action.isPending}
          onCancel={() => setPending(null)}
          onConfirm={() => run(() => api.cameras.rotateKey(camera.id))}
        />
      )}
      {pending === 'delete' && (
        <ConfirmDialog
          title={`Delete ${camera.name}?`}
          message="The camera is removed from the list and can no longer publish. Recordings are kept."
          confirmLabel="Delete camera"
          danger
          busy={action.isPending}
          onCancel={() => setPending(null)}
          onConfirm={() => run(() => api.cameras.remove(camera.id), onClose)}
        />
      )}
    </Modal>
  );
}
