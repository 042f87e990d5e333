import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { toasts, clearToasts } from '../src/lib/toast'
import { CHANNELS, KINDS, deliveredNow, summary, wantedFrom, type Channel, type NotificationSettings } from '../src/lib/delivery'
import Settings from '../src/views/Settings.vue'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const every = (chs: Channel[]) => Object.fromEntries(KINDS.map((k) => [k, chs]))
const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()

/** The demo server: no SMTP, no Telegram bot; the accounts want Telegram only. */
const demo: NotificationSettings = {
  user_id: 'u1',
  channels: every(['telegram']),
  quiet_hours: null,
  telegram_linked: false,
  telegram_available: false,
  channel_status: [
    { channel: 'email', available: false, reachable: true },
    { channel: 'telegram', available: false, reachable: false },
  ],
  delivered: every([]),
}
/** E-mail works, a bot exists but the chat is not linked; graded homework by Telegram only. */
const mailOnly: NotificationSettings = {
  ...demo,
  channels: { ...every(['email', 'telegram']), homework_graded: ['telegram'] },
  telegram_available: true,
  channel_status: [
    { channel: 'email', available: true, reachable: true },
    { channel: 'telegram', available: true, reachable: false },
  ],
  delivered: { ...every(['email']), homework_graded: [] },
}

async function open(s: NotificationSettings) {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/notifications/preferences') return structuredClone(s)
    if (p === '/calendar-feed') return { feed: null }
    throw new Error(`unexpected GET ${p}`)
  })
  const w = mount(Settings, opts)
  await flushPromises()
  return w
}

beforeEach(() => {
  api.get.mockReset()
  api.put.mockReset()
  setLocale('ru')
  session.checked = true
  session.user = { id: 'u1', email: 's@x.test', display_name: 'Ира', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
})
afterEach(() => clearToasts())

describe('notification settings say what will actually arrive (#13)', () => {
  it('on the demo server: no channel to tick, and it says plainly that nothing arrives and why', async () => {
    const w = await open(demo)
    expect(w.findAll('input[data-test^=pref-]')).toHaveLength(0)
    const summaryText = text(w.find('[data-test=delivery-summary]').text())
    expect(summaryText).toContain('Сейчас вам не придёт ни одно уведомление.')
    expect(summaryText).toContain('не настроены ни почта, ни Telegram')
    expect(text(w.find('[data-test=channel-note-telegram]').text())).toContain('Telegram не подключён на этом сервере')
    expect(text(w.find('[data-test=channel-note-email]').text())).toContain('Почта не настроена на этом сервере')
    for (const k of KINDS) {
      const cell = w.find(`[data-test=arrives-${k}]`)
      expect(text(cell.text())).toContain('ничего не придёт')
      expect(cell.element.closest('tr')?.classList.contains('table-warning')).toBe(true)
    }
    expect(text(w.find('thead').text())).toContain('Придёт')
    // Everything lands under the bell anyway, whatever is chosen here.
    expect(text(w.find('[data-test=in-app-note]').text())).toContain('Все уведомления также появляются под колокольчиком')
  })

  it('offers only delivered channels, asks to link Telegram, and shows per kind what arrives', async () => {
    const w = await open(mailOnly)
    expect(w.find('[data-test=pref-new_assignment-email]').exists()).toBe(true)
    expect(w.find('[data-test=pref-new_assignment-telegram]').exists()).toBe(true)
    expect(text(w.find('[data-test=channel-note-telegram]').text())).toBe('Привяжите Telegram, чтобы получать сообщения там.')
    expect(w.find('[data-test=channel-note-email]').exists()).toBe(false)
    expect(text(w.find('[data-test=arrives-new_assignment]').text())).toBe('Почта')
    expect(text(w.find('[data-test=arrives-homework_graded]').text())).toContain('ничего не придёт')
    expect(text(w.find('[data-test=delivery-summary]').text())).toContain('Часть уведомлений не придёт')
    // Unticking e-mail: the column says so before saving.
    await w.find('[data-test=pref-new_assignment-email]').setValue(false)
    expect(text(w.find('[data-test=arrives-new_assignment]').text())).toContain('ничего не придёт')
  })

  it('saving keeps the wishes for hidden channels and says it was saved', async () => {
    const w = await open(demo)
    const saved = { ...demo, quiet_hours: { from: '22:00:00', to: '08:00:00' } }
    api.put.mockResolvedValue(saved)
    await w.find('#qh').setValue(true)
    await w.find('form:has([data-test=prefs-save])').trigger('submit')
    await flushPromises()
    expect(api.put.mock.calls[0]).toEqual([
      '/notifications/preferences',
      { channels: every(['telegram']), quiet_hours: { from: '22:00', to: '08:00' } },
    ])
    expect(w.find('[data-test=prefs-saved]').exists()).toBe(true)
    expect(toasts.map((t) => t.text)).toContain('Настройки уведомлений сохранены.')
    // Changing anything again takes the "saved" mark away.
    await w.find('#qh').setValue(false)
    expect(w.find('[data-test=prefs-saved]').exists()).toBe(false)
  })
})

describe('lib/delivery', () => {
  it('uses the server\'s delivered for saved wishes and the same rule for unsaved ones', () => {
    const wanted = wantedFrom(mailOnly)
    expect(deliveredNow(mailOnly, wanted).homework_graded).toEqual([])
    wanted.homework_graded.email = true
    expect(deliveredNow(mailOnly, wanted).homework_graded).toEqual(['email'])
    wanted.homework_graded.telegram = true
    // Telegram is not linked: still e-mail only.
    expect(deliveredNow(mailOnly, wanted).homework_graded).toEqual(['email'])
    expect(summary(mailOnly.channel_status, deliveredNow(mailOnly, wanted))).toBe('all')
    expect(summary(demo.channel_status, demo.delivered as Record<(typeof KINDS)[number], Channel[]>)).toBe('none_server')
  })
  it('the in-app list is no channel to choose: never a column, never counted as arriving', () => {
    const withInApp = { ...mailOnly, delivered: { ...mailOnly.delivered, homework_graded: ['in_app'] as Channel[] } }
    expect(CHANNELS).toEqual(['email', 'telegram'])
    expect(deliveredNow(withInApp, wantedFrom(withInApp)).homework_graded).toEqual([])
    expect(summary(withInApp.channel_status, { ...every(['in_app']) } as Record<(typeof KINDS)[number], Channel[]>)).toBe('none')
  })
  it('a kind the preferences leave out gets every channel', () => {
    expect(wantedFrom({ channels: {} }).webinar_reminder).toEqual({ email: true, telegram: true })
  })
})
