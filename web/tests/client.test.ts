// The typed client (src/api/client.ts) sends what http.ts always sent: the
// cookie session, JSON, the CSRF header on writes; a 401 sends to the login
// page (not from /auth/…); a failed answer or the network is an ApiError.
import { describe, it, expect, vi, afterEach } from 'vitest'
import { ApiError, setUnauthorizedHandler } from '../src/api/http'
import { courses, auth, lessons, homework } from '../src/api'

function serve(answer: () => Response | Promise<Response>) {
  const sent: Request[] = []
  vi.stubGlobal('fetch', async (r: Request) => {
    sent.push(r)
    return answer()
  })
  return sent
}
const pathOf = (r: Request) => {
  const u = new URL(r.url)
  return u.pathname + u.search
}

afterEach(() => {
  vi.unstubAllGlobals()
  setUnauthorizedHandler(() => {})
  document.cookie = 'lms_csrf=; Max-Age=0'
})

describe('the typed client', () => {
  it('a write carries JSON, the session cookie and X-CSRF-Token from the lms_csrf cookie', async () => {
    document.cookie = 'lms_csrf=abc%2B1'
    const sent = serve(() => Response.json({ id: 'c1', title: 'x' }, { status: 201 }))
    const c = await courses.create('x')
    expect(c).toEqual({ id: 'c1', title: 'x' })
    const [r] = sent
    expect(r.method).toBe('POST')
    expect(pathOf(r)).toBe('/api/v1/courses')
    expect(r.credentials).toBe('same-origin')
    expect(r.headers.get('X-CSRF-Token')).toBe('abc+1')
    expect(r.headers.get('Content-Type')).toBe('application/json')
    expect(r.headers.get('Accept')).toBe('application/json')
    expect(await r.json()).toEqual({ title: 'x', description: '' })
  })

  it('a read has no CSRF header and no body; path and query parameters are encoded', async () => {
    document.cookie = 'lms_csrf=abc'
    const sent = serve(() => Response.json([]))
    await courses.students('c 1', { q: 'Ив ан', limit: 8 })
    const [r] = sent
    expect(r.method).toBe('GET')
    expect(pathOf(r)).toBe('/api/v1/courses/c%201/students?q=%D0%98%D0%B2%20%D0%B0%D0%BD&limit=8')
    expect(r.headers.get('X-CSRF-Token')).toBeNull()
    expect(r.headers.get('Content-Type')).toBeNull()
    expect(r.body).toBeNull()
  })

  it('empty query parameters are left out', async () => {
    const sent = serve(() => Response.json([]))
    await homework.gradingQueue({ limit: 51, offset: 0, q: undefined, course_id: undefined })
    expect(pathOf(sent[0])).toBe('/api/v1/grading-queue?limit=51&offset=0')
  })

  it('a 204 resolves with nothing; DELETE carries the CSRF header too', async () => {
    document.cookie = 'lms_csrf=tok'
    const sent = serve(() => new Response(null, { status: 204 }))
    await expect(lessons.remove('l1')).resolves.toBeUndefined()
    expect(sent[0].method).toBe('DELETE')
    expect(pathOf(sent[0])).toBe('/api/v1/lessons/l1')
    expect(sent[0].headers.get('X-CSRF-Token')).toBe('tok')
  })

  it('an error answer is an ApiError with its code, message and field', async () => {
    serve(() => Response.json({ error: { code: 'invalid_field', message: 'title: empty', field: 'title' } }, { status: 422 }))
    const e = await courses.create('').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ status: 422, code: 'invalid_field', message: 'title: empty', field: 'title' })
  })

  it('a body that is not the API\'s error says the status', async () => {
    serve(() => new Response('<html>Bad gateway</html>', { status: 502 }))
    await expect(courses.get('c1')).rejects.toMatchObject({ status: 502, code: 'http_502' })
  })

  it('a network failure is ApiError(0, "network")', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    const e = await courses.get('c1').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect(e).toMatchObject({ status: 0, code: 'network' })
  })

  it('a 401 sends to the login page, but not from /auth/… (a wrong password, the session check)', async () => {
    const lost = vi.fn()
    setUnauthorizedHandler(lost)
    serve(() => Response.json({ error: { code: 'unauthorized', message: 'no session' } }, { status: 401 }))
    await expect(courses.get('c1')).rejects.toMatchObject({ status: 401, code: 'unauthorized' })
    expect(lost).toHaveBeenCalledTimes(1)
    await expect(auth.login('a@x', 'bad')).rejects.toMatchObject({ status: 401 })
    await expect(auth.me()).rejects.toMatchObject({ status: 401 })
    expect(lost).toHaveBeenCalledTimes(1)
  })
})
