// An export's state as a progress bar and a line of text (export dialog and Exports page).

import type { ExportView } from '../../api/footage';
import { formatDuration } from '../../lib/format';

export function exportStatusText(x: ExportView): string {
  if (x.state === 'queued') return 'Queued';
  if (x.state === 'done') return 'Done';
  if (x.state === 'failed') return `Failed${x.error ? `: ${x.error}` : ''}`;
  return `${x.progress_percent} %${x.eta_secs != null ? ` · ${formatDuration(x.eta_secs * 1000)} left` : ''}`;
}

export function ExportProgress({ x }: { x: ExportView }) {
  const pct = x.state === 'done' ? 100 : Math.min(100, Math.max(0, x.progress_percent));
  return (
    <div className={`export-progress export-progress--${x.state}`} data-testid={`export-progress-${x.id}`} data-state={x.state}>
      <div className="progress" role="progressbar" aria-label="Export progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className="progress__fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="small" data-testid="export-status">{exportStatusText(x)}</span>
    </div>
  );
}
