import { useRef, useState, type ReactNode } from 'react';
import type { Camera } from '../api/types';
import { Icon } from '../components/Icon';
import { QualityBadge } from '../components/StatusBadge';
import { useQuality } from '../api/hooks';
import { formatRelative } from '../lib/format';
import { useActive } from './useActive';
import { useHlsPlayback } from './useHlsPlayback';

type PlayerCamera = Pick<Camera, 'id' | 'name' | 'stream_status' | 'is_active' | 'last_seen_at' | 'quality'>;

/**
 * One live tile. Offline cameras show a placeholder that turns into video by itself when the
 * camera's status flips to online (WebSocket) and its playlist becomes available (retries).
 * Off-screen or in a hidden tab, the stream is torn down so it downloads nothing.
 */
export function LivePlayer({ camera, compact = false, actions }: { camera: PlayerCamera; compact?: boolean; actions?: ReactNode }) {
  const boxRef = useRef<HTMLDivElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  const active = useActive(boxRef);
  const online = camera.stream_status === 'online' && camera.is_active;
  const { state, levels, level, currentLevel, setLevel } = useHlsPlayback(videoRef, camera.id, active && online);
  const [muted, setMuted] = useState(true);
  const quality = useQuality(camera);
  const showVideo = online && state === 'playing';

  const fullscreen = () => {
    const el = boxRef.current;
    if (!el) return;
    if (document.fullscreenElement) void document.exitFullscreen();
    else void el.requestFullscreen?.().catch(() => undefined);
  };

  const overlay = !online
    ? camera.is_active
      ? `Offline · last seen ${formatRelative(camera.last_seen_at)}`
      : 'Camera deactivated'
    : !active
      ? 'Paused (not visible)'
      : state === 'error'
        ? 'This browser cannot play HLS'
        : state === 'playing'
          ? null
          : 'Connecting to stream…';

  return (
    <div
      ref={boxRef}
      className={`player${compact ? ' player--compact' : ''}`}
      data-testid={`player-${camera.id}`}
      data-state={online ? state : 'offline'}
    >
      <video
        ref={videoRef}
        className="player__video"
        data-testid={`video-${camera.id}`}
        muted={muted}
        playsInline
        autoPlay
        aria-label={`Live video of ${camera.name}`}
        style={{ visibility: showVideo ? 'visible' : 'hidden' }}
      />
      {overlay && (
        <div className={`player__placeholder${online ? '' : ' player__placeholder--offline'}`} data-testid={online ? undefined : `player-offline-${camera.id}`}>
          {online && active && <span className="spinner" aria-hidden="true" />}
          <span>{overlay}</span>
        </div>
      )}
      <div className="player__bar">
        <span className="player__title">
          <span className={`badge__dot badge__dot--${camera.stream_status}`} aria-hidden="true" />
          {camera.name}
          {showVideo && <span className="live-pill">LIVE</span>}
        </span>
        {!compact && <QualityBadge cameraId={camera.id} quality={quality} />}
        <span className="player__controls">
          {actions}
          {levels.length > 1 && (
            <label>
              <span className="sr-only">Quality for {camera.name}</span>
              <select value={level} onChange={(e) => setLevel(Number(e.target.value))} data-testid={`level-${camera.id}`}>
                <option value={-1}>Auto{level === -1 && currentLevel >= 0 ? ` (${levels.find((l) => l.index === currentLevel)?.label ?? ''})` : ''}</option>
                {levels.map((l) => (
                  <option key={l.index} value={l.index}>
                    {l.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          <button type="button" className="icon-btn" onClick={() => setMuted((m) => !m)} aria-pressed={!muted} aria-label={muted ? `Unmute ${camera.name}` : `Mute ${camera.name}`}>
            <Icon name={muted ? 'muted' : 'sound'} />
          </button>
          <button type="button" className="icon-btn" onClick={fullscreen} aria-label={`Fullscreen ${camera.name}`}>
            <Icon name="fullscreen" />
          </button>
        </span>
      </div>
    </div>
  );
}
