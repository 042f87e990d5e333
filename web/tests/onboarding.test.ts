import { describe, it, expect, vi, afterEach } from 'vitest'
import { i18n } from '../src/i18n'
import {
  ACTIONS,
  MAX_IMPORT_BYTES,
  TEMPLATE_HEADERS,
  actionKey,
  actionable,
  countRows,
  fileProblem,
  invitedKey,
  isExpired,
  linkProblem,
  passwordProblem,
  reasonParams,
  reportCsv,
  resetRequestOutcome,
  rowReason,
  templateCsv,
  type ImportReport,
} from '../src/lib/onboarding'
import { sendFile } from '../src/api/upload'
import { ApiError, sendsToLogin } from '../src/api/http'

const g = i18n.global as unknown as { te(k: string, l: string): boolean; t(k: string, p: object, o: { locale: string }): string }
const tr = (locale: 'ru' | 'en') => (k: string, p?: Record<string, unknown>) => (g.te(k, locale) ? g.t(k, p ?? {}, { locale }) : undefined)
const ru = tr('ru')
const en = tr('en')

// Every code the server puts on a row (lms-core/src/onboarding/service/plan.rs, import.rs).
const CODES = [
  'invalid_email', 'email_missing', 'invalid_name', 'invalid_role', 'unknown_course', 'course_archived', 'duplicate_email',
  'display_name_missing', 'role_mismatch', 'account_inactive', 'role_not_allowed', 'courses_missing', 'admin_takes_no_courses',
  'invalid_locale', 'invalid_time_zone', 'already_member', 'already_invited', 'group_ignored', 'invitation_expired',
]
// The column names the server reads (lms-core/src/onboarding/service/import.rs, COLUMNS).
const SERVER_COLUMNS = [
  'email', 'e-mail', 'mail', 'почта', 'эл. почта', 'электронная почта', 'e-mail адрес',
  'display_name', 'name', 'full name', 'full_name', 'имя', 'фио', 'ф.и.о.', 'ученик',
  'role', 'роль', 'courses', 'course', 'курсы', 'курс', 'group', 'группа',
  'locale', 'language', 'lang', 'язык', 'time_zone', 'timezone', 'time zone', 'tz', 'часовой пояс',
]

describe('the import report in words (#14)', () => {
  it('says what each row will do before the import and what it did after, in both languages', () => {
    for (const a of ACTIONS)
      for (const t of [ru, en]) {
        expect(t(actionKey(a, true)), a).toBeTruthy()
        expect(t(actionKey(a, false)), a).toBeTruthy()
        expect(t(`import_counts.${a}`), a).toBeTruthy()
      }
    expect(ru(actionKey('create', true))).toBe('будет создан и приглашён')
    expect(ru(actionKey('create', false))).toBe('создан и приглашён')
    expect(ru(actionKey('error', true))).toBe('ошибка — строка будет пропущена')
    expect(en(actionKey('enrol', false))).toBe('enrolled in the courses')
  })
  it('translates every row code, in Russian and English', () => {
    for (const code of CODES) {
      expect(ru(`import_codes.${code}`), code).toBeTruthy()
      expect(en(`import_codes.${code}`), code).toBeTruthy()
    }
  })
  it('names the value, line and role the server message gives', () => {
    expect(reasonParams('email: “bad-email” is not an e-mail address').value).toBe('bad-email')
    expect(reasonParams('email: the same address is on line 12').line).toBe('12')
    expect(reasonParams('role: the account exists with the role teacher').role).toBe('teacher')
    expect(rowReason({ code: 'invalid_email', message: 'email: “bad-email” is not an e-mail address' }, ru)).toBe('«bad-email» — не адрес электронной почты.')
    expect(rowReason({ code: 'duplicate_email', message: 'email: the same address is on line 2' }, ru)).toBe('Этот адрес уже есть в строке 2.')
    expect(rowReason({ code: 'unknown_course', message: 'courses: no course has the id or code “ZZZ”' }, ru)).toBe('Курс «ZZZ» не найден: укажите id или код приглашения курса.')
    expect(rowReason({ code: 'role_mismatch', message: 'role: the account exists with the role teacher' }, ru)).toBe('У этого адреса уже есть учётная запись с ролью «преподаватель».')
    expect(rowReason({ code: 'role_mismatch', message: 'role: the account exists with the role teacher' }, en)).toBe('This address already has an account with the role “teacher”.')
    expect(rowReason({ code: 'display_name_missing', message: 'display_name: a new account needs a name' }, ru)).toBe('Для нового пользователя нужно имя (столбец «ФИО»).')
  })
  it('falls back to the English message for a code it does not know, and says nothing without either', () => {
    expect(rowReason({ code: 'brand_new_code', message: 'something new happened' }, ru)).toBe('something new happened')
    expect(rowReason({ code: null, message: null }, ru)).toBe('')
  })
  it('counts the rows that change something', () => {
    expect(actionable({ create: 2, invite: 1, update_invitation: 1, enrol: 1, skip: 5, error: 3 })).toBe(5)
    expect(actionable({ create: 0, invite: 0, update_invitation: 0, enrol: 0, skip: 5, error: 3 })).toBe(0)
    expect(actionable(null)).toBe(0)
  })
})

