// The typed REST client: `openapi-fetch` over the paths of the server's
// OpenAPI document (`schema.d.ts`, generated from `openapi.json` by
// `npm run gen:api`). The middleware keeps what every request did before:
// the cookie session, `Accept: application/json`, the CSRF header on writes,
// "log in again" on a 401 (not from `/auth/…`) and an `ApiError` for a
// failed request or a network failure. The modules per aggregate (courses,
// lessons, homework, …; see index.ts) call it; views call them.
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError, errorFromBody, requestHeaders, unauthorized } from './http'

/** Every path of the API starts with this. */
export const API_PREFIX = '/api/v1'

/** A path of the API as the errors and the 401 rule name it (without `/api/v1`). */
export function apiPath(url: string): string {
  const path = new URL(url, 'http://localhost').pathname
  return path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path
}

const cookies = () => (typeof document === 'undefined' ? '' : document.cookie)

/** Headers, 401 and network failures (see the top of the file). */
export const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    // `openapi-fetch` sets `Content-Type: application/json` when there is a body.
    for (const [k, v] of Object.entries(requestHeaders(request.method, cookies(), false))) request.headers.set(k, v)
    return request
  },
  onResponse({ request, response }) {
    if (response.status === 401) unauthorized(apiPath(request.url))
    return response
  },
  onError({ error }) {
    return error instanceof ApiError ? error : new ApiError(0, 'network', String(error))
  },
}

// Same origin: the paths are absolute (`/api/v1/…`), the origin only makes
// them URLs `Request` accepts outside a browser too.
const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin

/** The client; `fetch` is looked up at each call (tests replace it). */
export const client = createClient<paths>({
  baseUrl: origin,
  credentials: 'same-origin',
  fetch: (request: Request) => globalThis.fetch(request),
})
client.use(sessionMiddleware)

/** What an `openapi-fetch` call resolves to: the data, or the error body, and the response. */
interface Answer<D> {
  data?: D
  error?: unknown
  response: Response
}

/** The data of a successful answer; a failed one throws its `ApiError` (`{"error": {"code", "message", "field"?}}`). */
export async function ok<D>(call: Promise<Answer<D>>): Promise<D> {
  const { data, error, response } = await call
  if (!response.ok) throw errorFromBody(response.status, error)
  return data as D
}

/** For answers without a body (204): resolves once the request succeeded. */
export async function done(call: Promise<Answer<unknown>>): Promise<void> {
  await ok(call)
}
