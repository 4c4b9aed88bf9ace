import { Link } from 'react-router-dom';
import { useAlertSummary } from '../api/hooks';
import { Can } from '../auth/AuthProvider';
import { bellCount } from '../realtime/alertEvents';
import { Icon } from './Icon';

function Bell() {
  const count = bellCount(useAlertSummary().data);
  const label = count === 0 ? 'No open alerts' : `${count} open alert${count === 1 ? '' : 's'}`;
  return (
    <Link to="/alerts?state=open" className={`bell btn btn--ghost${count ? ' bell--active' : ''}`} data-testid="alert-bell" title={label} aria-label={label}>
      <Icon name="bell" />
      {count > 0 && <span className="bell__count" data-testid="alert-bell-count" aria-hidden="true">{count > 99 ? '99+' : count}</span>}
    </Link>
  );
}

/** The header's bell: the open alert count, live; a link to the Alerts page. Only with alert.read. */
export function AlertBell() {
  return <Can needs="alert.read"><Bell /></Can>;
}
