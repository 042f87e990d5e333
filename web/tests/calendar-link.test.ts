// Issue #16: "get calendar link" shows the current link instead of silently
// making a new one; a new link (or switching it off) is asked for first.
import { describe, it, expect } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session } from '../src/session'
import { i18n } from '../src/i18n'
import { confirmState, settleConfirm } from '../src/lib/confirm'
import Settings from '../src/views/Settings.vue'

const api = fakeApi()
const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const OLD = { url: 'http://127.0.0.1:8080/ical/old.ics', created_at: '2026-12-01T09:30:00Z' }
const NEW = { url: 'http://127.0.0.1:8080/ical/new.ics', created_at: '2026-12-07T10:00:00Z' }

async function open(current: typeof OLD | null) {
  session.user = { id: 'u1', email: 's@x.ru', display_name: 'Студент', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
  api.reset()
  api.get.mockImplementation(async (p: string) => {
    if (p === '/calendar-feed') return { feed: current }
    if (p === '/notifications/preferences') throw new Error('not in this test')
    throw new Error(`unexpected GET ${p}`)
  })
  api.post.mockImplementation(async (p: string) => {
    if (p === '/calendar-feed') return NEW
    throw new Error(`unexpected POST ${p}`)
  })
  api.del.mockResolvedValue(undefined)
  const w = mount(Settings, opts)
  await flushPromises()
  return w
}

const url = (w: Awaited<ReturnType<typeof open>>) => (w.find('[data-test=ical-url]').element as HTMLInputElement | undefined)?.value

describe('the calendar link in Settings', () => {
  it('shows the current link and when it was made, without making a new one', async () => {
    const w = await open(OLD)
    expect(url(w)).toBe(OLD.url)
    expect(w.find('[data-test=ical-made-at]').text()).toContain('1 дек. 2026 г., 12:30')
    expect(w.find('[data-test=ical-make]').text()).toBe('Выпустить новую ссылку')
    expect(api.post).not.toHaveBeenCalled()
  })

  it('asks before replacing the link; cancelling keeps it, confirming replaces it', async () => {
    const w = await open(OLD)
    await w.find('[data-test=ical-make]').trigger('click')
    expect(confirmState.current?.title).toBe('Выпустить новую ссылку на календарь?')
    expect(confirmState.current?.message).toContain('Старая ссылка перестанет работать')
    settleConfirm(false)
    await flushPromises()
    expect(api.post).not.toHaveBeenCalled()
    expect(url(w)).toBe(OLD.url)

    await w.find('[data-test=ical-make]').trigger('click')
    settleConfirm(true)
    await flushPromises()
    expect(api.post).toHaveBeenCalledTimes(1)
    expect(url(w)).toBe(NEW.url)
    expect(w.find('[data-test=ical-made-at]').text()).toContain('7 дек. 2026 г., 13:00')
  })

  it('without a link, "get link" makes one at once; "turn off" is offered only with a link and asks first', async () => {
    const w = await open(null)
    expect(w.find('[data-test=ical-url]').exists()).toBe(false)
    expect(w.find('[data-test=ical-off]').exists()).toBe(false)
    expect(w.find('[data-test=ical-make]').text()).toBe('Получить ссылку')
    await w.find('[data-test=ical-make]').trigger('click')
    await flushPromises()
    expect(confirmState.current).toBeNull()
    expect(url(w)).toBe(NEW.url)

    await w.find('[data-test=ical-off]').trigger('click')
    expect(confirmState.current?.title).toBe('Отключить ссылку на календарь?')
    settleConfirm(true)
    await flushPromises()
    expect(api.del).toHaveBeenCalledWith('/calendar-feed')
    expect(w.find('[data-test=ical-url]').exists()).toBe(false)
    expect(w.find('[data-test=ical-off-done]').exists()).toBe(true)
  })
})
