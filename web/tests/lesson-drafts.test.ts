import { describe, it, expect, vi, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

const push = vi.fn()
vi.mock('vue-router', async (orig) => ({ ...(await orig<typeof import('vue-router')>()), useRouter: () => ({ push }) }))
import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import Course from '../src/views/Course.vue'
import Courses from '../src/views/Courses.vue'
import Lesson from '../src/views/Lesson.vue'
import LessonEdit from '../src/views/LessonEdit.vue'
import { courseView } from './course-view'

const api = fakeApi()

const user = (role: User['role']): User => ({ id: 'u1', email: 'u@x.test', display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const course = { id: 'c1', title: 'Алгебра', description: '', owner_id: 'u1', status: 'published', invite_code: null, created_at: '2026-01-01T00:00:00Z' }
const open = { id: 'l1', course_id: 'c1', title: 'Открытый', body: '<p>x</p>', position: 0, publish_at: null, published: true, attachments: [] }
const draft = { ...open, id: 'l2', title: 'Черновик урока', position: 1, published: false }
const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }

/** The server as `role` sees it: students get no drafts. */
function serve(role: 'owner' | 'student') {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/courses/c1') return courseView(course, role)
    if (p === '/courses/c1/lessons') return role === 'student' ? [open] : [open, draft]
    if (p === '/lessons/l2') return draft
    if (p === '/courses?limit=200') return [courseView(course, role)]
    return []
  })
}

beforeEach(() => {
  api.get.mockReset()
  api.put.mockReset()
  api.post.mockReset()
  push.mockReset()
  setLocale('ru')
  session.checked = true
})

describe('draft lessons and course status badges (#13)', () => {
  it('staff see drafts marked «Черновик» and the course status', async () => {
    session.user = user('teacher')
    serve('owner')
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    const rows = w.findAll('[data-test=lesson-row]')
    expect(rows.map((r) => r.find('[data-test=lesson-draft]').exists())).toEqual([false, true])
    expect(rows[1].text()).toContain('Черновик')
    expect(w.find('[data-test=course-status]').text()).toBe('опубликован')
  })
  it('students see neither a course status badge nor drafts', async () => {
    session.user = user('student')
    serve('student')
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(w.findAll('[data-test=lesson-row]')).toHaveLength(1)
    expect(w.find('[data-test=course-status]').exists()).toBe(false)
    expect(w.text()).not.toContain('опубликован')
    const list = mount(Courses, opts)
    await flushPromises()
    expect(list.find('[data-test=course-card]').exists()).toBe(true)
    expect(list.find('[data-test=course-status]').exists()).toBe(false)
  })
  it('the lesson page has an edit button for the owner and says it is a draft', async () => {
    session.user = user('teacher')
    serve('owner')
    const w = mount(Lesson, { props: { id: 'l2' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=lesson-draft]').text()).toBe('Черновик')
    const edit = w.findAllComponents(RouterLinkStub).find((l) => l.attributes('data-test') === 'edit-lesson')
    expect(edit?.props('to')).toBe('/lessons/l2/edit')
    expect(edit?.text()).toBe('Редактировать')
  })
  it('the lesson page has no edit button for a student', async () => {
    session.user = user('student')
    serve('student')
    api.get.mockImplementation(async (p: string) => (p === '/lessons/l1' ? open : p === '/courses/c1' ? courseView(course, 'student') : [open]))
    const w = mount(Lesson, { props: { id: 'l1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=lesson-title]').text()).toBe('Открытый')
    expect(w.find('[data-test=edit-lesson]').exists()).toBe(false)
    expect(w.find('[data-test=lesson-draft]').exists()).toBe(false)
  })
  it('the editor shows and sends the draft state', async () => {
    session.user = user('teacher')
    serve('owner')
    api.put.mockResolvedValue({ ...draft, published: true })
    const w = mount(LessonEdit, { props: { id: 'l2' }, ...opts })
    await flushPromises()
    const box = w.find<HTMLInputElement>('[data-test=lesson-published]')
    expect(box.element.checked).toBe(false)
    expect(w.find('[data-test=lesson-state]').text()).toBe('Черновик')
    await box.setValue(true)
    expect(w.find('[data-test=lesson-state]').text()).toBe('Опубликован')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.put.mock.calls[0][0]).toBe('/lessons/l2')
    expect(api.put.mock.calls[0][1]).toMatchObject({ published: true })
    expect(push).toHaveBeenCalledWith('/lessons/l2')
  })
  it('a new lesson is published unless the switch is turned off', async () => {
    session.user = user('teacher')
    api.post.mockResolvedValue({ ...draft, id: 'l3' })
    const w = mount(LessonEdit, { props: { courseId: 'c1' }, ...opts })
    await flushPromises()
    expect(w.find<HTMLInputElement>('[data-test=lesson-published]').element.checked).toBe(true)
    await w.find('[data-test=lesson-title-input]').setValue('Новый')
    await w.find('[data-test=lesson-published]').setValue(false)
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(api.post.mock.calls[0]).toEqual(['/courses/c1/lessons', expect.objectContaining({ title: 'Новый', published: false })])
  })
})
