// The storage job: its schedule, its recorded runs (paged) and, for admins, "Run now".
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api';
import { ApiError, describeError } from '../../api/errors';
import { keys } from '../../api/keys';
import type { JobRun } from '../../api/types';
import { Can } from '../../auth/AuthProvider';
import { PagedTable } from '../../components/PagedTable';
import { EmptyState, QueryState } from '../../components/States';
import { formatDateTime, formatInterval, formatRelative } from '../../lib/format';

export const STORAGE_JOB = 'storage';
export const RUNS_PAGE_SIZE = 10;
const COLUMNS = ['Started', 'Duration', 'Outcome', 'Items', 'Node'] as const;

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

function Outcome({ run }: { run: JobRun }) {
  return <span className={`tag tag--outcome-${run.outcome}`} title={run.error ?? undefined}>{run.outcome}</span>;
}

function RunRow({ run }: { run: JobRun }) {
  return (
    <tr data-testid={`run-row-${run.id}`}>
      <td data-label="Started">{formatDateTime(run.started_at)}</td>
      <td data-label="Duration">{seconds(run.duration_ms)}</td>
      <td data-label="Outcome"><Outcome run={run} />{run.error && <div className="muted small">{run.error}</div>}</td>
      <td data-label="Items">{run.items}</td>
      <td data-label="Node"><code>{run.node}</code></td>
    </tr>
  );
}

/** What "Run now" answered: the run, or why there was none. */
function runMessage(run: JobRun | undefined, error: unknown): { tone: 'info' | 'warn' | 'error'; text: string } | null {
  if (error instanceof ApiError && error.status === 409) return { tone: 'warn', text: 'The storage job is already running; its result shows here when it ends.' };
  if (error) return { tone: 'error', text: describeError(error) };
  if (!run) return null;
  const what = `${run.items} item${run.items === 1 ? '' : 's'} in ${seconds(run.duration_ms)}`;
  if (run.outcome === 'failed') return { tone: 'error', text: `The run failed after ${what}: ${run.error ?? 'no reason given'}` };
  return { tone: 'info', text: `The run finished (${run.outcome}): ${what}.` };
}

function RunNow() {
  const qc = useQueryClient();
  const run = useMutation({
    mutationFn: () => api.jobs.runNow(STORAGE_JOB),
    // A finished run (or a 409: one is running) changes tiers, the plan and the history.
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: keys.storage });
      void qc.invalidateQueries({ queryKey: keys.recordings });
      void qc.invalidateQueries({ queryKey: keys.stats });
    },
  });
  const msg = runMessage(run.data, run.error);
  return (
    <>
      <button type="button" className="btn btn--primary" disabled={run.isPending} onClick={() => run.mutate()} data-testid="job-run-now">
        {run.isPending ? 'Running…' : 'Run now'}
      </button>
      {msg && <div className={`alert alert--${msg.tone} job__result`} role="status" data-testid="job-run-result">{msg.text}</div>}
    </>
  );
}

export function JobSection() {
  const [page, setPage] = useState(1);
  const jobs = useQuery({ queryKey: keys.jobs, queryFn: api.jobs.list });
  const runs = useQuery({ queryKey: keys.jobRuns(STORAGE_JOB, page), queryFn: () => api.jobs.runs(STORAGE_JOB, page, RUNS_PAGE_SIZE), placeholderData: keepPreviousData });
  const job = jobs.data?.find((j) => j.name === STORAGE_JOB);
  const last = job?.last_run;
  return (
    <section className="panel" aria-labelledby="job-head">
      <div className="panel__head">
        <h2 id="job-head">Storage job</h2>
        <Can needs="job.run"><RunNow /></Can>
      </div>
      {job && (
        <dl className="detail__grid job__summary" data-testid="job-summary">
          <dt>Schedule</dt><dd>{formatInterval(job.interval_secs)}</dd>
          <dt>Last start</dt><dd data-testid="job-last-start">{last ? `${formatDateTime(last.started_at)} (${formatRelative(last.started_at)})` : 'never'}</dd>
          {last && <><dt>Last outcome</dt><dd data-testid="job-last-outcome"><Outcome run={last} /> {last.items} items in {seconds(last.duration_ms)}</dd></>}
          <dt>Next run</dt><dd data-testid="job-next-run">{job.next_run_at ? `${formatDateTime(job.next_run_at)} (${formatRelative(job.next_run_at)})` : 'not scheduled yet'}</dd>
        </dl>
      )}
      <h3>History</h3>
      <QueryState query={runs} isEmpty={(p) => p.total === 0} empty={<EmptyState title="No runs recorded yet" />}>
        {(p) => <PagedTable page={p} columns={COLUMNS} row={(r) => <RunRow run={r} />} onPage={setPage} testId="job-runs" />}
      </QueryState>
    </section>
  );
}
