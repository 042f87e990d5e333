// The bell in the header and the notifications page: the unread count
// ("99+", hidden at 0) and when it is asked for, the latest entries in words,
// opening one (marked read, then its page), "Прочитать все", the panel's
// keyboard and outside-click behaviour, axe-core; the page's "Показать ещё".
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
import { mount, flushPromises, type VueWrapper } from '@vue/test-utils'
import axe from 'axe-core'

import { fakeApi } from './fake-api'
import { SAMPLES, entry } from './inbox-samples'
import { ApiError } from '../src/api/http'
import type { InboxItem } from '../src/api/types'
import { router } from '../src/router'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { markRead, refreshUnread, unread } from '../src/lib/unread'
import Bell from '../src/components/Bell.vue'
import App from '../src/App.vue'
import Notifications from '../src/views/Notifications.vue'

const api = fakeApi()

const user: User = { id: 'u1', email: 's@x.test', display_name: 'Ира', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()

const ITEMS: InboxItem[] = [
  entry('n1', SAMPLES.homework_graded, '/assignments/a1', 3),
  entry('n2', SAMPLES.new_assignment, '/assignments/a2', 90),
  entry('n3', SAMPLES.achievement_awarded, '/achievements', 3000, true),
]

/** The fake server: `count` unread, `items` in the list (each GET answers a copy). */
function serve(count: number, items: InboxItem[] = ITEMS) {
  let n = count
  api.get.mockImplementation(async (p: string) => {
    if (p === '/notifications/inbox/unread') return { unread: n }
    if (p.startsWith('/notifications/inbox?')) {
      const q = new URLSearchParams(p.split('?')[1])
      const offset = Number(q.get('offset') ?? 0)
      return structuredClone(items.slice(offset, offset + Number(q.get('limit') ?? 50)))
    }
    if (p === '/school') return { name: 'Школа', logo_url: null }
    return {}
  })
  api.post.mockImplementation(async (p: string, body?: unknown) => {
    if (p === '/notifications/inbox/read') {
      const ids = (body as { ids: string[] }).ids
      n = Math.max(0, n - ids.length)
      return { marked: ids.length }
    }
    if (p === '/notifications/inbox/read-all') {
      const marked = n
      n = 0
      return { marked }
    }
    throw new Error(`unexpected POST ${p}`)
  })
}

const unreadCalls = () => api.get.mock.calls.filter(([p]) => p === '/notifications/inbox/unread').length

let w: VueWrapper | null = null
async function bell() {
  w = mount(Bell, { global: { plugins: [i18n, router] }, attachTo: document.body })
  await flushPromises()
  return w
}
async function openPanel(b: VueWrapper) {
  await b.find('[data-test=bell]').trigger('click')
  await flushPromises()
}

beforeEach(async () => {
  api.reset()
  setLocale('ru')
  session.checked = true
  session.user = user
  await router.push('/settings')
  await router.isReady()
})
afterEach(() => {
  w?.unmount()
  w = null
  vi.useRealTimers()
})

describe('the bell: the unread count', () => {
  it('shows the count and says it in its label', async () => {
    serve(3)
    const b = await bell()
    expect(b.find('[data-test=bell] i.bi-bell').attributes('aria-hidden')).toBe('true')
    expect(b.find('[data-test=bell-count]').text()).toBe('3')
    expect(b.find('[data-test=bell]').attributes('aria-label')).toBe('Уведомления, непрочитанных: 3')
    expect(b.find('[data-test=bell]').attributes('aria-expanded')).toBe('false')
  })
  it('shows 99+ above 99', async () => {
    serve(100)
    const b = await bell()
    expect(b.find('[data-test=bell-count]').text()).toBe('99+')
    expect(b.find('[data-test=bell]').attributes('aria-label')).toBe('Уведомления, непрочитанных больше 99')
  })
  it('hides the badge at 0', async () => {
    serve(0)
    const b = await bell()
    expect(b.find('[data-test=bell-count]').exists()).toBe(false)
    expect(b.find('[data-test=bell]').attributes('aria-label')).toBe('Уведомления, непрочитанных нет')
  })
  it('in English too', async () => {
    serve(2)
    setLocale('en')
    const b = await bell()
    expect(b.find('[data-test=bell]').attributes('aria-label')).toBe('Notifications, 2 unread')
  })
  it('is asked for again on every route change', async () => {
    serve(1)
    await bell()
    const before = unreadCalls()
    await router.push('/progress')
    await flushPromises()
    expect(unreadCalls()).toBe(before + 1)
  })
  it('every minute while the tab is visible, not while hidden, and no more once gone', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    let state: DocumentVisibilityState = 'visible'
    const spy = vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => state)
    serve(1)
    const b = await bell()
    const start = unreadCalls()
    vi.advanceTimersByTime(60_000)
    await flushPromises()
    expect(unreadCalls()).toBe(start + 1)
    state = 'hidden'
    vi.advanceTimersByTime(120_000)
    await flushPromises()
    expect(unreadCalls()).toBe(start + 1)
    // Coming back to the tab asks at once.
    state = 'visible'
    document.dispatchEvent(new Event('visibilitychange'))
    await flushPromises()
    expect(unreadCalls()).toBe(start + 2)
    b.unmount()
    w = null
    vi.advanceTimersByTime(180_000)
    document.dispatchEvent(new Event('visibilitychange'))
    await flushPromises()
    expect(unreadCalls()).toBe(start + 2)
    expect(unread.value).toBe(0)
    spy.mockRestore()
  })
  it('is in the header once logged in, and a failing count breaks nothing', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/notifications/inbox/unread') throw new ApiError(503, 'storage_unavailable', 'later')
      return { name: 'Школа', logo_url: null }
    })
    const app = mount(App, { global: { plugins: [i18n, router], stubs: { RouterView: true } } })
    await flushPromises()
    expect(app.find('[data-test=bell]').exists()).toBe(true)
    expect(app.find('[data-test=bell-count]').exists()).toBe(false)
    app.unmount()
    session.user = null
    const out = mount(App, { global: { plugins: [i18n, router], stubs: { RouterView: true } } })
    await flushPromises()
    expect(out.find('[data-test=bell]').exists()).toBe(false)
    out.unmount()
  })
})

