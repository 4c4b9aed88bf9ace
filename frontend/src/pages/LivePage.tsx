import { useMemo, useState } from 'react';
import { useAllCameras } from '../api/hooks';
import type { Camera } from '../api/types';
import { PageHeader } from '../components/Layout';
import { Modal } from '../components/Modal';
import { EmptyState, QueryState } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { LivePlayer } from '../player/LivePlayer';
import { useLocalState } from '../lib/useLocalState';

export const LAYOUTS = [1, 4, 8, 16, 32] as const;
type Layout = (typeof LAYOUTS)[number] | 'list';

/** Cameras for the wall: the picked ones (in order) if any, else online first, then by name. */
export function wallCameras(all: Camera[], picked: string[], size: number): Camera[] {
  if (picked.length) {
    const byId = new Map(all.map((c) => [c.id, c]));
    return picked.map((id) => byId.get(id)).filter((c): c is Camera => !!c).slice(0, size);
  }
  const rank = (c: Camera) => (c.stream_status === 'online' ? 0 : c.is_active ? 1 : 2);
  return [...all].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name)).slice(0, size);
}

function Picker({ cameras, picked, onChange, onClose }: { cameras: Camera[]; picked: string[]; onChange: (ids: string[]) => void; onClose: () => void }) {
  const [sel, setSel] = useState<string[]>(picked);
  const toggle = (id: string) => setSel((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  return (
    <Modal title="Choose cameras" onClose={onClose}>
      <div className="modal__body picker">
        <p className="muted small">Tiles follow the order you pick. Pick none to show online cameras first.</p>
        <ul>
          {cameras.map((c) => (
            <li key={c.id}>
              <label className="check">
                <input type="checkbox" checked={sel.includes(c.id)} onChange={() => toggle(c.id)} />
                <span>{c.name}</span>
                <StatusBadge cameraId={`pick-${c.id}`} status={c.stream_status} />
              </label>
            </li>
          ))}
        </ul>
      </div>
      <footer className="modal__foot">
        <button type="button" className="btn" onClick={() => setSel([])}>Reset</button>
        <button type="button" className="btn btn--primary" onClick={() => { onChange(sel); onClose(); }}>Apply</button>
      </footer>
    </Modal>
  );
}

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
      <div className="live-list__player">{current && <LivePlayer key={current.id} camera={current} />}</div>
    </div>
  );
}

export default function LivePage() {
  const cameras = useAllCameras();
  const [layout, setLayout] = useLocalState<Layout>('argus.live.layout', 4);
  const [picked, setPicked] = useLocalState<string[]>('argus.live.picked', []);
  const [picking, setPicking] = useState(false);
  const size = layout === 'list' ? Infinity : layout;
  const wall = useMemo(() => wallCameras(cameras.data ?? [], picked, size), [cameras.data, picked, size]);
  const onlineCount = cameras.data?.filter((c) => c.stream_status === 'online').length ?? 0;

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
        query={cameras}
        isEmpty={(all) => all.length === 0}
        empty={<EmptyState title="No cameras">Add a camera first; it appears here once it publishes.</EmptyState>}
      >
        {() =>
          layout === 'list' ? (
            <ListMode cameras={wall} />
          ) : (
            <div className={`wall wall--${layout}`} data-testid="live-grid">
              {wall.map((c) => (
                <LivePlayer key={c.id} camera={c} compact={layout >= 16} />
              ))}
              {Array.from({ length: Math.max(0, layout - wall.length) }, (_, i) => (
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
      {picking && cameras.data && <Picker cameras={cameras.data} picked={picked} onChange={setPicked} onClose={() => setPicking(false)} />}
    </>
  );
}
