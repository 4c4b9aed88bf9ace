import { useQueries } from '@tanstack/react-query';
import { memo, useState } from 'react';
import { api } from '../api';
import { keys } from '../api/keys';
import type { Camera, CameraQuery } from '../api/types';
import { CameraMultiPicker } from '../components/CameraPicker';
import { PageHeader } from '../components/Layout';
import { Modal } from '../components/Modal';
import { EmptyState, QueryState } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { Can } from '../auth/AuthProvider';
import { GoBack } from '../player/GoBack';
import { LivePlayer } from '../player/LivePlayer';
import { useLocalState } from '../lib/useLocalState';
import { useCameraSubscription } from '../realtime/RealtimeProvider';

export const LAYOUTS = [1, 4, 8, 16, 32] as const;
type Layout = (typeof LAYOUTS)[number] | 'list';
/** Cameras in list mode (the wall sizes are the layouts). */
const LIST_SIZE = 50;

/** Cameras for the wall: the picked ones (in order) if any, else online first, then by name. */
export function wallCameras(all: Camera[], picked: string[], size: number): Camera[] {
  if (picked.length) {
    const byId = new Map(all.map((c) => [c.id, c]));
    return picked.map((id) => byId.get(id)).filter((c): c is Camera => !!c).slice(0, size);
  }
  const rank = (c: Camera) => (c.stream_status === 'online' ? 0 : c.is_active ? 1 : 2);
  return [...all].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, size);
}

/**
 * The wall's cameras without loading every camera: the picked ones by id, or else the first
 * `size` in wallCameras' order, which three small sorted pages always contain (online by name;
 * active by name, of which fewer than `size` are online when they are needed; inactive by name).
 */
function useWall(picked: string[], size: number) {
  const auto = picked.length === 0;
  const sorted: CameraQuery[] = [
    { stream_status: 'online', sort: 'name', limit: size },
    { is_active: true, sort: 'name', limit: Math.min(2 * size, 100) },
    { is_active: false, sort: 'name', limit: size },
  ];
  const pages = useQueries({
    // The online page also gives the online count, so it runs for a picked wall too.
    queries: sorted.map((query, i) => ({ queryKey: keys.cameraList(query), queryFn: () => api.cameras.list(query), enabled: auto || i === 0 })),
  });
  const byId = useQueries({
    queries: picked.map((id) => ({ queryKey: keys.cameraLabel(id), queryFn: () => api.cameras.get(id), staleTime: 5 * 60_000, retry: false })),
  });
  const found = (auto ? pages.flatMap((p) => p.data?.items ?? []) : byId.flatMap((q) => (q.data ? [q.data] : [])));
  const known = [...new Map(found.map((c) => [c.id, c])).values()];
  const waiting = auto ? pages : byId;
  return {
    // A picked camera that is gone (404) just drops out of the wall.
    query: {
      data: waiting.some((q) => q.isLoading) ? undefined : wallCameras(known, picked, size),
      isLoading: waiting.some((q) => q.isLoading),
      error: auto ? pages.find((p) => p.error)?.error : null,
      refetch: () => pages.forEach((p) => void p.refetch()),
    },
    empty: auto && known.length === 0,
    onlineCount: pages[0].data?.total ?? 0,
  };
}

function Picker({ picked, onChange, onClose }: { picked: string[]; onChange: (ids: string[]) => void; onClose: () => void }) {
  const [sel, setSel] = useState<string[]>(picked);
  return (
    <Modal title="Choose cameras" onClose={onClose}>
      <div className="modal__body picker">
        <p className="muted small">Tiles follow the order you pick. Pick none to show online cameras first.</p>
        <CameraMultiPicker value={sel} onChange={setSel} extra={(c) => <StatusBadge cameraId={`pick-${c.id}`} status={c.stream_status} />} testId="live-picker" />
      </div>
      <footer className="modal__foot">
        <button type="button" className="btn" onClick={() => setSel([])}>Reset</button>
        <button type="button" className="btn btn--primary" onClick={() => { onChange(sel); onClose(); }}>Apply</button>
      </footer>
    </Modal>
  );
}

