import { Link } from 'react-router-dom';
import { useCameraPage, useQuality, useStats } from '../api/hooks';
import { storageTierValues as TIERS } from '../api/schema';
import type { Camera, DashboardStats } from '../api/types';
import { Can } from '../auth/AuthProvider';
import { STORAGE_READ } from '../auth/permissions';
import { PageHeader } from '../components/Layout';
import { EmptyState, QueryState } from '../components/States';
import { QualityBadge, StatusBadge } from '../components/StatusBadge';
import { formatBytes, formatPercent, formatSpan } from '../lib/format';
import { useCameraSubscription } from '../realtime/RealtimeProvider';

type Count = { [K in keyof DashboardStats]-?: DashboardStats[K] extends number ? K : never }[keyof DashboardStats];

const CARDS: { key: Count; label: string; tone?: string; format?: (n: number) => string; value?: (s: DashboardStats) => number }[] = [
  { key: 'total', label: 'Cameras' },
  { key: 'online', label: 'Online', tone: 'online' },
  { key: 'offline', label: 'Offline', tone: 'offline' },
  { key: 'error', label: 'Error', tone: 'error' },
  { key: 'active_streams', label: 'Active streams', tone: 'online' },
  { key: 'api_created', label: 'Created via API' },
  { key: 'recording_enabled', label: 'Recording enabled' },
  { key: 'total_recordings', label: 'Recordings', value: (s) => s.recordings_total },
  { key: 'storage_used_bytes', label: 'Storage used', format: formatBytes },
];

/** Bytes per tier, each a card; a link to the storage page for those who may open it. */
function TierStats({ stats }: { stats: DashboardStats }) {
  return (
    <section className="panel" aria-labelledby="tiers-head">
      <div className="panel__head">
        <h2 id="tiers-head">Storage by tier</h2>
        <Can needs={STORAGE_READ}><Link to="/storage">Storage details ›</Link></Can>
      </div>
      <div className="stat-grid stat-grid--flush">
        {TIERS.map((t) => (
          <div key={t} className="stat" data-testid={`stat-tier-${t}`}>
            <span className="stat__label"><span className={`tag tag--${t}`}>{t}</span></span>
            <span className="stat__value">{formatBytes(stats.storage_by_tier[t])}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

/** The server process: uptime, memory and CPU use (hidden where the server cannot measure them: all 0). */
function SystemStats({ stats: s }: { stats: DashboardStats }) {
  if (s.uptime_secs === 0) return null;
  const cards = [
    { id: 'uptime', label: 'Uptime', value: s.uptime_secs, format: formatSpan },
    { id: 'memory', label: 'Memory (RSS)', value: s.memory_rss_bytes, format: formatBytes },
    { id: 'cpu', label: 'CPU', value: s.cpu_percent, format: formatPercent },
  ];
  return (
    <section className="panel" aria-labelledby="system-head">
      <div className="panel__head"><h2 id="system-head">System</h2></div>
      <div className="stat-grid stat-grid--flush">
        {cards.map((c) => (
          <div key={c.id} className="stat" data-testid={`stat-${c.id}`}>
            <span className="stat__label">{c.label}</span>
            <span className="stat__value">{c.format(c.value)}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

function OnlineRow({ camera }: { camera: Camera }) {
  const quality = useQuality(camera);
  return (
    <li className="online-list__row">
      <StatusBadge cameraId={camera.id} status={camera.stream_status} />
      <span className="online-list__name">{camera.name}</span>
      <span className="muted">{camera.place ?? camera.location ?? ''}</span>
      <QualityBadge cameraId={camera.id} quality={quality} />
    </li>
  );
}

export default function DashboardPage() {
  const stats = useStats();
  const online = useCameraPage({ stream_status: 'online', limit: 12, sort: 'name' });
  // Status and quality of the cameras listed; the counts (stats.updated) come regardless, and
  // refresh the list when cameras go online or offline elsewhere.
  useCameraSubscription(online.data?.items.map((c) => c.id));
  return (
    <>
      <PageHeader title="Dashboard" />
      <QueryState query={stats}>
        {(s) => (
          <>
            <section className="stat-grid" aria-label="Statistics">
              {CARDS.map((c) => (
                <div key={c.key} className={`stat${c.tone && !(c.tone === 'error' && s.error === 0) ? ` stat--${c.tone}` : ''}`} data-testid={`stat-${c.key}`}>
                  <span className="stat__label">{c.label}</span>
                  <span className="stat__value">{(c.format ?? String)(c.value?.(s) ?? s[c.key])}</span>
                </div>
              ))}
            </section>
            <TierStats stats={s} />
            <SystemStats stats={s} />
          </>
        )}
      </QueryState>
      <section className="panel">
        <div className="panel__head">
          <h2>Live now</h2>
          <Link to="/live">Open live view ›</Link>
        </div>
        <QueryState
          query={online}
          isEmpty={(p) => p.items.length === 0}
          empty={<EmptyState title="No camera is streaming">Cameras appear here as soon as they publish.</EmptyState>}
        >
          {(p) => (
            <ul className="online-list">
              {p.items.map((c) => (
                <OnlineRow key={c.id} camera={c} />
              ))}
            </ul>
          )}
        </QueryState>
      </section>
    </>
  );
}
