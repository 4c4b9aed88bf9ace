import { describe, expect, it } from 'vitest';
import { parseAllowlist } from '../pages/admin/TokenCreate';
import { splitRtmpUrl } from '../pages/cameras/CameraDetail';
import { wallCameras } from '../pages/LivePage';
import { levelLabel } from '../player/useHlsPlayback';
import { playbackValid, retryDelay } from '../player/retry';
import { camera } from '../test/fixtures';

describe('small helpers', () => {
  it('splits an RTMP publish URL into OBS server and key', () => {
    expect(splitRtmpUrl('rtmp://10.0.0.5:1935/live/abcDEF')).toEqual({ server: 'rtmp://10.0.0.5:1935/live', key: 'abcDEF' });
  });

  it('parses an IP allowlist', () => {
    expect(parseAllowlist(' 10.0.0.0/8, 203.0.113.7\n::1 ')).toEqual(['10.0.0.0/8', '203.0.113.7', '::1']);
    expect(parseAllowlist('  ')).toEqual([]);
  });

  it('fills the wall with picked cameras, else online first', () => {
    const all = [camera('a', { name: 'Zulu' }), camera('b', { name: 'Alpha', is_active: false }), camera('c', { name: 'Mike', stream_status: 'online' }), camera('d', { name: 'Bravo' })];
    expect(wallCameras(all, [], 3).map((c) => c.id)).toEqual(['c', 'd', 'a']);
    expect(wallCameras(all, ['d', 'gone', 'b'], 4).map((c) => c.id)).toEqual(['d', 'b']);
  });

  it('retries a not-yet-available stream with capped backoff', () => {
    expect([0, 1, 2, 3, 4, 10].map(retryDelay)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(playbackValid('2026-01-01T00:10:00Z', now)).toBe(true);
    expect(playbackValid('2026-01-01T00:00:10Z', now)).toBe(false);
    expect(playbackValid(undefined, now)).toBe(false);
  });

  it('labels quality levels', () => {
    expect(levelLabel({ height: 720, bitrate: 2_000_000, name: '' })).toBe('720p');
    expect(levelLabel({ height: 0, bitrate: 800_000, name: '' })).toBe('800 kbit/s');
  });
});
