// What every request to the REST API shares: cookie session, CSRF header on
// writes, typed errors and "log in again" on 401. The typed client
// (`client.ts`) and the XMLHttpRequest uploads (`upload.ts`) both use it.

/** An error answered by the API (`{"error": {"code","message","field"?}}`) or the network. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
  ) {
    super(message)
  }
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Reads one cookie from a `document.cookie`-style string. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return undefined
}

/** The headers a request needs: JSON content type and, on writes, the CSRF token from the `lms_csrf` cookie. */
export function requestHeaders(method: string, cookies: string, json: boolean): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json' }
  if (json) h['Content-Type'] = 'application/json'
  if (WRITE_METHODS.has(method.toUpperCase())) {
    const csrf = readCookie(cookies, 'lms_csrf')
    if (csrf) h['X-CSRF-Token'] = csrf
  }
  return h
}

/** Turns a failed response body into an ApiError. */
export function errorFromBody(status: number, body: unknown): ApiError {
  const e: unknown = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined
  if (typeof e === 'object' && e !== null) {
    const { code, message, field } = e as { code?: unknown; message?: unknown; field?: unknown }
    if (typeof code === 'string')
      return new ApiError(status, code, typeof message === 'string' ? message : code, typeof field === 'string' ? field : undefined)
  }
  return new ApiError(status, status === 0 ? 'network' : `http_${status}`, `HTTP ${status}`)
}

/**
 * Whether a 401 from `path` means "log in again". Not for `/auth/…`: a
 * wrong password, the session check (`/auth/me`, where the router decides:
 * public pages such as an invitation link stay) and the public endpoints.
 */
export const sendsToLogin = (path: string) => !path.startsWith('/auth/')

type UnauthorizedHandler = () => void
let onUnauthorized: UnauthorizedHandler = () => {}
/** Called on 401 from any request but `/auth/…` (the app goes to the login page). */
export function setUnauthorizedHandler(f: UnauthorizedHandler) {
  onUnauthorized = f
}

/** Tells the app that a request to `path` (after `/api/v1`) was refused with 401. */
export function unauthorized(path: string) {
  if (sendsToLogin(path)) onUnauthorized()
}
