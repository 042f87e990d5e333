// The staff page of one student in a course (views/CourseStudent.vue,
// lib/student.ts), the route to it and the links that lead there: the
// gradebook, the groups page, the grading queue and the course's students.
import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { ApiError } from '../src/api/http'
import { router } from '../src/router'
import { hwClass, reviewLink, share } from '../src/lib/student'
import type { HomeworkStatus, StudentOverview } from '../src/api/types'
import CourseStudent from '../src/views/CourseStudent.vue'
import Gradebook from '../src/views/Gradebook.vue'
import CourseGroups from '../src/views/CourseGroups.vue'
import GradingQueue from '../src/views/GradingQueue.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const teacher: User = { id: 'u1', email: 'u@x.test', display_name: 'Анна', role: 'teacher', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
const hw = (id: string, title: string, status: HomeworkStatus, extra: object = {}) => ({
  assignment_id: id, course_id: 'c1', course_title: 'Алгебра', title, due_at: '2026-03-01T20:59:00Z', cut_off_at: null, status, late: false, final_score: null, max_score: 10, submission_id: null, ...extra,
})
const overview = {
  course_id: 'c1', student_id: 's1', display_name: 'Иван Петров', email: 'ivan@x.test', group_id: 'g1', group_name: 'Группа А',
  progress: { course_id: 'c1', title: 'Алгебра', status: 'published', percent: 45, quiz_average_percent: 75, progress: { lessons_total: 4, lessons_viewed: 3, assignments_total: 3, assignments_done: 1, quizzes_total: 2, quizzes_done: 1 } },
  homework: [
    hw('a1', 'Уравнения', 'graded', { final_score: 8.5, late: true, submission_id: 'sub1' }),
    hw('a2', 'Неравенства', 'missing'),
    hw('a3', 'Функции', 'submitted', { submission_id: 'sub3' }),
  ],
  quizzes: [{ quiz_id: 'q1', course_id: 'c1', course_title: 'Алгебра', title: 'Тест 1', attempts_finished: 2, score: { score: 3, max_score: 4, percent: 75, pending_manual: false } }],
  attempts: [
    { attempt_id: 't2', quiz_id: 'q1', quiz_title: 'Тест 1', number: 2, state: 'open', started_at: '2026-03-02T09:00:00Z', finished_at: null, score: null, max_score: null, pending_manual: false },
    { attempt_id: 't1', quiz_id: 'q1', quiz_title: 'Тест 1', number: 1, state: 'submitted', started_at: '2026-03-01T09:00:00Z', finished_at: '2026-03-01T09:10:00Z', score: 3, max_score: 4, pending_manual: true },
  ],
  late: 1, overdue: 1, last_activity: '2026-03-02T09:00:00Z',
} satisfies StudentOverview

beforeEach(() => {
  api.reset()
  setLocale('ru')
  session.checked = true
  session.user = teacher
})

const to = (w: ReturnType<typeof mount>, test: string) => w.findAll(`[data-test=${test}]`).map((e) => e.getComponent(RouterLinkStub).props('to'))

describe('lib/student', () => {
  it('shares, colours and review links', () => {
    expect(share(3, 4)).toBe(75)
    expect(share(1, 3)).toBe(33)
    expect(share(0, 0)).toBe(0)
    expect(share(5, 4)).toBe(100)
    expect(hwClass('graded')).toBe('success')
    expect(hwClass('missing')).toBe('danger')
    expect(hwClass('not_submitted')).toBe('secondary')
    expect(reviewLink({ attempt_id: 't1', state: 'submitted' })).toBe('/attempts/t1/review')
    expect(reviewLink({ attempt_id: 't1', state: 'auto_submitted' })).toBe('/attempts/t1/review')
    expect(reviewLink({ attempt_id: 't1', state: 'open' })).toBeNull()
  })
})

