import { Fragment, type ReactNode } from 'react';
import type { Page } from '../api/types';
import { Pager } from './Pager';

/** A column header: its visible label, or `{ hidden }` for a label only screen readers get (e.g. "Actions"). */
export type Column = string | { hidden: string };

/**
 * One page of a list as a table (`table--cards`: rows become cards on a phone, labelled by each
 * cell's `data-label`) followed by the pager. `row` renders the `<tr>`(s) of one item.
 */
export function PagedTable<T extends { id: string }>({
  page,
  columns,
  row,
  onPage,
  testId,
}: {
  page: Page<T>;
  columns: readonly Column[];
  row: (item: T) => ReactNode;
  onPage: (p: number) => void;
  testId?: string;
}) {
  return (
    <>
      <div className="table-wrap">
        <table className="table table--cards" data-testid={testId}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={typeof c === 'string' ? c : c.hidden} scope="col">
                  {typeof c === 'string' ? c : <span className="sr-only">{c.hidden}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.items.map((item) => (
              <Fragment key={item.id}>{row(item)}</Fragment>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={page.page} totalPages={page.total_pages} total={page.total} onPage={onPage} />
    </>
  );
}
