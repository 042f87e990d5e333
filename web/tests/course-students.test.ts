import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { USERS_PAGE } from '../src/lib/directory'
import Course from '../src/views/Course.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true, InvitationList: true } } }
const teacher: User = { id: 'u1', email: 't@x.test', display_name: 'Анна', role: 'teacher', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
const course = { id: 'c1', title: 'Алгебра', description: '', owner_id: 'u1', status: 'published', invite_code: 'ABCD2345', cover: null, created_at: '2026-01-01T00:00:00Z' }
const student = (i: number) => ({ user: { id: `s${i}`, display_name: `Ученик ${i}`, email: `s${i}@x.test` }, enrolled_at: '2026-01-02T00:00:00Z', source: 'staff' })
const asked = () => api.get.mock.calls.map((c) => c[0] as string).filter((p) => p.startsWith('/courses/c1/students'))

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  api.get.mockReset()
  setLocale('ru')
  session.checked = true
  session.user = teacher
  api.get.mockImplementation(async (p: string) => {
    if (p === '/courses/c1') return courseView(course, 'owner')
    if (p.startsWith('/courses/c1/students?')) {
      const q = new URLSearchParams(p.split('?')[1])
      const all = Array.from({ length: 120 }, (_, i) => student(i + 1)).filter((s) => !q.get('q') || s.user.display_name.endsWith(` ${q.get('q')}`))
      const offset = Number(q.get('offset'))
      return all.slice(offset, offset + Number(q.get('limit')))
    }
    return []
  })
})
afterEach(() => vi.useRealTimers())

describe('a course\'s students, a page at a time (#14)', () => {
  it('pages through the server and searches there, not in the browser', async () => {
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    await w.get('[data-test=tab-students]').trigger('click')
    expect(asked()[0]).toBe(`/courses/c1/students?limit=${USERS_PAGE + 1}&offset=0`)
    expect(w.findAll('[data-test=student-row]').length).toBe(USERS_PAGE)
    expect(w.get('[data-test=students-page]').text()).toBe('Страница 1')
    await w.get('[data-test=students-next]').trigger('click')
    await flushPromises()
    expect(asked().at(-1)).toBe(`/courses/c1/students?limit=${USERS_PAGE + 1}&offset=${USERS_PAGE}`)
    expect(w.findAll('[data-test=student-row]')[0].attributes('data-email')).toBe(`s${USERS_PAGE + 1}@x.test`)

    await w.get('[data-test=students-filter]').setValue('7')
    await vi.advanceTimersByTimeAsync(400)
    await flushPromises()
    expect(asked().at(-1)).toBe(`/courses/c1/students?limit=${USERS_PAGE + 1}&offset=0&q=7`)
    expect(w.findAll('[data-test=student-row]').map((r) => r.attributes('data-email'))).toEqual(['s7@x.test'])
    expect(w.find('[data-test=students-next]').exists()).toBe(false)

    await w.get('[data-test=students-filter]').setValue('нет')
    await vi.advanceTimersByTimeAsync(400)
    await flushPromises()
    expect(w.get('[data-test=students-empty]').text()).toBe('Никого не найдено.')
  })
})
