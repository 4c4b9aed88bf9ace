import { act, render, screen } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { camera } from '../test/fixtures';

const hls = vi.hoisted(() => ({ calls: [] as boolean[] }));
vi.mock('./useHlsPlayback', () => ({
  useHlsPlayback: (_ref: unknown, _id: string, enabled: boolean) => {
    hls.calls.push(enabled);
    return { state: enabled ? 'loading' : 'idle', levels: [], level: -1, currentLevel: -1, setLevel: () => undefined };
  },
}));

const { LivePlayer } = await import('./LivePlayer');

/** Minimal IntersectionObserver whose visibility the test controls. */
class FakeIO {
  static instances: FakeIO[] = [];
  constructor(readonly cb: IntersectionObserverCallback) {
    FakeIO.instances.push(this);
  }
  observe() {}
  disconnect() {}
  fire(isIntersecting: boolean) {
    this.cb([{ isIntersecting } as IntersectionObserverEntry], this as unknown as IntersectionObserver);
  }
}

function renderPlayer(status: 'online' | 'offline') {
  const qc = new QueryClient();
  const ui = (s: typeof status) => (
    <QueryClientProvider client={qc}>
      <LivePlayer camera={camera('c1', { stream_status: s })} />
    </QueryClientProvider>
  );
  const r = render(ui(status));
  return { ...r, setStatus: (s: typeof status) => r.rerender(ui(s)) };
}

describe('LivePlayer', () => {
  beforeEach(() => {
    hls.calls = [];
    FakeIO.instances = [];
    vi.stubGlobal('IntersectionObserver', FakeIO);
  });
  afterEach(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
  });

  it('shows the offline placeholder and loads nothing while the camera is offline', () => {
    renderPlayer('offline');
    act(() => FakeIO.instances[0].fire(true));
    expect(screen.getByTestId('player-offline-c1').textContent).toMatch(/Offline/);
    expect(hls.calls.at(-1)).toBe(false);
  });

  it('starts loading by itself when the camera comes online', () => {
    const { setStatus } = renderPlayer('offline');
    act(() => FakeIO.instances[0].fire(true));
    setStatus('online');
    expect(hls.calls.at(-1)).toBe(true);
    expect(screen.queryByTestId('player-offline-c1')).toBeNull();
    expect(screen.getByTestId('player-c1').dataset.state).toBe('loading');
  });

  it('stops loading when scrolled out of view or the tab is hidden', () => {
    renderPlayer('online');
    act(() => FakeIO.instances[0].fire(true));
    expect(hls.calls.at(-1)).toBe(true);
    act(() => FakeIO.instances[0].fire(false));
    expect(hls.calls.at(-1)).toBe(false);
    act(() => FakeIO.instances[0].fire(true));
    expect(hls.calls.at(-1)).toBe(true);
    act(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(hls.calls.at(-1)).toBe(false);
  });
});
