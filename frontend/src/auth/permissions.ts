import type { Me, Permission } from '../api/types';

/** What the signed-in user may do; the UI hides controls the API would refuse. */
export function can(me: Pick<Me, 'permissions'> | null | undefined, p: Permission): boolean {
  return !!me?.permissions.includes(p);
}

/** What `GET /storage` (tier usage, forecast) and `GET /storage/plan` ask for. */
export const STORAGE_READ: Permission = 'recording.delete';

export interface NavItem {
  to: string;
  label: string;
  needs: Permission;
}

export const NAV: NavItem[] = [
  { to: '/', label: 'Dashboard', needs: 'stats.read' },
  { to: '/cameras', label: 'Cameras', needs: 'camera.read' },
  { to: '/live', label: 'Live view', needs: 'camera.watch' },
  { to: '/recordings', label: 'Recordings', needs: 'recording.read' },
  { to: '/timeline', label: 'Timeline', needs: 'recording.read' },
  { to: '/exports', label: 'Exports', needs: 'recording.read' },
  { to: '/alerts', label: 'Alerts', needs: 'alert.read' },
  { to: '/storage', label: 'Storage', needs: STORAGE_READ },
  { to: '/admin/users', label: 'Users', needs: 'user.manage' },
  { to: '/admin/tokens', label: 'API tokens', needs: 'token.manage' },
  { to: '/admin/audit', label: 'Audit log', needs: 'audit.read' },
  { to: '/admin/alert-channels', label: 'Alert channels', needs: 'alert.channel.manage' },
];

export function visibleNav(me: Pick<Me, 'permissions'> | null | undefined): NavItem[] {
  return NAV.filter((n) => can(me, n.needs));
}