/** "Go back" on a tile, for those who may watch recordings. */
function BackTo({ camera }: { camera: Camera }) {
  return <Can needs="recording.read"><GoBack cameraId={camera.id} name={camera.name} className="icon-btn player__back" /></Can>;
}

/** Memoised: a status event re-renders the tile of its camera only. */
const WallTile = memo(function WallTile({ camera, compact }: { camera: Camera; compact: boolean }) {
  return <LivePlayer camera={camera} compact={compact} actions={!compact && <BackTo camera={camera} />} />;
});

function ListMode({ cameras }: { cameras: Camera[] }) {
  const [selected, setSelected] = useState<string | null>(null);
  const current = cameras.find((c) => c.id === selected) ?? cameras[0];
  return (
    <div className="live-list">
      <ul className="live-list__items" aria-label="Cameras">
        {cameras.map((c) => (
          <li key={c.id}>
            <button type="button" className={`live-list__item${c.id === current?.id ? ' is-current' : ''}`} aria-current={c.id === current?.id} onClick={() => setSelected(c.id)}>
              <span>{c.name}</span>
              <StatusBadge cameraId={`list-${c.id}`} status={c.stream_status} />
            </button>
          </li>
        ))}
      </ul>
      <div className="live-list__player">{current && <LivePlayer key={current.id} camera={current} actions={<BackTo camera={current} />} />}</div>
    </div>
  );
}

export default function LivePage() {
  const [layout, setLayout] = useLocalState<Layout>('argus.live.layout', 4);
  const [picked, setPicked] = useLocalState<string[]>('argus.live.picked', []);
  const [picking, setPicking] = useState(false);
  const size = layout === 'list' ? LIST_SIZE : layout;
  const { query: wall, empty, onlineCount } = useWall(picked, size);
  // Events about the cameras on screen only (tiles, or the list mode's names and badges).
  useCameraSubscription(wall.data?.map((c) => c.id));

  return (
    <>
      <PageHeader title="Live view">
        <span className="muted">{onlineCount} online</span>
        <div className="segmented" role="group" aria-label="Layout">
          {LAYOUTS.map((n) => (
            <button key={n} type="button" aria-pressed={layout === n} onClick={() => setLayout(n)} data-testid={`layout-${n}`}>
              {n}
            </button>
          ))}
          <button type="button" aria-pressed={layout === 'list'} onClick={() => setLayout('list')} data-testid="layout-list">
            List
          </button>
        </div>
        <button type="button" className="btn" onClick={() => setPicking(true)} data-testid="pick-cameras">
          Cameras{picked.length ? ` (${picked.length})` : ''}
        </button>
      </PageHeader>
      <QueryState
        query={wall}
        isEmpty={() => empty}
        empty={<EmptyState title="No cameras">Add a camera first; it appears here once it publishes.</EmptyState>}
      >
        {(cameras) =>
          layout === 'list' ? (
            <ListMode cameras={cameras} />
          ) : (
            <div className={`wall wall--${layout}`} data-testid="live-grid">
              {cameras.map((c) => (
                <WallTile key={c.id} camera={c} compact={layout >= 16} />
              ))}
              {Array.from({ length: Math.max(0, layout - cameras.length) }, (_, i) => (
                <div key={`empty-${i}`} className="player player--empty">
                  <button type="button" onClick={() => setPicking(true)} aria-label="Choose cameras for empty tiles">
                    {layout < 16 ? 'Empty tile' : ''}
                  </button>
                </div>
              ))}
            </div>
          )
        }
      </QueryState>
      {picking && <Picker picked={picked} onChange={setPicked} onClose={() => setPicking(false)} />}
    </>
  );
}
