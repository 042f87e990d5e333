// The login page says why someone has to log in again (issue #16): after a
// password change (a reset link; the devices a change logged out), once.
import { describe, it, expect, vi, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { ApiError } from '../src/api/http'
import { fakeApi } from './fake-api'
import { router, sessionLost } from '../src/router'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { clearToasts, toasts } from '../src/lib/toast'
import { noteForLogin, takeLoginNotice } from '../src/lib/notice'
import Login from '../src/views/Login.vue'
import ResetPassword from '../src/views/ResetPassword.vue'
import Settings from '../src/views/Settings.vue'

const api = fakeApi()

const user = (over: Partial<User> = {}): User => ({ id: 'u1', email: 'anna@x.test', display_name: 'Анна', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z', ...over })
const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
const withRouter = { global: { plugins: [i18n, router] } }

const RU_CHANGED = 'Пароль изменён. Войдите снова с новым паролем — на других устройствах вход тоже завершён.'
const EN_CHANGED = 'Password changed. Log in again with the new password — you have been logged out on other devices too.'

async function loginPage() {
  const w = mount(Login, withRouter)
  await flushPromises()
  return w
}

beforeEach(async () => {
  api.reset()
  api.get.mockImplementation(async (p: string) => {
    if (p === '/auth/me') throw new ApiError(401, 'unauthenticated', 'log in')
    if (p === '/notifications/preferences') return { user_id: 'u1', channels: {}, quiet_hours: null, telegram_linked: false, telegram_available: false, channel_status: [], delivered: {} }
    if (p === '/calendar-feed') return { feed: null }
    throw new Error(`unexpected GET ${p}`)
  })
  sessionStorage.clear()
  clearToasts()
  setLocale('ru')
  session.user = null
  session.checked = true
  await router.push('/login')
})

describe('the login page notice', () => {
  it('a normal visit shows none', async () => {
    const w = await loginPage()
    expect(w.find('[data-test=login-notice]').exists()).toBe(false)
    expect(w.find('[data-test=login-email]').exists()).toBe(true)
  })
  it('is shown once: a reload or the next visit has none', async () => {
    noteForLogin('password_changed')
    const first = await loginPage()
    const notice = first.find('[data-test=login-notice]')
    expect(notice.classes()).toContain('alert')
    expect(notice.attributes('role')).toBe('status')
    expect(notice.attributes('data-notice')).toBe('password_changed')
    expect(text(notice.text())).toBe(RU_CHANGED)
    first.unmount()
    const again = await loginPage()
    expect(again.find('[data-test=login-notice]').exists()).toBe(false)
  })
  it('speaks the UI language', async () => {
    setLocale('en')
    noteForLogin('password_changed')
    const w = await loginPage()
    expect(text(w.find('[data-test=login-notice]').text())).toBe(EN_CHANGED)
  })
  it('ignores anything it does not know', async () => {
    sessionStorage.setItem('lms.login.notice', 'whatever')
    const w = await loginPage()
    expect(w.find('[data-test=login-notice]').exists()).toBe(false)
    expect(takeLoginNotice()).toBeNull()
  })
})

describe('after a password change (#16)', () => {
  it('in Settings this session stays, and the page says the other devices are logged out', async () => {
    session.user = user()
    await router.push('/settings')
    api.put.mockResolvedValue(undefined)
    const w = mount(Settings, { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } })
    await flushPromises()
    await w.find('[data-test=pw-current]').setValue('old-password-1')
    await w.find('[data-test=pw-new]').setValue('new-password-1')
    await w.find('[data-test=pw-save]').trigger('click')
    await flushPromises()
    expect(api.put).toHaveBeenCalledWith('/users/u1/password', { current_password: 'old-password-1', password: 'new-password-1' })
    const saved = w.find('[data-test=pw-saved]')
    expect(saved.classes()).toContain('alert-success')
    expect(text(saved.text())).toBe('✓ Пароль изменён. Здесь вы остаётесь в системе, а на других устройствах вход завершён — там войдите снова с новым паролем.')
    expect(toasts.map((t) => t.text)).toContain('Пароль изменён.')
    // The server kept this session: nobody is sent to the login page.
    expect(session.user?.id).toBe('u1')
    expect(router.currentRoute.value.name).toBe('settings')
    expect(takeLoginNotice()).toBeNull()
  })
  it('a wrong current password changes nothing and says so', async () => {
    session.user = user()
    api.put.mockRejectedValue(new ApiError(403, 'wrong_current_password', 'x'))
    const w = mount(Settings, { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } })
    await flushPromises()
    await w.find('[data-test=pw-current]').setValue('nope')
    await w.find('[data-test=pw-new]').setValue('new-password-1')
    await w.find('[data-test=pw-save]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=pw-saved]').exists()).toBe(false)
    expect(w.find('[data-test=pw-error]').exists()).toBe(true)
  })
  it('after a reset link, "Log in" leads to a login page that says why, once', async () => {
    api.post.mockResolvedValue(undefined)
    await router.push('/reset-password/tok')
    const w = mount(ResetPassword, { props: { token: 'tok' }, ...withRouter })
    await w.find('[data-test=reset-password]').setValue('new-password-1')
    await w.find('[data-test=reset-repeat]').setValue('new-password-1')
    await w.find('form').trigger('submit')
    await flushPromises()
    await w.find('[data-test=reset-login]').trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.name).toBe('login')
    const login = await loginPage()
    expect(login.find('[data-test=login-notice]').attributes('data-notice')).toBe('password_changed')
    expect(text(login.find('[data-test=login-notice]').text())).toBe(RU_CHANGED)
    login.unmount()
    expect((await loginPage()).find('[data-test=login-notice]').exists()).toBe(false)
  })
  it('a reset while another account is still logged in here leaves no notice behind', async () => {
    api.post.mockResolvedValue(undefined)
    api.get.mockImplementation(async (p: string) => {
      if (p === '/auth/me') return user({ id: 'u2', email: 'other@x.test' })
      throw new Error(`unexpected GET ${p}`)
    })
    await router.push('/reset-password/tok')
    const w = mount(ResetPassword, { props: { token: 'tok' }, ...withRouter })
    await w.find('[data-test=reset-password]').setValue('new-password-1')
    await w.find('[data-test=reset-repeat]').setValue('new-password-1')
    await w.find('form').trigger('submit')
    await flushPromises()
    await w.find('[data-test=reset-login]').trigger('click')
    await flushPromises()
    // The login page sends whoever is logged in home.
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('home'))
    expect(takeLoginNotice()).toBeNull()
  })
  it('a device the change logged out goes to the login page, which says the login has ended', async () => {
    session.user = user()
    await router.push('/settings')
    await sessionLost()
    expect(session.user).toBeNull()
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/settings')
    const w = await loginPage()
    expect(w.find('[data-test=login-notice]').attributes('data-notice')).toBe('session_ended')
    expect(text(w.find('[data-test=login-notice]').text())).toBe(
      'Вход завершён — войдите снова. Так бывает, если пароль изменили на другом устройстве или его сменил администратор, если вы вышли в другой вкладке или срок входа истёк.',
    )
    w.unmount()
    expect((await loginPage()).find('[data-test=login-notice]').exists()).toBe(false)
  })
  it('a 401 on a public page (nobody logged in) leaves it alone, with no notice', async () => {
    await router.push('/reset-password/tok')
    await sessionLost()
    expect(router.currentRoute.value.name).toBe('reset-password')
    expect(takeLoginNotice()).toBeNull()
  })
})
