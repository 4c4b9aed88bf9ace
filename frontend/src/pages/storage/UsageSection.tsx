// The top of the storage page, from `GET /storage`: one card per tier, the fleet forecast and
// the per-camera table (paged on the server).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { keys } from '../../api/keys';
import type { CameraUsage, StorageOverview, TierUsage } from '../../api/types';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatBytes, formatDays } from '../../lib/format';
import { storageTierValues as TIERS } from '../../api/schema';

export const CAMERA_PAGE_SIZE = 25;

function DiskBar({ tier }: { tier: TierUsage }) {
  const { disk_total_bytes: total, disk_free_bytes: free } = tier;
  if (total == null || free == null || total <= 0) return <p className="muted small">Disk size unknown</p>;
  const used = Math.min(100, Math.max(0, ((total - free) / total) * 100));
  return (
    <div className="meter-wrap">
      <div className={`meter${used >= 90 ? ' meter--full' : ''}`} role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(used)} aria-label={`${tier.tier} disk used`}>
        <span style={{ width: `${used}%` }} />
      </div>
      <span className="small muted" data-testid={`tier-free-${tier.tier}`}>{formatBytes(free)} free of {formatBytes(total)}</span>
    </div>
  );
}

function TierCard({ tier }: { tier: TierUsage }) {
  return (
    <article className={`tier-card${tier.configured ? '' : ' tier-card--off'}`} data-testid={`tier-${tier.tier}`}>
      <header className="tier-card__head">
        <span className={`tag tag--${tier.tier}`}>{tier.tier}</span>
        {!tier.configured && <span className="muted small">not configured</span>}
      </header>
      <span className="stat__value" data-testid={`tier-used-${tier.tier}`}>{formatBytes(tier.used_bytes)}</span>
      <span className="muted small">{tier.recordings} recording{tier.recordings === 1 ? '' : 's'}</span>
      <DiskBar tier={tier} />
      {tier.location && <code className="tier-card__location" title="Location">{tier.location}</code>}
    </article>
  );
}

function Forecast({ data }: { data: StorageOverview }) {
  return (
    <section className="panel forecast" aria-label="Forecast" data-testid="forecast">
      <div>
        <span className="stat__label">Written per day</span>
        <span className="stat__value" data-testid="forecast-per-day">{formatBytes(data.bytes_per_day)}</span>
        <span className="muted small">average over the last {data.window_days} days (or since the first recording)</span>
      </div>
      <div>
        <span className="stat__label">HOT full in</span>
        <span className="stat__value" data-testid="forecast-hot-days">{formatDays(data.hot_days_left)}</span>
        <span className="muted small">{data.hot_days_left == null ? 'no forecast: disk size unknown or nothing written' : 'at this rate, before moves free space'}</span>
      </div>
    </section>
  );
}

const CAMERA_COLUMNS = ['Camera', 'Recordings', ...TIERS.map((t) => t.toUpperCase()), 'Total', 'Per day', 'HOT left'] as const;

function CameraRow({ c }: { c: CameraUsage }) {
  return (
    <tr data-testid={`usage-row-${c.camera_id}`}>
      <td data-label="Camera">{c.camera_name}</td>
      <td data-label="Recordings">{c.recordings}</td>
      {TIERS.map((t) => <td key={t} data-label={t.toUpperCase()}>{formatBytes(c.bytes_by_tier[t])}</td>)}
      <td data-label="Total">{formatBytes(c.bytes_total)}</td>
      <td data-label="Per day">{formatBytes(c.bytes_per_day)}</td>
      <td data-label="HOT left">{formatDays(c.hot_days_left)}</td>
    </tr>
  );
}

export function UsageSection() {
  const [page, setPage] = useState(1);
  const usage = useQuery({ queryKey: keys.storageOverview(page), queryFn: () => api.storage.overview(page, CAMERA_PAGE_SIZE), placeholderData: keepPreviousData });
  return (
    <QueryState query={usage}>
      {(d) => (
        <>
          <section className="tier-grid" aria-label="Tiers">
            {d.tiers.map((t) => <TierCard key={t.tier} tier={t} />)}
          </section>
          <Forecast data={d} />
          <section className="panel">
            <h2>Per camera</h2>
            {d.cameras.total === 0 ? (
              <EmptyState title="No recordings yet" />
            ) : (
              <PagedTable
                page={{ ...d.cameras, items: d.cameras.items.map((c) => ({ ...c, id: c.camera_id })) }}
                columns={CAMERA_COLUMNS} row={(c) => <CameraRow c={c} />} onPage={setPage} testId="usage-table" />
            )}
          </section>
        </>
      )}
    </QueryState>
  );
}
