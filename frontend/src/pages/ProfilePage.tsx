import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useAuth } from '../auth/AuthProvider';
import { FormError, TextField } from '../components/Field';
import { PageHeader } from '../components/Layout';
import { formatDateTime } from '../lib/format';
import { mapFormError, NO_ERRORS } from '../lib/formErrors';

export default function ProfilePage() {
  const { me } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState(NO_ERRORS);
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: () => api.auth.changePassword(current, next),
    onSuccess: () => {
      setDone(true);
      setCurrent('');
      setNext('');
      setConfirm('');
    },
    onError: (e) => setErrors(mapFormError(e, ['current_password', 'new_password'])),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (next !== confirm) return setErrors({ fields: { confirm: 'The passwords do not match.' }, form: null });
    setErrors(NO_ERRORS);
    change.mutate();
  };
  return (
    <>
      <PageHeader title="Profile" />
      <section className="panel">
        <dl className="detail__grid">
          <dt>Username</dt><dd>{me?.username}</dd>
          <dt>Role</dt><dd>{me?.role}</dd>
          <dt>Email</dt><dd>{me?.email ?? '—'}</dd>
          <dt>Last sign-in</dt><dd>{formatDateTime(me?.last_login_at)}</dd>
          <dt>Permissions</dt><dd>{me?.permissions.join(', ')}</dd>
        </dl>
      </section>
      <section className="panel">
        <h2>Change password</h2>
        <form className="form-grid form-narrow" onSubmit={submit} noValidate>
          <FormError message={errors.form} />
          {done && <div className="alert alert--info" role="status">Password changed. Your other sessions were signed out.</div>}
          <TextField label="Current password" name="current_password" type="password" autoComplete="current-password" value={current} error={errors.fields.current_password} onChange={(e) => setCurrent(e.target.value)} />
          <TextField label="New password" name="new_password" type="password" autoComplete="new-password" value={next} error={errors.fields.new_password} onChange={(e) => setNext(e.target.value)} />
          <TextField label="Repeat new password" name="confirm" type="password" autoComplete="new-password" value={confirm} error={errors.fields.confirm} onChange={(e) => setConfirm(e.target.value)} />
          <div><button type="submit" className="btn btn--primary" disabled={change.isPending || !current || !next}>{change.isPending ? 'Saving…' : 'Change password'}</button></div>
        </form>
      </section>
    </>
  );
}
