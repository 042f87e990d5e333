import { describe, it, expect, vi, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

vi.mock('vue-router', async (orig) => ({ ...(await orig<typeof import('vue-router')>()), useRouter: () => ({ push: vi.fn() }) }))
import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import Dashboard from '../src/views/Dashboard.vue'
import Quiz from '../src/views/Quiz.vue'
import GradingQueue from '../src/views/GradingQueue.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const user = (role: User['role']): User => ({ id: 'u1', email: 'u@x.test', display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const names: Record<string, string> = { st1: 'Иван Петров', st2: 'Мария Смирнова' }
const item = (id: string, student: string) => ({ student_name: names[student], submission_id: id, assignment_id: 'a1', assignment_title: 'ДЗ 1: уравнения', course_id: 'c1', course_title: 'Алгебра', student_id: student, state: 'submitted', version: 1, submitted_at: '2026-03-01T09:00:00Z', late: false })
const quiz = { quiz: { id: 'q1', course_id: 'c1', title: 'Тест', description: '', settings: {} }, question_count: 3, max_score: 3, attempts_left: 2, attempts: [], open_attempt: null, can_start_now: true, quiz_score: null }
const attempt = (id: string, student: string) => ({ id, quiz_id: 'q1', student_id: student, student_name: names[student], number: 1, state: 'submitted', started_at: '2026-03-01T09:00:00Z', deadline: null, finished_at: '2026-03-01T09:10:00Z', result: { score: 2, max_score: 3, pending_manual: false } })

beforeEach(() => {
  api.get.mockReset()
  api.post.mockReset()
  // Names of exactly the ids shown (POST /courses/{id}/member-names).
  api.post.mockImplementation(async (p: string, body?: unknown) => {
    if (p === '/courses/c1/member-names') return (body as { user_ids: string[] }).user_ids.filter((id: string) => names[id]).map((id: string) => ({ user_id: id, display_name: names[id] }))
    throw new Error(`unexpected POST ${p}`)
  })
  setLocale('ru')
  session.checked = true
  api.get.mockImplementation(async (p: string) => {
    if (p === '/dashboard/staff') return { queue: [item('s1', 'st1'), item('s2', 'st2')], upcoming_webinars: [], courses: [] }
    if (p === '/quizzes/q1') return structuredClone(quiz)
    if (p.startsWith('/quizzes/q1/attempts')) return [attempt('t1', 'st1'), attempt('t2', 'st2')]
    throw new Error(`unexpected GET ${p}`)
  })
})

describe('who is it (#13)', () => {
  it('the teacher dashboard names the student of each work to check', async () => {
    session.user = user('teacher')
    const w = mount(Dashboard, opts)
    await flushPromises()
    const rows = w.findAll('[data-test=dashboard-queue-item]')
    expect(rows.map((r) => r.find('[data-test=queue-student]').text())).toEqual(['Иван Петров', 'Мария Смирнова'])
    expect(rows[0].text()).toContain('ДЗ 1: уравнения')
  })

  it('the grading queue names students and assignments from one request', async () => {
    session.user = user('teacher')
    const pending = (id: string, student: string) => ({
      submission: { id, student_id: student, state: 'submitted', versions: [{ submitted_at: '2026-03-01T09:00:00Z', late: id === 's2' }] },
      assignment_id: 'a1', course_id: 'c1', student_name: names[student], assignment_title: 'ДЗ 1: уравнения',
    })
    api.get.mockImplementation(async (p: string) => {
      if (p.startsWith('/grading-queue')) return [pending('s1', 'st1'), pending('s2', 'st2')]
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(GradingQueue, opts)
    await flushPromises()
    const rows = w.findAll('[data-test=queue-item]')
    expect(rows.map((r) => r.get('[data-test=queue-student]').text())).toEqual(['Иван Петров', 'Мария Смирнова'])
    expect(rows[0].text()).toContain('ДЗ 1: уравнения')
    expect(api.get.mock.calls.map((c) => c[0]).filter((p) => p.startsWith('/grading-queue'))).toEqual(['/grading-queue?limit=51&offset=0'])
  })

  it('the grading queue searches and pages on the server', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      session.user = user('teacher')
      const all = Array.from({ length: 60 }, (_, i) => ({
        submission: { id: `q${i}`, student_id: `st${i}`, state: 'submitted', versions: [{ submitted_at: '2026-03-01T09:00:00Z', late: false }] },
        assignment_id: 'a1', course_id: 'c1', student_name: `Ученик ${i}`, assignment_title: 'ДЗ',
      }))
      api.get.mockImplementation(async (p: string) => {
        if (p.startsWith('/courses?')) return [courseView({ id: 'c1', title: 'Алгебра' }, 'owner'), courseView({ id: 'c2', title: 'Физика' }, 'assistant')]
        const q = new URLSearchParams(p.split('?')[1])
        if (q.get('course_id') === 'c2') return []
        const found = all.filter((e) => !q.get('q') || e.student_name === `Ученик ${q.get('q')}`)
        const offset = Number(q.get('offset'))
        return found.slice(offset, offset + Number(q.get('limit')))
      })
      const w = mount(GradingQueue, opts)
      await flushPromises()
      expect(w.findAll('[data-test=queue-item]').length).toBe(50)
      await w.get('[data-test=queue-next]').trigger('click')
      await flushPromises()
      expect(api.get.mock.calls.at(-1)?.[0]).toBe('/grading-queue?limit=51&offset=50')
      expect(w.findAll('[data-test=queue-item]').length).toBe(10)
      expect(JSON.parse(sessionStorage.getItem('lms.queue') ?? '[]')[0]).toBe('q50')
      await w.get('[data-test=queue-search]').setValue('7')
      await vi.advanceTimersByTimeAsync(400)
      await flushPromises()
      expect(api.get.mock.calls.at(-1)?.[0]).toBe('/grading-queue?limit=51&offset=0&q=7')
      expect(w.findAll('[data-test=queue-student]').map((e) => e.text())).toEqual(['Ученик 7'])
      await w.get('[data-test=queue-course]').setValue('c2')
      await flushPromises()
      expect(api.get.mock.calls.at(-1)?.[0]).toBe('/grading-queue?limit=51&offset=0&q=7&course_id=c2')
      expect(w.findAll('[data-test=queue-item]').length).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('essays waiting for a grade are a second tab of the grading page, with the same filters', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      session.user = user('teacher')
      const essay = (id: string, student: string, n: number) => ({
        attempt_id: id, quiz_id: 'q1', quiz_title: 'Тест по кинематике', course_id: 'c1', course_title: 'Физика',
        student_id: student, student_name: names[student], finished_at: '2026-03-01T09:10:00Z', essays_pending: n,
      })
      api.get.mockImplementation(async (p: string) => {
        if (p.startsWith('/grading-queue/essays')) return new URLSearchParams(p.split('?')[1]).get('q') ? [essay('t2', 'st2', 1)] : [essay('t1', 'st1', 2), essay('t2', 'st2', 1)]
        if (p.startsWith('/grading-queue')) return []
        throw new Error(`unexpected GET ${p}`)
      })
      const w = mount(GradingQueue, opts)
      await flushPromises()
      const essayCalls = () => api.get.mock.calls.map((c) => c[0]).filter((p) => p.startsWith('/grading-queue/essays'))
      expect(essayCalls(), 'read when the tab is opened').toEqual([])
      expect(w.find('[data-test=essay-item]').exists()).toBe(false)

      await w.get('[data-test=tab-essays]').trigger('click')
      await flushPromises()
      expect(essayCalls()).toEqual(['/grading-queue/essays?limit=51&offset=0'])
      const rows = w.findAll('[data-test=essay-item]')
      expect(rows.map((r) => r.get('[data-test=essay-student]').text())).toEqual(['Иван Петров', 'Мария Смирнова'])
      expect(rows[0].text()).toContain('Тест по кинематике')
      expect(rows[0].text()).toContain('Физика')
      expect(rows[0].get('[data-test=essay-count]').text()).toBe('Эссе на проверку: 2')
      // The row opens the attempt's review, where the essay is graded.
      expect(rows[0].get('[data-test=essay-review]').getComponent(RouterLinkStub).props('to')).toBe('/attempts/t1/review')
      expect(rows[0].get('[data-test=essay-student]').getComponent(RouterLinkStub).props('to')).toBe('/courses/c1/students/st1')
      expect(w.find('[data-test=queue-item]').exists()).toBe(false)

      // A search reads the tab shown; the homework tab again when it is opened.
      const homeworkCalls = () => api.get.mock.calls.map((c) => c[0]).filter((p) => p.startsWith('/grading-queue?'))
      expect(homeworkCalls()).toEqual(['/grading-queue?limit=51&offset=0'])
      await w.get('[data-test=queue-search]').setValue('Мар')
      await vi.advanceTimersByTimeAsync(400)
      await flushPromises()
      expect(essayCalls().at(-1)).toBe(`/grading-queue/essays?limit=51&offset=0&q=${encodeURIComponent('Мар')}`)
      expect(w.findAll('[data-test=essay-student]').map((e) => e.text())).toEqual(['Мария Смирнова'])
      expect(homeworkCalls()).toHaveLength(1)
      await w.get('[data-test=tab-homework]').trigger('click')
      await flushPromises()
      expect(homeworkCalls().at(-1)).toBe(`/grading-queue?limit=51&offset=0&q=${encodeURIComponent('Мар')}`)
      expect(w.find('[data-test=essay-item]').exists()).toBe(false)
      // Back to the essays without a change: nothing is read again.
      await w.get('[data-test=tab-essays]').trigger('click')
      await flushPromises()
      expect(essayCalls()).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('the essays tab says when nothing waits', async () => {
    session.user = user('teacher')
    api.get.mockImplementation(async (p: string) => {
      if (p.startsWith('/grading-queue')) return []
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(GradingQueue, opts)
    await flushPromises()
    await w.get('[data-test=tab-essays]').trigger('click')
    await flushPromises()
    expect(w.text()).toContain('Эссе, ждущих оценки, нет')
  })

  it('staff see a student column in the quiz attempts and no «attempts left»', async () => {
    session.user = user('teacher')
    const w = mount(Quiz, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    expect(w.find('thead').text()).toContain('Студент')
    expect(w.findAll('[data-test=attempt-student]').map((c) => c.text())).toEqual(['Иван Петров', 'Мария Смирнова'])
    expect(api.post).not.toHaveBeenCalled() // the names come with the attempts
    expect(w.find('[data-test=attempts-left]').exists()).toBe(false)
    expect(w.text()).not.toContain('Осталось попыток')
  })

  it('students see their attempts left and no student column', async () => {
    session.user = user('student')
    const w = mount(Quiz, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=attempts-left]').text()).toBe('Осталось попыток: 2')
    expect(w.find('[data-test=attempt-student]').exists()).toBe(false)
  })
})