describe('the bell: the panel', () => {
  it('lists the latest 10 in words, the unread ones marked', async () => {
    serve(2)
    const b = await bell()
    expect(b.find('[data-test=bell-panel]').isVisible()).toBe(false)
    await openPanel(b)
    expect(api.get.mock.calls.map(([p]) => p)).toContain('/notifications/inbox?limit=10')
    expect(b.find('[data-test=bell]').attributes('aria-expanded')).toBe('true')
    expect(b.find('[data-test=bell-panel]').isVisible()).toBe(true)
    const items = b.findAll('[data-test=bell-item]')
    expect(items.map((i) => text(i.find('[data-test=bell-text]').text()))).toEqual([
      'Оценка за «ДЗ 1»: 8,5 из 10',
      'Новое задание «ДЗ 1» по курсу «Алгебра», срок 12 дек., 23:59',
      'Получена награда «Тест без ошибок»',
    ])
    expect(items.map((i) => i.attributes('data-unread'))).toEqual(['true', 'true', 'false'])
    expect(items[0].classes()).toContain('fw-semibold')
    expect(items[2].classes()).not.toContain('fw-semibold')
    expect(items[0].text()).toContain('Не прочитано')
    expect(items[0].text()).toContain('3 минуты назад')
    expect(items[1].text()).toContain('1 час назад')
    expect(items[0].attributes('href')).toBe('/assignments/a1')
    expect(b.find('[data-test=bell-all]').attributes('href')).toBe('/notifications')
  })
  it('says so when there is nothing', async () => {
    serve(0, [])
    const b = await bell()
    await openPanel(b)
    expect(b.find('[data-test=bell-empty]').text()).toContain('Уведомлений пока нет')
    expect(b.find('[data-test=bell-read-all]').attributes('disabled')).toBeDefined()
  })
  it('an entry is marked read and opens its page', async () => {
    serve(2)
    const b = await bell()
    await openPanel(b)
    await b.findAll('[data-test=bell-item]')[0].trigger('click')
    await flushPromises()
    expect(api.post.mock.calls).toEqual([['/notifications/inbox/read', { ids: ['n1'] }]])
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/assignments/a1'))
    expect(b.find('[data-test=bell-panel]').isVisible()).toBe(false)
    expect(b.find('[data-test=bell-count]').text()).toBe('1')
    // Opening a read one again posts nothing.
    await openPanel(b)
    await b.findAll('[data-test=bell-item]')[2].trigger('click')
    await flushPromises()
    expect(api.post).toHaveBeenCalledTimes(1)
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/achievements'))
  })
  it('"Прочитать все" marks every one read and clears the badge', async () => {
    serve(2)
    const b = await bell()
    await openPanel(b)
    await b.find('[data-test=bell-read-all]').trigger('click')
    await flushPromises()
    expect(api.post.mock.calls).toEqual([['/notifications/inbox/read-all']])
    expect(b.find('[data-test=bell-count]').exists()).toBe(false)
    expect(b.findAll('[data-test=bell-item]').map((i) => i.attributes('data-unread'))).toEqual(['false', 'false', 'false'])
    expect(b.find('[data-test=bell-read-all]').attributes('disabled')).toBeDefined()
    expect(b.find('[data-test=bell]').attributes('aria-label')).toBe('Уведомления, непрочитанных нет')
  })
  it('Escape closes it and gives the focus back to the bell; the arrows move between entries', async () => {
    serve(2)
    const b = await bell()
    await openPanel(b)
    expect(document.activeElement).toBe(b.find('[data-test=bell-panel]').element)
    await b.find('[data-test=bell-panel]').trigger('keydown', { key: 'ArrowDown' })
    const items = b.findAll('[data-test=bell-item]')
    expect(document.activeElement).toBe(items[0].element)
    await items[0].trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(items[1].element)
    await items[1].trigger('keydown', { key: 'ArrowUp' })
    expect(document.activeElement).toBe(items[0].element)
    await items[0].trigger('keydown', { key: 'Escape' })
    expect(b.find('[data-test=bell-panel]').isVisible()).toBe(false)
    expect(b.find('[data-test=bell]').attributes('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(b.find('[data-test=bell]').element)
  })
  it('a click outside closes it, a click inside does not', async () => {
    serve(2)
    const b = await bell()
    await openPanel(b)
    b.find('[data-test=bell-panel]').element.dispatchEvent(new Event('pointerdown', { bubbles: true }))
    await flushPromises()
    expect(b.find('[data-test=bell-panel]').isVisible()).toBe(true)
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }))
    await flushPromises()
    expect(b.find('[data-test=bell-panel]').isVisible()).toBe(false)
  })
  it('has no serious or critical axe-core finding, closed and open', async () => {
    serve(100)
    const b = await bell()
    const check = async () => {
      // jsdom draws nothing, so colour contrast cannot be measured here (the e2e checks measure it).
      const r = await axe.run(b.element, { resultTypes: ['violations'], rules: { 'color-contrast': { enabled: false } } })
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)
    }
    expect(await check()).toEqual([])
    await openPanel(b)
    expect(await check()).toEqual([])
  })
})

