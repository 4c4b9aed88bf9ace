import { Fragment, type ReactNode } from 'react';
import type { Page } from '../api/types';
import { Pager } from './Pager';

/** A column header: its visible label, or `{ hidden }` for a label only screen readers get (e.g. "Actions"). */
export type Column = string | { hidden: string };

/**
 * Rows as a table (`table--cards`: rows become cards on a phone, labelled by each cell's
 * `data-label`). `row` renders the `<tr>`(s) of one item.
 */
export function Table<T extends { id: string }>({
  items,
  columns,
  row,
  testId,
}: {
  items: readonly T[];
  columns: readonly Column[];
  row: (item: T) => ReactNode;
  testId?: string;
}) {
  return (
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
          {items.map((item) => (
            <Fragment key={item.id}>{row(item)}</Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One page of a list as a `Table`, followed by the pager. */
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
      <Table items={page.items} columns={columns} row={row} testId={testId} />
      <Pager page={page.page} totalPages={page.total_pages} total={page.total} onPage={onPage} />
    </>
  );
}
