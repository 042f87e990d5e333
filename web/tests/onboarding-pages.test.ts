import { describe, it, expect, vi, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

vi.mock('../src/api/upload', async (orig) => ({ ...(await orig<typeof import('../src/api/upload')>()), sendFile: vi.fn() }))
vi.mock('../src/lib/download', () => ({ saveText: vi.fn() }))
const push = vi.fn()
vi.mock('vue-router', async (orig) => ({ ...(await orig<typeof import('vue-router')>()), useRouter: () => ({ push }), useRoute: () => ({ query: {} }) }))
import { ApiError } from '../src/api/http'
import { fakeApi } from './fake-api'
import { sendFile } from '../src/api/upload'
import { saveText } from '../src/lib/download'
import { router, linked } from '../src/router'
import { session, fmt, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { school } from '../src/lib/school'
import { confirmState, settleConfirm } from '../src/lib/confirm'
import { toasts, clearToasts } from '../src/lib/toast'
import { MAX_IMPORT_BYTES, type ImportReport } from '../src/lib/onboarding'
import Login from '../src/views/Login.vue'
import ForgotPassword from '../src/views/ForgotPassword.vue'
import ResetPassword from '../src/views/ResetPassword.vue'
import Invitation from '../src/views/Invitation.vue'
import Register from '../src/views/Register.vue'
import AdminImport from '../src/views/AdminImport.vue'
import InviteForm from '../src/components/InviteForm.vue'
import InvitationList from '../src/components/InvitationList.vue'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const user = (role: User['role'], over: Partial<User> = {}): User => ({ id: 'u1', email: `${role}@x.test`, display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z', ...over })
const preview = { email: 'new@school.test', display_name: 'Иван Новиков', role: 'student', course_titles: ['Алгебра 9', 'Геометрия'], expires_at: '2026-03-17T09:00:00Z' }

beforeEach(() => {
  api.reset()
  for (const f of [sendFile, saveText]) vi.mocked(f).mockReset()
  push.mockReset()
  clearToasts()
  settleConfirm(false)
  setLocale('ru')
  session.user = null
  session.checked = true
  api.get.mockImplementation(async (p: string) => {
    if (p === '/school') return { name: 'Демо-школа', logo_url: null, self_registration: true }
    if (p === '/auth/me') throw new ApiError(401, 'unauthenticated', 'log in')
    throw new Error(`unexpected GET ${p}`)
  })
})

describe('the pages for getting in are public (#14)', () => {
  it('the links of e-mails and the forms open without a session', async () => {
    for (const path of [linked.invitation.replace(':token', 'abc'), linked.password_reset.replace(':token', 'abc'), '/forgot-password', '/register']) {
      await router.push(path)
      expect(router.currentRoute.value.path, path).toBe(path)
      expect(router.currentRoute.value.meta.public, path).toBe(true)
    }
    expect(router.resolve(linked.invitation.replace(':token', 'abc')).name).toBe('invitation')
    expect(router.resolve(linked.password_reset.replace(':token', 'abc')).name).toBe('reset-password')
  })
  it('someone logged in still sees an invitation or reset link; the login, forgot and sign-up pages send them home', async () => {
    session.user = user('student')
    await router.push('/invitation/tok1')
    expect(router.currentRoute.value.name).toBe('invitation')
    await router.push('/reset-password/tok2')
    expect(router.currentRoute.value.name).toBe('reset-password')
    await router.push('/forgot-password')
    expect(router.currentRoute.value.name).toBe('home')
    await router.push('/register')
    expect(router.currentRoute.value.name).toBe('home')
  })
  it('the import page is the admin\'s', async () => {
    session.user = user('teacher')
    await router.push('/admin/import')
    expect(router.currentRoute.value.name).toBe('home')
    session.user = user('admin')
    await router.push('/admin/import')
    expect(router.currentRoute.value.name).toBe('import')
  })
})

describe('the login page (#14)', () => {
  it('links to "forgot password", and to sign-up only when the school allows it', async () => {
    school.selfRegistration = false
    const w = mount(Login, opts)
    await flushPromises()
    expect(w.find('[data-test=forgot-link]').text()).toBe('Забыли пароль?')
    expect(school.selfRegistration).toBe(true)
    expect(w.find('[data-test=register-link]').text()).toBe('Зарегистрироваться по коду курса')
    school.selfRegistration = false
    await flushPromises()
    expect(w.find('[data-test=register-link]').exists()).toBe(false)
  })
})

describe('forgot password (#14)', () => {
  async function ask(address: string) {
    const w = mount(ForgotPassword, opts)
    await w.find('[data-test=forgot-email]').setValue(address)
    await w.find('form').trigger('submit')
    await flushPromises()
    return w
  }
  it('answers the same for an address the school has and one it has not', async () => {
    api.post.mockImplementation(async (p: string, b?: unknown) => {
      expect(p).toBe('/auth/password-reset')
      if ((b as { email: string }).email === 'ghost@x.test') throw new ApiError(404, 'user_not_found', 'no such user')
      return { status: 'sent' }
    })
    const known = await ask('anna@x.test')
    const unknown = await ask('ghost@x.test')
    expect(known.find('[data-test=forgot-sent]').text()).toBe(unknown.find('[data-test=forgot-sent]').text())
    expect(known.find('[data-test=forgot-sent-text]').text()).toBe('Если такой адрес есть в школе, мы отправили на него письмо со ссылкой')
    expect(unknown.find('[data-test=forgot-error]').exists()).toBe(false)
    expect(api.post.mock.calls.map((c) => c[1])).toEqual([{ email: 'anna@x.test' }, { email: 'ghost@x.test' }])
  })
  it('too many requests are said; an empty address is not sent', async () => {
    api.post.mockRejectedValue(new ApiError(429, 'too_many_requests', 'slow down'))
    const w = await ask('anna@x.test')
    expect(w.find('[data-test=forgot-error]').text()).toContain('Подождите несколько минут')
    expect(w.find('[data-test=forgot-sent]').exists()).toBe(false)
    api.post.mockClear()
    const empty = await ask('   ')
    expect(empty.find('[data-test=forgot-error]').text()).toBe('Введите адрес почты.')
    expect(api.post).not.toHaveBeenCalled()
  })
})

describe('the reset link page (#14)', () => {
  async function submit(w: ReturnType<typeof mount>, a: string, b: string) {
    await w.find('[data-test=reset-password]').setValue(a)
    await w.find('[data-test=reset-repeat]').setValue(b)
    await w.find('form').trigger('submit')
    await flushPromises()
  }
  it('checks the two passwords before sending, then says it is done and offers to log in', async () => {
    api.post.mockResolvedValue(undefined)
    const w = mount(ResetPassword, { props: { token: 'tok' }, ...opts })
    await submit(w, 'short', 'short')
    expect(w.find('[data-test=reset-error]').text()).toBe('Пароль должен быть не короче 8 символов.')
    await submit(w, 'new-password-1', 'new-password-2')
    expect(w.find('[data-test=reset-error]').text()).toContain('Пароли не совпадают')
    expect(api.post).not.toHaveBeenCalled()
    await submit(w, 'new-password-1', 'new-password-1')
    expect(api.post).toHaveBeenCalledWith('/auth/password-reset/confirm', { token: 'tok', password: 'new-password-1' })
    expect(w.find('[data-test=reset-done]').text()).toContain('Пароль изменён. Войдите с новым паролем.')
    expect(w.findComponent(RouterLinkStub).props('to')).toBe('/login')
  })
  it('a used or expired link says so and leads to a new one', async () => {
    for (const [code, status, said] of [['link_invalid', 404, 'уже использована'], ['link_expired', 409, 'Срок действия ссылки истёк']] as const) {
      api.post.mockRejectedValue(new ApiError(status, code, 'x'))
      const w = mount(ResetPassword, { props: { token: 'tok' }, ...opts })
      await submit(w, 'new-password-1', 'new-password-1')
      expect(w.find('[data-test=reset-link-text]').text()).toContain(said)
      expect(w.find('[data-test=reset-request-new]').exists()).toBe(true)
      expect(w.find('form').exists()).toBe(false)
    }
  })
})

describe('the invitation link page (#14)', () => {
  beforeEach(() => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/school') return { name: 'Демо-школа', logo_url: null, self_registration: false }
      if (p === '/auth/invitations/tok') return structuredClone(preview)
      if (p === '/auth/invitations/old') throw new ApiError(409, 'link_expired', 'expired')
      if (p === '/auth/invitations/used') throw new ApiError(404, 'link_invalid', 'invalid')
      throw new Error(`unexpected GET ${p}`)
    })
  })
  it('shows the school, the login, the role, the courses and the expiry', async () => {
    const w = mount(Invitation, { props: { token: 'tok' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=auth-title]').text()).toBe('Приглашение в «Демо-школа»')
    expect(w.find('[data-test=invitation-email]').text()).toBe('new@school.test')
    expect(w.find('[data-test=invitation-role]').text()).toBe('студент')
    expect(w.findAll('[data-test=invitation-courses] li').map((l) => l.text())).toEqual(['Алгебра 9', 'Геометрия'])
    // In the invitee's own zone (no profile yet).
    expect(w.find('[data-test=invitation-expires]').text()).toBe(fmt(preview.expires_at))
    expect(w.find('[data-test=invitation-expires]').text()).toMatch(/^17 мар\. 2026 г\., \d\d:00$/)
    expect((w.find('[data-test=invitation-name]').element as HTMLInputElement).value).toBe('Иван Новиков')
  })
  it('accepting logs in (sending a corrected name only) and goes home', async () => {
    const me = user('student', { email: 'new@school.test', display_name: 'Иван Новиков-Петров' })
    api.post.mockResolvedValue({ token: 't', csrf_token: 'c', expires_at: '2026-03-31T00:00:00Z', user: me })
    const w = mount(Invitation, { props: { token: 'tok' }, ...opts })
    await flushPromises()
    await w.find('[data-test=invitation-password]').setValue('my-password-1')
    await w.find('[data-test=invitation-repeat]').setValue('my-password-2')
    await w.find('form').trigger('submit')
    expect(w.find('[data-test=invitation-error]').text()).toContain('Пароли не совпадают')
    expect(api.post).not.toHaveBeenCalled()
    await w.find('[data-test=invitation-repeat]').setValue('my-password-1')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post).toHaveBeenCalledWith('/auth/invitations/accept', { token: 'tok', password: 'my-password-1', display_name: undefined })
    await w.find('[data-test=invitation-name]').setValue('Иван Новиков-Петров')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post.mock.calls[1][1]).toEqual({ token: 'tok', password: 'my-password-1', display_name: 'Иван Новиков-Петров' })
    expect(session.user).toEqual(me)
    expect(push).toHaveBeenCalledWith('/')
    expect(toasts.map((t) => t.text)).toContain('Добро пожаловать, Иван Новиков-Петров!')
  })
  it('an expired or used link asks the school for a new invitation', async () => {
    for (const token of ['old', 'used']) {
      const w = mount(Invitation, { props: { token }, ...opts })
      await flushPromises()
      expect(w.find('[data-test=invitation-link-text]').text()).toContain('Попросите школу прислать новое приглашение')
      expect(w.find('form').exists()).toBe(false)
    }
  })
  it('someone else logged in on this browser is told accepting switches the account', async () => {
    session.user = user('teacher', { display_name: 'Мария Учитель' })
    const w = mount(Invitation, { props: { token: 'tok' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=invitation-other-user]').text()).toBe('Сейчас вы вошли как Мария Учитель. Приняв приглашение, вы войдёте под адресом new@school.test.')
  })
})

describe('sign-up with a course code (#14)', () => {
  it('registers, logs in and goes home', async () => {
    school.selfRegistration = true
    const me = user('student', { display_name: 'Пётр' })
    api.post.mockResolvedValue({ user: me })
    const w = mount(Register, opts)
    await flushPromises()
    await w.find('[data-test=register-email]').setValue(' petr@x.test ')
    await w.find('[data-test=register-name]').setValue('Пётр')
    await w.find('[data-test=register-password]').setValue('petr-pass-1')
    await w.find('[data-test=register-code]').setValue('abcd2345')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post.mock.calls[0][0]).toBe('/auth/register')
    expect(api.post.mock.calls[0][1]).toMatchObject({ email: 'petr@x.test', display_name: 'Пётр', password: 'petr-pass-1', invite_code: 'abcd2345', locale: 'ru' })
    expect(session.user).toEqual(me)
    expect(push).toHaveBeenCalledWith('/')
  })
  it('a taken address leads to "forgot password"; a wrong code is said', async () => {
    school.selfRegistration = true
    const w = mount(Register, opts)
    await flushPromises()
    await w.find('[data-test=register-email]').setValue('anna@x.test')
    await w.find('[data-test=register-name]').setValue('Анна')
    await w.find('[data-test=register-password]').setValue('anna-pass-1')
    await w.find('[data-test=register-code]').setValue('ZZZZ9999')
    api.post.mockRejectedValue(new ApiError(409, 'email_taken', 'email: an account with this address exists'))
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-test=register-error]').text()).toContain('С этим адресом уже есть учётная запись')
    expect(w.find('[data-test=register-forgot]').exists()).toBe(true)
    api.post.mockRejectedValue(new ApiError(422, 'invalid_invite_code', 'invite_code: no open course has this code', 'invite_code'))
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-test=register-error]').text()).toBe('Неверный код приглашения.')
    expect(w.find('[data-test=register-code]').classes()).toContain('is-invalid')
  })
  it('says so when the school signs people up by invitation only', async () => {
    school.selfRegistration = false
    const w = mount(Register, opts)
    await flushPromises()
    expect(w.find('[data-test=register-disabled]').text()).toContain('только по приглашению')
    expect(w.find('form').exists()).toBe(false)
  })
})

