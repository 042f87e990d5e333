import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { router } from '../src/router'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { menuFor } from '../src/lib/nav'
import { logoSrc } from '../src/lib/school'
import App from '../src/App.vue'
import Login from '../src/views/Login.vue'

const api = fakeApi()

const user: User = { id: 'u1', email: 's@x.test', display_name: 'Анна', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }

beforeEach(() => {
  setLocale('ru')
  session.checked = true
})

describe("the school's name and logo (#13)", () => {
  it('the built-in logo when the school has none', () => {
    expect(logoSrc(null)).toMatch(/logo.*\.svg|^data:image\/svg/)
    expect(logoSrc('https://cdn.example.org/logo.png')).toBe('https://cdn.example.org/logo.png')
  })
  it('the header and the login page show them, fetched once without logging in', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/school') return { name: 'Демо-школа', logo_url: 'https://cdn.example.org/logo.png' }
      throw new Error(`unexpected ${p}`)
    })
    session.user = user
    await router.push('/settings')
    await router.isReady()
    const app = mount(App, { global: { plugins: [i18n, router], stubs: { RouterView: true } } })
    await flushPromises()
    expect(app.find('[data-test=school-name]').text()).toBe('Демо-школа')
    expect(app.find('[data-test=school-logo]').attributes('src')).toBe('https://cdn.example.org/logo.png')
    expect(document.title).toBe('Демо-школа')
    const login = mount(Login, { global: { plugins: [i18n, router] } })
    await flushPromises()
    expect(login.find('[data-test=login-school]').text()).toBe('Демо-школа')
    expect(login.find('[data-test=login-logo]').attributes('src')).toBe('https://cdn.example.org/logo.png')
    expect(api.get.mock.calls.filter(([p]) => p === '/school')).toHaveLength(1)
    app.unmount()
    login.unmount()
  })
  it('every side menu entry has an icon beside its label', async () => {
    for (const role of ['student', 'teacher', 'assistant', 'admin'] as const)
      for (const m of menuFor(role)) expect(m.icon, m.test).toMatch(/^bi-[a-z0-9-]+$/)
    session.user = user
    const app = mount(App, { global: { plugins: [i18n, router], stubs: { RouterView: true } } })
    await flushPromises()
    const link = app.find('[data-test=nav-courses]')
    expect(link.find('i.bi.bi-journal-bookmark').attributes('aria-hidden')).toBe('true')
    expect(link.text()).toBe('Курсы')
    app.unmount()
  })
})
