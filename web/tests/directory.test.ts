import { describe, it, expect, vi, afterEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { i18n, setLocale } from '../src/i18n'
import UserSearch from '../src/components/UserSearch.vue'
import { usersParams, usersQuery, pageOf, searchQuery, canAssist, countCodes, failures, summarize, codeText, USERS_PAGE, type BulkOutcome, type UserHit } from '../src/lib/directory'

const g = i18n.global as unknown as { t: (k: string, p: Record<string, unknown>) => string; te: (k: string) => boolean }
const t = (k: string, p?: Record<string, unknown>) => g.t(k, p ?? {})
const te = (k: string) => g.te(k)

describe('the user directory: queries and paging', () => {
  it('leaves empty filters out and trims the search text', () => {
    expect(usersQuery({ q: '', role: '', active: '' })).toBe('')
    expect(usersQuery({ q: '  Ив ', role: 'student', active: 'false' })).toBe('q=%D0%98%D0%B2&role=student&active=false')
    expect(usersQuery({ q: 'a+b@x', role: '', active: 'true' }, { limit: USERS_PAGE + 1, offset: 50 })).toBe('q=a%2Bb%40x&active=true&limit=51&offset=50')
    expect(usersQuery({ q: '', role: '', active: '' }, { limit: 51, offset: -50 })).toBe('limit=51&offset=0')
    expect(usersParams({ q: ' Ив ', role: 'student', active: 'false' }, { limit: 51, offset: -5 })).toEqual({ q: 'Ив', role: 'student', active: false, limit: 51, offset: 0 })
    expect(usersParams({ q: '', role: '', active: '' })).toEqual({})
  })
  it('a page is the first `size` rows; one more row means a next page', () => {
    expect(pageOf([1, 2, 3], 2)).toEqual({ rows: [1, 2], more: true })
    expect(pageOf([1, 2], 2)).toEqual({ rows: [1, 2], more: false })
    expect(pageOf(null, 2)).toEqual({ rows: [], more: false })
  })
  it('the typeahead asks from 2 characters on, with the role', () => {
    expect(searchQuery('И')).toBeNull()
    expect(searchQuery('  a ')).toBeNull()
    expect(searchQuery('Ив', 'student')).toEqual({ q: 'Ив', role: 'student' })
    expect(searchQuery(' jo ')).toEqual({ q: 'jo' })
  })
  it('teachers and assistants can assist, but not the owner', () => {
    const u = (id: string, role: UserHit['role']): UserHit => ({ id, role, display_name: id, email: `${id}@x` })
    expect(canAssist(u('a', 'assistant'), 'o')).toBe(true)
    expect(canAssist(u('b', 'teacher'), 'o')).toBe(true)
    expect(canAssist(u('o', 'teacher'), 'o')).toBe(false)
    expect(canAssist(u('s', 'student'), 'o')).toBe(false)
  })
})

describe('bulk outcomes in words', () => {
  const out: BulkOutcome[] = [
    { user_id: '1', ok: true, code: 'deactivated' },
    { user_id: '2', ok: false, code: 'cannot_deactivate_self' },
    { user_id: '3', ok: true, code: 'deactivated' },
  ]
  afterEach(() => setLocale('ru'))
  it('counts the codes and keeps the failed ones by account', () => {
    expect(countCodes(out)).toEqual([['deactivated', 2], ['cannot_deactivate_self', 1]])
    expect(failures(out)).toEqual({ '2': 'cannot_deactivate_self' })
  })
  it('says each code in Russian and English, an unknown one as is', () => {
    setLocale('ru')
    expect(codeText('cannot_deactivate_self', t, te)).toBe('нельзя деактивировать себя')
    for (const c of ['activated', 'deactivated', 'user_not_found', 'enrolled', 'already_enrolled', 'unenrolled', 'not_enrolled', 'user_inactive', 'not_a_student']) expect(codeText(c, t, te)).not.toBe(c)
    expect(codeText('something_new', t, te)).toBe('something_new')
    expect(summarize(out, t, te)).toEqual({ text: 'деактивировано: 2; нельзя деактивировать себя: 1', failed: 1 })
    setLocale('en')
    expect(summarize(out, t, te).text).toBe('deactivated: 2; you cannot deactivate yourself: 1')
  })
})

describe('UserSearch (the typeahead)', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.useRealTimers()
  })
  it('asks after a pause from 2 characters, hides the excluded and emits the choice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const hits: UserHit[] = [
      { id: 's1', display_name: 'Иван Петров', email: 'ivan@x', role: 'student' },
      { id: 's2', display_name: 'Иванна Сидорова', email: 'ivanna@x', role: 'student' },
    ]
    const fetch = vi.fn(async () => new Response(JSON.stringify(hits), { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    const w = mount(UserSearch, { props: { label: 'Найти', action: 'Записать', role: 'student', exclude: ['s2'] }, global: { plugins: [i18n] } })
    const input = w.find('[data-test=user-search-input]')
    await input.setValue('И')
    vi.advanceTimersByTime(400)
    await flushPromises()
    expect(fetch).not.toHaveBeenCalled()
    await input.setValue('Ива')
    await input.setValue('Иван')
    vi.advanceTimersByTime(400)
    await flushPromises()
    expect(fetch).toHaveBeenCalledTimes(1)
    const sent = (fetch.mock.calls[0] as unknown[])[0] as Request
    expect(sent.method).toBe('GET')
    expect(new URL(sent.url).pathname + new URL(sent.url).search).toBe('/api/v1/users/search?q=%D0%98%D0%B2%D0%B0%D0%BD&role=student')
    const rows = w.findAll('[data-test=user-hit]')
    expect(rows.map((r) => r.attributes('data-email'))).toEqual(['ivan@x'])
    await rows[0].find('button').trigger('click')
    expect(w.emitted('pick')?.[0]).toEqual([hits[0]])
    expect(w.findAll('[data-test=user-hit]')).toHaveLength(0)
  })
})
