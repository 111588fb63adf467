/**
 * One error class for the whole API. A code maps to exactly one HTTP status, so
 * routes and services throw `new ApiError("out_of_stock", "...")` and never pick
 * a status themselves. The JSON shape is the one in API.md:
 * `{ "error": { "code", "message", "details"?, "request_id" } }`.
 */
const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_token: 401,
  payment_declined: 402,
  forbidden: 403,
  not_a_verified_buyer: 403,
  account_suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  price_changed: 409,
  email_taken: 409,
  username_taken: 409,
  out_of_stock: 409,
  cart_empty: 409,
  invalid_state: 409,
  category_in_use: 409,
  reservation_expired: 409,
  coupon_not_applicable: 409,
  not_shippable: 409,
  bid_too_low: 409,
  auction_ended: 409,
  already_reviewed: 409,
  refund_exceeds_payment: 409,
  idempotency_key_reused: 409,
  idempotency_request_in_progress: 409,
  payload_too_large: 413,
  upgrade_required: 426,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export type ErrorStatus = (typeof ERROR_STATUS)[ErrorCode];

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `shipping_address.city`; empty for the body itself. */
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly details?: ErrorDetail[];
  /** Extra response headers, e.g. `Retry-After` on 429. */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.details = opts.details;
    this.headers = opts.headers;
  }
}

export function errorBody(code: ErrorCode, message: string, requestId: string | undefined, details?: ErrorDetail[]) {
  return {
    error: {
      code,
      message,
      ...(details && details.length > 0 ? { details } : {}),
      ...(requestId ? { request_id: requestId } : {}),
    },
  };
}