describe('the import file (#14)', () => {
  it('refuses a file over 8 MiB or an empty one before sending', () => {
    expect(fileProblem({ size: MAX_IMPORT_BYTES + 1 })).toBe('too_large')
    expect(fileProblem({ size: MAX_IMPORT_BYTES })).toBeNull()
    expect(fileProblem({ size: 0 })).toBe('empty')
    expect(fileProblem(null)).toBeNull()
    expect(MAX_IMPORT_BYTES).toBe(8 * 1024 * 1024)
  })
  it('counts the data rows (blank lines and the header left out)', () => {
    expect(countRows('email;name\r\na@x.ru;A\r\n\r\nb@x.ru;B\r\n')).toBe(2)
    expect(countRows('email\n')).toBe(0)
    expect(countRows('')).toBe(0)
  })
  it('the template has headers the server reads, in the UI language, with a byte-order mark and an example row', () => {
    for (const l of ['ru', 'en'] as const) {
      for (const h of TEMPLATE_HEADERS[l]) expect(SERVER_COLUMNS, `${l}: ${h}`).toContain(h.toLowerCase())
      const csv = templateCsv(l, 'ABCD2345')
      expect(csv.startsWith('\uFEFF')).toBe(true)
      const [head, example] = csv.slice(1).split('\r\n')
      expect(head).toBe(TEMPLATE_HEADERS[l].join(';'))
      expect(example.split(';')).toHaveLength(TEMPLATE_HEADERS[l].length)
      expect(example).toContain('ABCD2345')
    }
    expect(templateCsv('ru').slice(1).split('\r\n')[0]).toBe('почта;ФИО;роль;курсы;группа;язык;часовой пояс')
  })
  it('writes the report of an import as the server does (format=csv)', () => {
    const report: ImportReport = {
      dry_run: false,
      counts: { create: 1, invite: 0, update_invitation: 0, enrol: 0, skip: 0, error: 1 },
      rows: [
        { line: 2, email: 'anna@x.ru', action: 'create', course_ids: ['c1', 'c2'], code: 'group_ignored', message: 'group: groups are not available yet; the column was ignored' },
        { line: 3, email: '=cmd@x.ru', action: 'error', course_ids: [], code: 'invalid_email', message: 'email: “=cmd@x.ru” is not an e-mail address' },
      ],
    }
    expect(reportCsv(report)).toBe(
      '\uFEFFline;email;action;courses;code;message\r\n' +
        '2;anna@x.ru;create;c1 c2;group_ignored;"group: groups are not available yet; the column was ignored"\r\n' +
        "3;'=cmd@x.ru;error;;invalid_email;email: “=cmd@x.ru” is not an e-mail address\r\n",
    )
  })
})

describe('new passwords and one-time links (#14)', () => {
  it('asks for 8 characters and the same password twice', () => {
    expect(passwordProblem('1234567', '1234567')).toBe('password.short')
    expect(passwordProblem('пароль12', 'пароль13')).toBe('password.mismatch')
    expect(passwordProblem('пароль12', 'пароль12')).toBeNull()
    // Characters, not bytes or UTF-16 units.
    expect(passwordProblem('😀😀😀😀😀😀😀', '😀😀😀😀😀😀😀')).toBe('password.short')
    for (const k of ['password.short', 'password.mismatch']) expect(ru(k)).toBeTruthy()
  })
  it('tells an unknown or used link from an expired one', () => {
    expect(linkProblem(new ApiError(404, 'link_invalid', 'x'))).toBe('invalid')
    expect(linkProblem(new ApiError(409, 'link_expired', 'x'))).toBe('expired')
    expect(linkProblem(new ApiError(422, 'invalid_field', 'x', 'password'))).toBeNull()
    expect(linkProblem(null)).toBeNull()
    // Both pages say what to do next.
    expect(ru('invitation.invalid')).toContain('Попросите школу прислать новое приглашение')
    expect(ru('invitation.expired')).toContain('Попросите школу прислать новое приглашение')
    expect(ru('reset.invalid')).toContain('Запросите новую ссылку')
    expect(ru('reset.expired')).toContain('Запросите новую ссылку')
  })
  it('"forgot password" never says whether the address exists', () => {
    expect(resetRequestOutcome(null)).toBe('sent')
    // Whatever the server might say about the address itself, the page says "sent".
    expect(resetRequestOutcome(new ApiError(404, 'user_not_found', 'x'))).toBe('sent')
    expect(resetRequestOutcome(new ApiError(403, 'user_inactive', 'x'))).toBe('sent')
    expect(resetRequestOutcome(new ApiError(429, 'too_many_requests', 'x'))).toBe('throttled')
    expect(resetRequestOutcome(new ApiError(0, 'network', 'x'))).toBe('failed')
    expect(resetRequestOutcome(new ApiError(503, 'busy', 'x'))).toBe('failed')
    expect(ru('forgot.sent')).toBe('Если такой адрес есть в школе, мы отправили на него письмо со ссылкой')
    expect(ru('forgot.sent')).not.toMatch(/не найден|нет такого|не зарегистр/i)
  })
  it('a 401 from /auth/… does not send anyone to the login page (public pages stay)', () => {
    expect(sendsToLogin('/auth/me')).toBe(false)
    expect(sendsToLogin('/auth/login')).toBe(false)
    expect(sendsToLogin('/auth/invitations/abc')).toBe(false)
    expect(sendsToLogin('/courses')).toBe(true)
  })
})

