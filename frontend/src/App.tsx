import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { Permission } from './api/types';
import { useAuth } from './auth/AuthProvider';
import { STORAGE_READ } from './auth/permissions';
import { Layout } from './components/Layout';
import { ErrorState, Spinner } from './components/States';
import { LoginPage } from './pages/LoginPage';
import { RealtimeProvider } from './realtime/RealtimeProvider';

const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const CamerasPage = lazy(() => import('./pages/cameras/CamerasPage'));
const LivePage = lazy(() => import('./pages/LivePage'));
const RecordingsPage = lazy(() => import('./pages/RecordingsPage'));
const TimelinePage = lazy(() => import('./pages/TimelinePage'));
const ExportsPage = lazy(() => import('./pages/exports/ExportsPage'));
const StoragePage = lazy(() => import('./pages/storage/StoragePage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const TokensPage = lazy(() => import('./pages/admin/TokensPage'));
const AuditPage = lazy(() => import('./pages/admin/AuditPage'));
const AlertsPage = lazy(() => import('./pages/alerts/AlertsPage'));
const AlertChannelsPage = lazy(() => import('./pages/admin/AlertChannelsPage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));

function RequireAuth({ children }: { children: ReactNode }) {
  const { signedIn, me, meLoading, meError } = useAuth();
  const location = useLocation();
  if (!signedIn) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  if (meLoading) return <Spinner label="Signing in…" />;
  if (!me) return <ErrorState error={meError} />;
  return <RealtimeProvider>{children}</RealtimeProvider>;
}

function Gate({ needs, children }: { needs: Permission; children: ReactNode }) {
  const { can } = useAuth();
  if (!can(needs)) {
    return (
      <div className="state state--error" role="alert" data-testid="forbidden">
        You do not have access to this page.
      </div>
    );
  }
  return <Suspense fallback={<Spinner />}>{children}</Suspense>;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireAuth>
            <Layout />
          </RequireAuth>
        }
      >
        <Route index element={<Gate needs="stats.read"><DashboardPage /></Gate>} />
        <Route path="cameras" element={<Gate needs="camera.read"><CamerasPage /></Gate>} />
        <Route path="live" element={<Gate needs="camera.watch"><LivePage /></Gate>} />
        <Route path="recordings" element={<Gate needs="recording.read"><RecordingsPage /></Gate>} />
        <Route path="timeline" element={<Gate needs="recording.read"><TimelinePage /></Gate>} />
        <Route path="exports" element={<Gate needs="recording.read"><ExportsPage /></Gate>} />
        <Route path="alerts" element={<Gate needs="alert.read"><AlertsPage /></Gate>} />
        <Route path="storage" element={<Gate needs={STORAGE_READ}><StoragePage /></Gate>} />
        <Route path="admin/users" element={<Gate needs="user.manage"><UsersPage /></Gate>} />
        <Route path="admin/tokens" element={<Gate needs="token.manage"><TokensPage /></Gate>} />
        <Route path="admin/audit" element={<Gate needs="audit.read"><AuditPage /></Gate>} />
        <Route path="admin/alert-channels" element={<Gate needs="alert.channel.manage"><AlertChannelsPage /></Gate>} />
        <Route path="profile" element={<Suspense fallback={<Spinner />}><ProfilePage /></Suspense>} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AppRoutes />
    </BrowserRouter>
  );
}
