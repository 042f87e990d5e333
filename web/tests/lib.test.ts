import { describe, it, expect, vi } from 'vitest'
import { Countdown, formatRemaining } from '../src/lib/countdown'
import { AutosaveQueue } from '../src/lib/autosave'
import { formatInstant, zonedLocalToUtc, utcToZonedLocal } from '../src/lib/time'
import { requestHeaders, readCookie, errorFromBody, ApiError } from '../src/api/http'
import { describeError } from '../src/lib/errors'

describe('countdown from a server deadline', () => {
  it('counts with the server clock even if the local clock is off', () => {
    let now = 1_000_000 // local clock 1h behind the server
    const server = now + 3_600_000
    const c = new Countdown(server + 90_000, server, now, () => now)
    expect(c.label()).toBe('1:30')
    now += 30_000
    expect(c.label()).toBe('1:00')
    now += 60_000
    expect(c.expired()).toBe(true)
    expect(c.label()).toBe('0:00')
  })
  it('parses RFC 3339 and formats hours', () => {
    const c = Countdown.fromServer('2026-01-01T12:00:00Z', '2026-01-01T10:29:59.500Z', () => 0)
    expect(c.label()).toBe('1:30:01')
    expect(formatRemaining(59_001)).toBe('1:00')
  })
})

function manualTimers() {
  const timers = new Map<number, () => void>()
  let id = 0
  return {
    setTimer: (f: () => void) => (timers.set(++id, f), id),
    clearTimer: (t: number) => timers.delete(t),
    fire() {
      const all = [...timers.entries()]
      timers.clear()
      all.forEach(([, f]) => f())
    },
    count: () => timers.size,
  }
}
const tick = () => new Promise((r) => setTimeout(r, 0))

describe('autosave queue', () => {
  it('debounces changes into one request', async () => {
    const t = manualTimers()
    const save = vi.fn().mockResolvedValue(undefined)
    const q = new AutosaveQueue<string>({ save, ...t })
    q.update('a', '1'); q.update('a', '2'); q.update('b', 'x')
    expect(save).not.toHaveBeenCalled()
    expect(q.state).toBe('pending')
    t.fire(); await tick()
    expect(save).toHaveBeenCalledTimes(1)
    expect(save).toHaveBeenCalledWith({ a: '2', b: 'x' })
    expect(q.state).toBe('saved')
  })
  it('keeps one request in flight and sends the latest value after it', async () => {
    const t = manualTimers()
    let resolveFirst!: () => void
    const save = vi.fn()
      .mockImplementationOnce(() => new Promise<void>((r) => (resolveFirst = r)))
      .mockResolvedValue(undefined)
    const q = new AutosaveQueue<string>({ save, ...t })
    q.update('a', '1'); t.fire()
    expect(q.state).toBe('saving')
    q.update('a', '2'); q.update('a', '3'); t.fire()
    expect(save).toHaveBeenCalledTimes(1)
    resolveFirst(); await tick(); await tick()
    expect(save).toHaveBeenCalledTimes(2)
    expect(save.mock.calls[1][0]).toEqual({ a: '3' })
    expect(q.state).toBe('saved')
  })
  it('retries a failed batch and a newer value wins over the failed one', async () => {
    const t = manualTimers()
    let fail = true
    const save = vi.fn(() => (fail ? Promise.reject(new Error('down')) : Promise.resolve()))
    const q = new AutosaveQueue<string>({ save, ...t })
    q.update('a', 'old'); q.update('b', 'keep'); t.fire(); await tick()
    expect(q.state).toBe('error')
    q.update('a', 'new')
    fail = false
    t.fire(); await tick()
    expect(save).toHaveBeenLastCalledWith({ a: 'new', b: 'keep' })
    expect(q.state).toBe('saved')
    expect(q.hasUnsaved()).toBe(false)
  })
  it('flush saves immediately and resolves when done', async () => {
    const t = manualTimers()
    const save = vi.fn().mockResolvedValue(undefined)
    const q = new AutosaveQueue<string>({ save, ...t })
    q.update('a', '1')
    await q.flush()
    expect(save).toHaveBeenCalledWith({ a: '1' })
    expect(t.count()).toBe(0)
  })
})

describe('time zones', () => {
  it('shows an instant in the user zone', () => {
    const s = formatInstant('2026-03-01T21:30:00Z', 'Europe/Moscow', 'ru')
    expect(s).toContain('2 мар')
    expect(s).toContain('00:30')
    expect(formatInstant('2026-03-01T21:30:00Z', 'America/New_York', 'en')).toContain('16:30')
  })
  it('converts a local input in the user zone to UTC and back', () => {
    expect(zonedLocalToUtc('2026-03-02T00:30', 'Europe/Moscow')).toBe('2026-03-01T21:30:00Z')
    expect(zonedLocalToUtc('2026-07-01T12:00', 'America/New_York')).toBe('2026-07-01T16:00:00Z')
    expect(zonedLocalToUtc('2026-01-01T12:00', 'America/New_York')).toBe('2026-01-01T17:00:00Z')
    expect(utcToZonedLocal('2026-07-01T16:00:00Z', 'America/New_York')).toBe('2026-07-01T12:00')
  })
})

describe('CSRF header injection', () => {
  it('adds X-CSRF-Token from the lms_csrf cookie on writes only', () => {
    const cookies = 'a=1; lms_csrf=tok%2B1; b=2'
    expect(readCookie(cookies, 'lms_csrf')).toBe('tok+1')
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(requestHeaders(m, cookies, true)['X-CSRF-Token']).toBe('tok+1')
    expect(requestHeaders('GET', cookies, false)['X-CSRF-Token']).toBeUndefined()
    expect(requestHeaders('POST', '', true)['X-CSRF-Token']).toBeUndefined()
  })
  // Sending it on every write of the typed client: tests/client.test.ts.
})

describe('error messages', () => {
  const ru: Record<string, string> = { 'errors.invalid_credentials': 'Неверный email или пароль', 'errors.network': 'Нет связи с сервером', 'errors.server': 'Ошибка сервера' }
  const tr = (k: string) => ru[k]
  it('maps known codes and falls back to the server message', () => {
    expect(describeError(errorFromBody(401, { error: { code: 'invalid_credentials', message: 'bad' } }), tr)).toBe('Неверный email или пароль')
    const e = errorFromBody(422, { error: { code: 'invalid_title', message: 'title: too long', field: 'title' } })
    expect(e.field).toBe('title')
    expect(describeError(e, tr)).toBe('title: too long')
    expect(describeError(new ApiError(0, 'network', 'x'), tr)).toBe('Нет связи с сервером')
    expect(describeError(errorFromBody(502, '<html>'), tr)).toBe('Ошибка сервера')
  })
})
