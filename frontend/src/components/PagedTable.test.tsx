import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { PagedTable } from './PagedTable';

describe('PagedTable', () => {
  it('renders the card table (headers, labelled cells) and the pager', () => {
    const onPage = vi.fn();
    const { container } = render(
      <PagedTable
        page={{ items: [{ id: 'a', name: 'One' }, { id: 'b', name: 'Two' }], page: 1, total_pages: 2, total: 3, limit: 2 }}
        columns={['Name', { hidden: 'Actions' }]}
        row={(it) => <tr data-testid={`row-${it.id}`}><td data-label="Name">{it.name}</td><td className="row-actions" /></tr>}
        onPage={onPage}
        testId="things-table"
      />,
    );
    const table = screen.getByTestId('things-table');
    expect(table.className).toBe('table table--cards');
    expect(table.parentElement?.className).toBe('table-wrap');
    const ths = Array.from(table.querySelectorAll('thead th'));
    expect(ths.map((th) => th.getAttribute('scope'))).toEqual(['col', 'col']);
    expect(ths[0].textContent).toBe('Name');
    expect(ths[1].innerHTML).toBe('<span class="sr-only">Actions</span>');
    expect(screen.getByTestId('row-b').querySelector('td[data-label="Name"]')?.textContent).toBe('Two');
    expect(container.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(screen.getByText('Page 1 of 2 · 3 total')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next ›' }));
    expect(onPage).toHaveBeenCalledWith(2);
  });
});
