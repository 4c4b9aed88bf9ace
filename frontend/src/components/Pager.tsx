export function Pager({ page, totalPages, total, onPage }: { page: number; totalPages: number; total: number; onPage: (p: number) => void }) {
  if (total === 0) return null;
  return (
    <nav className="pager" aria-label="Pagination">
      <button type="button" className="btn btn--small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span className="muted">
        Page {page} of {Math.max(1, totalPages)} · {total} total
      </span>
      <button type="button" className="btn btn--small" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </nav>
  );
}
