import { useState } from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { AlertBell } from './AlertBell';
import { Icon } from './Icon';
import { useAuth } from '../auth/AuthProvider';
import { visibleNav } from '../auth/permissions';
import { useConnectionState } from '../realtime/RealtimeProvider';

const CONN_LABEL = { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', stopped: 'Offline' } as const;

export function Layout() {
  const { me, logout } = useAuth();
  const conn = useConnectionState();
  const [menuOpen, setMenuOpen] = useState(false);
  const nav = visibleNav(me);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="topbar__menu btn btn--ghost"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <Icon name="menu" /> <span className="sr-only">Menu</span>
        </button>
        <span className="brand">
          <span className="brand__eye" aria-hidden="true" />
          Argus
        </span>
        <span className={`conn conn--${conn}`} data-testid="ws-state" title="Real-time connection">
          <span className="badge__dot" aria-hidden="true" />
          {CONN_LABEL[conn]}
        </span>
        <span className="topbar__spacer" />
        <AlertBell />
        <NavLink to="/profile" className="topbar__user" data-testid="current-user">
          {me?.username} <span className="muted">({me?.role})</span>
        </NavLink>
        <button type="button" className="btn btn--small" onClick={() => void logout()} data-testid="logout">
          Sign out
        </button>
      </header>
      <nav id="primary-nav" className={`sidenav${menuOpen ? ' sidenav--open' : ''}`} aria-label="Primary">
        {nav.map((n) => (
          <NavLink key={n.to} to={n.to} end={n.to === '/'} onClick={() => setMenuOpen(false)} data-testid={`nav-${n.to.replace(/\W+/g, '') || 'home'}`}>
            {n.label}
          </NavLink>
        ))}
        <NavLink to="/profile" onClick={() => setMenuOpen(false)}>
          Profile
        </NavLink>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {children && <div className="page-head__actions">{children}</div>}
    </div>
  );
}
