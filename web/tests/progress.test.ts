import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { doneKey, donePercent, loadMyProgress, nextLesson, type LessonProgress } from '../src/lib/progress'
import Course from '../src/views/Course.vue'
import Dashboard from '../src/views/Dashboard.vue'
import { courseView } from './course-view'

const api = fakeApi()

const user = (role: User['role']): User => ({ id: 'u1', email: 'u@x.test', display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const course = { id: 'c1', title: 'Алгебра', description: '', owner_id: 'u9', status: 'published', invite_code: null, created_at: '2026-01-01T00:00:00Z' }
const lesson = (id: string, title: string, position: number) => ({ id, course_id: 'c1', title, body: '<p>x</p>', position, publish_at: null, published: true, attachments: [] })
const lessons = [lesson('l1', 'Введение', 0), lesson('l2', 'Уравнения', 1), lesson('l3', 'Неравенства', 2)]
const mine = (viewed: string[]): LessonProgress => {
  const marks = lessons.map((l) => ({ lesson_id: l.id, title: l.title, viewed: viewed.includes(l.id) }))
  return { lessons: marks, next_lesson_id: marks.find((m) => !m.viewed)?.lesson_id ?? null, lessons_total: marks.length, lessons_viewed: viewed.length }
}
const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }
const asked = (path: string) => api.get.mock.calls.some(([p]) => p === path)

function serve(role: 'owner' | 'student', progress: LessonProgress) {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/courses/c1') return courseView(course, role)
    if (p === '/courses/c1/lessons') return lessons
    if (p === '/courses/c1/my-progress') {
      if (role !== 'student') throw new Error('403')
      return progress
    }
    if (p === '/dashboard/student') return { courses: [{ course_id: 'c1', title: 'Алгебра', percent: 33 }], upcoming_deadlines: [], upcoming_webinars: [], recent_grades: [], achievements: [] }
    if (p === '/dashboard/staff') return { queue: [], upcoming_webinars: [], courses: [{ course_id: 'c1', title: 'Алгебра', student_count: 1, pending_count: 0, average_homework_percent: null, average_quiz_percent: null }] }
    return []
  })
}

beforeEach(() => {
  api.get.mockReset()
  setLocale('ru')
  session.checked = true
})

describe('the words of the lesson count', () => {
  it('agree with the total in Russian («из 1 урока», «из 3 уроков») and English', () => {
    expect(doneKey(1, 'ru')).toBe('lesson_progress.done_one')
    expect(doneKey(21, 'ru')).toBe('lesson_progress.done_one')
    expect(doneKey(3, 'ru')).toBe('lesson_progress.done_many')
    expect(doneKey(11, 'ru')).toBe('lesson_progress.done_many')
    expect(doneKey(1, 'en')).toBe('lesson_progress.done_one')
    expect(doneKey(21, 'en')).toBe('lesson_progress.done_many')
    expect(i18n.global.t(doneKey(3, 'ru'), { done: 1, total: 3 })).toBe('Пройдено 1 из 3 уроков')
    expect(i18n.global.t(doneKey(1, 'ru'), { done: 0, total: 1 })).toBe('Пройдено 0 из 1 урока')
  })
  it('the next lesson and the share done; a refused or odd answer is no progress', async () => {
    expect(nextLesson(mine(['l1']))?.title).toBe('Уравнения')
    expect(nextLesson(mine(['l1', 'l2', 'l3']))).toBeNull()
    expect(donePercent(mine(['l1']))).toBe(33)
    expect(await loadMyProgress('c1', async () => { throw new Error('403') })).toBeNull()
    expect(await loadMyProgress('c1', async () => [])).toBeNull()
  })
})

describe('"continue where you stopped" on the course page (#13)', () => {
  it('a student sees ticks on opened lessons, "Пройдено 1 из 3 уроков" and a button to the next lesson', async () => {
    session.user = user('student')
    serve('student', mine(['l1']))
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    const rows = w.findAll('[data-test=lesson-row]')
    expect(rows.map((r) => r.find('[data-test=lesson-viewed]').exists())).toEqual([true, false, false])
    expect(rows[0].find('[data-test=lesson-viewed]').attributes('aria-label')).toBe('Урок пройден')
    expect(w.find('[data-test=lesson-progress-text]').text()).toBe('Пройдено 1 из 3 уроков')
    expect(w.find('[data-test=lesson-progress] .progress').attributes('aria-valuenow')).toBe('33')
    const go = w.findAllComponents(RouterLinkStub).find((l) => l.attributes('data-test') === 'continue-lesson')
    expect(go?.props('to')).toBe('/lessons/l2')
    expect(go?.text()).toBe('Продолжить: Уравнения')
    expect(w.find('[data-test=all-lessons-done]').exists()).toBe(false)
  })
  it('when every lesson is opened it says so instead', async () => {
    session.user = user('student')
    serve('student', mine(['l1', 'l2', 'l3']))
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=lesson-progress-text]').text()).toBe('Пройдено 3 из 3 уроков')
    expect(w.find('[data-test=all-lessons-done]').text()).toBe('Все уроки пройдены')
    expect(w.find('[data-test=continue-lesson]').exists()).toBe(false)
  })
  it('staff do not ask for it and see no progress', async () => {
    session.user = user('teacher')
    serve('owner', mine([]))
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(asked('/courses/c1/my-progress')).toBe(false)
    expect(w.find('[data-test=lesson-progress]').exists()).toBe(false)
    expect(w.find('[data-test=lesson-viewed]').exists()).toBe(false)
  })
})

describe('"continue" on the student dashboard (#13)', () => {
  it('each course card links to its next lesson', async () => {
    session.user = user('student')
    serve('student', mine(['l1']))
    const w = mount(Dashboard, opts)
    await flushPromises()
    const go = w.findAllComponents(RouterLinkStub).find((l) => l.attributes('data-test') === 'continue-course')
    expect(go?.props('to')).toBe('/lessons/l2')
    expect(go?.text()).toBe('Продолжить')
  })
  it('staff dashboards do not ask for it', async () => {
    session.user = user('teacher')
    serve('owner', mine([]))
    mount(Dashboard, opts)
    await flushPromises()
    expect(asked('/courses/c1/my-progress')).toBe(false)
  })
})
