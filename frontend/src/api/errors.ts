import type { ErrorBody, FieldErrors } from './types';

/** A failed API call, decoded from `{"error":{code,message,details}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Seconds from `Retry-After` (429), if given. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details: unknown = null, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** `details` of a 422 as `{field: [{code, message}]}`, or `{}`. */
  get fieldErrors(): FieldErrors {
    if (this.status !== 422 || !this.details || typeof this.details !== 'object') return {};
    const out: FieldErrors = {};
    for (const [field, list] of Object.entries(this.details as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      out[field] = list
        .filter((e): e is { code?: unknown; message?: unknown } => !!e && typeof e === 'object')
        .map((e) => ({
          code: typeof e.code === 'string' ? e.code : 'invalid',
          message: typeof e.message === 'string' ? e.message : 'is invalid',
        }));
    }
    return out;
  }
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, Math.ceil(secs));
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export async function errorFromResponse(res: Response): Promise<ApiError> {
  let body: Partial<ErrorBody> | null = null;
  try {
    body = (await res.json()) as Partial<ErrorBody>;
  } catch {
    body = null;
  }
  const err = body?.error;
  return new ApiError(
    res.status,
    err?.code ?? `http_${res.status}`,
    err?.message ?? (res.statusText || `Request failed (${res.status})`),
    err?.details ?? null,
    parseRetryAfter(res.headers.get('retry-after')),
  );
}

/** A human sentence for any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return 'Cannot reach the Argus server. Check your connection.';
    if (e.status === 403) return `Not allowed: ${e.message}`;
    return e.message;
  }
  if (e instanceof Error) return e.message;
  return 'Something went wrong';
}
