import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { takeSessionEndedReason } from '../api';
import { ApiError, describeError } from '../api/errors';
import { useAuth } from '../auth/AuthProvider';
import { TextField } from '../components/Field';
import { formatRetryAfter } from '../lib/format';

export function loginErrorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return 'Wrong username or password.';
    if (e.status === 429) {
      return e.retryAfter
        ? `Too many sign-in attempts. Try again in ${formatRetryAfter(e.retryAfter)}.`
        : 'Too many sign-in attempts. Try again later.';
    }
    if (e.status === 403) return e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.';
  }
  return describeError(e);
}

export function LoginPage() {
  const { signedIn, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice] = useState(() => takeSessionEndedReason());
  const [lockedUntil, setLockedUntil] = useState(0);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (lockedUntil <= Date.now()) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [lockedUntil]);

  if (signedIn) return <Navigate to={from} replace />;
  const lockSecs = Math.max(0, Math.ceil((lockedUntil - now) / 1000));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(from, { replace: true });
    } catch (err) {
      setError(loginErrorMessage(err));
      if (err instanceof ApiError && err.status === 429 && err.retryAfter) {
        setLockedUntil(Date.now() + err.retryAfter * 1000);
        setNow(Date.now());
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="login__card" onSubmit={submit} noValidate aria-labelledby="login-title">
        <div className="brand brand--large">
          <span className="brand__eye" aria-hidden="true" />
          Argus
        </div>
        <h1 id="login-title">Sign in</h1>
        {notice && (
          <div className="alert alert--info" role="status">
            {notice}
          </div>
        )}
        {error && (
          <div className="alert alert--error" role="alert" data-testid="login-error">
            {error}
            {lockSecs > 0 && <div className="muted">You can retry in {lockSecs} s.</div>}
          </div>
        )}
        <TextField label="Username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <button type="submit" className="btn btn--primary btn--block" disabled={busy || lockSecs > 0 || !username || !password} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
