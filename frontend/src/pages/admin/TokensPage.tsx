import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { describeError } from '../../api/errors';
import { keys } from '../../api/keys';
import type { ApiToken } from '../../api/types';
import { PageHeader } from '../../components/Layout';
import { ConfirmDialog } from '../../components/Modal';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatDateTime, formatRelative } from '../../lib/format';
import { TokenCreate } from './TokenCreate';

function tokenState(t: ApiToken, now = Date.now()): 'revoked' | 'expired' | 'active' {
  if (t.revoked_at) return 'revoked';
  if (t.expires_at && Date.parse(t.expires_at) <= now) return 'expired';
  return 'active';
}

const COLUMNS = ['Remark', 'Prefix', 'Permissions', 'Cameras', 'Expires', 'Last used', { hidden: 'Actions' }] as const;

function TokenRow({ token: t, onRevoke }: { token: ApiToken; onRevoke: (t: ApiToken) => void }) {
  const st = tokenState(t);
  return (
    <tr className={st === 'active' ? undefined : 'row--inactive'}>
      <td data-label="Remark">{t.remark} {st !== 'active' && <span className="tag tag--warn">{st}</span>}</td>
      <td data-label="Prefix"><code>{t.prefix}…</code></td>
      <td data-label="Permissions"><span className="small">{t.permissions.join(', ')}</span></td>
      <td data-label="Cameras">{t.camera_ids ? `${t.camera_ids.length} selected` : 'all'}{t.ip_allowlist.length ? <div className="muted small">IP: {t.ip_allowlist.join(', ')}</div> : null}</td>
      <td data-label="Expires">{t.expires_at ? formatDateTime(t.expires_at) : 'never'}</td>
      <td data-label="Last used">{formatRelative(t.last_used_at)}</td>
      <td className="row-actions">
        {st !== 'revoked' && <button type="button" className="btn btn--small btn--danger" onClick={() => onRevoke(t)}>Revoke</button>}
      </td>
    </tr>
  );
}

export default function TokensPage() {
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const tokens = useQuery({ queryKey: [...keys.tokens, page], queryFn: () => api.tokens.list(page), placeholderData: keepPreviousData });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api.tokens.revoke(id),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: keys.tokens });
    },
  });
  return (
    <>
      <PageHeader title="API tokens">
        <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="token-add">+ New token</button>
      </PageHeader>
      <QueryState query={tokens} isEmpty={(p) => p.items.length === 0} empty={<EmptyState title="No API tokens">Create one for an integration; its secret is shown once.</EmptyState>}>
        {(p) => <PagedTable page={p} columns={COLUMNS} row={(t) => <TokenRow token={t} onRevoke={setRevoking} />} onPage={setPage} />}
      </QueryState>
      {creating && <TokenCreate onClose={() => setCreating(false)} />}
      {revoking && (
        <ConfirmDialog title={`Revoke “${revoking.remark}”?`} confirmLabel="Revoke" danger busy={revoke.isPending}
          message={<>Requests with this token fail immediately.{revoke.error ? <div className="alert alert--error">{describeError(revoke.error)}</div> : null}</>}
          onCancel={() => setRevoking(null)} onConfirm={() => revoke.mutate(revoking.id)} />
      )}
    </>
  );
}
