import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { describeError } from '../../api/errors';
import { keys } from '../../api/keys';
import type { NewUser, Role, User } from '../../api/types';
import { useAuth } from '../../auth/AuthProvider';
import { FormError, SelectField, TextField } from '../../components/Field';
import { PageHeader } from '../../components/Layout';
import { ConfirmDialog, Modal } from '../../components/Modal';
import { PagedTable } from '../../components/PagedTable';
import { QueryState } from '../../components/States';
import { formatRelative } from '../../lib/format';
import { mapFormError, NO_ERRORS } from '../../lib/formErrors';

const ROLES: Role[] = ['admin', 'operator', 'viewer', 'api'];
const COLUMNS = ['User', 'Role', 'Status', 'Last sign-in', { hidden: 'Actions' }] as const;

function CreateUser({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [v, setV] = useState<NewUser>({ username: '', password: '', email: '', role: 'viewer' });
  const [errors, setErrors] = useState(NO_ERRORS);
  const create = useMutation({
    mutationFn: (body: NewUser) => api.users.create(body),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.users });
      onClose();
    },
    onError: (e) => setErrors(mapFormError(e, ['username', 'password', 'email', 'role'], 'username')),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setErrors(NO_ERRORS);
    create.mutate({ ...v, username: v.username.trim(), email: v.email?.trim() || null });
  };
  const bind = (k: 'username' | 'password' | 'email') => ({ name: k, value: v[k] ?? '', error: errors.fields[k], onChange: (e: { target: { value: string } }) => setV((s) => ({ ...s, [k]: e.target.value })) });
  return (
    <Modal title="New user" onClose={onClose}>
      <form className="modal__body form-grid" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <TextField label="Username" autoComplete="off" {...bind('username')} />
        <TextField label="Password" type="password" autoComplete="new-password" {...bind('password')} />
        <TextField label="Email (optional)" type="email" {...bind('email')} />
        <SelectField label="Role" name="role" value={v.role} error={errors.fields.role} onChange={(e) => setV((s) => ({ ...s, role: e.target.value as Role }))}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </SelectField>
        <footer className="modal__foot">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn--primary" disabled={create.isPending}>{create.isPending ? 'Creating…' : 'Create user'}</button>
        </footer>
      </form>
    </Modal>
  );
}

export default function UsersPage() {
  const qc = useQueryClient();
  const { me } = useAuth();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const query = { q: q || undefined, page, limit: 25 };
  const users = useQuery({ queryKey: keys.userList(query), queryFn: () => api.users.list(query), placeholderData: keepPreviousData });
  const [creating, setCreating] = useState(false);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const update = useMutation({
    mutationFn: ({ id, fn }: { id: string; fn: (id: string) => Promise<User> }) => fn(id),
    onSuccess: () => {
      setDeactivating(null);
      void qc.invalidateQueries({ queryKey: keys.users });
    },
  });

  return (
    <>
      <PageHeader title="Users">
        <button type="button" className="btn btn--primary" onClick={() => setCreating(true)} data-testid="user-add">+ New user</button>
      </PageHeader>
      <div className="filters">
        <input type="search" aria-label="Search users" placeholder="Search users…" value={q} onChange={(e) => { setQ(e.target.value); setPage(1); }} />
      </div>
      {update.error && <div className="alert alert--error" role="alert">{describeError(update.error)}</div>}
      <QueryState query={users}>
        {(p) => (
          <PagedTable page={p} columns={COLUMNS} onPage={setPage} row={(u) => (
            <tr className={u.is_active ? undefined : 'row--inactive'}>
              <td data-label="User">{u.username}<div className="muted small">{u.email ?? ''}</div></td>
              <td data-label="Role">
                <select aria-label={`Role of ${u.username}`} value={u.role} disabled={u.id === me?.id || update.isPending}
                  onChange={(e) => update.mutate({ id: u.id, fn: (id) => api.users.update(id, { role: e.target.value as Role }) })}>
                  {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                </select>
              </td>
              <td data-label="Status">{u.is_active ? 'active' : <span className="tag tag--warn">deactivated</span>}</td>
              <td data-label="Last sign-in">{formatRelative(u.last_login_at)}</td>
              <td className="row-actions">
                {u.is_active ? (
                  <button type="button" className="btn btn--small btn--danger" disabled={u.id === me?.id} onClick={() => setDeactivating(u)}>Deactivate</button>
                ) : (
                  <button type="button" className="btn btn--small" onClick={() => update.mutate({ id: u.id, fn: (id) => api.users.update(id, { is_active: true }) })}>Reactivate</button>
                )}
              </td>
            </tr>
          )} />
        )}
      </QueryState>
      {creating && <CreateUser onClose={() => setCreating(false)} />}
      {deactivating && (
        <ConfirmDialog title={`Deactivate ${deactivating.username}?`} message="They are signed out everywhere and can no longer sign in." confirmLabel="Deactivate" danger
          busy={update.isPending} onCancel={() => setDeactivating(null)} onConfirm={() => update.mutate({ id: deactivating.id, fn: api.users.deactivate })} />
      )}
    </>
  );
}
