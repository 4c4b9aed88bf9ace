// Plays an HLS URL in a <video>: hls.js wherever Media Source Extensions exist, otherwise the
// browser's native HLS (iOS Safari). Shared by the live player and the recorded-footage player,
// which differ in what they do when it is ready, playing or broken.

import Hls, { type ErrorData, type HlsConfig } from 'hls.js/light';

export interface StreamHandlers {
  /** The playlist is parsed (hls.js) or the metadata loaded (native): levels are known, seeks work. */
  ready: (hls: Hls | null) => void;
  /** Media arrived (a fragment buffered, or the native element loaded data). */
  playing: () => void;
  /** Playback broke for good: the HTTP status of hls.js's failed load, if any; `native` when the element failed (no status known). */
  fatal: (status: number | undefined, native: boolean) => void;
  /** Extra hls.js listeners (quality levels). */
  setup?: (hls: Hls) => void;
}

export interface AttachedStream {
  hls: Hls | null;
  destroy: () => void;
}

/** Starts `url` on `video`; null when the browser can play HLS neither way. */
export function attachStream(video: HTMLVideoElement, url: string, config: Partial<HlsConfig>, on: StreamHandlers): AttachedStream | null {
  if (Hls.isSupported()) {
    const hls = new Hls(config);
    // One media-error recovery per stretch of playing (hls.js can often rebuild the buffer).
    let recovered = false;
    hls.on(Hls.Events.MANIFEST_PARSED, () => on.ready(hls));
    hls.on(Hls.Events.FRAG_BUFFERED, () => {
      recovered = false;
      on.playing();
    });
    hls.on(Hls.Events.ERROR, (_e, data: ErrorData) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        hls.recoverMediaError();
        return;
      }
      on.fatal(data.response?.code, false);
    });
    on.setup?.(hls);
    hls.loadSource(url);
    hls.attachMedia(video);
    return { hls, destroy: () => hls.destroy() };
  }
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.onloadedmetadata = () => on.ready(null);
    video.onloadeddata = on.playing;
    video.onerror = () => on.fatal(undefined, true);
    video.src = url;
    return {
      hls: null,
      destroy: () => {
        video.onloadedmetadata = null;
        video.onloadeddata = null;
        video.onerror = null;
      },
    };
  }
  return null;
}

/** Drops whatever the element was playing. */
export function detachVideo(video: HTMLVideoElement): void {
  video.removeAttribute('src');
  video.load();
}