describe('the student page', () => {
  it('has its route', () => {
    const m = router.resolve('/courses/c1/students/s1')
    expect(m.name).toBe('course-student')
    expect(m.params).toEqual({ id: 'c1', studentId: 's1' })
    expect(router.resolve('/courses/c1').name).toBe('course')
  })

  it('shows who, progress, homework, quizzes, attempts and activity', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/courses/c1/students/s1/overview') return structuredClone(overview)
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(CourseStudent, { props: { id: 'c1', studentId: 's1' }, ...opts })
    await flushPromises()
    expect(w.get('[data-test=student-name]').text()).toBe('Иван Петров')
    expect(w.get('[data-test=student-email]').attributes('href')).toBe('mailto:ivan@x.test')
    expect(w.get('[data-test=student-group]').text()).toBe('Группа: Группа А')
    expect(w.get('[data-test=student-percent]').text()).toMatch(/^45\s?%$/)
    expect(w.findAll('[data-test=student-bar]').map((b) => b.text())).toEqual(['Уроки открыты3 из 4', 'Задания оценены1 из 3', 'Тесты пройдены1 из 2'])
    const rows = w.findAll('[data-test=student-homework-row]')
    expect(rows.length).toBe(3)
    expect(rows[0].get('[data-test=student-hw-status]').text()).toBe('оценено')
    expect(rows[0].get('[data-test=student-hw-status]').classes()).toContain('text-bg-success')
    expect(rows[0].find('[data-test=student-hw-late]').exists()).toBe(true)
    expect(rows[0].text()).toContain('8,5 / 10')
    expect(rows[1].find('[data-test=student-submission]').exists()).toBe(false)
    expect(to(w, 'student-submission')).toEqual(['/submissions/sub1', '/submissions/sub3'])
    expect(w.get('[data-test=student-quiz-row]').text()).toContain('3 / 4')
    // Only finished attempts have a review.
    expect(w.findAll('[data-test=student-attempt-row]').length).toBe(2)
    expect(to(w, 'student-attempt-review')).toEqual(['/attempts/t1/review'])
    expect(w.get('[data-test=student-overdue]').text()).toBe('1')
    expect(w.get('[data-test=student-late]').text()).toBe('1')
    expect(w.get('[data-test=student-last-activity] time').attributes('datetime')).toBe('2026-03-02T09:00:00Z')
    expect(w.text()).not.toMatch(/student\.\w+/)
  })

  it('without any activity, group or work yet', async () => {
    api.get.mockResolvedValue({ ...structuredClone(overview), group_id: null, group_name: null, homework: [], quizzes: [], attempts: [], last_activity: null })
    const w = mount(CourseStudent, { props: { id: 'c1', studentId: 's1' }, ...opts })
    await flushPromises()
    expect(w.get('[data-test=student-group]').text()).toBe('Группа: без группы')
    expect(w.get('[data-test=student-last-activity]').text()).toBe('нет активности')
    for (const test of ['student-homework-empty', 'student-quizzes-empty', 'student-attempts-empty']) expect(w.find(`[data-test=${test}]`).exists(), test).toBe(true)
  })

  it('says when the student is not one the caller grades', async () => {
    api.get.mockRejectedValue(new ApiError(404, 'student_not_found', 'student not found'))
    const w = mount(CourseStudent, { props: { id: 'c1', studentId: 's9' }, ...opts })
    await flushPromises()
    expect(w.get('[data-test=student-not-found] h1').text()).toBe('Студент не найден')
    expect(w.find('[data-test=error]').exists()).toBe(false)
  })

  it('other failures are errors', async () => {
    api.get.mockRejectedValue(new ApiError(500, 'internal', 'boom'))
    const w = mount(CourseStudent, { props: { id: 'c1', studentId: 's1' }, ...opts })
    await flushPromises()
    expect(w.get('[data-test=error]').text()).toBe('Ошибка на сервере. Попробуйте позже.')
    expect(w.find('[data-test=student-not-found]').exists()).toBe(false)
  })
})

describe('links to the student page', () => {
  const course = { id: 'c1', title: 'Алгебра', description: '', owner_id: 'u1', status: 'published', invite_code: null, cover: null, created_at: '2026-01-01T00:00:00Z' }
  const account = (id: string, name: string) => ({ id, email: `${id}@x.test`, display_name: name, role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })

  it('from the gradebook rows', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p.startsWith('/courses/c1/gradebook')) return { columns: [], rows: [{ student_id: 's1', student_name: 'Иван Петров', email: 'ivan@x.test', cells: [], submission_ids: [], total: 0, total_max: 0, percent: null }] }
      if (p === '/courses/c1') return courseView(course, 'owner')
      return []
    })
    const w = mount(Gradebook, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(to(w, 'gradebook-student')).toEqual(['/courses/c1/students/s1'])
    expect(w.get('[data-test=gradebook-student]').text()).toBe('Иван Петров')
  })

  it('from the groups page\'s students', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/courses/c1') return courseView(course, 'owner')
      if (p.startsWith('/courses/c1/students?')) return [{ user: account('s1', 'Иван Петров'), enrolled_at: '2026-01-02T00:00:00Z', source: 'staff' }]
      return []
    })
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(to(w, 'group-student-link')).toEqual(['/courses/c1/students/s1'])
  })

  it('from the grading queue, while the row still opens the submission', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p.startsWith('/grading-queue'))
        return [{ submission: { id: 'sub1', student_id: 's1', state: 'submitted', versions: [{ submitted_at: '2026-03-01T09:00:00Z', late: false }] }, assignment_id: 'a1', course_id: 'c1', student_name: 'Иван Петров', assignment_title: 'ДЗ 1' }]
      return []
    })
    const w = mount(GradingQueue, opts)
    await flushPromises()
    const row = w.get('[data-test=queue-item]')
    expect(row.get('[data-test=queue-student]').getComponent(RouterLinkStub).props('to')).toBe('/courses/c1/students/s1')
    const open = row.findAllComponents(RouterLinkStub).find((l) => l.props('to') === '/submissions/sub1')
    expect(open?.classes()).toContain('stretched-link')
  })
})