describe('the notifications page', () => {
  const many = Array.from({ length: 53 }, (_, i) => entry(`m${i}`, SAMPLES.webinar_reminder, '/schedule', i * 10, i % 2 === 1))

  it('shows 50, then the next page on "Показать ещё", then no button', async () => {
    serve(27, many)
    w = mount(Notifications, { global: { plugins: [i18n, router] } })
    await flushPromises()
    expect(api.get.mock.calls.map(([p]) => p)).toContain('/notifications/inbox?limit=50&offset=0')
    expect(w.findAll('[data-test=notification]')).toHaveLength(50)
    expect(text(w.find('[data-test=notification-text]').text())).toBe('Вебинар «Разбор» начнётся через 10 минут (15 дек., 18:00)')
    await w.find('[data-test=load-more]').trigger('click')
    await flushPromises()
    expect(api.get.mock.calls.map(([p]) => p)).toContain('/notifications/inbox?limit=50&offset=50')
    expect(w.findAll('[data-test=notification]')).toHaveLength(53)
    expect(w.find('[data-test=load-more]').exists()).toBe(false)
  })
  it('an entry is marked read and opens its page; "Прочитать все" marks the rest', async () => {
    serve(2, ITEMS)
    w = mount(Notifications, { global: { plugins: [i18n, router] } })
    await flushPromises()
    expect(w.find('[data-test=load-more]').exists()).toBe(false)
    await w.findAll('[data-test=notification]')[1].trigger('click')
    await flushPromises()
    expect(api.post.mock.calls).toEqual([['/notifications/inbox/read', { ids: ['n2'] }]])
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/assignments/a2'))
    expect(w.findAll('[data-test=notification]').map((i) => i.attributes('data-unread'))).toEqual(['true', 'false', 'false'])
    await w.find('[data-test=read-all]').trigger('click')
    await flushPromises()
    expect(api.post.mock.calls[1]).toEqual(['/notifications/inbox/read-all'])
    expect(w.findAll('[data-test=notification]').map((i) => i.attributes('data-unread'))).toEqual(['false', 'false', 'false'])
    expect(unread.value).toBe(0)
  })
  it('says so when there is nothing', async () => {
    serve(0, [])
    w = mount(Notifications, { global: { plugins: [i18n, router] } })
    await flushPromises()
    expect(w.find('[data-test=empty]').text()).toContain('Уведомлений пока нет')
    expect(w.find('[data-test=read-all]').exists()).toBe(false)
  })
  it('is the route /notifications', () => {
    expect(router.resolve('/notifications').name).toBe('notifications')
  })
})

describe('lib/unread', () => {
  it('a failed mark leaves the entry unread and the count the server\'s', async () => {
    serve(2)
    await refreshUnread()
    api.post.mockRejectedValue(new ApiError(503, 'storage_unavailable', 'later'))
    const item = structuredClone(ITEMS[0])
    expect(await markRead([item])).toBe(false)
    expect(item.read_at).toBeNull()
    expect(unread.value).toBe(2)
  })
  it('a count asked for while a mark is on its way does not undo it', async () => {
    serve(2)
    await refreshUnread()
    let release = () => {}
    api.post.mockImplementation(() => new Promise((r) => (release = () => r({ marked: 1 }))))
    const item = structuredClone(ITEMS[0])
    const marking = markRead([item])
    expect(unread.value).toBe(1)
    // The server still says 2: the mark has not reached it.
    await refreshUnread()
    expect(unread.value).toBe(1)
    serve(1)
    release()
    expect(await marking).toBe(true)
    expect(unread.value).toBe(1)
  })
})
