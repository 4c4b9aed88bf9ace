// The dry run: what the next storage run would move or delete, in its order (`GET /storage/plan`).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { keys } from '../../api/keys';
import type { PlannedAction } from '../../api/types';
import { CameraName } from '../../components/CameraName';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatDateTime } from '../../lib/format';

export const PLAN_PAGE_SIZE = 25;
const COLUMNS = ['Action', 'Tier', 'Reason', 'Camera', 'Ended'] as const;
const REASON: Record<PlannedAction['reason'], string> = {
  age: 'old enough for the next tier',
  retention: "past the camera's retention",
  quota: "over the camera's size quota",
  disk_floor: 'HOT disk below its free-space floor',
};

function PlanRow({ a }: { a: PlannedAction }) {
  return (
    <tr data-testid={`plan-row-${a.recording_id}`}>
      <td data-label="Action"><span className={`tag${a.action === 'delete' ? ' tag--warn' : ''}`}>{a.action}</span></td>
      <td data-label="Tier">
        <span className={`tag tag--${a.from}`}>{a.from}</span>
        {a.to ? <> → <span className={`tag tag--${a.to}`}>{a.to}</span></> : null}
      </td>
      <td data-label="Reason" title={REASON[a.reason]}>{a.reason}</td>
      <td data-label="Camera"><CameraName id={a.camera_id} /></td>
      <td data-label="Ended">{formatDateTime(a.ended_at)}</td>
    </tr>
  );
}

export function PlanSection() {
  const [page, setPage] = useState(1);
  const plan = useQuery({ queryKey: keys.storagePlan(page), queryFn: () => api.storage.plan(page, PLAN_PAGE_SIZE), placeholderData: keepPreviousData });
  return (
    <section className="panel" aria-labelledby="plan-head">
      <div className="panel__head">
        <h2 id="plan-head">Next run (dry run)</h2>
        {plan.data && <span className="muted small" data-testid="plan-total">{plan.data.total} action{plan.data.total === 1 ? '' : 's'}</span>}
      </div>
      <QueryState query={plan} isEmpty={(p) => p.total === 0} empty={<EmptyState title="Nothing to do">Every recording is in the tier its age asks for and within its retention.</EmptyState>}>
        {(p) => (
          <PagedTable page={{ ...p, items: p.items.map((a) => ({ ...a, id: `${a.recording_id}:${a.action}` })) }}
            columns={COLUMNS} row={(a) => <PlanRow a={a} />} onPage={setPage} testId="plan-table" />
        )}
      </QueryState>
    </section>
  );
}
