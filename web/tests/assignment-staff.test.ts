import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { i18n, setLocale } from '../src/i18n'
import StaffSubmissions from '../src/components/StaffSubmissions.vue'
import CourseStudentPicker from '../src/components/CourseStudentPicker.vue'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const gets = () => api.get.mock.calls.map((c) => c[0] as string)

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  api.get.mockReset()
  api.post.mockReset()
  setLocale('ru')
})
afterEach(() => vi.useRealTimers())

describe('an assignment\'s submissions for its staff (#14)', () => {
  it('ask the server by name and state, a page at a time, and name each student', async () => {
    const subs = Array.from({ length: 51 }, (_, i) => ({ id: `b${i}`, student_id: `st${i}`, state: 'submitted', grade: null }))
    api.get.mockImplementation(async (p: string) => (p.includes('q=') ? [subs[3]] : subs))
    api.post.mockImplementation(async (_p: string, body?: unknown) => (body as { user_ids: string[] }).user_ids.map((id: string) => ({ user_id: id, display_name: `Имя ${id}` })))
    const w = mount(StaffSubmissions, { props: { assignmentId: 'a1', courseId: 'c1', maxScore: 10 }, ...opts })
    await flushPromises()
    expect(gets()[0]).toBe('/assignments/a1/submissions?limit=51&offset=0')
    expect(w.findAll('[data-test=sub-row]').length).toBe(50)
    expect(w.get('[data-test=sub-student]').text()).toBe('Имя st0')
    expect(w.find('[data-test=subs-next]').exists()).toBe(true)
    await w.get('[data-test=subs-state]').setValue('graded')
    await flushPromises()
    expect(gets().at(-1)).toBe('/assignments/a1/submissions?limit=51&offset=0&state=graded')
    await w.get('[data-test=subs-search]').setValue('имя')
    await vi.advanceTimersByTimeAsync(400)
    await flushPromises()
    expect(gets().at(-1)).toBe('/assignments/a1/submissions?limit=51&offset=0&q=%D0%B8%D0%BC%D1%8F&state=graded')
    expect(w.findAll('[data-test=sub-row]').length).toBe(1)
  })

  it('a student for an extension is found among the course\'s students on the server', async () => {
    api.get.mockResolvedValue([{ user: { id: 'st7', display_name: 'Иван Петров', email: 'ivan@x.test' } }])
    const w = mount(CourseStudentPicker, { props: { courseId: 'c1', label: 'Студент' }, ...opts })
    await w.get('[data-test=student-picker]').setValue('и')
    await vi.advanceTimersByTimeAsync(400)
    expect(api.get).not.toHaveBeenCalled()
    await w.get('[data-test=student-picker]').setValue('ива')
    await vi.advanceTimersByTimeAsync(400)
    await flushPromises()
    expect(gets()).toEqual(['/courses/c1/students?q=%D0%B8%D0%B2%D0%B0&limit=8'])
    await w.get('[data-test=student-picker-hit]').trigger('click')
    expect(w.emitted('pick')?.at(-1)).toEqual([{ id: 'st7', display_name: 'Иван Петров', email: 'ivan@x.test' }])
    expect((w.get('[data-test=student-picker]').element as HTMLInputElement).value).toBe('Иван Петров')
  })
})