const dryReport: ImportReport = {
  dry_run: true,
  counts: { create: 2, invite: 0, update_invitation: 0, enrol: 0, skip: 1, error: 1 },
  rows: [
    { line: 2, email: 'a@x.ru', action: 'create', course_ids: ['c1'], code: null, message: null },
    { line: 3, email: 'bad', action: 'error', course_ids: [], code: 'invalid_email', message: 'email: “bad” is not an e-mail address' },
    { line: 4, email: 'b@x.ru', action: 'create', course_ids: ['c1'], code: null, message: null },
    { line: 5, email: 'c@x.ru', action: 'skip', course_ids: [], code: 'already_member', message: 'the account exists and is in every course named' },
  ],
}

describe('the CSV import page (#14)', () => {
  beforeEach(() => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/courses') return [{ course: { id: 'c1', title: 'Алгебра 9', status: 'published', invite_code: 'ABCD2345' }, role: null }]
      throw new Error(`unexpected GET ${p}`)
    })
  })
  async function choose(w: ReturnType<typeof mount>, file: File) {
    const input = w.find('[data-test=import-file]')
    Object.defineProperty(input.element, 'files', { value: [file], configurable: true })
    await input.trigger('change')
    await flushPromises()
  }
  it('shows the file\'s name and size and refuses one over 8 MiB', async () => {
    const w = mount(AdminImport, opts)
    await flushPromises()
    const big = new File(['x'], 'huge.csv')
    Object.defineProperty(big, 'size', { value: MAX_IMPORT_BYTES + 1 })
    await choose(w, big)
    expect(w.find('[data-test=import-file-info]').text()).toContain('huge.csv')
    expect(w.find('[data-test=import-file-info]').text()).toContain('8 МБ')
    expect(w.find('[data-test=import-file-problem]').text()).toContain('больше 8 МБ')
    expect(w.find('[data-test=import-check]').attributes('disabled')).toBeDefined()
    await choose(w, new File(['email;name\na@x.ru;A\nb@x.ru;B\n'], 'ok.csv'))
    expect(w.find('[data-test=import-file-info]').text()).toContain('строк с данными: 2')
    expect(w.find('[data-test=import-file-problem]').exists()).toBe(false)
    expect(w.find('[data-test=import-check]').attributes('disabled')).toBeUndefined()
    expect(w.find('[data-test=import-run]').attributes('disabled')).toBeDefined()
  })
  it('the check shows counts and each row in words, errors highlighted; importing asks first, then shows the result', async () => {
    const done: ImportReport = { ...structuredClone(dryReport), dry_run: false }
    vi.mocked(sendFile).mockImplementation(async (path: string) => ({ text: JSON.stringify(path.includes('dry_run=true') ? dryReport : done), type: 'application/json' }))
    const w = mount(AdminImport, opts)
    await flushPromises()
    const file = new File(['email\na@x.ru\nbad\nb@x.ru\nc@x.ru\n'], 'people.csv')
    await choose(w, file)
    await w.find('[data-test=import-check]').trigger('click')
    await flushPromises()
    expect(vi.mocked(sendFile).mock.calls[0].slice(0, 3)).toEqual(['/users/import?dry_run=true', file, 'text/csv'])
    expect(w.find('[data-test=import-report-title]').text()).toBe('Проверка: что произойдёт')
    expect(w.find('[data-test=count-create]').text()).toBe('2')
    expect(w.find('[data-test=count-error]').text()).toBe('1')
    const rows = w.findAll('[data-test=report-row]')
    expect(rows.map((r) => r.find('[data-test=report-action]').text())).toEqual(['будет создан и приглашён', 'ошибка — строка будет пропущена', 'будет создан и приглашён', 'без изменений'])
    expect(rows[1].classes()).toContain('table-danger')
    expect(rows[1].find('[data-test=report-reason]').text()).toBe('«bad» — не адрес электронной почты.')
    expect(rows[3].find('[data-test=report-reason]').text()).toBe('Уже есть в школе и на всех указанных курсах.')
    await w.find('[data-test=import-only-errors]').setValue(true)
    expect(w.findAll('[data-test=report-row]')).toHaveLength(1)
    // Importing asks in words first; cancelling sends nothing.
    await w.find('[data-test=import-run]').trigger('click')
    expect(confirmState.current?.title).toBe('Импортировать файл «people.csv»?')
    settleConfirm(false)
    await flushPromises()
    expect(sendFile).toHaveBeenCalledTimes(1)
    await w.find('[data-test=import-run]').trigger('click')
    settleConfirm(true)
    await flushPromises()
    expect(vi.mocked(sendFile).mock.calls[1][0]).toBe('/users/import?dry_run=false')
    expect(w.find('[data-test=import-report-title]').text()).toBe('Импорт выполнен')
    expect(w.find('[data-test=report-action]').text()).toBe('создан и приглашён')
    expect(toasts.map((t) => t.text)).toContain('Импорт выполнен: новых пользователей — 2.')
    // Done: nothing to import again until the next check.
    expect(w.find('[data-test=import-run]').attributes('disabled')).toBeDefined()
    // The report of the import, written as the server writes it.
    await w.find('[data-test=import-report-csv]').trigger('click')
    expect(vi.mocked(saveText).mock.calls[0][0]).toBe('import-report.csv')
    expect(vi.mocked(saveText).mock.calls[0][1]).toContain('3;bad;error;;invalid_email;')
  })
  it('the check\'s report downloads as the server writes it (format=csv); the template too', async () => {
    vi.mocked(sendFile).mockImplementation(async (path: string) =>
      path.includes('format=csv') ? { text: 'line;email;action;courses;code;message\r\n', type: 'text/csv' } : { text: JSON.stringify(dryReport), type: 'application/json' },
    )
    const w = mount(AdminImport, opts)
    await flushPromises()
    await choose(w, new File(['email\na@x.ru\n'], 'people.csv'))
    await w.find('[data-test=import-check]').trigger('click')
    await flushPromises()
    await w.find('[data-test=import-report-csv]').trigger('click')
    await flushPromises()
    expect(vi.mocked(sendFile).mock.calls[1][0]).toBe('/users/import?dry_run=true&format=csv')
    expect(saveText).toHaveBeenCalledWith('import-check.csv', 'line;email;action;courses;code;message\r\n')
    await w.find('[data-test=import-template]').trigger('click')
    expect(vi.mocked(saveText).mock.calls[1][0]).toBe('import-template.csv')
    expect(vi.mocked(saveText).mock.calls[1][1]).toContain('почта;ФИО;роль;курсы')
    expect(vi.mocked(saveText).mock.calls[1][1]).toContain('ABCD2345')
  })
  it('an unreadable file is said in words with the server\'s detail', async () => {
    vi.mocked(sendFile).mockRejectedValue(new ApiError(422, 'invalid_csv', 'file: line 3: a quoted field is not closed', 'file'))
    const w = mount(AdminImport, opts)
    await flushPromises()
    await choose(w, new File(['email\n"a\n'], 'broken.csv'))
    await w.find('[data-test=import-check]').trigger('click')
    await flushPromises()
    const said = w.find('[data-test=import-error]').text()
    expect(said).toContain('Файл не читается как таблица CSV')
    expect(said).toContain('line 3: a quoted field is not closed')
  })
})

