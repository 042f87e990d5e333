import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, changeLanguage, loadMe, login, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import Settings from '../src/views/Settings.vue'

const api = fakeApi()

const me = (locale: 'ru' | 'en'): User => ({ id: 'u1', email: 't@x.test', display_name: 'Анна', role: 'teacher', locale, time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const uiLocale = () => i18n.global.locale.value
const profilePut = () => api.put.mock.calls.filter(([p]) => p === '/users/u1/profile')

beforeEach(() => {
  api.get.mockReset()
  api.put.mockReset()
  api.post.mockReset()
  localStorage.clear()
  setLocale('ru')
  session.user = me('ru')
  session.checked = true
  api.put.mockImplementation(async (p: string, body: unknown) => (p === '/users/u1/profile' ? { ...me('ru'), ...(body as object) } : {}))
})

describe('the profile language follows the header switch', () => {
  it('switching in the header saves the profile\'s language', async () => {
    await changeLanguage('en')
    expect(uiLocale()).toBe('en')
    expect(profilePut()).toEqual([['/users/u1/profile', { display_name: 'Анна', locale: 'en', time_zone: 'Europe/Moscow' }]])
    expect(session.user?.locale).toBe('en')
  })
  it('logged out, the switch only changes the UI (and goes to the profile of who logs in next)', async () => {
    session.user = null
    await changeLanguage('en')
    expect(profilePut()).toEqual([])
    api.post.mockResolvedValue({ user: me('ru') })
    await login('t@x.test', 'pw')
    await flushPromises()
    expect(uiLocale()).toBe('en')
    expect(profilePut()[0][1]).toMatchObject({ locale: 'en' })
  })
  it('a reload adopts the profile\'s language, set elsewhere', async () => {
    setLocale('ru')
    api.get.mockResolvedValue(me('en'))
    await loadMe()
    expect(uiLocale()).toBe('en')
    expect(profilePut()).toEqual([])
  })
  it('a reload right after a switch whose save did not finish keeps the switch and saves it', async () => {
    let abort = () => {}
    // The page went away mid-request.
    api.put.mockImplementationOnce(() => new Promise((_, reject) => (abort = () => reject(new Error('aborted')))))
    const first = changeLanguage('en')
    setLocale('ru') // as if the page loaded afresh
    api.get.mockResolvedValue(me('ru'))
    await loadMe()
    await flushPromises()
    abort()
    await first
    await flushPromises()
    expect(uiLocale()).toBe('en')
    expect(profilePut().at(-1)![1]).toMatchObject({ locale: 'en' })
  })
})

describe('settings: language and time zone', () => {
  async function show() {
    api.get.mockResolvedValue({ channels: {}, quiet_hours: null, telegram_linked: false, telegram_available: false })
    const w = mount(Settings, { global: { plugins: [i18n] } })
    await flushPromises()
    return w
  }
  it('the language select follows the header switch, and choosing there switches the UI and the profile', async () => {
    const w = await show()
    const select = w.find<HTMLSelectElement>('[data-test=profile-locale]')
    expect(select.element.value).toBe('ru')
    await changeLanguage('en')
    await flushPromises()
    expect(select.element.value).toBe('en')
    await select.setValue('ru')
    await flushPromises()
    expect(uiLocale()).toBe('ru')
    expect(profilePut().at(-1)![1]).toMatchObject({ locale: 'ru' })
    w.unmount()
  })
  it('zones are grouped, Russia first, labelled with offset and city', async () => {
    const w = await show()
    const groups = w.findAll('[data-test=profile-tz] optgroup')
    expect(groups[0].attributes('label')).toBe('Россия')
    expect(groups[0].find('option').text()).toBe('(UTC+02:00) Калининград')
    const moscow = w.find<HTMLOptionElement>('[data-test=profile-tz] option[value="Europe/Moscow"]')
    expect(moscow.text()).toBe('(UTC+03:00) Москва')
    expect(w.find<HTMLSelectElement>('[data-test=profile-tz]').element.value).toBe('Europe/Moscow')
    expect(groups.map((g) => g.attributes('label'))).toEqual(expect.arrayContaining(['Европа', 'Азия', 'Америка']))
    w.unmount()
  })
})