describe('invitations (#14)', () => {
  it('the toast after inviting says what was done', () => {
    expect(invitedKey({ action: 'create', code: null })).toBe('invite_done.create')
    expect(invitedKey({ action: 'enrol', code: null })).toBe('invite_done.enrol')
    expect(invitedKey({ action: 'skip', code: 'already_member' })).toBe('invite_done.already_member')
    expect(invitedKey({ action: 'skip', code: 'already_invited' })).toBe('invite_done.already_invited')
    for (const a of ['create', 'invite', 'update_invitation', 'enrol', 'already_member', 'already_invited'])
      expect(i18n.global.t(`invite_done.${a}`, { email: 'a@x.ru' }, { locale: 'ru' })).toContain('a@x.ru')
  })
  it('a refused invitation is said in words by the code the server sends', () => {
    expect(ru('errors.account_inactive')).toContain('отключена')
    expect(ru('errors.role_mismatch')).toContain('другой ролью')
    expect(i18n.global.t('errors.role_mismatch', {}, { locale: 'en' })).toContain('another role')
  })
  it('a pending invitation past its expiry is expired; closed ones are not', () => {
    const now = Date.parse('2026-03-10T12:00:00Z')
    expect(isExpired({ status: 'pending', expires_at: '2026-03-10T11:59:00Z' }, now)).toBe(true)
    expect(isExpired({ status: 'pending', expires_at: '2026-03-17T12:00:00Z' }, now)).toBe(false)
    expect(isExpired({ status: 'accepted', expires_at: '2026-03-01T12:00:00Z' }, now)).toBe(false)
  })
})

class FakeXhr {
  static last: FakeXhr
  headers: Record<string, string> = {}
  method = ''
  url = ''
  body: unknown
  status = 0
  responseText = ''
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null; onload: (() => void) | null } = { onprogress: null, onload: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor() {
    FakeXhr.last = this
  }
  open(m: string, u: string) {
    this.method = m
    this.url = u
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v
  }
  getResponseHeader(k: string) {
    return k.toLowerCase() === 'content-type' ? 'application/json' : null
  }
  send(b: unknown) {
    this.body = b
  }
}

afterEach(() => vi.unstubAllGlobals())

describe('sending the CSV file (#14)', () => {
  it('posts the raw file as text/csv with the CSRF header and reports the upload progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    document.cookie = 'lms_csrf=tok'
    const seen: number[] = []
    const file = new File(['email\na@x.ru\n'], 'people.csv', { type: 'text/csv' })
    const p = sendFile('/users/import?dry_run=true', file, 'text/csv', (f) => seen.push(f))
    const x = FakeXhr.last
    expect(x.method).toBe('POST')
    expect(x.url).toBe('/api/v1/users/import?dry_run=true')
    expect(x.headers['Content-Type']).toBe('text/csv')
    expect(x.headers['X-CSRF-Token']).toBe('tok')
    expect(x.body).toBe(file)
    x.upload.onprogress!({ lengthComputable: true, loaded: 5, total: 10 })
    x.status = 200
    x.responseText = '{"dry_run":true}'
    x.onload!()
    await expect(p).resolves.toEqual({ text: '{"dry_run":true}', type: 'application/json' })
    expect(seen).toEqual([0.5, 1])
  })
  it('rejects with the API error (a file too large, an unreadable one)', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const p = sendFile('/users/import?dry_run=true', new File(['x'], 'a.csv'), 'text/csv')
    const x = FakeXhr.last
    x.status = 422
    x.responseText = '{"error":{"code":"invalid_csv","message":"file: line 3: a quoted field is not closed","field":"file"}}'
    x.onload!()
    await expect(p).rejects.toMatchObject({ status: 422, code: 'invalid_csv', field: 'file' })
  })
})