describe('inviting by e-mail and the invitation lists (#14)', () => {
  it('on a course page: the address and name into this course, and a toast saying what was done', async () => {
    api.post.mockResolvedValue({ line: 0, email: 'new@x.ru', action: 'create', course_ids: ['c1'], code: null, message: null })
    const w = mount(InviteForm, { props: { courseId: 'c1' }, ...opts })
    expect(w.find('[data-test=invite-role]').exists()).toBe(false)
    await w.find('[data-test=invite-email]').setValue('new@x.ru')
    await w.find('[data-test=invite-name]').setValue('Новый Студент')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post).toHaveBeenCalledWith('/invitations', { email: 'new@x.ru', display_name: 'Новый Студент', course_ids: ['c1'] })
    expect(toasts.map((t) => t.text)).toContain('Приглашение отправлено на new@x.ru.')
    expect(w.emitted('invited')).toHaveLength(1)
  })
  it('an admin picks a role and courses; a new address without a name is named in the error', async () => {
    const w = mount(InviteForm, { props: { courses: [{ id: 'c1', title: 'Алгебра 9' }, { id: 'c2', title: 'Геометрия' }] }, ...opts })
    await w.find('[data-test=invite-email]').setValue('t@x.ru')
    await w.find('[data-test=invite-role]').setValue('assistant')
    await w.find('[data-test=invite-courses]').setValue(['c2'])
    api.post.mockRejectedValue(new ApiError(422, 'invalid_field', 'display_name: a new account needs a name', 'display_name'))
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post).toHaveBeenCalledWith('/invitations', { email: 't@x.ru', display_name: undefined, course_ids: ['c2'], role: 'assistant' })
    expect(w.find('[data-test=invite-error]').text()).toBe('Для нового пользователя нужно имя: впишите имя и фамилию.')
    expect(w.find('[data-test=invite-name]').classes()).toContain('is-invalid')
    // Admins join no courses: choosing that role hides them.
    await w.find('[data-test=invite-role]').setValue('admin')
    expect(w.find('[data-test=invite-courses]').exists()).toBe(false)
  })
  const inv = (id: string, email: string, status = 'pending', expires = '2099-01-01T00:00:00Z') => ({ id, user_id: 'u' + id, email, role: 'student', course_ids: ['c1'], invited_by: 'a', status, send_count: 1, created_at: '2026-03-01T09:00:00Z', expires_at: expires, closed_at: null })
  it('a course owner\'s list is the course\'s pending invitations, sent again or revoked after asking', async () => {
    api.get.mockResolvedValue([inv('i1', 'a@x.ru'), inv('i2', 'b@x.ru', 'pending', '2020-01-01T00:00:00Z')])
    api.post.mockResolvedValue(inv('i1', 'a@x.ru'))
    api.del.mockResolvedValue(inv('i1', 'a@x.ru', 'revoked'))
    const w = mount(InvitationList, { props: { courseId: 'c1' }, ...opts })
    await flushPromises()
    expect(api.get.mock.calls[0][0]).toBe('/invitations?course_id=c1&status=pending&limit=21&offset=0')
    expect(w.find('[data-test=inv-status-filter]').exists()).toBe(false)
    const rows = w.findAll('[data-test=invitation-row]')
    expect(rows).toHaveLength(2)
    expect(rows[1].find('[data-test=inv-expired]').text()).toContain('ссылка истекла')
    await rows[0].find('[data-test=inv-resend]').trigger('click')
    await flushPromises()
    expect(api.post).toHaveBeenCalledWith('/invitations/i1/resend')
    expect(toasts.map((t) => t.text)).toContain('Приглашение отправлено снова: a@x.ru.')
    await w.findAll('[data-test=invitation-row]')[0].find('[data-test=inv-revoke]').trigger('click')
    expect(confirmState.current?.title).toBe('Отозвать приглашение для a@x.ru?')
    expect(confirmState.current?.danger).toBe(true)
    settleConfirm(true)
    await flushPromises()
    expect(api.del).toHaveBeenCalledWith('/invitations/i1')
  })
  it('an admin filters by state and address and pages through', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      api.get.mockImplementation(async (p: string) => (p.includes('offset=0') ? Array.from({ length: 21 }, (_, i) => inv(`i${i}`, `s${i}@x.ru`)) : [inv('i99', 'last@x.ru')]))
      const w = mount(InvitationList, { props: { courseTitles: { c1: 'Алгебра 9' } }, ...opts })
      await flushPromises()
      expect(w.findAll('[data-test=invitation-row]')).toHaveLength(20)
      expect(w.find('[data-test=invitation-row]').text()).toContain('Алгебра 9')
      await w.find('[data-test=inv-next]').trigger('click')
      await flushPromises()
      expect(api.get.mock.calls.at(-1)![0]).toBe('/invitations?status=pending&limit=21&offset=20')
      expect(w.findAll('[data-test=invitation-row]')).toHaveLength(1)
      expect(w.find('[data-test=inv-next]').attributes('disabled')).toBeDefined()
      await w.find('[data-test=inv-status-filter]').setValue('')
      await flushPromises()
      expect(api.get.mock.calls.at(-1)![0]).toBe('/invitations?limit=21&offset=0')
      await w.find('[data-test=inv-search]').setValue('Anna@')
      vi.advanceTimersByTime(400)
      await flushPromises()
      expect(api.get.mock.calls.at(-1)![0]).toBe('/invitations?q=Anna%40&limit=21&offset=0')
    } finally {
      vi.useRealTimers()
    }
  })
})
