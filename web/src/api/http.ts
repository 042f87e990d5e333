// The REST client: cookie session, CSRF header on writes, typed errors.

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
  const e = (body as any)?.error
  if (e && typeof e.code === 'string') return new ApiError(status, e.code, e.message ?? e.code, e.field ?? undefined)
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

/** Sends a request to `/api/v1{path}` and returns the parsed JSON (undefined for 204). */
export async function api<T = any>(method: string, path: string, body?: unknown, fetchImpl: typeof fetch = fetch): Promise<T> {
  const json = body !== undefined
  let res: Response
  try {
    res = await fetchImpl(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: requestHeaders(method, typeof document === 'undefined' ? '' : document.cookie, json),
      body: json ? JSON.stringify(body) : undefined,
    })
  } catch (e) {
    throw new ApiError(0, 'network', String(e))
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = undefined
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = text
  }
  if (!res.ok) {
    if (res.status === 401 && sendsToLogin(path)) onUnauthorized()
    throw errorFromBody(res.status, data)
  }
  return data as T
}

export const get = <T = any>(p: string) => api<T>('GET', p)
export const post = <T = any>(p: string, b: unknown = {}) => api<T>('POST', p, b)
export const put = <T = any>(p: string, b: unknown = {}) => api<T>('PUT', p, b)
export const del = <T = any>(p: string) => api<T>('DELETE', p)
