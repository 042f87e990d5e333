// A fake server behind `fetch` for the views' tests: the typed client
// (src/api) sends its real requests and this answers them. Each method is a
// `vi.fn(path, body?)` with the path after `/api/v1` (query string included)
// and the parsed JSON body; what it returns is the JSON answer (`undefined`:
// 204), an `ApiError` it throws is the `{"error": {...}}` answer with that
// status, any other throw is a network failure.
import { beforeEach, vi, type Mock } from 'vitest'
import { ApiError } from '../src/api/http'

export type Handler = (path: string, body?: unknown) => unknown
export interface FakeApi {
  get: Mock<Handler>
  post: Mock<Handler>
  put: Mock<Handler>
  patch: Mock<Handler>
  del: Mock<Handler>
  /** Every request as sent: method, path (after `/api/v1`, with the query) and headers. */
  requests: { method: string; path: string; headers: Headers; body: unknown }[]
  /** Forgets the calls and the answers (every method answers `undefined` again). */
  reset(): void
}

/** Replaces `fetch` with the fake server (call it at the top of a test file; it stays before each test). */
export function fakeApi(): FakeApi {
  const api: FakeApi = {
    get: vi.fn<Handler>(),
    post: vi.fn<Handler>(),
    put: vi.fn<Handler>(),
    patch: vi.fn<Handler>(),
    del: vi.fn<Handler>(),
    requests: [],
    reset() {
      for (const m of [api.get, api.post, api.put, api.patch, api.del]) m.mockReset()
      api.requests.length = 0
    },
  }
  const byMethod: Record<string, Mock<Handler>> = { GET: api.get, POST: api.post, PUT: api.put, PATCH: api.patch, DELETE: api.del }
  const fetch = async (input: Request | string | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), location.origin), init)
    const url = new URL(request.url)
    const path = url.pathname.replace(/^\/api\/v1/, '') + url.search
    const text = await request.text()
    const body: unknown = text ? JSON.parse(text) : undefined
    api.requests.push({ method: request.method, path, headers: request.headers, body })
    const handler = byMethod[request.method]
    try {
      const answer = await (body === undefined ? handler(path) : handler(path, body))
      return answer === undefined ? new Response(null, { status: 204 }) : Response.json(answer)
    } catch (e) {
      if (e instanceof ApiError) return Response.json({ error: { code: e.code, message: e.message, field: e.field } }, { status: e.status })
      throw e
    }
  }
  vi.stubGlobal('fetch', fetch)
  beforeEach(() => {
    vi.stubGlobal('fetch', fetch)
  })
  return api
}
